import { describe, expect, it } from 'vitest';
import { millis, nodeId, type NodeId } from '../../../../src/lib/index.js';
import { emptyCib, type Cib } from '../../../../src/ha/cib/index.js';
import { Controller, type ControllerEffect, type ControllerMessage, type LrmResult, type StatusChanges } from '../../../../src/ha/controller/index.js';
import type { GraphAction, PolicyResult } from '../../../../src/ha/policy/index.js';
import { buildCib, dummy, lrm } from '../policy/cib-builder.js';

// Status writes are recorded as plain strings; the controller only passes them to the CIB replica.
type Change = string;
const changes: StatusChanges<Change> = {
  member: (n) => `member ${n}`,
  lost: (n) => `lost ${n}`,
  fenced: (n) => `fenced ${n}`,
  operation: (r) => `op ${r.request.resource} ${r.request.operation} ${r.rc}`,
  history: (n, rs) => `history ${n} ${rs.length}`,
  cluster: (q, dc) => `cluster ${q} ${dc}`,
};

const N1 = nodeId(1);
const N2 = nodeId(2);
const T = millis(0);

function cib(): Cib {
  const c = emptyCib();
  if (!c.ok) throw new Error(c.error);
  return c.value;
}

function action(id: string, kind: GraphAction['kind'], node: string, resource = 'r'): GraphAction {
  return { id, kind, resource, node, interval: 0, optional: false, runnable: true };
}

function controller(
  self: NodeId,
  graph: PolicyResult['graph'] = { actions: [], edges: [] },
  extra: { readonly nodes?: readonly { readonly id: NodeId; readonly name: string }[]; readonly startupGraceMs?: number } = {},
): { c: Controller<Change>; plans: number[] } {
  const plans: number[] = [];
  const c = new Controller<Change>({
    self,
    nodes: extra.nodes ?? [
      { id: N1, name: 'n1' },
      { id: N2, name: 'n2' },
    ],
    ...(extra.startupGraceMs === undefined ? {} : { startupGraceMs: millis(extra.startupGraceMs) }),
    changes,
    schedule: (_cib, now) => {
      plans.push(now);
      return { graph, decisions: [], scores: [], summary: [], notes: [], orphans: [] };
    },
    transition: { batchLimit: 0, concurrentFencing: false },
    resultGraceMs: 1000,
    wallClock: (now) => now / 1000,
  });
  return { c, plans };
}

const writes = (effects: readonly ControllerEffect<Change>[]) => effects.flatMap((e) => (e.kind === 'cib-request' ? [e] : []));
const sent = (effects: readonly ControllerEffect<Change>[]) => effects.flatMap((e) => (e.kind === 'send' ? [e.message] : []));

/** Answers every status write as the CIB replica would. */
function acknowledge(c: Controller<Change>, effects: readonly ControllerEffect<Change>[]): ControllerEffect<Change>[] {
  return writes(effects).flatMap((w) => [...c.step(T, { kind: 'cib-reply', requestId: w.requestId, ok: true })]);
}

function result(request: Extract<ControllerMessage, { type: 'lrm-request' }>['request'], rc: number): LrmResult {
  return { node: 'n2', request, rc, opStatus: 0, callId: 1, execMs: 1, finishedAt: 1 };
}

describe('Controller: the DC join', () => {
  it('writes what it knows, asks each member for its history, and plans only when all have answered', () => {
    const { c, plans } = controller(N1);
    c.step(T, { kind: 'view', members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }], dc: N1, quorate: true });
    const term = c.step(T, { kind: 'cib-changed', cib: cib(), authoritative: true });
    expect(writes(term).map((w) => w.change)).toEqual(['cluster true 1', 'member n1', 'member n2', 'history n1 0']);
    expect(sent(term)).toEqual([{ type: 'join-offer', v: 1, round: 1, members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }] }]);
    acknowledge(c, term);
    expect(plans).toEqual([]);
    const joined = c.step(T, { kind: 'receive', from: N2, message: { type: 'lrm-state', v: 1, round: 1, results: [] } });
    expect(writes(joined).map((w) => w.change)).toEqual(['history n2 0']);
    const planned = acknowledge(c, joined);
    expect(plans).toHaveLength(1);
    expect(planned).toContainEqual(expect.objectContaining({ kind: 'transition-started' }));
  });

  it('offers the join again until the member answers', () => {
    const { c } = controller(N1);
    c.step(T, { kind: 'view', members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }], dc: N1, quorate: true });
    c.step(T, { kind: 'cib-changed', cib: cib(), authoritative: true });
    expect(sent(c.step(T, { kind: 'timeout', timer: 'join-retry' }))).toEqual([{ type: 'join-offer', v: 1, round: 1, members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }] }]);
  });

  it('ignores an answer to an earlier round', () => {
    const { c } = controller(N1);
    c.step(T, { kind: 'view', members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }], dc: N1, quorate: true });
    c.step(T, { kind: 'cib-changed', cib: cib(), authoritative: true });
    expect(writes(c.step(T, { kind: 'receive', from: N2, message: { type: 'lrm-state', v: 1, round: 0, results: [] } }))).toEqual([]);
  });
});

describe('Controller: the startup grace (initdead)', () => {
  const N3 = nodeId(3);
  const three = [
    { id: N1, name: 'n1' },
    { id: N2, name: 'n2' },
    { id: N3, name: 'n3' },
  ];
  /** A DC of a view of n1 and n2 (a majority of three) whose join is done at time `at`. */
  function majorityDc(startupGraceMs: number): { c: Controller<Change>; plans: number[]; start: ControllerEffect<Change>[] } {
    const { c, plans } = controller(N1, undefined, { nodes: three, startupGraceMs });
    const start = [...c.step(T, { kind: 'start' })];
    c.step(millis(100), { kind: 'view', members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }], dc: N1, quorate: true });
    acknowledge(c, c.step(millis(100), { kind: 'cib-changed', cib: cib(), authoritative: true }));
    acknowledge(c, c.step(millis(150), { kind: 'receive', from: N2, message: { type: 'lrm-state', v: 1, round: 1, results: [] } }));
    return { c, plans, start };
  }

  it('does not plan while a configured node has not joined yet, and plans when the grace ends', () => {
    const { c, plans, start } = majorityDc(2000);
    expect(start).toContainEqual({ kind: 'set-timer', timer: 'startup-grace', afterMs: 2000 });
    // The majority's policy would fence n3 (never seen): it must wait for it first.
    expect(plans).toEqual([]);
    const ended = c.step(millis(2000), { kind: 'timeout', timer: 'startup-grace' });
    expect(plans).toHaveLength(1);
    expect(ended).toContainEqual(expect.objectContaining({ kind: 'transition-started' }));
  });

  it('plans at once when every configured node is in the view', () => {
    const { c, plans } = majorityDc(20_000);
    expect(plans).toEqual([]);
    c.step(millis(300), { kind: 'view', members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }, { id: N3, incarnation: 1 }], dc: N1, quorate: true });
    const term = c.step(millis(300), { kind: 'cib-changed', cib: cib(), authoritative: true });
    acknowledge(c, term);
    acknowledge(c, c.step(millis(320), { kind: 'receive', from: N2, message: { type: 'lrm-state', v: 1, round: 2, results: [] } }));
    acknowledge(c, c.step(millis(330), { kind: 'receive', from: N3, message: { type: 'lrm-state', v: 1, round: 2, results: [] } }));
    expect(plans).toHaveLength(1);
  });

  it('does not wait for a node that was in a view since start and was lost after', () => {
    const { c, plans } = controller(N1, undefined, { nodes: three, startupGraceMs: 20_000 });
    c.step(T, { kind: 'start' });
    c.step(millis(100), { kind: 'view', members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }, { id: N3, incarnation: 1 }], dc: N1, quorate: true });
    c.step(millis(500), { kind: 'view', members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }], dc: N1, quorate: true });
    acknowledge(c, c.step(millis(500), { kind: 'cib-changed', cib: cib(), authoritative: true }));
    acknowledge(c, c.step(millis(520), { kind: 'receive', from: N2, message: { type: 'lrm-state', v: 1, round: 1, results: [] } }));
    expect(plans).toHaveLength(1);
  });

  it('plans at once without a grace (the default)', () => {
    const { plans } = majorityDc(0);
    expect(plans).toHaveLength(1);
  });
});

describe('Controller: a member', () => {
  const request = { resource: 'r', agent: { class: 'ocf', provider: 'heartbeat', type: 'Dummy' }, operation: 'start' as const, interval: millis(0), timeout: millis(20_000), params: {}, meta: {}, expectedRc: 0 };

  it('runs operations only for its DC', () => {
    const { c } = controller(N2);
    c.step(T, { kind: 'view', members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }], dc: N1, quorate: true });
    c.step(T, { kind: 'receive', from: N1, message: { type: 'join-offer', v: 1, round: 1 } });
    expect(c.step(T, { kind: 'receive', from: N1, message: { type: 'lrm-request', v: 1, request } })).toEqual([{ kind: 'lrm-execute', request }]);
    expect(c.step(T, { kind: 'receive', from: N2, message: { type: 'lrm-request', v: 1, request } }).some((e) => e.kind === 'lrm-execute')).toBe(false);
  });

  it('drops a request its DC sent in an earlier view (held through a partition) until the join offer of this view', () => {
    // Seen in the simulator (seed 3940606956639 before this rule): the DC's start of a writer,
    // planned when the filesystem ran on this node, arrived after a partition in which this node
    // had stopped the filesystem, and the writer ran on a bare mount point.
    const { c } = controller(N2);
    const both = [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }];
    c.step(T, { kind: 'view', members: both, dc: N1, quorate: true });
    c.step(T, { kind: 'receive', from: N1, message: { type: 'join-offer', v: 1, round: 1 } });
    c.step(T, { kind: 'view', members: [{ id: N2, incarnation: 1 }], dc: N2, quorate: false });
    c.step(T, { kind: 'view', members: both, dc: N1, quorate: true });
    const stale = c.step(T, { kind: 'receive', from: N1, message: { type: 'lrm-request', v: 1, request } });
    expect(stale.some((e) => e.kind === 'lrm-execute')).toBe(false);
    expect(stale.flatMap((e) => (e.kind === 'problem' ? [e.message] : []))).toEqual([expect.stringMatching(/before its join offer/) as string]);
    c.step(T, { kind: 'receive', from: N1, message: { type: 'join-offer', v: 1, round: 2 } });
    expect(c.step(T, { kind: 'receive', from: N1, message: { type: 'lrm-request', v: 1, request } })).toEqual([{ kind: 'lrm-execute', request }]);
  });

  it('takes a join offer made in a view it has not installed yet when that view arrives, not before', () => {
    // sim cluster --seed 148531721989967: the DC installed {n1, n2, n3} and offered the join while n3
    // was still in {n2, n3} under the same DC. n3 took the offer, its view change cleared it, and
    // it ignored every request of the DC, which believed it had joined: no recovery after the faults.
    const { c } = controller(N2);
    const pair = [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }];
    const three = [...pair, { id: nodeId(3), incarnation: 1 }];
    c.step(T, { kind: 'view', members: pair, dc: N1, quorate: true });
    expect(sent(c.step(T, { kind: 'receive', from: N1, message: { type: 'join-offer', v: 1, round: 5, members: three } }))).toEqual([]);
    expect(c.step(T, { kind: 'receive', from: N1, message: { type: 'lrm-request', v: 1, request } }).some((e) => e.kind === 'lrm-execute')).toBe(false);
    expect(sent(c.step(T, { kind: 'view', members: three, dc: N1, quorate: true }))).toEqual([{ type: 'lrm-state', v: 1, round: 5, results: [] }]);
    expect(c.step(T, { kind: 'receive', from: N1, message: { type: 'lrm-request', v: 1, request } })).toEqual([{ kind: 'lrm-execute', request }]);
  });

  it('drops an early join offer when the view that arrives is another one', () => {
    const { c } = controller(N2);
    const pair = [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }];
    c.step(T, { kind: 'view', members: [{ id: N2, incarnation: 1 }], dc: N2, quorate: false });
    c.step(T, { kind: 'receive', from: N1, message: { type: 'join-offer', v: 1, round: 2, members: [...pair, { id: nodeId(3), incarnation: 1 }] } });
    expect(sent(c.step(T, { kind: 'view', members: pair, dc: N1, quorate: true }))).toEqual([]);
    expect(c.step(T, { kind: 'receive', from: N1, message: { type: 'lrm-request', v: 1, request } }).some((e) => e.kind === 'lrm-execute')).toBe(false);
  });

  it('answers a join offer only when its LRM is idle, with every result it knows', () => {
    const { c } = controller(N2);
    c.step(T, { kind: 'view', members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }], dc: N1, quorate: true });
    c.step(T, { kind: 'receive', from: N1, message: { type: 'join-offer', v: 1, round: 3 } });
    c.step(T, { kind: 'receive', from: N1, message: { type: 'lrm-request', v: 1, request } });
    expect(sent(c.step(T, { kind: 'receive', from: N1, message: { type: 'join-offer', v: 1, round: 4 } }))).toEqual([]);
    const done = sent(c.step(T, { kind: 'lrm-result', result: result(request, 0) }));
    expect(done.map((m) => m.type)).toEqual(['lrm-result', 'lrm-state']);
    expect(done[1]).toMatchObject({ type: 'lrm-state', round: 4, results: [expect.objectContaining({ rc: 0 })] });
  });
});

describe('Controller: unexpected results', () => {
  it('aborts before feeding a probe that finds the resource running, so the start after it is not dispatched', () => {
    const probe = action('r_monitor_0@n2', 'probe', 'n2');
    const start = action('r_start_0@n1', 'start', 'n1');
    const { c } = controller(N1, { actions: [probe, start], edges: [{ before: probe.id, after: start.id }] });
    c.step(T, { kind: 'view', members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }], dc: N1, quorate: true });
    const term = c.step(T, { kind: 'cib-changed', cib: buildCib({ nodes: [{ name: 'n1' }, { name: 'n2' }], resources: dummy('r') }), authoritative: true });
    acknowledge(c, term);
    const planned = acknowledge(c, c.step(T, { kind: 'receive', from: N2, message: { type: 'lrm-state', v: 1, round: 1, results: [] } }));
    const probeRequest = sent(planned).find((m) => m.type === 'lrm-request');
    expect(probeRequest).toMatchObject({ request: { resource: 'r', operation: 'monitor', expectedRc: 7 } });
    if (probeRequest?.type !== 'lrm-request') throw new Error('no probe request');
    const found = c.step(T, { kind: 'receive', from: N2, message: { type: 'lrm-result', v: 1, result: result(probeRequest.request, 0) } });
    expect(sent(found).filter((m) => m.type === 'lrm-request')).toEqual([]);
    expect(found).toContainEqual(expect.objectContaining({ kind: 'transition-finished', status: 'aborted' }));
  });
});

describe('Controller: a node lost while it runs an operation', () => {
  it('fails the operation at once, so the aborted graph ends without waiting for its timeout', () => {
    const start = action('r_start_0@n2', 'start', 'n2');
    const { c } = controller(N1, { actions: [start], edges: [] });
    c.step(T, { kind: 'view', members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }], dc: N1, quorate: true });
    acknowledge(c, c.step(T, { kind: 'cib-changed', cib: buildCib({ nodes: [{ name: 'n1' }, { name: 'n2' }], resources: dummy('r') }), authoritative: true }));
    const planned = acknowledge(c, c.step(T, { kind: 'receive', from: N2, message: { type: 'lrm-state', v: 1, round: 1, results: [] } }));
    expect(sent(planned).filter((m) => m.type === 'lrm-request')).toHaveLength(1);
    const lost = c.step(T, { kind: 'view', members: [{ id: N1, incarnation: 1 }], dc: N1, quorate: true });
    expect(lost).toContainEqual(expect.objectContaining({ kind: 'transition-finished', status: 'aborted' }));
    expect(c.status().transition).toBeUndefined();
  });
});

describe('Controller: a cleanup', () => {
  it('plans again when operation history and fail counts are cleared (a status-only write), not on a write that only adds', () => {
    const { c, plans } = controller(N1);
    const before = buildCib({ nodes: [{ name: 'n1', lrm: lrm('r', [['start', 0, 2], ['monitor', 7, 3, 2000]]), transient: { 'fail-count-r#monitor_2000': '1' } }, { name: 'n2' }], resources: dummy('r') });
    c.step(T, { kind: 'view', members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }], dc: N1, quorate: true });
    acknowledge(c, c.step(T, { kind: 'cib-changed', cib: before, authoritative: true }));
    acknowledge(c, c.step(T, { kind: 'receive', from: N2, message: { type: 'lrm-state', v: 1, round: 1, results: [] } }));
    const planned = plans.length;
    // The same configuration epoch, one more status write that adds nothing removable: no new plan.
    c.step(T, { kind: 'cib-changed', cib: { ...before, version: { ...before.version, numUpdates: before.version.numUpdates + 1 } }, authoritative: true });
    expect(plans).toHaveLength(planned);
    const cleared = buildCib({ nodes: [{ name: 'n1' }, { name: 'n2' }], resources: dummy('r') });
    c.step(T, { kind: 'cib-changed', cib: { ...cleared, version: { ...before.version, numUpdates: before.version.numUpdates + 2 } }, authoritative: true });
    expect(plans.length).toBeGreaterThan(planned);
  });

  it('does not plan again when the history that went is that of a node now down (the DC forgot a fenced node\'s resources)', () => {
    const { c, plans } = controller(N1);
    const before = buildCib({ nodes: [{ name: 'n1' }, { name: 'n2', lrm: lrm('r', [['start', 0, 2]]) }], resources: dummy('r') });
    c.step(T, { kind: 'view', members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }], dc: N1, quorate: true });
    acknowledge(c, c.step(T, { kind: 'cib-changed', cib: before, authoritative: true }));
    acknowledge(c, c.step(T, { kind: 'receive', from: N2, message: { type: 'lrm-state', v: 1, round: 1, results: [] } }));
    const planned = plans.length;
    const fenced = buildCib({ nodes: [{ name: 'n1' }, { name: 'n2', state: 'offline' }], resources: dummy('r') });
    c.step(T, { kind: 'cib-changed', cib: { ...fenced, version: { ...before.version, numUpdates: before.version.numUpdates + 1 } }, authoritative: true });
    expect(plans).toHaveLength(planned);
  });
});

describe('Controller: node-fenced (a fence this controller did not run)', () => {
  const both = [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 1 }];
  const onlyN1 = [{ id: N1, incarnation: 1 }];
  const fence = action('fence-reboot@n2', 'fence', 'n2', '');
  const twoOnline = (): Cib => buildCib({ nodes: [{ name: 'n1' }, { name: 'n2' }], resources: dummy('r') });

  /** N1 as DC of `members`, its join done; answers every write. */
  function dcWithTerm(members: typeof both, graph?: PolicyResult['graph']): { c: Controller<Change>; plans: number[]; term: ControllerEffect<Change>[] } {
    const { c, plans } = controller(N1, graph);
    c.step(T, { kind: 'view', members, dc: N1, quorate: true });
    const term = [...c.step(T, { kind: 'cib-changed', cib: twoOnline(), authoritative: true })];
    term.push(...acknowledge(c, term));
    if (members.some((m) => m.id === N2)) term.push(...acknowledge(c, c.step(T, { kind: 'receive', from: N2, message: { type: 'lrm-state', v: 1, round: 1, results: [] } })));
    return { c, plans, term };
  }

  it('on the DC: records the node as fenced, completes the fence action waiting for it, and plans again', () => {
    const { c, plans, term } = dcWithTerm(onlyN1, { actions: [fence], edges: [] });
    expect(writes(term).map((w) => w.change)).toContain('lost n2');
    const asked = term.find((e) => e.kind === 'fence');
    expect(asked).toMatchObject({ kind: 'fence', target: 'n2', action: 'reboot' });
    const planned = plans.length;
    const fenced = c.step(T, { kind: 'node-fenced', target: 'n2', by: 'root@n1' });
    expect(writes(fenced).map((w) => w.change)).toEqual(['fenced n2']);
    expect(fenced).toContainEqual(expect.objectContaining({ kind: 'transition-finished' }));
    // The running fence's own result comes later: it no longer belongs to anything.
    if (asked?.kind !== 'fence') throw new Error('no fence');
    expect(c.step(T, { kind: 'fence-result', requestId: asked.requestId, target: 'n2', ok: true })).toEqual([]);
    acknowledge(c, fenced);
    expect(plans.length).toBeGreaterThan(planned);
  });

  it('on another node: no status write (the DC writes), and an unknown node is ignored everywhere', () => {
    const { c } = controller(N2);
    c.step(T, { kind: 'view', members: both, dc: N1, quorate: true });
    expect(writes(c.step(T, { kind: 'node-fenced', target: 'n1', by: 'root@n2' }))).toEqual([]);
    const dc = dcWithTerm(onlyN1);
    expect(writes(dc.c.step(T, { kind: 'node-fenced', target: 'n9', by: 'root@n1' }))).toEqual([]);
  });

  it('a node fenced while still a member is not fenced again when membership loses it: it is written fenced, not lost', () => {
    const { c } = dcWithTerm(both);
    expect(writes(c.step(T, { kind: 'node-fenced', target: 'n2', by: 'root@n1' })).map((w) => w.change)).toEqual(['fenced n2']);
    // Deadtime later membership loses it; the CIB the new term starts from still says in_ccm.
    c.step(T, { kind: 'view', members: onlyN1, dc: N1, quorate: true });
    const term = c.step(T, { kind: 'cib-changed', cib: twoOnline(), authoritative: true });
    const changes = writes(term).map((w) => w.change);
    expect(changes).toContain('fenced n2');
    expect(changes).not.toContain('lost n2');
  });

  it('the same when the fenced node was the DC: the node that becomes DC remembers the broadcast', () => {
    const { c, plans } = controller(N2);
    c.step(T, { kind: 'view', members: both, dc: N1, quorate: true });
    c.step(T, { kind: 'node-fenced', target: 'n1', by: 'root@n2' });
    c.step(T, { kind: 'view', members: [{ id: N2, incarnation: 1 }], dc: N2, quorate: true });
    const term = c.step(T, { kind: 'cib-changed', cib: twoOnline(), authoritative: true });
    const changes = writes(term).map((w) => w.change);
    expect(changes).toContain('fenced n1');
    expect(changes).not.toContain('lost n1');
    acknowledge(c, term);
    expect(plans).toHaveLength(1);
  });

  it('a fenced node still in the view at a new term is written fenced and not waited for in the join', () => {
    const { c, plans } = dcWithTerm(both);
    acknowledge(c, c.step(T, { kind: 'node-fenced', target: 'n2', by: 'root@n1' }));
    // Another view change (say a third node's) before membership notices n2 is gone.
    c.step(T, { kind: 'view', members: both, dc: N1, quorate: true });
    const planned = plans.length;
    const term = c.step(T, { kind: 'cib-changed', cib: twoOnline(), authoritative: true });
    const changes = writes(term).map((w) => w.change);
    expect(changes).toContain('fenced n2');
    expect(changes).not.toContain('member n2');
    expect(sent(term)).toEqual([]);
    acknowledge(c, term);
    expect(plans.length).toBeGreaterThan(planned);
  });

  it('a node that restarted after its fence (another incarnation) is a member again, and unclean when it is lost', () => {
    const { c } = dcWithTerm(both);
    c.step(T, { kind: 'node-fenced', target: 'n2', by: 'root@n1' });
    c.step(T, { kind: 'view', members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 2 }], dc: N1, quorate: true });
    const rejoined = c.step(T, { kind: 'cib-changed', cib: twoOnline(), authoritative: true });
    expect(writes(rejoined).map((w) => w.change)).toContain('member n2');
    expect(sent(rejoined)).toEqual([{ type: 'join-offer', v: 1, round: 2, members: [{ id: N1, incarnation: 1 }, { id: N2, incarnation: 2 }] }]);
    acknowledge(c, rejoined);
    c.step(T, { kind: 'view', members: onlyN1, dc: N1, quorate: true });
    const lost = writes(c.step(T, { kind: 'cib-changed', cib: twoOnline(), authoritative: true })).map((w) => w.change);
    expect(lost).toContain('lost n2');
    expect(lost).not.toContain('fenced n2');
  });

  it('the DC\'s own fence of a member counts too: its departure is not fenced again', () => {
    const { c, term } = dcWithTerm(both, { actions: [fence], edges: [] });
    const asked = term.find((e) => e.kind === 'fence');
    if (asked?.kind !== 'fence') throw new Error('no fence');
    acknowledge(c, c.step(T, { kind: 'fence-result', requestId: asked.requestId, target: 'n2', ok: true }));
    c.step(T, { kind: 'view', members: onlyN1, dc: N1, quorate: true });
    const changes = writes(c.step(T, { kind: 'cib-changed', cib: twoOnline(), authoritative: true })).map((w) => w.change);
    expect(changes).toContain('fenced n2');
    expect(changes).not.toContain('lost n2');
  });
});
