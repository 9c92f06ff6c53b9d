/**
 * WatchdogHarness: the "hardware" behind the FileWatchdog stand-in (src/storage/watchdog.ts), for
 * a machine without /dev/watchdog. It reads the stand-in file every `pollMs` and resets the node
 * (calls `onReset`, which kills the node's processes, e.g. NetnsLab.powerLoss) when:
 * - the file says `reset` (the node fenced itself: sysrq in production), or
 * - the file is armed and its pet count has not changed for its `timeoutMs` (the node stopped
 *   petting: frozen, disk and cluster lost, or dead software).
 * A `closed` file (magic close) disarms it. Each harness resets at most once, and records when.
 */
import { readFileSync } from 'node:fs';
import type { FileWatchdogState } from '../storage/index.js';

export interface WatchdogHarnessOptions {
  readonly path: string;
  readonly onReset: (why: string) => Promise<unknown>;
  readonly pollMs?: number;
}

export interface WatchdogReset {
  readonly at: number;
  readonly why: string;
}

export class WatchdogHarness {
  private timer: NodeJS.Timeout | undefined;
  private lastPets = -1;
  private lastChangeAt = performance.now();
  private fired: WatchdogReset | undefined;

  constructor(private readonly options: WatchdogHarnessOptions) {}

  start(): this {
    this.timer = setInterval(() => this.poll(), this.options.pollMs ?? 25);
    return this;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** When and why the node was reset (performance.now() time), if it was. */
  get reset(): WatchdogReset | undefined {
    return this.fired;
  }

  private poll(): void {
    if (this.fired !== undefined) return;
    let state: FileWatchdogState;
    try {
      state = JSON.parse(readFileSync(this.options.path, 'utf8')) as FileWatchdogState;
    } catch {
      return; // Not armed yet.
    }
    const now = performance.now();
    if (state.state === 'reset') return this.fire(now, `self-fence (${state.action ?? 'reboot'}): ${state.reason ?? ''}`);
    if (state.state === 'closed') {
      this.lastPets = state.pets;
      this.lastChangeAt = now;
      return;
    }
    if (state.pets !== this.lastPets) {
      this.lastPets = state.pets;
      this.lastChangeAt = now;
      return;
    }
    if (now - this.lastChangeAt > state.timeoutMs) this.fire(now, `not petted for ${Math.round(now - this.lastChangeAt)} ms (timeout ${state.timeoutMs} ms)`);
  }

  private fire(at: number, why: string): void {
    this.fired = { at, why };
    this.stop();
    void this.options.onReset(why);
  }
}
