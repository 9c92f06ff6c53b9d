/**
 * DaemonProcess: one running `heartline daemon`, started by the testbed inside a node's network
 * namespace, with its log parsed as it arrives.
 *
 * Contract:
 * - `start()` resolves once the daemon has logged "daemon started" AND answers on its control
 *   socket; it rejects (and kills the daemon) with the daemon's own error output when it exits
 *   first or does not get there within the timeout;
 * - the daemon is a BackgroundProcess: signalled only by its PID, tied to the caller's life;
 * - `events` holds every log line of this daemon in order (see log-event.ts); `onEvent` sees each
 *   as it arrives.
 */
import { DAEMON_ENVIRONMENT, DAEMON_NODE_OPTIONS } from '../daemon/node-options.js';
import { controlRequest, type ControlCommand } from '../daemon/index.js';
import { BackgroundProcess, type ExitStatus } from './background-process.js';
import { eventually } from './eventually.js';
import { formatLogEvent, parseLogLine, type LogEvent } from './log-event.js';

export interface DaemonProcessOptions {
  /** A label for messages ("daemon b"). */
  readonly name: string;
  /** The network namespace to run in. */
  readonly namespace: string;
  /** The built CLI, dist/cli/main.js. */
  readonly cliPath: string;
  /** Options for node itself, before the CLI (`--cpu-prof`, heap sizes); default DAEMON_NODE_OPTIONS, as the systemd unit runs it. */
  readonly nodeArgs?: readonly string[];
  readonly configPath: string;
  /** The node's name in the configuration (`--node`). */
  readonly nodeName: string;
  readonly socketPath: string;
  readonly stateDir: string;
  /** The daemon's `--rsctmp` (the agents' HA_RSCTMP); absent: the daemon's default. */
  readonly rscTmpDir?: string;
  /** The daemon's `--agent-dir CLASS=DIR` options (class: lsb, heartbeat, ocf, ocf:PROVIDER); absent: Debian's directories. */
  readonly agentDirectories?: Readonly<Record<string, string>>;
  /** Start with HEARTLINE_TEST_HOOKS=1 (enables the `block-main` control request). */
  readonly testHooks: boolean;
  /**
   * The daemon's `--realtime-priority`: SCHED_RR with this priority (1..99), 0 for the normal
   * policy; absent: the daemon's default (real-time, as in production).
   */
  readonly realtimePriority?: number;
  /** Called with each log event as it is parsed. */
  readonly onEvent?: (event: LogEvent) => void;
  /**
   * A command that runs first and execs the daemon's argv given after it (e.g. `unshare --mount`
   * and a bind mount, see SharedDisk); it must exec, so that the PID stays the daemon's.
   */
  readonly commandPrefix?: readonly string[];
  /** How long start() waits for the daemon to be ready; default 10 s. */
  readonly readyTimeoutMs?: number;
}

/** A control request's outcome, as src/daemon's controlRequest returns it. */
export type ControlOutcome = Awaited<ReturnType<typeof controlRequest>>;

export class DaemonProcess {
  /** Every log event of this daemon, in order. */
  readonly events: LogEvent[] = [];
  private child: BackgroundProcess | undefined;

  private constructor(private readonly options: DaemonProcessOptions) {}

  /** Starts the daemon and waits until it is ready (see the file header). */
  static async start(options: DaemonProcessOptions): Promise<DaemonProcess> {
    const daemon = new DaemonProcess(options);
    const env: NodeJS.ProcessEnv = { ...process.env, ...DAEMON_ENVIRONMENT };
    // The daemon reads these as defaults; the explicit arguments below must be the only source.
    delete env['HEARTLINE_CONFIG'];
    delete env['HEARTLINE_SOCKET'];
    if (options.testHooks) env['HEARTLINE_TEST_HOOKS'] = '1';
    else delete env['HEARTLINE_TEST_HOOKS'];
    const realtime = options.realtimePriority === undefined ? [] : ['--realtime-priority', String(options.realtimePriority)];
    const rscTmp = options.rscTmpDir === undefined ? [] : ['--rsctmp', options.rscTmpDir];
    const agentDirs = Object.entries(options.agentDirectories ?? {}).flatMap(([kind, dir]) => ['--agent-dir', `${kind}=${dir}`]);
    daemon.child = await BackgroundProcess.start({
      name: options.name,
      namespace: options.namespace,
      argv: [...(options.commandPrefix ?? []), process.execPath, ...(options.nodeArgs ?? DAEMON_NODE_OPTIONS), options.cliPath, 'daemon', '--config', options.configPath, '--node', options.nodeName, '--socket', options.socketPath, '--state-dir', options.stateDir, ...realtime, ...rscTmp, ...agentDirs],
      env,
      onStdoutLine: (line) => {
        const event = parseLogLine(line, Date.now());
        daemon.events.push(event);
        options.onEvent?.(event);
      },
    });
    try {
      await daemon.waitUntilReady(options.readyTimeoutMs ?? 10_000);
    } catch (error) {
      await daemon.kill();
      throw error;
    }
    return daemon;
  }

  get name(): string {
    return this.options.name;
  }

  /** The daemon's PID (the node process itself, not a wrapper). */
  get pid(): number {
    return this.started().pid;
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  /** True until the daemon has exited. */
  get running(): boolean {
    return this.started().running;
  }

  /** Resolves with the exit status once the daemon has exited and its log is read to the end. */
  get exited(): Promise<ExitStatus> {
    return this.started().exited;
  }

  /** Sends `signal` to the daemon's PID; false when it has already exited. */
  signal(signal: NodeJS.Signals): boolean {
    return this.started().signal(signal);
  }

  /** Kills the daemon with SIGKILL and waits until it is gone. Idempotent; never rejects. */
  async kill(): Promise<void> {
    await this.child?.stop('SIGKILL');
  }

  /**
   * Stops the daemon the way an operator does: SIGTERM (it leaves the cluster cleanly), then
   * SIGKILL after `graceMs`. Resolves with the exit status.
   */
  stop(graceMs = 5000): Promise<ExitStatus> {
    return this.started().stop('SIGTERM', graceMs);
  }

  /** One control request (see src/daemon/control-protocol.ts); an error value, never a rejection. */
  request(command: ControlCommand, args: Record<string, unknown> = {}, timeoutMs = 5000): Promise<ControlOutcome> {
    return controlRequest(this.options.socketPath, command, args, timeoutMs);
  }

  /** The daemon's stderr tail and last log events, for failure messages. */
  describe(lastEvents = 8): string {
    const child = this.child;
    const stderr = child?.stderrTail() ?? '';
    return [
      `${this.name} (pid ${child?.pid ?? '?'}, ${child?.describeStatus() ?? 'not started'})`,
      ...this.events.slice(-lastEvents).map((event) => `  log: ${formatLogEvent(event)}`),
      ...(stderr === '' ? [] : [`  stderr: ${stderr}`]),
    ].join('\n');
  }

  private started(): BackgroundProcess {
    if (this.child === undefined) throw new Error(`${this.options.name} has not been started`);
    return this.child;
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const child = this.started();
    await eventually(
      async () => {
        if (!child.running) throw new Error(`${this.name} exited (${child.describeStatus()}) before it was ready:\n${this.describe()}`);
        if (!this.events.some((event) => event.msg === 'daemon started')) return undefined;
        const answer = await this.request('status', {}, 1000);
        return answer.ok ? true : undefined;
      },
      { what: `${this.name} is ready (logged "daemon started" and answers on ${this.options.socketPath})`, timeoutMs, intervalMs: 20, describe: () => this.describe() },
    );
  }
}
