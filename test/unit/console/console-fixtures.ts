/**
 * Data for the console's screen tests: status and links reports shaped as the daemon sends them,
 * a configuration with primitives, a group and a clone, and generated large ones (many nodes,
 * resources, failures, long names) for the 80x24 checks.
 */
import type { ClusterStatusReport } from '../../../src/daemon/index.js';
import type { LinksReport } from '../../../src/console/index.js';
import type { Configuration, Primitive, Resource } from '../../../src/ha/cib/index.js';
import type { LoggedEvent } from '../../../src/events/index.js';

type Node = ClusterStatusReport['nodes'][number];
type ResourceRow = ClusterStatusReport['resources'][number];

export function node(name: string, state: Node['state'], extra: Partial<Node> = {}): Node {
  return { id: null, name, state, standby: state === 'standby', maintenance: false, dc: false, inView: state !== 'offline', ...extra };
}

export function row(id: string, active: readonly { node: string; role?: string; failed?: boolean }[], extra: Partial<ResourceRow> = {}): ResourceRow {
  return {
    id,
    agent: 'ocf:heartbeat:Dummy',
    state: active.length === 0 ? 'stopped' : active.length > 1 ? 'multiply-active' : active.some((a) => a.failed === true) ? 'failed' : 'started',
    active: active.map((a) => ({ node: a.node, role: a.role ?? 'Started', failed: a.failed ?? false })),
    managed: true,
    next: null,
    nextRole: 'Started',
    targetRole: null,
    ...extra,
  } as ResourceRow;
}

export function report(nodes: readonly Node[], resources: readonly ResourceRow[], extra: Partial<ClusterStatusReport> = {}): ClusterStatusReport {
  const self = nodes[0]?.name ?? 'a';
  return {
    cluster: { name: 'web', id: 7 },
    self: { id: 1, name: self },
    dc: { id: 1, name: self },
    quorum: { quorate: true, votes: nodes.length, expectedVotes: nodes.length, needed: 1 },
    cib: { version: '0.12.40', authoritative: true, lastWritten: null, updateOrigin: null, updateUser: null, updateClient: null },
    fencing: { configured: true, method: 'command /usr/sbin/fence-node', stonithEnabled: true, inProgress: [], recent: [], deviceProblems: [] },
    nodes: [...nodes],
    resources: [...resources],
    failures: { failCounts: [], failedOperations: [] },
    lastTransition: null,
    problems: [],
    ...extra,
  } as ClusterStatusReport;
}

export function primitive(id: string): Primitive {
  return { kind: 'primitive', id, class: 'ocf', provider: 'heartbeat', type: 'Dummy', instanceAttributes: [], metaAttributes: [], operations: { ops: [] } } as unknown as Primitive;
}

export function configuration(resources: readonly Resource[]): Configuration {
  return { resources: [...resources], constraints: [] } as unknown as Configuration;
}

export function group(id: string, members: readonly string[]): Resource {
  return { kind: 'group', id, instanceAttributes: [], metaAttributes: [], members: members.map(primitive) } as unknown as Resource;
}

export function clone(id: string, child: string): Resource {
  return { kind: 'clone', id, legacyMaster: false, instanceAttributes: [], metaAttributes: [], child: primitive(child) } as unknown as Resource;
}

export function links(peers: readonly string[], linkNames: readonly string[]): LinksReport {
  return {
    peers: peers.flatMap((peer, p) => linkNames.map((link, l) => ({ peer: p + 2, peerName: peer, link, state: l % 3 === 2 ? 'down' : 'up', lastHeardAgoMs: l % 3 === 2 ? null : 80 + l, lossPercent: l * 1.5, rttMs: l % 3 === 2 ? null : 0.4 }))),
    local: linkNames.map((name, l) => ({ name, kind: 'udp-unicast', state: l % 3 === 2 ? { state: 'down', reason: 'the interface has no carrier' } : { state: 'up' }, openError: null })),
    frames: { accepted: 123456, delivered: 654, dropped: { 'bad-tag': 3, replay: 0 }, undecodable: 0 },
    membershipDropped: {},
  } as unknown as LinksReport;
}

/** A big cluster: 16 nodes with long names, 60 resources, failures on many, every state. */
export function bigReport(): ClusterStatusReport {
  const states: Node['state'][] = ['online', 'standby', 'maintenance', 'shutting-down', 'pending', 'offline', 'unclean'];
  const nodes = Array.from({ length: 16 }, (_, i) => node(`node-with-a-rather-long-name-${i}`, states[i % states.length] as Node['state'], { dc: i === 0 }));
  const resources = Array.from({ length: 60 }, (_, i) => row(`resource-${'x'.repeat(i % 30)}-${i}`, i % 4 === 0 ? [] : i % 7 === 0 ? [{ node: nodes[1]?.name ?? '' }, { node: nodes[2]?.name ?? '' }] : [{ node: nodes[i % 16]?.name ?? '', failed: i % 5 === 0 }]));
  return report(nodes, resources, {
    quorum: { quorate: false, votes: 7, expectedVotes: 16, needed: 9, reason: 'only 7 of 16 votes are present; 9 are needed for quorum, which a long reason explains at length' },
    failures: {
      failCounts: Array.from({ length: 25 }, (_, i) => ({ node: nodes[i % 16]?.name ?? '', resource: `resource-${i}`, operation: 'monitor_10000', count: 'INFINITY' })),
      failedOperations: Array.from({ length: 25 }, (_, i) => ({ node: nodes[i % 16]?.name ?? '', resource: `resource-${i}`, operation: 'monitor', interval: 10_000, rc: 7, opStatus: 0, exitReason: 'the service answered nothing for a very long time and then gave up entirely', lastRcChange: 1_790_000_000 })),
    },
  });
}

export function events(count: number): LoggedEvent[] {
  const kinds = ['node-down', 'link-up', 'resource-up', 'fence-ok', 'quorum-lost'] as const;
  return Array.from({ length: count }, (_, i) => ({ sequence: i + 1, atMs: 1_790_000_000_000 + i * 1000, kind: kinds[i % kinds.length] as LoggedEvent['kind'], subject: i % 2 === 0 ? `node-with-a-long-name-${i}/link-${i}` : `resource-${i}`, node: 'node-with-a-long-name', detail: { reason: 'the peer stopped answering on every link for longer than the deadtime', device: 'bmc' } }));
}
