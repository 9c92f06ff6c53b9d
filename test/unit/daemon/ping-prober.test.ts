// PingProber: reports whether any ping target answers, once at the start and then only on change,
// one round per interval on its Clock. The pings are injected and time is a manual clock here; one
// real ping of loopback checks that the system's ping is there and understood.
import { describe, expect, it } from 'vitest';
import type { Clock, Millis, TimerHandle } from '../../../src/lib/index.js';
import { PING_INTERVAL_MS, PingProber, pingOnce } from '../../../src/daemon/ping-prober.js';

/** A Clock whose timers fire only when the test advances time. */
class ManualClock implements Clock {
  private time = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  now(): Millis {
    return this.time as Millis;
  }
  wallNow(): number {
    return this.time;
  }
  setTimer(afterMs: Millis, callback: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + afterMs, callback });
    return { id };
  }
  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }
  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at > this.time) continue;
      this.timers.delete(id);
      timer.callback();
    }
  }
  get pending(): number {
    return this.timers.size;
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('PingProber', () => {
  it('reports the first verdict, then only changes; reachable when any target answers', async () => {
    // Per round: is a / b answering?
    const rounds: [boolean, boolean][] = [
      [false, false],
      [false, false],
      [false, true],
      [true, true],
      [true, false],
      [false, false],
    ];
    const clock = new ManualClock();
    const reports: boolean[] = [];
    let round = 0;
    const prober = new PingProber(['a', 'b'], clock, (reachable) => reports.push(reachable), (target) => Promise.resolve(rounds[round]?.[target === 'a' ? 0 : 1] ?? false));
    prober.start();
    while (round < rounds.length) {
      await settle();
      round++;
      clock.advance(PING_INTERVAL_MS);
    }
    expect(reports).toEqual([false, true, false]);
    prober.stop();
  });

  it('probes once per interval and stops when stopped', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const prober = new PingProber(['a'], clock, () => undefined, () => {
      calls++;
      return Promise.resolve(true);
    });
    prober.start();
    await settle();
    clock.advance(PING_INTERVAL_MS - 1);
    await settle();
    expect(calls).toBe(1);
    clock.advance(1);
    await settle();
    expect(calls).toBe(2);
    prober.stop();
    expect(clock.pending).toBe(0);
    clock.advance(10 * PING_INTERVAL_MS);
    await settle();
    expect(calls).toBe(2);
  });

  it('pings loopback for real with the system ping', async () => {
    expect(await pingOnce('127.0.0.1')).toBe(true);
  });
});
