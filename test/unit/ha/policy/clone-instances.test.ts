// Clone instance numbering and placement (Pacemaker's find_anonymous_clone and
// pcmk__assign_instances), and the colocation-set chaining that decides which members can run.
import { describe, expect, it } from 'vitest';
import { buildCib, dummy, lrm, running, summaryOf, type CibSpec } from './cib-builder.js';

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

const clone = (meta: Readonly<Record<string, string>> = {}, child = dummy('d')): string =>
  `<clone id="c"><meta_attributes id="cm">${Object.entries(meta)
    .map(([k, v]) => `<nvpair id="cm-${k}" name="${k}" value="${v}"/>`)
    .join('')}</meta_attributes>${child}</clone>`;

const anonymousMatching: Case[] = [
  {
    name: 'a second active entry on a node is an orphan numbered on from clone-max',
    spec: { nodes: [{ name: 'node1', lrm: running('d:0') + running('d:1') }, { name: 'node2' }], resources: clone({ 'clone-max': '2' }) },
    expected: ['* Start d:1 ( node2 )', '* Stop d:2 ( node1 ) due to node availability'],
  },
  {
    name: 'orphan clone instances stop even with stop-orphan-resources=false',
    spec: { nodes: [{ name: 'node1', lrm: running('d:0') + running('d:1') }, { name: 'node2' }], resources: clone({ 'clone-max': '2' }), options: { 'stop-orphan-resources': 'false' } },
    expected: ['* Start d:1 ( node2 )', '* Stop d:2 ( node1 ) due to node availability'],
  },
  {
    name: 'clone-max=0: the history matches :0 first, then orphans :1, :2, ...',
    spec: { nodes: [{ name: 'node1', lrm: running('d') }, { name: 'node2', lrm: running('d') }], resources: clone({ 'clone-max': '0' }) },
    expected: ['* Stop d:0 ( node1 ) due to node availability', '* Stop d:1 ( node2 ) due to node availability'],
  },
  {
    name: 'a pending operation claims the instance for its node',
    spec: {
      nodes: [{ name: 'node1', lrm: lrm('d', [['monitor', 7, 1]]) }, { name: 'node2', lrm: lrm('d', [['stop', 0, -1]]) }, { name: 'node3', lrm: running('d') }],
      resources: clone({ 'clone-max': '2' }),
    },
    // :0 is pending on node2, so node3's copy is :1 and the free :0 starts.
    expected: ['* Start d:0 ( node1 )'],
  },
  {
    name: 'a cloned group member running twice on a node is an orphan of a new group instance',
    spec: {
      nodes: [{ name: 'node1', lrm: running('a:0') + running('b:1') + running('b:0') }, { name: 'node2' }],
      resources: clone({ 'clone-max': '2' }, `<group id="g">${dummy('a')}${dummy('b')}</group>`),
    },
    expected: ['* Start a:1 ( node2 )', '* Start b:1 ( node2 )', '* Stop b:2 ( node1 ) due to node availability'],
  },
];

describe('anonymous clone instance matching', () => {
  it.each(anonymousMatching)('$name', ({ spec, expected }) => {
    expect(summaryOf(buildCib(spec))).toEqual(expected.sort());
  });
});
