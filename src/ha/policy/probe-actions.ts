/**
 * Probe actions: before anything is started, the cluster must know the resource is not already
 * running somewhere (after a node restarted, its history is gone but its resources may still
 * run). As Pacemaker does, a one-shot monitor (`RSC_monitor_0`) is scheduled for every resource on
 * every online node where its state is unknown (no history), and every start and promote of the
 * resource waits for those probes. A probe that finds the resource running makes the controller
 * plan again with that knowledge, before any start that waited for it has run.
 *
 * Anonymous clones are probed once per node under the primitive's id; unique clone instances and
 * other resources under their own ids.
 */
import { compareActions, compareEdges, mergeSorted } from './graph-order.js';
import type { Instance, ResourceModel } from './model.js';
import type { GraphAction, GraphEdge, TransitionGraph } from './types.js';
import type { PolicyNode } from './unpack.js';

export function addProbes(graph: TransitionGraph, model: ResourceModel, nodes: readonly PolicyNode[]): TransitionGraph {
  const online = nodes.filter((n) => n.online && !n.unclean);
  if (online.length === 0) return graph;
  const byProbeKey = new Map<string, Instance[]>();
  for (const inst of model.instances.values()) {
    const clone = inst.unit.clone;
    const key = clone !== undefined && !clone.unique ? inst.primitive.id : inst.id;
    const list = byProbeKey.get(key);
    if (list === undefined) byProbeKey.set(key, [inst]);
    else list.push(inst);
  }
  const startsOf = new Map<string, string[]>();
  for (const a of graph.actions) {
    if ((a.kind !== 'start' && a.kind !== 'promote') || a.resource === undefined) continue;
    const list = startsOf.get(a.resource);
    if (list === undefined) startsOf.set(a.resource, [a.id]);
    else list.push(a.id);
  }
  const probes: GraphAction[] = [];
  const probeEdges: GraphEdge[] = [];
  for (const [key, instances] of byProbeKey) {
    for (const node of online) {
      if (instances.some((i) => i.knownOn.has(node.uname) || i.current.has(node.uname))) continue;
      const id = `${key}_monitor_0@${node.uname}`;
      probes.push({ id, kind: 'probe', resource: key, node: node.uname, interval: 0, optional: false, runnable: true });
      for (const inst of instances) for (const start of startsOf.get(inst.id) ?? []) probeEdges.push({ before: id, after: start });
    }
  }
  if (probes.length === 0) return graph;
  // The graph's lists are sorted by id: sort only what is new and merge (a large cluster has many probes).
  return { actions: mergeSorted(graph.actions, probes.sort(compareActions), compareActions), edges: mergeSorted(graph.edges, probeEdges.sort(compareEdges), compareEdges) };
}
