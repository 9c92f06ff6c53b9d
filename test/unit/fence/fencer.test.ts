// Goal: the Fencer shell wires the planner to drivers and a Clock: a request's promise resolves
// with the outcome and onOutcome sees it, the fence delay is a Clock timer, a notice that this
// node was fenced ends its delayed request and calls onStopSelf without any device running, and
// runDevice reaches one device directly. Method: SimClock on a tiny manual agenda, scripted drivers.
import { describe, expect, it } from 'vitest';
import { Fencer, FenceTopology, type DeviceResult, type FenceDeviceRequest, type FenceDriver, type FenceOutcome } from '../../../src/fence/index.js';
import { silentLogger, type Millis } from '../../../src/lib/index.js';
import { SimClock } from '../../../src/sim/sim-clock.js';

class Agenda {
  time = 0;
  private items: { at: number; run: () => void }[] = [];
  now = (): number => this.time;
  schedule = (afterMs: number, run: () => void): void => {
    this.items.push({ at: this.time + afterMs, run });
  };
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      this.items.sort((a, b) => a.at - b.at);
      const next = this.items[0];
      if (next === undefined || next.at > until) break;
      this.items.shift();
      this.time = next.at;
      next.run();
    }
    this.time = until;
  }
}

function driver(id: string, answer: (request: FenceDeviceRequest) => DeviceResult, calls: string[]): FenceDriver {
  return {
    id,
    kind: 'ipmi',
    capabilities: { actions: ['off', 'on', 'reboot', 'status', 'monitor'], needsPort: false },
    run: (request) => {
      calls.push(`${id} ${request.action}`);
      return Promise.resolve(answer(request));
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('Fencer', () => {
  const topology = (() => {
    const built = FenceTopology.create([
      { index: 1, target: { kind: 'node', node: 'a' }, devices: [{ device: 'bmc-a' }] },
      { index: 2, target: { kind: 'node', node: 'a' }, devices: [{ device: 'pdu', port: '1' }] },
    ]);
    if (!built.ok) throw new Error('topology');
    return built.value;
  })();

  it('runs the levels through the drivers, waits the delay on the clock, and reports the outcome', async () => {
    const agenda = new Agenda();
    const calls: string[] = [];
    const seen: FenceOutcome[] = [];
    const drivers = new Map([
      ['bmc-a', driver('bmc-a', (r) => ({ ok: false, action: r.action, code: 'unreachable', reason: 'silent', attempts: 2, elapsedMs: 1 }), calls)],
      ['pdu', driver('pdu', (r) => ({ ok: true, action: r.action, power: 'off', attempts: 1, elapsedMs: 1 }), calls)],
    ]);
    const fencer = new Fencer({ self: 'b', topology, drivers, staticDelayMs: { a: 1000 as Millis }, clock: new SimClock(agenda), logger: silentLogger, onOutcome: (_r, o) => seen.push(o) });
    const outcome = fencer.fence({ target: 'a', action: 'off', reason: 'lost', requester: 'b' });
    await flush();
    expect(calls).toEqual([]);
    expect(fencer.activeTargets()).toEqual(['a']);
    agenda.advance(1000);
    for (let i = 0; i < 5; i++) await flush();
    expect(await outcome).toMatchObject({ ok: true, level: 2, devices: ['pdu'] });
    expect(calls).toEqual(['bmc-a off', 'pdu off']);
    expect(seen).toHaveLength(1);
    expect(await fencer.runDevice('pdu', 'status', '1')).toMatchObject({ ok: true });
    expect(await fencer.runDevice('nope', 'status')).toMatchObject({ ok: false, code: 'config', reason: 'no fence device named nope' });
  });

  it('stops when told it was fenced while its own request waited', async () => {
    const agenda = new Agenda();
    const calls: string[] = [];
    const stops: string[] = [];
    const drivers = new Map([['bmc-a', driver('bmc-a', (r) => ({ ok: true, action: r.action, attempts: 1, elapsedMs: 1 }), calls)]]);
    const fencer = new Fencer({ self: 'b', topology, drivers, priorityDelayMs: 5000 as Millis, clock: new SimClock(agenda), logger: silentLogger, onStopSelf: (reason) => stops.push(reason) });
    const outcome = fencer.fence({ target: 'a', action: 'off', reason: 'split', requester: 'b', priorities: { a: 10, b: 1 } });
    fencer.notice('b', 'off', true, 'a');
    expect(await outcome).toMatchObject({ ok: false });
    agenda.advance(10_000);
    await flush();
    expect(calls).toEqual([]);
    expect(stops).toEqual(['this node was fenced (off) by a']);
  });
});
