import type { AgentOperation, OperationResult } from './operation.js';

/**
 * AgentRunner: the edge between the LRM and the world. The LRM (and the simulator, later the
 * transition engine's tests) see only this; the production implementation is
 * `AgentClassRunner` (src/ha/agents), which turns the operation into a command for its agent class
 * and runs it through a ProcessRunner. A simulator's runner answers from a model instead, and can
 * make agents fail, hang (answer with `timeout` after `timeoutMs`) or lie.
 *
 * Contract:
 * - `run` never rejects and never throws: every outcome, including "the agent could not be found"
 *   and "the agent hung", is an OperationResult.
 * - It settles at most a bounded time after `operation.timeoutMs` (the kill grace period plus the
 *   time to reap the process); a timed-out operation's processes are gone when it settles.
 * - It runs one operation per call; the LRM guarantees that calls for one resource never overlap,
 *   so an implementation needs no per-resource locking.
 */
export interface AgentRunner {
  run(operation: AgentOperation): Promise<OperationResult>;
}
