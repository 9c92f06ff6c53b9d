/**
 * A shared disk under simulation: which nodes' kernels have it mounted, the truth MountWatch
 * reads from /proc in the real storage tests. The simulated LRM mounts it when a Filesystem
 * resource starts and unmounts it when one stops; a crashed or frozen daemon leaves it mounted (the
 * kernel keeps the mount, as after a real daemon crash); a power off takes the mount away. No
 * multi-mount protection is modelled: the disk takes a second mount, so that only the cluster
 * (membership, quorum, fencing, ordering) keeps it single and the checker judges the cluster alone.
 */
import type { NodeId } from '../../lib/index.js';

export class SimSharedDisk {
  private readonly mounted = new Set<NodeId>();
  /** How many mounts happened in the run (a run with none proved nothing about double mounts). */
  mounts = 0;

  constructor(
    /** The disk's name, for messages. */
    readonly name: string,
  ) {}

  mount(node: NodeId): void {
    if (!this.mounted.has(node)) this.mounts += 1;
    this.mounted.add(node);
  }

  unmount(node: NodeId): void {
    this.mounted.delete(node);
  }

  isMountedOn(node: NodeId): boolean {
    return this.mounted.has(node);
  }

  /** The nodes with the disk mounted, in order. */
  mountedOn(): NodeId[] {
    return [...this.mounted].sort((a, b) => a - b);
  }
}
