/**
 * `ocf:PROVIDER:TYPE`: `$OCF_ROOT/resource.d/PROVIDER/TYPE ACTION` (or the provider's configured
 * directory, e.g. the project's own `heartline` agents), with the OCF environment. The exit code is
 * the answer: 0-9 as OCF defines them; anything else is OCF_ERR_GENERIC with the code in the reason.
 */
import { join } from 'node:path';
import { err, type Millis, type Result } from '../../lib/index.js';
import { OcfRc, isOcfRc, type AgentOperation, type AgentSpec, type OperationResult } from '../lrm/index.js';
import type { AgentClass, AgentContext } from './agent-class.js';
import type { AgentDirectories } from './agent-directories.js';
import { parseAgentMetadata, type AgentMetadata } from './agent-metadata.js';
import { formatAgentSpec } from './agent-spec.js';
import { ocfEnvironment } from './ocf-environment.js';
import { abnormalResult, refusedResult, result } from './process-outcome.js';

/** meta-data gets this long; agents print it without touching the resource. */
export const META_DATA_TIMEOUT_MS = 5000 as Millis;

export class OcfAgentClass implements AgentClass {
  async run(operation: AgentOperation, context: AgentContext): Promise<OperationResult> {
    const { resource, action } = operation;
    const what = `${action} of ${resource.id} (${formatAgentSpec(resource.agent)})`;
    const env = ocfEnvironment(operation, context.nodeName === undefined ? context.directories : { ...context.directories, nodeName: context.nodeName });
    if (!env.ok) return refusedResult(OcfRc.ERR_CONFIGURED, 'error', env.error);
    const outcome = await context.processes.run({
      executable: ocfAgentPath(resource.agent, context.directories),
      args: [action],
      env: env.value,
      timeoutMs: operation.timeoutMs,
    });
    const abnormal = abnormalResult(outcome, what, operation.timeoutMs);
    if (abnormal !== undefined) return abnormal;
    const code = outcome.end.kind === 'exited' ? outcome.end.code : -1;
    if (isOcfRc(code)) return result(outcome, code, 'done');
    return result(outcome, OcfRc.ERR_GENERIC, 'done', `${what} exited with ${String(code)}, not an OCF exit code`);
  }

  async metadata(agent: AgentSpec, context: AgentContext): Promise<Result<AgentMetadata, string>> {
    const name = formatAgentSpec(agent);
    const outcome = await this.run(
      { resource: { id: `meta-data-${agent.type}`, agent, params: {} }, action: 'meta-data', intervalMs: 0 as Millis, timeoutMs: META_DATA_TIMEOUT_MS },
      context,
    );
    if (outcome.status !== 'done' || outcome.rc !== OcfRc.SUCCESS) {
      return err(`${name}: meta-data failed (${outcome.status}, rc ${String(outcome.rc)}${outcome.exitReason === undefined ? '' : `: ${outcome.exitReason}`})`);
    }
    const parsed = parseAgentMetadata(outcome.stdout);
    return parsed.ok ? parsed : err(`${name}: ${parsed.error}`);
  }
}

/** Where an OCF agent's executable is: a configured provider directory, else under OCF_ROOT. */
export function ocfAgentPath(agent: AgentSpec, directories: AgentDirectories): string {
  const provider = agent.provider ?? '';
  const directory = directories.ocfProviderDirectories[provider] ?? join(directories.ocfRoot, 'resource.d', provider);
  return join(directory, agent.type);
}
