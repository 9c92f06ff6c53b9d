// The storage layouts' CIB changes (buildClusteredFs, buildFailoverFs) through the pure policy
// engine, as the cluster would run them: each change is applied to a CIB of online nodes, the
// transitions are played as if every action succeeded (applyTransitionOutcome) until nothing is
// left to do, and the resources' places are read from the status. Then a node is lost (it leaves
// the membership and is fenced) and the cluster settles again.
import { describe, expect, it } from 'vitest';
import { buildClusteredFs, buildFailoverFs } from '../../../../src/ha/admin/index.js';
import { applyCibChange, type Cib, type CibChange } from '../../../../src/ha/cib/index.js';
import { applyTransitionOutcome, schedule, topologicalActions, type GraphAction, type TransitionGraph } from '../../../../src/ha/policy/index.js';
import { buildCib } from '../policy/cib-builder.js';

const NOW = 1_700_000_000;

function apply(cib: Cib, change: CibChange): Cib {
  const applied = applyCibChange(cib, change, { now: NOW, origin: 'test', user: 'test' });
  if (!applied.ok) throw new Error(`refused: ${applied.error.field}: ${applied.error.message}`);
  return applied.value;
}

function built<T>(result: { ok: true; value: T } | { ok: false; error: { option: string; message: string } }): T {
  if (!result.ok) throw new Error(`${result.error.option}: ${result.error.message}`);
  return result.value;
}

/**
 * Plays transitions until the policy engine has nothing left to do; returns the CIB, every action
 * run (each transition's in an order its edges allow) and the graphs.
 */
function settle(start: Cib): { cib: Cib; actions: GraphAction[]; graphs: TransitionGraph[] } {
  let cib = start;
  const actions: GraphAction[] = [];
  const graphs: TransitionGraph[] = [];
  for (let round = 0; round < 10; round++) {
    const result = schedule(cib, { now: NOW });
    const runnable = topologicalActions(result.graph).filter((a) => a.runnable && a.kind !== 'pseudo');
    if (runnable.length === 0) return { cib, actions, graphs };
    actions.push(...runnable);
    graphs.push(result.graph);
    cib = applyTransitionOutcome(cib, result, { now: NOW, transitionId: round });
  }
  throw new Error('the cluster did not settle in 10 transitions');
}

/** The graph's action of `kind` for `resource` (any clone instance) on `node`. */
function actionOf(graph: TransitionGraph, kind: string, resource: string, node: string): GraphAction | undefined {
  return graph.actions.find((a) => a.kind === kind && a.node === node && a.resource?.replace(/:\d+$/, '') === resource);
}

/** Whether the graph's edges lead from `from` to `to` (directly or through other actions). */
function reaches(graph: TransitionGraph, from: string, to: string): boolean {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (id === to) return true;
    for (const edge of graph.edges) {
      if (edge.before !== id || seen.has(edge.after)) continue;
      seen.add(edge.after);
      queue.push(edge.after);
    }
  }
  return false;
}

/** Where each primitive runs: its last recorded operation on a node is a successful start or monitor. */
function placement(cib: Cib): Map<string, string[]> {
  const where = new Map<string, string[]>();
  for (const state of cib.status.nodes) {
    if (state.inCcm !== true) continue;
    for (const resource of state.lrm?.resources ?? []) {
      const last = resource.ops.find((o) => o.id.endsWith('_last_0'));
      if (last === undefined || last.rcCode !== 0 || !['start', 'promote'].includes(last.operation)) continue;
      const id = resource.id.replace(/:\d+$/, '');
      where.set(id, [...(where.get(id) ?? []), state.uname ?? '?'].sort());
    }
  }
  return where;
}

/** The node leaves the membership (power loss): it is fenced and the cluster recovers. */
function lose(cib: Cib, node: string): Cib {
  return apply(cib, { op: 'set-node-state', node, state: { inCcm: false, crmd: 'offline', join: 'down' } });
}

function cluster(nodes: readonly string[]): Cib {
  return buildCib({ nodes: nodes.map((name) => ({ name })), resources: '', options: { 'stonith-enabled': 'true' } });
}

describe('N-to-N: the cluster filesystem stack', () => {
  const stack = ['locking-dlm', 'locking-lvmlockd', 'shared-lvm', 'shared-fs'];

  it.each([3, 4])('runs on every one of %i nodes, each node starting DLM, lvmlockd, the VG and the mount in that order', (count) => {
    const nodes = ['node1', 'node2', 'node3', 'node4'].slice(0, count);
    const start = cluster(nodes);
    const change = built(buildClusteredFs({ name: 'shared', vg: 'vg_shared', lv: 'lv_data', directory: '/srv/shared', fstype: 'gfs2' }, start.configuration));
    const { cib, graphs } = settle(apply(start, change));
    const where = placement(cib);
    for (const id of stack) expect(where.get(id), id).toEqual(nodes);
    // One transition starts everything; on each node each start waits for the previous one of the
    // stack, and (interleave) for nothing of another node's stack.
    expect(graphs).toHaveLength(1);
    const graph = graphs[0] as TransitionGraph;
    for (const node of nodes) {
      const starts = stack.map((id) => actionOf(graph, 'start', id, node));
      expect(starts.every((a) => a?.runnable === true), node).toBe(true);
      for (let i = 1; i < stack.length; i++) expect(reaches(graph, starts[i - 1]?.id ?? '', starts[i]?.id ?? ''), `${stack[i - 1] ?? ''} before ${stack[i] ?? ''} on ${node}`).toBe(true);
      for (const other of nodes.filter((n) => n !== node)) {
        expect(reaches(graph, actionOf(graph, 'start', 'locking-dlm', other)?.id ?? '', actionOf(graph, 'start', 'shared-fs', node)?.id ?? ''), `${node}'s mount waits for ${other}'s DLM`).toBe(false);
      }
    }
    expect(schedule(cib, { now: NOW }).summary).toEqual([]);
  });

  it('a lost node is fenced and only its own instances stop; the other nodes keep the filesystem mounted', () => {
    const nodes = ['node1', 'node2', 'node3'];
    const start = cluster(nodes);
    const running = settle(apply(start, built(buildClusteredFs({ name: 'shared', vg: 'vg_shared', lv: 'lv_data', directory: '/srv/shared', fstype: 'gfs2' }, start.configuration)))).cib;
    const after = lose(running, 'node2');
    const result = schedule(after, { now: NOW });
    const moved = result.graph.actions.filter((a) => a.runnable && ['start', 'stop'].includes(a.kind) && a.node !== undefined && a.node !== 'node2');
    expect(moved, 'nothing stops or starts on the surviving nodes').toEqual([]);
    expect(result.graph.actions.some((a) => a.kind === 'fence' && a.node === 'node2')).toBe(true);
    const { cib } = settle(after);
    for (const id of stack) expect(placement(cib).get(id), id).toEqual(['node1', 'node3']);
  });

  it('a second filesystem shares the locking clone: one DLM per node', () => {
    const nodes = ['node1', 'node2', 'node3'];
    let cib = cluster(nodes);
    cib = apply(cib, built(buildClusteredFs({ name: 'shared', vg: 'vg_shared', lv: 'lv_data', directory: '/srv/shared', fstype: 'gfs2' }, cib.configuration)));
    cib = apply(cib, built(buildClusteredFs({ name: 'logs', vg: 'vg_shared', lv: 'lv_logs', directory: '/srv/logs', fstype: 'gfs2' }, cib.configuration)));
    const where = placement(settle(cib).cib);
    expect(where.get('locking-dlm')).toEqual(nodes);
    expect(where.get('logs-fs')).toEqual(nodes);
    expect(cib.configuration.resources.map((r) => r.id)).toEqual(['locking-clone', 'shared-clone', 'logs-clone']);
  });

  it('--nodes keeps the stack off the other nodes', () => {
    const start = cluster(['node1', 'node2', 'node3']);
    const change = built(buildClusteredFs({ name: 'shared', vg: 'vg', lv: 'lv', directory: '/srv/shared', fstype: 'ocfs2', nodes: ['node1', 'node3'] }, start.configuration));
    const where = placement(settle(apply(start, change)).cib);
    for (const id of stack) expect(where.get(id), id).toEqual(['node1', 'node3']);
  });
});

describe('active/passive: a failover filesystem group on two nodes', () => {
  const members = ['db-fs', 'db-ip', 'db-service'];

  it('runs the whole group on one node, in order, and moves it whole when that node is lost', () => {
    const start = cluster(['node1', 'node2']);
    const change = built(buildFailoverFs({ name: 'db', device: '/dev/disk/by-id/scsi-shared-data', directory: '/srv/db', fstype: 'ext4', mmp: 'require', ip: '192.0.2.10/24', service: 'ocf:heartline:Dummy' }, start.configuration));
    const first = settle(apply(start, change));
    const where = placement(first.cib);
    const active = where.get('db-fs')?.[0];
    expect(active).toBeDefined();
    for (const id of members) expect(where.get(id), id).toEqual([active]);
    expect(first.actions.filter((a) => a.kind === 'start').map((a) => a.resource)).toEqual(members);

    const passive = active === 'node1' ? 'node2' : 'node1';
    const { cib, actions, graphs } = settle(lose(first.cib, active ?? ''));
    for (const id of members) expect(placement(cib).get(id), id).toEqual([passive]);
    // The lost node is fenced before the shared disk is mounted anywhere else.
    const graph = graphs[0] as TransitionGraph;
    const fence = graph.actions.find((a) => a.kind === 'fence' && a.node === active);
    expect(fence).toBeDefined();
    expect(reaches(graph, fence?.id ?? '', actionOf(graph, 'start', 'db-fs', passive)?.id ?? '')).toBe(true);
    expect(actions.filter((a) => a.kind === 'start').map((a) => a.resource)).toEqual(members);
  });
});

describe('N+1: groups on their preferred nodes, one shared backup', () => {
  function nPlusOne(): Cib {
    let cib = cluster(['node1', 'node2', 'node3']);
    for (const [name, prefer] of [['db1', 'node1'], ['db2', 'node2']] as const) {
      cib = apply(cib, built(buildFailoverFs({ name, device: `/dev/disk/by-id/scsi-${name}`, directory: `/srv/${name}`, fstype: 'xfs', service: 'ocf:heartline:Dummy', prefer, backup: 'node3' }, cib.configuration)));
    }
    return settle(cib).cib;
  }

  it('each group runs on its preferred node; the backup runs nothing', () => {
    const where = placement(nPlusOne());
    expect(where.get('db1-fs')).toEqual(['node1']);
    expect(where.get('db2-fs')).toEqual(['node2']);
    expect([...where.values()].flat()).not.toContain('node3');
  });

  it.each([
    ['node1', 'db1', 'db2', 'node2'],
    ['node2', 'db2', 'db1', 'node1'],
  ])('when %s is lost, %s goes to the backup and %s stays on %s', (lost, moved, stayed, stayedOn) => {
    const { cib, actions } = settle(lose(nPlusOne(), lost));
    const where = placement(cib);
    expect(where.get(`${moved}-fs`)).toEqual(['node3']);
    expect(where.get(`${moved}-service`)).toEqual(['node3']);
    expect(where.get(`${stayed}-fs`)).toEqual([stayedOn]);
    expect(actions.filter((a) => a.resource?.startsWith(stayed) === true && a.kind !== 'monitor'), `${stayed} is not touched`).toEqual([]);
  });

  it('when both preferred nodes are lost, both groups run on the backup; never on the other group\'s node', () => {
    let cib = lose(nPlusOne(), 'node1');
    cib = settle(cib).cib;
    cib = settle(lose(cib, 'node2')).cib;
    const where = placement(cib);
    expect(where.get('db1-fs')).toEqual(['node3']);
    expect(where.get('db2-fs')).toEqual(['node3']);
  });

  it('a group never fails over to the other preferred node (only to the backup)', () => {
    let cib = settle(lose(nPlusOne(), 'node3')).cib; // the backup is gone
    cib = settle(lose(cib, 'node1')).cib;
    const where = placement(cib);
    expect(where.get('db1-fs')).toBeUndefined();
    expect(where.get('db2-fs')).toEqual(['node2']);
  });
});
