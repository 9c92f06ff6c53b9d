/**
 * The `requires` meta attribute (Pacemaker's unpack_requires): what a resource's start and promote
 * need before they may run. Stops, demotes and monitors need nothing.
 *
 * - `nothing`: may start anywhere, even without quorum.
 * - `quorum`: starts need quorum (no-quorum-policy decides what happens without it).
 * - `fencing`: quorum, and starts wait for every fencing in the transition.
 * - `unfencing`: as fencing (the node must also be unfenced; that action is not modelled).
 *
 * Defaults: fence devices require quorum; with fencing enabled everything else requires fencing;
 * with no-quorum-policy=ignore it requires nothing; otherwise quorum. A fence device cannot
 * require unfencing, nor can anything without fencing: both fall back to quorum. An unknown value
 * falls back to the default.
 */
import type { Instance } from './model.js';
import type { ClusterOptions } from './unpack.js';

export type Requirement = 'nothing' | 'quorum' | 'fencing' | 'unfencing';

export function requirementOf(inst: Instance, cluster: ClusterOptions): Requirement {
  const fenceDevice = inst.primitive.class === 'stonith';
  const value = (inst.meta.get('requires') ?? '').trim().toLowerCase();
  switch (value) {
    case 'nothing':
    case 'quorum':
    case 'fencing':
      return value;
    case 'unfencing':
      return fenceDevice || !cluster.stonithEnabled ? 'quorum' : 'unfencing';
    default:
      if (fenceDevice) return 'quorum';
      if (cluster.stonithEnabled) return 'fencing';
      return cluster.noQuorumPolicy === 'ignore' ? 'nothing' : 'quorum';
  }
}

/** Whether the instance's start and promote are subject to quorum (no-quorum-policy). */
export function needsQuorum(inst: Instance, cluster: ClusterOptions): boolean {
  return requirementOf(inst, cluster) !== 'nothing';
}

/** Whether the instance's start waits for every fencing action of the transition. */
export function needsFencing(inst: Instance, cluster: ClusterOptions): boolean {
  const r = requirementOf(inst, cluster);
  return r === 'fencing' || r === 'unfencing';
}
