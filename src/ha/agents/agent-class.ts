/**
 * AgentClass: one resource agent standard (ocf, lsb, heartbeat, systemd). A class knows how to
 * turn an operation into commands, and their outcome back into an OperationResult in OCF terms.
 * AgentClassRunner picks the class by the resource's `agent.standard`.
 *
 * Contract: `run` never rejects; an action the standard cannot perform is a `not-supported` result
 * (rc OCF_ERR_UNIMPLEMENTED). A class may run more than one command for one operation (LSB and
 * Heartbeat verify a failed start or stop with a status), all within the operation's timeout.
 */
import type { Clock, Result } from '../../lib/index.js';
import type { AgentOperation, AgentSpec, OperationResult, ProcessRunner } from '../lrm/index.js';
import type { AgentDirectories } from './agent-directories.js';
import type { AgentMetadata } from './agent-metadata.js';

/** What a class runs its commands with. */
export interface AgentContext {
  readonly processes: ProcessRunner;
  readonly clock: Clock;
  readonly directories: AgentDirectories;
  /** This node's cluster name, for agents that report where they run. */
  readonly nodeName?: string;
}

export interface AgentClass {
  run(operation: AgentOperation, context: AgentContext): Promise<OperationResult>;
  /**
   * The agent's description: OCF agents print theirs (`meta-data`); the other standards have none,
   * so their class describes what it supports. Errors are sentences naming the agent.
   */
  metadata(agent: AgentSpec, context: AgentContext): Promise<Result<AgentMetadata, string>>;
}
