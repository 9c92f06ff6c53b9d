/**
 * Phases "ordering", "create actions" and "transition summary": propagate mandatory orderings
 * (restarts and unrunnable starts), build the transition graph (fence, stop, demote, start,
 * promote, monitor, pseudo actions and their edges), and derive crm_simulate's summary lines.
 */
import { SCORE_INFINITY, type Role } from '../cib/index.js';
import type { ColocationPair, OrderPair } from './constraints.js';
import { compareActions, compareEdges } from './graph-order.js';
import { currentNode } from './placement.js';
import type { Instance, ResourceModel, Unit } from './model.js';
import { requirementOf } from './requires.js';
import type { GraphAction, GraphEdge, Orphan, TransitionGraph } from './types.js';
import type { ClusterOptions, PolicyNode } from './unpack.js';

function activeRole(inst: Instance): Role {
  const cur = currentNode(inst);
  return cur === undefined ? 'Stopped' : (inst.current.get(cur)?.role ?? 'Stopped');
}

function isFailedOn(inst: Instance, node: string): boolean {
  return inst.current.get(node)?.failed === true;
}

/** Whether the instance gets a stop action in this transition. */
export function willStop(inst: Instance, fenced: ReadonlySet<string>): boolean {
  if (!inst.managed || inst.blocked) return false;
  const cur = currentNode(inst);
  if (cur === undefined) return false;
  if (fenced.has(cur)) return true;
  return inst.next !== cur || isFailedOn(inst, cur) || inst.restartReason !== undefined || inst.current.size > 1;
}

/** Whether the instance gets a start action in this transition. */
export function willStart(inst: Instance, fenced: ReadonlySet<string>): boolean {
  if (!inst.managed || inst.blocked || inst.next === undefined) return false;
  const cur = currentNode(inst);
  return cur !== inst.next || willStop(inst, fenced);
}

/** Whether the instance will be running (or starting) after the transition. */
function willRun(inst: Instance): boolean {
  // A resource blocked by a failure has no runnable actions, so nothing can follow its start.
  return inst.next !== undefined && !(inst.blocked && [...inst.current.values()].some((s) => s.failedStop));
}

function membersFor(model: ResourceModel, id: string, position: 'first' | 'then'): { instances: Instance[]; label: string } {
  const inst = model.instances.get(id);
  if (inst !== undefined) return { instances: [inst], label: `${id} start` };
  const entry = model.byId.get(id);
  if (entry === undefined) return { instances: [], label: `${id} start` };
  const out: Instance[] = [];
  for (const u of entry.units) {
    const members = u.members.filter((m) => m.primitive.id === id);
    if (members.length > 0) out.push(...members);
    else if (position === 'then') out.push(...u.members.slice(0, 1), ...u.members.slice(1));
    else out.push(...u.members);
  }
  const isAggregate = entry.clone !== undefined ? id === entry.clone.id : entry.units[0]?.kind === 'group' && entry.units[0].id === id;
  return { instances: out, label: isAggregate ? `${id} running` : `${id} start` };
}

function stopThen(t: Instance, reason: string, quiet = false): boolean {
  if (t.next === undefined) return false;
  if (currentNode(t) === undefined && !quiet) {
    t.blockedStart = t.next;
    t.blockedRole = t.nextRole;
  }
  if (quiet) t.unassigned = true;
  delete t.next;
  t.nextRole = 'Stopped';
  t.unrunnableReason = reason;
  // An instance left unassigned after its actions were planned stops without a recorded reason.
  t.stopReason = quiet ? '' : reason;
  return true;
}

/**
 * How crm_simulate words a stop forced by `first`: "required" when `first` runs now and its stop is
 * scheduled (a disabled primitive's too), "unrunnable" when it is not running or when it is a clone
 * or group asked to stop (target-role): nothing of it can start, so its "running" action is unrunnable.
 */
function firstWord(first: readonly Instance[], aggregate: boolean): string {
  const stoppedByCluster = first.some((f) => currentNode(f) !== undefined && !f.blocked && (!aggregate || f.targetRole !== 'Stopped'));
  return stoppedByCluster ? 'required' : 'unrunnable';
}

/** Where an instance is assigned: its next node, or where an ordering left its start or stop blocked. */
function assignedNode(inst: Instance): string | undefined {
  if (inst.unassigned === true) return undefined;
  return inst.next ?? inst.blockedStart ?? (inst.unrunnableReason !== undefined ? currentNode(inst) : undefined);
}

/** Phase "ordering": mandatory start orders make dependents restart or stay stopped. */
export function applyOrderings(model: ResourceModel, orders: readonly OrderPair[], colocations: readonly ColocationPair[], fenced: ReadonlySet<string>): void {
  // `quiet`: an interleaved instance with no local peer is simply not started (no summary line).
  // `groupChain`: a group member after a member that cannot run stops for lack of a node.
  // `peers`: an interleaved pair's candidate first instances; the local one is looked up each round.
  const pairs: { first: Instance[]; then: Instance[]; label: string; symmetrical: boolean; unrunnableLabel: string; quiet?: boolean; groupChain?: boolean; peers?: { all: Instance[]; label: string } }[] = [];
  const addUnitChains = (unit: Unit): void => {
    for (let i = 1; i < unit.members.length; i++) {
      const a = unit.members[i - 1] as Instance;
      const b = unit.members[i] as Instance;
      pairs.push({ first: [a], then: [b], label: `${a.id} start`, symmetrical: true, unrunnableLabel: `${a.id} start`, groupChain: true });
    }
  };
  for (const u of model.units) addUnitChains(u);
  for (const c of model.clones) for (const u of c.instances) addUnitChains(u);
  for (const o of orders) {
    if (o.kind !== 'Mandatory' || o.firstAction !== 'start' || o.thenAction !== 'start') continue;
    const f = membersFor(model, o.first, 'first');
    const t = membersFor(model, o.then, 'then');
    if (f.instances.length === 0 || t.instances.length === 0) continue;
    const firstClone = model.byId.get(o.first)?.clone;
    const thenClone = model.byId.get(o.then)?.clone;
    if (firstClone !== undefined && thenClone !== undefined && thenClone.interleave) {
      // Interleaved clones: each instance depends on the first clone's instance on its node.
      for (const ti of t.instances) {
        const fi = f.instances.filter((x) => x.next !== undefined && x.next === ti.next);
        const local = fi[0];
        const localLabel = local === undefined ? f.label : `${local.id} start`;
        pairs.push({ first: fi, then: [ti], label: localLabel, symmetrical: o.symmetrical, unrunnableLabel: localLabel, quiet: local === undefined, peers: { all: f.instances, label: f.label } });
      }
      continue;
    }
    pairs.push({ first: f.instances, then: t.instances, label: f.label, symmetrical: o.symmetrical, unrunnableLabel: f.label });
  }
  // A member's stop waits for the stops of the members after it: a blocked one blocks it.
  const markBlockedStops = (unit: Unit): void => {
    for (let i = 0; i < unit.members.length; i++) {
      const later = unit.members.slice(i + 1);
      if (later.some((m) => (m.blocked || !m.managed) && currentNode(m) !== undefined)) {
        const m = unit.members[i] as Instance;
        m.stopBlocked = true;
        m.stopBlockedBy = (unit.members[i + 1] as Instance).id;
      }
    }
  };
  for (const u of model.units) markBlockedStops(u);
  for (const c of model.clones) for (const u of c.instances) markBlockedStops(u);
  for (const o of orders) {
    if (o.kind !== 'Mandatory' || o.firstAction !== 'stop' || o.thenAction !== 'stop') continue;
    const firsts = membersFor(model, o.first, 'first').instances;
    const blockedFirst = firsts.find((f) => f.blocked && currentNode(f) !== undefined);
    if (blockedFirst === undefined) continue;
    for (const t of membersFor(model, o.then, 'then').instances) {
      t.stopBlocked = true;
      t.stopBlockedBy = blockedFirst.id;
    }
  }
  // The mandatory colocations that can stop a dependent, with their members (looked up once, not per round).
  const mandatoryColocations: { primary: string; primaries: Instance[]; dependents: Instance[] }[] = [];
  for (const c of colocations) {
    if (c.score < SCORE_INFINITY || c.dependentRole !== undefined || c.primaryRole !== undefined) continue;
    const primaries = membersFor(model, c.primary, 'first').instances;
    if (primaries.length === 0) continue;
    mandatoryColocations.push({ primary: c.primary, primaries, dependents: membersFor(model, c.dependent, 'then').instances });
  }
  for (let round = 0; round < 20; round++) {
    let changed = false;
    for (const p of pairs) {
      const ti = p.then[0];
      if (p.peers !== undefined && ti?.next !== undefined) {
        // The peer must still be assigned to this node: one quietly left unassigned is no peer.
        const fi = p.peers.all.filter((x) => assignedNode(x) === ti.next);
        const local = fi[0];
        p.first = fi;
        p.label = p.unrunnableLabel = local === undefined ? p.peers.label : `${local.id} start`;
        p.quiet = local === undefined;
      }
      const anyRuns = p.first.some(willRun);
      if (!anyRuns) {
        // An asymmetrical order only blocks starts; a symmetrical one also stops what runs.
        for (const t of p.then) if (t.managed && !t.blocked && (p.symmetrical || willStart(t, fenced)) && stopThen(t, p.groupChain === true ? 'node availability' : `${firstWord(p.first, p.unrunnableLabel.endsWith(' running'))} ${p.unrunnableLabel}`, p.quiet === true)) changed = true;
        continue;
      }
      // A mandatory start of `first` makes the start of `then` mandatory too: `then` restarts.
      const anyStarts = p.first.some((f) => willStart(f, fenced));
      if (!anyStarts) continue;
      for (const t of p.then) {
        if (!t.managed || t.blocked || t.restartReason !== undefined) continue;
        const cur = currentNode(t);
        if (cur === undefined || t.next === undefined || willStop(t, fenced)) continue;
        t.restartReason = `required ${p.label}`;
        changed = true;
      }
    }
    // A mandatory colocation with a resource that an ordering left stopped stops the dependent.
    for (const { primary, primaries, dependents } of mandatoryColocations) {
      if (primaries.some(willRun) || !primaries.some((p) => p.unrunnableReason !== undefined)) continue;
      for (const d of dependents) if (d.managed && !d.blocked && stopThen(d, `colocation with ${primary}`)) changed = true;
    }
    if (!changed) break;
  }
  // A stop that waits for a blocked stop cannot run, nor can the start after it: an instance that
  // was to move or restart is summarised as a blocked Stop. Its reason is the first one Pacemaker
  // records: "required" when the previous group member's stop requires it, else "unrunnable".
  for (const unit of [...model.units, ...model.clones.flatMap((c) => c.instances)]) {
    unit.members.forEach((inst, i) => {
      if (inst.stopBlocked !== true || !inst.managed || inst.blocked || inst.next === undefined) return;
      if (currentNode(inst) === undefined || !willStop(inst, fenced)) return;
      const prev = unit.members[i - 1];
      inst.stopReason = prev !== undefined && prev.stopBlocked === true && willStop(prev, fenced) ? `required ${prev.id} stop` : `unrunnable ${inst.stopBlockedBy ?? ''} stop`;
      delete inst.next;
      inst.nextRole = 'Stopped';
    });
  }
}

function details(inst: Instance, from: string | undefined, fromRole: Role, to: string | undefined, toRole: Role): string {
  const promotable = inst.unit.clone?.promotable === true;
  const r = (role: Role): Role => (promotable && role === 'Started' ? 'Unpromoted' : role);
  // Pacemaker shows roles when the current role is above Started or the next one is Promoted.
  const needsRole = (promotable && r(fromRole) === 'Unpromoted') || r(fromRole) === 'Promoted' || r(toRole) === 'Promoted';
  if (from === undefined && to !== undefined) return needsRole ? `${r(fromRole)} -> ${r(toRole)} ${to}` : to;
  if (from !== undefined && to === undefined) return needsRole ? `${r(fromRole)} ${from}` : from;
  if (from === undefined || to === undefined) return '';
  const sameRole = r(fromRole) === r(toRole);
  if (sameRole && from === to) return needsRole ? `${r(fromRole)} ${from}` : from;
  if (sameRole) return needsRole ? `${from} -> ${to} ${r(fromRole)}` : `${from} -> ${to}`;
  if (from === to) return `${r(fromRole)} -> ${r(toRole)} ${from}`;
  return `${r(fromRole)} ${from} -> ${r(toRole)} ${to}`;
}

function line(verb: string, rsc: string, detail: string, reason?: string): string {
  return `  * ${verb.padEnd(10)} ${rsc.padEnd(14)} ( ${detail} )${reason === undefined ? '' : `  due to ${reason}`}`;
}

/** A resource active on several nodes: multiple-active decides (stop_start by default). */
function summarizeMultiplyActive(inst: Instance, activeNodes: readonly string[], fenced: ReadonlySet<string>): string[] {
  const policy = inst.meta.get('multiple-active') ?? 'stop_start';
  const next = inst.next;
  // A stop that waits for a blocked one is unrunnable (see createGraph), and says so.
  if (next === undefined || policy === 'stop_only') return activeNodes.map((n) => line('Stop', inst.id, n, inst.stopReason ?? 'node availability') + (inst.stopBlocked === true ? ' (blocked)' : ''));
  if (policy === 'stop_unexpected') return [line('Recover', inst.id, next, 'being multiply active')];
  // crm_simulate compares the first node it is active on with the next one; the role is the highest.
  // Pacemaker reads the history of nodes being fenced last, so a clean node comes first.
  const first = activeNodes.find((n) => !fenced.has(n)) ?? activeNodes[0] ?? next;
  if (first === next) return [line('Restart', inst.id, next)];
  const rank = (r: Role): number => (r === 'Promoted' ? 3 : r === 'Unpromoted' ? 2 : r === 'Started' ? 1 : 0);
  const role = [...inst.current.values()].map((s) => s.role).reduce<Role>((a, b) => (rank(b) > rank(a) ? b : a), 'Stopped');
  return [line('Move', inst.id, details(inst, first, role, next, inst.nextRole))];
}

/** The summary lines of one instance, as LogActions prints them. */
export function summarizeInstance(inst: Instance, fenced: ReadonlySet<string>): string[] {
  if (inst.blockedStop !== undefined && inst.managed) {
    const reason = inst.blockedStop.reason;
    const node = inst.blockedStop.node;
    return [`${line('Stop', inst.id, details(inst, node, inst.current.get(node)?.role ?? 'Started', undefined, 'Stopped'))}${reason === undefined ? '  blocked' : `  due to ${reason} (blocked)`}`];
  }
  if (!inst.managed || inst.blocked) return [];
  const out: string[] = [];
  const cur = currentNode(inst);
  const role = activeRole(inst);
  const next = inst.next;
  const promotable = inst.unit.clone?.promotable === true;
  const norm = (r: Role): Role => (promotable && r === 'Started' ? 'Unpromoted' : r);
  const nextRole = norm(inst.nextRole);
  const curRole = norm(role);
  if (inst.current.size > 1) {
    const activeNodes = [...inst.current].filter(([, s]) => s.role !== 'Stopped').map(([n]) => n);
    if (activeNodes.length > 1) return summarizeMultiplyActive(inst, activeNodes, fenced);
  }
  if (cur === undefined) {
    if (next === undefined) {
      // crm_simulate words a start that was to be promoted by its promote action, which has no reason.
      if (inst.blockedStart !== undefined && inst.blockedRole === 'Promoted') out.push(`${line('Promote', inst.id, `Stopped -> Promoted ${inst.blockedStart}`)}  blocked`);
      else if (inst.blockedStart !== undefined) out.push(inst.unrunnableReason === undefined ? `${line('Start', inst.id, inst.blockedStart)}  blocked` : `${line('Start', inst.id, inst.blockedStart, inst.unrunnableReason)} (blocked)`);
      return out;
    }
    if (promotable && nextRole === 'Promoted') out.push(line('Promote', inst.id, `Stopped -> Promoted ${next}`));
    else out.push(line('Start', inst.id, next));
    return out;
  }
  const failed = isFailedOn(inst, cur);
  if (next === undefined) {
    const reason = inst.stopReason ?? 'node availability';
    out.push(line('Stop', inst.id, details(inst, cur, curRole, undefined, 'Stopped'), reason === '' ? undefined : reason) + (inst.stopBlocked === true ? ' (blocked)' : ''));
    return out;
  }
  if (next !== cur || fenced.has(cur)) {
    if (next === cur) {
      out.push(line('Start', inst.id, next));
      return out;
    }
    // Resources on a node fenced for membership loss simply move; a failure of their own is recovered.
    const recover = failed && (!fenced.has(cur) || inst.current.get(cur)?.onFail === 'fence');
    out.push(line(recover ? 'Recover' : 'Move', inst.id, details(inst, cur, curRole, next, nextRole)));
    return out;
  }
  if (curRole === nextRole) {
    if (failed) out.push(line('Recover', inst.id, details(inst, cur, curRole, cur, curRole)));
    else if (inst.restartReason !== undefined) out.push(line('Restart', inst.id, details(inst, cur, curRole, cur, curRole), inst.restartReason));
    else if (inst.current.size > 1 && [...inst.current.values()].filter((s) => s.role !== 'Stopped').length > 1) out.push(line('Restart', inst.id, cur));
    return out;
  }
  if (failed) {
    out.push(line('Recover', inst.id, details(inst, cur, curRole, cur, nextRole)));
    return out;
  }
  if (inst.restartReason !== undefined) out.push(line('Restart', inst.id, details(inst, cur, curRole, cur, nextRole), inst.restartReason));
  else if (nextRole === 'Promoted') out.push(line('Promote', inst.id, `${curRole} -> Promoted ${cur}`));
  if (inst.restartReason === undefined && nextRole !== 'Promoted' && curRole === 'Promoted') out.push(line('Demote', inst.id, `Promoted -> ${nextRole} ${cur}`));
  return out;
}

/** The Transition Summary: fencing first, then resources in document order, then orphans. */
export function deriveSummary(model: ResourceModel, fencing: readonly { node: PolicyNode; reason: string }[], orphans: readonly Orphan[], options: ClusterOptions, fenced: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const f of fencing) out.push(`  * Fence (${options.stonithAction}) ${f.node.uname} '${f.reason}'`);
  for (const inst of model.instances.values()) for (const l of summarizeInstance(inst, fenced)) out.push(l);
  for (const o of orphans) if (options.stopOrphanResources || o.cloneInstance === true) out.push(line('Stop', o.id, o.node, 'node availability'));
  return out;
}

/** Phase "create actions": the transition graph for the decisions taken. */
export function createGraph(model: ResourceModel, fencing: readonly { node: PolicyNode; reason: string }[], orders: readonly OrderPair[], orphans: readonly Orphan[], options: ClusterOptions, fenced: ReadonlySet<string>): TransitionGraph {
  const actions = new Map<string, Omit<GraphAction, 'runnable'>>();
  const edges: GraphEdge[] = [];
  // Edges along which an unrunnable `before` makes `after` unrunnable: stop → start of a resource,
  // start → its monitors and promote, fencing → what waits for it, and mandatory orders (first's
  // action → then's).
  const requiring = new Set<string>();
  const unrunnable = new Set<string>();
  const edgeKey = (e: GraphEdge): string => `${e.before}>${e.after}`;
  const add = (a: Omit<GraphAction, 'runnable'>): string => {
    actions.set(a.id, a);
    return a.id;
  };
  const key = (rsc: string, op: string, node: string, interval = 0): string => `${rsc}_${op}_${interval}@${node}`;
  const requireEdge = (e: GraphEdge): void => {
    edges.push(e);
    requiring.add(edgeKey(e));
  };
  const plainEdge = (e: GraphEdge): void => {
    edges.push(e);
  };
  const fenceIds = new Map<string, string>();
  for (const f of fencing) fenceIds.set(f.node.uname, add({ id: `fence-${options.stonithAction}@${f.node.uname}`, kind: 'fence', node: f.node.uname, interval: 0, optional: false }));
  const stops = new Map<string, string[]>();
  const starts = new Map<string, string[]>();
  for (const inst of model.instances.values()) {
    if (!inst.managed || inst.blocked) continue;
    const cur = currentNode(inst);
    const s: string[] = [];
    const t: string[] = [];
    if (cur !== undefined && willStop(inst, fenced)) {
      for (const [node, st] of inst.current) {
        if (st.role === 'Stopped') continue;
        if (fenced.has(node)) {
          const id = add({ id: `${inst.id}_stop_0@${node}`, kind: 'pseudo', resource: inst.id, node, interval: 0, optional: false });
          const fid = fenceIds.get(node);
          if (fid !== undefined) edges.push({ before: fid, after: id });
          s.push(id);
          continue;
        }
        if (st.role === 'Promoted' && inst.nextRole !== 'Promoted') s.push(add({ id: key(inst.id, 'demote', node), kind: 'demote', resource: inst.id, node, interval: 0, optional: false }));
        const id = add({ id: key(inst.id, 'stop', node), kind: 'stop', resource: inst.id, node, interval: 0, optional: false });
        // A stop that waits for a blocked stop (a later group member, an order) is blocked too.
        if (inst.stopBlocked === true) unrunnable.add(id);
        for (const d of s) if (d !== id && d.includes('_demote_')) edges.push({ before: d, after: id });
        s.push(id);
      }
    }
    if (inst.next !== undefined && (cur !== inst.next || willStop(inst, fenced))) {
      const id = add({ id: key(inst.id, 'start', inst.next), kind: 'start', resource: inst.id, node: inst.next, interval: 0, optional: false });
      for (const x of s) requireEdge({ before: x, after: id });
      // requires=nothing does not wait for fencing (quorum and fencing do; see requires.ts).
      if (requirementOf(inst, options) !== 'nothing') for (const fid of fenceIds.values()) edges.push({ before: fid, after: id });
      t.push(id);
      for (const op of inst.primitive.operations?.ops ?? []) {
        if (op.name !== 'monitor' || op.interval === 0 || op.enabled === false) continue;
        if (op.role !== undefined && op.role !== inst.nextRole && !(op.role === 'Started' && inst.nextRole === 'Unpromoted')) continue;
        const mid = add({ id: key(inst.id, 'monitor', inst.next, op.interval), kind: 'monitor', resource: inst.id, node: inst.next, interval: op.interval, optional: false });
        requireEdge({ before: id, after: mid });
      }
    }
    if (inst.next !== undefined && inst.nextRole === 'Promoted' && (activeRole(inst) !== 'Promoted' || t.length > 0)) {
      const id = add({ id: key(inst.id, 'promote', inst.next), kind: 'promote', resource: inst.id, node: inst.next, interval: 0, optional: false });
      for (const x of t) requireEdge({ before: x, after: id });
      t.push(id);
    }
    if (cur !== undefined && inst.next === cur && activeRole(inst) === 'Promoted' && inst.nextRole !== 'Promoted' && s.length === 0) {
      add({ id: key(inst.id, 'demote', cur), kind: 'demote', resource: inst.id, node: cur, interval: 0, optional: false });
    }
    // Most instances have no action: readers take a missing list as an empty one.
    if (s.length > 0) stops.set(inst.id, s);
    if (t.length > 0) starts.set(inst.id, t);
  }
  for (const o of orphans) if (options.stopOrphanResources || o.cloneInstance === true) add({ id: key(o.id, 'stop', o.node), kind: 'stop', resource: o.id, node: o.node, interval: 0, optional: false });
  // Ordering edges: group members and constraints (start after start; stops in reverse when symmetrical).
  // `sameNode`: interleaved clones order each instance only after the first clone's instance on
  // its own node. `mandatory`: an unrunnable first makes then's start unrunnable.
  const order = (firstIds: readonly string[], thenIds: readonly string[], symmetrical: boolean, sameNode = false, mandatory = true): void => {
    const together = (a: string, b: string): boolean => !sameNode || actions.get(a)?.node === actions.get(b)?.node;
    const forward = mandatory ? requireEdge : plainEdge;
    for (const f of firstIds)
      for (const t of thenIds) {
        for (const a of starts.get(f) ?? []) for (const b of starts.get(t) ?? []) if (a.includes('_start_') && b.includes('_start_') && together(a, b)) forward({ before: a, after: b });
        if (symmetrical) for (const a of stops.get(t) ?? []) for (const b of stops.get(f) ?? []) if (together(a, b)) edges.push({ before: a, after: b });
      }
  };
  const chain = (unit: Unit): void => {
    for (let i = 1; i < unit.members.length; i++) {
      const a = (unit.members[i - 1] as Instance).id;
      const b = (unit.members[i] as Instance).id;
      // Only members with actions are ordered (most of a large cluster has none).
      if ((starts.has(a) && starts.has(b)) || (stops.has(a) && stops.has(b))) order([a], [b], true);
    }
  };
  for (const u of model.units) chain(u);
  for (const c of model.clones) for (const u of c.instances) chain(u);
  // Orders on other actions than start/start (first-action/then-action: stop, promote, demote)
  // link exactly the named actions, and when symmetrical also the inverse pair (then's inverse
  // action before first's), as Pacemaker's invert_action does. Pseudo stops on fenced nodes count
  // as stops.
  const byResourceAction = new Map<string, string[]>();
  for (const a of actions.values()) {
    if (a.resource === undefined) continue;
    const kind = a.kind === 'pseudo' && a.id.startsWith(`${a.resource}_stop_`) ? 'stop' : a.kind;
    const k = `${a.resource}\u0000${kind}`;
    byResourceAction.set(k, [...(byResourceAction.get(k) ?? []), a.id]);
  }
  const actionsOf = (rsc: string, kind: string): readonly string[] => byResourceAction.get(`${rsc}\u0000${kind}`) ?? [];
  const inverse: Readonly<Record<string, string>> = { start: 'stop', stop: 'start', promote: 'demote', demote: 'promote' };
  for (const o of orders) {
    if (o.kind === 'Serialize') continue;
    const f = membersFor(model, o.first, 'first').instances.map((i) => i.id);
    const t = membersFor(model, o.then, 'then').instances.map((i) => i.id);
    const interleaved = model.byId.get(o.first)?.clone !== undefined && model.byId.get(o.then)?.clone?.interleave === true;
    if (o.firstAction === 'start' && o.thenAction === 'start') {
      order(f, t, o.symmetrical, interleaved, o.kind === 'Mandatory');
      continue;
    }
    const together = (a: string, b: string): boolean => !interleaved || actions.get(a)?.node === actions.get(b)?.node;
    // Only a start or promote of `first` must be runnable for `then`'s action (runnable_left).
    const forward = o.kind === 'Mandatory' && (o.firstAction === 'start' || o.firstAction === 'promote') ? requireEdge : plainEdge;
    for (const fi of f)
      for (const ti of t) {
        for (const a of actionsOf(fi, o.firstAction)) for (const b of actionsOf(ti, o.thenAction)) if (together(a, b)) forward({ before: a, after: b });
        if (o.symmetrical) for (const a of actionsOf(ti, inverse[o.thenAction] ?? o.thenAction)) for (const b of actionsOf(fi, inverse[o.firstAction] ?? o.firstAction)) if (together(a, b)) edges.push({ before: a, after: b });
      }
  }
  // Pacemaker orders a clone's instances through its pseudo actions (stop -> stopped -> start,
  // demote -> demoted -> promote): every stop of an instance (orphans included) precedes every
  // start, and every demote every promote. This graph has no clone pseudo actions, so the edges
  // are direct. Without them an orphan's stop could run after the start of another instance on
  // the same node (both act on one lrm resource), or a promotion before the old promoted demotes.
  for (const c of model.clones) {
    const members = c.instances.flatMap((u) => u.members.map((m) => m.id));
    const orphanIds = orphans.filter((o) => model.byId.get(o.id.replace(/:\d+$/, ''))?.clone === c).map((o) => o.id);
    const stopsOf = [...members, ...orphanIds].flatMap((id) => actionsOf(id, 'stop'));
    const startsOf = members.flatMap((id) => actionsOf(id, 'start'));
    for (const a of stopsOf) for (const b of startsOf) edges.push({ before: a, after: b });
    if (!c.promotable) continue;
    // Promotions also follow every stop (stopped -> start -> running -> promote): a promoted
    // instance on a fenced node is stopped (after the fencing) before another is promoted.
    const demotes = members.flatMap((id) => actionsOf(id, 'demote'));
    const promotes = members.flatMap((id) => actionsOf(id, 'promote'));
    for (const a of [...demotes, ...stopsOf]) for (const b of promotes) edges.push({ before: a, after: b });
  }
  const seen = new Set<string>();
  const uniqueEdges = edges.filter((e) => {
    const k = `${e.before}>${e.after}`;
    if (seen.has(k) || e.before === e.after) return false;
    seen.add(k);
    return true;
  });
  // Propagate unrunnability along the requiring edges (Pacemaker's runnable_left orderings).
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of uniqueEdges) {
      if (!unrunnable.has(e.before) || unrunnable.has(e.after) || !requiring.has(edgeKey(e))) continue;
      unrunnable.add(e.after);
      changed = true;
    }
  }
  return {
    actions: [...actions.values()].map((a) => ({ ...a, runnable: !unrunnable.has(a.id) })).sort(compareActions),
    edges: uniqueEdges.sort(compareEdges),
  };
}
