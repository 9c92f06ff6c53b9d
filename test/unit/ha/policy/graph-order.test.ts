// The graph's list order helpers, which the passes after createGraph use to add actions without
// sorting the whole graph again: merging must give what a stable sort of both lists gives, however
// long each list is (short into long goes by binary search), and the instance-number strip must
// match the regular expression it replaces.
import { describe, expect, it } from 'vitest';
import { compareText, mergeSorted, mergeSortedBy } from '../../../../src/ha/policy/graph-order.js';
import { withoutInstanceNumber } from '../../../../src/ha/policy/model.js';
import { SeededRandom, randomInt } from '../../../../src/lib/index.js';

interface Item {
  readonly key: string;
  readonly from: 'a' | 'b';
}

const byKey = (x: Item, y: Item): number => compareText(x.key, y.key);

function sortedItems(random: SeededRandom, length: number, from: 'a' | 'b'): Item[] {
  // Few distinct keys, so that ties between the lists are common.
  return Array.from({ length }, () => ({ key: `k${randomInt(random, 0, 30)}`, from })).sort(byKey);
}

describe('mergeSorted and mergeSortedBy', () => {
  const random = new SeededRandom(4);
  const lengths = [0, 1, 2, 5, 40, 400];
  for (const la of lengths) {
    for (const lb of lengths) {
      it(`${la} + ${lb} elements: a stable sort of both, the first list's element first on ties`, () => {
        const a = sortedItems(random, la, 'a');
        const b = sortedItems(random, lb, 'b');
        // Array.prototype.sort is stable: a's elements stay before equal ones of b.
        const expected = [...a, ...b].sort(byKey);
        expect(mergeSorted(a, b, byKey)).toEqual(expected);
        expect(mergeSortedBy(a, b, (x, j) => byKey(x, b[j] as Item))).toEqual(expected);
      });
    }
  }
});

describe('withoutInstanceNumber', () => {
  it.each(['rsc', 'rsc:0', 'rsc:12', 'a:1:2', 'a:b', 'a:', ':3', 'a:1b', 'grp-01-ip', 'x:00', 'a::1', ''])('%j as /:\\d+$/ removes it', (id) => {
    expect(withoutInstanceNumber(id)).toBe(id.replace(/:\d+$/, ''));
  });
});
