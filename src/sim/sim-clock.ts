import type { Clock, Millis, TimerHandle } from '../lib/index.js';

/** The part of the Simulation a SimClock needs: its virtual time and its agenda. */
export interface VirtualTime {
  now(): number;
  schedule(afterMs: number, callback: () => void): void;
}

/**
 * SimClock: a Clock on the simulator's virtual time, for shell code (adapters, drivers) that runs
 * inside a simulation. Timers become events in the simulation's queue; clearing a timer marks it
 * dead rather than searching the heap. `wallNow()` is a fixed epoch plus virtual time, so records
 * stamped with it are the same on every replay.
 */
export class SimClock implements Clock {
  private nextId = 1;
  private readonly live = new Set<number>();

  constructor(
    private readonly time: VirtualTime,
    private readonly epochMs = Date.UTC(2026, 0, 1),
  ) {}

  now(): Millis {
    return this.time.now() as Millis;
  }

  wallNow(): number {
    return this.epochMs + this.time.now();
  }

  setTimer(afterMs: Millis, callback: () => void): TimerHandle {
    const id = this.nextId++;
    this.live.add(id);
    this.time.schedule(Math.max(0, afterMs), () => {
      if (!this.live.delete(id)) return;
      callback();
    });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.live.delete(handle.id);
  }
}
