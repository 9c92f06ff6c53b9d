/**
 * FencingLab: a two-node DaemonLab whose daemons fence through the `heartline-testbed` hardware
 * profile (heartline.yaml `fencing: { profile: heartline-testbed, secrets_dir }`), with the
 * project's simulated devices: one OpenIPMI ipmi_sim per node as its BMC (level 1) and a
 * simulated APC rPDU (snmpd, level 2) whose outlet 1 feeds a and outlet 2 feeds b.
 *
 * Where the devices listen: the profile addresses every device as 127.0.0.1 on its standard port
 * (623 for IPMI, 161 for SNMP), as a management network would reach them, and a node only ever
 * reaches its peer's BMC (a node never fences itself through a power device). So each simulator
 * runs inside the namespace of the node that uses it: a's BMC (ipmi_sim) listens on the loopback
 * of b's namespace, b's BMC on a's loopback, and each namespace has its own copy of the PDU on its
 * loopback. Cutting the heartbeat links therefore leaves every fence path up (the management
 * network is separate, as on real appliances), and nothing is sent from the root namespace. The
 * cost: the two PDU copies do not share outlet state (each node only ever switches its peer's
 * outlet), and a node's power loss also takes down the simulators that lived in its namespace,
 * which only the dead node used.
 *
 * A device's power-off runs `kill-node NAMESPACE RSCTMP` before the device answers: SIGKILL to every
 * process of the target's namespace (by the PIDs `ip netns pids` lists, all started by the lab),
 * then an empty HA_RSCTMP, as after a power cycle. Secrets are files of mode 600 in a 0700 folder.
 * `destroy()` stops the simulators by PID and removes the lab and the folder, also after a failure.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonLab, type DaemonLabOptions } from './daemon-lab.js';
import { IpmiSimulator } from './ipmi-simulator.js';
import { registerLastResortCleanup } from './last-resort-cleanup.js';
import { SnmpPduSimulator } from './snmp-pdu-simulator.js';

export const TESTBED_APPLIANCE = 'heartline-testbed';
const SECRETS = { 'bmc-a': 'fencelab-bmc-a-pass', 'bmc-b': 'fencelab-bmc-b-pass', 'pdu-community': 'fencelab-rw' } as const;

export interface FencingLabOptions {
  readonly cliPath?: string;
  /**
   * `profile` (default): heartline.yaml fences through the heartline-testbed profile. `cib`:
   * `fencing: { cib: true }`, so the daemons fence only through the CIB's stonith resources, which
   * the test creates (bmcPassword gives their passwords); the same simulators run either way.
   */
  readonly fencing?: 'profile' | 'cib';
  readonly timing?: DaemonLabOptions['timing'];
  readonly progress?: (message: string) => void;
  /** Add the serial null-modem between the nodes as a heartbeat link (DaemonLab's `serial`); default false. */
  readonly serial?: boolean;
  /** Start the PDU copies (level 2) as well; default true. Without them only the BMCs answer. */
  readonly pdus?: boolean;
  /** Run the BMC simulators under SCHED_RR with this priority (IpmiSimulator's `realtimePriority`); default: the normal policy. */
  readonly deviceRealtimePriority?: number;
  /** Passed to DaemonLab: how each daemon is started (a shared disk's mount namespace) and how long it may take to be ready. */
  readonly daemonCommandPrefix?: DaemonLabOptions['daemonCommandPrefix'];
  readonly daemonReadyTimeoutMs?: number;
}

export class FencingLab {
  /** bmcs[i]: the BMC of node i (it runs in the other node's namespace). */
  private readonly bmcs: IpmiSimulator[] = [];
  /** pdus[i]: the PDU copy node i reaches (in node i's namespace). */
  private readonly pdus: SnmpPduSimulator[] = [];

  private constructor(
    readonly lab: DaemonLab,
    private readonly folder: string,
    private readonly killNode: string,
    private readonly withPdus: boolean,
    private readonly deviceRealtimePriority: number | undefined,
    private readonly unregister: () => void,
  ) {}

  static async create(options: FencingLabOptions = {}): Promise<FencingLab> {
    const folder = await mkdtemp(join(tmpdir(), 'heartline-fencelab-'));
    const unregister = registerLastResortCleanup(`fencing lab folder ${folder}`, () => rmSync(folder, { recursive: true, force: true }));
    let fencing: FencingLab | undefined;
    let lab: DaemonLab | undefined;
    try {
      await chmod(folder, 0o700);
      const secretsDir = join(folder, 'secrets');
      await mkdir(secretsDir, { mode: 0o700 });
      for (const [name, value] of Object.entries(SECRETS)) await writeFile(join(secretsDir, name), `${value}\n`, { mode: 0o600 });
      const killNode = join(folder, 'kill-node');
      await writeFile(killNode, KILL_NODE, { mode: 0o755 });
      lab = await DaemonLab.create({
        nodes: 2,
        links: ['crossover', 'switch'],
        serial: options.serial ?? false,
        linkKind: 'udp-unicast',
        fencingSection: options.fencing === 'cib' ? { cib: true } : { profile: TESTBED_APPLIANCE, secrets_dir: secretsDir },
        ...(options.cliPath === undefined ? {} : { cliPath: options.cliPath }),
        ...(options.timing === undefined ? {} : { timing: options.timing }),
        ...(options.progress === undefined ? {} : { progress: options.progress }),
        ...(options.daemonCommandPrefix === undefined ? {} : { daemonCommandPrefix: options.daemonCommandPrefix }),
        ...(options.daemonReadyTimeoutMs === undefined ? {} : { daemonReadyTimeoutMs: options.daemonReadyTimeoutMs }),
      });
      fencing = new FencingLab(lab, folder, killNode, options.pdus ?? true, options.deviceRealtimePriority, unregister);
      for (const node of [0, 1]) await fencing.startDevicesIn(node);
      return fencing;
    } catch (error) {
      if (fencing !== undefined) await fencing.destroy().catch(() => {});
      else {
        await lab?.destroy().catch(() => {});
        await rm(folder, { recursive: true, force: true });
        unregister();
      }
      throw error;
    }
  }

  /**
   * Starts the simulators that live in node `node`'s namespace: the BMC of its peer and, with
   * PDUs, the PDU copy it reaches. `create` runs it for both nodes; after a power loss took them
   * down with the node, call it again once the node has its power back (`restoreNode`).
   */
  private async startDevicesIn(node: number): Promise<void> {
    const peer = 1 - node;
    const peerName = this.lab.nodeName(peer);
    const namespace = this.lab.net.namespace(node);
    this.bmcs[peer] = await IpmiSimulator.start({ name: `bmc-${peerName}`, namespace, address: '127.0.0.1', port: 623, username: 'admin', password: SECRETS[`bmc-${peerName}` as 'bmc-a' | 'bmc-b'], onPowerOff: this.killArgv(peer), ...(this.deviceRealtimePriority === undefined ? {} : { realtimePriority: this.deviceRealtimePriority }) });
    if (!this.withPdus) return;
    // The outlet number is appended to the hook's arguments: kill-node-by-outlet maps it.
    const byOutlet = join(this.folder, 'kill-node-by-outlet');
    await writeFile(byOutlet, `#!/bin/sh\ncase "$1" in\n  1) exec ${this.killArgv(0).join(' ')} ;;\n  2) exec ${this.killArgv(1).join(' ')} ;;\nesac\nexit 1\n`, { mode: 0o755 });
    this.pdus[node] = await SnmpPduSimulator.start({ name: `pdu-${this.lab.nodeName(node)}`, model: 'apc-rpdu', outlets: 2, namespace, address: '127.0.0.1', port: 161, readWriteCommunity: SECRETS['pdu-community'], onOutletOff: [byOutlet] });
  }

  /**
   * Node `node` got its power back after a power loss (NetnsLab.powerOn): the simulators that ran
   * in its namespace died with it and are started again, and its own BMC (in the peer's namespace)
   * reads on, as a BMC does once the node is powered on by hand. Call before starting its daemon.
   */
  async restoreNode(node: number): Promise<void> {
    const peer = 1 - node;
    await this.bmcs[peer]?.stop();
    if (this.withPdus) await this.pdus[node]?.stop();
    await this.startDevicesIn(node);
    await this.bmc(node).setPower('on');
  }

  private killArgv(node: number): string[] {
    return [this.killNode, this.lab.net.namespace(node), this.lab.rscTmpDir(node)];
  }

  /** The BMC that fences node `node`. */
  bmc(node: number): IpmiSimulator {
    const bmc = this.bmcs[node];
    if (bmc === undefined) throw new RangeError(`no node ${node}`);
    return bmc;
  }

  /** The password of node `node`'s BMC (for stonith resources the test creates). */
  bmcPassword(node: number): string {
    return SECRETS[`bmc-${this.lab.nodeName(node)}` as 'bmc-a' | 'bmc-b'];
  }

  /** The PDU copy that node `node` fences its peer through. */
  pduUsedBy(node: number): SnmpPduSimulator {
    const pdu = this.pdus[node];
    if (pdu === undefined) throw new RangeError(this.withPdus ? `no node ${node}` : 'this lab runs no PDUs');
    return pdu;
  }

  /** Node `node`'s fence history file (the daemon's default: in its state folder). */
  historyPath(node: number): string {
    return join(this.lab.stateDir(node), 'fence-history.sqlite');
  }

  async destroy(): Promise<void> {
    const failures: string[] = [];
    for (const sim of [...this.bmcs, ...this.pdus]) {
      // A frozen simulator must be thawed to take its SIGTERM.
      sim.signal('SIGCONT');
      await sim.stop().catch((error: unknown) => failures.push(error instanceof Error ? error.message : String(error)));
    }
    await this.lab.destroy().catch((error: unknown) => failures.push(error instanceof Error ? error.message : String(error)));
    await rm(this.folder, { recursive: true, force: true });
    this.unregister();
    if (failures.length > 0) throw new Error(`FencingLab cleanup failed: ${failures.join('; ')}`);
  }
}

/** SIGKILL to every process of a namespace (all started by the lab), then an empty HA_RSCTMP. */
const KILL_NODE = `#!/bin/bash
# Generated by src/testbed/fencing-lab.ts: a simulated device cut the power of a lab node.
ns=$1; rsctmp=$2
for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null; done
for i in $(seq 1 250); do [ -z "$(ip netns pids "$ns")" ] && break; sleep 0.02; done
rm -rf "$rsctmp"/* 2>/dev/null
exit 0
`;
