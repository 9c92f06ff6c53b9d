/**
 * From what the daemon reports (`status`, `members`, `links` over its control socket), the fence
 * history file and the availability report to HEARTLINE-MIB's values: every served scalar, and
 * every table's rows in net-snmp's row order (foreign index values first, then every column of
 * the table, index columns included). Pure: the caller reads the sources and passes the time.
 *
 * While the daemon is unreachable (`daemon` undefined) the agent still answers: names come from
 * heartline.yaml, this node is offline, links are unknown, resources keep their last known rows
 * with role unknown (docs/SNMP.md, hlClusterDaemonReachable).
 */
import type { ClusterStatusReport } from '../daemon/cluster-status.js';
import type { linksReport, membersReport } from '../daemon/daemon.js';
import type { FenceHistoryEntry } from '../fence/fence-history.js';
import type { ResourceAvailability } from '../ha/availability/index.js';
import { FENCE_ACTION, FENCE_RESULT, LINK_KIND, LINK_STATE, NODE_STATE, RESOURCE_ROLE, TRUTH, UNSIGNED_MAX, encodeIndex, type TableName } from './heartline-mib.js';

export type MembersReport = ReturnType<typeof membersReport>;
export type LinksReport = ReturnType<typeof linksReport>;

export type MibValue = string | number | Buffer;

export interface MibRow {
  /** The index values, in INDEX order (what net-snmp's deleteTableRow and setTableSingleCell take). */
  readonly index: readonly (string | number)[];
  /** The row as net-snmp's addTableRow takes it. */
  readonly values: readonly MibValue[];
}

export interface MibSnapshot {
  readonly scalars: Readonly<Record<string, MibValue>>;
  readonly tables: Readonly<Record<TableName, readonly MibRow[]>>;
}

/** What heartline.yaml says (the agent reads it; the daemon need not be running). */
export interface ClusterLayout {
  readonly clusterName: string;
  readonly clusterId: number;
  readonly localNodeName: string;
  readonly nodes: readonly { readonly id: number; readonly name: string }[];
  readonly links: readonly { readonly name: string; readonly kind: keyof typeof LINK_KIND }[];
}

export interface DaemonReports {
  readonly status: ClusterStatusReport;
  readonly members: MembersReport;
  readonly links: LinksReport;
}

export interface AvailabilityFigures {
  readonly fromMs: number;
  readonly toMs: number;
  readonly resources: readonly ResourceAvailability[];
}

export interface MibInputs {
  readonly layout: ClusterLayout;
  /** The daemon's reports now; undefined while it does not answer. */
  readonly daemon: DaemonReports | undefined;
  /** The last reports it gave, for the rows that outlive a daemon restart (resources). */
  readonly lastDaemon?: DaemonReports;
  /** The fence history, any order. */
  readonly fences: readonly FenceHistoryEntry[];
  readonly availability: AvailabilityFigures;
}

const DISPLAY_MAX = 255;
const FAIL_COUNT_INFINITY = 1_000_000;
const PRINTABLE_INDEX = /^[\x20-\x7e]{1,64}$/;

/** Text cut to a DisplayString's size (255 unless the MIB says less). */
export function display(text: string, max = DISPLAY_MAX): string {
  // DisplayString is NVT ASCII: anything else becomes '?', so a manager never sees broken bytes.
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= max ? ascii : `${ascii.slice(0, max - 3)}...`;
}

/** A whole number within Unsigned32/Gauge32. */
export function unsigned(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return Math.min(UNSIGNED_MAX, Math.round(value));
}

/** SNMPv2-TC DateAndTime, 11 octets in UTC (direction '+', offset 0:00). */
export function dateAndTime(ms: number): Buffer {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  return Buffer.from([year >> 8, year & 0xff, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), Math.floor(d.getUTCMilliseconds() / 100), 0x2b, 0, 0]);
}

const truth = (value: boolean): number => (value ? TRUTH.true : TRUTH.false);

/** The whole MIB's values for `inputs`. */
export function mibSnapshot(inputs: MibInputs): MibSnapshot {
  return {
    scalars: { ...clusterScalars(inputs), ...availabilityScalars(inputs.availability) },
    tables: {
      hlNodeTable: nodeRows(inputs),
      hlLinkTable: linkRows(inputs),
      hlResourceTable: resourceRows(inputs),
      hlFenceTable: fenceRows(inputs.fences),
      hlAvailabilityTable: availabilityRows(inputs.availability),
    },
  };
}

function clusterScalars({ layout, daemon, lastDaemon }: MibInputs): Record<string, MibValue> {
  const status = daemon?.status;
  const view = daemon?.members.view ?? null;
  const cibVersion = (status ?? lastDaemon?.status)?.cib.version ?? '0.0.0';
  return {
    hlClusterName: display(layout.clusterName, 253),
    hlClusterId: unsigned(layout.clusterId),
    hlClusterLocalNodeName: display(layout.localNodeName, 253),
    hlClusterDcName: display(view === null ? '' : (status?.dc?.name ?? view.dc.name), 253),
    hlClusterQuorate: truth(status?.quorum.quorate ?? false),
    hlClusterViewSequence: view === null ? 0 : unsigned(Number(view.id.split('.')[0])),
    hlClusterViewId: display(view?.id ?? '', 64),
    hlClusterCibVersion: display(cibVersion, 40),
    hlClusterCibEpoch: unsigned(Number(cibVersion.split('.')[1] ?? 0)),
    hlClusterNodesConfigured: layout.nodes.length,
    hlClusterNodesOnline: view?.members.length ?? 0,
    hlClusterDaemonReachable: truth(daemon !== undefined),
  };
}

function nodeRows({ layout, daemon }: MibInputs): MibRow[] {
  return [...layout.nodes]
    .sort((a, b) => a.id - b.id)
    .map((node) => {
      const reported = daemon?.status.nodes.find((n) => n.name === node.name);
      // Without the daemon nothing is known of any node: offline, as `heartline status` would say of an unseen node.
      const state = daemon === undefined ? 'offline' : (reported?.state ?? 'offline');
      const incarnation = daemon?.members.nodes.find((n) => n.name === node.name)?.incarnation ?? 0;
      return { index: [node.id], values: [node.id, display(node.name, 253), NODE_STATE[state], truth(reported?.dc ?? false), unsigned(incarnation)] };
    });
}

function linkRows({ layout, daemon, lastDaemon }: MibInputs): MibRow[] {
  const nodeId = new Map(layout.nodes.map((n) => [n.name, n.id]));
  const linkIndex = new Map(layout.links.map((l, i) => [l.name, i + 1]));
  const source = daemon?.links ?? lastDaemon?.links;
  const rows: MibRow[] = [];
  if (source !== undefined) {
    for (const row of source.peers) {
      const peerId = nodeId.get(row.peerName) ?? row.peer;
      const index = linkIndex.get(row.link);
      if (index === undefined) continue;
      const kind = LINK_KIND[layout.links[index - 1]?.kind ?? 'udp-unicast'];
      const live = daemon !== undefined;
      rows.push({
        index: [peerId, index],
        values: [
          peerId,
          index,
          display(row.link, 32),
          display(row.peerName, 253),
          kind,
          live ? LINK_STATE[row.state] : LINK_STATE.unknown,
          live ? unsigned(row.lossPercent * 10_000) : 0,
          live && row.rttMs !== null ? unsigned(row.rttMs * 1000) : 0,
          live && row.lastHeardAgoMs !== null ? unsigned(row.lastHeardAgoMs) : UNSIGNED_MAX,
        ],
      });
    }
  } else {
    // Never reached the daemon: one row per peer and link, as heartline.yaml lays them out.
    for (const peer of layout.nodes.filter((n) => n.name !== layout.localNodeName)) {
      layout.links.forEach((link, i) => rows.push({ index: [peer.id, i + 1], values: [peer.id, i + 1, display(link.name, 32), display(peer.name, 253), LINK_KIND[link.kind], LINK_STATE.unknown, 0, 0, UNSIGNED_MAX] }));
    }
  }
  return rows.sort((a, b) => compareIndex(a.index, b.index));
}

type StatusResource = ClusterStatusReport['resources'][number];

function resourceRole(resource: StatusResource): number {
  if (resource.state === 'stopped') return RESOURCE_ROLE.stopped;
  if (resource.state === 'multiply-active') return RESOURCE_ROLE.multiplyActive;
  if (resource.state === 'failed') return RESOURCE_ROLE.failed;
  const role = resource.active[0]?.role;
  if (role === 'Promoted') return RESOURCE_ROLE.promoted;
  if (role === 'Unpromoted') return RESOURCE_ROLE.unpromoted;
  return RESOURCE_ROLE.started;
}

/** The resource's fail count summed over nodes and operations; INFINITY is 1000000 (and caps the sum). */
export function failCountOf(status: ClusterStatusReport, resource: string): number {
  const base = resource.replace(/:\d+$/, '');
  let sum = 0;
  for (const entry of status.failures.failCounts) {
    if (entry.resource !== resource && entry.resource !== base) continue;
    const count = entry.count.toUpperCase().endsWith('INFINITY') ? FAIL_COUNT_INFINITY : Number(entry.count);
    if (Number.isFinite(count) && count > 0) sum += count;
  }
  return Math.min(sum, FAIL_COUNT_INFINITY);
}

function resourceRows({ daemon, lastDaemon }: MibInputs): MibRow[] {
  const status = daemon?.status ?? lastDaemon?.status;
  if (status === undefined) return [];
  return status.resources
    .filter((r) => PRINTABLE_INDEX.test(r.id))
    .map((r) => {
      const live = daemon !== undefined;
      const nodes = r.active.map((a) => a.node).join(' ');
      return { index: [r.id], values: [r.id, display(r.agent ?? '', 128), live ? resourceRole(r) : RESOURCE_ROLE.unknown, live ? display(nodes, 253) : '', failCountOf(status, r.id), truth(r.managed)] };
    })
    .sort((a, b) => compareIndex(a.index, b.index));
}

function fenceRows(fences: readonly FenceHistoryEntry[]): MibRow[] {
  return [...fences]
    .filter((f) => f.sequence >= 1 && f.sequence <= UNSIGNED_MAX)
    .sort((a, b) => a.sequence - b.sequence)
    .map((f) => {
      const confirmed = f.devices.length === 0 && (f.note ?? '').startsWith('confirmed by');
      const result = confirmed ? FENCE_RESULT.confirmedByOperator : f.ok ? FENCE_RESULT.success : FENCE_RESULT.failed;
      const reason = f.failureReason === undefined ? f.reason : `${f.reason}; failed: ${f.failureReason}`;
      return {
        index: [f.sequence],
        values: [f.sequence, display(f.target, 253), display(confirmed ? 'operator' : f.devices.join(' ')), FENCE_ACTION[f.action], result, dateAndTime(f.endedAtMs), unsigned(f.endedAtMs - f.startedAtMs), display(f.requester), display(reason)],
      };
    });
}

/** Availability in parts per million; null (never due) stays null. */
export function ppmOf(availability: number | null): number | null {
  return availability === null ? null : Math.max(0, Math.min(1_000_000, Math.floor(availability * 1_000_000)));
}

/** "99.987 % (3.9 nines, 1.1 h downtime per year)", as short as hlAvailabilityText allows. */
export function availabilityText(r: ResourceAvailability): string {
  if (r.availability === null) return 'n/a (never due in the period)';
  if (r.availability >= 1) return '100.000 % (no downtime)';
  const nines = r.nines === null ? '' : `${r.nines.toFixed(1)} nines, `;
  return `${(Math.floor(r.availability * 100_000) / 1000).toFixed(3)} % (${nines}${span(r.downtimePerYearMs ?? 0)} downtime per year)`;
}

/** A duration for people, one unit: 850 ms, 12 s, 4.2 min, 1.1 h, 3.7 d. */
function span(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

function availabilityScalars(figures: AvailabilityFigures): Record<string, MibValue> {
  const ppms = figures.resources.map((r) => ppmOf(r.availability)).filter((p): p is number => p !== null);
  return {
    hlAvailabilityWindowStart: dateAndTime(figures.fromMs),
    hlAvailabilityWindowSeconds: unsigned((figures.toMs - figures.fromMs) / 1000),
    hlAvailabilityLowestPpm: ppms.length === 0 ? 1_000_000 : Math.min(...ppms),
    hlAvailabilityOutages: unsigned(figures.resources.reduce((sum, r) => sum + r.outages, 0)),
  };
}

function availabilityRows(figures: AvailabilityFigures): MibRow[] {
  return figures.resources
    .filter((r) => PRINTABLE_INDEX.test(r.resource))
    .map((r) => ({
      index: [r.resource],
      values: [r.resource, unsigned(r.downtimeMs / 1000), unsigned(r.outages), unsigned(r.mttrMs ?? 0), unsigned((r.mttfMs ?? r.uptimeMs) / 1000), ppmOf(r.availability) ?? 0, display(availabilityText(r), 64)],
    }))
    .sort((a, b) => compareIndex(a.index, b.index));
}

/** SNMP's order of rows: by index sub-identifiers (a string index: its length first). */
export function compareIndex(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  const ea = encodeIndex(a);
  const eb = encodeIndex(b);
  for (let i = 0; i < Math.min(ea.length, eb.length); i++) if (ea[i] !== eb[i]) return (ea[i] as number) - (eb[i] as number);
  return ea.length - eb.length;
}
