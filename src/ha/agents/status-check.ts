/**
 * Idempotence for agents that do not guarantee it. OCF requires start on a running resource and
 * stop on a stopped one to succeed; LSB asks the same of init scripts, but old scripts and
 * Heartbeat v1 scripts often answer 1 ("already running", "not running"). So when a start or stop
 * of such an agent fails, its status is asked: if the resource is in the state the action wanted,
 * the action succeeded. The status runs within what is left of the operation's timeout.
 */
import type { Clock, Millis } from '../../lib/index.js';
import { OcfRc, type OperationResult } from '../lrm/index.js';
import { combinedResult } from './process-outcome.js';

/**
 * `first` if it succeeded or did not run to completion; otherwise success when `status` (an OCF-mapped
 * status result) shows the goal reached, and `first` (with both durations) when it does not.
 */
export async function confirmByStatus(options: {
  readonly first: OperationResult;
  readonly goal: 'running' | 'stopped';
  readonly deadline: Millis;
  readonly clock: Clock;
  readonly status: (timeoutMs: Millis) => Promise<OperationResult>;
}): Promise<OperationResult> {
  const { first, goal, deadline, clock } = options;
  if (first.status !== 'done' || first.rc === OcfRc.SUCCESS) return first;
  const remaining = (deadline - clock.now()) as Millis;
  if (remaining <= 0) return first;
  const status = await options.status(remaining);
  const reached = status.status === 'done' && status.rc === (goal === 'running' ? OcfRc.SUCCESS : OcfRc.NOT_RUNNING);
  if (reached) {
    // The goal is reached: the first command's complaint is no longer the result's reason.
    const { exitReason: _complaint, ...merged } = combinedResult(first, status, OcfRc.SUCCESS);
    return merged;
  }
  return { ...first, execTimeMs: (first.execTimeMs + status.execTimeMs) as Millis };
}
