/**
 * Watchdog: the last line of disk fencing. A node pets it while it is healthy (it sees the
 * cluster, or it can read its slot on the fencing disk); a node that stops petting is reset by
 * the hardware after the watchdog timeout, whatever its software is doing. Self-fencing (a pill in
 * the node's slot) asks for a reset at once.
 *
 * Implementations:
 * - `DeviceWatchdog`: /dev/watchdog (a hardware driver, or softdog). Opening it arms it; writing
 *   any byte pets it; writing 'V' and closing disarms it (the "magic close"), which only a clean
 *   stop does. The timeout is the driver's (softdog's `soft_margin`, or set with `wdctl -s`), since
 *   setting it takes an ioctl that Node cannot issue; `heartline storage disk-watch` checks it
 *   against the disk's watchdog timeout only through the operator's configuration. An immediate
 *   reset writes 'b' (reboot) or 'o' (power off) to /proc/sysrq-trigger, which root may always do;
 *   if that fails, petting stops and the hardware resets the node after its timeout.
 * - `FileWatchdog`: the test stand-in (this machine has no /dev/watchdog). Every pet rewrites a
 *   small JSON file atomically (`{state, pets, timeoutMs, reason}`); the harness
 *   (src/testbed/watchdog-harness.ts) reads it and, when it is not petted within the timeout or
 *   says `reset`, kills the node's processes: the "hardware reset".
 *
 * Contract: `pet`, `close` and `resetNow` never throw (errors are values, or logged by the caller).
 */
import { closeSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { err, ok, type Result } from '../lib/index.js';

export type ResetAction = 'reboot' | 'off';

export interface Watchdog {
  /** What it is, for logs ("/dev/watchdog", "stand-in /tmp/x/watchdog.json"). */
  readonly description: string;
  /** Arms it (opens the device). Called once before the first pet. */
  arm(): Result<void, string>;
  pet(): Result<void, string>;
  /** Disarms it: only for a clean stop of a healthy node. */
  close(): void;
  /** Resets this node now (self-fence). May not return. */
  resetNow(action: ResetAction, reason: string): void;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class DeviceWatchdog implements Watchdog {
  private fd: number | undefined;

  constructor(
    readonly path = '/dev/watchdog',
    private readonly sysrqPath = '/proc/sysrq-trigger',
  ) {}

  get description(): string {
    return this.path;
  }

  arm(): Result<void, string> {
    if (this.fd !== undefined) return ok(undefined);
    try {
      this.fd = openSync(this.path, 'w');
      return ok(undefined);
    } catch (error) {
      return err(`cannot open the watchdog ${this.path}: ${message(error)} (load a watchdog driver, e.g. modprobe softdog, or configure the right device)`);
    }
  }

  pet(): Result<void, string> {
    if (this.fd === undefined) return err(`the watchdog ${this.path} is not armed`);
    try {
      writeSync(this.fd, 'k');
      return ok(undefined);
    } catch (error) {
      return err(`petting ${this.path} failed: ${message(error)}`);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, 'V');
    } catch {
      // A driver without magic close keeps counting: the node is then reset, which is safe.
    }
    closeSync(this.fd);
    this.fd = undefined;
  }

  resetNow(action: ResetAction): void {
    try {
      writeFileSync(this.sysrqPath, action === 'off' ? 'o' : 'b');
    } catch {
      // No sysrq: stop petting; the hardware resets the node after its timeout.
    }
  }
}

/** The state the stand-in file holds; the harness reads it. */
export interface FileWatchdogState {
  readonly state: 'armed' | 'closed' | 'reset';
  readonly pets: number;
  readonly timeoutMs: number;
  readonly pid: number;
  readonly action?: ResetAction;
  readonly reason?: string;
}

export class FileWatchdog implements Watchdog {
  private pets = 0;
  private armed = false;
  private fenced = false;

  constructor(
    readonly path: string,
    private readonly timeoutMs: number,
  ) {}

  get description(): string {
    return `stand-in ${this.path}`;
  }

  private write(state: FileWatchdogState): Result<void, string> {
    try {
      const temporary = `${this.path}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(state)}\n`);
      renameSync(temporary, this.path);
      return ok(undefined);
    } catch (error) {
      return err(`writing the watchdog stand-in ${this.path} failed: ${message(error)}`);
    }
  }

  arm(): Result<void, string> {
    this.armed = true;
    return this.pet();
  }

  pet(): Result<void, string> {
    if (!this.armed || this.fenced) return err('the watchdog stand-in is not armed');
    this.pets++;
    return this.write({ state: 'armed', pets: this.pets, timeoutMs: this.timeoutMs, pid: process.pid });
  }

  close(): void {
    if (!this.armed || this.fenced) return;
    this.armed = false;
    this.write({ state: 'closed', pets: this.pets, timeoutMs: this.timeoutMs, pid: process.pid });
  }

  resetNow(action: ResetAction, reason: string): void {
    this.fenced = true;
    this.write({ state: 'reset', pets: this.pets, timeoutMs: this.timeoutMs, pid: process.pid, action, reason });
  }
}
