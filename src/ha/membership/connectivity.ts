import type { NodeId } from '../../lib/index.js';
import { sortMembers, type Member } from './view.js';

/**
 * What this node knows of the cluster's connectivity: the peers it hears (alive, in their current
 * incarnation) and, for each, whom that peer said it hears in its latest heartbeat.
 */
export interface ConnectivityKnowledge {
  readonly self: Member;
  readonly alive: readonly Member[];
  readonly hearsOf: (node: NodeId) => readonly Member[] | undefined;
  /** The members of this node's installed view, if any: the tie-break keeps as many as it can. */
  readonly current?: readonly Member[];
}

/**
 * The membership this node should propose: the largest set of nodes, itself included, in which
 * every pair hears each other (a clique of mutual connectivity). One-way connectivity (A hears B,
 * B does not hear A) never puts A and B in one view, so asymmetric links resolve to a consistent
 * split instead of a view that half its members disagree with. Among the largest sets, the one
 * keeping the most members of the current view wins, then the one with the lowest node ids, so
 * that nodes with the same knowledge choose the same set. Incumbents first: a node that rejoins
 * while only some members hear it yet would otherwise win a tie on its id, and the member it
 * pushed out (healthy, still heard) would be fenced as lost. Seen in the three-node storage test:
 * b rebooted, a heard b and c, c did not hear b yet, {a, b} beat {a, c} and a fenced c.
 *
 * With up to 16 nodes the exact search is cheap; the common case (everyone hears everyone) is
 * answered without searching.
 */
export function chooseCandidate(knowledge: ConnectivityKnowledge): Member[] {
  const { self } = knowledge;
  const hearsSets = new Map<NodeId, Set<string>>();
  const hearsOf = (node: NodeId): Set<string> => {
    let set = hearsSets.get(node);
    if (set === undefined) {
      set = new Set((knowledge.hearsOf(node) ?? []).map(memberKey));
      hearsSets.set(node, set);
    }
    return set;
  };
  const selfKey = memberKey(self);
  // Peers that hear us back, in id order.
  const mutual = sortMembers(knowledge.alive.filter((m) => m.id !== self.id && hearsOf(m.id).has(selfKey)));
  // adjacency[i] has bit j set when mutual[i] and mutual[j] hear each other.
  const adjacency = mutual.map((a) => mutual.reduce((mask, b, j) => (a !== b && hearsOf(a.id).has(memberKey(b)) && hearsOf(b.id).has(memberKey(a)) ? mask | (1 << j) : mask), 0));
  const all = (1 << mutual.length) - 1;
  if (adjacency.every((mask, i) => (mask | (1 << i)) === all)) return sortMembers([self, ...mutual]);
  const current = new Set((knowledge.current ?? []).map(memberKey));
  const incumbents = mutual.reduce((mask, m, i) => (current.has(memberKey(m)) ? mask | (1 << i) : mask), 0);
  const best = maximumClique(adjacency, mutual.length, incumbents);
  return sortMembers([self, ...mutual.filter((_, i) => (best & (1 << i)) !== 0)]);
}

/**
 * The largest clique of a graph of at most 31 vertices given as adjacency bitmasks; among cliques
 * of that size, the one with the most vertices of `preferred`, and among those the one whose
 * sorted vertex list is lexicographically smallest (vertices are in id order, so that is the one
 * with the lowest node ids). Branch and bound over bitmasks: vertices are tried in index order,
 * taking a vertex before leaving it out, so the first clique found with a given score is the
 * lexicographically smallest with it, and later ones must score strictly higher.
 */
function maximumClique(adjacency: readonly number[], count: number, preferred: number): number {
  let best = 0;
  let bestSize = 0;
  let bestKept = 0;
  const grow = (chosen: number, chosenSize: number, candidates: number, from: number): void => {
    const kept = popcount(chosen & preferred);
    if (chosenSize > bestSize || (chosenSize === bestSize && kept > bestKept)) {
      best = chosen;
      bestSize = chosenSize;
      bestKept = kept;
    }
    for (let i = from; i < count; i++) {
      if ((candidates & (1 << i)) === 0) continue;
      const rest = candidates & ~((1 << (i + 1)) - 1);
      const reachable = rest & (adjacency[i] ?? 0);
      // The most this branch can reach: every remaining neighbour taken.
      const size = chosenSize + 1 + popcount(reachable);
      const keep = kept + ((preferred >>> i) & 1) + popcount(reachable & preferred);
      if (size < bestSize || (size === bestSize && keep <= bestKept)) continue;
      grow(chosen | (1 << i), chosenSize + 1, reachable, i + 1);
    }
  };
  grow(0, 0, (1 << count) - 1, 0);
  return best;
}

function popcount(mask: number): number {
  let v = mask - ((mask >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function memberKey(m: Member): string {
  return `${m.id}/${m.incarnation}`;
}
