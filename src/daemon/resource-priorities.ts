/**
 * The total resource priority per node, for the fence-race priority delay (Pacemaker's
 * priority-fencing-delay): the sum of the `priority` meta attribute of every resource instance
 * active on the node, where a group member or clone child without its own priority takes its
 * parent's (meta attributes are inherited). Where each instance is active comes from the policy
 * engine's own current-state decisions, as in `status`, so both nodes of a split compute the same
 * numbers from the same CIB.
 */
import { resolveNvSets, type Cib, type NvSet, type Resource } from '../ha/cib/index.js';
import { schedule } from '../ha/policy/index.js';

/** Every node of `nodes` gets an entry (0 when it runs nothing with a priority): the planner compares them all. */
export function resourcePriorityPerNode(cib: Cib, nodes: readonly string[], nowSeconds: number): Record<string, number> {
  const priorityOf = new Map<string, number>();
  for (const resource of cib.configuration.resources) collectPriorities(resource, undefined, priorityOf);
  const totals: Record<string, number> = Object.fromEntries(nodes.map((node) => [node, 0]));
  for (const decision of schedule(cib, { now: nowSeconds, recordScores: false }).decisions) {
    const priority = priorityOf.get(decision.resource.replace(/:\d+$/, '')) ?? 0;
    if (priority === 0) continue;
    for (const current of decision.current) {
      if (current.role === 'Stopped') continue;
      totals[current.node] = (totals[current.node] ?? 0) + priority;
    }
  }
  return totals;
}

function collectPriorities(resource: Resource, inherited: number | undefined, out: Map<string, number>): void {
  switch (resource.kind) {
    case 'primitive':
      out.set(resource.id, ownPriority(resource.metaAttributes) ?? inherited ?? 0);
      return;
    case 'group': {
      const own = ownPriority(resource.metaAttributes) ?? inherited;
      for (const member of resource.members) collectPriorities(member, own, out);
      return;
    }
    case 'clone':
      collectPriorities(resource.child, ownPriority(resource.metaAttributes) ?? inherited, out);
      return;
    case 'unsupported':
      return;
  }
}

function ownPriority(sets: readonly NvSet[]): number | undefined {
  const value = resolveNvSets(sets).get('priority');
  if (value === undefined) return undefined;
  const parsed = Number.parseInt(value, 10);
  return Number.isFinite(parsed) ? parsed : undefined;
}
