/**
 * ServiceLab: a two-node cluster in network namespaces that runs a service a client can watch, and
 * the story `heartline demo` tells and `heartline bench failover` measures: the node serving it
 * loses its power, the survivor declares it dead, fences it, and starts the service itself.
 *
 * - Fencing (`fencing`): `bmc` (the default) is a FencingLab: the daemons fence through the
 *   `heartline-testbed` hardware profile, whose level 1 is each node's simulated BMC (OpenIPMI
 *   ipmi_sim, driven with `ipmitool -I lanplus`; its power-off kills the node's processes), as on
 *   an appliance. No PDU runs: level 2 is only tried when a BMC fails. `command` is DaemonLab's
 *   fence program (heartline.yaml `fencing.command`, killing the node's namespace), for machines
 *   without ipmi_sim and ipmitool.
 *
 * - The service is the group `demo`: `vip` (the real ocf:heartbeat:IPaddr2, a floating address on
 *   the switch link) then `web` (ocf:heartline:WebDemo on that address, answering `served by
 *   NODE`). Without resource-agents installed, `web` alone listens on every address and the client
 *   asks each node's own address in turn.
 * - The resources are created with the real CLI over each daemon's control socket, as an operator
 *   would, and each command line is reported.
 * - The client is a prober in the switch's namespace (a host on the LAN): one HTTP GET every
 *   `probeIntervalMs`, each answer stamped with the wall clock, the same clock as the daemons' logs.
 * - `resource: 'filesystem'` serves something else: the group `demo` is a shared disk's ext4
 *   (ocf:heartline:Filesystem on a SharedDisk: one loop device per node, each daemon in a mount
 *   namespace of its own), the floating address, and ocf:heartline:RecordWriter appending fsynced
 *   records; the client is the writer's client on the switch, and an answer is an acknowledged
 *   record. A power loss then stops the disk without a journal flush (SharedDisk.readyCutOff) a
 *   moment before it kills the node's processes, so that the survivor recovers the journal as after
 *   a real one; the time counts from the cut.
 *   MMP is off unless asked: with it a takeover after a power loss waits at least 22 s (STORAGE.md).
 * - A takeover's phases come from the survivor's log (detection: "peer declared dead"; fencing:
 *   "fence finished") and from the prober (the first answer from the survivor).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DaemonLab, type DaemonLabOptions } from './daemon-lab.js';
import { FencingLab } from './fencing-lab.js';
import type { BackgroundProcess } from './background-process.js';
import { runCommand } from './command.js';
import { eventually } from './eventually.js';
import type { LogEvent } from './log-event.js';
import { SharedDisk } from './shared-disk.js';
import { lostAcknowledgements, parseRecordFile } from '../storage/writer-records.js';

/** Where Debian's resource-agents put IPaddr2. */
const IPADDR2 = '/usr/lib/ocf/resource.d/heartbeat/IPaddr2';
const SWITCH_LINK = 1;
const CLIENT_HOST = 250;
const VIP_HOST = 100;
const WEB_PORT = 8080;
const WRITER_PORT = 7070;

export interface ServiceLabOptions {
  /** Progress lines ("starting daemons", "$ heartline resource create ..."). */
  readonly progress?: (line: string) => void;
  readonly timing?: DaemonLabOptions['timing'];
  /** How often the client asks; default 100 ms. */
  readonly probeIntervalMs?: number;
  readonly cliPath?: string;
  /** How the daemons fence: through the simulated BMCs of a hardware profile (default) or the lab's fence program. */
  readonly fencing?: ServiceLabFencing;
  /** What the cluster serves: the demo's web page (default) or a writer on a shared disk's filesystem. */
  readonly resource?: ServiceLabResource;
  /** With `filesystem`: make the ext4 with multi-mount protection and have the agent require it; default false. */
  readonly mmp?: boolean;
  /** With `filesystem`: SharedDisk's path per node; `fuse` lets the power loss stop the node's disk (default `loop`). */
  readonly diskPath?: 'loop' | 'fuse';
}

export type ServiceLabFencing = 'bmc' | 'command';
export type ServiceLabResource = 'web' | 'filesystem';

/**
 * SCHED_RR priority of the lab's stand-ins for other computers: the simulated BMCs, the client on
 * the LAN, and the power cut itself. The daemons run real-time by default (and so do the agents
 * and ipmitool they start); on a machine busy with other work, these stand-ins at the normal
 * policy would wait for a CPU that their real counterparts (a BMC's own processor, a client
 * machine, a power failure) never wait for, and the takeover would be measured on them.
 */
const STAND_IN_REALTIME_PRIORITY = 10;

/** One answer (or failure) the client saw. */
export interface ProbeAnswer {
  /** Wall clock, ms since the epoch. */
  readonly at: number;
  /** The node that answered (from `served by NODE`), or undefined when the request failed. */
  readonly servedBy: string | undefined;
  /** Why it failed (ECONNREFUSED, TimeoutError, ...). */
  readonly error?: string;
  /** The `filesystem` service: the number of the record this answer acknowledged. */
  readonly record?: number;
}

/** A takeover, measured. Times are ms after the power loss; phases are the differences. */
export interface Takeover {
  readonly lostNode: string;
  readonly survivor: string;
  /** The survivor logged "peer declared dead". */
  readonly detectedMs: number;
  /** The fence of the lost node finished (success); undefined when the cluster did not fence. */
  readonly fencedMs: number | undefined;
  /** The client's first answer from the survivor. */
  readonly servedMs: number;
  readonly phases: { readonly detectionMs: number; readonly fencingMs: number; readonly recoveryMs: number };
  /**
   * The `filesystem` service: acknowledged records missing from (or changed in) the survivor's
   * file once it serves, checked against every acknowledgement the client got before the power
   * loss (empty is the only right answer), and how many that was.
   */
  readonly durability?: { readonly acknowledgedBefore: number; readonly problems: readonly string[] };
}

export class ServiceLab {
  private readonly answers: ProbeAnswer[] = [];
  private prober: BackgroundProcess | undefined;

  private constructor(
    readonly lab: DaemonLab,
    /** The simulated BMCs with `bmc` fencing; undefined with `command`. */
    readonly fencingLab: FencingLab | undefined,
    private readonly cliPath: string,
    /** The address the client asks (the floating address, or undefined: every node's own). */
    readonly serviceAddress: string | undefined,
    private readonly progress: (line: string) => void,
    /** The shared disk of the `filesystem` service; undefined for `web`. */
    readonly disk: SharedDisk | undefined,
    private readonly mmp: boolean,
  ) {}

  /** Builds the lab and starts both daemons (with fencing) and the client; nothing of the service yet. */
  static async create(options: ServiceLabOptions = {}): Promise<ServiceLab> {
    const progress = options.progress ?? ((): void => {});
    const cliPath = options.cliPath ?? fileURLToPath(new URL('../cli/main.js', import.meta.url));
    const timing = options.timing === undefined ? {} : { timing: options.timing };
    const mmp = options.mmp ?? false;
    let disk: SharedDisk | undefined;
    if ((options.resource ?? 'web') === 'filesystem') {
      if (!existsSync(IPADDR2)) throw new Error(`the filesystem service needs Debian's resource-agents for its floating address (no ${IPADDR2})`);
      disk = await SharedDisk.create({ nodes: 2, label: `hlsvc${process.pid % 100_000}`, mmp, ...(options.diskPath === undefined ? {} : { path: options.diskPath }) });
      progress(`shared disk: ${disk.imagePath}, one loop device per node (${disk.loopDevices.join(', ')}${disk.cuttable ? ', each over a FUSE pass-through a power loss stops' : ''}), ext4${mmp ? ' with MMP' : ' without MMP'}`);
    }
    const shared = disk;
    // A daemon in the disk's mount namespace; under load it can take more than the default 10 s to start.
    const placement = shared === undefined ? {} : { daemonCommandPrefix: (node: number) => shared.daemonCommandPrefix(node), daemonReadyTimeoutMs: 30_000 };
    let fencingLab: FencingLab | undefined;
    let lab: DaemonLab;
    try {
      if ((options.fencing ?? 'bmc') === 'bmc') {
        fencingLab = await FencingLab.create({ serial: true, pdus: false, deviceRealtimePriority: STAND_IN_REALTIME_PRIORITY, cliPath, progress, ...timing, ...placement });
        lab = fencingLab.lab;
        progress(`fencing: hardware profile heartline-testbed, a simulated BMC per node (ipmi_sim; ipmitool -I lanplus; power-off kills the node's processes)`);
      } else {
        lab = await DaemonLab.create({ nodes: 2, links: ['crossover', 'switch'], serial: true, linkKind: 'udp-unicast', fencing: true, cliPath, progress, ...timing, ...placement });
        progress(`fencing: the lab's fence program (kills the node's processes)`);
      }
    } catch (error) {
      await disk?.destroy().catch(() => {});
      throw error;
    }
    try {
      const floating = existsSync(IPADDR2) ? `10.213.${lab.net.link(SWITCH_LINK).subnetOctet}.${VIP_HOST}` : undefined;
      const service = new ServiceLab(lab, fencingLab, cliPath, floating, progress, disk, mmp);
      await service.startProber(options.probeIntervalMs ?? 100);
      return service;
    } catch (error) {
      await (fencingLab ?? lab).destroy();
      await disk?.destroy().catch(() => {});
      throw error;
    }
  }

  /** How the daemons fence. */
  get fencing(): ServiceLabFencing {
    return this.fencingLab === undefined ? 'command' : 'bmc';
  }

  /** Node names in node order. */
  get nodeNames(): string[] {
    return Array.from({ length: this.lab.nodeCount }, (_, node) => this.lab.nodeName(node));
  }

  /** Runs `heartline ARGS --socket` against node `node`'s daemon, reporting the command line; resolves with its stdout. */
  async cli(node: number, args: readonly string[]): Promise<string> {
    this.progress(`$ heartline ${args.join(' ')}`);
    return runCommand(process.execPath, [this.cliPath, ...args, '--socket', this.lab.socketPath(node)], { timeoutMs: 30_000 });
  }

  /** What the cluster serves. */
  get resource(): ServiceLabResource {
    return this.disk === undefined ? 'web' : 'filesystem';
  }

  /** Where the `filesystem` service mounts the shared disk (in each node's own mount namespace). */
  get mountPoint(): string | undefined {
    return this.disk === undefined ? undefined : join(this.disk.mountDir, 'data');
  }

  /** Creates the group `demo` (vip + web, or web alone; or fs + vip + writer) through node 0's daemon. */
  async createService(): Promise<void> {
    if (this.disk !== undefined && this.serviceAddress !== undefined) {
      const mountPoint = this.mountPoint as string;
      const mmp = this.mmp ? 'mmp=require' : 'mmp=off';
      await this.cli(0, ['resource', 'create', 'fs', 'ocf:heartline:Filesystem', `device=${this.disk.devicePath}`, `directory=${mountPoint}`, 'fstype=ext4', mmp, 'term_wait=2', '--group', 'demo', '--op', 'start timeout=150s', '--op', 'stop timeout=60s', '--op', 'monitor interval=10s timeout=40s']);
      await this.cli(0, ['resource', 'create', 'vip', 'ocf:heartbeat:IPaddr2', `ip=${this.serviceAddress}`, 'cidr_netmask=24', '--group', 'demo']);
      await this.cli(0, ['resource', 'create', 'writer', 'ocf:heartline:RecordWriter', `file=${join(mountPoint, 'records')}`, `ip=${this.serviceAddress}`, `port=${WRITER_PORT}`, '--group', 'demo', '--op', 'start timeout=60s', '--op', 'monitor interval=10s timeout=30s']);
      return;
    }
    if (this.serviceAddress !== undefined) {
      await this.cli(0, ['resource', 'create', 'vip', 'ocf:heartbeat:IPaddr2', `ip=${this.serviceAddress}`, 'cidr_netmask=24', '--group', 'demo']);
      await this.cli(0, ['resource', 'create', 'web', 'ocf:heartline:WebDemo', `ip=${this.serviceAddress}`, `port=${WEB_PORT}`, '--group', 'demo']);
    } else {
      await this.cli(0, ['resource', 'create', 'web', 'ocf:heartline:WebDemo', `port=${WEB_PORT}`, '--group', 'demo']);
    }
  }

  /** Every answer the client saw at or after `since` (wall clock). */
  answersSince(since: number): ProbeAnswer[] {
    return this.answers.filter((answer) => answer.at >= since);
  }

  /** Waits until the client gets an answer at or after `since` (from `node` when given); resolves with it. */
  waitServed(options: { readonly since: number; readonly by?: string; readonly timeoutMs?: number }): Promise<ProbeAnswer> {
    return eventually(() => this.answersSince(options.since).find((answer) => answer.servedBy !== undefined && (options.by === undefined || answer.servedBy === options.by)), {
      what: `the client is served${options.by === undefined ? '' : ` by ${options.by}`}`,
      timeoutMs: options.timeoutMs ?? 60_000,
      intervalMs: 50,
      // Enough of each log to see a view change or a fence that came before the last operations.
      describe: () => `last answers: ${JSON.stringify(this.answers.slice(-3))}\n${this.lab.describeLogs(0, 40)}\n${this.lab.describeLogs(1, 40)}`,
    });
  }

  /**
   * Cuts the power of the node that serves now, and measures until the survivor serves. The lost
   * node stays off (powerOn brings it back).
   */
  async powerLossTakeover(options: { readonly timeoutMs?: number } = {}): Promise<Takeover> {
    const serving = await this.waitServed({ since: Date.now() });
    const lost = this.nodeNames.indexOf(serving.servedBy as string);
    if (lost < 0) throw new Error(`the service answered from '${String(serving.servedBy)}', which is not a node of this lab`);
    const survivor = 1 - lost;
    const cursor = this.lab.cursor(survivor);
    const lostDaemon = this.lab.daemon(lost);
    const disk = this.disk;
    // The disk stops first: the node's FUSE path cut (it writes nothing more), or EXT4_IOC_SHUTDOWN.
    const cutFirst = disk === undefined ? undefined : disk.cuttable ? () => Promise.resolve(disk.cutNode(lost)) : await disk.readyCutOff(lostDaemon.pid, this.mountPoint as string).then((cutOff) => () => cutOff.cut());
    this.progress(`power loss of node ${this.lab.nodeName(lost)} (${cutFirst === undefined ? '' : 'its disk stops taking writes, no journal flush; '}every process killed, every link down)`);
    const { atMs: powerLossAt } = await this.lab.net.powerLoss(lost, { realtimePriority: STAND_IN_REALTIME_PRIORITY, ...(cutFirst === undefined ? {} : { cutFirst }) });
    await lostDaemon.exited;
    const served = await this.waitServed({ since: powerLossAt, by: this.lab.nodeName(survivor), ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
    const events = this.lab.logEvents(survivor).slice(cursor);
    const detected = events.find((event) => event.msg === 'peer declared dead');
    const fenced = events.find((event) => isFenceSuccess(event, this.lab.nodeName(lost)));
    const detectedMs = (detected?.time ?? served.at) - powerLossAt;
    const fencedMs = fenced === undefined ? undefined : fenced.time - powerLossAt;
    const servedMs = served.at - powerLossAt;
    const durability = this.disk === undefined ? undefined : await this.checkRecords(survivor, powerLossAt);
    return {
      lostNode: this.lab.nodeName(lost),
      survivor: this.lab.nodeName(survivor),
      detectedMs,
      fencedMs,
      servedMs,
      phases: { detectionMs: detectedMs, fencingMs: fencedMs === undefined ? 0 : fencedMs - detectedMs, recoveryMs: servedMs - (fencedMs ?? detectedMs) },
      ...(durability === undefined ? {} : { durability }),
    };
  }

  /** Every record acknowledged before `before` must be in the file node `node` serves, as acknowledged. */
  private async checkRecords(node: number, before: number): Promise<{ acknowledgedBefore: number; problems: string[] }> {
    const acknowledged = this.answers.flatMap((answer) => (answer.at < before && answer.record !== undefined && answer.servedBy !== undefined ? [{ seq: answer.record, node: answer.servedBy }] : []));
    const text = await runCommand('nsenter', ['-t', String(this.lab.daemon(node).pid), '-m', 'cat', join(this.mountPoint as string, 'records')]);
    return { acknowledgedBefore: acknowledged.length, problems: lostAcknowledgements(parseRecordFile(text), acknowledged) };
  }

  /** Powers node `node` on again (its NICs as after a boot) and starts its daemon; waits for the full view. */
  async powerOn(node: number): Promise<void> {
    this.progress(`power on node ${this.lab.nodeName(node)}`);
    this.disk?.restoreNode(node);
    await this.lab.net.powerOn(node);
    await this.fencingLab?.restoreNode(node);
    await this.lab.start(node);
    await this.lab.waitForFullView({ timeoutMs: 60_000 });
  }

  async destroy(): Promise<void> {
    try {
      await (this.fencingLab ?? this.lab).destroy();
    } finally {
      await this.disk?.destroy();
    }
  }

  private async startProber(intervalMs: number): Promise<void> {
    const client = await this.lab.net.addSwitchAddress(SWITCH_LINK, CLIENT_HOST);
    if (this.disk !== undefined && this.serviceAddress !== undefined) {
      this.progress(`client ${client} on the switch appends a record through ${this.serviceAddress}:${WRITER_PORT} every ${intervalMs} ms (an answer is an acknowledged, synced record)`);
      this.prober = await this.lab.net.spawnOnSwitch({
        name: 'writer client',
        argv: ['chrt', '--rr', String(STAND_IN_REALTIME_PRIORITY), process.execPath, fileURLToPath(new URL('../storage/writer-client.js', import.meta.url)), this.serviceAddress, String(WRITER_PORT), String(intervalMs)],
        onStdoutLine: (line) => {
          const answer = parseWriterClientLine(line);
          if (answer !== undefined) this.answers.push(answer);
        },
      });
      return;
    }
    const targets = this.serviceAddress !== undefined ? [this.serviceAddress] : this.nodeNames.map((_, node) => this.lab.net.address(node, SWITCH_LINK));
    this.progress(`client ${client} on the switch asks http://${targets.join(', http://')}:${WEB_PORT}/ every ${intervalMs} ms`);
    this.prober = await this.lab.net.spawnOnSwitch({
      name: 'http client',
      argv: ['chrt', '--rr', String(STAND_IN_REALTIME_PRIORITY), process.execPath, '--input-type=module', '-e', PROBER, String(intervalMs), String(WEB_PORT), ...targets],
      onStdoutLine: (line) => {
        try {
          this.answers.push(JSON.parse(line) as ProbeAnswer);
        } catch {
          // Not an answer line: ignore.
        }
      },
    });
  }
}

/** A "fence finished" log event of the survivor that says `target` was fenced. */
function isFenceSuccess(event: LogEvent, target: string): boolean {
  return event.msg === 'fence finished' && event['target'] === target && event['ok'] === true;
}

/** A line of the writer's client (`{"at","ack","node"}` or `{"at","error"}`) as an answer; undefined for anything else. */
function parseWriterClientLine(line: string): ProbeAnswer | undefined {
  try {
    const parsed = JSON.parse(line) as { at?: unknown; ack?: unknown; node?: unknown; error?: unknown };
    if (typeof parsed.at !== 'number') return undefined;
    if (typeof parsed.node === 'string') return { at: parsed.at, servedBy: parsed.node, ...(typeof parsed.ack === 'number' ? { record: parsed.ack } : {}) };
    return { at: parsed.at, servedBy: undefined, error: String(parsed.error) };
  } catch {
    return undefined;
  }
}

/** The client: GET every target in turn, forever; one JSON line per attempt. */
const PROBER = `
const [intervalMs, port, ...targets] = process.argv.slice(1);
for (let i = 0; ; i++) {
  const at = Date.now();
  const target = targets[i % targets.length];
  try {
    const response = await fetch('http://' + target + ':' + port + '/', { signal: AbortSignal.timeout(400) });
    const body = (await response.text()).trim();
    const servedBy = body.startsWith('served by ') ? body.slice('served by '.length) : undefined;
    console.log(JSON.stringify(servedBy === undefined ? { at, error: 'unexpected answer: ' + body.slice(0, 60) } : { at, servedBy }));
  } catch (error) {
    console.log(JSON.stringify({ at, error: String(error?.cause?.code ?? error?.name ?? error) }));
  }
  await new Promise((resolve) => setTimeout(resolve, Number(intervalMs)));
}
`;
