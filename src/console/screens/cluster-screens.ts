/**
 * The lists of the operator's actions, built from the status report and the configuration: nodes
 * (standby/online), resources (move, stop, start, clear), failures (clean up), and the peers a
 * fence may target. Pure: each turns data into list items and plans.
 */
import type { Configuration, Resource } from '../../ha/cib/index.js';
import type { ClusterStatusReport } from '../../daemon/index.js';
import type { Style } from '../terminal-style.js';
import type { ActionPlan } from './action-screens.js';
import { nodeStateWord, resourcePlacement } from './status-screen.js';

type StatusNode = ClusterStatusReport['nodes'][number];

export function nodeItems(report: ClusterStatusReport, style: Style): string[] {
  return report.nodes.map((n) => `${n.name.padEnd(16)} ${nodeStateWord(n.state, style)}${n.standby && n.state !== 'standby' ? ' (standby set)' : ''}${n.name === report.self.name ? ' (this node)' : ''}`);
}

/** Standby for a node that is not in standby, online for one that is. */
export function nodeStandbyPlan(node: StatusNode, report: ClusterStatusReport): { readonly standby: boolean; readonly plan: ActionPlan } {
  if (node.standby) {
    return { standby: false, plan: { title: `node ${node.name} online`, effects: [`Take node ${node.name} out of standby: the cluster may place resources on it again.`, 'Resources move back only where constraints or stickiness say so.'], command: `heartline node online ${node.name}` } };
  }
  const running = report.resources.filter((r) => r.active.some((a) => a.node === node.name)).map((r) => r.id);
  return {
    standby: true,
    plan: {
      title: `node ${node.name} standby`,
      effects: [
        `Put node ${node.name} in standby: the cluster stops or moves every resource running there and places none there until it is online again.`,
        running.length === 0 ? `Nothing runs on ${node.name} now.` : `Runs there now: ${running.join(', ')}.`,
        'The node stays a member of the cluster; standby lasts across restarts.',
      ],
      command: `heartline node standby ${node.name}`,
    },
  };
}

/** A resource the operator can move, stop or start: a top-level primitive, group or clone. */
export interface ManagedResource {
  readonly id: string;
  readonly kind: Resource['kind'];
  /** The ids the status report lists for it (its primitives, or clone instances). */
  readonly instances: readonly string[];
}

export function managedResources(configuration: Configuration): ManagedResource[] {
  return configuration.resources.flatMap((r): ManagedResource[] => {
    if (r.kind === 'primitive') return [{ id: r.id, kind: r.kind, instances: [r.id] }];
    if (r.kind === 'group') return [{ id: r.id, kind: r.kind, instances: r.members.map((m) => m.id) }];
    if (r.kind === 'clone') return [{ id: r.id, kind: r.kind, instances: r.child.kind === 'primitive' ? [r.child.id] : r.child.members.map((m) => m.id) }];
    return [];
  });
}

/** The status rows of a managed resource (clone instances `id:N` included). */
export function statusRowsOf(resource: ManagedResource, report: ClusterStatusReport): ClusterStatusReport['resources'][number][] {
  return report.resources.filter((row) => resource.instances.includes(row.id.replace(/:\d+$/, '')));
}

/** The nodes a resource is active on, as the status says. */
export function activeNodesOf(resource: ManagedResource, report: ClusterStatusReport): string[] {
  return [...new Set(statusRowsOf(resource, report).flatMap((row) => row.active.map((a) => a.node)))];
}

export function resourceItems(resources: readonly ManagedResource[], report: ClusterStatusReport, style: Style): string[] {
  return resources.map((r) => {
    const rows = statusRowsOf(r, report);
    const where = rows.length === 1 ? resourcePlacement(rows[0] as ClusterStatusReport['resources'][number], style) : activeNodesOf(r, report).length === 0 ? style.warn('Stopped') : `on ${activeNodesOf(r, report).join(', ')}`;
    return `${r.id.padEnd(16)} ${r.kind === 'primitive' ? '' : `(${r.kind}) `}${where}`;
  });
}

export type ResourceAction = 'move' | 'stop' | 'start' | 'clear';

export function resourceActionPlan(action: ResourceAction, resource: ManagedResource, report: ClusterStatusReport, node?: string): ActionPlan {
  const where = activeNodesOf(resource, report);
  const now = where.length === 0 ? `${resource.id} runs nowhere now.` : `${resource.id} runs on ${where.join(', ')} now.`;
  switch (action) {
    case 'move':
      return {
        title: `move ${resource.id} to ${node ?? '?'}`,
        effects: [now, `Make ${resource.id} run on ${node ?? '?'} (a location preference for ${node ?? '?'}; the cluster stops it where it runs and starts it there).`, `It keeps preferring ${node ?? '?'} until the move is cleared (menu 3, "clear moves").`],
        command: `heartline resource move ${resource.id} ${node ?? '?'}`,
      };
    case 'stop':
      return { title: `stop ${resource.id}`, effects: [now, `Stop ${resource.id} everywhere and keep it stopped (target-role Stopped) until it is started again. Resources that depend on it stop too.`], command: `heartline resource disable ${resource.id}` };
    case 'start':
      return { title: `start ${resource.id}`, effects: [now, `Let the cluster start ${resource.id} where it can (target-role Started).`], command: `heartline resource enable ${resource.id}` };
    case 'clear':
      return { title: `clear moves of ${resource.id}`, effects: [now, `Remove the location preferences earlier moves and bans of ${resource.id} wrote, so the cluster places it by its other constraints again. It may stay where it is.`], command: `heartline resource clear ${resource.id}` };
  }
}

/** One line per resource and node with failures (failed operations and fail counts together). */
export interface FailureEntry {
  readonly resource: string;
  readonly node: string;
  readonly what: readonly string[];
}

export function failureEntries(report: ClusterStatusReport): FailureEntry[] {
  const entries = new Map<string, { resource: string; node: string; what: string[] }>();
  const entry = (resource: string, node: string): { what: string[] } => {
    const key = `${resource}\u0000${node}`;
    let found = entries.get(key);
    if (found === undefined) {
      found = { resource, node, what: [] };
      entries.set(key, found);
    }
    return found;
  };
  for (const f of report.failures.failedOperations) entry(f.resource, f.node).what.push(`${f.operation} rc ${f.rc}${f.exitReason === null ? '' : ` '${f.exitReason}'`}`);
  for (const f of report.failures.failCounts) entry(f.resource, f.node).what.push(`${f.operation} fail-count ${f.count}`);
  return [...entries.values()];
}

export function failureItems(entries: readonly FailureEntry[]): string[] {
  return entries.map((e) => `${e.resource} on ${e.node}: ${e.what.join(', ')}`);
}

export function cleanupPlan(entries: readonly FailureEntry[]): ActionPlan {
  const one = entries.length === 1 ? entries[0] : undefined;
  return {
    title: one === undefined ? `clear all failures (${entries.length})` : `clear failures of ${one.resource} on ${one.node}`,
    effects: [
      ...entries.map((e) => `Forget the failures of ${e.resource} on ${e.node} (${e.what.join(', ')}).`),
      'The cluster probes the resource again and may start it where failures had kept it away.',
    ],
    ...(one === undefined ? {} : { command: `heartline resource cleanup ${one.resource} --node ${one.node}` }),
  };
}

/** The nodes other than this one: whom this node may fence. */
export function peersOf(report: ClusterStatusReport): StatusNode[] {
  return report.nodes.filter((n) => n.name !== report.self.name);
}

export function fencePlanLines(peer: StatusNode, report: ClusterStatusReport): string[] {
  const running = report.resources.filter((r) => r.active.some((a) => a.node === peer.name)).map((r) => r.id);
  return [
    `Fence ${peer.name}: cut its power off through this node's fencing (${report.fencing.configured ? (report.fencing.method ?? 'configured') : 'NOT CONFIGURED: the daemon will refuse'}).`,
    `${peer.name} is ${peer.state} now${running.length === 0 ? '' : `; it runs ${running.join(', ')}, which the cluster then starts elsewhere`}.`,
    `It stays off until someone powers it on. Same as: heartline fence ${peer.name} --yes`,
    '',
    `To go ahead, type the node's name (${peer.name}). Anything else cancels.`,
  ];
}
