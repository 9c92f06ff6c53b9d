/**
 * The order of a transition graph's lists: actions by id, edges by (before, after). Passes that add
 * actions after the graph is built merge them in instead of sorting the whole graph again.
 */
import type { GraphAction, GraphEdge } from './types.js';

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareActions(a: GraphAction, b: GraphAction): number {
  return compareText(a.id, b.id);
}

export function compareEdges(a: GraphEdge, b: GraphEdge): number {
  return compareText(a.before, b.before) || compareText(a.after, b.after);
}

/** Merges two lists sorted by `compare` into one sorted list. */
export function mergeSorted<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(compare(a[i] as T, b[j] as T) <= 0 ? (a[i++] as T) : (b[j++] as T));
  while (i < a.length) out.push(a[i++] as T);
  while (j < b.length) out.push(b[j++] as T);
  return out;
}
