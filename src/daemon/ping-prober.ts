import { execFile } from 'node:child_process';
import type { Clock, Millis, TimerHandle } from '../lib/index.js';

export const PING_INTERVAL_MS = 1000 as Millis;

/**
 * PingProber: Heartbeat's `ping` tie-breaker. Every second it pings each target once (the system's
 * `ping`, since ICMP needs a raw socket Node does not have) and reports whether any answered, so a
 * node cut off from the network gives up quorum. Reports only changes, the first result included.
 */
export class PingProber {
  private timer: TimerHandle | undefined;
  private last: boolean | undefined;
  private stopped = false;

  constructor(
    private readonly targets: readonly string[],
    private readonly clock: Clock,
    private readonly report: (reachable: boolean) => void,
    private readonly ping: (target: string) => Promise<boolean> = pingOnce,
  ) {}

  start(): void {
    this.round();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
  }

  private round(): void {
    if (this.stopped) return;
    void Promise.all(this.targets.map((target) => this.ping(target))).then((answers) => {
      if (this.stopped) return;
      const reachable = answers.some(Boolean);
      if (reachable !== this.last) {
        this.last = reachable;
        this.report(reachable);
      }
      this.timer = this.clock.setTimer(PING_INTERVAL_MS, () => this.round());
    });
  }
}

/** One ICMP echo through the system's `ping`: true when the target answered within a second. */
export function pingOnce(target: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('ping', ['-c', '1', '-W', '1', target], { timeout: 2000 }, (error) => resolve(error === null));
  });
}
