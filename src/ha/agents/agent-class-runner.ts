/**
 * AgentClassRunner: the production AgentRunner. It picks the agent class by the resource's
 * standard and runs the operation through a ProcessRunner (ChildProcessRunner in production).
 * It also answers the questions asked before a resource is accepted into the configuration: what
 * does this agent look like (`metadata`, cached per agent) and are these parameters acceptable
 * (`checkResource`).
 */
import type { Clock, Logger, Result } from '../../lib/index.js';
import { err, ok, silentLogger } from '../../lib/index.js';
import { OcfRc, type AgentOperation, type AgentRunner, type AgentSpec, type AgentStandard, type OperationResult, type ProcessRunner, type ResourceDefinition } from '../lrm/index.js';
import type { AgentClass, AgentContext } from './agent-class.js';
import { DEFAULT_AGENT_DIRECTORIES, type AgentDirectories } from './agent-directories.js';
import { locateAgent } from './agent-location.js';
import type { AgentMetadata } from './agent-metadata.js';
import { agentSpecProblem, formatAgentSpec } from './agent-spec.js';
import { HeartbeatAgentClass } from './heartbeat-agent-class.js';
import { LsbAgentClass } from './lsb-agent-class.js';
import { OcfAgentClass } from './ocf-agent-class.js';
import { checkParameters, type ParameterProblem } from './parameter-check.js';
import { refusedResult } from './process-outcome.js';
import { SystemdAgentClass } from './systemd-agent-class.js';

export interface AgentClassRunnerOptions {
  readonly processes: ProcessRunner;
  readonly clock: Clock;
  /** Defaults to Debian's paths (DEFAULT_AGENT_DIRECTORIES); override any of them. */
  readonly directories?: Partial<AgentDirectories>;
  readonly logger?: Logger;
  /** This node's cluster name (OCF_RESKEY_CRM_meta_on_node). */
  readonly nodeName?: string;
}

/** Why an agent class cannot run a stonith resource, and what does. */
const FENCE_DEVICE_HINT = 'stonith resources are fence devices, run by the fencer: set fencing.cib: true in heartline.yaml so that the daemon uses them';

export class AgentClassRunner implements AgentRunner {
  private readonly context: AgentContext;
  private readonly logger: Logger;
  private readonly classes: Readonly<Record<Exclude<AgentStandard, 'stonith'>, AgentClass>> = {
    ocf: new OcfAgentClass(),
    lsb: new LsbAgentClass(),
    heartbeat: new HeartbeatAgentClass(),
    systemd: new SystemdAgentClass(),
  };
  private readonly metadataCache = new Map<string, AgentMetadata>();

  constructor(options: AgentClassRunnerOptions) {
    const directories = { ...DEFAULT_AGENT_DIRECTORIES, ...options.directories };
    this.context = { processes: options.processes, clock: options.clock, directories, ...(options.nodeName === undefined ? {} : { nodeName: options.nodeName }) };
    this.logger = options.logger ?? silentLogger;
  }

  async run(operation: AgentOperation): Promise<OperationResult> {
    const problem = agentSpecProblem(operation.resource.agent);
    if (problem !== undefined) return refusedResult(OcfRc.ERR_CONFIGURED, 'error', problem);
    const standard = operation.resource.agent.standard;
    if (standard === 'stonith') return refusedResult(OcfRc.ERR_INSTALLED, 'not-installed', FENCE_DEVICE_HINT);
    try {
      const result = await this.classes[standard].run(operation, this.context);
      if (result.status !== 'done' || result.rc !== OcfRc.SUCCESS) {
        this.logger.debug('agent output', { resourceId: operation.resource.id, action: operation.action, stderr: result.stderr.slice(-2000) });
      }
      return result;
    } catch (error) {
      // A class broke its contract: still a result, never a rejection into the LRM.
      return refusedResult(OcfRc.ERR_GENERIC, 'error', `${formatAgentSpec(operation.resource.agent)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The agent's description; successful answers are cached (agents change only with a package upgrade). */
  async metadata(agent: AgentSpec): Promise<Result<AgentMetadata, string>> {
    const problem = agentSpecProblem(agent);
    if (problem !== undefined) return err(problem);
    const key = formatAgentSpec(agent);
    const cached = this.metadataCache.get(key);
    if (cached !== undefined) return ok(cached);
    if (agent.standard === 'stonith') return err(FENCE_DEVICE_HINT);
    const described = await this.classes[agent.standard].metadata(agent, this.context);
    if (described.ok) this.metadataCache.set(key, described.value);
    return described;
  }

  /** Where the agent is installed on this node, or why it is not (naming where it looked): see locateAgent. */
  locate(agent: AgentSpec): Promise<Result<string, string>> {
    return locateAgent(agent, this.context.directories);
  }

  /** Forgets cached meta-data (after an agent package upgrade). */
  forgetMetadata(): void {
    this.metadataCache.clear();
  }

  /**
   * Checks a resource against its agent's meta-data. Refused (err) when the agent cannot be
   * described or any problem is an error (a missing required parameter, a value of the wrong type);
   * accepted with the warnings otherwise.
   */
  async checkResource(resource: Pick<ResourceDefinition, 'agent' | 'params'>): Promise<Result<ParameterProblem[], ParameterProblem[]>> {
    const name = formatAgentSpec(resource.agent);
    const metadata = await this.metadata(resource.agent);
    if (!metadata.ok) return err([{ parameter: '', severity: 'error', message: metadata.error }]);
    const problems = checkParameters(metadata.value, resource.params, name);
    return problems.some((p) => p.severity === 'error') ? err(problems) : ok(problems);
  }
}
