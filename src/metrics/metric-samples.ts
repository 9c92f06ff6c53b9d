/**
 * What the metrics endpoint says, as plain data: the mapping from the daemon's runtime state to
 * Prometheus metric names, labels and values. Pure (no prom-client, no I/O, no clock), so the
 * mapping is unit-tested on its own and the shell (prometheus-metrics.ts) only copies samples into
 * prom-client's registry.
 *
 * Two kinds of metric:
 * - gauges, computed at each scrape from a snapshot (`gaugeSamples`): membership (the heartbeat
 *   worker's view and quorum), link health per peer and link, and resources, nodes and fail counts
 *   as `heartline status` shows them;
 * - counters and histograms, fed as things happen: operation results (`operationSample`), fence
 *   outcomes (`fenceSample`) and failovers (`FailoverTracker`, from the event log's service-state
 *   changes).
 *
 * Names follow Prometheus conventions: base units (seconds, ratios), `_total` for counters, one
 * metric per meaning with labels for the dimensions. Label values are node, link, resource and
 * operation names from the configuration and the CIB, so their number is bounded by the cluster's
 * size.
 */
import type { ClusterStatusReport } from '../daemon/index.js';
import { resultMatches, type LrmResult } from '../ha/controller/index.js';
import type { MembershipStatus } from '../ha/membership/index.js';
import type { NodeId } from '../lib/index.js';

/** A metric's help text and label names, as prom-client declares it. */
export interface MetricDefinition {
  readonly help: string;
  readonly labels: readonly string[];
}

/** Every gauge the endpoint serves. */
export const GAUGES = {
  heartline_cluster_members: { help: "Number of nodes in this node's membership view (0 while it is in none).", labels: [] },
  heartline_node_member: { help: "1 when the configured node is a member of this node's membership view, else 0.", labels: ['node'] },
  heartline_node_state: { help: '1 for the state the node is in as heartline status shows it (online, standby, maintenance, shutting-down, pending, offline, unclean).', labels: ['node', 'state'] },
  heartline_view_info: { help: "Always 1: this node's membership view id (sequence.proposer.incarnation) and its DC as labels; absent while in no view.", labels: ['view_id', 'dc'] },
  heartline_view_sequence: { help: 'Sequence number of the membership view (it grows with every new view); 0 while in no view.', labels: [] },
  heartline_dc: { help: "1 for the node that is the DC of this node's view, 0 for the other configured nodes.", labels: ['node'] },
  heartline_quorate: { help: '1 when this node has quorum, else 0.', labels: [] },
  heartline_quorum_votes: { help: "Votes in this node's view.", labels: [] },
  heartline_quorum_expected_votes: { help: 'Expected votes of the cluster.', labels: [] },
  heartline_quorum_needed_votes: { help: 'Votes needed for quorum.', labels: [] },
  heartline_link_up: { help: '1 when heartbeats from the peer arrive on the link, else 0 (down, or never heard).', labels: ['peer', 'link'] },
  heartline_link_loss_ratio: { help: 'Share of the last 64 heartbeats from the peer lost on the link (0 to 1).', labels: ['peer', 'link'] },
  heartline_link_rtt_seconds: { help: 'Smoothed round-trip time to the peer on the link; absent before the first sample.', labels: ['peer', 'link'] },
  heartline_link_last_heard_seconds: { help: 'Seconds since a heartbeat from the peer last arrived on the link; absent if never.', labels: ['peer', 'link'] },
  heartline_resource_active_instances: { help: "Number of nodes where the resource (or clone instance) is active, as this node's CIB says.", labels: ['resource'] },
  heartline_resource_role: { help: '1 for each node where the resource is active, labelled with its role there (Started, Promoted, Unpromoted).', labels: ['resource', 'node', 'role'] },
  heartline_resource_failed: { help: "1 when the resource's last operation on the node failed and it is still recorded active there, else 0.", labels: ['resource', 'node'] },
  heartline_resource_fail_count: { help: 'Fail count of the resource on the node per operation (+Inf for INFINITY), as `heartline resource cleanup` clears it.', labels: ['resource', 'node', 'operation'] },
} as const satisfies Record<string, MetricDefinition>;

export type GaugeName = keyof typeof GAUGES;

/** One value of a gauge. */
export interface GaugeSample {
  readonly name: GaugeName;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Operation latencies: agents answer in milliseconds (a probe) to minutes (a slow stop). */
export const OPERATION_BUCKETS_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] as const;
/** Failover durations: the availability target allows minutes a year, so the range of interest is seconds. */
export const FAILOVER_BUCKETS_SECONDS = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 60, 120, 300, 600] as const;

/** Counters and histograms, fed as things happen. */
export const EVENT_METRICS = {
  heartline_operation_duration_seconds: { help: "How long the agent took for an operation this node's LRM ran, per agent class and operation (probe = a monitor with interval 0); recurring monitors report their first result and changes only.", labels: ['agent_class', 'operation'] },
  heartline_operations_total: { help: "Operations this node's LRM finished, per agent class, operation and outcome (ok: the result the request expected).", labels: ['agent_class', 'operation', 'outcome'] },
  heartline_fence_operations_total: { help: 'Fence outcomes this node ran or heard of from a member, per target, action and result (ok, failed, or confirmed by a person).', labels: ['target', 'action', 'result'] },
  heartline_failover_duration_seconds: { help: 'Time a resource was down before it was up again on another node (a failover or a switch-over), as this node saw it.', labels: ['resource'] },
} as const satisfies Record<string, MetricDefinition>;

/** The state the gauges are computed from, read at scrape time. */
export interface GaugeInput {
  /** The heartbeat worker's membership status (what `heartline members` and `links` show). */
  readonly membership: MembershipStatus;
  /** Every configured node, by id. */
  readonly names: ReadonlyMap<NodeId, string>;
  /** The status report, or undefined when it could not be computed (nothing about resources is then served). */
  readonly report: Pick<ClusterStatusReport, 'nodes' | 'resources' | 'failures'> | undefined;
}

/** Every gauge value for one scrape. */
export function gaugeSamples(input: GaugeInput): GaugeSample[] {
  return [...membershipSamples(input), ...linkSamples(input), ...resourceSamples(input.report)];
}

function membershipSamples({ membership, names, report }: GaugeInput): GaugeSample[] {
  const name = (id: NodeId): string => names.get(id) ?? `node${id}`;
  const view = membership.view;
  const members = new Set(view?.members.map((m) => m.id) ?? []);
  const samples: GaugeSample[] = [{ name: 'heartline_cluster_members', labels: {}, value: members.size }];
  for (const id of names.keys()) {
    samples.push({ name: 'heartline_node_member', labels: { node: name(id) }, value: members.has(id) ? 1 : 0 });
    samples.push({ name: 'heartline_dc', labels: { node: name(id) }, value: view !== null && view.dc === id ? 1 : 0 });
  }
  for (const node of report?.nodes ?? []) samples.push({ name: 'heartline_node_state', labels: { node: node.name, state: node.state }, value: 1 });
  if (view !== null) {
    samples.push({ name: 'heartline_view_info', labels: { view_id: `${view.id.seq}.${view.id.proposer}.${view.id.incarnation}`, dc: name(view.dc) }, value: 1 });
    samples.push({ name: 'heartline_view_sequence', labels: {}, value: view.id.seq });
  }
  const quorum = membership.quorum;
  samples.push(
    { name: 'heartline_quorate', labels: {}, value: quorum.quorate ? 1 : 0 },
    { name: 'heartline_quorum_votes', labels: {}, value: quorum.votes },
    { name: 'heartline_quorum_expected_votes', labels: {}, value: quorum.expectedVotes },
    { name: 'heartline_quorum_needed_votes', labels: {}, value: quorum.needed },
  );
  return samples;
}

function linkSamples({ membership, names }: GaugeInput): GaugeSample[] {
  const samples: GaugeSample[] = [];
  for (const row of membership.links) {
    const labels = { peer: names.get(row.peer) ?? `node${row.peer}`, link: row.link };
    samples.push({ name: 'heartline_link_up', labels, value: row.state === 'up' ? 1 : 0 });
    samples.push({ name: 'heartline_link_loss_ratio', labels, value: row.lossPercent / 100 });
    if (row.rttMs !== null) samples.push({ name: 'heartline_link_rtt_seconds', labels, value: row.rttMs / 1000 });
    if (row.lastHeardAgoMs !== null) samples.push({ name: 'heartline_link_last_heard_seconds', labels, value: row.lastHeardAgoMs / 1000 });
  }
  return samples;
}

function resourceSamples(report: GaugeInput['report']): GaugeSample[] {
  if (report === undefined) return [];
  const samples: GaugeSample[] = [];
  for (const resource of report.resources) {
    samples.push({ name: 'heartline_resource_active_instances', labels: { resource: resource.id }, value: resource.active.length });
    for (const where of resource.active) {
      samples.push({ name: 'heartline_resource_role', labels: { resource: resource.id, node: where.node, role: where.role }, value: 1 });
      samples.push({ name: 'heartline_resource_failed', labels: { resource: resource.id, node: where.node }, value: where.failed ? 1 : 0 });
    }
  }
  for (const f of report.failures.failCounts) {
    samples.push({ name: 'heartline_resource_fail_count', labels: { resource: f.resource, node: f.node, operation: f.operation }, value: failCountValue(f.count) });
  }
  return samples;
}

/** A CIB fail count: a whole number, or INFINITY (Pacemaker's score syntax, also `+INFINITY`). */
export function failCountValue(text: string): number {
  if (/^\+?INFINITY$/i.test(text)) return Infinity;
  const value = Number(text);
  return Number.isFinite(value) ? value : 0;
}

/** One observation of an operation: the histogram's labels and value, and the counter's outcome. */
export interface OperationSample {
  readonly labels: { readonly agent_class: string; readonly operation: string };
  readonly outcome: 'ok' | 'failed';
  readonly seconds: number;
}

/** An LRM result as the operation metrics count it; a monitor with interval 0 is a probe. */
export function operationSample(result: LrmResult): OperationSample {
  const request = result.request;
  const operation = request.operation === 'monitor' && request.interval === 0 ? 'probe' : request.operation;
  return { labels: { agent_class: request.agent.class, operation }, outcome: resultMatches(result) ? 'ok' : 'failed', seconds: Math.max(0, result.execMs) / 1000 };
}

/** A fence outcome's counter labels. */
export function fenceSample(notice: { readonly target: string; readonly action: string; readonly ok: boolean; readonly confirmed?: boolean }): { readonly target: string; readonly action: string; readonly result: 'ok' | 'failed' | 'confirmed' } {
  return { target: notice.target, action: notice.action, result: notice.confirmed === true ? 'confirmed' : notice.ok ? 'ok' : 'failed' };
}

/** A change of a resource's service state (src/ha/availability), with the node it came up on. */
export interface ServiceChange {
  readonly atMs: number;
  readonly resource: string;
  readonly state: 'up' | 'down' | 'excluded';
  /** For `up`: the node it runs on, when known. */
  readonly node?: string;
}

/** A failover this node saw: the resource, where it was, where it came up, and for how long it was down. */
export interface Failover {
  readonly resource: string;
  readonly from: string;
  readonly to: string;
  readonly seconds: number;
}

/**
 * Failovers from a resource's service-state changes (the ones the event log records): a resource
 * that was up on node A, went down, and came up on node B ≠ A failed over, and its duration is the
 * time it was down. Coming back up on A is a local recovery, not a failover; `excluded` (stopped on
 * purpose, unmanaged, or this daemon restarting) forgets the outage. Pure: changes in, failovers
 * out, in the order the changes come (they are stamped by the event recorder).
 */
export class FailoverTracker {
  private readonly lastNode = new Map<string, string>();
  private readonly downSince = new Map<string, { readonly atMs: number; readonly from: string }>();

  observe(change: ServiceChange): Failover | undefined {
    const { resource } = change;
    switch (change.state) {
      case 'down': {
        const from = this.lastNode.get(resource);
        if (from !== undefined && !this.downSince.has(resource)) this.downSince.set(resource, { atMs: change.atMs, from });
        return undefined;
      }
      case 'excluded':
        this.downSince.delete(resource);
        this.lastNode.delete(resource);
        return undefined;
      case 'up': {
        const outage = this.downSince.get(resource);
        this.downSince.delete(resource);
        if (change.node === undefined) {
          this.lastNode.delete(resource);
          return undefined;
        }
        this.lastNode.set(resource, change.node);
        if (outage === undefined || outage.from === change.node) return undefined;
        return { resource, from: outage.from, to: change.node, seconds: Math.max(0, change.atMs - outage.atMs) / 1000 };
      }
    }
  }
}
