/**
 * The `status` report (`heartline status --json`), like crm_mon -1: the nodes with their state,
 * the DC, quorum, the CIB version, every resource with where it runs and its role, the failures
 * (fail counts and failed operations) and the last transition. Built from this node's CIB: the
 * node states and resource placement are read with the policy engine's own rules (unpackNodes,
 * and the current state `schedule` derives from the operation history), so that status and the
 * engine never disagree about what runs where.
 */
import { formatCibVersion, resolveNvSets, type Cib, type Primitive, type Resource } from '../ha/cib/index.js';
import { schedule } from '../ha/policy/index.js';
import { unpackClusterOptions, unpackNodes } from '../ha/policy/unpack.js';
import type { NodeId } from '../lib/index.js';
import type { FenceActivity, TransitionRecord } from './cluster-runtime.js';
import type { ClusterView } from './membership-driver.js';

export type NodeStatusState = 'online' | 'standby' | 'maintenance' | 'shutting-down' | 'pending' | 'offline' | 'unclean';

export interface StatusInputs {
  readonly cluster: { readonly name: string; readonly id: number };
  readonly self: { readonly id: NodeId; readonly name: string };
  readonly names: ReadonlyMap<NodeId, string>;
  readonly view: ClusterView;
  readonly quorum: { readonly quorate: boolean; readonly votes: number; readonly expectedVotes: number; readonly needed: number; readonly reason?: string | null };
  readonly cib: Cib;
  readonly authoritative: boolean;
  /** `method`: `command /path`, `profile NAME`, or null; `activity`: fences under way here and outcomes heard of. */
  readonly fencing: { readonly configured: boolean; readonly method: string | null; readonly activity?: FenceActivity; readonly deviceProblems?: readonly string[] };
  readonly transition: TransitionRecord | undefined;
  readonly problems: readonly { readonly atMs: number; readonly message: string }[];
  /** Seconds since the Unix epoch. */
  readonly now: number;
}

export function clusterStatusReport(input: StatusInputs) {
  const { cib } = input;
  const name = (id: NodeId): string => input.names.get(id) ?? `node${id}`;
  const options = unpackClusterOptions(cib);
  const inView = new Set(input.view.members.map((m) => name(m.id)));
  const idOf = new Map([...input.names].map(([id, n]) => [n, id]));
  const nodes = unpackNodes(cib, options).map((n) => {
    const state: NodeStatusState = n.unclean
      ? 'unclean'
      : n.online
        ? n.shutdown
          ? 'shutting-down'
          : n.standby
            ? 'standby'
            : n.maintenance
              ? 'maintenance'
              : 'online'
        : n.pending
          ? 'pending'
          : 'offline';
    const fenceFailure = state === 'unclean' ? lastFenceFailure(input.fencing.activity, n.uname) : undefined;
    return {
      id: idOf.get(n.uname) ?? null,
      name: n.uname,
      state,
      standby: n.standby,
      maintenance: n.maintenance,
      dc: n.isDc,
      inView: inView.has(n.uname),
      ...(n.uncleanReason === undefined ? {} : { reason: n.uncleanReason }),
      ...(fenceFailure === undefined ? {} : { fenceFailure }),
    };
  });
  const uncleanNodes = new Map(nodes.filter((n) => n.state === 'unclean').map((n) => [n.name, n]));
  const policy = schedule(cib, { now: input.now, recordScores: false });
  const decisions = policy.decisions;
  const primitives = new Map<string, Primitive>();
  for (const r of cib.configuration.resources) for (const p of primitivesOf(r)) primitives.set(p.id, p);
  const resources = decisions.map((d) => {
    const base = d.resource.replace(/:\d+$/, '');
    const p = primitives.get(base);
    const active = d.current.filter((c) => c.role !== 'Stopped');
    return {
      id: d.resource,
      agent: p === undefined ? null : agentName(p),
      state: active.length === 0 ? 'stopped' : active.length > 1 ? 'multiply-active' : active.some((c) => c.failed) ? 'failed' : 'started',
      active: active.map((c) => ({ node: c.node, role: c.role, failed: c.failed })),
      managed: d.managed,
      next: d.next ?? null,
      nextRole: d.nextRole,
      targetRole: p === undefined ? null : (resolveNvSets(p.metaAttributes).get('target-role') ?? null),
      ...waitingForFence(d.current.filter((c) => c.role !== 'Stopped').map((c) => c.node), uncleanNodes, input.fencing),
    };
  });
  // Orphans: active on a node, gone from the configuration (deleted while running, or a CIB
  // rolled back past them). crm_mon lists them as ORPHANED; without this line a resource still
  // running would be invisible to the operator.
  const orphanIds = [...new Set(policy.orphans.map((o) => o.id))];
  const stopOrphans = options.stopOrphanResources;
  const orphanResources = orphanIds.map((id) => {
    const instances = policy.orphans.filter((o) => o.id === id);
    const stopping = stopOrphans || instances.some((o) => o.cloneInstance === true);
    return {
      id,
      agent: orphanAgent(cib, id),
      state: 'orphaned' as const,
      active: instances.map((o) => ({ node: o.node, role: o.role, failed: false })),
      managed: true,
      next: null,
      nextRole: stopping ? ('Stopped' as const) : (instances[0]?.role ?? null),
      targetRole: null,
      orphan: stopping ? 'no longer configured: being stopped' : 'no longer configured: left running (stop-orphan-resources=false)',
      ...waitingForFence(instances.map((o) => o.node), uncleanNodes, input.fencing),
    };
  });
  const failCounts: { node: string; resource: string; operation: string; count: string }[] = [];
  const failedOperations: { node: string; resource: string; operation: string; interval: number; rc: number; opStatus: number; exitReason: string | null; lastRcChange: number | null }[] = [];
  for (const state of cib.status.nodes) {
    const node = state.uname ?? state.id ?? '?';
    if (state.transientAttributes !== undefined) {
      for (const [key, value] of resolveNvSets(state.transientAttributes.sets)) {
        const m = /^fail-count-(.+)#(.+)$/.exec(key);
        if (m !== null) failCounts.push({ node, resource: m[1] ?? '', operation: m[2] ?? '', count: value });
      }
    }
    for (const rsc of state.lrm?.resources ?? []) {
      for (const op of rsc.ops) {
        if (!op.id.endsWith('_last_failure_0')) continue;
        // A probe that found the resource active (after a cleanup, or a start outside the cluster)
        // is recorded as a last failure (rc differs from the expected 7), but it is news, not a
        // failure: crm_mon does not list it among the failed actions either.
        if (op.operation === 'monitor' && op.interval === 0 && op.opStatus === 0 && (op.rcCode === 0 || op.rcCode === 8)) continue;
        failedOperations.push({ node, resource: rsc.id, operation: op.operation, interval: op.interval, rc: op.rcCode, opStatus: op.opStatus, exitReason: op.exitReason ?? null, lastRcChange: op.lastRcChange ?? null });
      }
    }
  }
  const t = input.transition;
  return {
    cluster: input.cluster,
    self: input.self,
    dc: input.view.dc === null ? null : { id: input.view.dc, name: name(input.view.dc) },
    quorum: input.quorum,
    cib: {
      version: formatCibVersion(cib.version),
      authoritative: input.authoritative,
      lastWritten: cib.header.cibLastWritten ?? null,
      updateOrigin: cib.header.updateOrigin ?? null,
      updateUser: cib.header.updateUser ?? null,
      updateClient: cib.header.updateClient ?? null,
    },
    fencing: {
      configured: input.fencing.configured,
      method: input.fencing.method,
      stonithEnabled: input.fencing.configured && options.stonithEnabled,
      inProgress: input.fencing.activity?.inProgress ?? [],
      recent: input.fencing.activity?.recent ?? [],
      deviceProblems: input.fencing.deviceProblems ?? [],
    },
    nodes,
    resources: [...resources, ...orphanResources],
    failures: { failCounts, failedOperations },
    lastTransition: t === undefined ? null : { graphId: t.graphId, actions: t.actions, summary: t.summary, status: t.status ?? 'running', reason: t.reason ?? null, startedAtMs: t.startedAtMs, finishedAtMs: t.finishedAtMs ?? null },
    problems: input.problems,
  };
}

export type ClusterStatusReport = ReturnType<typeof clusterStatusReport>;

/** The reason of the last fence of `target` this node heard of, when it failed (and nothing succeeded since). */
function lastFenceFailure(activity: FenceActivity | undefined, target: string): { readonly reason: string; readonly by: string; readonly atMs: number } | undefined {
  const last = activity?.recent.filter((f) => f.target === target && f.action !== 'on').at(-1);
  return last === undefined || last.ok ? undefined : { reason: last.detail, by: last.by, atMs: last.atMs };
}

/**
 * Why a resource active on an unclean node is not recovered: nothing of an unclean node moves until
 * it is fenced. Says whether a fence is under way or why the last one failed.
 */
function waitingForFence(activeOn: readonly string[], unclean: ReadonlyMap<string, { readonly fenceFailure?: { readonly reason: string } }>, fencing: StatusInputs['fencing']): { waitingForFence?: string } {
  if (!fencing.configured) return {};
  const node = activeOn.find((name) => unclean.has(name));
  if (node === undefined) return {};
  const failure = unclean.get(node)?.fenceFailure;
  const running = fencing.activity?.inProgress.some((f) => f.target === node) ?? false;
  const why = failure !== undefined ? `the last fence of ${node} failed: ${failure.reason}` : running ? `a fence of ${node} is under way` : `${node} is not fenced yet`;
  return { waitingForFence: `stays on ${node} until ${node} is fenced (${why}); a person who verified that ${node} is off can run: heartline fence confirm ${node} --yes` };
}

/** An orphan's agent as its operation history records it (the configuration no longer has it). */
function orphanAgent(cib: Cib, id: string): string | null {
  for (const state of cib.status.nodes) {
    const history = state.lrm?.resources.find((r) => r.id === id);
    if (history?.class !== undefined && history.type !== undefined) return agentName({ class: history.class, provider: history.provider, type: history.type });
  }
  return null;
}

/** `class[:provider]:type`, as crm_mon shows an agent. */
function agentName(agent: { readonly class: string; readonly provider?: string | undefined; readonly type: string }): string {
  return `${agent.class}${agent.provider === undefined ? '' : `:${agent.provider}`}:${agent.type}`;
}

function primitivesOf(r: Resource): Primitive[] {
  switch (r.kind) {
    case 'primitive':
      return [r];
    case 'group':
      return [...r.members];
    case 'clone':
      return r.child.kind === 'primitive' ? [r.child] : [...r.child.members];
    case 'unsupported':
      return [];
  }
}
