/**
 * Recurring monitors of resources that stay where they run. A monitor is scheduled with every
 * start; one that is missing from a running resource's history (its start's transition was
 * aborted before the monitor ran, or the node's history was rebuilt at a join) is scheduled on
 * its own, as Pacemaker does, so that no running resource goes unwatched.
 */
import type { Cib, LrmResource } from '../cib/index.js';
import { compareActions, compareEdges, mergeSorted } from './graph-order.js';
import type { ResourceModel } from './model.js';
import type { GraphAction, GraphEdge, TransitionGraph } from './types.js';

/** A recurring monitor recorded in this history (a failure record names the monitor that failed, not one that still runs). */
function recordsMonitor(r: LrmResource, interval?: number): boolean {
  for (const op of r.ops) if (op.operation === 'monitor' && op.interval > 0 && (interval === undefined || op.interval === interval) && !op.id.endsWith('_last_failure_0')) return true;
  return false;
}

export function addMissingMonitors(graph: TransitionGraph, model: ResourceModel, cib: Cib): TransitionGraph {
  // node -> lrm_resource id -> the last history of it that records a recurring monitor (a later
  // node_state with the same name replaces an earlier one). Intervals are read only where needed.
  const recorded = new Map<string, Map<string, LrmResource>>();
  for (const state of cib.status.nodes) {
    if (state.uname === undefined) continue;
    const byResource = new Map<string, LrmResource>();
    for (const r of state.lrm?.resources ?? []) if (recordsMonitor(r)) byResource.set(r.id, r);
    recorded.set(state.uname, byResource);
  }
  const ids = new Set<string>();
  // The nodes each resource starts on (its `RSC_start_0@NODE` actions), so that no id is built per instance.
  const startsOn = new Map<string, string[]>();
  for (const a of graph.actions) {
    ids.add(a.id);
    if (a.kind !== 'start' || a.resource === undefined || a.node === undefined) continue;
    const list = startsOn.get(a.resource);
    if (list === undefined) startsOn.set(a.resource, [a.node]);
    else list.push(a.node);
  }
  const actions: GraphAction[] = [];
  const edges: GraphEdge[] = [];
  for (const inst of model.instances.values()) {
    const node = inst.next;
    if (!inst.managed || inst.blocked || node === undefined) continue;
    const role = inst.current.get(node)?.role;
    if (role === undefined || role === 'Stopped' || startsOn.get(inst.id)?.includes(node) === true) continue;
    const history = recorded.get(node);
    const own = history?.get(inst.id);
    const base = history?.get(inst.primitive.id);
    const known = (interval: number): boolean => (own !== undefined && recordsMonitor(own, interval)) || (base !== undefined && recordsMonitor(base, interval));
    for (const op of inst.primitive.operations?.ops ?? []) {
      if (op.name !== 'monitor' || op.interval === 0 || op.enabled === false || known(op.interval)) continue;
      if (op.role !== undefined && op.role !== inst.nextRole && !(op.role === 'Started' && inst.nextRole === 'Unpromoted')) continue;
      const id = `${inst.id}_monitor_${op.interval}@${node}`;
      if (ids.has(id)) continue;
      ids.add(id);
      actions.push({ id, kind: 'monitor', resource: inst.id, node, interval: op.interval, optional: false, runnable: true });
      // After a role change on the node, the monitor checks the new role.
      for (const kind of ['promote', 'demote'] as const) {
        const change = `${inst.id}_${kind}_0@${node}`;
        if (ids.has(change)) edges.push({ before: change, after: id });
      }
    }
  }
  if (actions.length === 0) return graph;
  return { actions: mergeSorted(graph.actions, actions.sort(compareActions), compareActions), edges: mergeSorted(graph.edges, edges.sort(compareEdges), compareEdges) };
}
