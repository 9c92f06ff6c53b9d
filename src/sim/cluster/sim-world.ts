/**
 * The physical truth of a simulated cluster, which no node can see directly: which resource is
 * really active on which node (the agents' processes), which nodes have power, and what each node
 * has on its disk. The safety checker reads it; the simulated LRMs change it; the simulated fence
 * device switches power off.
 *
 * A crashed daemon (a `crash` fault) leaves its node's resources running, as a crashed Pacemaker
 * does: that is the case where recovering elsewhere without fencing would run a resource twice.
 * Power off (fencing) stops everything on the node.
 *
 * The shared disk: a resource named in `diskResources` is a Filesystem on `disk`; its agent state
 * going to started (or stopped) on a node mounts (or unmounts) the disk there, and a power off
 * unmounts it.
 */
import type { NodeId } from '../../lib/index.js';
import type { Cib } from '../../ha/cib/index.js';
import { SimSharedDisk } from './sim-shared-disk.js';

export type AgentState = 'stopped' | 'started' | 'promoted';

export class SimWorld {
  private readonly agents = new Map<NodeId, Map<string, AgentState>>();
  private readonly off = new Set<NodeId>();
  private readonly disks = new Map<NodeId, Cib>();
  /** Resources whose start failed or hung somewhere (they may be banned everywhere). */
  readonly startFailures = new Set<string>();
  /** Fence operations done: [time, requester, target]. */
  readonly fences: { readonly atMs: number; readonly by: NodeId; readonly target: NodeId }[] = [];
  readonly disk = new SimSharedDisk('shared0');

  constructor(
    /** The Filesystem resources on `disk`. */
    readonly diskResources: ReadonlySet<string> = new Set(),
    /**
     * A broken agent for checking the checker: its stop reports success but leaves the disk
     * mounted, as `umount -l` leaves the filesystem alive in the kernel. Default false.
     */
    private readonly lazyUnmount = false,
  ) {}

  stateOf(node: NodeId, resource: string): AgentState {
    return this.agents.get(node)?.get(resource) ?? 'stopped';
  }

  setState(node: NodeId, resource: string, state: AgentState): void {
    if (this.off.has(node)) return;
    let m = this.agents.get(node);
    if (m === undefined) {
      m = new Map();
      this.agents.set(node, m);
    }
    if (state === 'stopped') m.delete(resource);
    else m.set(resource, state);
    if (this.diskResources.has(resource)) {
      if (state === 'stopped') {
        if (!this.lazyUnmount) this.disk.unmount(node);
      }
      else this.disk.mount(node);
    }
  }

  /** The powered nodes that have the shared disk mounted. */
  diskMountedOn(): NodeId[] {
    return this.disk.mountedOn().filter((node) => !this.off.has(node));
  }

  /** Where a resource is active (started or promoted) on a powered node. */
  activeNodes(resource: string): NodeId[] {
    const out: NodeId[] = [];
    for (const [node, m] of this.agents) if (!this.off.has(node) && m.has(resource)) out.push(node);
    return out.sort((a, b) => a - b);
  }

  /** Every (node, resource) active now. */
  active(): { readonly node: NodeId; readonly resource: string; readonly state: AgentState }[] {
    const out: { node: NodeId; resource: string; state: AgentState }[] = [];
    for (const [node, m] of this.agents) if (!this.off.has(node)) for (const [resource, state] of m) out.push({ node, resource, state });
    return out;
  }

  isPowered(node: NodeId): boolean {
    return !this.off.has(node);
  }

  powerOff(node: NodeId): void {
    this.off.add(node);
    this.agents.delete(node);
    this.disk.unmount(node);
  }

  powerOn(node: NodeId): void {
    this.off.delete(node);
  }

  readDisk(node: NodeId): Cib | undefined {
    return this.disks.get(node);
  }

  writeDisk(node: NodeId, cib: Cib): void {
    this.disks.set(node, cib);
  }
}
