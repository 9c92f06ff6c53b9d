/**
 * ServiceStateTracker: turns snapshots of where resources run (the `status` view of the CIB and
 * the membership view) into the changes of each resource's service state that the event log
 * keeps and the availability report reads (availability-report.ts has the definitions).
 *
 * A resource is `up` when an instance of it is active, not failed, on a node that is a member of
 * the view: a resource on a node that was just lost is down from the moment of the loss, not from
 * when fencing cleared its record. Clone instances (`id:N`) count for their clone: up while one
 * runs. Pure: snapshots in, changes out.
 */
import type { ServiceState, ServiceStateChange } from './availability-report.js';

/** A resource as the status report shows it (the fields the tracker reads). */
export interface ResourceSnapshot {
  /** The resource id, with `:N` for a clone instance. */
  readonly id: string;
  readonly targetRole: string | null;
  readonly managed: boolean;
  readonly active: readonly { readonly node: string; readonly failed: boolean }[];
}

/** The service state of every resource of one snapshot, by resource id (clone instances merged). */
export function serviceStates(resources: readonly ResourceSnapshot[], members: ReadonlySet<string>): Map<string, ServiceState> {
  const states = new Map<string, ServiceState>();
  for (const r of resources) {
    const id = r.id.replace(/:\d+$/, '');
    const state: ServiceState = r.targetRole?.toLowerCase() === 'stopped' || !r.managed ? 'excluded' : r.active.some((a) => !a.failed && members.has(a.node)) ? 'up' : 'down';
    const before = states.get(id);
    // A clone is up while one instance is; excluded only when every instance is.
    if (before === undefined || state === 'up' || (before === 'excluded' && state === 'down')) states.set(id, state);
  }
  return states;
}

export class ServiceStateTracker {
  private readonly last = new Map<string, ServiceState>();

  /**
   * The changes since the previous snapshot, stamped `atMs`. The first snapshot reports every
   * resource's state; a resource gone from the configuration becomes `excluded`.
   */
  observe(atMs: number, states: ReadonlyMap<string, ServiceState>): ServiceStateChange[] {
    const changes: ServiceStateChange[] = [];
    for (const [resource, state] of states) {
      if (this.last.get(resource) === state) continue;
      this.last.set(resource, state);
      changes.push({ atMs, resource, state });
    }
    for (const [resource, state] of this.last) {
      if (states.has(resource)) continue;
      this.last.delete(resource);
      if (state !== 'excluded') changes.push({ atMs, resource, state: 'excluded' });
    }
    return changes;
  }
}
