/**
 * CommandFencing: NodeFencing by running the program of heartline.yaml's `fencing.command` as
 * `COMMAND ACTION TARGET` (exit status 0 = the target is fenced). The program runs in its own
 * process group with a bounded output and is killed as a group after `fencing.timeout`, through the
 * LRM's ChildProcessRunner. The test bed's program "powers a node off" by killing every process of
 * the node's network namespace; a site can wrap its own tools the same way.
 *
 * A failed fence is answered no sooner than `minFailureMs` after it was asked: the controller
 * plans again at once after a failed transition, and a program that fails at once (missing,
 * refused) must not be run in a tight loop.
 */
import type { Clock, Logger, Millis } from '../lib/index.js';
import type { NodeFenceRequest, NodeFenceResult, NodeFencing } from '../fence/node-fencing.js';
import type { ProcessRunner } from '../ha/lrm/index.js';

export interface CommandFencingOptions {
  readonly command: string;
  readonly timeoutMs: Millis;
  readonly processes: ProcessRunner;
  readonly clock: Clock;
  readonly logger: Logger;
  /** PATH of the program's environment (it may call ip, kill, ipmitool ...). */
  readonly path: string;
  /** A failure is reported no sooner than this after the request (default 2 s). */
  readonly minFailureMs?: number;
}

export class CommandFencing implements NodeFencing {
  private closed = false;
  private readonly pending = new Set<() => void>();

  constructor(private readonly options: CommandFencingOptions) {}

  async fence(request: NodeFenceRequest): Promise<NodeFenceResult> {
    const { clock, logger } = this.options;
    const started = clock.now();
    if (this.closed) return { ok: false, reason: 'the daemon is shutting down', durationMs: 0 };
    logger.warn('fencing node', { target: request.target, action: request.action, reason: request.reason, requester: request.requester, command: this.options.command });
    const outcome = await this.options.processes.run({
      executable: this.options.command,
      args: [request.action, request.target],
      env: { PATH: this.options.path, HEARTLINE_FENCE_REASON: request.reason, HEARTLINE_FENCE_REQUESTER: request.requester },
      timeoutMs: this.options.timeoutMs,
    });
    const durationMs = clock.now() - started;
    const end = outcome.end;
    if (end.kind === 'exited' && end.code === 0) {
      logger.warn('node fenced', { target: request.target, action: request.action, durationMs: Math.round(durationMs) });
      return { ok: true, device: this.options.command, durationMs };
    }
    const why =
      end.kind === 'exited'
        ? `exited with status ${end.code}`
        : end.kind === 'signaled'
          ? `was killed by ${end.signal}`
          : end.kind === 'timed-out'
            ? `did not finish within ${this.options.timeoutMs} ms (fencing.timeout)`
            : `could not be started (${end.code}: ${end.message})`;
    const detail = lastLine(outcome.stderr) ?? lastLine(outcome.stdout);
    const reason = `fencing command ${this.options.command} ${request.action} ${request.target} ${why}${detail === undefined ? '' : `: ${detail}`}`;
    logger.error('fencing failed', { target: request.target, action: request.action, reason });
    await this.atLeast(started, this.options.minFailureMs ?? 2000);
    return { ok: false, reason, durationMs: clock.now() - started };
  }

  close(): Promise<void> {
    this.closed = true;
    // Waiting failures are answered now: they failed anyway.
    for (const resolve of this.pending) resolve();
    this.pending.clear();
    return Promise.resolve();
  }

  private atLeast(started: number, ms: number): Promise<void> {
    const left = started + ms - this.options.clock.now();
    if (left <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.pending.delete(done);
        resolve();
      };
      this.pending.add(done);
      this.options.clock.setTimer(left as Millis, done);
    });
  }
}

/**
 * Without a `fencing` section there is nothing to fence with: every request fails with a reason
 * that says how to configure one. (The daemon then plans with stonith-enabled=false, see
 * cluster-runtime.ts, so this is reached only when something asks explicitly.)
 */
export class NoFencing implements NodeFencing {
  fence(request: NodeFenceRequest): Promise<NodeFenceResult> {
    return Promise.resolve({ ok: false, reason: `cannot fence ${request.target}: heartline.yaml has no fencing section (fencing.command)`, durationMs: 0 });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function lastLine(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.at(-1)?.slice(0, 300);
}
