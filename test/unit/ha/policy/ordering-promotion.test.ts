// Orders and promotion: how a stop forced through an order is worded, the stop side of orders,
// and the choice of the instance to promote or demote.
import { describe, expect, it } from 'vitest';
import { buildCib, dummy, lrm, running, summaryOf, type CibSpec } from './cib-builder.js';

const promotable = (id: string, child: string): string => `<clone id="${id}"><meta_attributes id="${id}-m"><nvpair id="${id}-p" name="promotable" value="true"/></meta_attributes>${child}</clone>`;

const wording: { name: string; spec: CibSpec; expected: string[] }[] = [
  {
    name: 'a disabled primitive that runs: its stop is required',
    spec: { nodes: [{ name: 'node1', lrm: running('a') + running('b') }], resources: dummy('a', { 'target-role': 'Stopped' }) + dummy('b'), constraints: '<rsc_order id="o" first="a" then="b"/>' },
    expected: ['* Stop a ( node1 ) due to node availability', '* Stop b ( node1 ) due to required a start'],
  },
  {
    name: 'a disabled primitive that does not run is unrunnable',
    spec: { nodes: [{ name: 'node1', lrm: running('b') }], resources: dummy('a', { 'target-role': 'Stopped' }) + dummy('b'), constraints: '<rsc_order id="o" first="a" then="b"/>' },
    expected: ['* Stop b ( node1 ) due to unrunnable a start'],
  },
  {
    name: 'a disabled clone that runs has no runnable "running" action',
    spec: {
      nodes: [{ name: 'node1', lrm: running('c') + running('b') }],
      resources: `<clone id="cl"><meta_attributes id="cl-m"><nvpair id="cl-t" name="target-role" value="Stopped"/></meta_attributes>${dummy('c')}</clone>${dummy('b')}`,
      constraints: '<rsc_order id="o" first="cl" then="b"/>',
    },
    expected: ['* Stop b ( node1 ) due to unrunnable cl running', '* Stop c:0 ( node1 ) due to node availability'],
  },
  {
    name: 'a promoted clone instance stopped through a disabled primitive is required',
    spec: {
      nodes: [{ name: 'node1', lrm: running('a') + running('s'), transient: { 'master-s': '10' } }],
      resources: dummy('a', { 'target-role': 'Stopped' }) + promotable('ms', dummy('s')),
      constraints: '<rsc_order id="o" first="a" then="ms"/>',
    },
    expected: ['* Stop a ( node1 ) due to node availability', '* Stop s:0 ( Unpromoted node1 ) due to required a start'],
  },
];

const failedStop = (id: string): string => lrm(id, [['start', 0, 2], ['stop', 1, 3]]);

wording.push(
  {
    name: 'a group member that must move waits for the blocked stop of the next member',
    spec: {
      nodes: [{ name: 'node1', state: 'standby', lrm: running('a') + failedStop('b') }, { name: 'node2' }],
      resources: `<group id="g">${dummy('a')}${dummy('b')}</group>`,
    },
    expected: ['* Stop a ( node1 ) due to unrunnable b stop (blocked)'],
  },
  {
    name: 'restarts behind a blocked member: the first is unrunnable, the next required by its stop',
    spec: {
      nodes: [{ name: 'node1', lrm: running('r2') + running('r3') + failedStop('r4') }],
      resources: `<group id="g">${dummy('r1')}${dummy('r2')}${dummy('r3')}${dummy('r4')}</group>`,
    },
    expected: ['* Start r1 ( node1 )', '* Stop r2 ( node1 ) due to unrunnable r3 stop (blocked)', '* Stop r3 ( node1 ) due to required r2 stop (blocked)'],
  },
);

describe('stops forced through orders', () => {
  it.each(wording)('$name', ({ spec, expected }) => {
    expect(summaryOf(buildCib(spec))).toEqual([...expected].sort());
  });
});

const promotion: { name: string; spec: CibSpec; expected: string[] }[] = [
  {
    name: 'without quorum, an instance chosen for promotion shows a blocked Promote',
    spec: {
      quorum: false,
      nodes: [{ name: 'node1', transient: { 'master-s': '10' } }, { name: 'node2' }],
      resources: promotable('ms', dummy('s')),
    },
    expected: ['* Promote s:0 ( Stopped -> Promoted node1 ) blocked', '* Start s:1 ( node2 ) due to no quorum (blocked)'],
  },
  {
    name: 'an instance to be promoted whose start an order blocks shows a blocked Promote',
    spec: {
      nodes: [{ name: 'node1', transient: { 'master-s': '10' } }],
      resources: dummy('a', { 'target-role': 'Stopped' }) + promotable('ms', dummy('s')),
      constraints: '<rsc_order id="o" first="a" then="ms"/>',
    },
    expected: ['* Promote s:0 ( Stopped -> Promoted node1 ) blocked'],
  },
  {
    name: "a resource colocated with the promoted role brings its preferences to the clone's node weights",
    spec: {
      nodes: [
        { name: 'node1', lrm: running('s'), transient: { 'master-s': '10' } },
        { name: 'node2', lrm: running('s'), transient: { 'master-s': '10' } },
      ],
      resources: promotable('ms', dummy('s')) + dummy('ip'),
      constraints: '<rsc_location id="l" rsc="ip" node="node2" score="100"/><rsc_colocation id="c" rsc="ip" with-rsc="ms" with-rsc-role="Promoted" score="INFINITY"/>',
    },
    expected: ['* Promote s:1 ( Unpromoted -> Promoted node2 )', '* Start ip ( node2 )'],
  },
  {
    name: 'the promotion score is read under the name the history knows the instance by',
    spec: {
      nodes: [
        { name: 'node1', lrm: running('s:1'), transient: { 'master-s:1': '10' } },
        { name: 'node2', lrm: running('s:0'), transient: { 'master-s:0': '5' } },
      ],
      resources: promotable('ms', dummy('s')),
    },
    expected: ['* Promote s:0 ( Unpromoted -> Promoted node1 )'],
  },
  {
    name: 'a promoted instance blocked by a failed demote stays the promoted one',
    spec: {
      nodes: [
        { name: 'node1', lrm: lrm('s', [['start', 0, 2], ['promote', 0, 3], ['demote', 1, 4]]), transient: { 'master-s': '5' } },
        { name: 'node2', lrm: running('s'), transient: { 'master-s': '10' } },
      ],
      resources: promotable('ms', dummy('s', {}, '<op id="s-d" name="demote" interval="0" on-fail="block"/>')),
    },
    expected: [],
  },
  {
    name: 'instances on one node tie on its weight: the higher own score is promoted',
    spec: {
      nodes: [{ name: 'node1', transient: { 'master-s:0': '10', 'master-s:1': '20' } }],
      resources: `<clone id="ms"><meta_attributes id="ms-m"><nvpair id="ms-p" name="promotable" value="true"/><nvpair id="ms-u" name="globally-unique" value="true"/><nvpair id="ms-n" name="clone-node-max" value="2"/><nvpair id="ms-x" name="clone-max" value="2"/></meta_attributes>${dummy('s')}</clone>`,
    },
    expected: ['* Promote s:1 ( Stopped -> Promoted node1 )', '* Start s:0 ( node1 )'],
  },
  {
    name: 'a dependent that can run nowhere is rolled back from the promotion weights',
    spec: {
      nodes: [
        { name: 'node1', lrm: running('s'), transient: { 'master-s': '10' } },
        { name: 'node2', lrm: running('s'), transient: { 'master-s': '10' } },
      ],
      resources: promotable('ms', dummy('s')) + dummy('ip') + dummy('vg'),
      constraints:
        '<rsc_location id="l" rsc="ip" node="node2" score="100"/><rsc_colocation id="c1" rsc="ip" with-rsc="ms" score="INFINITY"/>' +
        '<rsc_location id="b1" rsc="vg" node="node1" score="-INFINITY"/><rsc_location id="b2" rsc="vg" node="node2" score="-INFINITY"/>' +
        '<rsc_colocation id="c2" rsc="vg" with-rsc="ms" with-rsc-role="Promoted" score="INFINITY"/>',
    },
    expected: ['* Promote s:1 ( Unpromoted -> Promoted node2 )', '* Start ip ( node2 )'],
  },
  {
    name: 'an optional colocation of the promoted role gives no promotion score by itself',
    spec: {
      nodes: [{ name: 'node1' }],
      resources: dummy('ip') + promotable('ms', dummy('s')),
      constraints: '<rsc_colocation id="c" rsc="ms" rsc-role="Promoted" with-rsc="ip" score="100"/>',
    },
    expected: ['* Start ip ( node1 )', '* Start s:0 ( node1 )'],
  },
];

describe('promotion', () => {
  it.each(promotion)('$name', ({ spec, expected }) => {
    expect(summaryOf(buildCib(spec))).toEqual([...expected].sort());
  });
});

const multiplyActive: { name: string; spec: CibSpec; expected: string[] }[] = [
  {
    name: 'moving away from the first node it is active on is a Move',
    spec: { nodes: [{ name: 'node1', lrm: running('a') }, { name: 'node2', lrm: running('a') }], resources: dummy('a'), constraints: '<rsc_location id="l" rsc="a" node="node2" score="100"/>' },
    expected: ['* Move a ( node1 -> node2 )'],
  },
  {
    name: 'staying on the first node it is active on is a Restart',
    spec: { nodes: [{ name: 'node1', lrm: running('a') }, { name: 'node2', lrm: running('a') }], resources: dummy('a'), constraints: '<rsc_location id="l" rsc="a" node="node1" score="100"/>' },
    expected: ['* Restart a ( node1 )'],
  },
  {
    name: 'a primitive found promoted shows its role on the Move',
    spec: {
      nodes: [{ name: 'node1', lrm: lrm('a', [['monitor', 8, 3, 0, 8]]) }, { name: 'node2', lrm: running('a') }],
      resources: dummy('a'),
      constraints: '<rsc_location id="l" rsc="a" node="node2" score="100"/>',
    },
    expected: ['* Move a ( Promoted node1 -> Started node2 )'],
  },
];

describe('multiply active primitives', () => {
  it.each(multiplyActive)('$name', ({ spec, expected }) => {
    expect(summaryOf(buildCib(spec))).toEqual([...expected].sort());
  });
});

const clone = (id: string, child: string, meta: Readonly<Record<string, string>> = {}): string =>
  `<clone id="${id}"><meta_attributes id="${id}-m">${Object.entries(meta)
    .map(([k, v]) => `<nvpair id="${id}-${k}" name="${k}" value="${v}"/>`)
    .join('')}</meta_attributes>${child}</clone>`;

const chains: { name: string; spec: CibSpec; expected: string[] }[] = [
  {
    name: 'a role on a colocation with a plain clone is ignored',
    spec: {
      nodes: [{ name: 'node1', lrm: running('ip') + running('c') }, { name: 'node2', lrm: running('c') }],
      resources: dummy('ip') + clone('cl', dummy('c')),
      constraints: '<rsc_colocation id="x" rsc="ip" with-rsc="cl" with-rsc-role="Promoted" score="INFINITY"/>',
    },
    expected: [],
  },
  {
    name: 'a colocation with the promoted role of a primitive has no influence',
    spec: {
      nodes: [{ name: 'node1', lrm: running('ip') }, { name: 'node2', lrm: running('p') }],
      resources: dummy('ip') + dummy('p'),
      constraints: '<rsc_colocation id="x" rsc="ip" with-rsc="p" with-rsc-role="Promoted" score="INFINITY"/>',
    },
    expected: [],
  },
  {
    name: 'interleaved clones behind a disabled clone are left unassigned along the whole chain',
    spec: {
      nodes: [{ name: 'node1' }, { name: 'node2' }],
      resources: clone('ca', dummy('a'), { 'target-role': 'Stopped' }) + clone('cb', dummy('b'), { interleave: 'true' }) + clone('cc', dummy('c'), { interleave: 'true' }),
      constraints: '<rsc_order id="o1" first="ca" then="cb"/><rsc_order id="o2" first="cb" then="cc"/>',
    },
    expected: [],
  },
  {
    name: 'a running interleaved instance whose peer is gone stops without a reason',
    spec: {
      nodes: [{ name: 'node1', lrm: running('a') + running('b') }],
      resources: clone('ca', dummy('a'), { 'target-role': 'Stopped' }) + clone('cb', dummy('b'), { interleave: 'true' }),
      constraints: '<rsc_order id="o1" first="ca" then="cb"/>',
    },
    expected: ['* Stop a:0 ( node1 ) due to node availability', '* Stop b:0 ( node1 )'],
  },
];

describe('order and colocation chains', () => {
  it.each(chains)('$name', ({ spec, expected }) => {
    expect(summaryOf(buildCib(spec))).toEqual([...expected].sort());
  });
});
