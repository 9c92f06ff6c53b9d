/**
 * The `disk` fence driver: fencing through the shared fencing disk (sbd's poison pill). The port
 * is the target node's name (its slot).
 *
 * - `off` writes `off`, `reboot` writes `poison` into the target's mailbox, then waits the disk's
 *   msgwait and reports success with power `off`. The wait is the proof, not a status read: by then
 *   the target has either read the pill and fenced itself, or could not read its slot and was
 *   reset by its watchdog (disk-timeouts.ts). `reboot` does not see the node come back: the node
 *   reboots by itself (a documented exception to "reboot = verified off, then verified on").
 *   A fence aborted by `signal` before msgwait ends is a `timeout` failure (the pill stays).
 * - `on` writes `clear`, so that the node may start again (start mode `clean`); it powers nothing.
 * - `status` answers `off` while the mailbox holds a pill, else `on`, with the heartbeat in the note.
 * - `list` answers every allocated slot; `monitor` reads the header and the slots.
 *
 * The caveat sbd shares: a target that cannot read the disk but sees a healthy cluster keeps
 * petting its watchdog. Fencing only ever targets a node outside the fencer's partition, which
 * therefore does not see a healthy cluster unless the cluster's quorum rules are broken.
 */
import type { DeviceFailure, DeviceResult, FenceAction, FenceDeviceRequest, FenceDriver, FenceDriverCapabilities, FenceFailureCode } from '../fence/index.js';
import type { Clock, Result } from '../lib/index.js';
import { isFencingMessage, type DiskMessage } from './disk-format/index.js';
import { SharedDisk } from './shared-disk.js';

export interface DiskFenceDriverOptions {
  readonly id: string;
  /** The fencing disk's device path on this node. */
  readonly device: string;
  /** Who writes the pill (this node's name, or `user@host`). */
  readonly sender: string;
  readonly clock: Clock;
  /** Test hook: how the disk is opened (default SharedDisk.openPath). */
  readonly open?: (path: string) => Result<SharedDisk, string>;
}

const CAPABILITIES: FenceDriverCapabilities = { actions: ['off', 'on', 'reboot', 'status', 'list', 'monitor'], needsPort: true };

export function createDiskFenceDriver(options: DiskFenceDriverOptions): FenceDriver {
  return new DiskFenceDriver(options);
}

class DiskFenceDriver implements FenceDriver {
  readonly kind = 'disk' as const;
  readonly capabilities = CAPABILITIES;

  constructor(private readonly options: DiskFenceDriverOptions) {}

  get id(): string {
    return this.options.id;
  }

  async run(request: FenceDeviceRequest): Promise<DeviceResult> {
    const startedAt = this.options.clock.now();
    const elapsed = (): number => this.options.clock.now() - startedAt;
    const fail = (code: FenceFailureCode, reason: string): DeviceFailure => ({ ok: false, action: request.action, code, reason: `${this.id}: ${reason}`, attempts: 1, elapsedMs: elapsed() });
    const opened = (this.options.open ?? SharedDisk.openPath)(this.options.device);
    if (!opened.ok) return fail(/cannot open|no such/i.test(opened.error) ? 'unreachable' : 'device-error', opened.error);
    const disk = opened.value;
    try {
      const action: FenceAction = request.action;
      if (action === 'monitor' || action === 'list') {
        const slots = disk.slots();
        if (!slots.ok) return fail('device-error', slots.error);
        return {
          ok: true,
          action,
          ...(action === 'list' ? { ports: slots.value.map((view) => ({ port: view.node, name: `slot ${view.slot}`, power: isFencingMessage(view.mailbox.message) ? ('off' as const) : ('on' as const) })) } : {}),
          note: `${slots.value.length} slot(s), msgwait ${disk.header.msgwaitMs} ms`,
          attempts: 1,
          elapsedMs: elapsed(),
        };
      }
      const target = request.port;
      if (target === undefined || target === '') return fail('config', 'the disk driver needs the target node name as its port');
      const slot = disk.slotOf(target);
      if (!slot.ok) return fail(/has no slot/.test(slot.error) ? 'unknown-target' : 'device-error', slot.error);
      if (action === 'status') {
        const mailbox = disk.readMailbox(slot.value);
        if (!mailbox.ok) return fail('device-error', mailbox.error);
        const heartbeat = disk.readHeartbeat(slot.value);
        const note = heartbeat.ok && heartbeat.value !== undefined ? `heartbeat ${heartbeat.value.counter} (${heartbeat.value.state}), message '${mailbox.value?.message ?? 'none'}'` : `no heartbeat yet, message '${mailbox.value?.message ?? 'none'}'`;
        const fenced = mailbox.value !== undefined && isFencingMessage(mailbox.value.message);
        return { ok: true, action, power: fenced ? 'off' : 'on', note, attempts: 1, elapsedMs: elapsed() };
      }
      const message: DiskMessage = action === 'off' ? 'off' : action === 'reboot' ? 'poison' : 'clear';
      const sent = disk.sendMessage(target, message, this.options.sender, this.options.clock.wallNow());
      if (!sent.ok) return fail('device-error', sent.error);
      if (action === 'on') return { ok: true, action, power: 'on', note: 'slot cleared: the node may start again', attempts: 1, elapsedMs: elapsed() };
      const waited = await this.wait(disk.header.msgwaitMs, request.signal);
      if (!waited) return fail('timeout', `aborted while waiting msgwait (${disk.header.msgwaitMs} ms) after writing '${message}' for ${target}: the pill stays on the disk`);
      return { ok: true, action, power: 'off', note: `'${message}' written (sequence ${sent.value.sequence}), msgwait ${disk.header.msgwaitMs} ms waited`, attempts: 1, elapsedMs: elapsed() };
    } finally {
      disk.close();
    }
  }

  /** Resolves true after `ms`, false as soon as `signal` aborts. */
  private wait(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
    if (signal?.aborted === true) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.options.clock.clearTimer(handle);
        resolve(false);
      };
      const handle = this.options.clock.setTimer(ms as never, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
