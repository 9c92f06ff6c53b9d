/**
 * `heartbeat:NAME`: a Heartbeat v1 resource script, `RESOURCE_DIRECTORY/NAME ARG1 ARG2 ...
 * start|stop|status`. The arguments are the resource's parameters named "1", "2", ... in order (as
 * Pacemaker's heartbeat class passes them; haresources' `IPaddr::10.0.0.10/24` becomes "1" =
 * "10.0.0.10/24"). Heartbeat judged `status` by what the script printed, not its exit code
 * (`judgeHeartbeatStatus`); start and stop succeed on exit 0. A failed start or stop is confirmed by
 * a status (status-check.ts).
 */
import { join } from 'node:path';
import { err, ok, type Millis, type Result } from '../../lib/index.js';
import { OcfRc, type AgentOperation, type AgentSpec, type OperationResult, type ProcessOutcome } from '../lrm/index.js';
import type { AgentClass, AgentContext } from './agent-class.js';
import type { AgentMetadata } from './agent-metadata.js';
import { formatAgentSpec } from './agent-spec.js';
import { abnormalResult, refusedResult, result } from './process-outcome.js';
import { confirmByStatus } from './status-check.js';

/**
 * Heartbeat's ResourceManager rule (`we_own_resource`) on the standard output of `status`: "not
 * ... running" (any case for "not", then a blank, then anything, then Running/running) is stopped;
 * otherwise "Running"/"running" or "OK" anywhere is running; anything else is stopped.
 */
export function judgeHeartbeatStatus(stdout: string): typeof OcfRc.SUCCESS | typeof OcfRc.NOT_RUNNING {
  if (/[Nn][Oo][Tt] [\s\S]*[Rr]unning/.test(stdout)) return OcfRc.NOT_RUNNING;
  if (/[Rr]unning|OK/.test(stdout)) return OcfRc.SUCCESS;
  return OcfRc.NOT_RUNNING;
}

/** The script's arguments: parameters "1".."N", stopping at the first missing number. */
export function heartbeatArguments(params: Readonly<Record<string, string>>): Result<string[], string> {
  const args: string[] = [];
  for (let index = 1; params[String(index)] !== undefined; index++) args.push(params[String(index)] ?? '');
  const stray = Object.keys(params).filter((name) => !/^[1-9]\d*$/.test(name) || Number(name) > args.length);
  if (stray.length > 0) return err(`heartbeat scripts take positional parameters "1", "2", ... without gaps; cannot pass ${stray.map((s) => `"${s}"`).join(', ')}`);
  return ok(args);
}

function heartbeatMetadata(name: string): AgentMetadata {
  const timeoutMs = 20_000 as Millis;
  return {
    name,
    shortDescription: `Heartbeat v1 resource script ${name}`,
    parameters: [],
    actions: ['start', 'stop', 'status', 'monitor'].map((action) => ({ name: action, timeoutMs })),
  };
}

export class HeartbeatAgentClass implements AgentClass {
  async run(operation: AgentOperation, context: AgentContext): Promise<OperationResult> {
    const { action, resource } = operation;
    const spec = formatAgentSpec(resource.agent);
    const what = `${action} of ${resource.id} (${spec})`;
    const args = heartbeatArguments(resource.params);
    if (!args.ok) return refusedResult(OcfRc.ERR_CONFIGURED, 'error', `${spec}: ${args.error}`);
    const deadline = (context.clock.now() + operation.timeoutMs) as Millis;
    const script = join(context.directories.heartbeatResourceDirectory, resource.agent.type);
    const exec = (verb: string, timeoutMs: Millis): Promise<ProcessOutcome> =>
      context.processes.run({ executable: script, args: [...args.value, verb], env: { PATH: context.directories.path, LC_ALL: 'C' }, timeoutMs });
    const status = async (timeoutMs: Millis): Promise<OperationResult> => {
      const outcome = await exec('status', timeoutMs);
      return abnormalResult(outcome, `status of ${resource.id}`, timeoutMs) ?? result(outcome, judgeHeartbeatStatus(outcome.stdout), 'done');
    };
    if (action === 'monitor') return status(operation.timeoutMs);
    if (action === 'start' || action === 'stop') {
      const outcome = await exec(action, operation.timeoutMs);
      const abnormal = abnormalResult(outcome, what, operation.timeoutMs);
      if (abnormal !== undefined) return abnormal;
      const code = outcome.end.kind === 'exited' ? outcome.end.code : -1;
      const first = code === 0 ? result(outcome, OcfRc.SUCCESS, 'done') : result(outcome, OcfRc.ERR_GENERIC, 'done', `the heartbeat script exited with ${String(code)}`);
      return confirmByStatus({ first, goal: action === 'start' ? 'running' : 'stopped', deadline, clock: context.clock, status });
    }
    return refusedResult(OcfRc.ERR_UNIMPLEMENTED, 'not-supported', `${spec} (a Heartbeat v1 script) cannot ${action}`);
  }

  metadata(agent: AgentSpec): Promise<Result<AgentMetadata, string>> {
    return Promise.resolve(ok(heartbeatMetadata(agent.type)));
  }
}
