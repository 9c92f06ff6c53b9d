/**
 * The outcomes every class maps the same way: an agent that could not be started, that timed out,
 * or that died of a signal. Only an agent that exited is judged by its class's own rules.
 */
import type { Millis } from '../../lib/index.js';
import { OcfRc, type OperationResult, type OperationStatus, type ProcessOutcome } from '../lrm/index.js';

/** The result for an outcome that is not a normal exit, or undefined when the agent exited. */
export function abnormalResult(outcome: ProcessOutcome, what: string, timeoutMs: Millis): OperationResult | undefined {
  const { end } = outcome;
  switch (end.kind) {
    case 'exited':
      return undefined;
    case 'timed-out':
      return result(outcome, OcfRc.ERR_GENERIC, 'timeout', `${what} timed out after ${String(timeoutMs)} ms${end.reaped ? '' : ' (its process could not be reaped)'}`);
    case 'signaled':
      return result(outcome, OcfRc.ERR_GENERIC, 'error', `${what} was killed by ${end.signal}`);
    case 'spawn-failed':
      if (end.code === 'ENOENT' || end.code === 'ENOTDIR') return result(outcome, OcfRc.ERR_INSTALLED, 'not-installed', `${what}: agent not installed (${end.message})`);
      if (end.code === 'EACCES') return result(outcome, OcfRc.ERR_PERM, 'error', `${what}: agent is not executable (${end.message})`);
      return result(outcome, OcfRc.ERR_GENERIC, 'error', `${what}: could not run the agent (${end.message})`);
  }
}

/** A result from a finished outcome with the given rc and status; the agent's own exit reason wins over `reason`. */
export function result(outcome: ProcessOutcome, rc: OcfRc, status: OperationStatus, reason?: string): OperationResult {
  const exitReason = outcome.exitReason ?? reason;
  return {
    rc,
    status,
    ...(exitReason === undefined ? {} : { exitReason }),
    execTimeMs: outcome.durationMs,
    stdout: outcome.stdout,
    stderr: outcome.stderr,
  };
}

/** A result for an operation refused before anything ran. */
export function refusedResult(rc: OcfRc, status: OperationStatus, reason: string): OperationResult {
  return { rc, status, exitReason: reason, execTimeMs: 0 as Millis, stdout: '', stderr: '' };
}

/** Joins the results of two commands of one operation: the second's answer, both durations and outputs. */
export function combinedResult(first: OperationResult, second: OperationResult, rc: OcfRc, reason?: string): OperationResult {
  const exitReason = reason ?? second.exitReason;
  return {
    rc,
    status: second.status,
    ...(exitReason === undefined ? {} : { exitReason }),
    execTimeMs: (first.execTimeMs + second.execTimeMs) as Millis,
    stdout: first.stdout + second.stdout,
    stderr: first.stderr + second.stderr,
  };
}
