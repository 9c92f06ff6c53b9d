/**
 * ClusterReader: what the SNMP agent knows about the cluster, read the way `heartline` commands
 * read it: `status`, `members` and `links` over the daemon's control socket (a daemon that does
 * not answer is a value, not an error), and the fence history and the event log as read-only
 * SQLite files in the daemon's state folder (both may be missing: a daemon that never started,
 * or that fences by command, has none). The files stay open between polls; a file that appears
 * later is opened then.
 */
import type { ClusterStatusReport } from '../daemon/cluster-status.js';
import { controlRequest } from '../daemon/control-client.js';
import type { ControlCommand } from '../daemon/control-protocol.js';
import { EventLog, type LoggedEvent } from '../events/event-log.js';
import { serviceTimeline } from '../events/service-timeline.js';
import { FenceHistory, type FenceHistoryEntry } from '../fence/fence-history.js';
import { availabilityReport } from '../ha/availability/index.js';
import type { AvailabilityFigures, DaemonReports, LinksReport, MembersReport } from './mib-values.js';

export interface ClusterReaderOptions {
  readonly socketPath: string;
  readonly eventsPath: string;
  readonly fenceHistoryPath: string;
  /** A poll's requests give up after this long (the daemon counts as unreachable). */
  readonly timeoutMs: number;
}

/** Events re-read behind the newest seen: a throttled snapshot may be stamped a little earlier than a row written before it. */
const EVENT_OVERLAP_MS = 60_000;

export class ClusterReader {
  private events: EventLog | undefined;
  private fences: FenceHistory | undefined;
  private lastEventAtMs = 0;
  /** Why the last read of a file failed (said once per change, by the caller). */
  problems: string[] = [];

  constructor(private readonly options: ClusterReaderOptions) {}

  /** The daemon's three reports, or the reason it did not answer. */
  async daemon(): Promise<{ readonly ok: true; readonly reports: DaemonReports } | { readonly ok: false; readonly reason: string }> {
    const ask = async (command: ControlCommand): Promise<{ ok: true; result: unknown } | { ok: false; reason: string }> => {
      const answer = await controlRequest(this.options.socketPath, command, {}, this.options.timeoutMs);
      return answer.ok ? answer : { ok: false, reason: answer.error.message };
    };
    // One after another: the daemon answers them on its main thread anyway.
    const status = await ask('status');
    if (!status.ok) return { ok: false, reason: status.reason };
    const members = await ask('members');
    if (!members.ok) return { ok: false, reason: members.reason };
    const links = await ask('links');
    if (!links.ok) return { ok: false, reason: links.reason };
    return { ok: true, reports: { status: status.result as ClusterStatusReport, members: members.result as MembersReport, links: links.result as LinksReport } };
  }

  /** The whole fence history (empty without a file). */
  fenceHistory(): readonly FenceHistoryEntry[] {
    const history = this.openFences();
    if (history === undefined) return [];
    try {
      return history.list();
    } catch (error) {
      this.forgetFences(`cannot read the fence history ${this.options.fenceHistoryPath}: ${String(error)}`);
      return [];
    }
  }

  /** Every event the log holds, oldest first (empty without a file). */
  allEvents(): LoggedEvent[] {
    const log = this.openEvents();
    if (log === undefined) return [];
    try {
      const events = log.list();
      this.lastEventAtMs = Math.max(this.lastEventAtMs, ...events.map((e) => e.atMs));
      return events;
    } catch (error) {
      this.forgetEvents(`cannot read the event log ${this.options.eventsPath}: ${String(error)}`);
      return [];
    }
  }

  /** Events from a little before the newest seen on (the caller drops those it had by sequence). */
  recentEvents(): LoggedEvent[] {
    const log = this.openEvents();
    if (log === undefined) return [];
    try {
      const events = log.list({ sinceMs: this.lastEventAtMs - EVENT_OVERLAP_MS });
      this.lastEventAtMs = Math.max(this.lastEventAtMs, ...events.map((e) => e.atMs));
      return events;
    } catch (error) {
      this.forgetEvents(`cannot read the event log ${this.options.eventsPath}: ${String(error)}`);
      return [];
    }
  }

  /** Availability per resource over everything the log keeps, up to `nowMs` (as `heartline availability`). */
  availability(events: readonly LoggedEvent[], nowMs: number): AvailabilityFigures {
    const fromMs = events[0]?.atMs ?? nowMs;
    return { fromMs, toMs: nowMs, resources: availabilityReport(serviceTimeline(events), fromMs, nowMs) };
  }

  close(): void {
    this.events?.close();
    this.fences?.close();
    this.events = undefined;
    this.fences = undefined;
  }

  private openEvents(): EventLog | undefined {
    if (this.events !== undefined) return this.events;
    const opened = EventLog.openReadOnly(this.options.eventsPath);
    if (!opened.ok) {
      this.problems.push(opened.error.message);
      return undefined;
    }
    this.events = opened.value;
    return this.events;
  }

  private openFences(): FenceHistory | undefined {
    if (this.fences !== undefined) return this.fences;
    const opened = FenceHistory.openReadOnly(this.options.fenceHistoryPath);
    if (!opened.ok) {
      // No file is the normal case of command fencing: nothing to say.
      if (opened.error.kind !== 'unreadable' || !opened.error.message.startsWith('there is no')) this.problems.push(opened.error.message);
      return undefined;
    }
    this.fences = opened.value;
    return this.fences;
  }

  private forgetEvents(problem: string): void {
    this.problems.push(problem);
    this.events?.close();
    this.events = undefined;
  }

  private forgetFences(problem: string): void {
    this.problems.push(problem);
    this.fences?.close();
    this.fences = undefined;
  }
}
