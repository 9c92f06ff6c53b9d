/**
 * MountWatch: proof that a shared disk is never mounted by two nodes at once. Every `intervalMs`
 * it finds every process of each node's network namespace (a node of the lab IS its network
 * namespace: its daemon, the agents and services the daemon started, a process left behind after
 * the daemon died), reads the mount table of each distinct mount namespace among them
 * (/proc/PID/mountinfo) and notes which nodes have one of the disk's devices mounted. Two nodes in
 * one sample is a violation, kept with the sample's time and the mount lines.
 *
 * It reads /proc in-process (no child per sample), only reads, and signals nothing. A node whose
 * processes are all gone (power loss) has no mounts: its namespace, and the mounts in it, went
 * with its last process.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';

export interface MountWatchNode {
  /** The node's name, for reports. */
  readonly name: string;
  /** Its network namespace (as `ip netns` names it, under /run/netns). */
  readonly netns: string;
}

/** One sample in which more than one node had the disk mounted. */
export interface DoubleMount {
  /** Wall clock, ms since the epoch. */
  readonly at: number;
  /** Node name → the mountinfo lines of the disk there. */
  readonly mounts: Readonly<Record<string, readonly string[]>>;
}

export class MountWatch {
  /** Samples taken so far. */
  samples = 0;
  /** Samples in which each node had the disk mounted. */
  readonly mountedSamples: Record<string, number> = {};
  readonly violations: DoubleMount[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly devices: ReadonlySet<string>;

  /** Starts watching at once; `stop()` ends it. `devices`: every `major:minor` the disk has (one per node's path to it). */
  constructor(
    private readonly nodes: readonly MountWatchNode[],
    devices: readonly string[],
    intervalMs = 50,
  ) {
    this.devices = new Set(devices);
    for (const node of nodes) this.mountedSamples[node.name] = 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Takes one sample now; returns the names of the nodes that have the disk mounted. */
  sample(): string[] {
    const byNetns = new Map<string, string>();
    for (const node of this.nodes) {
      try {
        byNetns.set(`net:[${statSync(`/run/netns/${node.netns}`).ino}]`, node.name);
      } catch {
        // The namespace is gone (the lab is being destroyed): nothing can be mounted in it.
      }
    }
    const mountNamespaces = new Map<string, { node: string; pid: string }>();
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const node = byNetns.get(readlinkSync(`/proc/${pid}/ns/net`));
        if (node === undefined) continue;
        const mnt = readlinkSync(`/proc/${pid}/ns/mnt`);
        if (!mountNamespaces.has(mnt)) mountNamespaces.set(mnt, { node, pid });
      } catch {
        // The process exited while we looked.
      }
    }
    const mounts: Record<string, string[]> = {};
    for (const { node, pid } of mountNamespaces.values()) {
      let table: string;
      try {
        table = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
      } catch {
        continue;
      }
      for (const line of table.split('\n')) {
        if (this.devices.has(line.split(' ')[2] ?? '')) (mounts[node] ??= []).push(line);
      }
    }
    const mounted = Object.keys(mounts);
    this.samples += 1;
    for (const node of mounted) this.mountedSamples[node] = (this.mountedSamples[node] ?? 0) + 1;
    if (mounted.length > 1) this.violations.push({ at: Date.now(), mounts });
    return mounted;
  }
}
