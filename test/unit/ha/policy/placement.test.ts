// Placement rules: symmetric and opt-in clusters, location scores and rules, stickiness, standby,
// offline nodes, colocation (mandatory, anti, advisory), groups and target-role.
import { describe, expect, it } from 'vitest';
import { buildCib, dummy, running, summaryOf, type CibSpec } from './cib-builder.js';

const two = (a: Partial<{ lrm: string }> = {}, b: Partial<{ lrm: string }> = {}): CibSpec['nodes'] => [
  { name: 'node1', ...a },
  { name: 'node2', ...b },
];

const cases: { name: string; spec: CibSpec; expected: string[] }[] = [
  { name: 'a stopped resource starts on the first node', spec: { nodes: two(), resources: dummy('rsc') }, expected: ['* Start rsc ( node1 )'] },
  { name: 'a running resource stays where it is', spec: { nodes: two({ lrm: running('rsc') }), resources: dummy('rsc') }, expected: [] },
  {
    name: 'a location preference moves a resource without stickiness',
    spec: { nodes: two({ lrm: running('rsc') }), resources: dummy('rsc'), constraints: '<rsc_location id="l" rsc="rsc" node="node2" score="100"/>' },
    expected: ['* Move rsc ( node1 -> node2 )'],
  },
  {
    name: 'stickiness above the preference keeps it in place',
    spec: { nodes: two({ lrm: running('rsc') }), resources: dummy('rsc', { 'resource-stickiness': '200' }), constraints: '<rsc_location id="l" rsc="rsc" node="node2" score="100"/>' },
    expected: [],
  },
  {
    name: '-INFINITY on every node stops it',
    spec: {
      nodes: two({ lrm: running('rsc') }),
      resources: dummy('rsc'),
      constraints: '<rsc_location id="l1" rsc="rsc" node="node1" score="-INFINITY"/><rsc_location id="l2" rsc="rsc" node="node2" score="-INFINITY"/>',
    },
    expected: ['* Stop rsc ( node1 ) due to node availability'],
  },
  { name: 'an opt-in cluster runs nothing without a positive location', spec: { nodes: two(), resources: dummy('rsc'), options: { 'symmetric-cluster': 'false' } }, expected: [] },
  {
    name: 'location rules on node attributes',
    spec: {
      nodes: two(),
      resources: dummy('rsc'),
      constraints: '<rsc_location id="l" rsc="rsc"><rule id="r" score="50"><expression id="e" attribute="#uname" operation="eq" value="node2"/></rule></rsc_location>',
    },
    expected: ['* Start rsc ( node2 )'],
  },
  { name: 'standby moves resources away', spec: { nodes: [{ name: 'node1', state: 'standby', lrm: running('rsc') }, { name: 'node2' }], resources: dummy('rsc') }, expected: ['* Move rsc ( node1 -> node2 )'] },
  { name: 'target-role=Stopped stops', spec: { nodes: two({ lrm: running('rsc') }), resources: dummy('rsc', { 'target-role': 'Stopped' }) }, expected: ['* Stop rsc ( node1 ) due to node availability'] },
  { name: 'is-managed=false leaves it alone', spec: { nodes: [{ name: 'node1', state: 'standby', lrm: running('rsc') }, { name: 'node2' }], resources: dummy('rsc', { 'is-managed': 'false' }) }, expected: [] },
  {
    name: 'a mandatory colocation follows the primary',
    spec: { nodes: two({}, { lrm: running('a') }), resources: dummy('a') + dummy('b'), constraints: '<rsc_colocation id="c" rsc="b" with-rsc="a" score="INFINITY"/>' },
    expected: ['* Start b ( node2 )'],
  },
  {
    name: 'an anti-colocation keeps them apart',
    spec: { nodes: two({ lrm: running('a') }), resources: dummy('a') + dummy('b'), constraints: '<rsc_colocation id="c" rsc="b" with-rsc="a" score="-INFINITY"/>' },
    expected: ['* Start b ( node2 )'],
  },
  {
    name: 'a group starts together on one node',
    spec: { nodes: two(), resources: `<group id="g">${dummy('g1')}${dummy('g2')}</group>` },
    expected: ['* Start g1 ( node1 )', '* Start g2 ( node1 )'],
  },
  {
    name: 'a group member that cannot run anywhere stops alone; the group stays',
    spec: {
      nodes: two({ lrm: running('g1') + running('g2') }),
      resources: `<group id="g">${dummy('g1')}${dummy('g2')}</group>`,
      constraints: '<rsc_location id="l1" rsc="g2" node="node1" score="-INFINITY"/><rsc_location id="l2" rsc="g2" node="node2" score="-INFINITY"/>',
    },
    expected: ['* Stop g2 ( node1 ) due to node availability'],
  },
  {
    name: 'a node in maintenance gets no new resources',
    spec: { nodes: [{ name: 'node1', state: 'maintenance' }, { name: 'node2' }], resources: dummy('rsc') },
    expected: ['* Start rsc ( node2 )'],
  },
];

describe('placement', () => {
  it.each(cases)('$name', ({ spec, expected }) => {
    expect(summaryOf(buildCib(spec))).toEqual([...expected].sort());
  });
});
