// Goal: the LocalResourceManager's scheduling rules: one operation at a time per resource, a
// global concurrency limit, recurring monitors armed by role and reported only on change, stop
// cancelling them, probes, and refusals as values. Method: a ScriptedRunner holds each operation
// until the test answers it, and a ManualClock fires the monitors' timers when the test says.
import { describe, expect, it } from 'vitest';
import type { Millis } from '../../../../src/lib/index.js';
import { LocalResourceManager, OcfRc, type LrmEvent, type OperationResultEvent, type ResourceDefinition } from '../../../../src/ha/lrm/index.js';
import { ManualClock, ScriptedRunner, settle } from './lrm-test-kit.js';

const ms = (n: number): Millis => n as Millis;

function dummy(id: string, monitors: ResourceDefinition['monitors'] = []): ResourceDefinition {
  return { id, agent: { standard: 'ocf', provider: 'heartbeat', type: 'Dummy' }, params: {}, monitors };
}

function setup(options: { concurrencyLimit?: number; queueLimitPerResource?: number } = {}) {
  const clock = new ManualClock();
  const runner = new ScriptedRunner();
  const events: LrmEvent[] = [];
  const lrm = new LocalResourceManager({ runner, clock, onEvent: (e) => events.push(e), ...options });
  const results = (): OperationResultEvent[] => events.filter((e): e is OperationResultEvent => e.kind === 'operation-result');
  return { clock, runner, events, lrm, results };
}

describe('LocalResourceManager', () => {
  it('runs the operations of one resource one at a time, in order, and different resources in parallel', async () => {
    const { runner, lrm, results } = setup();
    lrm.register(dummy('a'));
    lrm.register(dummy('b'));
    lrm.execute({ resourceId: 'a', action: 'start' });
    lrm.execute({ resourceId: 'a', action: 'stop' });
    lrm.execute({ resourceId: 'b', action: 'start' });
    expect(runner.started.map((o) => `${o.resource.id}:${o.action}`)).toEqual(['a:start', 'b:start']);
    runner.only('a').answer(OcfRc.SUCCESS);
    await settle();
    expect(runner.started.map((o) => `${o.resource.id}:${o.action}`)).toEqual(['a:start', 'b:start', 'a:stop']);
    runner.only('a').answer(OcfRc.SUCCESS);
    runner.only('b').answer(OcfRc.SUCCESS);
    await settle();
    expect(results().map((e) => `${e.resourceId}:${e.action}:${String(e.verdict.ok)}`)).toEqual(['a:start:true', 'a:stop:true', 'b:start:true']);
  });

  it('never runs more operations at once than the concurrency limit', async () => {
    const { runner, lrm } = setup({ concurrencyLimit: 2 });
    for (const id of ['a', 'b', 'c']) {
      lrm.register(dummy(id));
      lrm.execute({ resourceId: id, action: 'start' });
    }
    expect(runner.pending).toHaveLength(2);
    runner.only('a').answer(OcfRc.SUCCESS);
    await settle();
    expect(runner.pending.map((p) => p.operation.resource.id)).toEqual(['b', 'c']);
  });

  it('arms the configured monitor after a successful start, reports its first result and then only changes', async () => {
    const { clock, runner, lrm, results } = setup();
    lrm.register(dummy('a', [{ intervalMs: ms(10_000), timeoutMs: ms(20_000) }]));
    lrm.execute({ resourceId: 'a', action: 'start' });
    runner.only('a').answer(OcfRc.SUCCESS);
    await settle();
    // The monitor runs at once, with the configured timeout and interval.
    const first = runner.only('a');
    expect(first.operation).toMatchObject({ action: 'monitor', intervalMs: 10_000, timeoutMs: 20_000 });
    first.answer(OcfRc.SUCCESS);
    await settle();
    expect(results().map((e) => `${e.action}_${String(e.intervalMs)}`)).toEqual(['start_0', 'monitor_10000']);
    // Same result again: not reported. Not run before the interval has passed.
    clock.advance(9_999);
    expect(runner.pending).toHaveLength(0);
    clock.advance(1);
    runner.only('a').answer(OcfRc.SUCCESS);
    await settle();
    expect(results()).toHaveLength(2);
    // A change (the resource died) is reported once, as a failure with its reason.
    clock.advance(10_000);
    runner.only('a').answer(OcfRc.NOT_RUNNING, 'done', 'No process state file found');
    await settle();
    clock.advance(10_000);
    runner.only('a').answer(OcfRc.NOT_RUNNING, 'done', 'No process state file found');
    await settle();
    const monitors = results().filter((e) => e.recurring);
    expect(monitors.map((e) => e.result.rc)).toEqual([OcfRc.SUCCESS, OcfRc.NOT_RUNNING]);
    const failure = monitors[1];
    expect(failure?.verdict).toEqual({ ok: false, expectedRc: OcfRc.SUCCESS, observed: 'stopped' });
    expect(failure?.result.exitReason).toBe('No process state file found');
    // Every result of a recurring operation carries its one call id.
    expect(new Set(monitors.map((e) => e.callId)).size).toBe(1);
  });

  it('does not arm monitors after a failed start', async () => {
    const { clock, runner, lrm } = setup();
    lrm.register(dummy('a', [{ intervalMs: ms(1000), timeoutMs: ms(5000) }]));
    lrm.execute({ resourceId: 'a', action: 'start' });
    runner.only('a').answer(OcfRc.ERR_GENERIC);
    await settle();
    clock.advance(5000);
    expect(runner.pending).toHaveLength(0);
    expect(lrm.snapshot()[0]?.recurring).toEqual([]);
  });

  it('cancels recurring monitors when a stop is requested, dropping a running instance and a queued one', async () => {
    const { clock, runner, lrm, events } = setup();
    lrm.register(dummy('a', [{ intervalMs: ms(1000), timeoutMs: ms(5000) }]));
    lrm.execute({ resourceId: 'a', action: 'start' });
    runner.only('a').answer(OcfRc.SUCCESS);
    await settle();
    // The monitor is running when the stop is requested: its result must not be reported.
    const monitor = runner.only('a');
    lrm.execute({ resourceId: 'a', action: 'stop' });
    expect(events.filter((e) => e.kind === 'operation-cancelled')).toMatchObject([{ action: 'monitor', intervalMs: 1000 }]);
    monitor.answer(OcfRc.NOT_RUNNING);
    await settle();
    expect(runner.only('a').operation.action).toBe('stop');
    runner.only('a').answer(OcfRc.SUCCESS);
    await settle();
    clock.advance(10_000);
    expect(runner.pending).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
    expect(events.map((e) => (e.kind === 'operation-result' ? `${e.action}:${String(e.result.rc)}` : `cancel:${e.action}`))).toEqual(['start:0', 'cancel:monitor', 'stop:0']);
  });

  it('switches monitors by role: promote arms the Promoted monitor and cancels the others, demote the reverse', async () => {
    const { runner, lrm, results } = setup();
    lrm.register(
      dummy('p', [
        { intervalMs: ms(11_000), timeoutMs: ms(5000), role: 'Unpromoted' },
        { intervalMs: ms(10_000), timeoutMs: ms(5000), role: 'Promoted' },
      ]),
    );
    const armed = () => lrm.snapshot()[0]?.recurring.map((r) => r.intervalMs);
    lrm.execute({ resourceId: 'p', action: 'start' });
    runner.only('p').answer(OcfRc.SUCCESS);
    await settle();
    expect(armed()).toEqual([11_000]);
    runner.only('p').answer(OcfRc.SUCCESS);
    lrm.execute({ resourceId: 'p', action: 'promote' });
    await settle();
    runner.only('p').answer(OcfRc.SUCCESS);
    await settle();
    expect(armed()).toEqual([10_000]);
    // The Promoted monitor expects OCF_RUNNING_PROMOTED.
    runner.only('p').answer(OcfRc.RUNNING_PROMOTED);
    await settle();
    expect(results().at(-1)).toMatchObject({ action: 'monitor', intervalMs: 10_000, role: 'Promoted', verdict: { ok: true, observed: 'promoted' } });
    lrm.execute({ resourceId: 'p', action: 'demote' });
    await settle();
    runner.only('p').answer(OcfRc.SUCCESS);
    await settle();
    expect(armed()).toEqual([11_000]);
  });

  it('replaces a recurring monitor requested again with the same interval', async () => {
    const { runner, lrm, events } = setup();
    lrm.register(dummy('a'));
    const first = lrm.execute({ resourceId: 'a', action: 'monitor', intervalMs: ms(5000) });
    const second = lrm.execute({ resourceId: 'a', action: 'monitor', intervalMs: ms(5000), timeoutMs: ms(9000) });
    expect(first.ok && second.ok && first.value !== second.value).toBe(true);
    expect(events).toMatchObject([{ kind: 'operation-cancelled', callId: first.ok ? first.value : -1 }]);
    expect(lrm.snapshot()[0]?.recurring).toHaveLength(1);
    // The first instance already runs; the replacement waits behind it, then runs with its own timeout.
    runner.only('a').answer(OcfRc.SUCCESS);
    await settle();
    expect(runner.only('a').operation.timeoutMs).toBe(9000);
  });

  it('probes every registered resource with a monitor of interval 0, arming nothing', async () => {
    const { clock, runner, lrm, results } = setup();
    lrm.register(dummy('a', [{ intervalMs: ms(1000), timeoutMs: ms(5000) }]));
    lrm.register(dummy('b'));
    const probes = lrm.probe();
    expect(probes.ok && probes.value).toHaveLength(2);
    expect(runner.started.map((o) => [o.resource.id, o.action, o.intervalMs])).toEqual([
      ['a', 'monitor', 0],
      ['b', 'monitor', 0],
    ]);
    runner.only('a').answer(OcfRc.SUCCESS);
    runner.only('b').answer(OcfRc.NOT_RUNNING);
    await settle();
    expect(results().map((e) => [e.resourceId, e.probe, e.verdict.ok, e.verdict.observed])).toEqual([
      ['a', true, true, 'started'],
      ['b', true, true, 'stopped'],
    ]);
    clock.advance(10_000);
    expect(runner.pending).toHaveLength(0);
  });

  it('lets a caller await one call', async () => {
    const { runner, lrm } = setup();
    lrm.register(dummy('a'));
    const call = lrm.execute({ resourceId: 'a', action: 'start' });
    if (!call.ok) throw new Error(call.error.message);
    const done = lrm.waitFor(call.value);
    runner.only('a').answer(OcfRc.ERR_CONFIGURED, 'done', 'bad config');
    const event = await done;
    expect(event).toMatchObject({ kind: 'operation-result', callId: call.value, result: { rc: OcfRc.ERR_CONFIGURED, exitReason: 'bad config' }, verdict: { ok: false } });
  });

  it('refuses bad requests as values and queues nothing', () => {
    const { runner, lrm } = setup({ queueLimitPerResource: 2 });
    expect(lrm.execute({ resourceId: 'ghost', action: 'start' })).toMatchObject({ ok: false, error: { code: 'unknown-resource' } });
    lrm.register(dummy('a'));
    expect(lrm.execute({ resourceId: 'a', action: 'start', intervalMs: ms(1000) })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(lrm.execute({ resourceId: 'a', action: 'start', timeoutMs: ms(0) })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    lrm.execute({ resourceId: 'a', action: 'start' }); // runs
    lrm.execute({ resourceId: 'a', action: 'stop' }); // waits
    lrm.execute({ resourceId: 'a', action: 'start' }); // waits
    expect(lrm.execute({ resourceId: 'a', action: 'stop' })).toMatchObject({ ok: false, error: { code: 'queue-full' } });
    expect(lrm.unregister('a')).toMatchObject({ ok: false, error: { code: 'resource-busy' } });
    expect(runner.started).toHaveLength(1);
  });

  it('turns a runner that breaks its contract (rejects) into an error result', async () => {
    const clock = new ManualClock();
    const events: LrmEvent[] = [];
    const lrm = new LocalResourceManager({ runner: { run: () => Promise.reject(new Error('boom')) }, clock, onEvent: (e) => events.push(e) });
    lrm.register(dummy('a'));
    lrm.execute({ resourceId: 'a', action: 'start' });
    await settle();
    expect(events).toMatchObject([{ kind: 'operation-result', result: { rc: OcfRc.ERR_GENERIC, status: 'error', exitReason: 'agent runner failed: boom' }, verdict: { ok: false, observed: 'unknown' } }]);
  });

  it('close cancels what waits, lets what runs finish, and refuses new requests', async () => {
    const { runner, lrm, events } = setup();
    lrm.register(dummy('a', [{ intervalMs: ms(1000), timeoutMs: ms(5000) }]));
    lrm.execute({ resourceId: 'a', action: 'start' });
    lrm.execute({ resourceId: 'a', action: 'stop' });
    let closed = false;
    const closing = lrm.close().then(() => (closed = true));
    expect(events).toMatchObject([{ kind: 'operation-cancelled', action: 'stop' }]);
    await settle();
    expect(closed).toBe(false);
    runner.only('a').answer(OcfRc.SUCCESS);
    await closing;
    expect(events.at(-1)).toMatchObject({ kind: 'operation-result', action: 'start' });
    expect(lrm.snapshot()[0]?.recurring).toEqual([]);
    expect(lrm.execute({ resourceId: 'a', action: 'stop' })).toMatchObject({ ok: false, error: { code: 'closed' } });
  });
});
