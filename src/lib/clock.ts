import type { Millis } from './units.js';

/** An opaque handle for a timer set through a Clock. */
export interface TimerHandle {
  readonly id: number;
}

/**
 * Clock: the only way the shell reads time or waits. Pure cores never hold a Clock: the driver reads
 * `now()` and passes it in with every input. Production uses the system's monotonic clock
 * (platform/system-clock.ts); the simulator's clock advances only when its event queue does, so a
 * run is the same every time.
 *
 * Contract:
 * - `now()` is monotonic (never goes backwards) and unrelated to the wall clock.
 * - `wallNow()` is milliseconds since the Unix epoch, for records a person reads (history, logs);
 *   it may jump and must never be used to measure a duration.
 * - a timer's callback runs once, after at least `afterMs`, on the caller's event loop, never
 *   synchronously inside `setTimer`. `clearTimer` on a fired or cleared timer is a no-op.
 */
export interface Clock {
  now(): Millis;
  wallNow(): number;
  setTimer(afterMs: Millis, callback: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}
