// Failure handling, fencing and quorum: failed monitors recover, fail counts past
// migration-threshold move, failed stops fence, unclean nodes are fenced before recovery, and
// no-quorum-policy decides what runs without quorum.
import { describe, expect, it } from 'vitest';
import { buildCib, dummy, lrm, running, run, summaryOf, type CibSpec } from './cib-builder.js';

const cases: { name: string; spec: CibSpec; expected: string[] }[] = [
  {
    name: 'a failed monitor recovers in place',
    spec: { nodes: [{ name: 'node1', lrm: lrm('rsc', [['start', 0, 2], ['monitor', 1, 3, 10000, 0]]) }, { name: 'node2' }], resources: dummy('rsc') },
    expected: ['* Recover rsc ( node1 )'],
  },
  {
    name: 'a fail count at migration-threshold moves it',
    spec: {
      nodes: [{ name: 'node1', lrm: lrm('rsc', [['start', 0, 2], ['monitor', 1, 3, 10000, 0]]), transient: { 'fail-count-rsc#monitor_10000': '3' } }, { name: 'node2' }],
      resources: dummy('rsc', { 'migration-threshold': '3' }),
    },
    expected: ['* Recover rsc ( node1 -> node2 )'],
  },
  {
    name: 'on-fail=ignore ignores the failure',
    spec: { nodes: [{ name: 'node1', lrm: lrm('rsc', [['start', 0, 2], ['monitor', 1, 3, 10000, 0]]) }, { name: 'node2' }], resources: dummy('rsc', {}, '<op id="m" name="monitor" interval="10s" on-fail="ignore"/>') },
    expected: [],
  },
  {
    name: 'an unclean node is fenced and its resources move',
    spec: { nodes: [{ name: 'node1', state: 'unclean', lrm: running('rsc') }, { name: 'node2' }], resources: dummy('rsc'), options: { 'stonith-enabled': 'true' } },
    expected: ["* Fence (reboot) node1 'peer is no longer part of the cluster'", '* Move rsc ( node1 -> node2 )'],
  },
  {
    name: 'a failed stop fences the node',
    spec: { nodes: [{ name: 'node1', lrm: lrm('rsc', [['start', 0, 2], ['stop', 1, 3]]) }, { name: 'node2' }], resources: dummy('rsc'), options: { 'stonith-enabled': 'true' } },
    expected: ["* Fence (reboot) node1 'rsc failed there'", '* Recover rsc ( node1 -> node2 )'],
  },
  { name: 'without quorum everything stops', spec: { nodes: [{ name: 'node1', lrm: running('rsc') }], resources: dummy('rsc'), quorum: false }, expected: ['* Stop rsc ( node1 ) due to no quorum'] },
  { name: 'no-quorum-policy=ignore keeps running', spec: { nodes: [{ name: 'node1', lrm: running('rsc') }], resources: dummy('rsc'), quorum: false, options: { 'no-quorum-policy': 'ignore' } }, expected: [] },
  { name: 'no-quorum-policy=freeze keeps what runs and blocks new starts', spec: { nodes: [{ name: 'node1', lrm: running('a') }], resources: dummy('a') + dummy('b'), quorum: false, options: { 'no-quorum-policy': 'freeze' } }, expected: ['* Start b ( node1 ) due to quorum freeze (blocked)'] },
  {
    name: 'a probe that finds the agent missing (rc 5) bans the node',
    spec: { nodes: [{ name: 'node1', lrm: lrm('rsc', [['monitor', 5, 1, 0, 7]]) }, { name: 'node2' }], resources: dummy('rsc') },
    expected: ['* Start rsc ( node2 )'],
  },
  {
    name: 'multiple-active=stop_only stops every copy',
    spec: { nodes: [{ name: 'node1', lrm: running('rsc') }, { name: 'node2', lrm: running('rsc') }], resources: dummy('rsc', { 'multiple-active': 'stop_only' }) },
    expected: ['* Stop rsc ( node1 ) due to node availability', '* Stop rsc ( node2 ) due to node availability'],
  },
  {
    name: 'multiple-active=stop_start (the default) restarts on one node',
    spec: { nodes: [{ name: 'node1', lrm: running('rsc') }, { name: 'node2', lrm: running('rsc') }], resources: dummy('rsc') },
    expected: ['* Restart rsc ( node1 )'],
  },
  {
    name: 'on-fail=block leaves a failed resource alone',
    spec: { nodes: [{ name: 'node1', lrm: lrm('rsc', [['start', 0, 2], ['monitor', 1, 3, 10000, 0]]) }, { name: 'node2' }], resources: dummy('rsc', {}, '<op id="m" name="monitor" interval="10s" on-fail="block"/>') },
    expected: [],
  },
  {
    name: 'a later success of the failed monitor clears the failure',
    spec: { nodes: [{ name: 'node1', lrm: lrm('rsc', [['start', 0, 2], ['monitor', 1, 3, 10000, 0], ['monitor', 0, 4, 10000, 0]]) }, { name: 'node2' }], resources: dummy('rsc') },
    expected: [],
  },
  {
    name: 'a cleared failure is no longer blocked: the fail count still moves it',
    spec: {
      nodes: [{ name: 'node1', lrm: lrm('rsc', [['start', 0, 2], ['monitor', 1, 3, 10000, 0], ['monitor', 0, 4, 10000, 0]]), transient: { 'fail-count-rsc': '1' } }, { name: 'node2' }],
      resources: dummy('rsc', { 'migration-threshold': '1' }, '<op id="m" name="monitor" interval="10s" on-fail="block"/>'),
    },
    expected: ['* Move rsc ( node1 -> node2 )'],
  },
  {
    name: 'a success of another operation does not clear the failure',
    spec: { nodes: [{ name: 'node1', lrm: lrm('rsc', [['start', 0, 2], ['monitor', 1, 3, 10000, 0], ['monitor', 0, 4, 20000, 0]]) }, { name: 'node2' }], resources: dummy('rsc') },
    expected: ['* Recover rsc ( node1 )'],
  },
  {
    name: 'a failed history of another agent type is cleared with its fail count',
    spec: {
      nodes: [{ name: 'node1', lrm: lrm('rsc', [['start', 1, 2], ['stop', 0, 3]]).replace('type="Dummy"', 'type="Other"'), transient: { 'fail-count-rsc': 'INFINITY' } }],
      resources: dummy('rsc'),
    },
    expected: ['* Start rsc ( node1 )'],
  },
  {
    name: 'the same history of the configured agent keeps the fail count',
    spec: { nodes: [{ name: 'node1', lrm: lrm('rsc', [['start', 1, 2], ['stop', 0, 3]]), transient: { 'fail-count-rsc': 'INFINITY' } }], resources: dummy('rsc') },
    expected: [],
  },
  {
    name: 'without fencing, an unclean node\'s resources count as stopped',
    spec: { nodes: [{ name: 'node1', state: 'unclean', lrm: running('rsc') }, { name: 'node2' }], resources: dummy('rsc') },
    expected: ['* Start rsc ( node2 )'],
  },
];

describe('failures, fencing and quorum', () => {
  it.each(cases)('$name', ({ spec, expected }) => {
    expect(summaryOf(buildCib(spec))).toEqual([...expected].sort());
  });

  it('orders the fencing before the recovery start', () => {
    const result = run(buildCib(cases[3]?.spec as CibSpec));
    const fence = result.graph.actions.find((a) => a.kind === 'fence');
    const start = result.graph.actions.find((a) => a.kind === 'start' && a.resource === 'rsc');
    expect(fence).toBeDefined();
    expect(result.graph.edges).toContainEqual({ before: fence?.id, after: start?.id });
  });
});
