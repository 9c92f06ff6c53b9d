/**
 * `lsb:NAME`: an init script, `INIT_DIRECTORY/NAME start|stop|status`. LSB scripts take no
 * parameters. Their start/stop exit codes 0-7 mean what OCF's do; `status` has its own table,
 * mapped by `lsbStatusToOcf`. A failed start or stop is confirmed by a status (status-check.ts).
 */
import { join } from 'node:path';
import { ok, type Millis, type Result } from '../../lib/index.js';
import { OcfRc, isOcfRc, type AgentOperation, type AgentSpec, type OperationResult, type ProcessOutcome } from '../lrm/index.js';
import type { AgentClass, AgentContext } from './agent-class.js';
import type { AgentMetadata } from './agent-metadata.js';
import { formatAgentSpec } from './agent-spec.js';
import { abnormalResult, refusedResult, result } from './process-outcome.js';
import { confirmByStatus } from './status-check.js';

/** An OCF rc with, for failures, the reason in words. */
export interface MappedCode {
  readonly rc: OcfRc;
  readonly reason?: string;
}

/**
 * LSB `status` exit code → OCF: 0 running, 3 stopped. 1 (dead, pid file left) and 2 (dead, lock
 * file left) are crashes and 4 is "unknown": all failures, never "cleanly stopped", so the cluster
 * recovers (stops) before it starts the service anywhere else. Pacemaker 2.1 reads 1 and 2 as not
 * running; we keep the stricter reading ("if in doubt, it failed"). 150/151 are Pacemaker's codes
 * for not installed / insufficient privileges.
 */
export function lsbStatusToOcf(code: number): MappedCode {
  switch (code) {
    case 0:
      return { rc: OcfRc.SUCCESS };
    case 1:
      return { rc: OcfRc.ERR_GENERIC, reason: 'LSB status 1: the program is dead and its pid file exists' };
    case 2:
      return { rc: OcfRc.ERR_GENERIC, reason: 'LSB status 2: the program is dead and its lock file exists' };
    case 3:
      return { rc: OcfRc.NOT_RUNNING };
    case 4:
      return { rc: OcfRc.ERR_GENERIC, reason: 'LSB status 4: the program status is unknown' };
    case 150:
      return { rc: OcfRc.ERR_INSTALLED, reason: 'LSB status 150: not installed' };
    case 151:
      return { rc: OcfRc.ERR_PERM, reason: 'LSB status 151: insufficient privileges' };
    default:
      return { rc: OcfRc.ERR_GENERIC, reason: `LSB status ${String(code)} is not a defined status` };
  }
}

/** LSB start/stop exit code → OCF: 0-7 are the same codes; anything else is a generic error. */
export function lsbActionToOcf(code: number): MappedCode {
  if (isOcfRc(code) && code <= OcfRc.NOT_RUNNING) return { rc: code };
  return { rc: OcfRc.ERR_GENERIC, reason: `the init script exited with ${String(code)}` };
}

/** A fixed description: init scripts have no parameters and these actions. */
function lsbMetadata(name: string): AgentMetadata {
  const timeoutMs = 15_000 as Millis;
  return {
    name,
    shortDescription: `LSB init script ${name}`,
    parameters: [],
    actions: ['start', 'stop', 'status', 'monitor', 'meta-data'].map((action) => ({ name: action, timeoutMs })),
  };
}

export class LsbAgentClass implements AgentClass {
  async run(operation: AgentOperation, context: AgentContext): Promise<OperationResult> {
    const { action, resource } = operation;
    const what = `${action} of ${resource.id} (${formatAgentSpec(resource.agent)})`;
    const deadline = (context.clock.now() + operation.timeoutMs) as Millis;
    const script = join(context.directories.initDirectory, resource.agent.type);
    const exec = (verb: string, timeoutMs: Millis): Promise<ProcessOutcome> =>
      context.processes.run({ executable: script, args: [verb], env: { PATH: context.directories.path, LC_ALL: 'C' }, timeoutMs });
    const status = async (timeoutMs: Millis): Promise<OperationResult> => {
      const outcome = await exec('status', timeoutMs);
      const abnormal = abnormalResult(outcome, `status of ${resource.id}`, timeoutMs);
      if (abnormal !== undefined) return abnormal;
      const mapped = lsbStatusToOcf(exitCode(outcome));
      return result(outcome, mapped.rc, 'done', mapped.reason);
    };
    if (action === 'monitor') return status(operation.timeoutMs);
    if (action === 'start' || action === 'stop') {
      const outcome = await exec(action, operation.timeoutMs);
      const abnormal = abnormalResult(outcome, what, operation.timeoutMs);
      if (abnormal !== undefined) return abnormal;
      const mapped = lsbActionToOcf(exitCode(outcome));
      const first = result(outcome, mapped.rc, 'done', mapped.reason);
      return confirmByStatus({ first, goal: action === 'start' ? 'running' : 'stopped', deadline, clock: context.clock, status });
    }
    return refusedResult(OcfRc.ERR_UNIMPLEMENTED, 'not-supported', `${formatAgentSpec(resource.agent)} (an LSB init script) cannot ${action}`);
  }

  metadata(agent: AgentSpec): Promise<Result<AgentMetadata, string>> {
    return Promise.resolve(ok(lsbMetadata(agent.type)));
  }
}

function exitCode(outcome: ProcessOutcome): number {
  return outcome.end.kind === 'exited' ? outcome.end.code : -1;
}
