// resolveNvSets: Pacemaker 2.1's merge of nvsets without overwrite. Table rows give sets and the
// expected resulting map: first pair wins within a set, higher score first, equal scores in
// reverse document order, firstId first, rule-guarded sets only where the rule passes, pairs
// without a value ignored, #default removes the value set so far.
import { describe, expect, it } from 'vitest';
import { resolveNvSets, type NvSet, type ResolveNvSetsOptions, type Rule } from '../../../../src/ha/cib/index.js';

const set = (id: string, pairs: Record<string, string | undefined>, extra: Partial<NvSet> = {}): NvSet => ({
  id,
  rules: [],
  pairs: Object.entries(pairs).map(([name, value]) => (value === undefined ? { id: `${id}-${name}`, name } : { id: `${id}-${name}`, name, value })),
  ...extra,
});
const rule = (id: string): Rule => ({ id, expressions: [] });

describe('resolveNvSets', () => {
  const cases: readonly [string, readonly NvSet[], ResolveNvSetsOptions, Record<string, string>][] = [
    ['one set', [set('a', { x: '1', y: '2' })], {}, { x: '1', y: '2' }],
    ['first pair of a name wins within a set', [{ id: 'a', rules: [], pairs: [{ id: 'p1', name: 'x', value: '1' }, { id: 'p2', name: 'x', value: '2' }] }], {}, { x: '1' }],
    ['higher score wins', [set('a', { x: 'low' }, { score: 1 }), set('b', { x: 'high' }, { score: 10 })], {}, { x: 'high' }],
    ['equal scores: the later set wins', [set('a', { x: 'first' }), set('b', { x: 'second' })], {}, { x: 'second' }],
    ['firstId beats scores', [set('a', { x: 'a' }, { score: 100 }), set('cib-bootstrap-options', { x: 'boot' })], { firstId: 'cib-bootstrap-options' }, { x: 'boot' }],
    ['a pair without a value is ignored', [set('a', { x: undefined }), set('b', { x: 'b' }, { score: -1 })], {}, { x: 'b' }],
    ['#default removes the value set so far', [set('a', { x: '1' }, { score: 5 }), set('b', { x: '#default' }, { score: 3 }), set('c', { x: '3' }, { score: 1 })], {}, { x: '3' }],
    ['rule-guarded sets are skipped by default', [set('a', { x: 'guarded' }, { rules: [rule('r')], score: 9 }), set('b', { x: 'plain' })], {}, { x: 'plain' }],
    ['rule-guarded sets apply where the rule passes', [set('a', { x: 'guarded' }, { rules: [rule('r')], score: 9 }), set('b', { x: 'plain' })], { ruleMatches: (r) => r.id === 'r' }, { x: 'guarded' }],
  ];
  for (const [name, sets, options, expected] of cases) {
    it(name, () => {
      expect(Object.fromEntries(resolveNvSets(sets, options))).toEqual(expected);
    });
  }
});
