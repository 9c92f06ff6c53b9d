/**
 * DaemonLab: a whole Heartline cluster on one machine. N nodes are network namespaces joined by
 * veth links (NetnsLab) and optionally a socat serial null-modem (PtyPair); each node runs the real
 * `heartline daemon` from the built CLI, configured by a generated heartline.yaml. Integration tests
 * and `heartline bench detect` drive it: they read the daemons' views and links over their control
 * sockets, inject faults (links down, iptables drops and loss, the serial cable unplugged, daemons
 * killed, frozen, restarted, their main threads blocked) and read what the daemons logged.
 *
 * Contract:
 * - everything lives under per-run unique names: namespaces `hl<random>-a`, `-b`, `-sw`; a private
 *   0700 temporary folder (heartline.yaml, the authkey with mode 600, one state folder and control
 *   socket per node); serial device links `/dev/hl<random>-tty-a|b`;
 * - addresses are 10.213.X.(node+1)/24 only, there is no default route, and nothing is sent from
 *   the root namespace (the control sockets are Unix sockets, which namespaces do not separate);
 * - daemons are signalled only by the PIDs this lab started, and die with the process that made
 *   the lab (setpriv --pdeathsig);
 * - `destroy()` always removes everything the lab made, also after a failure: processes by PID
 *   first (daemons, CPU burners, socat), then the device links and namespaces (which take the veths,
 *   bridge and iptables rules along), then the temporary folder. A last-resort exit hook does the
 *   same when the process exits without calling it (Ctrl-C on a benchmark, a crashed test worker).
 *
 * Why serial devices are links under /dev: the configuration requires device paths under /dev/,
 * and the /dev/pts/N that socat allocates change whenever the cable is unplugged and plugged back
 * in (socat gets whatever pty numbers are free then). A stable link, as udev makes under
 * /dev/serial/by-id, keeps the daemons' configured path valid across replugs; it points at the
 * PtyPair's own link, which socat re-points at the new pty.
 *
 * Usage:
 *
 *     const lab = await DaemonLab.create({ nodes: 2, links: ['crossover', 'switch'], serial: true, linkKind: 'udp-unicast', cliPath });
 *     try {
 *       const view = await lab.waitForFullView();
 *       const cut = await lab.dropLink('link1');          // both nodes stop hearing link1
 *       await lab.waitForLog(0, (e) => e.msg === 'link to peer down' && e['link'] === 'link1', { what: 'link1 down' });
 *       await cut.remove();
 *     } finally {
 *       await lab.destroy();
 *     }
 */
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TIMING, type TimingSettings } from '../config/index.js';
import { defaultLinkProbeIntervalMs } from '../ha/membership/index.js';
import type { linksReport, membersReport } from '../daemon/index.js';
import { millis } from '../lib/index.js';
import { generateAuthKey } from '../links/auth-key.js';
import type { BackgroundProcess } from './background-process.js';
import { runCommand } from './command.js';
import { DaemonProcess, type ControlOutcome } from './daemon-process.js';
import { eventually } from './eventually.js';
import { labConfigYaml, type UdpLinkKind } from './lab-config.js';
import { registerLastResortCleanup } from './last-resort-cleanup.js';
import { formatLogEvent, type LogEvent } from './log-event.js';
import { NetnsLab, type LabFault, type LabLinkKind } from './netns.js';
import { PtyPair } from './pty-pair.js';

export type { UdpLinkKind } from './lab-config.js';
export type { LabFault, LabLinkKind } from './netns.js';

/** What `heartline members --json` prints. */
export type MembersReport = ReturnType<typeof membersReport>;
/** What `heartline links --json` prints. */
export type LinksReport = ReturnType<typeof linksReport>;

export interface DaemonLabOptions {
  /** How many nodes, 2..16; named a, b, ... with node ids 1, 2, ... */
  readonly nodes: number;
  /** The UDP links, in order, as NetnsLab builds them; they are named link0, link1, ... in heartline.yaml. */
  readonly links: readonly LabLinkKind[];
  /** Add a serial null-modem (named serial0) between nodes a and b. */
  readonly serial: boolean;
  /** How every UDP link sends its heartbeats. */
  readonly linkKind: UdpLinkKind;
  /** Failure-detector timing in milliseconds; each value left out takes the configuration's default. */
  readonly timing?: { readonly keepaliveMs?: number; readonly warntimeMs?: number; readonly deadtimeMs?: number; readonly initdeadMs?: number; readonly linkProbeIntervalMs?: number };
  /** The built CLI to run as the daemon; default: the dist/cli/main.js next to this module's dist/testbed. */
  readonly cliPath?: string;
  /** Options for node before the CLI (default: the daemon's production DAEMON_NODE_OPTIONS). */
  readonly nodeArgs?: readonly string[];
  /** Start the daemons with HEARTLINE_TEST_HOOKS=1 (default true), which `blockMain` needs. */
  readonly testHooks?: boolean;
  /** Run the daemons under SCHED_RR with this priority (1..99, see DaemonProcess); default: the normal policy. */
  readonly realtimePriority?: number;
  /** The UDP port of every link; default 694 (Heartbeat's; needs root, which the namespaces need anyway). */
  readonly port?: number;
  /**
   * Configure fencing with the lab's fence program (`fencePath`): `fence-node ACTION NODE` "powers
   * the node off" by killing every process of its namespace (`ip netns pids`, by PID) and wiping its
   * HA_RSCTMP (a tmpfs would be empty after a power cycle); every call is appended to `fenceLog`.
   * Default false: no fencing section (the daemons run with stonith-enabled=false semantics).
   */
  readonly fencing?: boolean;
  /**
   * A heartline.yaml `fencing` section written as given (e.g. `{ profile: 'heartline-testbed',
   * secrets_dir }`, see FencingLab); instead of `fencing`.
   */
  readonly fencingSection?: Readonly<Record<string, unknown>>;
  /** A heartline.yaml `storage` section written as given (disk fencing and quorum disk on a LoopDisk). */
  readonly storageSection?: Readonly<Record<string, unknown>>;
  /** A heartline.yaml `metrics` section written as given (e.g. `{ listen: '0.0.0.0:9664' }`: each daemon serves it inside its namespace). */
  readonly metricsSection?: Readonly<Record<string, unknown>>;
  /** A heartline.yaml `quorum` section written as given (e.g. `{ two_node: false, wait_for_all: false }`: a lone node is not quorate). */
  readonly quorumSection?: Readonly<Record<string, unknown>>;
  /**
   * Agents to install for every node, as each machine has its own /etc/init.d and
   * /etc/ha.d/resource.d: the files of these folders are copied into the node's own `agentDir(node)`
   * (`init.d/`, `resource.d/`, beside an empty `run/` for state that scripts keep next to
   * themselves) and its daemon runs with `--agent-dir lsb=...`/`heartbeat=...`. Default: none, the
   * daemons use the system's folders.
   */
  readonly agents?: { readonly lsb?: string; readonly heartbeat?: string };
  /** Called with a line of progress ("starting daemons") while the lab is built; default: silent. */
  readonly progress?: (message: string) => void;
  /**
   * A command each node's daemon is started through, which execs the daemon (DaemonProcess's
   * `commandPrefix`): e.g. SharedDisk's own mount namespace per node with the node's path of the
   * shared disk. Default: none.
   */
  readonly daemonCommandPrefix?: (node: number) => readonly string[];
  /** How long a daemon may take to be ready when started (DaemonProcess's `readyTimeoutMs`); default 10 s. */
  readonly daemonReadyTimeoutMs?: number;
}

/** A heartbeat link of the lab as heartline.yaml names it, and where it lives. */
export interface DaemonLabLink {
  /** "link0", "link1", ..., or "serial0". */
  readonly name: string;
  readonly kind: UdpLinkKind | 'serial';
  /** The NetnsLab link index of a UDP link; undefined for the serial link. */
  readonly netLink: number | undefined;
}

/** A view as the tests compare views: its id, the sequence number in it, and the members. */
export interface LabView {
  /** "seq.proposer.incarnation", as `heartline members` prints it. */
  readonly id: string;
  readonly seq: number;
  readonly members: readonly { readonly id: number; readonly name: string; readonly incarnation: number }[];
  readonly dc: number;
}

/** CPU burners started by `burnCpu`; `stop()` kills them by PID. */
export interface CpuBurners {
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

const SERIAL_LINK_NAME = 'serial0';

export class DaemonLab {
  /** The effective failure-detector timing written to heartline.yaml. */
  readonly timing: TimingSettings;
  /** Every heartbeat link, UDP links first, then serial0. */
  readonly heartbeatLinks: readonly DaemonLabLink[];
  /** The private temporary folder (heartline.yaml, authkey, state folders, control sockets). */
  readonly dir: string;
  readonly configPath: string;
  /** The fence program (written only with `fencing: true`). */
  readonly fencePath: string;
  /** One line per fence call: `ACTION TARGET rc=N` (written by the fence program). */
  readonly fenceLog: string;
  private readonly cliPath: string;
  private readonly daemons: (DaemonProcess | undefined)[];
  /** Every log event of every daemon a node has run, in order, across restarts. */
  private readonly history: LogEvent[][];
  private readonly burners = new Set<BackgroundProcess>();
  private readonly deviceLinks: string[] = [];
  private readonly unregisterDir: () => void;
  private readonly unregisterDeviceLinks: () => void;
  private destroyed = false;

  private constructor(
    readonly net: NetnsLab,
    readonly pty: PtyPair | undefined,
    dir: string,
    private readonly options: DaemonLabOptions,
  ) {
    this.dir = dir;
    this.configPath = join(dir, 'heartline.yaml');
    this.fencePath = join(dir, 'fence-node');
    this.fenceLog = join(dir, 'fence.log');
    this.cliPath = options.cliPath ?? fileURLToPath(new URL('../cli/main.js', import.meta.url));
    const timing = { ...DEFAULT_TIMING, ...options.timing };
    const probeMs = options.timing?.linkProbeIntervalMs ?? defaultLinkProbeIntervalMs(millis(timing.keepaliveMs), millis(timing.deadtimeMs));
    this.timing = { keepaliveMs: millis(timing.keepaliveMs), warntimeMs: millis(timing.warntimeMs), deadtimeMs: millis(timing.deadtimeMs), initdeadMs: millis(timing.initdeadMs), linkProbeIntervalMs: millis(probeMs) };
    this.heartbeatLinks = [
      ...options.links.map((_, index) => ({ name: `link${index}`, kind: options.linkKind, netLink: index })),
      ...(pty === undefined ? [] : [{ name: SERIAL_LINK_NAME, kind: 'serial' as const, netLink: undefined }]),
    ];
    this.daemons = Array.from({ length: net.nodeCount }, () => undefined);
    this.history = Array.from({ length: net.nodeCount }, () => []);
    this.unregisterDir = registerLastResortCleanup(`lab folder ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    this.unregisterDeviceLinks = registerLastResortCleanup(`serial device links of ${net.prefix}`, () => {
      for (const path of this.deviceLinks) rmQuietly(path);
    });
  }

  /**
   * Builds the namespaces and the serial cable, writes the configuration, starts one daemon per
   * node and waits until they have formed one view with every node. On any failure it removes what
   * it made and rejects with what went wrong.
   */
  static async create(options: DaemonLabOptions): Promise<DaemonLab> {
    const progress = options.progress ?? (() => {});
    const cliPath = options.cliPath ?? fileURLToPath(new URL('../cli/main.js', import.meta.url));
    if (!existsSync(cliPath)) throw new Error(`the heartline CLI is not built at ${cliPath}: run \`npm run build\` first`);
    if (options.serial && options.nodes < 2) throw new RangeError('a serial link needs two nodes');
    progress(`building ${options.nodes} network namespaces with ${options.links.join(' + ')} links${options.serial ? ' and a serial null-modem' : ''}`);
    const net = await NetnsLab.create({ nodes: options.nodes, links: options.links });
    let pty: PtyPair | undefined;
    let dir: string | undefined;
    let lab: DaemonLab | undefined;
    try {
      pty = options.serial ? await PtyPair.start() : undefined;
      dir = await mkdtemp(join(tmpdir(), `heartline-lab-${net.prefix}-`));
      lab = new DaemonLab(net, pty, dir, { ...options, cliPath });
      await lab.writeFiles();
      progress('starting one heartline daemon per node');
      await Promise.all(Array.from({ length: net.nodeCount }, (_, node) => (lab as DaemonLab).start(node)));
      progress('waiting for the daemons to form a view');
      await lab.waitForFullView();
      return lab;
    } catch (error) {
      // A node fenced while the lab starts (startup fencing) explains a view that never forms.
      if (lab !== undefined && existsSync(lab.fenceLog) && error instanceof Error) error.message += `\nfence log:\n${readFileSync(lab.fenceLog, 'utf8')}`;
      if (lab !== undefined) await lab.destroy().catch(() => {});
      else {
        await pty?.destroy();
        if (dir !== undefined) await rm(dir, { recursive: true, force: true });
        await net.destroy().catch(() => {});
      }
      throw error;
    }
  }

  /** How many nodes. */
  get nodeCount(): number {
    return this.net.nodeCount;
  }

  /** Node `node`'s name in heartline.yaml ("a", "b", ...). */
  nodeName(node: number): string {
    return this.net.nodeLetter(node);
  }

  /** Node `node`'s node id (node + 1). */
  nodeId(node: number): number {
    this.net.namespace(node);
    return node + 1;
  }

  /** The heartbeat link named `name` (link0, link1, ..., serial0). */
  link(name: string): DaemonLabLink {
    const found = this.heartbeatLinks.find((link) => link.name === name);
    if (found === undefined) throw new RangeError(`no link named ${name} in this lab (it has ${this.heartbeatLinks.map((l) => l.name).join(', ')})`);
    return found;
  }

  /** Node `node`'s state folder (incarnation, cib.sqlite). */
  stateDir(node: number): string {
    return join(this.dir, `state-${this.nodeName(node)}`);
  }

  /** Node `node`'s HA_RSCTMP (agents' state files, e.g. Dummy's `Dummy-RSC.state`). */
  rscTmpDir(node: number): string {
    return join(this.dir, `rsctmp-${this.nodeName(node)}`);
  }

  /** Node `node`'s own agent folder (with the `agents` option): `init.d/`, `resource.d/`, `run/`. */
  agentDir(node: number): string {
    return join(this.dir, `agents-${this.nodeName(node)}`);
  }

  /** Node `node`'s control socket. */
  socketPath(node: number): string {
    return join(this.dir, `${this.nodeName(node)}.sock`);
  }

  /** Node `node`'s running daemon; throws when it is not running (killed and not restarted). */
  daemon(node: number): DaemonProcess {
    const daemon = this.daemons[node];
    if (daemon === undefined || !daemon.running) throw new Error(`the daemon of node ${this.nodeName(node)} is not running`);
    return daemon;
  }

  // --- daemons -----------------------------------------------------------------------------

  /** Starts node `node`'s daemon (it must not be running) and waits until it answers; its incarnation goes up by one. */
  async start(node: number): Promise<void> {
    this.assertUsable();
    if (this.daemons[node]?.running === true) throw new Error(`the daemon of node ${this.nodeName(node)} is already running`);
    const name = this.nodeName(node);
    const history = this.history[node] as LogEvent[];
    const daemon = await DaemonProcess.start({
      name: `daemon ${name}`,
      namespace: this.net.namespace(node),
      cliPath: this.cliPath,
      ...(this.options.nodeArgs === undefined ? {} : { nodeArgs: this.options.nodeArgs }),
      configPath: this.configPath,
      nodeName: name,
      socketPath: this.socketPath(node),
      stateDir: this.stateDir(node),
      rscTmpDir: this.rscTmpDir(node),
      ...(this.options.agents === undefined ? {} : { agentDirectories: this.agentDirectoryOptions(node) }),
      testHooks: this.options.testHooks ?? true,
      ...(this.options.realtimePriority === undefined ? {} : { realtimePriority: this.options.realtimePriority }),
      ...(this.options.daemonCommandPrefix === undefined ? {} : { commandPrefix: this.options.daemonCommandPrefix(node) }),
      ...(this.options.daemonReadyTimeoutMs === undefined ? {} : { readyTimeoutMs: this.options.daemonReadyTimeoutMs }),
      onEvent: (event) => history.push(event),
    });
    if (this.destroyed) {
      // destroy() ran while this daemon was starting (a failed create): it must not outlive the lab.
      await daemon.kill();
      throw new Error(`DaemonLab ${this.net.prefix} was destroyed while the daemon of node ${name} started`);
    }
    this.daemons[node] = daemon;
    this.net.adopt({ stop: () => daemon.kill() });
  }

  /**
   * Sends `signal` to node `node`'s daemon by its PID and returns the wall-clock time (ms since the
   * epoch) taken just before the signal was sent, which is what a detection time is measured from.
   * With SIGKILL or SIGTERM it also waits until the daemon has exited.
   */
  async kill(node: number, signal: NodeJS.Signals): Promise<number> {
    const daemon = this.daemon(node);
    const at = Date.now();
    daemon.signal(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') await daemon.exited;
    return at;
  }

  /** Stops node `node`'s daemon cleanly (SIGTERM: it tells its peers it leaves) and starts it again. Returns the time of the SIGTERM. */
  async restart(node: number): Promise<number> {
    const at = await this.kill(node, 'SIGTERM');
    await this.start(node);
    return at;
  }

  /** Freezes node `node`'s daemon (SIGSTOP): it neither sends nor receives until `cont`. Returns the time of the signal. */
  stop(node: number): Promise<number> {
    return this.kill(node, 'SIGSTOP');
  }

  /** Thaws a daemon frozen by `stop` (SIGCONT). */
  cont(node: number): Promise<number> {
    return this.kill(node, 'SIGCONT');
  }

  /**
   * The lab's fence device waits `ms` before it powers node `node` off (0: no wait), as a fence
   * device's static delay does (Pacemaker's `pcmk_delay_base`): in a full split of a two-node
   * cluster both nodes fence each other at once, and the node whose fencing waits wins the race,
   * since it powers the other off while its own fence still waits. `fencing.command` has no race
   * delay of its own (device fencing has, docs/FENCING.md), so a lab test of a split sets one here.
   */
  async setFenceDelay(node: number, ms: number): Promise<void> {
    if (!(Number.isInteger(ms) && ms >= 0)) throw new RangeError(`a fence delay is a whole number of ms >= 0, got ${ms}`);
    await writeFile(join(this.dir, `fence-delay-${this.nodeName(node)}`), ms === 0 ? '' : `${(ms / 1000).toFixed(3)}\n`);
  }

  /** Busy-blocks node `node`'s daemon's main thread for `ms` (the block-main test hook); resolves when it answered. */
  async blockMain(node: number, ms: number): Promise<void> {
    const answer = await this.daemon(node).request('block-main', { ms }, ms + 5000);
    if (!answer.ok) throw new Error(`block-main on node ${this.nodeName(node)} failed: ${answer.error.message}`);
  }

  /** One control request to node `node`'s daemon, as an outcome value. */
  request(node: number, command: Parameters<DaemonProcess['request']>[0], args: Record<string, unknown> = {}): Promise<ControlOutcome> {
    return this.daemon(node).request(command, args);
  }

  /** Node `node`'s membership report (what `heartline members --json` prints), read over its control socket. */
  async members(node: number): Promise<MembersReport> {
    return (await this.ask(node, 'members')) as MembersReport;
  }

  /** Node `node`'s link report (what `heartline links --json` prints), read over its control socket. */
  async links(node: number): Promise<LinksReport> {
    return (await this.ask(node, 'links')) as LinksReport;
  }

  /**
   * Runs the built CLI against node `node`'s daemon, `heartline COMMAND --socket SOCK --json`, and
   * resolves with its parsed JSON document; rejects with its stderr when it fails. Slower than
   * `members`/`links` (a Node process per call) but exercises the command itself.
   */
  async cli(node: number, command: 'members' | 'links' | 'status'): Promise<unknown> {
    const stdout = await runCommand(process.execPath, [this.cliPath, command, '--socket', this.socketPath(node), '--json']);
    return JSON.parse(stdout) as unknown;
  }

  /** Runs `heartline ARGS... --socket SOCK` against node `node`'s daemon (without --socket when `socket: false`); resolves with its exit code, stdout and stderr (never rejects on a failing command). */
  cliRun(node: number, args: readonly string[], options: { readonly socket?: boolean } = {}): Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }> {
    const socket = options.socket === false ? [] : ['--socket', this.socketPath(node)];
    return new Promise((resolve) => {
      execFile(process.execPath, [this.cliPath, ...args, ...socket], { timeout: 300_000 }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Runs `heartline COMMAND --socket SOCK` (human output) against node `node`'s daemon and resolves with its stdout. */
  cliText(node: number, command: 'members' | 'links' | 'status'): Promise<string> {
    return runCommand(process.execPath, [this.cliPath, command, '--socket', this.socketPath(node)]);
  }

  // --- logs ----------------------------------------------------------------------------------

  /** Every log event of node `node`'s daemons so far (all its restarts, in order). Each carries its daemon's `pid`. */
  logEvents(node: number): readonly LogEvent[] {
    const events = this.history[node];
    if (events === undefined) throw new RangeError(`no node ${node} in this lab`);
    return events;
  }

  /** The number of log events of node `node` so far: pass it as `since` to look only at later ones. */
  cursor(node: number): number {
    return this.logEvents(node).length;
  }

  /** The first event of node `node` at index >= `since` (default 0) that satisfies `predicate`; rejects after `timeoutMs` (default 5000). */
  waitForLog(node: number, predicate: (event: LogEvent) => boolean, options: { readonly what: string; readonly since?: number; readonly timeoutMs?: number }): Promise<LogEvent> {
    return eventually(() => this.logEvents(node).slice(options.since ?? 0).find(predicate), {
      what: `node ${this.nodeName(node)} logs: ${options.what}`,
      timeoutMs: options.timeoutMs ?? 5000,
      intervalMs: 10,
      describe: () => this.describeLogs(node),
    });
  }

  /** The last `count` log events of node `node`, one per line, for failure messages. */
  describeLogs(node: number, count = 12): string {
    return [`last log events of node ${this.nodeName(node)}:`, ...this.logEvents(node).slice(-count).map((event) => `  ${formatLogEvent(event)}`)].join('\n');
  }

  // --- views ---------------------------------------------------------------------------------

  /** Node `node`'s installed view, or null when it has none. */
  async view(node: number): Promise<LabView | null> {
    return toLabView((await this.members(node)).view);
  }

  /**
   * Waits until every node's daemon has installed the same view, with every node in it, and
   * resolves with that view. With `newerThan`, only a view with a higher sequence number counts.
   */
  waitForFullView(options: { readonly newerThan?: LabView; readonly timeoutMs?: number } = {}): Promise<LabView> {
    let seen: (LabView | null | string)[] = [];
    return eventually(
      async () => {
        seen = await Promise.all(
          Array.from({ length: this.nodeCount }, async (_, node) => {
            const daemon = this.daemons[node];
            if (daemon === undefined) return 'not running';
            // Why it stopped (exit status, stderr tail) is what a failure message needs.
            if (!daemon.running) return `not running: ${daemon.describe(3)}`;
            const answer = await daemon.request('members', {}, 1000);
            return answer.ok ? toLabView((answer.result as MembersReport).view) : `unreachable: ${answer.error.message}`;
          }),
        );
        const [first] = seen;
        if (first === undefined || first === null || typeof first === 'string') return undefined;
        if (!seen.every((view) => view !== null && typeof view !== 'string' && view.id === first.id)) return undefined;
        if (first.members.length !== this.nodeCount) return undefined;
        if (options.newerThan !== undefined && first.seq <= options.newerThan.seq) return undefined;
        return first;
      },
      {
        what: `every node installs one view with all ${this.nodeCount} nodes${options.newerThan === undefined ? '' : ` newer than ${options.newerThan.id}`}`,
        timeoutMs: options.timeoutMs ?? Math.max(10_000, this.timing.initdeadMs * 3),
        intervalMs: 20,
        describe: () => `views: ${JSON.stringify(seen)}\n${Array.from({ length: this.nodeCount }, (_, node) => this.describeLogs(node, 40)).join('\n')}`,
      },
    );
  }

  // --- link faults ---------------------------------------------------------------------------

  /** `ip link set down` on node `node`'s interface of UDP link `link` (default node a): its end of the cable is unplugged. */
  async setLinkDown(link: string, node = 0): Promise<void> {
    await this.net.setLinkDown(node, this.netLink(link));
  }

  /** `ip link set up` again on node `node`'s interface of UDP link `link`. */
  async setLinkUp(link: string, node = 0): Promise<void> {
    await this.net.setLinkUp(node, this.netLink(link));
  }

  /** Drops every UDP datagram arriving on link `link` at each of `nodes` (default: all) with iptables; `remove()` undoes it. */
  dropLink(link: string, nodes?: readonly number[]): Promise<LabFault> {
    return this.combine(link, nodes, 'drop', (node, netLink) => this.net.dropUdp(node, netLink));
  }

  /** Drops each UDP datagram arriving on link `link` at each of `nodes` (default: all) with probability `probability`. */
  randomLoss(link: string, probability: number, nodes?: readonly number[]): Promise<LabFault> {
    return this.combine(link, nodes, `loss ${probability}`, (node, netLink) => this.net.randomLoss(node, netLink, probability));
  }

  /** Unplugs the serial cable: kills socat by PID (SIGKILL leaves dangling device links, SIGTERM removes them). */
  async unplugSerial(signal: 'SIGTERM' | 'SIGKILL' = 'SIGKILL'): Promise<void> {
    await this.serialPair().kill(signal);
  }

  /** Plugs the serial cable back in: starts socat again (the daemons reopen the device within their reopen interval). */
  async replugSerial(): Promise<void> {
    await this.serialPair().restart();
  }

  /**
   * Cuts every link between the nodes at once: node `node`'s (default a's) UDP interfaces go down in one `ip -batch`
   * call while socat is killed, so that no link outlives the others by more than a millisecond or
   * two. Resolves with the wall-clock time taken just before the cut; `restoreAllLinks` undoes it.
   */
  async cutAllLinks(node = 0): Promise<number> {
    const netLinks = this.heartbeatLinks.flatMap((link) => (link.netLink === undefined ? [] : [link.netLink]));
    const at = Date.now();
    await Promise.all([netLinks.length === 0 ? Promise.resolve() : this.net.setLinks(node, netLinks, 'down'), this.pty === undefined ? Promise.resolve() : this.pty.kill('SIGKILL')]);
    return at;
  }

  /** Undoes `cutAllLinks(node)`: the node's interfaces up again, socat restarted. */
  async restoreAllLinks(node = 0): Promise<void> {
    const netLinks = this.heartbeatLinks.flatMap((link) => (link.netLink === undefined ? [] : [link.netLink]));
    if (netLinks.length > 0) await this.net.setLinks(node, netLinks, 'up');
    if (this.pty !== undefined && this.pty.pid === undefined) await this.pty.restart();
  }

  // --- load ----------------------------------------------------------------------------------

  /**
   * Starts `perNode` busy-loop processes (`node -e 'for(;;){}'`) inside every node's namespace, to
   * saturate the CPUs the daemons run on. Stop them with the returned `stop()` (by PID); destroy()
   * kills any left.
   */
  async burnCpu(perNode: number): Promise<CpuBurners> {
    this.assertUsable();
    const started: BackgroundProcess[] = [];
    for (let node = 0; node < this.nodeCount; node++) {
      for (let index = 0; index < perNode; index++) {
        const burner = await this.net.spawn(node, { name: `cpu burner ${this.nodeName(node)}#${index + 1}`, argv: [process.execPath, '-e', 'for(;;){}'] });
        this.burners.add(burner);
        started.push(burner);
      }
    }
    return {
      pids: started.map((burner) => burner.pid),
      stop: async () => {
        await Promise.all(started.map((burner) => burner.stop('SIGKILL')));
        for (const burner of started) this.burners.delete(burner);
      },
    };
  }

  // --- cleanup -------------------------------------------------------------------------------

  /**
   * Removes everything the lab made, in order: processes by PID (daemons, CPU burners), socat, the
   * serial device links, the namespaces, the temporary folder. Tries every step even when one
   * fails, then rejects with the failures. Idempotent.
   */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const failures: string[] = [];
    const attempt = async (what: string, step: () => Promise<unknown>): Promise<void> => {
      try {
        await step();
      } catch (error) {
        failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    await attempt('daemons', () => Promise.all(this.daemons.map((daemon) => daemon?.kill() ?? Promise.resolve())));
    await attempt('cpu burners', () => Promise.all([...this.burners].map((burner) => burner.stop('SIGKILL'))));
    await attempt('socat', async () => this.pty?.destroy());
    await attempt('serial device links', async () => {
      for (const path of this.deviceLinks) await unlink(path).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
      this.unregisterDeviceLinks();
    });
    await attempt('namespaces', () => this.net.destroy());
    await attempt('lab folder', async () => {
      await rm(this.dir, { recursive: true, force: true });
      this.unregisterDir();
    });
    if (failures.length > 0) throw new Error(`DaemonLab ${this.net.prefix}: cleanup failed: ${failures.join('; ')}`);
  }

  // --- internals -----------------------------------------------------------------------------

  private async writeFiles(): Promise<void> {
    const authkeyPath = join(this.dir, 'authkey');
    await writeFile(authkeyPath, generateAuthKey(), { mode: 0o600 });
    const nodeNames = Array.from({ length: this.nodeCount }, (_, node) => this.nodeName(node));
    for (const name of nodeNames) await mkdir(join(this.dir, `state-${name}`), { mode: 0o700 });
    const agents = this.options.agents;
    if (agents !== undefined) {
      for (let node = 0; node < this.nodeCount; node++) {
        await mkdir(join(this.agentDir(node), 'run'), { recursive: true, mode: 0o755 });
        if (agents.lsb !== undefined) await cp(agents.lsb, join(this.agentDir(node), 'init.d'), { recursive: true });
        if (agents.heartbeat !== undefined) await cp(agents.heartbeat, join(this.agentDir(node), 'resource.d'), { recursive: true });
      }
    }
    let serial: { name: string; devices: [string, string] } | undefined;
    if (this.pty !== undefined) {
      const devices: [string, string] = [`/dev/${this.net.prefix}-tty-a`, `/dev/${this.net.prefix}-tty-b`];
      for (const [index, device] of devices.entries()) {
        await symlink(index === 0 ? this.pty.pathA : this.pty.pathB, device);
        this.deviceLinks.push(device);
      }
      serial = { name: SERIAL_LINK_NAME, devices };
    }
    const udpLinks = this.heartbeatLinks.flatMap((link) => {
      if (link.netLink === undefined || link.kind === 'serial') return [];
      const netLink = link.netLink;
      return [
        {
          name: link.name,
          kind: link.kind,
          addresses: nodeNames.map((_, node) => this.net.address(node, netLink)),
          prefixLength: 24,
          group: `239.255.42.${netLink + 1}`,
          port: this.options.port ?? 694,
        },
      ];
    });
    if (this.options.fencing === true) await writeFile(this.fencePath, this.fenceProgram(nodeNames), { mode: 0o700 });
    const yaml = labConfigYaml({
      clusterName: `lab-${this.net.prefix}`,
      clusterId: randomInt(1, 2 ** 31),
      authkeyPath,
      nodeNames,
      udpLinks,
      ...(serial === undefined ? {} : { serial }),
      timing: this.timing,
      ...(this.options.fencing === true ? { fencingCommand: this.fencePath } : {}),
      ...(this.options.fencingSection === undefined ? {} : { fencingSection: this.options.fencingSection }),
      ...(this.options.storageSection === undefined ? {} : { storageSection: this.options.storageSection }),
      ...(this.options.metricsSection === undefined ? {} : { metricsSection: this.options.metricsSection }),
      ...(this.options.quorumSection === undefined ? {} : { quorumSection: this.options.quorumSection }),
    });
    await writeFile(this.configPath, yaml, { mode: 0o644 });
  }

  /**
   * The lab's fence program: "power off" = SIGKILL to every process in the node's namespace (all of
   * them were started by this lab: the daemon and its agents' children), then an empty HA_RSCTMP,
   * as a tmpfs is after a power cycle. `on` does nothing (the test restarts the daemon itself).
   */
  private fenceProgram(nodeNames: readonly string[]): string {
    const cases = nodeNames.map((name, node) => `  ${name}) ns=${this.net.namespace(node)}; rsctmp=${this.rscTmpDir(node)} ;;`).join('\n');
    return [
      '#!/bin/bash',
      '# Generated by src/testbed/daemon-lab.ts: fences a lab node by killing its namespace.',
      'set -u',
      'action=${1:-}; target=${2:-}',
      'case "$target" in',
      cases,
      `  *) echo "unknown node $target" >&2; echo "$action $target rc=1" >> ${this.fenceLog}; exit 1 ;;`,
      'esac',
      'if [ "$action" = off ] || [ "$action" = reboot ]; then',
      `  delay=${this.dir}/fence-delay-$target`,
      '  if [ -s "$delay" ]; then sleep "$(cat "$delay")"; fi',
      '  for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null; done',
      '  for i in $(seq 1 50); do [ -z "$(ip netns pids "$ns")" ] && break; sleep 0.1; done',
      '  if [ -n "$(ip netns pids "$ns")" ]; then echo "processes survive in $ns" >&2; echo "$action $target rc=1" >> ' + this.fenceLog + '; exit 1; fi',
      '  rm -rf "$rsctmp"/* 2>/dev/null',
      'fi',
      `echo "$action $target rc=0" >> ${this.fenceLog}`,
      'exit 0',
      '',
    ].join('\n');
  }

  private agentDirectoryOptions(node: number): Record<string, string> {
    return {
      ...(this.options.agents?.lsb === undefined ? {} : { lsb: join(this.agentDir(node), 'init.d') }),
      ...(this.options.agents?.heartbeat === undefined ? {} : { heartbeat: join(this.agentDir(node), 'resource.d') }),
    };
  }

  private async ask(node: number, command: 'members' | 'links'): Promise<unknown> {
    const answer = await this.daemon(node).request(command);
    if (!answer.ok) throw new Error(`${command} on node ${this.nodeName(node)} failed: ${answer.error.message}`);
    return answer.result;
  }

  private netLink(name: string): number {
    const link = this.link(name);
    if (link.netLink === undefined) throw new RangeError(`${name} is the serial link: unplug it with unplugSerial()`);
    return link.netLink;
  }

  private serialPair(): PtyPair {
    if (this.pty === undefined) throw new Error('this lab has no serial link (create it with serial: true)');
    return this.pty;
  }

  private async combine(link: string, nodes: readonly number[] | undefined, what: string, add: (node: number, netLink: number) => Promise<LabFault>): Promise<LabFault> {
    const netLink = this.netLink(link);
    const targets = nodes ?? Array.from({ length: this.nodeCount }, (_, node) => node);
    const faults: LabFault[] = [];
    try {
      for (const node of targets) faults.push(await add(node, netLink));
    } catch (error) {
      await Promise.all(faults.map((fault) => fault.remove().catch(() => {})));
      throw error;
    }
    return {
      description: `${what} on ${link} at ${targets.map((node) => this.nodeName(node)).join(', ')}`,
      remove: async () => {
        await Promise.all(faults.map((fault) => fault.remove()));
      },
    };
  }

  private assertUsable(): void {
    if (this.destroyed) throw new Error(`DaemonLab ${this.net.prefix} has been destroyed`);
  }
}

/** The view of a members report in the shape tests compare. */
function toLabView(view: MembersReport['view']): LabView | null {
  if (view === null) return null;
  return { id: view.id, seq: Number(view.id.split('.')[0]), members: view.members, dc: view.dc.id };
}

/** For the exit hook: remove a file, ignoring that it is gone. */
function rmQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
