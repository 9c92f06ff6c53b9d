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
import { compareActions, compareEdges, compareText, mergeSorted, mergeSortedBy } from './graph-order.js';
import type { Instance, ResourceModel } from './model.js';
import type { GraphAction, GraphEdge, TransitionGraph } from './types.js';
import type { PolicyNode } from './unpack.js';

export function addProbes(graph: TransitionGraph, model: ResourceModel, nodes: readonly PolicyNode[]): TransitionGraph {
  // In name order: a probe's id is `${key}_monitor_0@${node}`, so sorting the keys and the nodes
  // sorts the probes (checked below), instead of sorting one probe per resource and node.
  const online = nodes.filter((n) => n.online && !n.unclean).sort((a, b) => compareText(a.uname, b.uname));
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
  // Only the resources with a node to probe get an id prefix (a settled cluster has few).
  const names = online.map((n) => n.uname);
  const prefixes: { key: string; prefix: string; nodes: string[] }[] = [];
  let total = 0;
  for (const [key, instances] of byProbeKey) {
    let unknown: string[] | undefined;
    for (const name of names) if (!isKnownOn(instances, name)) (unknown ??= []).push(name);
    if (unknown === undefined) continue;
    prefixes.push({ key, prefix: `${key}_monitor_0@`, nodes: unknown });
    total += unknown.length;
  }
  if (total === 0) return graph;
  prefixes.sort((a, b) => compareText(a.prefix, b.prefix));
  // Sized up front: a large cluster has a probe per resource and node.
  const probes = new Array<GraphAction>(total);
  const probeEdges: GraphEdge[] = [];
  // Each probe's prefix (by its position in `prefixes`), and each probe edge's probe: ids are
  // compared as (prefix, node name) without joining them.
  const probePrefix = new Int32Array(total);
  const edgeProbe: number[] = [];
  let index = 0;
  for (let p = 0; p < prefixes.length; p++) {
    const { key, prefix, nodes: unknown } = prefixes[p] as { key: string; prefix: string; nodes: string[] };
    let starts: string[] | undefined;
    for (const inst of byProbeKey.get(key) as Instance[]) {
      const own = startsOf.get(inst.id);
      if (own !== undefined) (starts ??= []).push(...own);
    }
    starts?.sort(compareText);
    for (const node of unknown) {
      const id = prefix + node;
      probes[index] = { id, kind: 'probe', resource: key, node, interval: 0, optional: false, runnable: true };
      probePrefix[index] = p;
      if (starts !== undefined)
        for (const start of starts) {
          probeEdges.push({ before: id, after: start });
          edgeProbe.push(index);
        }
      index++;
    }
  }
  // The probes are in id order when no key's prefix starts another's (ids have no '@') and node
  // names are distinct; should that ever not hold, sort after all.
  if (!prefixesAreDistinct(prefixes) || !namesAreDistinct(online)) {
    probes.sort(compareActions);
    probeEdges.sort(compareEdges);
    return { actions: mergeSorted(graph.actions, probes, compareActions), edges: mergeSorted(graph.edges, probeEdges, compareEdges) };
  }
  const compareIdToProbe = (id: string, k: number): number => compareJoined(id, (prefixes[probePrefix[k] as number] as { prefix: string }).prefix, (probes[k] as GraphAction).node as string);
  return {
    actions: mergeSortedBy(graph.actions, probes, (a, k) => compareIdToProbe(a.id, k)),
    edges: mergeSortedBy(graph.edges, probeEdges, (e, k) => compareIdToProbe(e.before, edgeProbe[k] as number) || compareText(e.after, (probeEdges[k] as GraphEdge).after)),
  };
}

/** compareText(text, prefix + rest), without building prefix + rest. */
function compareJoined(text: string, prefix: string, rest: string): number {
  // When text does not start with prefix, they differ within it (or text is shorter): that decides.
  if (!text.startsWith(prefix)) return compareText(text, prefix);
  for (let i = prefix.length, j = 0; ; i++, j++) {
    const a = i < text.length ? text.charCodeAt(i) : -1;
    const b = j < rest.length ? rest.charCodeAt(j) : -1;
    if (a !== b) return a < b ? -1 : 1;
    if (a === -1) return 0;
  }
}

function isKnownOn(instances: readonly Instance[], node: string): boolean {
  for (const i of instances) if (i.knownOn.has(node) || i.current.has(node)) return true;
  return false;
}

/** Sorted prefixes none of which starts the next: then any extensions of them sort as they do. */
function prefixesAreDistinct(sorted: readonly { readonly prefix: string }[]): boolean {
  for (let i = 1; i < sorted.length; i++) if ((sorted[i] as { prefix: string }).prefix.startsWith((sorted[i - 1] as { prefix: string }).prefix)) return false;
  return true;
}

function namesAreDistinct(sorted: readonly PolicyNode[]): boolean {
  for (let i = 1; i < sorted.length; i++) if ((sorted[i] as PolicyNode).uname === (sorted[i - 1] as PolicyNode).uname) return false;
  return true;
}
