/**
 * The order of a transition graph's lists: actions by id, edges by (before, after). Passes that add
 * actions after the graph is built merge them in instead of sorting the whole graph again.
 */
import type { GraphAction, GraphEdge } from './types.js';

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareActions(a: GraphAction, b: GraphAction): number {
  return compareText(a.id, b.id);
}

export function compareEdges(a: GraphEdge, b: GraphEdge): number {
  return compareText(a.before, b.before) || compareText(a.after, b.after);
}

/**
 * Merges two lists sorted by `compare` into one sorted list (on ties, `a`'s element first). When one
 * list is much shorter (a few actions merged into a graph of many probes, or the reverse), each
 * of its elements finds its place by binary search instead of comparing with every element.
 */
export function mergeSorted<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number): T[] {
  if (a.length * 8 < b.length) return insertSorted(a, b, compare, true);
  if (b.length * 8 < a.length) return insertSorted(b, a, compare, false);
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(compare(a[i] as T, b[j] as T) <= 0 ? (a[i++] as T) : (b[j++] as T));
  while (i < a.length) out.push(a[i++] as T);
  while (j < b.length) out.push(b[j++] as T);
  return out;
}

/** Merges `few` into `many`; `fewFirst`: an element of `few` goes before equal elements of `many`. */
function insertSorted<T>(few: readonly T[], many: readonly T[], compare: (x: T, y: T) => number, fewFirst: boolean): T[] {
  const out: T[] = [];
  let j = 0;
  for (const x of few) {
    // The first index k >= j where x goes before many[k].
    let lo = j;
    let hi = many.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compare(x, many[mid] as T);
      if (c < 0 || (c === 0 && fewFirst)) hi = mid;
      else lo = mid + 1;
    }
    while (j < lo) out.push(many[j++] as T);
    out.push(x);
  }
  while (j < many.length) out.push(many[j++] as T);
  return out;
}

/**
 * mergeSorted where `b`'s elements are compared by position: `compare(x, j)` compares `x` of `a`
 * with `b[j]` (a pass that knows how its elements sort can compare them without building keys).
 */
export function mergeSortedBy<T>(a: readonly T[], b: readonly T[], compare: (x: T, j: number) => number): T[] {
  const out = new Array<T>(a.length + b.length);
  const search = a.length * 8 < b.length;
  let o = 0;
  let j = 0;
  for (const x of a) {
    // The first position k >= j where x goes before b[k] (before an equal one too).
    let lo = j;
    if (search) {
      let hi = b.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compare(x, mid) <= 0) hi = mid;
        else lo = mid + 1;
      }
    } else while (lo < b.length && compare(x, lo) > 0) lo++;
    while (j < lo) out[o++] = b[j++] as T;
    out[o++] = x;
  }
  while (j < b.length) out[o++] = b[j++] as T;
  return out;
}
