import { describe, expect, it } from 'vitest';
import { millis } from '../../../../src/lib/index.js';
import { TransitionEngine, type GraphAction, type TransitionEffect, type TransitionEngineConfig } from '../../../../src/ha/transition/index.js';

const NOW = millis(0);

function act(id: string, kind: GraphAction['kind'] = 'start', extra: Partial<GraphAction> = {}): GraphAction {
  return { id, kind, resource: id.split('_')[0] ?? id, node: 'n1', interval: 0, optional: false, runnable: true, ...extra };
}

function engine(overrides: Partial<TransitionEngineConfig> = {}): TransitionEngine {
  return new TransitionEngine({ batchLimit: 0, concurrentFencing: false, resultTimeout: () => millis(60_000), ...overrides });
}

const dispatched = (effects: readonly TransitionEffect[]): string[] =>
  effects.flatMap((e) => (e.kind === 'execute' || e.kind === 'fence' ? [e.action.id] : []));
const completion = (effects: readonly TransitionEffect[]) => effects.find((e) => e.kind === 'transition-complete');

describe('TransitionEngine', () => {
  it('dispatches an action only after every action before it is done', () => {
    const te = engine();
    const graph = { actions: [act('a_stop', 'stop'), act('a_start'), act('b_start')], edges: [{ before: 'a_stop', after: 'a_start' }, { before: 'a_start', after: 'b_start' }] };
    expect(dispatched(te.step(NOW, { kind: 'run', graphId: 1, graph }))).toEqual(['a_stop']);
    expect(dispatched(te.step(NOW, { kind: 'action-result', graphId: 1, actionId: 'a_stop', ok: true }))).toEqual(['a_start']);
    expect(dispatched(te.step(NOW, { kind: 'action-result', graphId: 1, actionId: 'a_start', ok: true }))).toEqual(['b_start']);
    const last = te.step(NOW, { kind: 'action-result', graphId: 1, actionId: 'b_start', ok: true });
    expect(completion(last)).toMatchObject({ status: 'complete', counts: { done: 3 } });
  });

  it('completes pseudo actions itself, without a batch slot', () => {
    const te = engine({ batchLimit: 1 });
    const graph = { actions: [act('all_stopped', 'pseudo'), act('x_start')], edges: [{ before: 'all_stopped', after: 'x_start' }] };
    const effects = te.step(NOW, { kind: 'run', graphId: 1, graph });
    expect(dispatched(effects)).toEqual(['x_start']);
  });

  it.each([
    { batchLimit: 1, firstWave: 1 },
    { batchLimit: 2, firstWave: 2 },
    { batchLimit: 0, firstWave: 4 },
  ])('keeps at most batch-limit=$batchLimit actions in flight', ({ batchLimit, firstWave }) => {
    const te = engine({ batchLimit });
    const graph = { actions: ['a', 'b', 'c', 'd'].map((r) => act(`${r}_start`)), edges: [] };
    expect(dispatched(te.step(NOW, { kind: 'run', graphId: 1, graph }))).toHaveLength(firstWave);
  });

  it.each([
    { concurrentFencing: false, fences: 1 },
    { concurrentFencing: true, fences: 2 },
  ])('runs $fences fence(s) at a time when concurrent-fencing=$concurrentFencing', ({ concurrentFencing, fences }) => {
    const te = engine({ concurrentFencing });
    const graph = { actions: [act('fence-reboot@n2', 'fence', { node: 'n2' }), act('fence-reboot@n3', 'fence', { node: 'n3' })], edges: [] };
    expect(dispatched(te.step(NOW, { kind: 'run', graphId: 1, graph }))).toHaveLength(fences);
  });

  it('never runs an action the policy engine marked not runnable, nor anything after it', () => {
    const te = engine();
    const graph = { actions: [act('a_stop', 'stop', { runnable: false }), act('a_start'), act('b_start')], edges: [{ before: 'a_stop', after: 'a_start' }] };
    const effects = te.step(NOW, { kind: 'run', graphId: 1, graph });
    expect(dispatched(effects)).toEqual(['b_start']);
    const done = te.step(NOW, { kind: 'action-result', graphId: 1, actionId: 'b_start', ok: true });
    expect(completion(done)).toMatchObject({ status: 'complete', counts: { done: 1, skipped: 2 } });
  });

  it('stops dispatching after a failure and reports once nothing is in flight', () => {
    const te = engine();
    const graph = { actions: [act('a_start'), act('b_start'), act('c_start')], edges: [{ before: 'a_start', after: 'c_start' }] };
    te.step(NOW, { kind: 'run', graphId: 7, graph });
    const failed = te.step(NOW, { kind: 'action-result', graphId: 7, actionId: 'a_start', ok: false, reason: 'rc=1' });
    expect(dispatched(failed)).toEqual([]);
    expect(completion(failed)).toBeUndefined();
    const last = te.step(NOW, { kind: 'action-result', graphId: 7, actionId: 'b_start', ok: true });
    expect(completion(last)).toMatchObject({ graphId: 7, status: 'failed', reason: 'a_start failed: rc=1' });
  });

  it('takes a missing result as a failure when the backstop timer fires, and ignores it afterwards', () => {
    const te = engine();
    const effects = te.step(NOW, { kind: 'run', graphId: 2, graph: { actions: [act('a_start')], edges: [] } });
    const timer = effects.find((e) => e.kind === 'set-timer');
    expect(timer).toBeDefined();
    const timedOut = te.step(NOW, { kind: 'timeout', timer: timer?.kind === 'set-timer' ? timer.timer : '' });
    expect(completion(timedOut)).toMatchObject({ status: 'failed' });
    expect(te.step(NOW, { kind: 'action-result', graphId: 2, actionId: 'a_start', ok: true })).toEqual([{ kind: 'stale-result', graphId: 2, actionId: 'a_start' }]);
  });

  it('aborts: nothing new starts, in-flight actions are waited for, then the graph is reported aborted', () => {
    const te = engine();
    te.step(NOW, { kind: 'run', graphId: 3, graph: { actions: [act('a_start'), act('b_start')], edges: [{ before: 'a_start', after: 'b_start' }] } });
    expect(completion(te.step(NOW, { kind: 'abort', reason: 'node n2 lost' }))).toBeUndefined();
    const last = te.step(NOW, { kind: 'action-result', graphId: 3, actionId: 'a_start', ok: true });
    expect(dispatched(last)).toEqual([]);
    expect(completion(last)).toMatchObject({ status: 'aborted', reason: 'node n2 lost', counts: { done: 1, ready: 1 } });
  });

  it('refuses a second graph while one is in flight, and accepts it afterwards', () => {
    const te = engine();
    const graph = { actions: [act('a_start')], edges: [] };
    te.step(NOW, { kind: 'run', graphId: 1, graph });
    expect(te.step(NOW, { kind: 'run', graphId: 2, graph })).toEqual([{ kind: 'run-refused', graphId: 2, busyWith: 1 }]);
    te.step(NOW, { kind: 'action-result', graphId: 1, actionId: 'a_start', ok: true });
    expect(dispatched(te.step(NOW, { kind: 'run', graphId: 2, graph }))).toEqual(['a_start']);
  });

  it('completes an empty graph at once', () => {
    expect(completion(engine().step(NOW, { kind: 'run', graphId: 9, graph: { actions: [], edges: [] } }))).toMatchObject({ status: 'complete' });
  });
});
