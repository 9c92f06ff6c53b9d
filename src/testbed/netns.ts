/**
 * NetnsLab: a small network of cluster nodes made of Linux network namespaces, for tests and
 * benchmarks that run real processes over real links. Each node is a namespace; each link is either
 * a "crossover" (a veth pair straight between two nodes) or a "switch" (every node's veth plugged
 * into a bridge that lives in a namespace of its own). Link L is the subnet 10.213.X.0/24 with a random X per
 * link and per lab; node N has the address 10.213.X.(N+1) on the interface `link<L>`.
 *
 * Invariants, and why:
 * - every name carries a per-lab prefix (`hl<random>-a`), and veths are created directly inside
 *   the namespaces (never in the root namespace), so concurrent runs never collide;
 * - no namespace has a default route, so a frame for a link whose interface is down fails with
 *   ENETUNREACH instead of leaking out of another link (facts §2), and nothing can reach the host;
 * - nothing is ever sent from the root namespace: programs run inside with `spawn` (or are started
 *   by the caller inside `namespace(node)` and handed over with `adopt`);
 * - `destroy()` removes exactly what this lab made (its processes, then its namespaces, which takes
 *   the veths, bridges and iptables rules with them), and a last-resort exit hook does the same if
 *   the process that made it dies first.
 *
 * Usage:
 *
 *     const lab = await NetnsLab.create({ nodes: 2, links: ['crossover', 'switch'] });
 *     try {
 *       const a = await lab.spawn(0, { name: 'a', argv: ['node', 'program.js'] });
 *       lab.address(0, 1);                       // '10.213.57.1'
 *       await lab.setLinkDown(0, 0);             // unplug node a's crossover cable
 *       const drop = await lab.dropUdp(1, 1);    // node b stops hearing link 1
 *       await drop.remove();
 *     } finally {
 *       await lab.destroy();
 *     }
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BackgroundProcess, type BackgroundProcessOptions } from './background-process.js';
import { runCommand, runCommandSync } from './command.js';
import { registerLastResortCleanup } from './last-resort-cleanup.js';

/** "crossover": a veth pair between exactly two nodes. "switch": a bridge with one port per node. */
export type LabLinkKind = 'crossover' | 'switch';

export interface NetnsLabOptions {
  /** How many nodes, 2..16. Nodes are named a, b, c, ... */
  readonly nodes: number;
  /** One entry per link, in link-index order. A crossover needs exactly two nodes. */
  readonly links: readonly LabLinkKind[];
}

/** One link of the lab, as the tests address it. */
export interface LabLink {
  readonly index: number;
  readonly kind: LabLinkKind;
  /** The third octet X of 10.213.X.0/24. */
  readonly subnetOctet: number;
  /** "10.213.X.0/24". */
  readonly subnet: string;
  /** "10.213.X.255", the subnet-directed broadcast address. */
  readonly broadcastAddress: string;
}

/** A fault injected with iptables; `remove()` takes it out again (idempotent). Destroying the lab removes it too. */
export interface LabFault {
  readonly description: string;
  remove(): Promise<void>;
}

export interface UdpFaultOptions {
  /** 'in' (default) drops what arrives on the node's interface, 'out' what it sends (the sender then gets EPERM). */
  readonly direction?: 'in' | 'out';
  /** Only this destination port; default all UDP. */
  readonly port?: number;
}

/** Something running inside the lab that must stop before its namespace goes away. */
export interface LabProcess {
  /** Stops it; must resolve (never reject) once it is gone. */
  stop(): Promise<unknown>;
}

const NODE_NAMES = 'abcdefghijklmnop';

export class NetnsLab {
  /** The prefix of every name this lab made, e.g. "hl3f9a2c". */
  readonly prefix: string;
  readonly links: readonly LabLink[];
  private readonly nodeNamespaces: readonly string[];
  private readonly switchNamespace: string;
  /** Namespaces that exist now and were made by this lab, in creation order. */
  private readonly created: string[] = [];
  private readonly unregisterByNamespace = new Map<string, () => void>();
  private readonly processes: LabProcess[] = [];
  private destroyed = false;

  private constructor(options: NetnsLabOptions) {
    if (!Number.isInteger(options.nodes) || options.nodes < 2 || options.nodes > NODE_NAMES.length) {
      throw new RangeError(`NetnsLab: nodes must be 2..${NODE_NAMES.length}, got ${options.nodes}`);
    }
    if (options.links.length === 0 || options.links.length > 8) throw new RangeError('NetnsLab: between 1 and 8 links');
    if (options.links.includes('crossover') && options.nodes !== 2) throw new RangeError('NetnsLab: a crossover link joins exactly two nodes');
    // The pid makes the prefix unique among live processes; the random part among runs over time.
    this.prefix = `hl${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
    this.nodeNamespaces = Array.from({ length: options.nodes }, (_, node) => `${this.prefix}-${NODE_NAMES[node] as string}`);
    this.switchNamespace = `${this.prefix}-sw`;
    const octets = new Set<number>();
    while (octets.size < options.links.length) octets.add(randomInt(0, 256));
    this.links = options.links.map((kind, index) => {
      const subnetOctet = [...octets][index] as number;
      return { index, kind, subnetOctet, subnet: `10.213.${subnetOctet}.0/24`, broadcastAddress: `10.213.${subnetOctet}.255` };
    });
  }

  /** Builds the namespaces, links and addresses, all up. On any failure it removes what it made and rejects. */
  static async create(options: NetnsLabOptions): Promise<NetnsLab> {
    const lab = new NetnsLab(options);
    try {
      await lab.build();
    } catch (error) {
      await lab.destroy().catch(() => {});
      throw error;
    }
    return lab;
  }

  /** How many nodes. */
  get nodeCount(): number {
    return this.nodeNamespaces.length;
  }

  /** The namespace of node `node` (0-based). */
  namespace(node: number): string {
    const namespace = this.nodeNamespaces[node];
    if (namespace === undefined) throw new RangeError(`no node ${node} in this lab`);
    return namespace;
  }

  /** The link with index `link`. */
  link(link: number): LabLink {
    const found = this.links[link];
    if (found === undefined) throw new RangeError(`no link ${link} in this lab`);
    return found;
  }

  /** Node `node`'s IPv4 address on link `link`. */
  address(node: number, link: number): string {
    this.namespace(node);
    return `10.213.${this.link(link).subnetOctet}.${node + 1}`;
  }

  /** The name of node `node`'s interface on link `link` (inside its namespace). */
  interfaceName(link: number): string {
    this.link(link);
    return `link${link}`;
  }

  /** Runs `file args` inside node `node`'s namespace and resolves with its stdout. */
  exec(node: number, file: string, args: readonly string[]): Promise<string> {
    return runCommand('ip', ['netns', 'exec', this.namespace(node), file, ...args]);
  }

  /** The letter of node `node` ("a", "b", ...), as in its namespace's name. */
  nodeLetter(node: number): string {
    this.namespace(node);
    return NODE_NAMES[node] as string;
  }

  /** Starts a program inside node `node`'s namespace (see BackgroundProcess); destroy() kills it by PID. */
  async spawn(node: number, options: Omit<BackgroundProcessOptions, 'namespace'>): Promise<BackgroundProcess> {
    if (this.destroyed) throw new Error(`NetnsLab ${this.prefix}: spawn after destroy`);
    const started = await BackgroundProcess.start({ ...options, namespace: this.namespace(node) });
    this.adopt({ stop: () => started.stop('SIGKILL') });
    return started;
  }

  /** Hands over something the caller started inside the lab, so that destroy() stops it before the namespaces go. */
  adopt(process: LabProcess): void {
    this.processes.push(process);
  }

  /** `ip link set link<L> down` on node `node`: its end of the cable is unplugged (the peer sees NO-CARRIER). */
  async setLinkDown(node: number, link: number): Promise<void> {
    await runCommand('ip', ['-n', this.namespace(node), 'link', 'set', this.interfaceName(link), 'down']);
  }

  /** `ip link set link<L> up` on node `node`. The kernel restores the subnet route; addresses were kept. */
  async setLinkUp(node: number, link: number): Promise<void> {
    await runCommand('ip', ['-n', this.namespace(node), 'link', 'set', this.interfaceName(link), 'up']);
  }

  /**
   * Sets several of node `node`'s links down (or up) with ONE `ip -batch` call, so that they change
   * within a millisecond of each other: a cut of "all links" must not leave one link carrying
   * heartbeats for the tens of milliseconds a second `ip` process takes to start.
   */
  async setLinks(node: number, links: readonly number[], state: 'up' | 'down', options: { readonly realtimePriority?: number } = {}): Promise<void> {
    const script = links.map((link) => `link set ${this.interfaceName(link)} ${state}`).join('\n');
    const ip = ['ip', '-n', this.namespace(node), '-batch', '-'];
    const argv = options.realtimePriority === undefined ? ip : ['chrt', '--rr', String(options.realtimePriority), ...ip];
    await runCommand(argv[0] as string, argv.slice(1), { input: `${script}\n` });
  }

  /**
   * Gives the switch of link `link` an address of its own (10.213.X.`host`), so that a program in
   * the switch's namespace can talk to the nodes as a client on the LAN would (the demo's HTTP
   * prober). Returns the address.
   */
  async addSwitchAddress(link: number, host: number): Promise<string> {
    if (this.link(link).kind !== 'switch') throw new Error(`link ${link} is a crossover cable: only a switch link has a namespace of its own for a client`);
    if (!(Number.isInteger(host) && host > this.nodeCount && host < 255)) throw new RangeError(`host ${host} must be in ${this.nodeCount + 1}..254 (1..${this.nodeCount} are the nodes)`);
    const address = `10.213.${this.link(link).subnetOctet}.${host}`;
    await runCommand('ip', ['-n', this.switchNamespace, 'addr', 'add', `${address}/24`, 'dev', `br${link}`]);
    return address;
  }

  /** Starts a program in the switch's namespace (see addSwitchAddress); destroy() kills it by PID. */
  async spawnOnSwitch(options: Omit<BackgroundProcessOptions, 'namespace'>): Promise<BackgroundProcess> {
    if (this.destroyed) throw new Error(`NetnsLab ${this.prefix}: spawn after destroy`);
    if (!this.links.some((link) => link.kind === 'switch')) throw new Error(`NetnsLab ${this.prefix} has no switch link`);
    const started = await BackgroundProcess.start({ ...options, namespace: this.switchNamespace });
    this.adopt({ stop: () => started.stop('SIGKILL') });
    return started;
  }

  /**
   * Node `node` loses its power: every process in its namespace gets SIGKILL (by the PIDs `ip netns
   * pids` lists, all of them started by this lab) and every link goes down, as its NICs would;
   * addresses an agent added stay on the dead interfaces, unreachable. The PIDs are listed first,
   * and the kills, which are immediate, come before the link cut, so that nothing the node runs
   * (a daemon's heartbeats on a serial link, which no interface carries) outlives the instant.
   * Processes that appear meanwhile are killed after the cut. Resolves with the number of
   * processes killed and `atMs`, the wall clock of the instant (just before the first kill).
   * `realtimePriority`: run the link cut under SCHED_RR.
   */
  async powerLoss(node: number, options: { readonly realtimePriority?: number; readonly cutFirst?: () => Promise<number> } = {}): Promise<{ readonly killed: number; readonly atMs: number }> {
    const pids = await namespacePids(this.namespace(node));
    // Something else the power loss stops first (a disk), returning when it did: that is the moment.
    const atMs = options.cutFirst === undefined ? Date.now() : await options.cutFirst();
    killAll(pids);
    await this.setLinks(node, this.links.map((link) => link.index), 'down', options);
    return { killed: pids.length + (await killNamespaceProcesses(this.namespace(node))), atMs };
  }

  /**
   * Node `node` freezes (a hung machine, a VM paused by its host): SIGSTOP to every process of its
   * namespace, listed as powerLoss lists them (`ip netns pids`, all started by this lab); the
   * listing is repeated until it finds no process it has not stopped yet, so that a child forked
   * meanwhile (an agent's monitor) is frozen too. Its links stay up and its kernel state (mounts,
   * addresses) stays as it was. Resolves with the stopped PIDs, for `thaw`, and `atMs`, the wall
   * clock just before the first stop.
   */
  async freeze(node: number): Promise<{ readonly pids: readonly number[]; readonly atMs: number }> {
    const stopped = new Set<number>();
    let atMs: number | undefined;
    for (let listing = 0; listing < 10; listing++) {
      const fresh = (await namespacePids(this.namespace(node))).filter((pid) => !stopped.has(pid));
      if (fresh.length === 0 && listing > 0) break;
      atMs ??= Date.now();
      for (const pid of fresh) {
        try {
          process.kill(pid, 'SIGSTOP');
          stopped.add(pid);
        } catch {
          // Exited while we looked.
        }
      }
    }
    return { pids: [...stopped], atMs: atMs ?? Date.now() };
  }

  /**
   * Thaws what `freeze` stopped: SIGCONT to each of `pids` that is still alive. Returns the PIDs
   * resumed; a process a fence killed meanwhile is not among them, nor is its zombie (killed but
   * not yet reaped: a service reparented to a PID 1 that reaps slowly).
   */
  thaw(pids: readonly number[]): number[] {
    const resumed: number[] = [];
    for (const pid of pids) {
      if (!processAlive(pid)) continue;
      try {
        process.kill(pid, 'SIGCONT');
        resumed.push(pid);
      } catch {
        // Exited while we looked.
      }
    }
    return resumed;
  }

  /**
   * Node `node` gets its power back after powerLoss: its NICs come up as after a boot, holding only
   * the lab's own address (what an agent had added, a floating address, is gone with the power).
   */
  async powerOn(node: number): Promise<void> {
    const script = this.links.flatMap((link) => [
      `addr flush dev ${this.interfaceName(link.index)}`,
      `addr add ${this.address(node, link.index)}/24 brd + dev ${this.interfaceName(link.index)}`,
      `link set ${this.interfaceName(link.index)} up`,
    ]);
    await runCommand('ip', ['-n', this.namespace(node), '-batch', '-'], { input: `${script.join('\n')}\n` });
  }

  /** Drops every UDP datagram of link `link` at node `node` (in or out, optionally one port) with iptables. */
  dropUdp(node: number, link: number, options: UdpFaultOptions = {}): Promise<LabFault> {
    return this.addRule(node, link, options, [], 'drop');
  }

  /** Drops each UDP datagram of link `link` at node `node` with probability `probability` (iptables statistic match). */
  randomLoss(node: number, link: number, probability: number, options: UdpFaultOptions = {}): Promise<LabFault> {
    if (!(probability > 0 && probability < 1)) throw new RangeError(`probability must be in (0, 1), got ${probability}`);
    return this.addRule(node, link, options, ['-m', 'statistic', '--mode', 'random', '--probability', String(probability)], `loss ${probability}`);
  }

  /**
   * Stops the lab's processes (by PID) and deletes its namespaces, which removes the veths,
   * bridges and iptables rules in them. Tries everything even when a step fails, then rejects with
   * the failures. Idempotent.
   */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all(this.processes.map((started) => started.stop()));
    const failures: string[] = [];
    for (const namespace of [...this.created].reverse()) {
      try {
        // What the lab's programs left behind in its own namespaces (a service an agent started in
        // its own session, e.g. WebDemo's server): a deleted namespace would live on with them.
        await killNamespaceProcesses(namespace);
        await runCommand('ip', ['netns', 'del', namespace]);
        this.forget(namespace);
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (failures.length > 0) throw new Error(`NetnsLab ${this.prefix}: cleanup failed: ${failures.join('; ')}`);
  }

  private async build(): Promise<void> {
    const hasSwitch = this.links.some((link) => link.kind === 'switch');
    for (const namespace of [...this.nodeNamespaces, ...(hasSwitch ? [this.switchNamespace] : [])]) {
      await this.addNamespace(namespace);
      await runCommand('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
    }
    for (const link of this.links) {
      const name = this.interfaceName(link.index);
      if (link.kind === 'crossover') {
        // Created in node a with its peer created directly in node b: no name ever exists in the root namespace.
        await runCommand('ip', ['-n', this.namespace(0), 'link', 'add', name, 'type', 'veth', 'peer', 'name', name, 'netns', this.namespace(1)]);
      } else {
        const bridge = `br${link.index}`;
        await runCommand('ip', ['-n', this.switchNamespace, 'link', 'add', bridge, 'type', 'bridge']);
        await runCommand('ip', ['-n', this.switchNamespace, 'link', 'set', bridge, 'up']);
        for (let node = 0; node < this.nodeCount; node++) {
          const port = `l${link.index}${NODE_NAMES[node] as string}`;
          await runCommand('ip', ['-n', this.namespace(node), 'link', 'add', name, 'type', 'veth', 'peer', 'name', port, 'netns', this.switchNamespace]);
          await runCommand('ip', ['-n', this.switchNamespace, 'link', 'set', port, 'master', bridge]);
          await runCommand('ip', ['-n', this.switchNamespace, 'link', 'set', port, 'up']);
        }
      }
      for (let node = 0; node < this.nodeCount; node++) {
        await runCommand('ip', ['-n', this.namespace(node), 'addr', 'add', `${this.address(node, link.index)}/24`, 'brd', '+', 'dev', name]);
        await runCommand('ip', ['-n', this.namespace(node), 'link', 'set', name, 'up']);
      }
    }
  }

  private async addNamespace(namespace: string): Promise<void> {
    await runCommand('ip', ['netns', 'add', namespace]);
    this.created.push(namespace);
    this.unregisterByNamespace.set(
      namespace,
      registerLastResortCleanup(`network namespace ${namespace}`, () => {
        runCommandSync('ip', ['netns', 'del', namespace]);
      }),
    );
  }

  private forget(namespace: string): void {
    this.unregisterByNamespace.get(namespace)?.();
    this.unregisterByNamespace.delete(namespace);
    this.created.splice(this.created.indexOf(namespace), 1);
  }

  private async addRule(node: number, link: number, options: UdpFaultOptions, match: readonly string[], what: string): Promise<LabFault> {
    const direction = options.direction ?? 'in';
    const spec = [
      direction === 'in' ? 'INPUT' : 'OUTPUT',
      direction === 'in' ? '-i' : '-o',
      this.interfaceName(link),
      '-p',
      'udp',
      ...(options.port === undefined ? [] : ['--dport', String(options.port)]),
      ...match,
      '-j',
      'DROP',
    ];
    // -w: wait for the xtables lock, which is shared with every other namespace on the machine.
    await this.exec(node, 'iptables', ['-w', '-A', ...spec]);
    let removed = false;
    return {
      description: `${what} of UDP ${direction} on link ${link} at node ${NODE_NAMES[node] as string}`,
      remove: async () => {
        if (removed || this.destroyed) return;
        removed = true;
        await this.exec(node, 'iptables', ['-w', '-D', ...spec]);
      },
    };
  }
}

/**
 * SIGKILL to every process in `namespace` (by the PIDs `ip netns pids` lists); only for a
 * namespace this lab made, where every process was started by the lab or its programs.
 * Resolves with how many there were.
 */
async function killNamespaceProcesses(namespace: string): Promise<number> {
  const pids = await namespacePids(namespace);
  killAll(pids);
  return pids.length;
}

async function namespacePids(namespace: string): Promise<number[]> {
  return (await runCommand('ip', ['netns', 'pids', namespace])).split(/\s+/).filter((word) => /^\d+$/.test(word)).map(Number);
}

/** Whether `pid` exists and is not a zombie (/proc/PID/stat's state, the field after the parenthesized name). */
function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
