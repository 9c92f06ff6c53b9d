/**
 * "Switch over now": move every resource active on one node to its peer, in one change (a batch
 * of the `resource move` preferences, applied whole or refused whole). The source is the node the
 * resources run on; when they run on several, the operator says which to empty; the target is the
 * online peer (asked for when there are several). Clones run everywhere and do not move. Pure.
 */
import { buildResourceMove } from '../ha/admin/index.js';
import type { CibChange, Configuration } from '../ha/cib/index.js';
import type { ClusterStatusReport } from '../daemon/index.js';
import { activeNodesOf, managedResources } from './screens/cluster-screens.js';

export type SwitchoverStep =
  | { readonly kind: 'plan'; readonly from: string; readonly to: string; readonly resources: readonly string[]; readonly change: CibChange }
  | { readonly kind: 'choose-from'; readonly nodes: readonly string[] }
  | { readonly kind: 'choose-to'; readonly from: string; readonly nodes: readonly string[] }
  | { readonly kind: 'impossible'; readonly reason: string };

export function planSwitchover(report: ClusterStatusReport, configuration: Configuration, chosen: { readonly from?: string; readonly to?: string } = {}): SwitchoverStep {
  const movable = managedResources(configuration).filter((r) => r.kind !== 'clone');
  const activeOn = new Map(movable.map((r) => [r.id, activeNodesOf(r, report)]));
  const sources = [...new Set([...activeOn.values()].flat())].sort();
  if (sources.length === 0) return { kind: 'impossible', reason: movable.length === 0 ? 'No resource is configured that could move.' : 'No resource runs anywhere now: there is nothing to switch over.' };
  const from = chosen.from ?? (sources.length === 1 ? sources[0] : undefined);
  if (from === undefined) return { kind: 'choose-from', nodes: sources };
  const online = report.nodes.filter((n) => n.name !== from && n.state === 'online').map((n) => n.name);
  if (online.length === 0) {
    const others = report.nodes.filter((n) => n.name !== from).map((n) => `${n.name} is ${n.state}`);
    return { kind: 'impossible', reason: `No peer of ${from} is online to take its resources (${others.join(', ') || 'it has no peer'}).` };
  }
  const to = chosen.to ?? (online.length === 1 ? online[0] : undefined);
  if (to === undefined) return { kind: 'choose-to', from, nodes: online };
  if (!online.includes(to)) return { kind: 'impossible', reason: `${to} is not an online peer of ${from}.` };
  const resources = movable.filter((r) => activeOn.get(r.id)?.includes(from) === true).map((r) => r.id);
  if (resources.length === 0) return { kind: 'impossible', reason: `Nothing runs on ${from}: there is nothing to switch over.` };
  const moves = resources.map((id) => buildResourceMove(id, to));
  return { kind: 'plan', from, to, resources, change: moves.length === 1 ? (moves[0] as CibChange) : { op: 'batch', changes: moves } };
}

/** Whether the report shows every resource of a switch-over started on `to` alone. */
export function switchoverDone(report: ClusterStatusReport, configuration: Configuration, resources: readonly string[], to: string): boolean {
  const movable = managedResources(configuration).filter((r) => resources.includes(r.id));
  return movable.every((r) => {
    const rows = report.resources.filter((row) => r.instances.includes(row.id));
    return rows.length > 0 && rows.every((row) => row.state === 'started' && row.active.length === 1 && row.active[0]?.node === to);
  });
}
