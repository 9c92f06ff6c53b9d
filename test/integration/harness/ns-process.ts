/**
 * NsProcess: a Node program running as its own process, optionally inside a network namespace
 * (`ip netns exec NS node PROGRAM`), driven over a tiny JSON-lines protocol:
 *
 * - the test writes commands to its stdin, one JSON object per line: `{"id": 7, "cmd": "send", ...}`;
 * - the program writes to stdout one JSON object per line: a reply `{"reply": 7, "ok": true, ...}`
 *   to each command, and events `{"event": "receive", ...}` whenever something happens. Its first
 *   line is `{"event": "ready"}`.
 *
 * The process is tied to the test process three ways, so that it cannot outlive it: `stop()`
 * (exit command, then SIGKILL by PID), a last-resort exit hook, and setpriv --pdeathsig SIGKILL
 * (the kernel kills it if the test process dies). The fixture programs also exit when stdin
 * closes. Only the PID this class started is ever signalled. `startInLab` starts one inside a
 * NetnsLab node, which then stops it in destroy().
 *
 * Test-only: long-running programs that are not driven over JSON lines (daemons, CPU burners) are
 * src/testbed/background-process.ts.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { registerLastResortCleanup } from '../../../src/testbed/last-resort-cleanup.js';
import type { NetnsLab } from '../../../src/testbed/netns.js';
import { eventually } from './eventually.js';
import { distDir } from './fixture-program.js';

/** One line a program printed: an event (has `event`) or a reply (has `reply`). */
export type ChildMessage = Readonly<Record<string, unknown>>;

export interface NsProcessOptions {
  /** A label for messages ("a", "node-b"). */
  readonly name: string;
  /** The JavaScript file to run (see fixture-program.ts). */
  readonly program: string;
  readonly args?: readonly string[];
  /** Run inside this network namespace; absent: in the test's own (for serial tests, which need no network). */
  readonly namespace?: string;
  /** Extra setpriv(1) options, e.g. to drop a capability: ['--inh-caps=-net_bind_service', '--bounding-set=-net_bind_service']. */
  readonly setprivOptions?: readonly string[];
}

/** A started program. Create with `NsProcess.start`; always `stop()` it (or let the NetnsLab that started it do so). */
export class NsProcess {
  /** Every event the program printed, in order. Tests read it, or wait on it with waitForEvent. */
  readonly events: ChildMessage[] = [];
  private readonly pending = new Map<number, { resolve: (reply: ChildMessage) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private stderr = '';
  private exitStatus: string | undefined;
  private readonly exited: Promise<void>;
  private readonly unregister: () => void;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcessWithoutNullStreams,
    readonly pid: number,
  ) {
    this.unregister = registerLastResortCleanup(`process ${name} (pid ${pid})`, () => {
      if (this.exitStatus === undefined) killQuietly(pid, 'SIGKILL');
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = signal ?? `exit ${String(code)}`;
        const error = new Error(`process ${name} exited (${this.exitStatus}) ${this.stderrTail()}`);
        for (const waiter of this.pending.values()) waiter.reject(error);
        this.pending.clear();
        this.unregister();
        resolve();
      });
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      // Keep the tail only: a chatty program must not grow the test's memory.
      this.stderr = (this.stderr + text).slice(-8000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line));
    // Writing to a program that just died raises EPIPE here; its exit is reported through `exited`.
    child.stdin.on('error', () => {});
  }

  /** Starts the program and resolves once it printed `{"event":"ready"}`; rejects (and kills it) if it does not within 10 s. */
  static async start(options: NsProcessOptions): Promise<NsProcess> {
    const setpriv = ['setpriv', '--pdeathsig', 'SIGKILL', ...(options.setprivOptions ?? []), process.execPath, options.program, ...(options.args ?? [])];
    const [file, ...args] = options.namespace === undefined ? setpriv : ['ip', 'netns', 'exec', options.namespace, ...setpriv];
    const child = spawn(file as string, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, HEARTLINE_DIST_DIR: distDir },
    });
    if (child.pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new Error(`cannot start ${options.name}: ${error.message}`);
    }
    const started = new NsProcess(options.name, child, child.pid);
    try {
      await started.waitForEvent((event) => event['event'] === 'ready', { what: `${options.name} is ready`, timeoutMs: 10_000 });
    } catch (error) {
      await started.stop();
      throw error;
    }
    return started;
  }

  /** Sends a command and resolves with the program's reply (whatever its `ok`); rejects on timeout or if the program exits. */
  request(command: Readonly<Record<string, unknown>>, timeoutMs = 10_000): Promise<ChildMessage> {
    const id = this.nextId++;
    return new Promise<ChildMessage>((resolve, reject) => {
      if (this.exitStatus !== undefined) {
        reject(new Error(`process ${this.name} has exited (${this.exitStatus}) ${this.stderrTail()}`));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`process ${this.name} did not answer ${JSON.stringify(command)} within ${timeoutMs} ms ${this.stderrTail()}`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.stdin.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }

  /** Like request, but rejects when the reply is not `ok: true`, with the program's error in the message. */
  async call(command: Readonly<Record<string, unknown>>, timeoutMs?: number): Promise<ChildMessage> {
    const reply = await this.request(command, timeoutMs);
    if (reply['ok'] !== true) throw new Error(`process ${this.name}: ${JSON.stringify(command)} failed: ${JSON.stringify(reply['error'])}`);
    return reply;
  }

  /** The first event at index >= `since` (default 0) that satisfies `predicate`; rejects after `timeoutMs` (default 5000). */
  waitForEvent(predicate: (event: ChildMessage) => boolean, options: { readonly what: string; readonly timeoutMs?: number; readonly since?: number }): Promise<ChildMessage> {
    return eventually(
      () => {
        if (this.exitStatus !== undefined) throw new Error(`process ${this.name} exited (${this.exitStatus}) while waiting until ${options.what} ${this.stderrTail()}`);
        return this.events.slice(options.since ?? 0).find(predicate);
      },
      { what: options.what, timeoutMs: options.timeoutMs ?? 5000, intervalMs: 20, describe: () => `last events of ${this.name}: ${JSON.stringify(this.events.slice(-8))}` },
    );
  }

  /** The number of events so far: pass it as `since` to wait only for later ones. */
  cursor(): number {
    return this.events.length;
  }

  /** Asks the program to exit, and kills it by PID with SIGKILL if it has not within 3 s. Idempotent; never rejects. */
  async stop(): Promise<void> {
    if (this.exitStatus === undefined) {
      this.request({ cmd: 'exit' }, 3000).catch(() => {});
      const timer = setTimeout(() => killQuietly(this.pid, 'SIGKILL'), 3000);
      await this.exited;
      clearTimeout(timer);
    }
    this.child.stdin.destroy();
  }

  private onLine(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.events.push({ event: 'stdout', line });
      return;
    }
    if (typeof message !== 'object' || message === null) {
      this.events.push({ event: 'stdout', line });
      return;
    }
    const record = message as ChildMessage;
    const replyTo = record['reply'];
    if (typeof replyTo === 'number') {
      const waiter = this.pending.get(replyTo);
      this.pending.delete(replyTo);
      waiter?.resolve(record);
      return;
    }
    this.events.push(record);
  }

  private stderrTail(): string {
    const tail = this.stderr.trim().slice(-2000);
    return tail === '' ? '' : `\nstderr of ${this.name}:\n${tail}`;
  }
}

/**
 * Starts a JSON-lines program inside node `node`'s namespace of `lab` (named after the node, "a",
 * "b", ... unless `options.name` says otherwise); the lab stops it in destroy().
 */
export async function startInLab(lab: NetnsLab, node: number, program: string, options: Omit<NsProcessOptions, 'program' | 'namespace' | 'name'> & { readonly name?: string } = {}): Promise<NsProcess> {
  const started = await NsProcess.start({ ...options, name: options.name ?? lab.nodeLetter(node), program, namespace: lab.namespace(node) });
  lab.adopt(started);
  return started;
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: it is gone already, which is what we wanted.
  }
}
