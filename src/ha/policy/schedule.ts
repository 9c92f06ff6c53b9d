/**
 * The policy engine: a pure function from a CIB snapshot to a transition graph, written as
 * Pacemaker's named phases (pcmk__schedule_actions): unpack, determine the current state, handle
 * failures and fencing, apply constraints and allocate, order, create actions, summarise.
 */
import type { Cib } from '../cib/index.js';
import { applyOrderings, createGraph, deriveSummary } from './actions.js';
import { addProbes } from './probe-actions.js';
import { addMissingMonitors } from './recurring-monitors.js';
import { expandColocations, expandOrders } from './constraints.js';
import { determineCurrentState } from './history.js';
import { buildResourceModel, type ResourceModel } from './model.js';
import { allocateResources, currentNode } from './placement.js';
import { blockStartsAwaitingProbes } from './probes.js';
import { needsFencing, needsQuorum } from './requires.js';
import type { AllocationScore, Orphan, PolicyResult, ResourceDecision, ScheduleOptions } from './types.js';
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
  allocateResources({ cib, model, nodes, options: cluster, colocations, scores, recordScores: options.recordScores !== false, canStart, frozen: false });
  blockStopsAwaitingFencing(model, cluster);
  applyQuorumPolicy(model, cluster, fenced);
  blockStartsAwaitingProbes(cib, model, nodes);
  applyOrderings(model, orders, colocations, fenced);
  // Missing monitors before probes: a probe (`_monitor_0`) is never one of their ids, and their pass then looks up fewer.
  const graph = addProbes(addMissingMonitors(createGraph(model, fencing, orders, orphans, cluster, fenced), model, cib), model, nodes);
  const summary = deriveSummary(model, fencing, orphans, cluster, fenced);
  return { graph, decisions: decisionsOf(model), scores, summary, notes: orphanNotes(orphans), orphans };
}

/**
 * Phase "handle failures and fencing": on-fail (block, stop, standby, fence), failed stops, and
 * which unclean nodes get fenced (only with stonith-enabled and quorum, or no-quorum-policy=ignore).
 */
function handleFailures(model: ResourceModel, nodes: readonly PolicyNode[], cluster: ClusterOptions): Fencing[] {
  const byName = new Map(nodes.map((n) => [n.uname, n]));
  if (!cluster.stonithEnabled) {
    // Without fencing, an unclean node's resources are taken to be stopped.
    for (const inst of model.instances.values()) for (const n of inst.current.keys()) if (byName.get(n)?.unclean === true) inst.current.delete(n);
  }
  // Most clusters have no unclean node and none in maintenance: then less needs looking up per instance.
  let anyUnclean = nodes.some((n) => n.unclean);
  const anyMaintenance = nodes.some((n) => n.maintenance);
  for (const inst of model.instances.values()) {
    if (inst.current.size === 0) continue;
    // A resource that does not require fencing is not taken as active on unclean nodes when
    // counting where it is active (Pacemaker: it may start elsewhere before fencing completes).
    const countsUnclean = !anyUnclean || needsFencing(inst, cluster);
    let activeCount = 0;
    for (const [n, s] of inst.current) if (s.role !== 'Stopped' && (countsUnclean || byName.get(n)?.unclean !== true)) activeCount++;
    if (activeCount > 1 && inst.meta.get('multiple-active') === 'block') inst.blocked = true;
    if (activeCount > 1 && inst.meta.get('multiple-active') === 'stop_only') inst.targetRole = 'Stopped';
    for (const [nodeName, state] of inst.current) {
      if (!anyMaintenance && !state.failed) continue;
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
            anyUnclean = true;
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
  // Nor is a copy on a fenced node a reason to recover one that also runs on a clean node, unless
  // the resource requires fencing (then it was multiply active).
  if (fencedNames.size > 0) for (const inst of model.instances.values()) {
    if (needsFencing(inst, cluster)) continue;
    const active = [...inst.current].filter(([, s]) => s.role !== 'Stopped').map(([n]) => n);
    if (active.some((n) => !fencedNames.has(n) && byName.get(n)?.unclean !== true)) for (const n of active) if (fencedNames.has(n)) inst.current.delete(n);
  }
  for (const inst of model.instances.values()) if (inst.blocked && [...inst.current.keys()].every((n) => fencedNames.has(n))) inst.blocked = false;
  if (nodes.some((n) => n.unclean)) for (const inst of model.instances.values()) {
    for (const [n, state] of inst.current) {
      const node = byName.get(n);
      if (node?.unclean !== true || fencedNames.has(n)) continue;
      if (cluster.stonithEnabled && state.role !== 'Stopped') {
        // Fencing is needed but cannot happen now (no quorum): the stop is blocked, and so is
        // the start elsewhere that would follow it (blockStopsAwaitingFencing, after allocation).
        inst.blockedStop = { node: n };
      }
    }
  }
  return fencing;
}

/**
 * An instance on a node that must be fenced but cannot be yet is allocated as usual (its node
 * cannot host it), but its stop cannot run, so the start that follows it cannot either: it stays
 * where it is. The summary says why it would stop: "node availability" when it has nowhere to go.
 */
function blockStopsAwaitingFencing(model: ResourceModel, cluster: ClusterOptions): void {
  const quorate = cluster.haveQuorum || cluster.noQuorumPolicy === 'ignore';
  for (const inst of model.instances.values()) {
    if (inst.blockedStop === undefined) continue;
    // Without quorum the start elsewhere is unrunnable for that reason too (freeze allows it: the
    // instance counts as active on the unclean node; demote keeps promotable instances).
    const startNeedsQuorum = !quorate && cluster.noQuorumPolicy !== 'freeze' && needsQuorum(inst, cluster) && !(cluster.noQuorumPolicy === 'demote' && inst.unit.clone?.promotable === true);
    const reason = inst.next === undefined ? 'node availability' : startNeedsQuorum ? 'no quorum' : undefined;
    inst.blockedStop = { node: inst.blockedStop.node, ...(reason === undefined ? {} : { reason }) };
    inst.blocked = true;
    const cur = currentNode(inst);
    if (cur === undefined) continue;
    inst.next = cur;
    inst.nextRole = inst.current.get(cur)?.role ?? 'Started';
  }
}

/**
 * Phase "quorum": without quorum, the starts of resources that require quorum or fencing (see
 * requires.ts) are unrunnable ("due to no quorum (blocked)"); with no-quorum-policy=stop (the
 * default) running resources stop, since they cannot start again where they are; freeze blocks
 * only the starts of inactive resources; demote keeps promotable instances running, unpromoted.
 */
function applyQuorumPolicy(model: ResourceModel, cluster: ClusterOptions, fenced: ReadonlySet<string>): void {
  if (cluster.haveQuorum || cluster.noQuorumPolicy === 'ignore') return;
  for (const inst of model.instances.values()) {
    if (!inst.managed || inst.blocked || !needsQuorum(inst, cluster)) continue;
    const cur = currentNode(inst);
    if (cluster.noQuorumPolicy === 'demote' && cur !== undefined && inst.unit.clone?.promotable === true) {
      // Pacemaker's effective policy for an active promotable instance is "ignore", capped at Unpromoted.
      if (inst.nextRole === 'Promoted') inst.nextRole = 'Unpromoted';
      continue;
    }
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
      // freeze only blocks new starts and role increases: what runs may still move as usual, but
      // an instance is not promoted (Pacemaker: a next role above the current one is unrunnable
      // for "quorum freeze"), so that a promoted instance on a lost node awaiting fencing never
      // has a second promoted peer.
      if (inst.nextRole === 'Promoted' && inst.current.get(cur)?.role !== 'Promoted') inst.nextRole = 'Unpromoted';
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
    const current: ResourceDecision['current'][number][] = [];
    for (const [node, s] of inst.current) if (s.role !== 'Stopped' || s.failed) current.push({ node, role: s.role, failed: s.failed });
    const d: ResourceDecision = inst.next === undefined ? { resource: inst.id, current, nextRole: inst.nextRole, managed: inst.managed && !inst.blocked } : { resource: inst.id, current, nextRole: inst.nextRole, managed: inst.managed && !inst.blocked, next: inst.next };
    out.push(d);
  }
  return out.sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}

function orphanNotes(orphans: readonly Orphan[]): string[] {
  return orphans.map((o) => `orphan ${o.id} active on ${o.node}`);
}
