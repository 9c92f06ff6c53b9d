// Ordering and clones: a restart of `first` restarts `then`, an unrunnable `first` stops `then`,
// clone instances spread over nodes, and the promotion score chooses the promoted instance.
import { describe, expect, it } from 'vitest';
import { buildCib, dummy, lrm, running, summaryOf, type CibSpec } from './cib-builder.js';

const cases: { name: string; spec: CibSpec; expected: string[] }[] = [
  {
    name: 'recovering first restarts then',
    spec: { nodes: [{ name: 'node1', lrm: lrm('a', [['start', 0, 2], ['monitor', 1, 3, 10000, 0]]) + running('b') }], resources: dummy('a') + dummy('b'), constraints: '<rsc_order id="o" first="a" then="b"/>' },
    expected: ['* Recover a ( node1 )', '* Restart b ( node1 ) due to required a start'],
  },
  {
    name: 'an unrunnable first stops then',
    spec: { nodes: [{ name: 'node1', lrm: running('b') }], resources: dummy('a', { 'target-role': 'Stopped' }) + dummy('b'), constraints: '<rsc_order id="o" first="a" then="b"/>' },
    expected: ['* Stop b ( node1 ) due to unrunnable a start'],
  },
  {
    name: 'an optional order changes nothing',
    spec: { nodes: [{ name: 'node1', lrm: running('b') }], resources: dummy('a', { 'target-role': 'Stopped' }) + dummy('b'), constraints: '<rsc_order id="o" first="a" then="b" kind="Optional"/>' },
    expected: [],
  },
  {
    name: 'an anonymous clone starts one instance per node',
    spec: { nodes: [{ name: 'node1' }, { name: 'node2' }], resources: `<clone id="c">${dummy('d')}</clone>` },
    expected: ['* Start d:0 ( node1 )', '* Start d:1 ( node2 )'],
  },
  {
    name: 'the instance with the best promotion score is promoted',
    spec: {
      nodes: [
        { name: 'node1', lrm: running('s'), transient: { 'master-s': '5' } },
        { name: 'node2', lrm: running('s'), transient: { 'master-s': '10' } },
      ],
      resources: `<clone id="ms"><meta_attributes id="ms-m"><nvpair id="p" name="promotable" value="true"/></meta_attributes>${dummy('s')}</clone>`,
    },
    expected: ['* Promote s:1 ( Unpromoted -> Promoted node2 )'],
  },
];

describe('ordering and clones', () => {
  it.each(cases)('$name', ({ spec, expected }) => {
    expect(summaryOf(buildCib(spec))).toEqual([...expected].sort());
  });
});
