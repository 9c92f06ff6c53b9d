/**
 * Running one agent command as a child process: the part of the LRM that touches the operating
 * system. Each command runs in its own session and process group (`detached`, i.e. setsid), so that
 * a timeout can end the agent together with everything it started: SIGTERM to the whole group, then
 * SIGKILL to the group after a grace period. Output is captured into bounded buffers and stderr is
 * scanned for `ocf-exit-reason:` lines as it arrives.
 *
 * Only a timed-out command's group is signalled. A command that exits by itself leaves its group
 * alone: a start action routinely leaves the service's daemon behind in it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Clock, Logger, Millis, TimerHandle } from '../../lib/index.js';
import { silentLogger } from '../../lib/index.js';
import { BoundedOutput } from './bounded-output.js';
import { ExitReasonScanner } from './exit-reason.js';

/** One command to run. The environment is exactly `env`: nothing is inherited implicitly. */
export interface ProcessSpec {
  readonly executable: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly timeoutMs: Millis;
}

/** How a command ended. */
export type ProcessEnd =
  | { readonly kind: 'exited'; readonly code: number }
  /** Killed by a signal the runner did not send (a crash, or someone else's kill). */
  | { readonly kind: 'signaled'; readonly signal: string }
  /**
   * Ran past its timeout; its group was signalled. `reaped` is false when the leader had still not
   * exited `reapGraceMs` after SIGKILL (a process stuck in the kernel): the result is given anyway so
   * the LRM is never stuck, and the condition is logged as an error.
   */
  | { readonly kind: 'timed-out'; readonly reaped: boolean }
  /** Could not be started: `code` is the errno name (ENOENT, EACCES, ...). */
  | { readonly kind: 'spawn-failed'; readonly code: string; readonly message: string };

export interface ProcessOutcome {
  readonly end: ProcessEnd;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutTruncated: boolean;
  readonly stderrTruncated: boolean;
  /** The last `ocf-exit-reason:` line on stderr, without its prefix. */
  readonly exitReason?: string;
  readonly durationMs: Millis;
  /** The leader's pid, which is also the process group id; absent when the spawn failed. */
  readonly pid?: number;
}

/** The narrow interface agent classes use to run commands (tests substitute a scripted one). */
export interface ProcessRunner {
  /** Never rejects: every way a command can end is a ProcessOutcome. */
  run(spec: ProcessSpec): Promise<ProcessOutcome>;
}

export interface ChildProcessRunnerOptions {
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Between SIGTERM and SIGKILL to a timed-out group. Default 5 s. */
  readonly killGraceMs?: Millis;
  /** How long to wait for the leader to be reaped after SIGKILL before giving up on it. Default 2 s. */
  readonly reapGraceMs?: Millis;
  /**
   * After the leader exits, how long to wait for its output pipes to close. A background process
   * that kept the agent's stdout open would otherwise hold the result forever. Default 500 ms.
   */
  readonly drainMs?: Millis;
  /**
   * Within drainMs, the result is in once the pipes were quiet this long after the exit: what the
   * agent wrote before it exited is already in the pipe, so a silent background child (IPaddr2
   * leaves send_arp running for a second) does not delay every start by drainMs. Default 30 ms.
   */
  readonly drainQuietMs?: Millis;
  /** Bytes of stdout kept (from the start). Default 1 MiB: meta-data of big agents is tens of KiB. */
  readonly stdoutLimitBytes?: number;
  /** Bytes of stderr kept (the end). Default 64 KiB. */
  readonly stderrLimitBytes?: number;
}

export const DEFAULT_KILL_GRACE_MS = 5000 as Millis;

/** The settings a running command reads, with every default filled in. */
interface RunnerSettings {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly killGraceMs: Millis;
  readonly reapGraceMs: Millis;
  readonly drainMs: Millis;
  readonly drainQuietMs: Millis;
  readonly stdoutLimitBytes: number;
  readonly stderrLimitBytes: number;
}

/** The production ProcessRunner (node:child_process). */
export class ChildProcessRunner implements ProcessRunner {
  private readonly settings: RunnerSettings;

  constructor(options: ChildProcessRunnerOptions) {
    this.settings = {
      clock: options.clock,
      logger: options.logger ?? silentLogger,
      killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      reapGraceMs: options.reapGraceMs ?? (2000 as Millis),
      drainMs: options.drainMs ?? (500 as Millis),
      drainQuietMs: options.drainQuietMs ?? (30 as Millis),
      stdoutLimitBytes: options.stdoutLimitBytes ?? 1024 * 1024,
      stderrLimitBytes: options.stderrLimitBytes ?? 64 * 1024,
    };
  }

  run(spec: ProcessSpec): Promise<ProcessOutcome> {
    return new Promise((resolve) => new RunningProcess(this.settings, spec, resolve).start());
  }
}

/** One command from spawn to result: a small state machine driven by child events and timers. */
class RunningProcess {
  private readonly stdout: BoundedOutput;
  private readonly stderr: BoundedOutput;
  private readonly reasons = new ExitReasonScanner();
  private readonly stderrDecoder = new TextDecoder();
  private child: ChildProcess | undefined;
  private startedAt: Millis;
  private timers: TimerHandle[] = [];
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private timedOut = false;
  private killSent = false;
  private closed = false;
  private settled = false;
  private exitedAt: Millis = 0 as Millis;
  private lastOutputAt: Millis = 0 as Millis;

  constructor(
    private readonly settings: RunnerSettings,
    private readonly spec: ProcessSpec,
    private readonly resolve: (outcome: ProcessOutcome) => void,
  ) {
    this.stdout = new BoundedOutput(settings.stdoutLimitBytes, 'head');
    this.stderr = new BoundedOutput(settings.stderrLimitBytes, 'tail');
    this.startedAt = settings.clock.now();
  }

  start(): void {
    const { clock } = this.settings;
    this.startedAt = clock.now();
    let child: ChildProcess;
    try {
      child = spawn(this.spec.executable, [...this.spec.args], {
        env: { ...this.spec.env },
        ...(this.spec.cwd === undefined ? {} : { cwd: this.spec.cwd }),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      // spawn throws synchronously on arguments it cannot pass (a NUL byte in an environment value).
      this.finish({ kind: 'spawn-failed', code: errnoOf(error) ?? 'EINVAL', message: messageOf(error) });
      return;
    }
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => {
      this.lastOutputAt = clock.now();
      this.stdout.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.lastOutputAt = clock.now();
      this.stderr.push(chunk);
      this.reasons.push(this.stderrDecoder.decode(chunk, { stream: true }));
    });
    // A read error on a pipe is not the agent's result; the exit status still is.
    child.stdout?.on('error', () => {});
    child.stderr?.on('error', () => {});
    child.on('error', (error) => {
      // Emitted when the spawn itself failed (ENOENT, EACCES): there is no process and no exit.
      if (child.pid === undefined) this.finish({ kind: 'spawn-failed', code: errnoOf(error) ?? 'UNKNOWN', message: error.message });
    });
    child.on('exit', (code, signal) => this.onExit(code, signal));
    child.on('close', () => {
      this.closed = true;
      this.maybeFinish();
    });
    this.timers.push(clock.setTimer(this.spec.timeoutMs, () => this.onTimeout()));
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exit = { code, signal };
    if (this.timedOut) {
      // The leader is gone; members of its group may not be. Finish now if the group is empty,
      // otherwise when SIGKILL has gone to the group (the grace timer sends it).
      if (this.killSent || !this.groupExists()) this.finishTimedOut(true);
      return;
    }
    if (!this.closed) {
      this.exitedAt = this.settings.clock.now();
      this.timers.push(this.settings.clock.setTimer(this.settings.drainQuietMs, () => this.drainCheck()));
    }
    this.maybeFinish();
  }

  /** After the exit, with the pipes still open: done once they were quiet for drainQuietMs, or at drainMs. */
  private drainCheck(): void {
    if (this.settled) return;
    const { clock, drainMs, drainQuietMs } = this.settings;
    const now = clock.now();
    const quietFor = now - Math.max(this.lastOutputAt, this.exitedAt);
    if (quietFor >= drainQuietMs || now - this.exitedAt >= drainMs) {
      this.finishAfterExit();
      return;
    }
    const wait = Math.min(drainQuietMs - quietFor, drainMs - (now - this.exitedAt));
    this.timers.push(clock.setTimer(Math.max(1, wait) as Millis, () => this.drainCheck()));
  }

  private maybeFinish(): void {
    if (this.exit !== undefined && this.closed && !this.timedOut) this.finishAfterExit();
  }

  private finishAfterExit(): void {
    const exit = this.exit;
    if (exit === undefined || this.timedOut) return;
    if (exit.code !== null) this.finish({ kind: 'exited', code: exit.code });
    else this.finish({ kind: 'signaled', signal: exit.signal ?? 'UNKNOWN' });
  }

  private onTimeout(): void {
    if (this.settled || this.exit !== undefined) return;
    const { clock, killGraceMs, logger } = this.settings;
    this.timedOut = true;
    logger.warn('agent process timed out', { executable: this.spec.executable, args: this.spec.args, pid: this.child?.pid, timeoutMs: this.spec.timeoutMs });
    this.signalGroup('SIGTERM');
    this.timers.push(clock.setTimer(killGraceMs, () => this.onKillGrace()));
  }

  private onKillGrace(): void {
    if (this.settled) return;
    const { clock, reapGraceMs } = this.settings;
    this.signalGroup('SIGKILL');
    this.killSent = true;
    if (this.exit !== undefined) {
      this.finishTimedOut(true);
      return;
    }
    this.timers.push(clock.setTimer(reapGraceMs, () => this.finishTimedOut(false)));
  }

  private finishTimedOut(reaped: boolean): void {
    if (!reaped) this.settings.logger.error('timed-out agent process not reaped after SIGKILL', { executable: this.spec.executable, pid: this.child?.pid });
    this.finish({ kind: 'timed-out', reaped });
  }

  /** Signals the command's process group (its pgid is the leader's pid). Never the runner's own group. */
  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || pid <= 1) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  private groupExists(): boolean {
    const pid = this.child?.pid;
    if (pid === undefined) return false;
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  private finish(end: ProcessEnd): void {
    if (this.settled) return;
    this.settled = true;
    const { clock } = this.settings;
    for (const timer of this.timers) clock.clearTimer(timer);
    this.timers = [];
    // Pipes still open (a background process holds them): stop reading, so they cannot keep
    // buffering into a result that is already delivered.
    this.child?.stdout?.destroy();
    this.child?.stderr?.destroy();
    this.reasons.push(this.stderrDecoder.decode());
    const exitReason = this.reasons.finish();
    const pid = this.child?.pid;
    this.resolve({
      end,
      stdout: this.stdout.text(),
      stderr: this.stderr.text(),
      stdoutTruncated: this.stdout.truncated,
      stderrTruncated: this.stderr.truncated,
      ...(exitReason === undefined ? {} : { exitReason }),
      durationMs: (clock.now() - this.startedAt) as Millis,
      ...(pid === undefined ? {} : { pid }),
    });
  }
}

function errnoOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
