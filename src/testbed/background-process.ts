/**
 * BackgroundProcess: a long-running program the testbed starts (a heartline daemon, a CPU burner),
 * optionally inside a network namespace, and controls only through the PID it got from spawn.
 *
 * Contract:
 * - the program runs as `[ip netns exec NS] setpriv --pdeathsig SIGKILL ARGV...`. `ip netns exec`
 *   and setpriv both exec, so the PID of the spawned child IS the program's PID: signals sent to it
 *   (SIGSTOP, SIGKILL, ...) reach the program itself, never a wrapper;
 * - it cannot outlive the process that started it: the kernel kills it when that process dies
 *   (pdeathsig), and a last-resort exit hook kills it by PID when that process exits normally;
 * - `signal()` and `kill()` only ever touch this PID, and only while the program has not been
 *   reaped (after the exit event the PID may belong to someone else, so nothing is sent);
 * - stdout is handed over line by line (`onStdoutLine`); stderr is kept as a bounded tail for
 *   error messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { registerLastResortCleanup } from './last-resort-cleanup.js';

export interface BackgroundProcessOptions {
  /** A label for messages ("daemon b", "cpu burner a#1"). */
  readonly name: string;
  /** The program and its arguments (at least the program). */
  readonly argv: readonly string[];
  /** Run inside this network namespace; absent: in the caller's own. */
  readonly namespace?: string;
  /** The environment; defaults to the caller's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each line the program writes to stdout (without the newline). */
  readonly onStdoutLine?: (line: string) => void;
}

/** How a program ended: its exit code, or the signal that killed it. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const STDERR_TAIL_CHARS = 8000;

export class BackgroundProcess {
  /** Resolves when the program has exited and its output has been read to the end. Never rejects. */
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;
  private stderr = '';
  private readonly unregister: () => void;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly pid: number,
    onStdoutLine: ((line: string) => void) | undefined,
  ) {
    this.unregister = registerLastResortCleanup(`${name} (pid ${pid})`, () => {
      if (this.status === undefined) killQuietly(pid, 'SIGKILL');
    });
    // 'exit' means reaped: from then on the PID may be reused, so nothing is signalled any more.
    // `exited` waits for 'close' as well, so that every line of stdout has been handed over.
    child.once('exit', (code, signal) => {
      this.status = { code, signal };
      this.unregister();
    });
    this.exited = new Promise((resolve) => {
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve(this.status ?? { code, signal }));
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      // A bounded tail: a chatty program must not grow the caller's memory.
      this.stderr = (this.stderr + text).slice(-STDERR_TAIL_CHARS);
    });
    if (child.stdout !== null) {
      const lines = createInterface({ input: child.stdout });
      if (onStdoutLine !== undefined) lines.on('line', onStdoutLine);
    }
  }

  /**
   * Starts the program. Rejects when it cannot be spawned at all (ip or setpriv missing); a program
   * that starts and then fails shows up as an early `exited`.
   */
  static async start(options: BackgroundProcessOptions): Promise<BackgroundProcess> {
    if (options.argv.length === 0) throw new RangeError(`${options.name}: argv must name a program`);
    const wrapped = ['setpriv', '--pdeathsig', 'SIGKILL', ...options.argv];
    const [file, ...args] = options.namespace === undefined ? wrapped : ['ip', 'netns', 'exec', options.namespace, ...wrapped];
    const child = spawn(file as string, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
    if (child.pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new Error(`cannot start ${options.name} (${[file, ...args].join(' ')}): ${error.message}`);
    }
    return new BackgroundProcess(options.name, child, child.pid, options.onStdoutLine);
  }

  /** How the program ended, or undefined while it runs. */
  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** True until the program has exited. */
  get running(): boolean {
    return this.status === undefined;
  }

  /** Sends `signal` to the program's PID; false when it has already exited (nothing is sent then). */
  signal(signal: NodeJS.Signals): boolean {
    if (this.status !== undefined) return false;
    return killQuietly(this.pid, signal);
  }

  /**
   * Stops the program: `signal` (default SIGTERM), then SIGKILL if it has not exited within
   * `graceMs` (default 3000). A stopped (SIGSTOPped) program gets SIGCONT after the signal, so that
   * it can act on it. Resolves with the exit status; idempotent; never rejects.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<ExitStatus> {
    if (this.status !== undefined) return this.status;
    this.signal(signal);
    if (signal !== 'SIGKILL') this.signal('SIGCONT');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }

  /** The last lines the program wrote to stderr, for error messages ('' when none). */
  stderrTail(): string {
    return this.stderr.trim().slice(-2000);
  }

  /** "exit 1", "SIGKILL" or "running", for messages. */
  describeStatus(): string {
    if (this.status === undefined) return 'running';
    return this.status.signal ?? `exit ${String(this.status.code)}`;
  }
}

/** process.kill that treats "no such process" as done. Returns whether the signal was delivered. */
function killQuietly(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    // ESRCH: it is gone already, which is what we wanted.
    return false;
  }
}
