/**
 * systemd's notify protocol without a native module: `systemd-notify --no-block MESSAGE` sends
 * one datagram to $NOTIFY_SOCKET and returns at once (facts: ecosystem.md section 8). Without
 * $NOTIFY_SOCKET (not started by systemd with Type=notify) every call is a no-op. Because the
 * sender is a child process, the unit needs NotifyAccess=all (systemd/heartline.service sets it).
 *
 * The watchdog: when systemd sets WATCHDOG_USEC (the unit's WatchdogSec=), `WATCHDOG=1` is sent
 * every half of it, from the main thread's event loop: a main thread stuck for longer than the
 * watchdog gets the daemon restarted, which is the point.
 */
import { spawn } from 'node:child_process';
import type { Clock, Logger, Millis, TimerHandle } from '../lib/index.js';

export class SystemdNotifier {
  private watchdog: TimerHandle | undefined;
  private readonly enabled: boolean;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.enabled = (env['NOTIFY_SOCKET'] ?? '') !== '';
  }

  /** READY=1 with a STATUS line. */
  ready(status: string): void {
    this.send(['READY=1', `STATUS=${status}`, `MAINPID=${process.pid}`]);
  }

  status(status: string): void {
    this.send([`STATUS=${status}`]);
  }

  stopping(): void {
    this.send(['STOPPING=1']);
  }

  /** Starts petting the watchdog every WATCHDOG_USEC / 2, when systemd asked for it (and for this process). */
  startWatchdog(): void {
    const usec = Number(this.env['WATCHDOG_USEC'] ?? '');
    const pid = this.env['WATCHDOG_PID'];
    if (!this.enabled || !Number.isFinite(usec) || usec <= 0) return;
    if (pid !== undefined && pid !== '' && Number(pid) !== process.pid) return;
    const everyMs = Math.max(100, Math.floor(usec / 1000 / 2)) as Millis;
    this.logger.info('petting the systemd watchdog', { everyMs });
    const pet = (): void => {
      this.send(['WATCHDOG=1']);
      this.watchdog = this.clock.setTimer(everyMs, pet);
    };
    pet();
  }

  stopWatchdog(): void {
    if (this.watchdog !== undefined) this.clock.clearTimer(this.watchdog);
    this.watchdog = undefined;
  }

  private send(lines: readonly string[]): void {
    if (!this.enabled) return;
    const child = spawn('systemd-notify', ['--no-block', ...lines], { stdio: 'ignore', env: this.env });
    child.once('error', (error) => this.logger.warn('systemd-notify failed', { error: error.message }));
    child.once('exit', (code) => {
      if (code !== 0) this.logger.warn('systemd-notify failed', { code, message: lines.join(' ') });
    });
  }
}
