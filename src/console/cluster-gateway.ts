/**
 * Everything the console asks of the cluster, through the same code the `heartline` commands use:
 * the control-socket client and requests of status, links, cib-query, cib-change and fence
 * (src/cli/commands/*, src/daemon/control-protocol.ts), and the event log and availability
 * report that `heartline events` and `heartline availability` read (src/events,
 * src/ha/availability). Every answer is a value: what the daemon or the file said, or an error in
 * words with `daemonDown` set when no daemon answered, so a screen can offer to start it. Nothing
 * here throws.
 */
import { join } from 'node:path';
import type { CibChange, Configuration } from '../ha/cib/index.js';
import type { ClusterStatusReport, linksReport } from '../daemon/index.js';
import { EVENT_LOG_FILE, EventLog, serviceTimeline, type LoggedEvent } from '../events/index.js';
import { availabilityReport, type ResourceAvailability } from '../ha/availability/index.js';
import { CommandError, ExitCode } from '../cli/output.js';
import { currentUser, queryCib, submitChange } from '../cli/commands/cib-client.js';
import { askDaemon } from '../cli/commands/daemon-client.js';
import { askFence, FENCE_TIMEOUT_MS } from '../cli/commands/fence.js';

export type LinksReport = ReturnType<typeof linksReport>;

export type Answer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly daemonDown: boolean; readonly message: string; readonly hint?: string };

export interface AvailabilityFigures {
  readonly fromMs: number;
  readonly toMs: number;
  readonly events: number;
  readonly resources: readonly ResourceAvailability[];
}

/** Every console change says where it came from in the configuration history. */
const DESCRIPTION_PREFIX = 'console: ';

export class ClusterGateway {
  constructor(private readonly options: { readonly socket: string; readonly stateDir: string }) {}

  get socket(): string {
    return this.options.socket;
  }

  get eventsFile(): string {
    return join(this.options.stateDir, EVENT_LOG_FILE);
  }

  status(): Promise<Answer<ClusterStatusReport>> {
    return attempt(async () => (await askDaemon(this.options.socket, 'status')) as ClusterStatusReport);
  }

  links(): Promise<Answer<LinksReport>> {
    return attempt(async () => (await askDaemon(this.options.socket, 'links')) as LinksReport);
  }

  configuration(): Promise<Answer<Configuration>> {
    return attempt(async () => (await queryCib(this.options.socket)).cib.configuration);
  }

  /** Sends one change to the DC; the answer is the CIB version after it. */
  change(change: CibChange, description: string): Promise<Answer<string>> {
    return attempt(() => submitChange(this.options.socket, change, `${DESCRIPTION_PREFIX}${description}`));
  }

  /** Fences `target` (power off) through this node's fencing, as `heartline fence NODE --yes`. */
  fence(target: string): Promise<Answer<Record<string, unknown>>> {
    return attempt(() => askFence(this.options.socket, 'fence', { target, action: 'off', user: currentUser() }, FENCE_TIMEOUT_MS));
  }

  /** The newest `limit` events of this node's event log, oldest first. */
  events(limit: number): Answer<readonly LoggedEvent[]> {
    return this.withLog((log) => log.list({ limit }));
  }

  /** `heartline availability` over everything the log keeps. */
  availability(nowMs: number): Answer<AvailabilityFigures> {
    return this.withLog((log) => {
      const events = log.list();
      const fromMs = events[0]?.atMs ?? nowMs;
      return { fromMs, toMs: nowMs, events: events.length, resources: availabilityReport(serviceTimeline(events), fromMs, nowMs) };
    });
  }

  private withLog<T>(read: (log: EventLog) => T): Answer<T> {
    const opened = EventLog.openReadOnly(this.eventsFile);
    if (!opened.ok) return { ok: false, daemonDown: false, message: opened.error.message };
    try {
      return { ok: true, value: read(opened.value) };
    } catch (error) {
      return failure(error);
    } finally {
      opened.value.close();
    }
  }
}

async function attempt<T>(ask: () => Promise<T>): Promise<Answer<T>> {
  try {
    return { ok: true, value: await ask() };
  } catch (error) {
    return failure(error);
  }
}

function failure(error: unknown): { readonly ok: false; readonly daemonDown: boolean; readonly message: string; readonly hint?: string } {
  if (error instanceof CommandError) return { ok: false, daemonDown: error.exitCode === ExitCode.unreachable, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  return { ok: false, daemonDown: false, message: error instanceof Error ? error.message : String(error) };
}
