/**
 * QuorumLease: the quorum disk's tie-breaker as a pure state machine. In a two-node cluster split
 * in two, the node that holds the lease on the shared disk keeps quorum; the other loses it and
 * does not fence the holder. The disk gives atomic sector writes but no compare-and-swap, so the
 * lease is a delta lease (as sanlock's): timing, not locking, makes it exclusive.
 *
 * The lease sector holds {owner, counter}; every claim and renewal writes counter + 1, so any write
 * changes what readers see.
 *
 *                   free, or mine from an earlier life
 *     observing ------------------------------------------> claiming --(write ok)--> confirming
 *       ^  |  the same value for leaseTimeout (read issue time                          |
 *       |  +--- minus the first completed read that showed it) -----> claiming          | read back after
 *       |                                                                               | acquireDelay
 *       +------------------ read back shows another value -------------------------------+
 *       |                                                                               | mine
 *       +---- a read shows another owner, or my I/O broke the bound ---- holding <------+
 *                                                             (read; if mine, write counter + 1; every loop)
 *
 * Why it is safe (the property test checks it over thousands of seeds with random I/O delays):
 * - every disk I/O completes within `ioTimeoutMs` of being issued (Δ) and takes effect somewhere
 *   in between; a slower one counts as failed, and a write that failed this way also stops holding
 *   (it may land late);
 * - a holder counts its lease valid until (issue time of its last completed claim or renewal) +
 *   leaseTimeout − Δ. Another node takes the value that write put on disk as new when its first
 *   read showing it completes (never before the write was issued), and claims only after a read
 *   issued leaseTimeout later still shows it: by then the holder's validity from that write has
 *   ended, and a later write of the holder would have changed the value;
 * - a claim is believed only after a read issued `acquireDelay` (> 2Δ) after the claim completed
 *   shows it still: a rival's read-then-write that started before the claim landed has landed by
 *   then (the last writer wins and the other backs off), and a holder renewing over the claim
 *   makes the claimer back off.
 * Assumptions outside the model: clocks run at the same rate (monotonic clocks of healthy nodes),
 * and a node frozen for longer than its watchdog timeout is reset (a frozen node would break the
 * I/O bound). Nothing here decides membership: the driver combines `holds(now)` with the view.
 *
 * Driver contract (NodeCore): `start` first; effects in order; at most one disk I/O in flight,
 * answered with `lease-read` / `lease-written` carrying the monotonic times it was issued and
 * completed; `holds(now)` may be asked at any time.
 */
import type { Millis } from '../../lib/index.js';
import type { LeaseRecord } from './disk-layout.js';
import { leaseAcquireDelayMs, type DiskTimeouts } from './disk-timeouts.js';

export type LeaseTimer = 'lease-loop' | 'lease-confirm' | 'lease-expiry';

export type QuorumLeaseInput =
  | { readonly kind: 'start' }
  | { readonly kind: 'timeout'; readonly timer: LeaseTimer }
  /** A read of the lease sector: the record (`undefined` when blank), or why it failed. */
  | { readonly kind: 'lease-read'; readonly issuedAt: Millis; readonly completedAt: Millis; readonly result: { readonly ok: true; readonly record: LeaseRecord | undefined } | { readonly ok: false; readonly reason: string } }
  | { readonly kind: 'lease-written'; readonly issuedAt: Millis; readonly completedAt: Millis; readonly ok: boolean; readonly reason?: string };

export type QuorumLeaseEffect =
  | { readonly kind: 'set-timer'; readonly timer: LeaseTimer; readonly afterMs: Millis }
  | { readonly kind: 'read-lease' }
  /** Write this record to the lease sector; `writtenAtWallMs` is the driver's to fill in. */
  | { readonly kind: 'write-lease'; readonly owner: string; readonly counter: number }
  | { readonly kind: 'lease-acquired'; readonly counter: number }
  | { readonly kind: 'lease-lost'; readonly reason: string };

export type QuorumLeasePhase = 'observing' | 'claiming' | 'confirming' | 'holding';

export interface QuorumLeaseConfig {
  /** This node's name, as the lease sector stores it. */
  readonly self: string;
  readonly timeouts: Pick<DiskTimeouts, 'loopMs' | 'ioTimeoutMs' | 'leaseTimeoutMs'>;
  /** Test hook: the read-back delay after a claim. Default leaseAcquireDelayMs; lower only to show the checker catches it. */
  readonly acquireDelayMs?: number;
}

interface Observation {
  readonly owner: string;
  readonly counter: number;
  /** Completion time of the first read that showed this value. */
  readonly firstSeenAt: number;
}

export class QuorumLease {
  private phase: QuorumLeasePhase = 'observing';
  private observed: Observation | undefined;
  /** The counter of our last claim or renewal that we count on. */
  private ownCounter = 0;
  private claimIssuedAt = 0;
  private validUntil = 0;
  private inFlight: 'read' | 'write' | undefined;
  private readonly acquireDelayMs: number;

  constructor(private readonly config: QuorumLeaseConfig) {
    this.acquireDelayMs = config.acquireDelayMs ?? leaseAcquireDelayMs(config.timeouts);
  }

  /** True while this node holds the lease at `now` (monotonic). */
  holds(now: Millis): boolean {
    return this.phase === 'holding' && now < this.validUntil;
  }

  /** For status and tests. */
  get state(): { readonly phase: QuorumLeasePhase; readonly validUntil: number; readonly counter: number } {
    return { phase: this.phase, validUntil: this.validUntil, counter: this.ownCounter };
  }

  step(now: Millis, input: QuorumLeaseInput): QuorumLeaseEffect[] {
    switch (input.kind) {
      case 'start':
        return [this.loopTimer(), ...this.read()];
      case 'timeout':
        return this.onTimeout(now, input.timer);
      case 'lease-read':
        this.inFlight = undefined;
        return this.onRead(now, input);
      case 'lease-written':
        this.inFlight = undefined;
        return this.onWritten(now, input);
    }
  }

  private get timeouts(): QuorumLeaseConfig['timeouts'] {
    return this.config.timeouts;
  }

  private loopTimer(): QuorumLeaseEffect {
    return { kind: 'set-timer', timer: 'lease-loop', afterMs: this.timeouts.loopMs as Millis };
  }

  private read(): QuorumLeaseEffect[] {
    if (this.inFlight !== undefined) return [];
    this.inFlight = 'read';
    return [{ kind: 'read-lease' }];
  }

  private onTimeout(now: Millis, timer: LeaseTimer): QuorumLeaseEffect[] {
    switch (timer) {
      case 'lease-loop':
        // While a claim is being confirmed, the confirm timer does the next read.
        return [this.loopTimer(), ...(this.phase === 'confirming' || this.phase === 'claiming' ? [] : this.read())];
      case 'lease-confirm':
        return this.phase === 'confirming' ? this.read() : [];
      case 'lease-expiry':
        if (this.phase === 'holding' && now >= this.validUntil) return this.lose('no renewal within the lease timeout (the disk is slow or unreachable)');
        return [];
    }
  }

  private lose(reason: string): QuorumLeaseEffect[] {
    const held = this.phase === 'holding';
    this.phase = 'observing';
    this.validUntil = 0;
    return held ? [{ kind: 'lease-lost', reason }] : [];
  }

  private tooSlow(input: { readonly issuedAt: Millis; readonly completedAt: Millis }): boolean {
    return input.completedAt - input.issuedAt > this.timeouts.ioTimeoutMs;
  }

  private onRead(now: Millis, input: Extract<QuorumLeaseInput, { kind: 'lease-read' }>): QuorumLeaseEffect[] {
    if (!input.result.ok || this.tooSlow(input)) {
      // No knowledge gained. A claim not confirmed is abandoned; a holder's validity runs out by itself.
      if (this.phase === 'confirming') this.phase = 'observing';
      return [];
    }
    const record = input.result.record;
    const owner = record?.owner ?? '';
    const counter = record?.counter ?? 0;
    switch (this.phase) {
      case 'holding':
        if (owner === this.config.self && counter === this.ownCounter) return this.write(counter + 1);
        this.observe(owner, counter, input.completedAt);
        return this.lose(`the lease shows ${owner === '' ? 'no owner' : `'${owner}'`}: another node claimed it`);
      case 'confirming':
        if (owner === this.config.self && counter === this.ownCounter) {
          const validUntil = this.claimIssuedAt + this.timeouts.leaseTimeoutMs - this.timeouts.ioTimeoutMs;
          if (now >= validUntil) {
            this.phase = 'observing';
            return [];
          }
          this.phase = 'holding';
          this.validUntil = validUntil;
          return [{ kind: 'lease-acquired', counter }, { kind: 'set-timer', timer: 'lease-expiry', afterMs: (validUntil - now) as Millis }];
        }
        this.phase = 'observing';
        this.observe(owner, counter, input.completedAt);
        return [];
      case 'claiming':
        return [];
      case 'observing': {
        // Free, or ours from an earlier life of this node: nobody else can count on it.
        if (owner === '' || owner === this.config.self) return this.claim(Math.max(counter, this.observed?.counter ?? 0) + 1);
        const seen = this.observe(owner, counter, input.completedAt);
        if (input.issuedAt - seen.firstSeenAt >= this.timeouts.leaseTimeoutMs) return this.claim(counter + 1);
        return [];
      }
    }
  }

  private observe(owner: string, counter: number, completedAt: number): Observation {
    if (this.observed === undefined || this.observed.owner !== owner || this.observed.counter !== counter) this.observed = { owner, counter, firstSeenAt: completedAt };
    return this.observed;
  }

  private claim(counter: number): QuorumLeaseEffect[] {
    this.phase = 'claiming';
    return this.write(counter);
  }

  private write(counter: number): QuorumLeaseEffect[] {
    this.inFlight = 'write';
    this.ownCounter = counter;
    return [{ kind: 'write-lease', owner: this.config.self, counter }];
  }

  private onWritten(now: Millis, input: Extract<QuorumLeaseInput, { kind: 'lease-written' }>): QuorumLeaseEffect[] {
    const failed = !input.ok || this.tooSlow(input);
    switch (this.phase) {
      case 'claiming':
        if (failed) {
          this.phase = 'observing';
          this.observed = undefined;
          return [];
        }
        this.phase = 'confirming';
        this.claimIssuedAt = input.issuedAt;
        return [{ kind: 'set-timer', timer: 'lease-confirm', afterMs: this.acquireDelayMs as Millis }];
      case 'holding': {
        // A renewal that failed or was too slow may land at any time: stop counting on the lease.
        if (failed) return this.lose(`the renewal write ${input.ok ? 'took longer than the io timeout' : `failed: ${input.reason ?? 'unknown'}`}`);
        this.validUntil = input.issuedAt + this.timeouts.leaseTimeoutMs - this.timeouts.ioTimeoutMs;
        if (now >= this.validUntil) return this.lose('the renewal came too late');
        return [{ kind: 'set-timer', timer: 'lease-expiry', afterMs: (this.validUntil - now) as Millis }];
      }
      case 'observing':
      case 'confirming':
        return [];
    }
  }
}
