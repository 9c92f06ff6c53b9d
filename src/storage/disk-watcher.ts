/**
 * DiskWatcher: a node's side of disk fencing (Heartline's sbd). Every loop interval it reads its
 * mailbox on the fencing disk, writes its heartbeat, and pets the watchdog if the node is healthy.
 *
 * Rules, and why:
 * - a `poison` or `off` message newer than what the node has seen makes it fence itself at once:
 *   its heartbeat says `self-fencing`, `onSelfFence` stops its resources (the caller kills them,
 *   no graceful stop), and the watchdog resets the node (sysrq, or the stand-in's harness). A
 *   `test` message is logged and acknowledged;
 * - the watchdog is petted only while the node can read its slot (a read that completed within the
 *   io timeout) or `clusterHealthy()` says it sees a healthy cluster. A node that loses both stops
 *   petting and is reset after the watchdog timeout: this is what lets a fencer that wrote a pill
 *   count the target as gone after msgwait (disk-timeouts.ts) even when the target cannot read it;
 * - a node never writes its own mailbox (it would race a fencer's pill); it acknowledges in its
 *   heartbeat (`acknowledgedSequence`);
 * - start mode `clean` (the default) refuses to start while the slot holds a pill: the node was
 *   fenced and an operator (or the `on` action of the disk driver) must clear it
 *   (`heartline storage disk-message DEVICE NODE clear`); `always` ignores an old pill, as sbd's
 *   SBD_STARTMODE=always;
 * - the disk I/O is synchronous in the loop: a hung disk blocks the loop and so stops the petting,
 *   which is the wanted outcome.
 *
 * The loop is driven by the injected Clock; `loopOnce()` runs one iteration (tests call it).
 */
import { err, ok, type Clock, type Logger, type Millis, type Result, type TimerHandle } from '../lib/index.js';
import { isFencingMessage, type DiskMessage, type HeartbeatState } from './disk-format/index.js';
import type { SharedDisk } from './shared-disk.js';
import type { ResetAction, Watchdog } from './watchdog.js';

export type StartMode = 'clean' | 'always';

export interface DiskWatcherOptions {
  readonly disk: SharedDisk;
  /** This node's name (its slot). */
  readonly node: string;
  readonly watchdog: Watchdog;
  readonly clock: Clock;
  readonly logger: Logger;
  /** True while the node sees a healthy cluster (a quorate view; both nodes of a two-node cluster). Default: never. */
  readonly clusterHealthy?: () => boolean;
  /**
   * Stops this node's resources at once (kill, no graceful stop). Called once, before the watchdog
   * reset; must not wait long: the fencer counts on msgwait. Default: nothing (the reset does it).
   */
  readonly onSelfFence?: (message: DiskMessage, reason: string) => void;
  readonly startMode?: StartMode;
}

export interface DiskWatcherStatus {
  readonly node: string;
  readonly slot: number;
  readonly counter: number;
  readonly lastDiskReadOkAt: number | undefined;
  readonly petting: boolean;
  readonly selfFenced: boolean;
}

export class DiskWatcher {
  private slot = -1;
  private counter = 0;
  private acknowledged = 0;
  private timer: TimerHandle | undefined;
  private lastDiskReadOkAt: number | undefined;
  private petting = false;
  private selfFenced = false;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly options: DiskWatcherOptions) {
    this.log = options.logger.child('storage:disk-watcher');
  }

  /** Finds the slot, applies the start mode, arms the watchdog, writes the first heartbeat and starts the loop. */
  start(): Result<void, string> {
    const { disk, node } = this.options;
    const slot = disk.slotOf(node);
    if (!slot.ok) return slot;
    this.slot = slot.value;
    const mailbox = disk.readMailbox(this.slot);
    if (!mailbox.ok) return mailbox;
    const heartbeat = disk.readHeartbeat(this.slot);
    if (heartbeat.ok && heartbeat.value !== undefined) this.counter = heartbeat.value.counter;
    const current = mailbox.value;
    if (current !== undefined && isFencingMessage(current.message)) {
      if ((this.options.startMode ?? 'clean') === 'clean') {
        return err(`the fencing disk ${disk.device.path} holds '${current.message}' for ${node} (from ${current.sender || 'unknown'}): this node was fenced; clear it once the node is safe to run: heartline storage disk-message ${disk.device.path} ${node} clear`);
      }
      this.log.warn('old pill ignored at start', { node, message: current.message, sender: current.sender, sequence: current.sequence });
    }
    this.acknowledged = current?.sequence ?? 0;
    const armed = this.options.watchdog.arm();
    if (!armed.ok) return armed;
    this.petting = true;
    this.writeHeartbeat('running');
    this.log.info('disk watcher started', { node, slot: this.slot, device: disk.device.path, direct: disk.device.direct, watchdog: this.options.watchdog.description, loopMs: disk.header.loopMs, watchdogTimeoutMs: disk.header.watchdogTimeoutMs, msgwaitMs: disk.header.msgwaitMs });
    this.schedule();
    return ok(undefined);
  }

  /**
   * Stops the loop. A clean stop of a healthy node disarms its watchdog (magic close); with
   * `disarm` false (a daemon that lost a vital part) the watchdog stays armed and unpetted, so the
   * node is reset unless something pets it again in time.
   */
  stop(disarm = true): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.clock.clearTimer(this.timer);
    this.timer = undefined;
    if (disarm && !this.selfFenced) this.options.watchdog.close();
  }

  status(): DiskWatcherStatus {
    return { node: this.options.node, slot: this.slot, counter: this.counter, lastDiskReadOkAt: this.lastDiskReadOkAt, petting: this.petting, selfFenced: this.selfFenced };
  }

  private schedule(): void {
    if (this.stopped || this.selfFenced) return;
    this.timer = this.options.clock.setTimer(this.options.disk.header.loopMs as Millis, () => {
      this.loopOnce();
      this.schedule();
    });
  }

  /** One iteration: read the mailbox, act on a new message, write the heartbeat, pet if healthy. */
  loopOnce(): void {
    if (this.stopped || this.selfFenced) return;
    const { disk, clock } = this.options;
    const issuedAt = clock.now();
    const mailbox = disk.readMailbox(this.slot);
    const completedAt = clock.now();
    let diskOk = false;
    if (!mailbox.ok) {
      this.log.warn('fencing disk read failed', { error: mailbox.error });
    } else if (completedAt - issuedAt > disk.header.ioTimeoutMs) {
      this.log.warn('fencing disk read too slow', { ms: completedAt - issuedAt, ioTimeoutMs: disk.header.ioTimeoutMs });
    } else if (mailbox.value === undefined || mailbox.value.node !== this.options.node) {
      this.log.error('own slot no longer allocated to this node', { slot: this.slot, found: mailbox.value?.node ?? null });
    } else {
      diskOk = true;
      this.lastDiskReadOkAt = completedAt;
      const record = mailbox.value;
      if (record.sequence !== this.acknowledged) {
        this.acknowledged = record.sequence;
        if (isFencingMessage(record.message)) {
          this.selfFence(record.message, `'${record.message}' from ${record.sender || 'unknown'} in slot ${this.slot} of ${disk.device.path}`);
          return;
        }
        this.log.info('disk message', { message: record.message, sender: record.sender, sequence: record.sequence });
      }
    }
    this.writeHeartbeat('running');
    const healthy = diskOk || (this.options.clusterHealthy?.() ?? false);
    if (healthy) {
      const pet = this.options.watchdog.pet();
      if (!pet.ok) this.log.error('watchdog pet failed', { error: pet.error });
      if (!this.petting) this.log.info('watchdog petting again', { diskOk });
      this.petting = true;
    } else if (this.petting) {
      this.petting = false;
      this.log.error('watchdog no longer petted: neither the fencing disk nor a healthy cluster is seen; this node will be reset', { watchdogTimeoutMs: disk.header.watchdogTimeoutMs });
    }
  }

  private writeHeartbeat(state: HeartbeatState): void {
    this.counter++;
    const written = this.options.disk.writeHeartbeat({ slot: this.slot, node: this.options.node, state, counter: this.counter, acknowledgedSequence: this.acknowledged, writtenAtWallMs: this.options.clock.wallNow() });
    if (!written.ok) this.log.warn('heartbeat write failed', { error: written.error });
  }

  private selfFence(message: DiskMessage, reason: string): void {
    this.selfFenced = true;
    this.petting = false;
    this.log.error('self-fencing: a fencing message is in this node\'s slot', { message, reason });
    this.writeHeartbeat('self-fencing');
    try {
      this.options.onSelfFence?.(message, reason);
    } catch (error) {
      this.log.error('stopping resources for the self-fence failed; the watchdog reset follows', { error: error instanceof Error ? error.message : String(error) });
    }
    const action: ResetAction = message === 'off' ? 'off' : 'reboot';
    this.options.watchdog.resetNow(action, reason);
  }
}
