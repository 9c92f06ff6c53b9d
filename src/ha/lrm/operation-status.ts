/**
 * Operation status: how the execution went, beside what the agent said (its rc). Pacemaker keeps
 * the two apart (`op-status` and `rc-code` in the CIB's `lrm_rsc_op`), because "the agent said not
 * running" and "the agent never answered" call for different recoveries.
 *
 * - done: the agent ran and exited; its rc is the answer.
 * - cancelled: a recurring operation was cancelled (by a stop or an explicit cancel) before its
 *   result could be reported.
 * - timeout: the agent did not finish within the operation's timeout; its process group was killed.
 * - not-supported: the agent class cannot perform this action (an LSB script cannot promote).
 * - error: the agent could not be run, or died of a signal it was not sent by the LRM.
 * - error-hard / error-fatal: reserved for Pacemaker's escalations (the policy engine reads them).
 * - not-installed: the agent's executable does not exist.
 */
export type OperationStatus = 'done' | 'cancelled' | 'timeout' | 'not-supported' | 'error' | 'error-hard' | 'error-fatal' | 'not-installed';

const CODES: Readonly<Record<OperationStatus, number>> = {
  done: 0,
  cancelled: 1,
  timeout: 2,
  'not-supported': 3,
  error: 4,
  'error-hard': 5,
  'error-fatal': 6,
  'not-installed': 7,
};

/** The number Pacemaker writes as `op-status` in the CIB (enum pcmk_exec_status). */
export function operationStatusCode(status: OperationStatus): number {
  return CODES[status];
}
