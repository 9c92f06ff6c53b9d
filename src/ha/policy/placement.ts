/**
 * Phases "apply location constraints", "stickiness", "colocation", "allocation" and "promotion":
 * node weights per allocation unit, then Pacemaker's assignment order (priority, then document
 * order, primaries of colocations before their dependents), clone instance distribution and the
 * choice of promoted instances.
 */
import { addScores, clampScore, parseScore, SCORE_INFINITY, type Cib, type Role } from '../cib/index.js';
import { colocationsWithDependent, colocationsWithPrimary, locationRole, locationsFor, type ColocationPair } from './constraints.js';
import { metaInt, stickinessOf, type CloneSet, type Instance, type ResourceModel, type Unit } from './model.js';
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

/** Location constraints (not role-specific) and rules, on top of the symmetric/opt-in base. */
export function locationWeights(ctx: PlacementContext, ids: readonly string[], promotion: boolean): Weights {
  const w: Weights = new Map();
  if (!promotion && ctx.options.symmetricCluster) for (const n of ctx.nodes) w.set(n.uname, 0);
  for (const c of locationsFor(ctx.cib, ids)) {
    const role = locationRole(c);
    const isRoleSpecific = (r: Role | undefined): boolean => r === 'Promoted' || r === 'Unpromoted';
    const placement = c.placement;
    if (placement.kind === 'node') {
      if (isRoleSpecific(role) !== promotion) continue;
      const node = ctx.nodes.find((n) => n.uname === placement.node);
      if (node === undefined) continue;
      const score = role === 'Unpromoted' ? -placement.score : placement.score;
      w.set(node.uname, addScores(w.get(node.uname) ?? 0, score));
      continue;
    }
    for (const node of ctx.nodes) {
      for (const rule of placement.rules) {
        // A role on the rule (or else on the constraint) limits it to the promotion phase.
        if (isRoleSpecific(rule.role ?? role) !== promotion) continue;
        if (!ruleMatches({ ...rule, expressions: rule.expressions }, node.attributes)) continue;
        let score = rule.score ?? 0;
        if (rule.scoreAttribute !== undefined) score = parseScore(node.attributes.get(rule.scoreAttribute) ?? '') ?? 0;
        w.set(node.uname, addScores(w.get(node.uname) ?? 0, score));
      }
    }
  }
  return w;
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
    const mw = memberWeights(m, [m.primitive.id]);
    const before = new Map(w);
    for (const [node, value] of w) {
      const d = mw.get(node);
      if (d !== undefined) w.set(node, addScores(value, d));
    }
    if (!isRunnable(ctx, w) && isRunnable(ctx, before)) for (const [k, v] of before) w.set(k, v);
  }
  return w;
}

function isRunnable(ctx: PlacementContext, w: Weights): boolean {
  for (const [n, v] of w) if (v >= 0 && ctx.nodes.some((x) => x.uname === n && canHostResources(x))) return true;
  return false;
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
    allocateTarget(ctx, c.primary, visiting);
    const nodes = nodesOfTarget(ctx, c.primary, c.primaryRole) ?? [];
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
  const runnable = (m: Weights): boolean => isRunnable(ctx, m);
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
    const before = new Map(w);
    for (const [node, value] of w) {
      const d = dw.get(node);
      if (d === undefined) continue;
      if (factor < 0 && d < 0) continue;
      w.set(node, addScores(value, clampScore(d * factor)));
    }
    if (!runnable(w) && runnable(before)) for (const [k, v] of before) w.set(k, v);
  }
}

/** Picks the best node: weight, fewest assigned resources (or clone instances), the current node, then name. */
function chooseNode(ctx: PlacementContext, w: Weights, current: string | undefined, exclude: (node: PolicyNode) => boolean, load: (node: PolicyNode) => number = (n) => n.assignedCount): PolicyNode | undefined {
  const candidates = ctx.nodes.filter((n) => canHostResources(n) && (w.get(n.uname) ?? -1) >= 0 && !exclude(n));
  if (candidates.length === 0) return undefined;
  const compare = (a: PolicyNode, b: PolicyNode): number => (w.get(b.uname) ?? 0) - (w.get(a.uname) ?? 0) || load(a) - load(b) || Number(b.uname === current) - Number(a.uname === current) || (a.uname < b.uname ? -1 : a.uname > b.uname ? 1 : 0);
  // The first of the sorted candidates, found in one pass (this runs for every resource).
  let best = candidates[0] as PolicyNode;
  for (const n of candidates) if (compare(n, best) < 0) best = n;
  return best;
}

function recordScores(ctx: PlacementContext, id: string, w: Weights): void {
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
    const ownScore = unit.members.length > 1 && node !== undefined ? locationWeights(ctx, [m.primitive.id], false).get(node.uname) : undefined;
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
  unit.weights = w;
  const node = unmanagedLead ? ctx.nodes.find((n) => n.uname === unitCurrentNode(unit)) : chooseNode(ctx, w, unitCurrentNode(unit), () => false);
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
  const instanceWeights = (unit: Unit): Weights => {
    const iw = new Map(w);
    unit.members.forEach((m, index) => {
      const before = new Map(iw);
      const c = currentNode(m);
      if (c !== undefined && m.managed && iw.has(c)) iw.set(c, addScores(iw.get(c) ?? 0, stickinessOf(m, ctx.options.defaultStickiness)));
      for (const b of m.bannedNodes) iw.set(b, -SCORE_INFINITY);
      // Later members of a cloned group must not leave the instance nowhere to run.
      if (index > 0 && !isRunnable(ctx, iw) && isRunnable(ctx, before)) for (const [k, v] of before) iw.set(k, v);
    });
    return iw;
  };
  const place = (unit: Unit, node: PolicyNode | undefined, iw: Weights): void => {
    if (node !== undefined) {
      perNode.set(node.uname, (perNode.get(node.uname) ?? 0) + 1);
      placed++;
    }
    recordScores(ctx, unit.id, iw);
    assignUnit(ctx, unit, node);
  };
  // Pass 1: running instances stay on their current node when they may.
  const byNumber = [...set.instances].sort((a, b) => (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0));
  const running = byNumber.filter((u) => unitCurrentNode(u) !== undefined);
  const rest: Unit[] = byNumber.filter((u) => unitCurrentNode(u) === undefined);
  const displaced: Unit[] = [];
  for (const unit of running) {
    const cur = unitCurrentNode(unit);
    const iw = instanceWeights(unit);
    const lead = unit.members[0];
    if (lead !== undefined && (!lead.managed || lead.blocked)) {
      place(unit, ctx.nodes.find((n) => n.uname === cur), iw);
      continue;
    }
    const node = ctx.nodes.find((n) => n.uname === cur);
    // The current node is kept only when it is as good as the best one.
    const best = Math.max(...ctx.nodes.filter((n) => canHostResources(n)).map((n) => iw.get(n.uname) ?? -SCORE_INFINITY));
    const here = node === undefined ? -1 : (iw.get(node.uname) ?? -1);
    const ok = node !== undefined && canHostResources(node) && here >= 0 && here >= best && (perNode.get(node.uname) ?? 0) < set.nodeMax && placed < set.max;
    if (ok) place(unit, node, iw);
    else displaced.push(unit);
  }
  // Pass 2: instances that are not running, then displaced ones, spread evenly over the best
  // nodes: at most ceil(clone-max / usable nodes) per node first, then up to clone-node-max.
  const usable = ctx.nodes.filter((n) => canHostResources(n) && (w.get(n.uname) ?? -1) >= 0).length;
  const evenMax = usable === 0 ? set.nodeMax : Math.min(set.nodeMax, Math.ceil(set.max / usable));
  for (const unit of [...rest, ...displaced]) {
    const iw = instanceWeights(unit);
    const count = (n: PolicyNode): number => perNode.get(n.uname) ?? 0;
    let node = placed >= set.max ? undefined : chooseNode(ctx, iw, unitCurrentNode(unit), (n) => count(n) >= evenMax);
    if (node === undefined && placed < set.max) node = chooseNode(ctx, iw, unitCurrentNode(unit), (n) => count(n) >= set.nodeMax);
    place(unit, node, iw);
  }
  set.allocated = true;
  if (set.promotable) choosePromoted(ctx, set);
  visiting.delete(set.id);
}

/** Phase "promotion": the promotion score of each placed instance, then the best promoted-max ones. */
function choosePromoted(ctx: PlacementContext, set: CloneSet): void {
  const ids = [set.id, set.childId];
  const roleWeights = locationWeights(ctx, ids, true);
  const candidates: { unit: Unit; score: number }[] = [];
  for (const unit of set.instances) {
    if (unit.next === undefined) continue;
    const node = ctx.nodes.find((n) => n.uname === unit.next);
    if (node === undefined) continue;
    let score: number | undefined;
    for (const m of unit.members) {
      const attr = node.attributes.get(`master-${m.id}`) ?? node.attributes.get(`master-${m.primitive.id}`);
      if (attr !== undefined) score = addScores(score ?? 0, parseScore(attr) ?? 0);
    }
    const wasPromoted = unit.members.some((m) => m.current.get(node.uname)?.role === 'Promoted');
    if (score === undefined) score = wasPromoted ? 0 : -1;
    score = addScores(score, roleWeights.get(node.uname) ?? 0);
    for (const c of colocationsWithDependent(ctx.colocations, ids)) {
      if (!ids.includes(c.dependent) || c.dependentRole !== 'Promoted' || c.score === 0) continue;
      allocateTarget(ctx, c.primary, new Set());
      const nodes = nodesOfTarget(ctx, c.primary, c.primaryRole) ?? [];
      const has = nodes.includes(node.uname);
      if (c.score >= SCORE_INFINITY && !has) score = -SCORE_INFINITY;
      else if (c.score <= -SCORE_INFINITY && has) score = -SCORE_INFINITY;
      else if (has) score = addScores(score, c.score);
    }
    if (unit.members.some((m) => m.targetRole === 'Unpromoted' || m.targetRole === 'Stopped' || !m.managed)) score = wasPromoted && unit.members.some((m) => !m.managed) ? SCORE_INFINITY : -SCORE_INFINITY;
    if (!ctx.canStart && !wasPromoted) score = -SCORE_INFINITY;
    if (unit.members.some((m) => m.promotionBlocked === true)) score = -SCORE_INFINITY;
    // A cloned group is promoted whole: a member that cannot run keeps the instance unpromoted.
    if (unit.members.some((m) => m.next === undefined)) score = -SCORE_INFINITY;
    ctx.scores.push({ resource: unit.id, node: node.uname, score, kind: 'promotion' });
    candidates.push({ unit, score });
  }
  candidates.sort((a, b) => b.score - a.score || Number(wasPromotedUnit(b.unit)) - Number(wasPromotedUnit(a.unit)) || (a.unit.instanceNumber ?? 0) - (b.unit.instanceNumber ?? 0));
  const perNode = new Map<string, number>();
  const nodeMax = metaInt(set.meta, 'promoted-node-max', metaInt(set.meta, 'master-node-max', 1));
  let promoted = 0;
  for (const { unit, score } of candidates) {
    if (promoted >= set.promotedMax || score < 0) break;
    const n = unit.next ?? '';
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
