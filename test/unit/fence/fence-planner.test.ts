// Goal: the pure fence planner and topology: levels in order with every device of a level, the
// next level after a failure, reboot through two devices as all-off-then-all-on, one fence per
// target (joined and queued requests), static and priority delays, a node that learns it was
// fenced stops and never fences the winner, cancel, self-fencing refused, and every failure
// listing its attempts. Method: feed inputs, check effects (table-driven where it reads better).
import { describe, expect, it } from 'vitest';
import { FencePlanner, FenceTopology, type DeviceResult, type FenceLevelSpec, type FencePlannerEffect, type FenceRequest } from '../../../src/fence/index.js';
import type { Millis } from '../../../src/lib/index.js';

const ms = (n: number) => n as Millis;
const okResult = (action: DeviceResult['action']): DeviceResult => ({ ok: true, action, attempts: 1, elapsedMs: 1, power: action === 'on' ? 'on' : 'off' });
const failResult = (action: DeviceResult['action'], reason = 'no answer'): DeviceResult => ({ ok: false, action, code: 'unreachable', reason, attempts: 2, elapsedMs: 1 });

function topology(levels: FenceLevelSpec[]): FenceTopology {
  const built = FenceTopology.create(levels);
  if (!built.ok) throw new Error(built.error.join('; '));
  return built.value;
}

const TWO_LEVELS = topology([
  { index: 1, target: { kind: 'node', node: 'a' }, devices: [{ device: 'bmc-a' }] },
  { index: 2, target: { kind: 'node', node: 'a' }, devices: [{ device: 'pdu-1', port: '1' }, { device: 'pdu-2', port: '1' }] },
  { index: 1, target: { kind: 'node', node: 'b' }, devices: [{ device: 'bmc-b' }] },
]);

let nextId = 1;
const request = (target: string, action: FenceRequest['action'] = 'off', requester = 'b'): FenceRequest => ({ id: `r${nextId++}`, target, action, reason: 'test', requester });
const runs = (effects: readonly FencePlannerEffect[]) => effects.filter((e) => e.kind === 'run-device').map((e) => `${e.device}${e.port === undefined ? '' : `:${e.port}`} ${e.action}`);
const done = (effects: readonly FencePlannerEffect[]) => effects.filter((e): e is Extract<FencePlannerEffect, { kind: 'request-done' }> => e.kind === 'request-done');

/** Runs a request to the end, answering each device action with `answer(device, action)`. */
function drive(planner: FencePlanner, first: readonly FencePlannerEffect[], answer: (device: string, action: string) => DeviceResult) {
  const log: string[] = [];
  const finished: Extract<FencePlannerEffect, { kind: 'request-done' }>[] = [];
  const pending = [...first];
  for (let guard = 0; guard < 50 && pending.length > 0; guard++) {
    const effect = pending.shift() as FencePlannerEffect;
    if (effect.kind === 'request-done') finished.push(effect);
    if (effect.kind !== 'run-device') continue;
    log.push(`${effect.device}${effect.port === undefined ? '' : `:${effect.port}`} ${effect.action}`);
    pending.push(...planner.step(ms(0), { kind: 'device-result', requestId: effect.requestId, step: effect.step, result: answer(effect.device, effect.action) }));
  }
  return { log, finished };
}

describe('FenceTopology', () => {
  it('orders levels by index, merges levels of several target forms, and falls back to capable devices', () => {
    const t = topology([
      { index: 2, target: { kind: 'pattern', pattern: 'node-[ab]' }, devices: [{ device: 'pdu', port: '1' }] },
      { index: 1, target: { kind: 'node', node: 'node-a' }, devices: [{ device: 'bmc-a' }] },
      { index: 2, target: { kind: 'attribute', name: 'rack', value: 'r1' }, devices: [{ device: 'fabric', port: '7' }] },
    ]);
    expect(t.levelsFor('node-a', { attributes: { rack: 'r1' } })).toEqual([
      { index: 1, devices: [{ device: 'bmc-a' }] },
      { index: 2, devices: [{ device: 'pdu', port: '1' }, { device: 'fabric', port: '7' }] },
    ]);
    expect(t.levelsFor('node-b')).toEqual([{ index: 2, devices: [{ device: 'pdu', port: '1' }] }]);
    expect(t.levelsFor('node-c', { capableDevices: [{ device: 'x' }, { device: 'y', port: '2' }] })).toEqual([
      { index: 1, devices: [{ device: 'x' }] },
      { index: 2, devices: [{ device: 'y', port: '2' }] },
    ]);
  });

  it('refuses bad levels, naming every problem', () => {
    const built = FenceTopology.create([
      { index: 0, target: { kind: 'node', node: 'a' }, devices: [] },
      { index: 1, target: { kind: 'pattern', pattern: '(' }, devices: [{ device: 'x' }] },
      { index: 1, target: { kind: 'node', node: 'b' }, devices: [{ device: 'x' }] },
      { index: 1, target: { kind: 'node', node: 'b' }, devices: [{ device: 'y' }] },
    ]);
    expect(built.ok).toBe(false);
    if (!built.ok)
      expect(built.error).toEqual([
        'level 1 (index 0, target a): the index must be a whole number of at least 1',
        'level 1 (index 0, target a): names no devices',
        "level 2 (index 1, target pattern (): '(' is not a regular expression",
        'level 4 (index 1, target b): another level has the same index for the same target',
      ]);
  });
});

describe('FencePlanner', () => {
  it('uses level 1 when it works', () => {
    const planner = new FencePlanner({ self: 'b', topology: TWO_LEVELS });
    const { log, finished } = drive(planner, planner.step(ms(0), { kind: 'request', request: request('a') }), (_d, action) => okResult(action as 'off'));
    expect(log).toEqual(['bmc-a off']);
    expect(finished[0]?.outcome).toMatchObject({ ok: true, level: 1, devices: ['bmc-a'] });
  });

  it('moves to level 2 when a level-1 device fails, and needs every device of level 2', () => {
    const planner = new FencePlanner({ self: 'b', topology: TWO_LEVELS });
    const { log, finished } = drive(planner, planner.step(ms(0), { kind: 'request', request: request('a') }), (device, action) => (device === 'bmc-a' ? failResult('off') : okResult(action as 'off')));
    expect(log).toEqual(['bmc-a off', 'pdu-1:1 off', 'pdu-2:1 off']);
    expect(finished[0]?.outcome).toMatchObject({ ok: true, level: 2, devices: ['pdu-1', 'pdu-2'] });
  });

  it('fails with every attempt listed when the last level fails', () => {
    const planner = new FencePlanner({ self: 'b', topology: TWO_LEVELS });
    const { log, finished } = drive(planner, planner.step(ms(0), { kind: 'request', request: request('a') }), (device, action) => (device === 'pdu-1' ? okResult('off') : failResult(action as 'off', `${device} silent`)));
    expect(log).toEqual(['bmc-a off', 'pdu-1:1 off', 'pdu-2:1 off']);
    const outcome = finished[0]?.outcome;
    expect(outcome).toMatchObject({ ok: false, poweredOff: false });
    if (outcome !== undefined && !outcome.ok) {
      expect(outcome.reason).toBe('every fence level for a failed: level 1 bmc-a off: bmc-a silent; level 2 pdu-2:1 off: pdu-2 silent');
      expect(outcome.attempts).toHaveLength(3);
    }
  });

  it('reboots through two devices of one level as all off, then all on', () => {
    const planner = new FencePlanner({ self: 'b', topology: TWO_LEVELS });
    const { log, finished } = drive(planner, planner.step(ms(0), { kind: 'request', request: request('a', 'reboot') }), (device, action) => (device === 'bmc-a' ? failResult('reboot') : okResult(action as 'off')));
    expect(log).toEqual(['bmc-a reboot', 'pdu-1:1 off', 'pdu-2:1 off', 'pdu-1:1 on', 'pdu-2:1 on']);
    expect(finished[0]?.outcome.ok).toBe(true);
  });

  it('a reboot whose power-on half fails is a failure that says the node is off', () => {
    const planner = new FencePlanner({ self: 'b', topology: TWO_LEVELS });
    const single = drive(planner, planner.step(ms(0), { kind: 'request', request: request('a', 'reboot') }), () => ({ ok: false, action: 'reboot', code: 'reboot-incomplete', reason: 'off, not on', poweredOff: true, attempts: 2, elapsedMs: 1 }));
    expect(single.log).toEqual(['bmc-a reboot']);
    expect(single.finished[0]?.outcome).toMatchObject({ ok: false, poweredOff: true });
    const planner2 = new FencePlanner({ self: 'b', topology: TWO_LEVELS });
    const multi = drive(planner2, planner2.step(ms(0), { kind: 'request', request: request('a', 'reboot') }), (device, action) => (device === 'bmc-a' ? failResult('reboot') : action === 'on' ? failResult('on') : okResult('off')));
    expect(multi.log).toEqual(['bmc-a reboot', 'pdu-1:1 off', 'pdu-2:1 off', 'pdu-1:1 on']);
    expect(multi.finished[0]?.outcome).toMatchObject({ ok: false, poweredOff: true });
  });

  it('keeps one fence per target: the same action joins, another action waits its turn', () => {
    const planner = new FencePlanner({ self: 'b', topology: TWO_LEVELS });
    const first = planner.step(ms(0), { kind: 'request', request: request('a', 'off') });
    expect(runs(first)).toEqual(['bmc-a off']);
    expect(runs(planner.step(ms(1), { kind: 'request', request: request('a', 'off', 'c') }))).toEqual([]);
    expect(runs(planner.step(ms(2), { kind: 'request', request: request('a', 'on', 'admin') }))).toEqual([]);
    expect(planner.activeTargets()).toEqual(['a']);
    const run = first.find((e) => e.kind === 'run-device');
    if (run?.kind !== 'run-device') throw new Error('no run');
    const after = planner.step(ms(3), { kind: 'device-result', requestId: run.requestId, step: run.step, result: okResult('off') });
    expect(done(after).map((e) => `${e.request.requester} ${e.request.action} ${String(e.outcome.ok)}`)).toEqual(['b off true', 'c off true']);
    expect(runs(after)).toEqual(['bmc-a on']);
  });

  it('ignores a stale or unknown device result', () => {
    const planner = new FencePlanner({ self: 'b', topology: TWO_LEVELS });
    const first = planner.step(ms(0), { kind: 'request', request: request('a') });
    const run = first.find((e) => e.kind === 'run-device');
    if (run?.kind !== 'run-device') throw new Error('no run');
    expect(planner.step(ms(1), { kind: 'device-result', requestId: run.requestId, step: run.step + 7, result: okResult('off') })).toEqual([]);
    expect(planner.step(ms(1), { kind: 'device-result', requestId: 'nope', step: 1, result: okResult('off') })).toEqual([]);
  });

  it('waits the static delay and the priority delay before fencing, and only for off and reboot', () => {
    const planner = new FencePlanner({ self: 'b', topology: TWO_LEVELS, staticDelayMs: { a: ms(1000) }, priorityDelayMs: ms(5000) });
    const effects = planner.step(ms(0), { kind: 'request', request: request('a'), priorities: { a: 10, b: 3 } });
    expect(runs(effects)).toEqual([]);
    expect(effects.find((e) => e.kind === 'set-timer')).toEqual({ kind: 'set-timer', timer: 'fence-delay:a', afterMs: 6000 });
    expect(effects.find((e) => e.kind === 'delay-started')).toMatchObject({ delayMs: 6000, why: 'static delay 1000 ms for a; priority delay 5000 ms: a runs the highest resource priority (10)' });
    expect(runs(planner.step(ms(6000), { kind: 'timeout', timer: 'fence-delay:a' }))).toEqual(['bmc-a off']);
    // Equal priorities: no priority delay; "on" never waits.
    const other = new FencePlanner({ self: 'a', topology: TWO_LEVELS, priorityDelayMs: ms(5000) });
    expect(runs(other.step(ms(0), { kind: 'request', request: request('b'), priorities: { a: 3, b: 3 } }))).toEqual(['bmc-b off']);
    const on = new FencePlanner({ self: 'b', topology: TWO_LEVELS, staticDelayMs: { a: ms(1000) } });
    expect(runs(on.step(ms(0), { kind: 'request', request: request('a', 'on') }))).toEqual(['bmc-a on']);
  });

  it('a node told it was fenced stops: its delayed request fails, the timer is cancelled, no device runs', () => {
    // a waits 3 s before fencing b; b fences a first and tells everyone.
    const delayed = new FencePlanner({ self: 'a', topology: TWO_LEVELS, staticDelayMs: { b: ms(3000) } });
    delayed.step(ms(0), { kind: 'request', request: request('b', 'off', 'a') });
    const effects = delayed.step(ms(100), { kind: 'fence-notice', target: 'a', action: 'off', ok: true, by: 'b' });
    expect(effects.map((e) => e.kind)).toEqual(['cancel-timer', 'request-done', 'stop-self']);
    expect(done(effects)[0]?.outcome).toMatchObject({ ok: false });
    expect(delayed.fencedSelf).toBe(true);
    expect(runs(delayed.step(ms(3000), { kind: 'timeout', timer: 'fence-delay:b' }))).toEqual([]);
    expect(done(delayed.step(ms(3001), { kind: 'request', request: request('b', 'off', 'a') }))[0]?.outcome.ok).toBe(false);
  });

  it("ends a delayed request when another member's fence of the target succeeded", () => {
    const planner = new FencePlanner({ self: 'c', topology: TWO_LEVELS, staticDelayMs: { a: ms(2000) } });
    planner.step(ms(0), { kind: 'request', request: request('a', 'off', 'c') });
    const effects = planner.step(ms(10), { kind: 'fence-notice', target: 'a', action: 'reboot', ok: true, by: 'b' });
    expect(effects.map((e) => e.kind)).toEqual(['cancel-timer', 'request-done']);
    expect(done(effects)[0]?.outcome).toMatchObject({ ok: true, note: 'fenced (reboot) by b' });
  });

  it('cancel ends the running and the queued requests of a target', () => {
    const planner = new FencePlanner({ self: 'b', topology: TWO_LEVELS });
    planner.step(ms(0), { kind: 'request', request: request('a', 'off') });
    planner.step(ms(0), { kind: 'request', request: request('a', 'on') });
    const effects = planner.step(ms(1), { kind: 'cancel', target: 'a', reason: 'admin confirmed a is off' });
    expect(done(effects).map((e) => [e.request.action, e.outcome.ok, e.outcome.ok ? '' : e.outcome.reason])).toEqual([
      ['off', false, 'cancelled: admin confirmed a is off'],
      ['on', false, 'cancelled: admin confirmed a is off'],
    ]);
    expect(planner.activeTargets()).toEqual([]);
  });

  it('refuses to fence itself, and a target no device can reach', () => {
    const planner = new FencePlanner({ self: 'b', topology: TWO_LEVELS });
    expect(done(planner.step(ms(0), { kind: 'request', request: request('b') }))[0]?.outcome).toMatchObject({ ok: false });
    const unknown = done(planner.step(ms(0), { kind: 'request', request: request('z') }))[0]?.outcome;
    expect(unknown).toMatchObject({ ok: false, reason: 'no fence device can reach z: configure a device (and its port) for it in the hardware profile or the fencing topology' });
  });
});
