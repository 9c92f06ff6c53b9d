// Colocation sets as Pacemaker unpacks them: with a negative score every member keeps away from
// every earlier member; with a positive score each member is placed with the previous one, or,
// with ordering="listed", each with the next one.
import { describe, expect, it } from 'vitest';
import { buildCib, dummy, running, summaryOf, type CibSpec } from './cib-builder.js';

const ban = (rsc: string, node: string): string => `<rsc_location id="ban-${rsc}-${node}" rsc="${rsc}" node="${node}" score="-INFINITY"/>`;
const set = (score: string, members: readonly string[], ordering?: string): string =>
  `<rsc_colocation id="c" score="${score}"><resource_set id="s"${ordering === undefined ? '' : ` ordering="${ordering}"`}>${members.map((m) => `<resource_ref id="${m}"/>`).join('')}</resource_set></rsc_colocation>`;

const cases: { name: string; spec: CibSpec; expected: string[] }[] = [
  {
    name: 'negative: the last member keeps away from every earlier one',
    spec: { nodes: [{ name: 'n1', lrm: running('a') }, { name: 'n2', lrm: running('b') }], resources: dummy('a') + dummy('b') + dummy('c'), constraints: set('-INFINITY', ['a', 'b', 'c']) },
    expected: [],
  },
  {
    name: 'positive: each member with the previous one',
    spec: { nodes: [{ name: 'n1' }, { name: 'n2' }], resources: dummy('a') + dummy('b'), constraints: set('INFINITY', ['a', 'b']) + ban('a', 'n2') + ban('b', 'n1') },
    expected: ['* Start a ( n1 )'],
  },
  {
    name: 'positive, ordering=listed: each member with the next one',
    spec: { nodes: [{ name: 'n1' }, { name: 'n2' }], resources: dummy('a') + dummy('b'), constraints: set('INFINITY', ['a', 'b'], 'listed') + ban('a', 'n2') + ban('b', 'n1') },
    expected: ['* Start b ( n2 )'],
  },
];

describe('colocation sets', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(summaryOf(buildCib(c.spec))).toEqual([...c.expected].sort());
    });
  }
});
