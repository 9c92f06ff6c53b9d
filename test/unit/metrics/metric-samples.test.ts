// Goal: the metrics say what the runtime state says. Method: hand-made runtime states (a
// membership status as the heartbeat worker reports it, a status report as `heartline status`
// builds it, LRM results, fence notices, service-state changes) go through the pure mapping, and
// the samples are compared with what an operator would read off `heartline members`, `links` and
// `status` for the same state. Then the same through prom-client's exposition text.
import { describe, expect, it } from 'vitest';
import type { LrmResult } from '../../../src/ha/controller/index.js';
import type { MembershipStatus } from '../../../src/ha/membership/index.js';
import type { NodeId } from '../../../src/lib/index.js';
import { FailoverTracker, failCountValue, fenceSample, gaugeSamples, operationSample, PrometheusMetrics, type GaugeInput, type GaugeSample } from '../../../src/metrics/index.js';

const A = 1 as NodeId;
const B = 2 as NodeId;
const C = 3 as NodeId;
const names = new Map<NodeId, string>([
  [A, 'alpha'],
  [B, 'beta'],
  [C, 'gamma'],
]);

function membership(overrides: Partial<MembershipStatus> = {}): MembershipStatus {
  return {
    self: { id: A, incarnation: 4 },
    view: { id: { seq: 7, proposer: A, incarnation: 4 }, members: [{ id: A, incarnation: 4 }, { id: B, incarnation: 2 }], dc: B },
    quorum: { quorate: true, votes: 2, expectedVotes: 3, needed: 2, reason: null },
    peers: [],
    links: [
      { peer: B, link: 'cross', state: 'up', lastHeardAgoMs: 40, lossPercent: 1.5625, rttMs: 0.8 },
      { peer: B, link: 'serial0', state: 'down', lastHeardAgoMs: 2500, lossPercent: 100, rttMs: null },
      { peer: C, link: 'cross', state: 'unknown', lastHeardAgoMs: null, lossPercent: 0, rttMs: null },
    ],
    proposing: null,
    dropped: {},
    ...overrides,
  };
}

const report: NonNullable<GaugeInput['report']> = {
  nodes: [
    { id: A, name: 'alpha', state: 'online', standby: false, maintenance: false, dc: false, inView: true },
    { id: B, name: 'beta', state: 'online', standby: false, maintenance: false, dc: true, inView: true },
    { id: C, name: 'gamma', state: 'unclean', standby: false, maintenance: false, dc: false, inView: false },
  ],
  resources: [
    { id: 'web', agent: 'ocf:heartbeat:Dummy', state: 'started', active: [{ node: 'beta', role: 'Started', failed: false }], managed: true, next: 'beta', nextRole: 'Started', targetRole: null },
    { id: 'db', agent: 'ocf:heartbeat:Stateful', state: 'multiply-active', active: [{ node: 'alpha', role: 'Promoted', failed: false }, { node: 'beta', role: 'Unpromoted', failed: true }], managed: true, next: 'alpha', nextRole: 'Promoted', targetRole: null },
    { id: 'idle', agent: 'ocf:heartbeat:Dummy', state: 'stopped', active: [], managed: true, next: null, nextRole: 'Stopped', targetRole: 'Stopped' },
  ],
  failures: {
    failCounts: [
      { node: 'beta', resource: 'db', operation: 'monitor_10000', count: '3' },
      { node: 'alpha', resource: 'web', operation: 'start_0', count: 'INFINITY' },
    ],
    failedOperations: [],
  },
} as unknown as NonNullable<GaugeInput['report']>;

function values(samples: readonly GaugeSample[], name: GaugeSample['name']): [Readonly<Record<string, string>>, number][] {
  return samples.filter((s) => s.name === name).map((s) => [s.labels, s.value]);
}

describe('gaugeSamples: membership', () => {
  const samples = gaugeSamples({ membership: membership(), names, report });

  it('counts the members of the view and marks each configured node in or out of it', () => {
    expect(values(samples, 'heartline_cluster_members')).toEqual([[{}, 2]]);
    expect(values(samples, 'heartline_node_member')).toEqual([
      [{ node: 'alpha' }, 1],
      [{ node: 'beta' }, 1],
      [{ node: 'gamma' }, 0],
    ]);
  });

  it('names the view id and the DC, and marks the DC among the nodes', () => {
    expect(values(samples, 'heartline_view_info')).toEqual([[{ view_id: '7.1.4', dc: 'beta' }, 1]]);
    expect(values(samples, 'heartline_view_sequence')).toEqual([[{}, 7]]);
    expect(values(samples, 'heartline_dc')).toEqual([
      [{ node: 'alpha' }, 0],
      [{ node: 'beta' }, 1],
      [{ node: 'gamma' }, 0],
    ]);
  });

  it('gives quorum and its votes', () => {
    expect(values(samples, 'heartline_quorate')).toEqual([[{}, 1]]);
    expect(values(samples, 'heartline_quorum_votes')).toEqual([[{}, 2]]);
    expect(values(samples, 'heartline_quorum_expected_votes')).toEqual([[{}, 3]]);
    expect(values(samples, 'heartline_quorum_needed_votes')).toEqual([[{}, 2]]);
  });

  it('gives each node its state from the status report', () => {
    expect(values(samples, 'heartline_node_state')).toEqual([
      [{ node: 'alpha', state: 'online' }, 1],
      [{ node: 'beta', state: 'online' }, 1],
      [{ node: 'gamma', state: 'unclean' }, 1],
    ]);
  });

  it('in no view: no members, no DC, no view info, no quorum', () => {
    const alone = gaugeSamples({ membership: membership({ view: null, quorum: { quorate: false, votes: 0, expectedVotes: 3, needed: 2, reason: 'not in a view' } }), names, report: undefined });
    expect(values(alone, 'heartline_cluster_members')).toEqual([[{}, 0]]);
    expect(values(alone, 'heartline_dc').map(([, v]) => v)).toEqual([0, 0, 0]);
    expect(values(alone, 'heartline_view_info')).toEqual([]);
    expect(values(alone, 'heartline_quorate')).toEqual([[{}, 0]]);
    // Without a status report nothing about resources or node states is claimed.
    expect(alone.filter((s) => s.name.startsWith('heartline_resource_') || s.name === 'heartline_node_state')).toEqual([]);
  });
});

describe('gaugeSamples: links', () => {
  const samples = gaugeSamples({ membership: membership(), names, report: undefined });

  it('gives per peer and link: up or not, loss as a ratio, RTT and silence in seconds when known', () => {
    expect(values(samples, 'heartline_link_up')).toEqual([
      [{ peer: 'beta', link: 'cross' }, 1],
      [{ peer: 'beta', link: 'serial0' }, 0],
      [{ peer: 'gamma', link: 'cross' }, 0],
    ]);
    expect(values(samples, 'heartline_link_loss_ratio')).toEqual([
      [{ peer: 'beta', link: 'cross' }, 0.015625],
      [{ peer: 'beta', link: 'serial0' }, 1],
      [{ peer: 'gamma', link: 'cross' }, 0],
    ]);
    expect(values(samples, 'heartline_link_rtt_seconds')).toEqual([[{ peer: 'beta', link: 'cross' }, 0.0008]]);
    expect(values(samples, 'heartline_link_last_heard_seconds')).toEqual([
      [{ peer: 'beta', link: 'cross' }, 0.04],
      [{ peer: 'beta', link: 'serial0' }, 2.5],
    ]);
  });
});

describe('gaugeSamples: resources', () => {
  const samples = gaugeSamples({ membership: membership(), names, report });

  it('gives every resource its number of active nodes, a stopped one too', () => {
    expect(values(samples, 'heartline_resource_active_instances')).toEqual([
      [{ resource: 'web' }, 1],
      [{ resource: 'db' }, 2],
      [{ resource: 'idle' }, 0],
    ]);
  });

  it('gives the role per resource per node, and whether it failed there', () => {
    expect(values(samples, 'heartline_resource_role')).toEqual([
      [{ resource: 'web', node: 'beta', role: 'Started' }, 1],
      [{ resource: 'db', node: 'alpha', role: 'Promoted' }, 1],
      [{ resource: 'db', node: 'beta', role: 'Unpromoted' }, 1],
    ]);
    expect(values(samples, 'heartline_resource_failed')).toEqual([
      [{ resource: 'web', node: 'beta' }, 0],
      [{ resource: 'db', node: 'alpha' }, 0],
      [{ resource: 'db', node: 'beta' }, 1],
    ]);
  });

  it('gives fail counts per resource, node and operation, INFINITY as +Inf', () => {
    expect(values(samples, 'heartline_resource_fail_count')).toEqual([
      [{ resource: 'db', node: 'beta', operation: 'monitor_10000' }, 3],
      [{ resource: 'web', node: 'alpha', operation: 'start_0' }, Infinity],
    ]);
  });

  it.each([
    ['1', 1],
    ['INFINITY', Infinity],
    ['+INFINITY', Infinity],
    ['garbage', 0],
  ])('reads the fail count %s as %s', (text, value) => {
    expect(failCountValue(text)).toBe(value);
  });
});

function result(operation: LrmResult['request']['operation'], interval: number, rc: number, expectedRc: number, execMs: number, agentClass = 'ocf'): LrmResult {
  return {
    node: 'alpha',
    request: { resource: 'web', agent: { class: agentClass, provider: 'heartbeat', type: 'Dummy' }, operation, interval: interval as never, timeout: 20000 as never, params: {}, meta: {}, expectedRc },
    rc,
    opStatus: 0,
    callId: 1,
    execMs,
    finishedAt: 0,
  };
}

describe('operationSample', () => {
  it.each([
    { what: 'a start that worked', r: result('start', 0, 0, 0, 1250), labels: { agent_class: 'ocf', operation: 'start' }, outcome: 'ok', seconds: 1.25 },
    { what: 'a probe (monitor, interval 0) that found it stopped, as expected', r: result('monitor', 0, 7, 7, 30, 'lsb'), labels: { agent_class: 'lsb', operation: 'probe' }, outcome: 'ok', seconds: 0.03 },
    { what: 'a recurring monitor that found it gone', r: result('monitor', 10_000, 7, 0, 12), labels: { agent_class: 'ocf', operation: 'monitor' }, outcome: 'failed', seconds: 0.012 },
    { what: 'a stop of a systemd unit', r: result('stop', 0, 0, 0, 0, 'systemd'), labels: { agent_class: 'systemd', operation: 'stop' }, outcome: 'ok', seconds: 0 },
  ])('$what', ({ r, labels, outcome, seconds }) => {
    expect(operationSample(r)).toEqual({ labels, outcome, seconds });
  });

  it('counts a timed-out operation as failed even when its rc matches', () => {
    expect(operationSample({ ...result('start', 0, 0, 0, 20_000), opStatus: 2 }).outcome).toBe('failed');
  });
});

describe('fenceSample', () => {
  it.each([
    [{ target: 'beta', action: 'reboot', ok: true }, 'ok'],
    [{ target: 'beta', action: 'off', ok: false }, 'failed'],
    [{ target: 'beta', action: 'off', ok: true, confirmed: true }, 'confirmed'],
  ] as const)('%j counts as %s', (notice, result) => {
    expect(fenceSample(notice)).toEqual({ target: notice.target, action: notice.action, result });
  });
});

describe('FailoverTracker', () => {
  it('measures a failover from the down to the up on another node', () => {
    const t = new FailoverTracker();
    expect(t.observe({ atMs: 1000, resource: 'web', state: 'up', node: 'alpha' })).toBeUndefined();
    expect(t.observe({ atMs: 5000, resource: 'web', state: 'down' })).toBeUndefined();
    expect(t.observe({ atMs: 7250, resource: 'web', state: 'up', node: 'beta' })).toEqual({ resource: 'web', from: 'alpha', to: 'beta', seconds: 2.25 });
    // And back: beta to alpha is another failover.
    t.observe({ atMs: 9000, resource: 'web', state: 'down' });
    expect(t.observe({ atMs: 9500, resource: 'web', state: 'up', node: 'alpha' })).toEqual({ resource: 'web', from: 'beta', to: 'alpha', seconds: 0.5 });
  });

  it('does not count a local recovery (up again on the same node)', () => {
    const t = new FailoverTracker();
    t.observe({ atMs: 0, resource: 'web', state: 'up', node: 'alpha' });
    t.observe({ atMs: 100, resource: 'web', state: 'down' });
    expect(t.observe({ atMs: 900, resource: 'web', state: 'up', node: 'alpha' })).toBeUndefined();
  });

  it('does not count a first start, nor a start after the resource was excluded (stopped on purpose, daemon restart)', () => {
    const t = new FailoverTracker();
    t.observe({ atMs: 0, resource: 'web', state: 'down' });
    expect(t.observe({ atMs: 10, resource: 'web', state: 'up', node: 'alpha' })).toBeUndefined();
    t.observe({ atMs: 20, resource: 'web', state: 'excluded' });
    t.observe({ atMs: 30, resource: 'web', state: 'down' });
    expect(t.observe({ atMs: 40, resource: 'web', state: 'up', node: 'beta' })).toBeUndefined();
  });

  it('times the outage from its first down, and keeps resources apart', () => {
    const t = new FailoverTracker();
    t.observe({ atMs: 0, resource: 'web', state: 'up', node: 'alpha' });
    t.observe({ atMs: 0, resource: 'db', state: 'up', node: 'beta' });
    t.observe({ atMs: 1000, resource: 'web', state: 'down' });
    t.observe({ atMs: 1500, resource: 'web', state: 'down' });
    t.observe({ atMs: 2000, resource: 'db', state: 'down' });
    expect(t.observe({ atMs: 4000, resource: 'web', state: 'up', node: 'gamma' })).toEqual({ resource: 'web', from: 'alpha', to: 'gamma', seconds: 3 });
    expect(t.observe({ atMs: 4000, resource: 'db', state: 'up', node: 'beta' })).toBeUndefined();
  });
});

describe('PrometheusMetrics: the exposition text', () => {
  it('serves the gauges of the snapshot and drops what is gone since the last scrape', async () => {
    const metrics = new PrometheusMetrics();
    const first = await metrics.render({ membership: membership(), names, report });
    expect(first).toContain('# TYPE heartline_cluster_members gauge');
    expect(first).toContain('heartline_cluster_members 2');
    expect(first).toContain('heartline_link_up{peer="beta",link="cross"} 1');
    expect(first).toContain('heartline_resource_role{resource="db",node="alpha",role="Promoted"} 1');
    expect(first).toContain('heartline_resource_fail_count{resource="web",node="alpha",operation="start_0"} +Inf');
    const second = await metrics.render({ membership: membership({ links: [] }), names, report: { ...report, resources: [] } });
    expect(second).not.toContain('heartline_link_up{');
    expect(second).not.toContain('heartline_resource_role{');
  });

  it('counts operations, fences and failovers into their counters and histograms', async () => {
    const metrics = new PrometheusMetrics();
    metrics.operation(result('start', 0, 0, 0, 300));
    metrics.operation(result('start', 0, 1, 0, 40));
    metrics.fence({ target: 'beta', action: 'reboot', ok: true });
    metrics.serviceChange({ atMs: 0, resource: 'web', state: 'up', node: 'alpha' });
    metrics.serviceChange({ atMs: 1000, resource: 'web', state: 'down' });
    expect(metrics.serviceChange({ atMs: 4000, resource: 'web', state: 'up', node: 'beta' })?.seconds).toBe(3);
    const text = await metrics.render({ membership: membership(), names, report });
    expect(text).toContain('heartline_operation_duration_seconds_count{agent_class="ocf",operation="start"} 2');
    expect(text).toContain('heartline_operation_duration_seconds_bucket{le="0.05",agent_class="ocf",operation="start"} 1');
    expect(text).toContain('heartline_operations_total{agent_class="ocf",operation="start",outcome="ok"} 1');
    expect(text).toContain('heartline_operations_total{agent_class="ocf",operation="start",outcome="failed"} 1');
    expect(text).toContain('heartline_fence_operations_total{target="beta",action="reboot",result="ok"} 1');
    expect(text).toContain('heartline_failover_duration_seconds_count{resource="web"} 1');
    expect(text).toContain('heartline_failover_duration_seconds_sum{resource="web"} 3');
  });
});
