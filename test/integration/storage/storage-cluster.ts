/**
 * StorageCluster: the shared-storage test bed of the storage failover tests, built once here so
 * that every test of a fault uses the same setup. Two nodes (DaemonLab: network namespaces, the
 * lab's fence program, which kills every process of the target's namespace), one disk (SharedDisk:
 * one backing file with an ext4 + MMP, one loop device per node, each daemon in a mount namespace
 * of its own where the disk is at one common path), the group `store` = ocf:heartline:Filesystem
 * (mmp=require, or off) + ocf:heartbeat:IPaddr2 + ocf:heartline:RecordWriter created with the real CLI,
 * and a writer client on the switch that appends a record every 20 ms through the floating address
 * and prints each acknowledgement. MountWatch samples the mount tables of every node every 50 ms
 * from the start to `destroy()`.
 *
 * `destroy()` removes everything (the lab's processes by PID, namespaces, loop devices, folders)
 * and rejects when a loop device is still attached afterwards; every part also has a last-resort
 * exit hook.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { BackgroundProcess } from '../../../src/testbed/background-process.js';
import { runCommand } from '../../../src/testbed/command.js';
import { DaemonLab } from '../../../src/testbed/daemon-lab.js';
import { MountWatch } from '../../../src/testbed/mount-watch.js';
import { SharedDisk } from '../../../src/testbed/shared-disk.js';
import { lostAcknowledgements, parseRecordFile, recordFileProblems } from '../../../src/storage/writer-records.js';
import { eventually } from '../harness/eventually.js';
import { builtCli, distDir } from '../harness/fixture-program.js';

const SWITCH_LINK = 1;
const WRITER_PORT = 7070;

/** What StorageCluster needs from the machine (describeWithPrerequisites). */
export const STORAGE_CLUSTER_PREREQUISITES = ['root', 'ip', 'iptables', 'setpriv', 'resource-agents', 'losetup', 'mkfs.ext4', 'e2fsck', 'unshare', 'nsenter', 'fuser', 'python3'] as const;

/** One answer line of the writer client. */
export interface Ack {
  readonly at: number;
  readonly ack?: number;
  readonly node?: string;
  readonly error?: string;
}

/** A mount attempt's outcome: mount(8)'s exit status and output, and the kernel's lines about it. */
export interface MountAttempt {
  readonly code: number;
  readonly output: string;
  readonly kernel: string;
  readonly ms: number;
}

export interface StorageClusterOptions {
  readonly label: string;
  /** 2 (default: a crossover and a switch link) or more (two switch links). */
  readonly nodes?: number;
  /** ext4 with multi-mount protection and the Filesystem's mmp=require (default true); false: mmp=off, fencing alone keeps the disk single. */
  readonly mmp?: boolean;
  /** SharedDisk's `path`: `fuse` lets a power loss stop the node's path to the disk (default `loop`). */
  readonly diskPath?: 'loop' | 'fuse';
}

function nodeIndexes(count: number): number[] {
  return Array.from({ length: count }, (_, node) => node);
}

export class StorageCluster {
  readonly acks: Ack[] = [];
  readonly mountPoint: string;
  readonly recordFile: string;
  private client: BackgroundProcess | undefined;

  private constructor(
    readonly disk: SharedDisk,
    readonly lab: DaemonLab,
    readonly watch: MountWatch,
    readonly vip: string,
  ) {
    this.mountPoint = join(disk.mountDir, 'data');
    this.recordFile = join(this.mountPoint, 'records');
  }

  /** Builds the disk, the lab, the group and the client; removes what it made on failure. */
  static async create(options: StorageClusterOptions): Promise<StorageCluster> {
    const nodes = options.nodes ?? 2;
    const mmp = options.mmp ?? true;
    const disk = await SharedDisk.create({ nodes, label: options.label, mmp, ...(options.diskPath === undefined ? {} : { path: options.diskPath }) });
    let lab: DaemonLab | undefined;
    let cluster: StorageCluster | undefined;
    try {
      lab = await DaemonLab.create({
        nodes,
        // A crossover cable joins two nodes only; three share two switches.
        links: nodes === 2 ? ['crossover', 'switch'] : ['switch', 'switch'],
        serial: false,
        linkKind: 'udp-unicast',
        cliPath: builtCli,
        fencing: true,
        daemonCommandPrefix: (node) => disk.daemonCommandPrefix(node),
        // The machine is shared: under load a daemon can take more than the default 10 s to start.
        daemonReadyTimeoutMs: 30_000,
        // With three nodes two have quorum without the third and fence a node not seen at startup
        // (startup fencing): under load one daemon can start seconds after the others.
        ...(nodes > 2 ? { timing: { initdeadMs: 20_000 } } : {}),
      });
      const current = lab;
      const watch = new MountWatch(nodeIndexes(nodes).map((node) => ({ name: current.nodeName(node), netns: current.net.namespace(node) })), disk.deviceNumbers);
      cluster = new StorageCluster(disk, lab, watch, `10.213.${lab.net.link(SWITCH_LINK).subnetOctet}.100`);
      await cluster.createGroup(mmp);
      return cluster;
    } catch (error) {
      if (cluster !== undefined) await cluster.destroy().catch(() => {});
      else {
        await lab?.destroy().catch(() => {});
        await disk.destroy().catch(() => {});
      }
      throw error;
    }
  }

  private async createGroup(mmp: boolean): Promise<void> {
    const { disk, vip, mountPoint, recordFile } = this;
    await this.cli(0, ['resource', 'create', 'fs', 'ocf:heartline:Filesystem', `device=${disk.devicePath}`, `directory=${mountPoint}`, 'fstype=ext4', mmp ? 'mmp=require' : 'mmp=off', 'term_wait=2', '--group', 'store', '--meta', 'resource-stickiness=100', '--op', 'start timeout=150s', '--op', 'stop timeout=60s', '--op', 'monitor interval=5s timeout=40s OCF_CHECK_LEVEL=20']);
    await this.cli(0, ['resource', 'create', 'vip', 'ocf:heartbeat:IPaddr2', `ip=${vip}`, 'cidr_netmask=24', '--group', 'store', '--meta', 'resource-stickiness=100']);
    await this.cli(0, ['resource', 'create', 'writer', 'ocf:heartline:RecordWriter', `file=${recordFile}`, `ip=${vip}`, `port=${WRITER_PORT}`, '--group', 'store', '--meta', 'resource-stickiness=100', '--op', 'start timeout=60s', '--op', 'monitor interval=2s timeout=30s']);
    await this.lab.net.addSwitchAddress(SWITCH_LINK, 250);
    this.client = await this.lab.net.spawnOnSwitch({
      name: 'writer client',
      argv: [process.execPath, join(distDir, 'storage', 'writer-client.js'), vip, String(WRITER_PORT), '20'],
      onStdoutLine: (line) => {
        try {
          this.acks.push(JSON.parse(line) as Ack);
        } catch {
          // Not an answer line.
        }
      },
    });
  }

  /** Stops the watch and removes everything; rejects with what failed, after trying everything. */
  async destroy(): Promise<void> {
    this.watch.stop();
    const failures: string[] = [];
    await this.lab.destroy().catch((error: Error) => failures.push(error.message));
    await this.disk.destroy().catch((error: Error) => failures.push(error.message));
    const attached = await runCommand('losetup', ['-j', this.disk.imagePath]).catch(() => '');
    if (attached.trim() !== '') failures.push(`loop devices still attached: ${attached.trim()}`);
    if (failures.length > 0) throw new Error(`cleanup: ${failures.join('; ')}`);
  }

  /** `heartline ARGS` against node `node`'s daemon; rejects with stderr when it fails. */
  async cli(node: number, args: readonly string[]): Promise<string> {
    const result = await this.lab.cliRun(node, args);
    if (result.code !== 0) throw new Error(`heartline ${args.join(' ')}: exit ${result.code}: ${result.stderr}`);
    return result.stdout;
  }

  get clientRunning(): boolean {
    return this.client?.running ?? false;
  }

  highestAck(): number {
    return this.acks.reduce((max, a) => Math.max(max, a.ack ?? 0), 0);
  }

  /** Every acknowledged record so far, as the client saw it: number and the node that wrote it. */
  acknowledged(): { seq: number; node: string }[] {
    return this.acks.flatMap((a) => (a.ack === undefined || a.node === undefined ? [] : [{ seq: a.ack, node: a.node }]));
  }

  /** The kernel's ext4/jbd2/MMP lines, for a failure message (what the disk went through). */
  async kernelLog(lines = 25): Promise<string> {
    return (await runCommand('dmesg', []).catch(() => ''))
      .split('\n')
      .filter((line) => /EXT4|JBD2|jbd2|MMP|loop/.test(line))
      .slice(-lines)
      .join('\n');
  }

  /** The first acknowledgement at or after `since` (from `node` when given; from any node but `notNode` when given). */
  waitAck(options: { readonly since: number; readonly node?: string; readonly notNode?: string; readonly timeoutMs?: number }): Promise<Ack> {
    const from = (a: Ack): boolean => (options.node === undefined || a.node === options.node) && (options.notNode === undefined || a.node !== options.notNode);
    return eventually(() => this.acks.find((a) => a.at >= options.since && a.ack !== undefined && from(a)), {
      what: `an acknowledged record${options.node === undefined ? '' : ` from node ${options.node}`}${options.notNode === undefined ? '' : ` from a node other than ${options.notNode}`}`,
      timeoutMs: options.timeoutMs ?? 60_000,
      intervalMs: 50,
      describe: () => `last answers: ${JSON.stringify(this.acks.slice(-3))}\nmounted samples: ${JSON.stringify(this.watch.mountedSamples)}\n${this.lab.describeLogs(0, 15)}\n${this.lab.describeLogs(1, 15)}`,
    });
  }

  /** The node that has the disk mounted, once exactly one has and the writer answers from it. */
  async activeNode(): Promise<number> {
    const ack = await this.waitAck({ since: Date.now() });
    expect(this.watch.sample()).toEqual([ack.node]);
    return nodeIndexes(this.lab.nodeCount).find((node) => this.lab.nodeName(node) === ack.node) as number;
  }

  /**
   * A power loss of node `node`: its disk stops first (its FUSE path cut when the disk has one, else
   * EXT4_IOC_SHUTDOWN of the mounted filesystem), then every process dies and its links go down.
   * Resolves with the time of the cut.
   */
  async powerLoss(node: number): Promise<number> {
    const { disk, lab } = this;
    const daemon = lab.daemon(node);
    const cutFirst = disk.cuttable ? () => Promise.resolve(disk.cutNode(node)) : await disk.readyCutOff(daemon.pid, this.mountPoint).then((cutOff) => () => cutOff.cut());
    const at = Date.now();
    await lab.net.powerLoss(node, { cutFirst });
    await daemon.exited;
    return at;
  }

  /** Power back on after `powerLoss(node)`: the node's path to the disk works again, its NICs come up. */
  async powerOn(node: number): Promise<void> {
    this.disk.restoreNode(node);
    await this.lab.net.powerOn(node);
  }

  /** Whether node `node`'s daemon runs (false once it was fenced or killed). */
  daemonRunning(node: number): boolean {
    try {
      this.lab.daemon(node);
      return true;
    } catch {
      return false;
    }
  }

  /** The record file as node `node` sees it (read in its mount namespace). */
  records(node: number): Promise<string> {
    return runCommand('nsenter', ['-t', String(this.lab.daemon(node).pid), '-m', 'cat', this.recordFile]);
  }

  /**
   * Reads the record file on `node` and returns every problem: a gap or disorder up to the highest
   * acknowledgement so far, or any record acknowledged so far (number and node) missing; an answer
   * still in flight from a node frozen or fenced a moment ago counts as well. On problems it prints
   * the records around `around` (the fault's last acknowledgement), the kernel's lines and the log.
   */
  async recordProblems(node: number, around: number): Promise<{ readonly problems: string[]; readonly records: number }> {
    // The acknowledgements are taken before the file is read: the writer goes on appending.
    const highest = this.highestAck();
    const acked = this.acknowledged();
    const text = await this.records(node);
    const file = parseRecordFile(text);
    const problems = [...recordFileProblems(file, highest), ...lostAcknowledgements(file, acked)];
    if (problems.length > 0) console.log(`records around ${around}:\n${text.split('\n').slice(Math.max(0, around - 6), around + 4).join('\n')}\nkernel:\n${await this.kernelLog()}\n${this.lab.describeLogs(node, 30)}`);
    return { problems, records: file.records.length };
  }

  /** Fails the test if MountWatch ever saw the disk mounted on two nodes at once. */
  expectNoDoubleMount(): void {
    expect(this.watch.violations.slice(0, 3)).toEqual([]);
  }

  /**
   * The fence log's lines after the first `since`, once there is at least one: the lab's fence
   * program kills the target first and writes its line after the namespace is empty, which takes
   * a while on a loaded machine.
   */
  async fencesSince(since: number): Promise<string[]> {
    await eventually(() => (this.fenceLog().length > since ? true : undefined), { what: 'a line in the lab fence log', timeoutMs: 20_000, intervalMs: 100 }).catch(() => undefined);
    return this.fenceLog().slice(since);
  }

  /** The lines of the lab's fence log so far (`ACTION TARGET rc=N`). */
  fenceLog(): string[] {
    return existsSync(this.lab.fenceLog) ? readFileSync(this.lab.fenceLog, 'utf8').split('\n').filter((line) => line.trim() !== '') : [];
  }

  /**
   * A direct `mount -t ext4` of the shared disk in node `node`'s mount namespace (beside the
   * cluster, as an operator's manual mount would be), on a mount point of its own; a mount that
   * succeeds is undone at once. Resolves with mount(8)'s status and output and the kernel's new
   * lines about the disk.
   */
  async tryMount(node: number): Promise<MountAttempt> {
    const target = `${this.mountPoint}-intruder`;
    const before = (await this.kernelLog(200)).split('\n');
    const started = Date.now();
    const script = `mkdir -p '${target}' && mount -t ext4 '${this.disk.devicePath}' '${target}' 2>&1; rc=$?; if [ $rc -eq 0 ]; then umount '${target}'; fi; echo "rc=$rc"`;
    const output = await runCommand('nsenter', ['-t', String(this.lab.daemon(node).pid), '-m', 'sh', '-c', script], { timeoutMs: 60_000 });
    const ms = Date.now() - started;
    const kernel = (await this.kernelLog(200))
      .split('\n')
      .filter((line) => !before.includes(line))
      .join('\n');
    const code = Number(/rc=(\d+)\s*$/.exec(output)?.[1] ?? 'NaN');
    return { code, output: output.replace(/rc=\d+\s*$/, '').trim(), kernel, ms };
  }

  /** Stops the group, waits until the disk is mounted nowhere, and returns `e2fsck -fn`'s output (rejects when it finds a problem). */
  async stopAndCheck(node: number): Promise<string> {
    await this.cli(node, ['resource', 'disable', 'fs']);
    await eventually(() => (this.watch.sample().length === 0 ? true : undefined), { what: 'the disk is unmounted everywhere', timeoutMs: 60_000, intervalMs: 100 });
    return runCommand('e2fsck', ['-fn', this.disk.loopDevices[0] ?? ''], { timeoutMs: 90_000 });
  }
}
