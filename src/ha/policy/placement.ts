/**
 * Phases "apply location constraints", "stickiness", "colocation", "allocation" and "promotion":
 * node weights per allocation unit, then Pacemaker's assignment order (priority, then document
 * order, primaries of colocations before their dependents), clone instance distribution and the
 * choice of promoted instances.
 */
import { addScores, clampScore, parseScore, SCORE_INFINITY, type Cib, type Role } from '../cib/index.js';
import { colocationsWithDependent, colocationsWithPrimary, locationRole, locationsFor, type ColocationPair } from './constraints.js';
import { metaInt, stickinessOf, withoutInstanceNumber, type CloneSet, type Instance, type ResourceModel, type Unit } from './model.js';
import { canHostResources, ruleMatches, type ClusterOptions, type PolicyNode } from './unpack.js';
import type { AllocationScore } from './types.js';

type Weights = Map<string, number>;

export interface PlacementContext {
  readonly cib: Cib;
  readonly model: ResourceModel;
  readonly nodes: readonly PolicyNode[];
  readonly options: ClusterOptions;
  readonly colocations: readonly ColocationPair[];
  readonly scores: AllocationScore[];
  /** False: scores are not kept (nobody will print them). */
  readonly recordScores?: boolean;
  /** Whether the cluster may start resources (quorum, stop-all-resources). */
  readonly canStart: boolean;
  /** no-quorum-policy=freeze: resources stay where they are. */
  readonly frozen: boolean;
}

/** The ids a unit answers to in constraints: its own, its members', its clone's. */
function idsOfUnit(unit: Unit): string[] {
  const ids = [unit.clone === undefined ? unit.id : unit.id.replace(/:\d+$/, '')];
  for (const m of unit.members) ids.push(m.primitive.id);
  if (unit.clone !== undefined) ids.push(unit.clone.id);
  return ids;
}

/**
 * Location constraints (not role-specific) and rules, on top of the symmetric/opt-in base; with
 * `onlyNode`, the weight on that node alone (the other nodes are left out).
 */
export function locationWeights(ctx: PlacementContext, ids: readonly string[], promotion: boolean, onlyNode?: string): Weights {
  const w: Weights = new Map();
  const nodes = onlyNode === undefined ? ctx.nodes : ctx.nodes.filter((n) => n.uname === onlyNode);
  if (!promotion && ctx.options.symmetricCluster) for (const n of nodes) w.set(n.uname, 0);
  for (const c of locationsFor(ctx.cib, ids)) {
    const role = locationRole(c);
    const isRoleSpecific = (r: Role | undefined): boolean => r === 'Promoted' || r === 'Unpromoted';
    const placement = c.placement;
    if (placement.kind === 'node') {
      if (isRoleSpecific(role) !== promotion) continue;
      if (onlyNode !== undefined && placement.node !== onlyNode) continue;
      const node = ctx.nodes.find((n) => n.uname === placement.node);
      if (node === undefined) continue;
      const score = role === 'Unpromoted' ? -placement.score : placement.score;
      w.set(node.uname, addScores(w.get(node.uname) ?? 0, score));
      continue;
    }
    for (const node of nodes) {
      for (const rule of placement.rules) {
        // A role on the rule (or else on the constraint) limits it to the promotion phase.
        if (isRoleSpecific(rule.role ?? role) !== promotion) continue;
        if (!ruleMatches(rule, node.attributes)) continue;
        let score = rule.score ?? 0;
        if (rule.scoreAttribute !== undefined) score = parseScore(node.attributes.get(rule.scoreAttribute) ?? '') ?? 0;
        w.set(node.uname, addScores(w.get(node.uname) ?? 0, score));
      }
    }
  }
  return w;
}

/** A member's own location score on one node (undefined: none); locationWeights(ctx, [id], false, node).get(node). */
function ownLocationScore(ctx: PlacementContext, id: string, node: string): number | undefined {
  // Most members have no constraints of their own: then only the symmetric base counts.
  if (locationsFor(ctx.cib, [id]).length === 0) return ctx.options.symmetricCluster && ctx.nodes.some((n) => n.uname === node) ? 0 : undefined;
  return locationWeights(ctx, [id], false, node).get(node);
}

export function currentNode(inst: Instance): string | undefined {
  for (const [node, s] of inst.current) if (s.role !== 'Stopped') return node;
  return undefined;
}

function unitCurrentNode(unit: Unit): string | undefined {
  for (const m of unit.members) {
    const n = currentNode(m);
    if (n !== undefined) return n;
  }
  return undefined;
}

/** Base weights of a unit: locations, stickiness, bans. */
function baseWeights(ctx: PlacementContext, unit: Unit): Weights {
  const memberWeights = (m: Instance, ids: readonly string[]): Weights => {
    const w = locationWeights(ctx, ids, false);
    const cur = currentNode(m);
    if (cur !== undefined && m.managed && w.has(cur)) w.set(cur, addScores(w.get(cur) ?? 0, stickinessOf(m, ctx.options.defaultStickiness)));
    for (const banned of m.bannedNodes) if (w.has(banned) || ctx.options.symmetricCluster) w.set(banned, -SCORE_INFINITY);
    return w;
  };
  const [first, ...rest] = unit.members;
  if (first === undefined) return new Map();
  const ownIds = unit.kind === 'group' ? [unit.clone === undefined ? unit.id : unit.id.replace(/:\d+$/, ''), ...(unit.clone === undefined ? [] : [unit.clone.id])] : idsOfUnit(unit);
  const w = memberWeights(first, unit.kind === 'group' ? [...ownIds, first.primitive.id] : ownIds);
  // Later group members are colocated with the first: their weights merge in, unless they would
  // leave the group nowhere to run (then they are left out and stop on their own).
  for (const m of rest) {
    if (m.bannedNodes.size === 0 && locationsFor(ctx.cib, [m.primitive.id]).length === 0) {
      // No constraints of its own: its weights are 0 on every node (symmetric) or absent (opt-in),
      // plus its stickiness where it runs; adding 0 changes no score, so only that node can change.
      const cur = currentNode(m);
      if (!ctx.options.symmetricCluster || cur === undefined || !m.managed || !nodeNames(ctx).has(cur)) continue;
      const stickiness = stickinessOf(m, ctx.options.defaultStickiness);
      changeUnlessUnrunnable(ctx, w, (node, value) => (node === cur ? addScores(value, stickiness) : undefined));
      continue;
    }
    const mw = memberWeights(m, [m.primitive.id]);
    changeUnlessUnrunnable(ctx, w, (node, value) => {
      const d = mw.get(node);
      return d === undefined ? undefined : addScores(value, d);
    });
  }
  return w;
}

/** The names of the nodes that can host resources (fixed while resources are placed). */
const hostableCache = new WeakMap<PlacementContext, ReadonlySet<string>>();

function hostableNames(ctx: PlacementContext): ReadonlySet<string> {
  let names = hostableCache.get(ctx);
  if (names === undefined) {
    names = new Set(ctx.nodes.filter(canHostResources).map((n) => n.uname));
    hostableCache.set(ctx, names);
  }
  return names;
}

/** The names of all nodes (weights are kept for these only). */
const nodeNamesCache = new WeakMap<PlacementContext, ReadonlySet<string>>();

function nodeNames(ctx: PlacementContext): ReadonlySet<string> {
  let names = nodeNamesCache.get(ctx);
  if (names === undefined) {
    names = new Set(ctx.nodes.map((n) => n.uname));
    nodeNamesCache.set(ctx, names);
  }
  return names;
}

function isRunnable(ctx: PlacementContext, w: Weights): boolean {
  const hostable = hostableNames(ctx);
  for (const [n, v] of w) if (v >= 0 && hostable.has(n)) return true;
  return false;
}

/**
 * Replaces each weight by `changed(node, weight)` (undefined: unchanged), unless that would leave
 * nowhere to run where there was somewhere: then `w` stays as it is. Decides before changing
 * anything, so that no copy of `w` is needed (`changed` is called twice per node).
 */
function changeUnlessUnrunnable(ctx: PlacementContext, w: Weights, changed: (node: string, weight: number) => number | undefined): void {
  const hostable = hostableNames(ctx);
  let runnableAfter = false;
  for (const [node, weight] of w) {
    const v = changed(node, weight) ?? weight;
    if (v >= 0 && hostable.has(node)) {
      runnableAfter = true;
      break;
    }
  }
  if (!runnableAfter && isRunnable(ctx, w)) return;
  for (const [node, weight] of w) {
    const v = changed(node, weight);
    if (v !== undefined) w.set(node, v);
  }
}

function nodesOfTarget(ctx: PlacementContext, id: string, role: Role | undefined): string[] | undefined {
  const entry = ctx.model.byId.get(id);
  if (entry === undefined) return undefined;
  const out: string[] = [];
  for (const u of entry.units) {
    if (!u.allocated) continue;
    if (u.next === undefined) continue;
    // A failed instance left in place (on-fail=block) is no host for dependents.
    if (u.members.some((m) => m.blocked && [...m.current.values()].some((st) => st.failed))) continue;
    if (role === 'Promoted' && !u.members.some((m) => m.nextRole === 'Promoted')) continue;
    if (role === 'Unpromoted' && !u.members.some((m) => m.nextRole === 'Unpromoted')) continue;
    out.push(u.next);
  }
  return out;
}

function unitsOf(ctx: PlacementContext, id: string): { units: Unit[]; clone?: CloneSet } | undefined {
  return ctx.model.byId.get(id);
}

/** Allocate the primaries this resource is colocated with, then apply the colocations to `w`. */
function applyColocationsAsDependent(ctx: PlacementContext, ids: readonly string[], w: Weights, visiting: Set<string>): void {
  for (const c of colocationsWithDependent(ctx.colocations, ids)) {
    if (!ids.includes(c.dependent) || c.score === 0) continue;
    if (c.dependentRole === 'Promoted' || c.dependentRole === 'Unpromoted') continue;
    const primary = unitsOf(ctx, c.primary);
    if (primary === undefined) continue;
    if (primary.units.some((u) => ids.includes(u.id))) continue;
    // A role only means something on a promotable clone: a plain clone ignores it, and a primitive
    // never has that role, so the colocation has no influence.
    const roleApplies = c.primaryRole === undefined || primary.clone?.promotable === true;
    if (!roleApplies && primary.clone === undefined) continue;
    allocateTarget(ctx, c.primary, visiting);
    const nodes = nodesOfTarget(ctx, c.primary, roleApplies ? c.primaryRole : undefined) ?? [];
    const attribute = c.nodeAttribute ?? '#uname';
    const values = new Set(nodes.map((n) => ctx.nodes.find((x) => x.uname === n)?.attributes.get(attribute)).filter((v) => v !== undefined));
    for (const node of ctx.nodes) {
      const value = node.attributes.get(attribute);
      const has = value !== undefined && values.has(value);
      if (c.score >= SCORE_INFINITY) {
        if (!has) w.set(node.uname, -SCORE_INFINITY);
      } else if (c.score <= -SCORE_INFINITY) {
        if (has) w.set(node.uname, -SCORE_INFINITY);
      } else if (has && w.has(node.uname)) w.set(node.uname, addScores(w.get(node.uname) ?? 0, c.score));
    }
  }
}

/**
 * Pull the weights of unallocated dependents into the primary's (pcmk__add_colocated_node_scores),
 * scaled by score/INFINITY and recursively through their own dependents; a dependent whose
 * weights would leave the primary nowhere to run is rolled back.
 */
function mergeDependents(ctx: PlacementContext, ids: readonly string[], w: Weights, depth = 0, seen: Set<string> = new Set(ids)): void {
  if (depth > 4) return;
  for (const c of colocationsWithPrimary(ctx.colocations, ids)) {
    if (!ids.includes(c.primary) || c.score === 0 || c.dependentRole !== undefined || c.primaryRole !== undefined) continue;
    const dep = unitsOf(ctx, c.dependent);
    if (dep === undefined || dep.clone !== undefined) continue;
    const unit = dep.units[0];
    if (unit === undefined || unit.allocated || seen.has(unit.id)) continue;
    const depIds = idsOfUnit(unit);
    const dw = baseWeights(ctx, unit);
    mergeDependents(ctx, depIds, dw, depth + 1, new Set([...seen, ...depIds]));
    const factor = c.score / SCORE_INFINITY;
    changeUnlessUnrunnable(ctx, w, (node, value) => {
      const d = c.nodeAttribute === undefined ? dw.get(node) : bestWeightMatching(ctx, dw, c.nodeAttribute, node);
      if (d === undefined || (factor < 0 && d < 0)) return undefined;
      return addScores(value, clampScore(d * factor));
    });
  }
}

/**
 * With a node-attribute colocation, the dependent's preference for a primary node is its best
 * weight on any available node with the same attribute value (-INFINITY when there is none).
 */
function bestWeightMatching(ctx: PlacementContext, dw: Weights, attribute: string, node: string): number {
  const value = ctx.nodes.find((n) => n.uname === node)?.attributes.get(attribute);
  let best = -SCORE_INFINITY;
  if (value === undefined) return best;
  for (const n of ctx.nodes) {
    if (!canHostResources(n) || n.attributes.get(attribute) !== value) continue;
    const weight = dw.get(n.uname);
    if (weight !== undefined && weight > best) best = weight;
  }
  return best;
}

/** Picks the best node: weight, fewest assigned resources (or clone instances), the current node, then name. */
function chooseNode(ctx: PlacementContext, w: Weights, current: string | undefined, exclude?: (node: PolicyNode) => boolean): PolicyNode | undefined {
  // The first of the candidates sorted by the comparison below, found in one pass (this runs for every resource).
  let best: PolicyNode | undefined;
  let bestWeight = 0;
  for (const n of ctx.nodes) {
    const weight = w.get(n.uname) ?? -1;
    if (weight < 0 || !canHostResources(n) || (exclude !== undefined && exclude(n))) continue;
    if (best === undefined) {
      best = n;
      bestWeight = weight;
      continue;
    }
    const c = bestWeight - weight || n.assignedCount - best.assignedCount || Number(best.uname === current) - Number(n.uname === current) || (n.uname < best.uname ? -1 : n.uname > best.uname ? 1 : 0);
    if (c < 0) {
      best = n;
      bestWeight = weight;
    }
  }
  return best;
}

function recordScores(ctx: PlacementContext, id: string, w: Weights): void {
  if (ctx.recordScores === false) return;
  for (const n of ctx.nodes) {
    const v = canHostResources(n) ? (w.get(n.uname) ?? -SCORE_INFINITY) : -SCORE_INFINITY;
    ctx.scores.push({ resource: id, node: n.uname, score: v, kind: 'allocation' });
  }
}

/** Sets each member's next node and role for a unit placed on `node` (or nowhere). */
function assignUnit(ctx: PlacementContext, unit: Unit, node: PolicyNode | undefined): void {
  unit.allocated = true;
  let chainBroken = node === undefined;
  for (const m of unit.members) {
    if (!m.managed || m.blocked) {
      const cur = currentNode(m);
      if (cur !== undefined) {
        m.next = cur;
        m.nextRole = m.current.get(cur)?.role ?? 'Started';
        const host = ctx.nodes.find((n) => n.uname === cur);
        if (host !== undefined) host.assignedCount++;
      } else delete m.next;
      continue;
    }
    const ownScore = unit.members.length > 1 && node !== undefined ? ownLocationScore(ctx, m.primitive.id, node.uname) : undefined;
    if (!chainBroken && node !== undefined && (m.targetRole === 'Stopped' || m.bannedNodes.has(node.uname) || (ownScore !== undefined && ownScore < 0) || (!ctx.canStart && !isRunningOn(m, node.uname)))) chainBroken = true;
    if (chainBroken || node === undefined) {
      delete m.next;
      m.nextRole = 'Stopped';
      if (m.stopReason === undefined) m.stopReason = 'node availability';
      continue;
    }
    m.next = node.uname;
    m.nextRole = unit.clone?.promotable === true ? 'Unpromoted' : 'Started';
    node.assignedCount++;
  }
  const unitNode = unit.members.some((m) => m.next !== undefined) ? (node?.uname ?? unitCurrentNode(unit)) : undefined;
  if (unitNode === undefined) delete unit.next;
  else unit.next = unitNode;
}

function isRunningOn(inst: Instance, node: string): boolean {
  const s = inst.current.get(node);
  return s !== undefined && s.role !== 'Stopped';
}

/** Allocates one primitive or group outside a clone. */
function allocateUnit(ctx: PlacementContext, unit: Unit, visiting: Set<string>): void {
  if (unit.allocated || visiting.has(unit.id)) return;
  visiting.add(unit.id);
  const ids = idsOfUnit(unit);
  const w = baseWeights(ctx, unit);
  applyColocationsAsDependent(ctx, ids, w, visiting);
  mergeDependents(ctx, ids, w);
  const lead = unit.members[0];
  const unmanagedLead = lead !== undefined && (!lead.managed || lead.blocked);
  if (ctx.frozen || !ctx.canStart) {
    const cur = unitCurrentNode(unit);
    for (const n of ctx.nodes) if (n.uname !== cur) w.set(n.uname, -SCORE_INFINITY);
  }
  if (lead?.targetRole === 'Stopped' && unit.members.every((m) => m.targetRole === 'Stopped')) for (const n of ctx.nodes) w.set(n.uname, -SCORE_INFINITY);
  recordScores(ctx, unit.id, w);
  const node = unmanagedLead ? ctx.nodes.find((n) => n.uname === unitCurrentNode(unit)) : chooseNode(ctx, w, unitCurrentNode(unit));
  if (!ctx.canStart && !ctx.frozen && node !== undefined && ctx.options.noQuorumPolicy !== 'ignore') {
    assignUnit(ctx, unit, undefined);
  } else assignUnit(ctx, unit, node);
  visiting.delete(unit.id);
}

/** Allocates the instances of a clone: running instances stay where they are, the rest spread out. */
function allocateClone(ctx: PlacementContext, set: CloneSet, visiting: Set<string>): void {
  if (set.allocated || visiting.has(set.id)) return;
  visiting.add(set.id);
  const ids = [set.id, set.childId, ...(set.instances[0]?.members.map((m) => m.primitive.id) ?? [])];
  const w = locationWeights(ctx, ids, false);
  applyColocationsAsDependent(ctx, ids, w, visiting);
  if (ctx.frozen || !ctx.canStart) for (const n of ctx.nodes) if (!set.instances.some((u) => u.members.some((m) => isRunningOn(m, n.uname)))) w.set(n.uname, -SCORE_INFINITY);
  if (set.instances[0]?.members.every((m) => m.targetRole === 'Stopped')) for (const n of ctx.nodes) w.set(n.uname, -SCORE_INFINITY);
  // Anonymous instances are interchangeable: a ban of one (fail count, hard error) bans the clone.
  if (!set.unique) for (const u of set.instances) for (const b of u.members[0]?.bannedNodes ?? []) w.set(b, -SCORE_INFINITY);
  recordScores(ctx, set.id, w);
  const perNode = new Map<string, number>();
  let placed = 0;
  // Instance priority: the clone's priority, raised by promotion scores (promotable clones).
  const priority = new Map<Unit, number>();
  const instanceWeights = (unit: Unit): Weights => {
    const iw = new Map(w);
    unit.members.forEach((m, index) => {
      // Only a later member is rolled back (a clone of a primitive has one member).
      const before = index > 0 ? new Map(iw) : iw;
      const c = currentNode(m);
      if (c !== undefined && m.managed && iw.has(c)) iw.set(c, addScores(iw.get(c) ?? 0, stickinessOf(m, ctx.options.defaultStickiness)));
      for (const b of m.bannedNodes) iw.set(b, -SCORE_INFINITY);
      // Later members of a cloned group must not leave the instance nowhere to run.
      if (index > 0 && !isRunnable(ctx, iw) && isRunnable(ctx, before)) for (const [k, v] of before) iw.set(k, v);
    });
    let p = metaInt(set.meta, 'priority', 0);
    if (set.promotable) {
      for (const node of ctx.nodes) {
        if (!canHostResources(node) || !iw.has(node.uname)) continue;
        const score = allocationPromotionScore(set, unit, node, iw);
        if (score > 0) iw.set(node.uname, addScores(iw.get(node.uname) ?? 0, score));
        if (score > p) p = score;
      }
    }
    priority.set(unit, p);
    return iw;
  };
  const weights = new Map(set.instances.map((u) => [u, instanceWeights(u)]));
  const place = (unit: Unit, node: PolicyNode | undefined): void => {
    if (node !== undefined) {
      perNode.set(node.uname, (perNode.get(node.uname) ?? 0) + 1);
      placed++;
    }
    recordScores(ctx, unit.id, weights.get(unit) ?? w);
    assignUnit(ctx, unit, node);
  };
  const count = (n: PolicyNode): number => perNode.get(n.uname) ?? 0;
  const order = sortInstances(ctx, set, w, weights, priority);
  // Pass 1 (pcmk__assign_instances): active, healthy instances stay on their current node while it
  // holds fewer than the optimal share (clone-max / available nodes, at least 1) and is as good
  // as the best node.
  const available = ctx.nodes.filter((n) => canHostResources(n) && w.has(n.uname)).length;
  const optimal = Math.max(1, available === 0 ? 0 : Math.floor(set.max / available));
  for (const unit of order) {
    if (placed >= set.max) break;
    const cur = unitCurrentNode(unit);
    if (cur === undefined) continue;
    const node = ctx.nodes.find((n) => n.uname === cur);
    const lead = unit.members[0];
    if (lead !== undefined && (!lead.managed || lead.blocked)) {
      place(unit, node);
      continue;
    }
    if (node === undefined || !canHostResources(node) || count(node) >= optimal || count(node) >= set.nodeMax) continue;
    if (unit.members.some((m) => [...m.current.values()].some((st) => st.failed))) continue;
    const iw = weights.get(unit) ?? w;
    const here = iw.get(node.uname) ?? -1;
    const best = Math.max(...ctx.nodes.filter((n) => canHostResources(n) && count(n) < set.nodeMax).map((n) => iw.get(n.uname) ?? -SCORE_INFINITY));
    if (here >= 0 && here >= best) place(unit, node);
  }
  // Pass 2: the rest in the same order, each on its best node with room (clone-node-max); an
  // anonymous instance keeps its current node when that ties with the best positive score.
  for (const unit of order) {
    if (unit.allocated) continue;
    if (placed >= set.max) {
      place(unit, undefined);
      continue;
    }
    const iw = weights.get(unit) ?? w;
    const cur = unitCurrentNode(unit);
    let node = chooseNode(ctx, iw, cur, (n) => count(n) >= set.nodeMax);
    const curNode = ctx.nodes.find((n) => n.uname === cur);
    if (!set.unique && node !== undefined && curNode !== undefined && curNode !== node && canHostResources(curNode) && count(curNode) < set.nodeMax) {
      const best = iw.get(node.uname) ?? 0;
      if (best > 0 && (iw.get(curNode.uname) ?? -1) === best) node = curNode;
    }
    place(unit, node);
  }
  set.allocated = true;
  if (set.promotable) choosePromoted(ctx, set, w);
  visiting.delete(set.id);
}

/** The nodes where any member of the instance is active, in member order. */
function unitActiveNodes(unit: Unit): string[] {
  const out: string[] = [];
  for (const m of unit.members) for (const [n, st] of m.current) if (st.role !== 'Stopped' && !out.includes(n)) out.push(n);
  return out;
}

/**
 * Which history (lrm_resource ids) each node has for the members of promotable clones (the only
 * ones asked about), and those ids without a `:N` instance number.
 */
interface HistoryIds {
  readonly ids: Map<string, Set<string>>;
  readonly baseIds: Map<string, Set<string>>;
}

/** One per placement run: every promotable clone asks, and the status can hold a million entries. */
const historyIdsCache = new WeakMap<PlacementContext, HistoryIds>();

/** Which history each node has of promotable clones, to tell where their state is known (probed). */
function historyIdsByNode(ctx: PlacementContext): HistoryIds {
  const cached = historyIdsCache.get(ctx);
  if (cached !== undefined) return cached;
  const members = new Set<string>();
  for (const set of ctx.model.clones) if (set.promotable) for (const u of set.instances) for (const m of u.members) members.add(m.primitive.id);
  const ids = new Map<string, Set<string>>();
  const baseIds = new Map<string, Set<string>>();
  // The first node (in node order) whose id or name matches the node_state's.
  const byId = new Map<string, number>();
  const byName = new Map<string, number>();
  ctx.nodes.forEach((n, i) => {
    if (!byId.has(n.id)) byId.set(n.id, i);
    if (!byName.has(n.uname)) byName.set(n.uname, i);
  });
  for (const state of ctx.cib.status.nodes) {
    const i = Math.min((state.id === undefined ? undefined : byId.get(state.id)) ?? Infinity, (state.uname === undefined ? undefined : byName.get(state.uname)) ?? Infinity);
    const node = ctx.nodes[i];
    if (node === undefined || state.lrm === undefined) continue;
    const set = ids.get(node.uname) ?? new Set<string>();
    const bases = baseIds.get(node.uname) ?? new Set<string>();
    for (const r of state.lrm.resources) {
      const base = withoutInstanceNumber(r.id);
      if (!members.has(base)) continue;
      set.add(r.id);
      bases.add(base);
    }
    ids.set(node.uname, set);
    baseIds.set(node.uname, bases);
  }
  const out = { ids, baseIds };
  historyIdsCache.set(ctx, out);
  return out;
}

/**
 * Pacemaker's assignment order of clone instances (pcmk__cmp_instance): less multiply active
 * first, not active on a disallowed node, higher priority, active, current node usable, current
 * node allowed for the clone, not failed, then the instance number.
 */
function sortInstances(ctx: PlacementContext, set: CloneSet, w: Weights, weights: ReadonlyMap<Unit, Weights>, priority: ReadonlyMap<Unit, number>): Unit[] {
  const info = new Map(
    set.instances.map((u) => {
      const active = unitActiveNodes(u);
      let node: string | undefined = active[0];
      let allowed = true;
      if (node !== undefined && (weights.get(u)?.get(node) ?? -1) < 0) {
        node = undefined;
        allowed = false;
      }
      const failed = u.members.some((m) => [...m.current.values()].some((st) => st.failed));
      return [u, { count: active.length, node, allowed, failed }] as const;
    }),
  );
  const hostable = (n: string): boolean => ctx.nodes.some((x) => x.uname === n && canHostResources(x));
  const cmp = (a: Unit, b: Unit): number => {
    const x = info.get(a);
    const y = info.get(b);
    if (x === undefined || y === undefined) return 0;
    if (x.count > 0 && y.count > 0 && x.count !== y.count) return x.count - y.count;
    if (x.allowed !== y.allowed) return x.allowed ? -1 : 1;
    const px = priority.get(a) ?? 0;
    const py = priority.get(b) ?? 0;
    if (px !== py) return py - px;
    if (x.node === undefined || y.node === undefined) {
      if (x.node === undefined && y.node === undefined) return 0;
      return x.node === undefined ? 1 : -1;
    }
    if (hostable(x.node) !== hostable(y.node)) return hostable(x.node) ? -1 : 1;
    if (w.has(x.node) !== w.has(y.node)) return w.has(x.node) ? -1 : 1;
    if (!w.has(x.node)) return 0;
    if (x.failed !== y.failed) return x.failed ? 1 : -1;
    return (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0);
  };
  // Array.prototype.sort is stable, as g_list_sort is.
  return [...set.instances].sort(cmp);
}

/** Each instance's member of a clone for one primitive, in instance order (asked per instance and node). */
const peersCache = new WeakMap<CloneSet, Map<string, Instance[]>>();

function peersOf(set: CloneSet, primitiveId: string): readonly Instance[] {
  let byPrimitive = peersCache.get(set);
  if (byPrimitive === undefined) {
    byPrimitive = new Map();
    peersCache.set(set, byPrimitive);
  }
  let peers = byPrimitive.get(primitiveId);
  if (peers === undefined) {
    peers = set.instances.map((u) => u.members.find((x) => x.primitive.id === primitiveId)).filter((x): x is Instance => x !== undefined);
    byPrimitive.set(primitiveId, peers);
  }
  return peers;
}

/**
 * The promotion score that feeds a promotable clone instance's allocation (Pacemaker's
 * promotion_score during assignment): `master-<instance>` (or, for anonymous clones,
 * `master-<resource>`) on the node, summed over a cloned group's members. For anonymous clones
 * it counts only for the instance active on the node, or on a node where no instance is active
 * but one was probed; otherwise only where the instance is known, or everywhere when it is known
 * nowhere yet.
 */
function allocationPromotionScore(set: CloneSet, unit: Unit, node: PolicyNode, iw: Weights): number {
  let total = 0;
  for (const m of unit.members) {
    if ((iw.get(node.uname) ?? -1) < 0) continue;
    const here = (i: Instance): boolean => {
      const st = i.current.get(node.uname);
      return st !== undefined && st.role !== 'Stopped';
    };
    const peers = peersOf(set, m.primitive.id);
    let applies: boolean | undefined;
    if (!set.unique) {
      const active = peers.find(here);
      if (active === m) applies = true;
      else if (active === undefined && peers.some((p) => p.knownOn.has(node.uname))) applies = true;
    }
    if (applies === undefined) {
      const known = m.knownOn.size > 0 || [...m.current.values()].some((st) => st.role !== 'Stopped');
      applies = !known || m.knownOn.has(node.uname) || here(m);
    }
    if (!applies) continue;
    const attr = node.attributes.get(`master-${m.id}`) ?? (set.unique ? undefined : node.attributes.get(`master-${m.primitive.id}`));
    if (attr !== undefined) total = addScores(total, parseScore(attr) ?? 0);
  }
  return total;
}

/**
 * An instance's promotion score on a node (Pacemaker's promotion_score): the `master-<name>`
 * attribute under the name the history knows the instance by, summed over a cloned group's
 * members; `fallback` when absent or when the node's score does not count (the instance's state
 * there is unknown while it is known elsewhere).
 */
function promotionScore(set: CloneSet, unit: Unit, node: PolicyNode, fallback: number, history: HistoryIds): number {
  let score = fallback;
  for (const m of unit.members) {
    const c = memberPromotionScore(set, m, node, fallback, history);
    score = score === fallback ? c : addScores(score, c);
  }
  return score;
}

function memberPromotionScore(set: CloneSet, m: Instance, node: PolicyNode, fallback: number, history: HistoryIds): number {
  const here = history.ids.get(node.uname) ?? new Set<string>();
  const knownHere = (id: string): boolean => here.has(id) || (!set.unique && history.baseIds.get(node.uname)?.has(id) === true);
  const activeHere = (i: Instance): boolean => (i.current.get(node.uname)?.role ?? 'Stopped') !== 'Stopped';
  const siblings = set.instances.flatMap((u) => u.members.filter((x) => x.primitive.id === m.primitive.id));
  let applies: boolean;
  if (!set.unique && activeHere(m)) applies = true;
  else if (!set.unique && !siblings.some(activeHere) && knownHere(m.primitive.id)) applies = true;
  else {
    const knownAnywhere = m.current.size > 0 || [...history.ids.values()].some((ids) => ids.has(m.id) || (m.historyId !== undefined && ids.has(m.historyId)));
    applies = !knownAnywhere || m.current.has(node.uname) || here.has(m.id) || (m.historyId !== undefined && here.has(m.historyId));
  }
  if (!applies) return fallback;
  let attr = node.attributes.get(`master-${m.historyId ?? m.id}`);
  if (attr === undefined && !set.unique) attr = node.attributes.get(`master-${m.primitive.id}`);
  return attr === undefined ? fallback : (parseScore(attr) ?? fallback);
}

/**
 * Pull a colocated resource's preferences into `w` (pcmk__add_colocated_node_scores), scaled by
 * score/INFINITY; `positive`: a node with a positive score is not made negative (it keeps 1) and a
 * node at 0 is left alone; `rollback`: undone when it would leave nowhere to run.
 */
function mergeColocated(ctx: PlacementContext, id: string, w: Weights, factor: number, positive: boolean, rollback: boolean): void {
  const entry = unitsOf(ctx, id);
  const unit = entry?.units[0];
  if (entry === undefined || unit === undefined || entry.clone !== undefined) return;
  const dw = baseWeights(ctx, unit);
  mergeDependents(ctx, idsOfUnit(unit), dw);
  const before = new Map(w);
  // Nodes a positive merge would have turned negative count as unusable until the rollback check.
  const unusable = new Set<string>();
  for (const [node, value] of w) {
    const d = dw.get(node);
    if (d === undefined || (factor < 0 && d < 0)) continue;
    const next = addScores(value, clampScore(d * factor));
    if (positive && next < 0 && value > 0) unusable.add(node);
    else if (positive && next < 0 && value === 0) continue;
    else w.set(node, next);
  }
  const runnable = [...w].some(([n, v]) => v >= 0 && !unusable.has(n) && ctx.nodes.some((x) => x.uname === n && canHostResources(x)));
  if (rollback && !runnable) for (const [k, v] of before) w.set(k, v);
  else for (const n of unusable) w.set(n, 1);
}

/**
 * Phase "promotion" (pcmk__set_instance_roles): each placed instance's priority (its promotion
 * score, promoted-role locations, colocations as a promoted dependent) is added to its node's
 * weight in the clone, with the preferences of what must be colocated with the promoted role;
 * instances are promoted in order of their node's weight, then current role.
 */
function choosePromoted(ctx: PlacementContext, set: CloneSet, cloneWeights: Weights): void {
  const ids = [set.id, set.childId];
  const roleWeights = locationWeights(ctx, ids, true);
  const history = historyIdsByNode(ctx);
  // The clone's node weights: its allocation weights with its dependents' preferences merged in.
  const nodeWeights = new Map(cloneWeights);
  for (const c of colocationsWithPrimary(ctx.colocations, ids)) if (ids.includes(c.primary) && c.score !== 0 && !ids.includes(c.dependent)) mergeColocated(ctx, c.dependent, nodeWeights, c.score / SCORE_INFINITY, true, true);
  const candidates: { unit: Unit; node: PolicyNode; priority: number; sortIndex: number; keep?: boolean }[] = [];
  for (const unit of set.instances) {
    if (unit.next === undefined) continue;
    const node = ctx.nodes.find((n) => n.uname === unit.next);
    if (node === undefined) continue;
    const wasPromoted = unit.members.some((m) => m.current.get(node.uname)?.role === 'Promoted');
    const unmanaged = unit.members.some((m) => !m.managed || m.blocked);
    let priority = promotionScore(set, unit, node, -1, history);
    if (unit.members.some((m) => m.targetRole === 'Unpromoted' || m.targetRole === 'Stopped')) priority = -SCORE_INFINITY;
    priority = addScores(priority, roleWeights.get(node.uname) ?? 0);
    if (!ctx.canStart && !wasPromoted) priority = -SCORE_INFINITY;
    if (unit.members.some((m) => m.promotionBlocked === true)) priority = -SCORE_INFINITY;
    // A cloned group is promoted whole: a member that cannot run keeps the instance unpromoted.
    if (unit.members.some((m) => m.next === undefined)) priority = -SCORE_INFINITY;
    // An unmanaged instance keeps its role.
    if (unmanaged) priority = wasPromoted ? SCORE_INFINITY : -SCORE_INFINITY;
    candidates.push({ unit, node, priority, sortIndex: priority, ...(unmanaged && wasPromoted ? { keep: true } : {}) });
  }
  for (const c of candidates) if (c.sortIndex >= 0) nodeWeights.set(c.node.uname, addScores(nodeWeights.get(c.node.uname) ?? 0, c.sortIndex));
  // A colocation of the promoted role with a resource weighs the nodes that resource runs on (a
  // mandatory one bans the others); instances without a promotion priority stay unpromotable.
  for (const c of colocationsWithDependent(ctx.colocations, ids)) {
    if (!ids.includes(c.dependent) || c.dependentRole !== 'Promoted' || c.score === 0) continue;
    allocateTarget(ctx, c.primary, new Set());
    const hosts = new Set(nodesOfTarget(ctx, c.primary, c.primaryRole) ?? []);
    for (const n of ctx.nodes) {
      const has = hosts.has(n.uname);
      if (c.score >= SCORE_INFINITY && !has) nodeWeights.set(n.uname, -SCORE_INFINITY);
      else if (has) nodeWeights.set(n.uname, addScores(nodeWeights.get(n.uname) ?? 0, c.score));
    }
  }
  for (const c of colocationsWithPrimary(ctx.colocations, ids)) if (ids.includes(c.primary) && c.primaryRole === 'Promoted' && c.score !== 0 && !ids.includes(c.dependent)) mergeColocated(ctx, c.dependent, nodeWeights, c.score / SCORE_INFINITY, true, true);
  for (const c of candidates) if (c.sortIndex >= 0 && c.keep !== true) c.sortIndex = nodeWeights.get(c.node.uname) ?? c.sortIndex;
  if (ctx.recordScores !== false) for (const c of candidates) ctx.scores.push({ resource: c.unit.id, node: c.node.uname, score: c.sortIndex, kind: 'promotion' });
  // Ties: the higher current role, then (as clone instances sort) the higher own priority.
  candidates.sort((a, b) => b.sortIndex - a.sortIndex || Number(wasPromotedUnit(b.unit)) - Number(wasPromotedUnit(a.unit)) || b.priority - a.priority || (a.unit.instanceNumber ?? 0) - (b.unit.instanceNumber ?? 0));
  const perNode = new Map<string, number>();
  const nodeMax = metaInt(set.meta, 'promoted-node-max', metaInt(set.meta, 'master-node-max', 1));
  let promoted = 0;
  for (const { unit, node, priority, sortIndex } of candidates) {
    if (promoted >= set.promotedMax || sortIndex < 0 || priority < 0) continue;
    const n = node.uname;
    if ((perNode.get(n) ?? 0) >= nodeMax) continue;
    perNode.set(n, (perNode.get(n) ?? 0) + 1);
    promoted++;
    for (const m of unit.members) if (m.next !== undefined) m.nextRole = 'Promoted';
  }
}

function wasPromotedUnit(unit: Unit): boolean {
  return unit.members.some((m) => [...m.current.values()].some((s) => s.role === 'Promoted'));
}

function allocateTarget(ctx: PlacementContext, id: string, visiting: Set<string>): void {
  const entry = ctx.model.byId.get(id);
  if (entry === undefined) return;
  if (entry.clone !== undefined) allocateClone(ctx, entry.clone, visiting);
  else for (const u of entry.units) allocateUnit(ctx, u, visiting);
}

/** Phase "allocation": every resource in Pacemaker's order (priority, then document order). */
export function allocateResources(ctx: PlacementContext): void {
  const items: { priority: number; docIndex: number; run: () => void }[] = [];
  const visiting = new Set<string>();
  for (const unit of ctx.model.units) items.push({ priority: metaInt(unit.meta, 'priority', 0), docIndex: unit.docIndex, run: () => allocateUnit(ctx, unit, visiting) });
  for (const set of ctx.model.clones) items.push({ priority: metaInt(set.meta, 'priority', 0), docIndex: set.docIndex, run: () => allocateClone(ctx, set, visiting) });
  items.sort((a, b) => b.priority - a.priority || a.docIndex - b.docIndex);
  for (const item of items) item.run();
}
