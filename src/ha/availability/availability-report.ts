/**
 * The availability report (`heartline availability`): per resource, from the timeline of its
 * service states, how long it was down, how often, and what that makes of its availability.
 *
 * Definitions (the ones operators quote in service levels):
 * - a resource is `up` while it runs on a member of the cluster, `down` while it should run and
 *   does not (failed, stopped by a fault, or its node lost and not yet recovered elsewhere), and
 *   `excluded` while an operator stopped it (target-role Stopped, unmanaged) or it was not
 *   configured: planned downtime is not counted against availability, as in most SLAs;
 * - an outage is one maximal stretch of `down`; one still going at the end of the window counts,
 *   up to the end;
 * - MTTR = downtime / outages; MTTF = uptime / outages (the mean time the service ran before each
 *   failure); availability = MTTF / (MTTF + MTTR) = uptime / (uptime + downtime);
 * - "nines" = -log10(1 - availability), and the downtime per year that availability implies.
 *
 * Pure: the caller passes the timeline and the window.
 */

export type ServiceState = 'up' | 'down' | 'excluded';

/** One change of a resource's service state, at wall-clock ms. */
export interface ServiceStateChange {
  readonly atMs: number;
  readonly resource: string;
  readonly state: ServiceState;
}

export interface ResourceAvailability {
  readonly resource: string;
  /** The window covered, ms since the epoch: [fromMs, toMs]. */
  readonly fromMs: number;
  readonly toMs: number;
  readonly uptimeMs: number;
  readonly downtimeMs: number;
  /** Time excluded from the figures (planned: disabled, unmanaged, not configured; or before the first record). */
  readonly excludedMs: number;
  readonly outages: number;
  /** True when the resource is down at the end of the window (the last outage is still going). */
  readonly downNow: boolean;
  /** null when there was no outage (no repair to average). */
  readonly mttrMs: number | null;
  /** null when there was no outage (no failure to average over). */
  readonly mttfMs: number | null;
  /** uptime / (uptime + downtime); null when the resource never ran nor was due in the window. */
  readonly availability: number | null;
  /** -log10(1 - availability), rounded to 0.01; null when availability is null or 1. */
  readonly nines: number | null;
  /** What (1 - availability) comes to over a year of 365.25 days, in ms; null with availability. */
  readonly downtimePerYearMs: number | null;
}

const YEAR_MS = 365.25 * 24 * 3600 * 1000;

/**
 * The report of every resource that appears in `changes`, over [fromMs, toMs]. `changes` may hold
 * changes before `fromMs` (they give the state at the start) and in any order; a resource's state
 * before its first change is `excluded` (not known: nothing is claimed). Changes after `toMs` are
 * ignored. `resources` limits the report to those ids (and reports them even without changes).
 */
export function availabilityReport(changes: readonly ServiceStateChange[], fromMs: number, toMs: number, resources?: readonly string[]): ResourceAvailability[] {
  const byResource = new Map<string, ServiceStateChange[]>();
  for (const id of resources ?? []) byResource.set(id, []);
  for (const change of changes) {
    if (resources !== undefined && !byResource.has(change.resource)) continue;
    let list = byResource.get(change.resource);
    if (list === undefined) {
      list = [];
      byResource.set(change.resource, list);
    }
    list.push(change);
  }
  return [...byResource.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([resource, list]) => resourceAvailability(resource, list, fromMs, toMs));
}

function resourceAvailability(resource: string, changes: ServiceStateChange[], fromMs: number, toMs: number): ResourceAvailability {
  const ordered = [...changes].sort((a, b) => a.atMs - b.atMs);
  let state: ServiceState = 'excluded';
  let i = 0;
  for (; i < ordered.length && (ordered[i] as ServiceStateChange).atMs <= fromMs; i++) state = (ordered[i] as ServiceStateChange).state;
  const spent: Record<ServiceState, number> = { up: 0, down: 0, excluded: 0 };
  let outages = state === 'down' ? 1 : 0;
  let at = fromMs;
  for (; i < ordered.length; i++) {
    const change = ordered[i] as ServiceStateChange;
    if (change.atMs > toMs) break;
    spent[state] += change.atMs - at;
    at = change.atMs;
    if (change.state === 'down' && state !== 'down') outages++;
    state = change.state;
  }
  spent[state] += Math.max(0, toMs - at);
  const due = spent.up + spent.down;
  const availability = due === 0 ? null : spent.up / due;
  return {
    resource,
    fromMs,
    toMs,
    uptimeMs: spent.up,
    downtimeMs: spent.down,
    excludedMs: spent.excluded,
    outages,
    downNow: state === 'down',
    mttrMs: outages === 0 ? null : spent.down / outages,
    mttfMs: outages === 0 ? null : spent.up / outages,
    availability,
    nines: availability === null || availability >= 1 ? null : Math.round(-Math.log10(1 - availability) * 100) / 100,
    downtimePerYearMs: availability === null ? null : (1 - availability) * YEAR_MS,
  };
}
