import { performance } from 'node:perf_hooks';
import type { Clock, Millis, TimerHandle } from '../lib/index.js';

/**
 * SystemClock: the production Clock. `now()` is `performance.now()` (monotonic, sub-millisecond,
 * immune to NTP steps); timers are Node timers, unref'd by choice of the caller only.
 */
export class SystemClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();

  now(): Millis {
    return performance.now() as Millis;
  }

  wallNow(): number {
    return Date.now();
  }

  setTimer(afterMs: Millis, callback: () => void): TimerHandle {
    const id = this.nextId++;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      callback();
    }, Math.max(0, afterMs));
    this.timers.set(id, timer);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const timer = this.timers.get(handle.id);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(handle.id);
  }
}
