/**
 * QuorumDisk: the shell around the pure QuorumLease (disk-format/quorum-lease.ts). It performs the
 * lease's effects on the fencing disk's lease sector and its timers on the Clock, timing every
 * I/O (issued/completed, monotonic) as the lease's safety argument needs.
 *
 * How a two-node cluster uses it: in a full split, a node keeps quorum while `holds()` is true and
 * loses it otherwise; a node without quorum does not fence (docs/FENCING.md, docs/STORAGE.md).
 * `onChange` reports acquisition and loss for logs and the membership layer.
 */
import type { Clock, Logger, TimerHandle } from '../lib/index.js';
import { QuorumLease, type LeaseTimer, type QuorumLeaseEffect, type QuorumLeaseInput } from './disk-format/index.js';
import type { SharedDisk } from './shared-disk.js';

export interface QuorumDiskOptions {
  readonly disk: SharedDisk;
  readonly node: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onChange?: (holds: boolean, detail: string) => void;
}

export class QuorumDisk {
  private readonly lease: QuorumLease;
  private readonly timers = new Map<LeaseTimer, TimerHandle>();
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly options: QuorumDiskOptions) {
    this.lease = new QuorumLease({ self: options.node, timeouts: options.disk.header });
    this.log = options.logger.child('storage:quorum-disk');
  }

  start(): void {
    this.feed({ kind: 'start' });
  }

  stop(): void {
    this.stopped = true;
    for (const handle of this.timers.values()) this.options.clock.clearTimer(handle);
    this.timers.clear();
  }

  /** True while this node holds the lease. */
  holds(): boolean {
    return this.lease.holds(this.options.clock.now());
  }

  get state(): QuorumLease['state'] {
    return this.lease.state;
  }

  private feed(input: QuorumLeaseInput): void {
    if (this.stopped) return;
    const effects = this.lease.step(this.options.clock.now(), input);
    for (const effect of effects) this.perform(effect);
  }

  private perform(effect: QuorumLeaseEffect): void {
    const { clock, disk } = this.options;
    switch (effect.kind) {
      case 'set-timer': {
        const previous = this.timers.get(effect.timer);
        if (previous !== undefined) clock.clearTimer(previous);
        this.timers.set(
          effect.timer,
          clock.setTimer(effect.afterMs, () => {
            this.timers.delete(effect.timer);
            this.feed({ kind: 'timeout', timer: effect.timer });
          }),
        );
        return;
      }
      case 'read-lease': {
        const issuedAt = clock.now();
        const read = disk.readLease();
        const completedAt = clock.now();
        if (!read.ok) this.log.warn('lease read failed', { error: read.error });
        // Fed on the next turn of the event loop: the core allows one I/O in flight and expects its answer as a new input.
        queueMicrotask(() => this.feed({ kind: 'lease-read', issuedAt, completedAt, result: read.ok ? { ok: true, record: read.value } : { ok: false, reason: read.error } }));
        return;
      }
      case 'write-lease': {
        const issuedAt = clock.now();
        const written = disk.writeLease({ owner: effect.owner, counter: effect.counter, writtenAtWallMs: clock.wallNow() });
        const completedAt = clock.now();
        if (!written.ok) this.log.warn('lease write failed', { error: written.error });
        queueMicrotask(() => this.feed({ kind: 'lease-written', issuedAt, completedAt, ok: written.ok, ...(written.ok ? {} : { reason: written.error }) }));
        return;
      }
      case 'lease-acquired':
        this.log.info('quorum disk lease acquired', { node: this.options.node, counter: effect.counter });
        this.options.onChange?.(true, `lease acquired (counter ${effect.counter})`);
        return;
      case 'lease-lost':
        this.log.warn('quorum disk lease lost', { node: this.options.node, reason: effect.reason });
        this.options.onChange?.(false, effect.reason);
        return;
    }
  }
}

