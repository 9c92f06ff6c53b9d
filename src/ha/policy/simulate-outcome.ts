/**
 * The outcome of a transition in which every action succeeds, written into the CIB the way
 * `crm_simulate -S` does it: fenced nodes go down cleanly (their operation history and transient
 * attributes are erased, as the controller does after fencing), and each resource action is
 * recorded through recordOperation as a success. The property tests use it to check that the
 * engine is idempotent (schedule, apply the outcome, schedule again: nothing left to do), and the
 * simulator and `heartline simulate` can use it to step a cluster forward without agents.
 *
 * Pure: "now" and the transition number come in as arguments; the input snapshot is not modified.
 */
import { assert, millis } from '../../lib/index.js';
import { deepFreeze, listPrimitives, recordOperation, resolveNvSets, type Cib, type NodeState, type Primitive } from '../cib/index.js';
import type { GraphAction, PolicyResult, TransitionGraph } from './types.js';

/** Options of applyTransitionOutcome. */
export interface TransitionOutcomeOptions {
  /** "Now" in seconds since the Unix epoch, written as each record's last-rc-change. */
  readonly now: number;
  /** The transition number written into the records' transition keys; absent = 0. */
  readonly transitionId?: number;
  /** The DC's transition engine UUID for the transition keys; absent = all zeros. */
  readonly uuid?: string;
}

/**
 * The graph's actions in an order that respects every edge (Kahn's algorithm; among the actions
 * ready at one time, by id, so the order is deterministic). Throws when the graph has a cycle,
 * which is a bug of the engine that built it.
 */
export function topologicalActions(graph: TransitionGraph): GraphAction[] {
  const byId = new Map(graph.actions.map((a) => [a.id, a]));
  const waitingFor = new Map(graph.actions.map((a) => [a.id, 0]));
  const after = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (!byId.has(e.before) || !byId.has(e.after)) continue;
    waitingFor.set(e.after, (waitingFor.get(e.after) ?? 0) + 1);
    after.set(e.before, [...(after.get(e.before) ?? []), e.after]);
  }
  const ready = graph.actions.filter((a) => waitingFor.get(a.id) === 0).map((a) => a.id);
  const out: GraphAction[] = [];
  while (ready.length > 0) {
    ready.sort();
    const id = ready.shift() as string;
    out.push(byId.get(id) as GraphAction);
    for (const next of after.get(id) ?? []) {
      const left = (waitingFor.get(next) ?? 0) - 1;
      waitingFor.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  const stuck = graph.actions.filter((a) => (waitingFor.get(a.id) ?? 0) > 0).map((a) => a.id);
  assert(stuck.length === 0, `transition graph has a cycle through: ${stuck.join(', ')}`);
  return out;
}

/** How a resource's configuration is found for an action's resource (instance) id. */
interface ResourceInfo {
  readonly primitive?: Primitive;
  /** An instance of an anonymous clone: nodes record it under the primitive id. */
  readonly anonymous: boolean;
}

function resourceInfo(cib: Cib, instanceId: string): ResourceInfo {
  const all = listPrimitives(cib.configuration.resources);
  const exact = all.find((p) => p.primitive.id === instanceId);
  const entry = exact ?? all.find((p) => p.primitive.id === instanceId.replace(/:\d+$/, ''));
  if (entry === undefined) return { anonymous: false };
  if (entry.clone === undefined) return { primitive: entry.primitive, anonymous: false };
  const unique = resolveNvSets(entry.clone.metaAttributes).get('globally-unique') ?? resolveNvSets(cib.configuration.rscDefaults ?? []).get('globally-unique');
  const isUnique = ['true', 'on', 'yes', 'y', '1'].includes((unique ?? 'false').trim().toLowerCase());
  return { primitive: entry.primitive, anonymous: !isUnique };
}

/**
 * The lrm_resource id under which `node` records `instanceId`: the instance id when the node
 * already knows it by that name; for an anonymous clone instance, the entry the node already has
 * for the primitive (`rsc`, or `rsc:N` in CIBs written before Pacemaker 1.1.?), else the primitive
 * id, as Pacemaker's controller records anonymous instances.
 */
function lrmIdOn(cib: Cib, node: string, instanceId: string, info: ResourceInfo): string {
  const state = cib.status.nodes.find((s) => s.uname === node);
  const known = state?.lrm?.resources.map((r) => r.id) ?? [];
  if (known.includes(instanceId)) return instanceId;
  if (!info.anonymous || info.primitive === undefined) return instanceId;
  const base = info.primitive.id;
  if (known.includes(base)) return base;
  return known.find((id) => id.startsWith(`${base}:`) && /^\d+$/.test(id.slice(base.length + 1))) ?? base;
}

/** The rc a successful action returns: 8 for a monitor defined for the Promoted role, 7 for a probe, else 0. */
function successRc(action: GraphAction, primitive: Primitive | undefined): number {
  if (action.kind === 'probe') return 7;
  if (action.kind !== 'monitor') return 0;
  const op = primitive?.operations?.ops.find((o) => o.name === 'monitor' && o.interval === action.interval);
  return op?.role === 'Promoted' ? 8 : 0;
}

/** The node after fencing: down and clean, without history or transient attributes (crm_simulate's fencing injection). */
function fencedNode(state: NodeState): NodeState {
  const { lrm: _lrm, transientAttributes: _attributes, ...rest } = state;
  return { ...rest, inCcm: false, crmd: 'offline', join: 'down', expected: 'down' };
}

/**
 * Applies `result.graph` to `cib` as if every runnable action succeeded, in an order that respects the
 * graph's edges, and returns the new snapshot: `fence` takes the node down cleanly; `start`,
 * `stop`, `promote`, `demote`, `monitor` and `probe` are recorded with recordOperation (call ids
 * counting up per node, expected rc = actual rc); `pseudo` actions change nothing. Each change
 * bumps num_updates. `result` must come from schedule(cib, ...) for this same `cib`; a graph with
 * a cycle throws (see topologicalActions). Pure.
 */
export function applyTransitionOutcome(cib: Cib, result: Pick<PolicyResult, 'graph'>, options: TransitionOutcomeOptions): Cib {
  let current = cib;
  const transitionId = options.transitionId ?? 0;
  const uuid = options.uuid ?? '00000000-0000-0000-0000-000000000000';
  topologicalActions(result.graph).forEach((action, actionId) => {
    // An unrunnable action (a blocked stop, what requires it) is never started by the executor.
    if (action.node === undefined || !action.runnable) return;
    const node = action.node;
    if (action.kind === 'pseudo') return;
    if (action.kind === 'fence') {
      const nodes = current.status.nodes.map((s) => (s.uname === node ? fencedNode(s) : s));
      current = deepFreeze({ ...current, version: { ...current.version, numUpdates: current.version.numUpdates + 1 }, status: { ...current.status, nodes } });
      return;
    }
    if (action.resource === undefined) return;
    const info = resourceInfo(current, action.resource);
    const rc = successRc(action, info.primitive);
    current = recordOperation(current, {
      node,
      resource: lrmIdOn(current, node, action.resource, info),
      operation: action.kind === 'probe' ? 'monitor' : action.kind,
      interval: millis(action.interval),
      rcCode: rc,
      expectedRc: rc,
      now: options.now,
      transition: { actionId, transitionId, uuid },
    });
  });
  return current;
}
