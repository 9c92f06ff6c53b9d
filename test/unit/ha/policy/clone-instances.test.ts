// Clone instance numbering and placement (Pacemaker's find_anonymous_clone and
// pcmk__assign_instances), and the colocation-set chaining that decides which members can run.
import { describe, expect, it } from 'vitest';
import { buildCib, dummy, summaryOf, type CibSpec } from './cib-builder.js';

interface Case {
  readonly name: string;
  readonly spec: CibSpec;
  readonly expected: string[];
}

const set = (id: string, members: readonly string[], attrs = ''): string => `<resource_set id="${id}"${attrs}>${members.map((m) => `<resource_ref id="${m}"/>`).join('')}</resource_set>`;

const colocationSets: Case[] = [
  {
    name: 'a colocation set chains each member with the one before it',
    spec: {
      nodes: [{ name: 'node1' }, { name: 'node2' }],
      resources: dummy('a') + dummy('b', { 'target-role': 'Stopped' }) + dummy('c'),
      constraints: `<rsc_colocation id="cs" score="INFINITY">${set('s', ['a', 'b', 'c'])}</rsc_colocation>`,
    },
    // c depends on b, which may not run: only a starts.
    expected: ['* Start a ( node1 )'],
  },
  {
    name: 'ordering="listed" chains each member with the one after it',
    spec: {
      nodes: [{ name: 'node1' }, { name: 'node2' }],
      resources: dummy('a') + dummy('b', { 'target-role': 'Stopped' }) + dummy('c'),
      constraints: `<rsc_colocation id="cs" score="INFINITY">${set('s', ['a', 'b', 'c'], ' ordering="listed"')}</rsc_colocation>`,
    },
    // a depends on b, which may not run: only c starts.
    expected: ['* Start c ( node1 )'],
  },
];

describe('colocation sets', () => {
  it.each(colocationSets)('$name', ({ spec, expected }) => {
    expect(summaryOf(buildCib(spec))).toEqual(expected.sort());
  });
});
