/**
 * Recurring monitors: which ones run in which role, and which results are worth reporting. Pure;
 * the LRM applies the plan with its Clock.
 *
 * Like Pacemaker's executor, a recurring monitor reports its first result and then only changes
 * (of rc or status). A monitor that keeps failing the same way is reported once: every report is a
 * failure the DC counts toward migration-threshold, so repeating it each interval would inflate the
 * fail count while the recovery it asked for is still under way.
 */
import type { Role } from '../cib/index.js';
import type { AgentAction, MonitorSpec, OperationResult } from './operation.js';
import type { OperationVerdict } from './operation-verdict.js';

/**
 * The role a resource is in after a *successful* `action`, or undefined when the action does not
 * change the role (or failed: then the armed monitors stay as they were, and the DC decides).
 */
export function roleAfter(action: AgentAction, verdict: OperationVerdict): Role | undefined {
  if (!verdict.ok) return undefined;
  switch (action) {
    case 'start':
    case 'migrate_from':
      return 'Started';
    case 'promote':
      return 'Promoted';
    case 'demote':
      return 'Unpromoted';
    case 'stop':
      return 'Stopped';
    case 'monitor':
    case 'notify':
    case 'reload':
    case 'reload-agent':
    case 'migrate_to':
    case 'validate-all':
    case 'meta-data':
      return undefined;
  }
}

/**
 * The configured monitors that run while the resource is in `role`: none when stopped, the
 * Promoted-role ones when promoted, every other one (no role, Started, Unpromoted) when running
 * unpromoted.
 */
export function monitorsInRole(role: Role, monitors: readonly MonitorSpec[]): MonitorSpec[] {
  switch (role) {
    case 'Stopped':
      return [];
    case 'Promoted':
      return monitors.filter((m) => m.role === 'Promoted' && m.intervalMs > 0);
    case 'Started':
    case 'Unpromoted':
      return monitors.filter((m) => m.role !== 'Promoted' && m.role !== 'Stopped' && m.intervalMs > 0);
  }
}

/** The last result a recurring operation reported, as far as "did it change" is concerned. */
export interface ReportedOutcome {
  readonly rc: number;
  readonly status: string;
}

/** Whether a recurring operation's new result is reported: its first, and then every change. */
export function shouldReportRecurring(last: ReportedOutcome | undefined, result: Pick<OperationResult, 'rc' | 'status'>): boolean {
  return last === undefined || last.rc !== result.rc || last.status !== result.status;
}
