/**
 * `systemd:UNIT`: `systemctl start|stop UNIT` (which wait for the job to finish), `systemctl
 * is-active UNIT` for monitors. A unit name without a type suffix is a `.service`. Mapping as in
 * Pacemaker: active (and the transitional states, where the service still or already runs) is
 * running; inactive and failed are stopped (a failed unit's processes are gone: systemd cleaned its
 * cgroup). A start is confirmed with is-active, because `systemctl start` of a unit that exits at
 * once still succeeds.
 */
import { ok, type Millis, type Result } from '../../lib/index.js';
import { OcfRc, type AgentOperation, type AgentSpec, type OperationResult, type ProcessOutcome } from '../lrm/index.js';
import type { AgentClass, AgentContext } from './agent-class.js';
import type { AgentMetadata } from './agent-metadata.js';
import { formatAgentSpec } from './agent-spec.js';
import type { MappedCode } from './lsb-agent-class.js';
import { abnormalResult, combinedResult, refusedResult, result } from './process-outcome.js';

const UNIT_SUFFIXES = ['.service', '.socket', '.target', '.mount', '.automount', '.timer', '.path', '.scope', '.slice', '.swap', '.device'];

/** `nginx` → `nginx.service`; names with a unit type suffix are kept. */
export function systemdUnitName(type: string): string {
  return UNIT_SUFFIXES.some((suffix) => type.endsWith(suffix)) ? type : `${type}.service`;
}

/** The state `systemctl is-active` printed → OCF. */
export function systemdStateToOcf(state: string): MappedCode {
  switch (state.trim()) {
    case 'active':
    case 'reloading':
    case 'refreshing':
    case 'activating':
    case 'deactivating':
      return { rc: OcfRc.SUCCESS };
    case 'inactive':
      return { rc: OcfRc.NOT_RUNNING };
    case 'failed':
      return { rc: OcfRc.NOT_RUNNING, reason: 'the unit is in the failed state' };
    default:
      return { rc: OcfRc.ERR_GENERIC, reason: `systemctl is-active answered "${state.trim()}"` };
  }
}

function systemdMetadata(name: string): AgentMetadata {
  const timeoutMs = 100_000 as Millis;
  return {
    name,
    shortDescription: `systemd unit ${name}`,
    parameters: [],
    actions: ['start', 'stop', 'monitor', 'meta-data'].map((action) => ({ name: action, timeoutMs })),
  };
}

export class SystemdAgentClass implements AgentClass {
  async run(operation: AgentOperation, context: AgentContext): Promise<OperationResult> {
    const { action, resource } = operation;
    const unit = systemdUnitName(resource.agent.type);
    const what = `${action} of ${resource.id} (${formatAgentSpec(resource.agent)})`;
    const deadline = (context.clock.now() + operation.timeoutMs) as Millis;
    const exec = (verb: string, timeoutMs: Millis): Promise<ProcessOutcome> =>
      context.processes.run({ executable: context.directories.systemctl, args: ['--no-ask-password', verb, unit], env: { PATH: context.directories.path, LC_ALL: 'C' }, timeoutMs });
    const isActive = async (timeoutMs: Millis): Promise<OperationResult> => {
      const outcome = await exec('is-active', timeoutMs);
      const abnormal = abnormalResult(outcome, `is-active of ${unit}`, timeoutMs);
      if (abnormal !== undefined) return abnormal;
      const state = outcome.stdout.trim();
      const mapped = state === '' ? { rc: OcfRc.ERR_GENERIC, reason: firstLine(outcome.stderr) ?? 'systemctl is-active printed nothing' } : systemdStateToOcf(state);
      return result(outcome, mapped.rc, 'done', mapped.reason);
    };
    if (action === 'monitor') return isActive(operation.timeoutMs);
    if (action === 'start' || action === 'stop') {
      const outcome = await exec(action, operation.timeoutMs);
      const abnormal = abnormalResult(outcome, what, operation.timeoutMs);
      if (abnormal !== undefined) return abnormal;
      const code = outcome.end.kind === 'exited' ? outcome.end.code : -1;
      // systemctl exits 5 when the unit is not loaded (does not exist): it cannot be running.
      if (action === 'stop') return code === 0 || code === 5 ? result(outcome, OcfRc.SUCCESS, 'done') : result(outcome, OcfRc.ERR_GENERIC, 'done', firstLine(outcome.stderr) ?? `systemctl stop exited with ${String(code)}`);
      if (code === 5) return result(outcome, OcfRc.ERR_INSTALLED, 'not-installed', firstLine(outcome.stderr) ?? `unit ${unit} not found`);
      if (code !== 0) return result(outcome, OcfRc.ERR_GENERIC, 'done', firstLine(outcome.stderr) ?? `systemctl start exited with ${String(code)}`);
      const remaining = (deadline - context.clock.now()) as Millis;
      if (remaining <= 0) return result(outcome, OcfRc.ERR_GENERIC, 'timeout', `${what} timed out after ${String(operation.timeoutMs)} ms`);
      const check = await isActive(remaining);
      const first = result(outcome, OcfRc.SUCCESS, 'done');
      if (check.status === 'done' && check.rc === OcfRc.SUCCESS) return combinedResult(first, check, OcfRc.SUCCESS);
      return combinedResult(first, check, OcfRc.ERR_GENERIC, `unit ${unit} is not active after start${check.exitReason === undefined ? '' : ` (${check.exitReason})`}`);
    }
    return refusedResult(OcfRc.ERR_UNIMPLEMENTED, 'not-supported', `${formatAgentSpec(resource.agent)} (a systemd unit) cannot ${action}`);
  }

  metadata(agent: AgentSpec): Promise<Result<AgentMetadata, string>> {
    return Promise.resolve(ok(systemdMetadata(systemdUnitName(agent.type))));
  }
}

function firstLine(text: string): string | undefined {
  const line = text.split('\n').find((l) => l.trim() !== '');
  return line?.trim();
}
