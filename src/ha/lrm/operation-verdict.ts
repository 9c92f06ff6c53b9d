/**
 * Judging an operation's result against what was expected of it, and what it tells about the
 * resource's state. Pure: the LRM attaches the verdict to every result event, so that the DC and the
 * policy engine read one interpretation instead of each re-deriving it from rc and status.
 *
 * Pacemaker's rules, in short: a probe (monitor, interval 0) asks "what is the state?", so running,
 * promoted and cleanly stopped are all fine answers; a recurring monitor expects the role it
 * watches (OCF_SUCCESS, or OCF_RUNNING_PROMOTED for a Promoted monitor); every other action expects
 * OCF_SUCCESS. A stop that answers OCF_NOT_RUNNING reached its goal and is accepted too.
 */
import type { Role } from '../cib/index.js';
import { OcfRc } from './ocf-rc.js';
import type { AgentAction, OperationResult } from './operation.js';

/** What the LRM learned about the resource on this node from one result. */
export type ObservedState =
  /** Running (in the Started or Unpromoted role). */
  | 'started'
  | 'promoted'
  /** Cleanly stopped. */
  | 'stopped'
  /** Failed: crashed, half-started, or failed to stop; needs recovery (a failed stop needs fencing). */
  | 'failed'
  | 'failed-promoted'
  /** The agent is not installed here, so the resource cannot be running here (and cannot run here). */
  | 'not-installed'
  /** The operation timed out or could not run: the state is unknown. */
  | 'unknown'
  /** The action does not tell the state (notify, reload, validate-all, meta-data, migrate_to). */
  | 'unchanged';

export interface OperationVerdict {
  /** Whether the result is what was expected; false is a failure the DC must handle. */
  readonly ok: boolean;
  /** The rc that counts as success (recorded in the CIB's transition key). */
  readonly expectedRc: OcfRc;
  readonly observed: ObservedState;
}

/** What a verdict needs to know about the request. */
export interface VerdictRequest {
  readonly action: AgentAction;
  readonly intervalMs: number;
  /** For monitors: the role being checked. */
  readonly role?: Role;
}

/** A probe is a monitor with interval 0: it runs before anything is started, to find the state. */
export function isProbe(request: Pick<VerdictRequest, 'action' | 'intervalMs'>): boolean {
  return request.action === 'monitor' && request.intervalMs === 0;
}

/** The rc that means success for this request (Pacemaker records 7 for a probe: "expected stopped"). */
export function expectedRc(request: VerdictRequest): OcfRc {
  if (request.action !== 'monitor') return OcfRc.SUCCESS;
  if (request.intervalMs === 0) return OcfRc.NOT_RUNNING;
  return request.role === 'Promoted' ? OcfRc.RUNNING_PROMOTED : OcfRc.SUCCESS;
}

/** Judges one result. Total: every (request, result) pair has a verdict. */
export function judgeOperation(request: VerdictRequest, result: Pick<OperationResult, 'rc' | 'status'>): OperationVerdict {
  const expected = expectedRc(request);
  if (result.status === 'not-installed') return { ok: false, expectedRc: expected, observed: 'not-installed' };
  if (result.status !== 'done') return { ok: false, expectedRc: expected, observed: 'unknown' };
  const observed = observedState(request.action, result.rc);
  if (isProbe(request)) {
    const ok = result.rc === OcfRc.SUCCESS || result.rc === OcfRc.NOT_RUNNING || result.rc === OcfRc.RUNNING_PROMOTED;
    return { ok, expectedRc: expected, observed };
  }
  if (request.action === 'stop') {
    return { ok: result.rc === OcfRc.SUCCESS || result.rc === OcfRc.NOT_RUNNING, expectedRc: expected, observed };
  }
  return { ok: result.rc === expected, expectedRc: expected, observed };
}

/** The state an rc reveals after `action` ran to completion. */
function observedState(action: AgentAction, rc: OcfRc): ObservedState {
  if (rc === OcfRc.ERR_INSTALLED) return 'not-installed';
  switch (action) {
    case 'monitor':
      if (rc === OcfRc.SUCCESS) return 'started';
      if (rc === OcfRc.RUNNING_PROMOTED) return 'promoted';
      if (rc === OcfRc.NOT_RUNNING) return 'stopped';
      return rc === OcfRc.FAILED_PROMOTED ? 'failed-promoted' : 'failed';
    case 'start':
    case 'migrate_from':
      return rc === OcfRc.SUCCESS ? 'started' : 'failed';
    case 'stop':
      return rc === OcfRc.SUCCESS || rc === OcfRc.NOT_RUNNING ? 'stopped' : 'failed';
    case 'promote':
      return rc === OcfRc.SUCCESS ? 'promoted' : 'failed-promoted';
    case 'demote':
      return rc === OcfRc.SUCCESS ? 'started' : 'failed-promoted';
    case 'notify':
    case 'reload':
    case 'reload-agent':
    case 'migrate_to':
    case 'validate-all':
    case 'meta-data':
      return 'unchanged';
  }
}
