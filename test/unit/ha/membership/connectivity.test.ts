// chooseCandidate: the largest set of mutually hearing nodes that includes this node; on ties the
// one keeping most of the current view, then the lowest ids. Small hand-drawn graphs as a table
// (full mesh, one-way links, equal cliques, peers that do not hear us, incarnation mismatches,
// incumbents), then random 16-node graphs from fixed seeds compared with a brute-force search over
// every subset.
import { describe, expect, it } from 'vitest';
import { nodeId, randomChance, SeededRandom, type NodeId } from '../../../../src/lib/index.js';
import { chooseCandidate, type Member } from '../../../../src/ha/membership/index.js';

const m = (id: number, incarnation = 1): Member => ({ id: nodeId(id), incarnation });
const ids = (members: readonly Member[]): number[] => members.map((x) => x.id);

/**
 * A directed "hears" graph over nodes in incarnation 1: `edges` lists `a>b` for "a hears b" and
 * `a=b` for both directions. Node `self` is the one choosing; it hears (calls alive) whoever it has
 * an edge to, and knows what each of them hears.
 */
function choose(self: number, nodes: readonly number[], edges: readonly string[], current?: readonly number[]): number[] {
  const hears = new Map<number, Set<number>>(nodes.map((n) => [n, new Set<number>()]));
  for (const edge of edges) {
    const [a, b] = edge.split(/[>=]/).map(Number) as [number, number];
    hears.get(a)?.add(b);
    if (edge.includes('=')) hears.get(b)?.add(a);
  }
  const alive = [...(hears.get(self) ?? [])].map((id) => m(id));
  return ids(
    chooseCandidate({
      self: m(self),
      alive,
      hearsOf: (node) => (alive.some((a) => a.id === node) ? [...(hears.get(node) ?? [])].map((id) => m(id)) : undefined),
      ...(current === undefined ? {} : { current: current.map((id) => m(id)) }),
    }),
  );
}

/** Every pair of `nodes` as `a=b`. */
function mesh(nodes: readonly number[]): string[] {
  return nodes.flatMap((a, i) => nodes.slice(i + 1).map((b) => `${a}=${b}`));
}

describe('chooseCandidate', () => {
  const cases: readonly [string, number, readonly number[], readonly string[], readonly number[]][] = [
    ['alone: only itself', 1, [1, 2, 3], [], [1]],
    ['full mesh of 2', 2, [1, 2], ['1=2'], [1, 2]],
    ['full mesh of 5: everyone, from any node', 4, [1, 2, 3, 4, 5], mesh([1, 2, 3, 4, 5]), [1, 2, 3, 4, 5]],
    ['we hear a peer that does not hear us: excluded', 1, [1, 2], ['1>2'], [1]],
    ['a peer hears us but we do not hear it: excluded', 1, [1, 2], ['2>1'], [1]],
    // 1 and 2 both hear 3, 3 hears both; 1 hears 2 but 2 does not hear 1. Both {1,3} and {2,3} are
    // cliques; the tie goes to the lower ids, and 1 and 2 are never together.
    ['one-way between two peers of ours: never both in the candidate (seen from 3)', 3, [1, 2, 3], ['1=3', '2=3', '1>2'], [1, 3]],
    ['one-way between two peers: seen from 1', 1, [1, 2, 3], ['1=3', '2=3', '1>2'], [1, 3]],
    ['one-way between two peers: seen from 2, which loses the tie to 1 but still keeps 3', 2, [1, 2, 3], ['1=3', '2=3', '1>2'], [2, 3]],
    ['two disjoint pairs joined through us: the pair with the lower ids', 5, [1, 2, 3, 4, 5], ['5=1', '5=2', '5=3', '5=4', '1=2', '3=4'], [1, 2, 5]],
    ['equal cliques {1,4} and {2,3} with 5: the one holding the lowest id wins', 5, [1, 2, 3, 4, 5], ['5=1', '5=2', '5=3', '5=4', '1=4', '2=3'], [1, 4, 5]],
    ['equal cliques {2,3} and {2,4}: lexicographically smaller', 1, [1, 2, 3, 4], ['1=2', '1=3', '1=4', '2=3', '2=4'], [1, 2, 3]],
    ['bigger clique beats lower ids', 9, [1, 2, 5, 6, 7, 9], ['9=1', '9=2', '9=5', '9=6', '9=7', '1=2', ...mesh([5, 6, 7])], [5, 6, 7, 9]],
    ['a peer that hears nobody but us', 1, [1, 2, 3], ['1=2', '1=3'], [1, 2]],
  ];
  for (const [name, self, nodes, edges, expected] of cases) {
    it(name, () => {
      expect(choose(self, nodes, edges)).toEqual(expected);
    });
  }

  describe('ties keep the members of the current view', () => {
    // [name, self, nodes, edges, current view, expected]
    const incumbents: readonly [string, number, readonly number[], readonly string[], readonly number[], readonly number[]][] = [
      // The three-node storage test: view {1,3}; 2 reboots, 1 hears 2 and 3, 3 does not hear 2 yet.
      ['a rejoining node that only some members hear cannot push a member out', 1, [1, 2, 3], ['1=2', '1=3'], [1, 3], [1, 3]],
      ['without a view the tie still goes to the lowest ids', 1, [1, 2, 3], ['1=2', '1=3'], [], [1, 2]],
      ['the view already holds the lower ids: unchanged', 1, [1, 2, 3], ['1=2', '1=3'], [1, 2], [1, 2]],
      ['size first: a bigger clique wins over the current view', 1, [1, 2, 3, 4], ['1=4', ...mesh([1, 2, 3])], [1, 4], [1, 2, 3]],
      ['among equal cliques, the one with more incumbents', 5, [1, 2, 3, 4, 5], ['5=1', '5=2', '5=3', '5=4', '1=4', '2=3'], [2, 3, 5], [2, 3, 5]],
      ['incumbents split across equal cliques: the most kept, then the lowest ids', 5, [1, 2, 3, 4, 5], ['5=1', '5=2', '5=3', '5=4', '1=4', '2=3'], [1, 2, 3, 5], [2, 3, 5]],
    ];
    for (const [name, self, nodes, edges, current, expected] of incumbents) {
      it(name, () => {
        expect(choose(self, nodes, edges, current)).toEqual(expected);
      });
    }

    it('an incumbent in an old incarnation does not count', () => {
      // 2 and 3 hear only 1: {1,2} and {1,3} tie, and 3 is in the view only in another incarnation.
      const candidate = chooseCandidate({ self: m(1), alive: [m(2), m(3)], hearsOf: () => [m(1)], current: [m(1), m(3, 7)] });
      expect(ids(candidate)).toEqual([1, 2]);
    });
  });

  it('returns members in id order with their incarnations, whatever order alive and hears come in', () => {
    const self = m(3, 9);
    const peers = [m(7, 2), m(1, 5), m(5, 4)];
    const everyone = [self, ...peers];
    const candidate = chooseCandidate({
      self,
      alive: peers,
      hearsOf: (node) => everyone.filter((x) => x.id !== node).reverse(),
    });
    expect(candidate).toEqual([m(1, 5), m(3, 9), m(5, 4), m(7, 2)]);
  });

  it('incarnation mismatches count as not hearing', () => {
    // 2 hears us in an old incarnation of ours; 3 hears 4 in an old incarnation of 4.
    const self = m(1, 2);
    const alive = [m(2, 1), m(3, 1), m(4, 3)];
    const hears = new Map<number, Member[]>([
      [2, [m(1, 1), m(3, 1), m(4, 3)]],
      [3, [m(1, 2), m(2, 1), m(4, 2)]],
      [4, [m(1, 2), m(2, 1), m(3, 1)]],
    ]);
    const candidate = chooseCandidate({ self, alive, hearsOf: (node) => hears.get(node) });
    expect(candidate).toEqual([m(1, 2), m(3, 1)]);
  });

  it('a peer whose gossip is unknown (undefined) does not hear us', () => {
    const candidate = chooseCandidate({ self: m(1), alive: [m(2), m(3)], hearsOf: (node) => (node === 2 ? [m(1), m(3)] : undefined) });
    expect(ids(candidate)).toEqual([1, 2]);
  });

  it('only alive peers are candidates, even if others say they hear us', () => {
    const candidate = chooseCandidate({ self: m(1), alive: [m(3)], hearsOf: () => [m(1), m(2), m(3)] });
    expect(ids(candidate)).toEqual([1, 3]);
  });

  it('nodes with the same knowledge of a partitioned mesh choose the same set', () => {
    // Two groups {1,2,3} and {4,5,6}, with 3 and 4 hearing each other across: the larger clique
    // containing each node differs, but the members of one clique agree on it.
    const edges = [...mesh([1, 2, 3]), ...mesh([4, 5, 6]), '3=4'];
    const nodes = [1, 2, 3, 4, 5, 6];
    for (const self of [1, 2, 3]) expect(choose(self, nodes, edges)).toEqual([1, 2, 3]);
    for (const self of [5, 6]) expect(choose(self, nodes, edges)).toEqual([4, 5, 6]);
    expect(choose(4, nodes, edges)).toEqual([4, 5, 6]);
  });
});

/**
 * The largest clique containing `self` (ids 1..count); on ties the one with most ids in `current`,
 * then the lexicographically smallest sorted id list; by trying every subset. `adjacency[i]` has
 * bit j set when nodes i+1 and j+1 hear each other.
 */
function bruteForce(self: number, count: number, adjacency: readonly number[], current: ReadonlySet<number> = new Set()): number[] {
  const kept = (set: readonly number[]): number => set.filter((id) => current.has(id)).length;
  let best = [self];
  for (let mask = 0; mask < 1 << count; mask++) {
    if ((mask & (1 << (self - 1))) === 0) continue;
    let clique = true;
    for (let i = 0; i < count && clique; i++) if ((mask & (1 << i)) !== 0 && (((adjacency[i] ?? 0) | (1 << i)) & mask) !== mask) clique = false;
    if (!clique) continue;
    const set: number[] = [];
    for (let i = 0; i < count; i++) if ((mask & (1 << i)) !== 0) set.push(i + 1);
    const better = set.length > best.length || (set.length === best.length && (kept(set) > kept(best) || (kept(set) === kept(best) && lexLess(set, best))));
    if (better) best = set;
  }
  return best;
}

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

describe('chooseCandidate against brute force on random 16-node graphs', () => {
  const COUNT = 16;
  for (const density of [0.3, 0.6, 0.85, 0.97, 1]) {
    it(`each direction heard with probability ${density}`, () => {
      const random = new SeededRandom(Math.round(density * 1000));
      for (let round = 0; round < 16; round++) {
        // heard[a][b]: a hears b. Some pairs that are not heard are gossiped with a wrong
        // incarnation of b, which must count as not hearing.
        const heard = Array.from({ length: COUNT + 1 }, (_, a) => Array.from({ length: COUNT + 1 }, (_, b) => a !== b && randomChance(random, density)));
        const noise = Array.from({ length: COUNT + 1 }, () => Array.from({ length: COUNT + 1 }, () => randomChance(random, 0.5)));
        const hears = (a: number, b: number): boolean => heard[a]?.[b] === true;
        const self = round + 1;
        const alive: Member[] = [];
        for (let b = 1; b <= COUNT; b++) if (b !== self && hears(self, b)) alive.push(m(b));
        const hearsOf = (node: NodeId): readonly Member[] | undefined => {
          const list: Member[] = [];
          for (let b = 1; b <= COUNT; b++) {
            if (hears(node, b)) list.push(m(b));
            else if (b !== node && noise[node]?.[b] === true) list.push(m(b, 2));
          }
          return list;
        };
        const adjacency = Array.from({ length: COUNT }, (_, i) => {
          let mask = 0;
          for (let j = 0; j < COUNT; j++) if (i !== j && hears(i + 1, j + 1) && hears(j + 1, i + 1)) mask |= 1 << j;
          return mask;
        });
        expect(ids(chooseCandidate({ self: m(self), alive, hearsOf })), `density ${density} round ${round}`).toEqual(bruteForce(self, COUNT, adjacency));
        // The same graph with a random current view (self always in it): the tie-break keeps the most of it.
        const current = new Set([self, ...Array.from({ length: COUNT }, (_, i) => i + 1).filter(() => randomChance(random, 0.5))]);
        const withView = chooseCandidate({ self: m(self), alive, hearsOf, current: [...current].map((id) => m(id)) });
        expect(ids(withView), `density ${density} round ${round}, view ${[...current].join(',')}`).toEqual(bruteForce(self, COUNT, adjacency, current));
      }
    });
  }

  it('brute force itself: a known graph', () => {
    // 1-2-3 triangle and 3-4 edge, 16 nodes in all.
    const adjacency = Array<number>(16).fill(0);
    const link = (a: number, b: number): void => {
      adjacency[a - 1] = (adjacency[a - 1] ?? 0) | (1 << (b - 1));
      adjacency[b - 1] = (adjacency[b - 1] ?? 0) | (1 << (a - 1));
    };
    link(1, 2);
    link(2, 3);
    link(1, 3);
    link(3, 4);
    expect(bruteForce(3, 16, adjacency)).toEqual([1, 2, 3]);
    expect(bruteForce(4, 16, adjacency)).toEqual([3, 4]);
    expect(bruteForce(9, 16, adjacency)).toEqual([9]);
  });
});
