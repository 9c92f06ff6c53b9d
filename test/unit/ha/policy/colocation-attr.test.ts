// node-attribute colocations: the dependent's preferences merged into the primary count per
// attribute value (its best weight on a node with the same value), so the primary goes where the
// dependent can follow.
import { describe, expect, it } from 'vitest';
import { buildCib, dummy, summaryOf, type CibSpec } from './cib-builder.js';

const ban = (rsc: string, node: string): string => `<rsc_location id="ban-${rsc}-${node}" rsc="${rsc}" node="${node}" score="-INFINITY"/>`;
const nodes = [
  { name: 'n1', transient: { site: 'front' } },
  { name: 'n2', transient: { site: 'front' } },
  { name: 'n3', transient: { site: 'back' } },
  { name: 'n4', transient: { site: 'back' } },
];
const coloc = (score: string): string => `<rsc_colocation id="c" rsc="b" with-rsc="a" node-attribute="site" score="${score}"/>`;

const cases: { name: string; spec: CibSpec; expected: string[] }[] = [
  {
    name: 'the primary goes to the site where the dependent can run',
    spec: { nodes, resources: dummy('a') + dummy('b'), constraints: ban('a', 'n2') + ban('a', 'n4') + ban('b', 'n1') + ban('b', 'n2') + ban('b', 'n3') + coloc('INFINITY') },
    expected: ['* Start a ( n3 )', '* Start b ( n4 )'],
  },
  {
    name: 'without a usable node of that site the dependent stays stopped',
    spec: { nodes, resources: dummy('a') + dummy('b'), constraints: ban('a', 'n3') + ban('a', 'n4') + ban('b', 'n1') + ban('b', 'n2') + coloc('INFINITY') },
    expected: ['* Start a ( n1 )'],
  },
];

describe('node-attribute colocations', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(summaryOf(buildCib(c.spec))).toEqual([...c.expected].sort());
    });
  }
});
