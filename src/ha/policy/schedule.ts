/**
 * The policy engine: a pure function from a CIB snapshot to a transition graph, written as
 * Pacemaker's named phases (pcmk__schedule_actions): unpack, determine the current state, handle
 * failures and fencing, apply constraints and allocate, order, create actions, summarise.
 */
import type { Cib } from '../cib/index.js';
import { applyOrderings, createGraph, deriveSummary } from './actions.js';
import { expandColocations, expandOrders } from './constraints.js';
import { determineCurrentState, type Orphan } from './history.js';
import { buildResourceModel, type ResourceModel } from './model.js';
import { allocateResources, currentNode } from './placement.js';
import type { AllocationScore, PolicyResult, ResourceDecision, ScheduleOptions } from './types.js';
import { unpackClusterOptions, unpackNodes, type ClusterOptions, type PolicyNode } from './unpack.js';

interface Fencing {
  readonly node: PolicyNode;
  readonly reason: string;
}

/** Computes what the cluster should do now. Pure and deterministic. */
export function schedule(cib: Cib, options: ScheduleOptions): PolicyResult {
  const cluster = unpackClusterOptions(cib);
  const nodes = unpackNodes(cib, cluster);
  const model = buildResourceModel(cib, cib.configuration.nodes.length, cluster.maintenanceMode);
  const orphans = determineCurrentState(cib, model, nodes, cluster, options.now);
  const canStart = !cluster.stopAllResources;
  const fencing = handleFailures(model, nodes, cluster);
  const fenced = new Set(fencing.map((f) => f.node.uname));
  const scores: AllocationScore[] = [];
  const colocations = expandColocations(cib);
  const orders = expandOrders(cib);
  allocateResources({ cib, model, nodes, options: cluster, colocations, scores, canStart, frozen: false });
  applyQuorumPolicy(model, cluster, fenced, nodes);
  applyOrderings(model, orders, colocations, fenced);
  const graph = createGraph(model, fencing, orders, orphans, cluster, fenced);
  const summary = deriveSummary(model, fencing, orphans, cluster, fenced);
  return { graph, decisions: decisionsOf(model), scores, summary, notes: orphanNotes(orphans) };
}

/**
 * Phase "handle failures and fencing": on-fail (block, stop, standby, fence), failed stops, and
 * which unclean nodes get fenced (only with stonith-enabled and quorum, or no-quorum-policy=ignore).
 */
function handleFailures(model: ResourceModel, nodes: readonly PolicyNode[], cluster: ClusterOptions): Fencing[] {
  const byName = new Map(nodes.map((n) => [n.uname, n]));
  if (!cluster.stonithEnabled) {
    // Without fencing, an unclean node's resources are taken to be stopped.
    for (const inst of model.instances.values()) for (const n of [...inst.current.keys()]) if (byName.get(n)?.unclean === true) inst.current.delete(n);
  }
  for (const inst of model.instances.values()) {
    const activeCount = [...inst.current.values()].filter((s) => s.role !== 'Stopped').length;
    if (activeCount > 1 && inst.meta.get('multiple-active') === 'block') inst.blocked = true;
    if (activeCount > 1 && inst.meta.get('multiple-active') === 'stop_only') inst.targetRole = 'Stopped';
    for (const [nodeName, state] of inst.current) {
      const node = byName.get(nodeName);
      if (node?.maintenance === true) inst.managed = false;
      if (!state.failed) continue;
      const onFail = state.onFail ?? 'restart';
      if (state.failedStop && !(onFail === 'fence' && cluster.stonithEnabled)) {
        inst.blocked = true;
        continue;
      }
      switch (onFail) {
        case 'block':
          inst.blocked = true;
          break;
        case 'demote':
          // Demote in place instead of recovering.
          state.failed = false;
          inst.promotionBlocked = true;
          break;
        case 'stop':
          inst.targetRole = 'Stopped';
          break;
        case 'standby':
          if (node !== undefined) node.standby = true;
          break;
        case 'fence':
          if (node !== undefined && cluster.stonithEnabled && !node.unclean) {
            node.unclean = true;
            node.uncleanReason = `${inst.id} failed there`;
          }
          break;
        default:
          break;
      }
    }
  }
  const stopFailureNodes = new Set<string>();
  for (const inst of model.instances.values()) for (const [n, st] of inst.current) if (st.failedStop) stopFailureNodes.add(n);
  const fencing: Fencing[] = [];
  const quorate = cluster.haveQuorum || cluster.noQuorumPolicy === 'ignore';
  for (const node of nodes) {
    if (!node.unclean || !cluster.stonithEnabled) continue;
    // Membership loss needs quorum to fence; a failed operation's fencing does not.
    const byFailure = node.uncleanReason?.endsWith(' failed there') === true && stopFailureNodes.has(node.uname);
    if (quorate || byFailure) fencing.push({ node, reason: node.uncleanReason ?? 'node is unclean' });
  }
  // Fencing stops everything on the node, so nothing there stays blocked.
  const fencedNames = new Set(fencing.map((f) => f.node.uname));
  for (const inst of model.instances.values()) if (inst.blocked && [...inst.current.keys()].every((n) => fencedNames.has(n))) inst.blocked = false;
  for (const inst of model.instances.values()) {
    for (const [n, state] of [...inst.current]) {
      const node = byName.get(n);
      if (node?.unclean !== true || fencedNames.has(n)) continue;
      if (cluster.stonithEnabled && state.role !== 'Stopped') {
        // Fencing is needed but cannot happen now (no quorum): the stop is blocked.
        inst.blocked = true;
        inst.blockedStop = { node: n, ...(cluster.noQuorumPolicy === 'stop' && !quorate ? { reason: 'no quorum' } : {}) };
      }
    }
  }
  return fencing;
}

/**
 * Phase "quorum": without quorum, starts are unrunnable ("due to no quorum (blocked)"), and with
 * no-quorum-policy=stop (the default) running resources stop; freeze leaves them where they are.
 */
function applyQuorumPolicy(model: ResourceModel, cluster: ClusterOptions, fenced: ReadonlySet<string>, nodes: readonly PolicyNode[]): void {
  if (cluster.haveQuorum || cluster.noQuorumPolicy === 'ignore') return;
  // Observed in Pacemaker 2.1.5's cases (the rule behind it is not confirmed): with
  // no-quorum-policy=stop, fence devices still start unless a member lost from the cluster awaits
  // fencing.
  const lostMember = cluster.noQuorumPolicy !== 'stop' || nodes.some((n) => n.unclean && n.uncleanReason !== 'node is unclean' && !fenced.has(n.uname));
  for (const inst of model.instances.values()) {
    if (!inst.managed || inst.blocked) continue;
    if (inst.primitive.class === 'stonith' && !lostMember) continue;
    const cur = currentNode(inst);
    if (cur !== undefined && fenced.has(cur)) {
      // Fencing stops it; starting it elsewhere needs quorum.
      if (inst.next !== undefined) {
        delete inst.next;
        inst.nextRole = 'Stopped';
      }
      continue;
    }
    if (cur === undefined) {
      if (inst.next === undefined) continue;
      inst.blockedStart = inst.next;
      inst.blockedRole = inst.nextRole;
      inst.unrunnableReason = cluster.noQuorumPolicy === 'freeze' ? 'quorum freeze' : 'no quorum';
      delete inst.next;
      inst.nextRole = 'Stopped';
    } else if (cluster.noQuorumPolicy === 'freeze') {
      // freeze only blocks new starts: what runs may still move as usual.
      continue;
    } else {
      delete inst.next;
      inst.nextRole = 'Stopped';
      inst.stopReason = 'no quorum';
    }
  }
}

function decisionsOf(model: ResourceModel): ResourceDecision[] {
  const out: ResourceDecision[] = [];
  for (const inst of model.instances.values()) {
    const current = [...inst.current].filter(([, s]) => s.role !== 'Stopped' || s.failed).map(([node, s]) => ({ node, role: s.role, failed: s.failed }));
    const d: ResourceDecision = { resource: inst.id, current, nextRole: inst.nextRole, managed: inst.managed && !inst.blocked, ...(inst.next === undefined ? {} : { next: inst.next }) };
    out.push(d);
  }
  return out.sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}

function orphanNotes(orphans: readonly Orphan[]): string[] {
  return orphans.map((o) => `orphan ${o.id} active on ${o.node}`);
}
