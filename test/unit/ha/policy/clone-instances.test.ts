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

// node1 left cleanly but its history shows d running; node2 runs the fence device.
const offlineHistory = (stonith: string): CibSpec => ({
  nodes: [{ name: 'node1', state: 'offline', lrm: running('d') }, { name: 'node2', lrm: running('f') }, { name: 'node3' }],
  resources: '<primitive id="f" class="stonith" type="fence_dummy"/>' + clone(),
  options: { 'stonith-enabled': stonith },
});

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
  {
    name: 'with fencing, an offline node whose history shows an instance active is fenced and keeps the number',
    spec: offlineHistory('true'),
    expected: ["* Fence (reboot) node1 'd:0 is thought to be active there'", '* Move d:0 ( node1 -> node3 )', '* Start d:1 ( node2 )'],
  },
  {
    name: "without fencing, an offline node's history is not read",
    spec: offlineHistory('false'),
    expected: ['* Start d:0 ( node3 )', '* Start d:1 ( node2 )'],
  },
];

describe('anonymous clone instance matching', () => {
  it.each(anonymousMatching)('$name', ({ spec, expected }) => {
    expect(summaryOf(buildCib(spec))).toEqual(expected.sort());
  });
});

const attrs = (node: string, transient: Readonly<Record<string, string>>, lrmXml = ''): CibSpec['nodes'][number] => ({ name: node, transient, lrm: lrmXml });
const bothOnNode1 = (meta: Readonly<Record<string, string>>): CibSpec => ({
  nodes: [{ name: 'node1', lrm: running('d:0') + running('d:1') }, { name: 'node2' }],
  resources: clone(meta),
  constraints: '<rsc_location id="l1" rsc="c" node="node1" score="100"/><rsc_location id="l2" rsc="c" node="node2" score="100"/>',
});

// node1 also runs x, so it has more resources assigned than node2 when the clone is placed.
const failedOnBusyNode = (historyId: string, meta: Readonly<Record<string, string>>): CibSpec => ({
  nodes: [{ name: 'node1', lrm: running('x') + lrm(historyId, [['start', 0, 2], ['monitor', 1, 3, 10000, 0]]) }, { name: 'node2' }],
  resources: dummy('x') + clone(meta),
  constraints: '<rsc_location id="l1" rsc="c" node="node1" score="100"/><rsc_location id="l2" rsc="c" node="node2" score="100"/>',
});

const assignment: Case[] = [
  {
    name: 'an instance displaced from a full node is placed before stopped instances',
    spec: {
      nodes: [{ name: 'node1', lrm: running('d:0') + running('d:1') }, { name: 'node2' }],
      resources: clone({ 'globally-unique': 'true', 'clone-max': '3', 'clone-node-max': '1' }),
    },
    expected: ['* Move d:1 ( node1 -> node2 )'],
  },
  {
    name: 'active instances keep their node only up to the optimal share (clone-max / nodes)',
    spec: bothOnNode1({ 'globally-unique': 'true', 'clone-max': '2', 'clone-node-max': '2', 'resource-stickiness': '0' }),
    expected: ['* Move d:1 ( node1 -> node2 )'],
  },
  {
    name: 'a recovering anonymous instance keeps its node when it ties with the best positive score',
    spec: failedOnBusyNode('d', { 'clone-max': '1', 'resource-stickiness': '0' }),
    expected: ['* Recover d:0 ( node1 )'],
  },
  {
    name: 'a recovering unique instance goes to the least loaded of the tied nodes',
    spec: failedOnBusyNode('d:0', { 'globally-unique': 'true', 'clone-max': '1', 'resource-stickiness': '0' }),
    expected: ['* Recover d:0 ( node1 -> node2 )'],
  },
  {
    name: "a unique instance's promotion score (master-rsc:N) feeds its allocation",
    spec: {
      nodes: [{ name: 'node1' }, attrs('node2', { 'master-d:0': '10' })],
      resources: clone({ 'globally-unique': 'true', promotable: 'true', 'clone-max': '1' }),
    },
    expected: ['* Promote d:0 ( Stopped -> Promoted node2 )'],
  },
  {
    name: 'instances known nowhere take the promotion score as priority and are placed first',
    spec: {
      nodes: [
        attrs('node1', { 'master-d': '10' }, running('d')),
        { name: 'node2', lrm: lrm('d', [['monitor', 7, 1]]) },
        { name: 'node3', lrm: lrm('d', [['monitor', 7, 1]]) },
        { name: 'node4', lrm: lrm('d', [['monitor', 7, 1]]) },
      ],
      resources: clone({ promotable: 'true' }),
    },
    // d:1 is the instance probed on node2-4: it carries no promotion score, so d:2 and d:3 go first.
    expected: ['* Promote d:0 ( Unpromoted -> Promoted node1 )', '* Start d:1 ( node4 )', '* Start d:2 ( node2 )', '* Start d:3 ( node3 )'],
  },
];

describe('clone instance assignment', () => {
  it.each(assignment)('$name', ({ spec, expected }) => {
    expect(summaryOf(buildCib(spec))).toEqual(expected.sort());
  });
});
