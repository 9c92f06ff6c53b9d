// Daemon reports as the control socket returns them, with only the fields src/snmp reads filled
// in (the rest of each report is irrelevant to the mapping).
import type { ClusterStatusReport } from '../../../src/daemon/cluster-status.js';
import type { FenceHistoryEntry } from '../../../src/fence/fence-history.js';
import type { ClusterLayout, DaemonReports, LinksReport, MembersReport } from '../../../src/snmp/mib-values.js';

export const layout: ClusterLayout = {
  clusterName: 'shop',
  clusterId: 7,
  localNodeName: 'alpha',
  nodes: [
    { id: 2, name: 'beta' },
    { id: 1, name: 'alpha' },
  ],
  links: [
    { name: 'lan', kind: 'udp-unicast' },
    { name: 'serial0', kind: 'serial' },
  ],
};

export interface ReportShape {
  readonly dc?: string | null;
  readonly quorate?: boolean;
  readonly nodes?: Readonly<Record<string, string>>;
  readonly members?: readonly string[];
  readonly resources?: readonly { id: string; agent?: string | null; state: string; active: { node: string; role: string; failed: boolean }[]; managed?: boolean }[];
  readonly failCounts?: readonly { node: string; resource: string; operation: string; count: string }[];
  readonly failedOperations?: readonly { node: string; resource: string; operation: string; interval: number; rc: number; opStatus: number; exitReason: string | null; lastRcChange: number | null }[];
  readonly links?: readonly { peer: number; peerName: string; link: string; state: 'up' | 'down' | 'unknown'; lastHeardAgoMs: number | null; lossPercent: number; rttMs: number | null }[];
  readonly cib?: string;
  readonly viewId?: string;
}

export function reports(shape: ReportShape = {}): DaemonReports {
  const dc = shape.dc === undefined ? 'alpha' : shape.dc;
  const nodeStates = shape.nodes ?? { alpha: 'online', beta: 'online' };
  const members = shape.members ?? ['alpha', 'beta'];
  const id = (name: string): number => layout.nodes.find((n) => n.name === name)?.id ?? 0;
  const status = {
    cluster: { name: layout.clusterName, id: layout.clusterId },
    self: { id: 1, name: 'alpha' },
    dc: dc === null ? null : { id: id(dc), name: dc },
    quorum: { quorate: shape.quorate ?? true, votes: members.length, expectedVotes: 2, needed: 1 },
    cib: { version: shape.cib ?? '0.12.4', authoritative: true },
    nodes: Object.entries(nodeStates).map(([name, state]) => ({ id: id(name), name, state, dc: name === dc, inView: members.includes(name) })),
    resources: (shape.resources ?? []).map((r) => ({ agent: null, managed: true, ...r })),
    failures: { failCounts: shape.failCounts ?? [], failedOperations: shape.failedOperations ?? [] },
  } as unknown as ClusterStatusReport;
  const membersReport = {
    view: dc === null ? null : { id: shape.viewId ?? '5.1.3', members: members.map((name) => ({ id: id(name), name, incarnation: 3 })), dc: { id: id(dc), name: dc } },
    nodes: [
      { id: 1, name: 'alpha', incarnation: 3 },
      { id: 2, name: 'beta', incarnation: 9 },
    ],
  } as unknown as MembersReport;
  const linksReport = { peers: shape.links ?? [{ peer: 2, peerName: 'beta', link: 'lan', state: 'up', lastHeardAgoMs: 120.4, lossPercent: 1.5625, rttMs: 0.25 }] } as unknown as LinksReport;
  return { status, members: membersReport, links: linksReport };
}

export function fence(sequence: number, overrides: Partial<FenceHistoryEntry> = {}): FenceHistoryEntry {
  return {
    sequence,
    target: 'beta',
    action: 'off',
    devices: ['bmc-beta'],
    level: 1,
    reason: 'beta was lost',
    requester: 'alpha',
    startedAtMs: Date.UTC(2026, 10, 28, 12, 0, 0),
    endedAtMs: Date.UTC(2026, 10, 28, 12, 0, 2, 500),
    ok: true,
    poweredOff: true,
    attempts: [],
    ...overrides,
  };
}
