import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_STATE_DIR } from '../../daemon/index.js';
import { EVENT_KINDS, EVENT_LOG_FILE, EventLog, serviceTimeline, type EventKind, type LoggedEvent } from '../../events/index.js';
import { availabilityReport, type ResourceAvailability } from '../../ha/availability/index.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';
import { table } from '../table.js';

const DEFAULT_EVENTS_PATH = join(DEFAULT_STATE_DIR, EVENT_LOG_FILE);
const LIMIT_MAX = 1_000_000;
const RELATIVE = /^(\d+)(m|h|d|w)$/;
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

interface EventsFileOption {
  readonly events: string;
}

/** `--since`: a date or time (`2026-11-01`, `2026-11-01T08:00Z`), or a span back from now (`30d`, `12h`, `2w`). */
export function parseSince(value: string, nowMs: number = Date.now()): number {
  const relative = RELATIVE.exec(value.trim());
  if (relative !== null) return nowMs - Number(relative[1]) * (UNIT_MS[relative[2] as string] as number);
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new InvalidArgumentError(`'${value}' is neither a date (2026-11-01, 2026-11-01T08:00Z) nor a span back from now (30d, 12h, 2w)`);
  return at;
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > LIMIT_MAX) throw new InvalidArgumentError(`expected a whole number from 1 to ${LIMIT_MAX}, got '${value}'`);
  return limit;
}

function parseKind(value: string, previous: EventKind[] | undefined): EventKind[] {
  if (!(EVENT_KINDS as readonly string[]).includes(value)) throw new InvalidArgumentError(`'${value}' is not an event kind: use one of ${EVENT_KINDS.join(', ')}`);
  return [...(previous ?? []), value as EventKind];
}

function openLog(path: string): EventLog {
  const opened = EventLog.openReadOnly(path);
  if (!opened.ok) throw new CommandError(`events-${opened.error.kind}`, opened.error.message, ExitCode.failed);
  return opened.value;
}

const eventsOption = (command: Command): Command => command.option('-f, --events <file>', "the event log (the daemon's state directory holds events.sqlite)", DEFAULT_EVENTS_PATH);

/** `heartline availability`: MTTR, MTTF and availability per resource, from this node's event log. */
export function registerAvailabilityCommand(program: Command, terminal: Terminal): void {
  withJsonOption(
    eventsOption(
      program
        .command('availability')
        .summary('how available each resource was: downtime, outages, MTTR, MTTF, nines')
        .description(
          "Reads this node's event log and reports, per resource, over the window from --since (default: everything the " +
            'log keeps) to now: uptime, downtime, the number of outages, MTTR (mean time to repair = downtime / outages), ' +
            'MTTF (mean time to failure = uptime / outages), availability = MTTF / (MTTF + MTTR), its "nines", and the ' +
            'downtime per year that availability implies (99 % is 3.7 days, 99.9 % 8.8 hours, 99.99 % 53 minutes, ' +
            '99.999 % 5.3 minutes).\n\n' +
            'A resource is up while it runs on a member of the cluster, down while it should run and does not (failed, ' +
            'or its node lost and not yet recovered elsewhere: an outage starts when the node is lost, not when it is ' +
            'fenced), and excluded while an operator disabled it (target-role Stopped) or left it unmanaged: planned ' +
            "downtime does not count. While this node's daemon was stopped it saw nothing, and that time is excluded too. " +
            'Works without a running daemon (it reads the file). The log keeps 400 days or 100,000 events by default ' +
            '(heartline.yaml `events`).',
        )
        .option('--since <when>', 'start of the window: a date (2026-11-01), a time (2026-11-01T08:00Z) or a span back from now (30d, 12h, 2w)', (v) => parseSince(v))
        .option('-r, --resource <id>', 'only this resource (repeatable)', (value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    ),
  )
    .addHelpText('after', '\nExamples:\n  heartline availability\n  heartline availability --since 30d --resource db\n  heartline availability --json | jq \'.resources[] | {resource, availability}\'\n\nJSON: {ok, events, fromMs, toMs, resources: [{resource, uptimeMs, downtimeMs, excludedMs, outages, downNow, mttrMs, mttfMs, availability, nines, downtimePerYearMs}]}\n')
    .action((options: JsonOption & EventsFileOption & { since?: number; resource?: string[] }) => {
      const log = openLog(options.events);
      try {
        const events = log.list();
        const toMs = Date.now();
        const fromMs = options.since ?? events[0]?.atMs ?? toMs;
        const resources = availabilityReport(serviceTimeline(events), fromMs, toMs, options.resource);
        printResult(terminal, options, { ok: true, events: options.events, fromMs, toMs, resources }, () => renderAvailability(resources, fromMs, toMs));
      } finally {
        log.close();
      }
    });
}

/** `heartline events`: the state changes this node recorded. */
export function registerEventsCommand(program: Command, terminal: Terminal): void {
  withJsonOption(
    eventsOption(
      program
        .command('events')
        .summary('list the state changes this node recorded (nodes, links, quorum, resources, fencing)')
        .description(
          "Lists this node's event log, oldest first: daemon start and stop, nodes up and down, links to peers up and " +
            'down, quorum gained and lost, resources up, down and excluded (disabled or unmanaged), fence outcomes. ' +
            'Works without a running daemon.',
        )
        .option('--since <when>', 'only events from then on: a date, a time or a span back from now (30d, 12h)', (v) => parseSince(v))
        .option('-k, --kind <kind>', `only this kind (repeatable): ${EVENT_KINDS.join(', ')}`, parseKind)
        .option('-s, --subject <subject>', 'only events about this node, peer/link, resource or "cluster"')
        .option('-n, --limit <count>', 'only the newest N events', parseLimit, 50),
    ),
  )
    .addHelpText('after', '\nExamples:\n  heartline events\n  heartline events --since 1d --kind node-down --kind fence-ok\n  heartline events --subject db --json\n')
    .action((options: JsonOption & EventsFileOption & { since?: number; kind?: EventKind[]; subject?: string; limit: number }) => {
      const log = openLog(options.events);
      try {
        const events = log.list({ ...(options.since === undefined ? {} : { sinceMs: options.since }), ...(options.kind === undefined ? {} : { kinds: options.kind }), ...(options.subject === undefined ? {} : { subject: options.subject }), limit: options.limit });
        printResult(terminal, options, { ok: true, events: events.map((e) => ({ ...e, at: new Date(e.atMs).toISOString() })) }, () => renderEvents(events));
      } finally {
        log.close();
      }
    });
}

function renderEvents(events: readonly LoggedEvent[]): string {
  if (events.length === 0) return 'no events recorded';
  return table(
    ['TIME', 'EVENT', 'SUBJECT', 'DETAIL'],
    events.map((e) => [new Date(e.atMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'), e.kind, e.subject, [e.node === undefined ? '' : `on ${e.node}`, e.detail === undefined ? '' : Object.entries(e.detail).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')].filter((x) => x !== '').join(' ')]),
  );
}

function renderAvailability(resources: readonly ResourceAvailability[], fromMs: number, toMs: number): string {
  const head = `window ${new Date(fromMs).toISOString()} .. ${new Date(toMs).toISOString()} (${span(toMs - fromMs)})`;
  if (resources.length === 0) return `${head}\nno resource recorded in the event log`;
  return `${head}\n${table(
    ['RESOURCE', 'AVAILABILITY', 'NINES', 'OUTAGES', 'DOWNTIME', 'MTTR', 'MTTF', 'DOWN/YEAR'],
    resources.map((r) => [
      `${r.resource}${r.downNow ? ' (down now)' : ''}`,
      r.availability === null ? 'n/a' : `${(r.availability * 100).toFixed(4)} %`,
      r.availability === null ? 'n/a' : r.nines === null ? '∞' : r.nines.toFixed(2),
      String(r.outages),
      span(r.downtimeMs),
      r.mttrMs === null ? '-' : span(r.mttrMs),
      r.mttfMs === null ? '-' : span(r.mttfMs),
      r.downtimePerYearMs === null ? 'n/a' : span(r.downtimePerYearMs),
    ]),
  )}`;
}

/** A duration for people: 850 ms, 12.3 s, 4 min 5 s, 3 h 20 min, 2 d 4 h. */
export function span(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
  return `${Math.floor(ms / 86_400_000)} d ${Math.round((ms % 86_400_000) / 3_600_000)} h`;
}
