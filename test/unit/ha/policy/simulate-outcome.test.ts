// applyTransitionOutcome plays a transition graph as if every action succeeded (crm_simulate -S).
// Each case schedules a small CIB, applies the graph, and checks the status it wrote (records,
// fenced nodes) and that scheduling the result again finds nothing left to do.
import { describe, expect, it } from 'vitest';
import type { Cib, NodeState } from '../../../../src/ha/cib/index.js';
import { applyTransitionOutcome, schedule, topologicalActions, type TransitionGraph } from '../../../../src/ha/policy/index.js';
import { buildCib, dummy, running } from './cib-builder.js';

const NOW = 1_700_000_000;
const monitor = (interval = '10s', role?: string): string => `<op id="m${interval}${role ?? ''}" name="monitor" interval="${interval}"${role === undefined ? '' : ` role="${role}"`}/>`;

function step(cib: Cib): Cib {
  return applyTransitionOutcome(cib, schedule(cib, { now: NOW }), { now: NOW, transitionId: 3 });
}

function nodeState(cib: Cib, uname: string): NodeState | undefined {
  return cib.status.nodes.find((s) => s.uname === uname);
}

function records(cib: Cib, uname: string, rsc: string): [string, string, number][] {
  return (nodeState(cib, uname)?.lrm?.resources.find((r) => r.id === rsc)?.ops ?? []).map((o) => [o.id, o.operation, o.rcCode]);
}

describe('applyTransitionOutcome', () => {
  it('records a start and its monitor, after which nothing is left to do', () => {
    const cib = buildCib({ nodes: [{ name: 'node1' }, { name: 'node2' }], resources: dummy('rsc', {}, monitor()) });
    const after = step(cib);
    expect(records(after, 'node1', 'rsc')).toEqual([
      ['rsc_last_0', 'start', 0],
      ['rsc_monitor_10000', 'monitor', 0],
    ]);
    expect(nodeState(after, 'node1')?.lrm?.resources[0]?.ops[0]?.transitionKey).toMatch(/^\d+:3:0:/);
    // The probes on both nodes (the resource's state was unknown), the start and the monitor.
    expect(after.version.numUpdates).toBe(cib.version.numUpdates + 4);
    expect(schedule(after, { now: NOW }).graph.actions).toEqual([]);
  });

  it('takes a fenced node down cleanly and erases its history and transient attributes', () => {
    const cib = buildCib({
      nodes: [{ name: 'node1', state: 'unclean', lrm: running('rsc'), transient: { pingd: '1' } }, { name: 'node2' }],
      resources: dummy('rsc'),
      options: { 'stonith-enabled': 'true' },
    });
    const after = step(cib);
    expect(nodeState(after, 'node1')).toMatchObject({ inCcm: false, crmd: 'offline', join: 'down', expected: 'down' });
    expect(nodeState(after, 'node1')?.lrm).toBeUndefined();
    expect(nodeState(after, 'node1')?.transientAttributes).toBeUndefined();
    expect(records(after, 'node2', 'rsc')).toEqual([['rsc_last_0', 'start', 0]]);
    const again = schedule(after, { now: NOW });
    expect(again.graph.actions).toEqual([]);
    expect(again.summary).toEqual([]);
  });

  it('records a move as a stop on the old node and a start on the new one', () => {
    const cib = buildCib({ nodes: [{ name: 'node1', lrm: running('rsc') }, { name: 'node2' }], resources: dummy('rsc'), constraints: '<rsc_location id="l" rsc="rsc" node="node2" score="100"/>' });
    const after = step(cib);
    // The builder's history names its records per call (rsc_start_0_2); the stop is the last one.
    expect(records(after, 'node1', 'rsc').at(-1)).toEqual(['rsc_last_0', 'stop', 0]);
    expect(records(after, 'node2', 'rsc')).toEqual([['rsc_last_0', 'start', 0]]);
    expect(schedule(after, { now: NOW }).graph.actions).toEqual([]);
  });

  it('records anonymous clone instances under the primitive id, and promoted monitors with rc 8', () => {
    const cib = buildCib({
      nodes: [{ name: 'node1', transient: { 'master-s': '10' } }, { name: 'node2', transient: { 'master-s': '5' } }],
      resources: `<clone id="ms"><meta_attributes id="ms-m"><nvpair id="p" name="promotable" value="true"/></meta_attributes>${dummy('s', {}, monitor('10s', 'Promoted') + monitor('11s', 'Unpromoted'))}</clone>`,
    });
    const after = step(cib);
    expect(records(after, 'node1', 's')).toEqual([
      ['s_last_0', 'promote', 0],
      ['s_monitor_10000', 'monitor', 8],
    ]);
    expect(records(after, 'node2', 's')).toEqual([
      ['s_last_0', 'start', 0],
      ['s_monitor_11000', 'monitor', 0],
    ]);
    expect(schedule(after, { now: NOW }).summary).toEqual([]);
  });

  it('records unique clone instances under their instance ids', () => {
    const cib = buildCib({
      nodes: [{ name: 'node1' }, { name: 'node2' }],
      resources: `<clone id="c"><meta_attributes id="c-m"><nvpair id="u" name="globally-unique" value="true"/></meta_attributes>${dummy('u')}</clone>`,
    });
    const after = step(cib);
    const ids = after.status.nodes.flatMap((s) => s.lrm?.resources.map((r) => r.id) ?? []);
    expect([...new Set(ids)].sort()).toEqual(['u:0', 'u:1']);
    expect(schedule(after, { now: NOW }).summary).toEqual([]);
  });
});

describe('topologicalActions', () => {
  const action = (id: string): TransitionGraph['actions'][number] => ({ id, kind: 'start', resource: id, node: 'n', interval: 0, optional: false, runnable: true });

  it('puts every action after the actions it waits for, ties by id', () => {
    const graph: TransitionGraph = { actions: ['a', 'b', 'c', 'd'].map(action), edges: [{ before: 'c', after: 'a' }, { before: 'd', after: 'c' }] };
    expect(topologicalActions(graph).map((a) => a.id)).toEqual(['b', 'd', 'c', 'a']);
  });

  it('refuses a graph with a cycle, naming its actions', () => {
    const graph: TransitionGraph = { actions: ['a', 'b', 'c'].map(action), edges: [{ before: 'a', after: 'b' }, { before: 'b', after: 'a' }] };
    expect(() => topologicalActions(graph)).toThrow(/cycle through: a, b/);
  });
});
