/**
 * The timeouts of a fencing disk, written in its header so that every node and every fencer uses
 * the same ones (as sbd does). The rules between them are what make a poison pill trustworthy:
 *
 * - a node reads its slot every `loopMs` and pets its watchdog only after a read that succeeded
 *   (or while it sees a healthy cluster); a read takes at most `ioTimeoutMs` (a longer one counts
 *   as failed);
 * - so a node that a pill reaches either reads it within `loopMs + ioTimeoutMs` and fences itself
 *   at once, or cannot read its slot and its watchdog resets it at most `watchdogTimeoutMs` after
 *   its last pet, which came before the pill plus one read;
 * - therefore after `msgwaitMs >= watchdogTimeoutMs + loopMs + ioTimeoutMs` the target is gone,
 *   which is what the `disk` fence driver waits before it reports success. sbd's default, which we
 *   keep, is msgwait = 2 x watchdog timeout.
 *
 * The quorum-disk lease (quorum-lease.ts) uses `leaseTimeoutMs`: a holder that stops renewing
 * loses the lease to the other node after it; see that file for its own rules.
 */
import { err, ok, type Result } from '../../lib/index.js';

export interface DiskTimeouts {
  /** The hardware watchdog's timeout: a node not petting it for this long is reset. */
  readonly watchdogTimeoutMs: number;
  /** How long a fencer waits after writing a pill before it counts the target as gone. */
  readonly msgwaitMs: number;
  /** How often a node reads its slot, writes its heartbeat and (quorum disk) renews the lease. */
  readonly loopMs: number;
  /** The longest a disk read or write may take; a slower one counts as failed. */
  readonly ioTimeoutMs: number;
  /** The quorum-disk lease's timeout (the other node may take the lease after this long unrenewed). */
  readonly leaseTimeoutMs: number;
}

export const DEFAULT_WATCHDOG_TIMEOUT_MS = 5000;
export const DEFAULT_LOOP_MS = 1000;
/** The shortest loop we accept: below it a busy node misses its own deadlines. */
export const LOOP_MS_MIN = 100;
/** Header fields are 32-bit; a day is far beyond any sensible timeout. */
export const TIMEOUT_MS_MAX = 24 * 60 * 60 * 1000;

/**
 * Fills in the timeouts that were not given, from the watchdog timeout as sbd does: loop 1 s (at
 * most a fifth of the watchdog timeout), io timeout = loop, msgwait = 2 x watchdog timeout,
 * lease timeout = msgwait. Then checks the rules (checkDiskTimeouts).
 */
export function resolveDiskTimeouts(given: Partial<DiskTimeouts>): Result<DiskTimeouts, string[]> {
  const watchdogTimeoutMs = given.watchdogTimeoutMs ?? DEFAULT_WATCHDOG_TIMEOUT_MS;
  const loopMs = given.loopMs ?? Math.max(LOOP_MS_MIN, Math.min(DEFAULT_LOOP_MS, Math.floor(watchdogTimeoutMs / 5)));
  const ioTimeoutMs = given.ioTimeoutMs ?? loopMs;
  const msgwaitMs = given.msgwaitMs ?? 2 * watchdogTimeoutMs;
  const leaseTimeoutMs = given.leaseTimeoutMs ?? msgwaitMs;
  const timeouts = { watchdogTimeoutMs, msgwaitMs, loopMs, ioTimeoutMs, leaseTimeoutMs };
  const problems = checkDiskTimeouts(timeouts);
  return problems.length === 0 ? ok(timeouts) : err(problems);
}

/** Every broken rule between the timeouts, as sentences that say what to change; empty when they hold. */
export function checkDiskTimeouts(t: DiskTimeouts): string[] {
  const problems: string[] = [];
  const fields = { watchdogTimeoutMs: t.watchdogTimeoutMs, msgwaitMs: t.msgwaitMs, loopMs: t.loopMs, ioTimeoutMs: t.ioTimeoutMs, leaseTimeoutMs: t.leaseTimeoutMs };
  for (const [name, value] of Object.entries(fields)) {
    if (!Number.isInteger(value) || value <= 0 || value > TIMEOUT_MS_MAX) problems.push(`${name} ${String(value)} must be a whole number of milliseconds between 1 and ${TIMEOUT_MS_MAX}`);
  }
  if (problems.length > 0) return problems;
  if (t.loopMs < LOOP_MS_MIN) problems.push(`the loop interval ${t.loopMs} ms is below ${LOOP_MS_MIN} ms`);
  if (t.watchdogTimeoutMs < 2 * t.loopMs) problems.push(`the watchdog timeout ${t.watchdogTimeoutMs} ms must be at least twice the loop interval ${t.loopMs} ms, so that a healthy node pets it at least twice per timeout`);
  if (t.ioTimeoutMs > t.loopMs) problems.push(`the io timeout ${t.ioTimeoutMs} ms must not exceed the loop interval ${t.loopMs} ms`);
  const msgwaitMin = t.watchdogTimeoutMs + t.loopMs + t.ioTimeoutMs;
  if (t.msgwaitMs < msgwaitMin) problems.push(`msgwait ${t.msgwaitMs} ms must be at least watchdog timeout + loop + io timeout = ${msgwaitMin} ms: a node that cannot read its slot must have been reset by its watchdog before a fencer counts it as gone`);
  const leaseMin = t.loopMs + 3 * t.ioTimeoutMs + leaseAcquireDelayMs(t) + 1;
  if (t.leaseTimeoutMs < leaseMin) problems.push(`the lease timeout ${t.leaseTimeoutMs} ms must be more than loop + 3 x io timeout + the acquire delay = ${leaseMin - 1} ms, or a holder could not renew in time`);
  return problems;
}

/**
 * How long a node that wrote its claim on the lease waits before reading it back (quorum-lease.ts):
 * longer than any other node's read-then-write can take (2 x io timeout), plus one loop.
 */
export function leaseAcquireDelayMs(t: Pick<DiskTimeouts, 'ioTimeoutMs' | 'loopMs'>): number {
  return 2 * t.ioTimeoutMs + t.loopMs;
}
