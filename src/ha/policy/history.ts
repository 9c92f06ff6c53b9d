/**
 * Phase "determine current state": replays each resource's operation history on each node in
 * call-id order to learn its role there and whether it failed, reads fail counts from the
 * transient attributes, finds orphans and resources active on several nodes.
 */
import { parseScore, resolveNvSets, SCORE_INFINITY, type Cib, type LrmRscOp } from '../cib/index.js';
import type { CloneSet, Instance, NodeRunState, ResourceModel, Unit } from './model.js';
import type { Orphan } from './types.js';
import { migrationThresholdOf, withoutInstanceNumber } from './model.js';
import { needsFencing } from './requires.js';
import type { ClusterOptions, PolicyNode } from './unpack.js';

function expectedRc(op: LrmRscOp): number {
  // The same field as `magic.split(';')[1].split(':')[2]` or `key.split(':')[2]`, read in place
  // without building strings (this runs for every op of every history).
  let text: string;
  let from = 0;
  let to: number;
  if (op.transitionKey !== undefined) {
    text = op.transitionKey;
    to = text.length;
  } else if (op.transitionMagic !== undefined) {
    text = op.transitionMagic;
    const semicolon = text.indexOf(';');
    if (semicolon < 0) return defaultExpectedRc(op);
    from = semicolon + 1;
    const next = text.indexOf(';', from);
    to = next < 0 ? text.length : next;
  } else return defaultExpectedRc(op);
  for (let i = 0; i < 2; i++) {
    const at = text.indexOf(':', from);
    if (at < 0 || at >= to) return defaultExpectedRc(op);
    from = at + 1;
  }
  const colon = text.indexOf(':', from);
  const end = colon < 0 || colon > to ? to : colon;
  if (end === from) return defaultExpectedRc(op);
  let value = 0;
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return defaultExpectedRc(op);
    value = value * 10 + (c - 48);
  }
  // Beyond 15 digits the sum above may round differently from Number().
  return end - from > 15 ? Number(text.slice(from, end)) : value;
}

function defaultExpectedRc(op: LrmRscOp): number {
  return op.operation === 'monitor' && op.interval === 0 ? 7 : 0;
}

function onFailFor(inst: Instance | undefined, op: LrmRscOp, options: ClusterOptions): string {
  const defined = inst?.primitive.operations?.ops.find((o) => o.name === op.operation && o.interval === op.interval) ?? inst?.primitive.operations?.ops.find((o) => o.name === op.operation);
  if (defined?.onFail !== undefined) return defined.onFail;
  const metaOnFail = defined === undefined ? undefined : resolveNvSets(defined.metaAttributes).get('on-fail');
  if (metaOnFail !== undefined) return metaOnFail;
  if (op.operation === 'stop') return options.stonithEnabled ? 'fence' : 'block';
  return 'restart';
}

function byCall(a: LrmRscOp, b: LrmRscOp): number {
  return a.callId - b.callId || (a.lastRcChange ?? 0) - (b.lastRcChange ?? 0);
}

function isInCallOrder(ops: readonly LrmRscOp[]): boolean {
  for (let i = 1; i < ops.length; i++) if (byCall(ops[i - 1] as LrmRscOp, ops[i] as LrmRscOp) > 0) return false;
  return true;
}

function opKey(op: LrmRscOp): string {
  return `${op.operation}_${op.interval}`;
}

/** Replays one resource's ops on one node; undefined when it never ran there. */
export function replayHistory(ops: readonly LrmRscOp[], inst: Instance | undefined, options: ClusterOptions, isExpired: (op: LrmRscOp) => boolean): NodeRunState | undefined {
  // Histories are usually written in call order already: then the (stable) sort would change nothing.
  const sorted = isInCallOrder(ops) ? ops : [...ops].sort(byCall);
  const state: NodeRunState = { role: 'Stopped', failed: false, failedStop: false, pending: false };
  let seen = false;
  // The operation (name and interval) whose failure the state records.
  let failedOp: string | undefined;
  for (const op of sorted) {
    if (op.operation === 'notify' || op.operation === 'meta-data') continue;
    seen = true;
    const pending = op.opStatus === -1 || op.callId < 0;
    if (pending) {
      if (op.operation === 'start' || op.operation === 'promote' || op.operation === 'migrate_from') state.role = op.operation === 'promote' ? 'Promoted' : 'Started';
      state.pending = true;
      continue;
    }
    const expected = expectedRc(op);
    // The executor's "not installed" status (7) is the agent's rc 5, whatever rc was recorded.
    const notInstalled = op.opStatus === 7;
    const rc = notInstalled ? 5 : op.rcCode;
    const isProbe = op.operation === 'monitor' && op.interval === 0;
    const notRunning = rc === 7;
    // Pacemaker trusts the rc when the executor said done or error (old CIBs record probes as error).
    if (op.opStatus === 1) continue;
    const okStatus = op.opStatus === 0 || op.opStatus === 4 || notInstalled;
    // A probe or monitor that finds the resource stopped is a state, not (only) a failure.
    if (op.operation === 'monitor') {
      if (rc === 7 && okStatus) {
        if (isProbe || expected === 7) {
          state.role = 'Stopped';
          state.failed = false;
          state.failedStop = false;
        } else if (!isExpired(op) && onFailFor(inst, op, options) !== 'ignore') {
          // Expected running, found stopped: failed, needs recovery.
          state.failed = true;
          failedOp = opKey(op);
          state.onFail = onFailFor(inst, op, options);
          state.role = state.role === 'Stopped' ? 'Started' : state.role;
        }
        continue;
      }
      if ((rc === 0 || rc === 8) && okStatus) {
        state.role = rc === 8 ? 'Promoted' : state.role === 'Promoted' && !isProbe ? 'Promoted' : state.role === 'Stopped' || isProbe ? (isProbe ? 'Started' : 'Started') : state.role;
        if (rc === 0 && isProbe) state.role = 'Started';
        // A later success of the very monitor that failed clears that failure, unless on-fail
        // asked for more than a recovery in place (stop, standby, fence).
        if (rc === expected && state.failed && failedOp === opKey(op) && !['stop', 'standby', 'fence'].includes(state.onFail ?? 'restart')) {
          state.failed = false;
          delete state.onFail;
        }
        if (rc === expected || isProbe) continue;
        if (rc === 8 && expected === 0) continue;
      }
    }
    // OCF hard errors ban the resource from the node (not installed, invalid, privileges), or from
    // every node (not configured); a probe that finds the agent missing means "stopped here".
    const hard = rc === 2 || rc === 4 || rc === 5 || rc === 6 || (rc === 3 && op.interval === 0);
    if (okStatus && rc !== expected && hard && !isExpired(op)) {
      state.ban = rc === 6 ? 'all' : 'node';
      if (isProbe && rc === 5) {
        state.role = 'Stopped';
        continue;
      }
    }
    const failed = !okStatus || (rc !== expected && !(isProbe && (rc === 0 || rc === 8 || rc === 7)));
    if (!failed) {
      switch (op.operation) {
        case 'start':
          state.role = 'Started';
          state.failed = false;
          break;
        case 'stop':
          state.role = 'Stopped';
          state.failed = false;
          state.failedStop = false;
          break;
        case 'promote':
          state.role = 'Promoted';
          break;
        case 'demote':
          state.role = 'Unpromoted';
          break;
        case 'migrate_from':
          state.role = 'Started';
          break;
        case 'migrate_to':
          state.role = 'Stopped';
          break;
        default:
          break;
      }
      continue;
    }
    if (notRunning && okStatus && op.operation !== 'stop' && op.operation !== 'start' && op.operation !== 'demote') continue;
    if (isExpired(op)) {
      if (op.operation === 'start') state.role = 'Stopped';
      continue;
    }
    const onFail = onFailFor(inst, op, options);
    if (onFail === 'ignore') {
      if (op.operation === 'start') state.role = 'Started';
      continue;
    }
    state.failed = true;
    failedOp = opKey(op);
    state.onFail = onFail;
    switch (op.operation) {
      case 'stop':
        state.role = 'Started';
        state.failedStop = true;
        break;
      case 'start':
        state.role = 'Started';
        break;
      case 'promote':
        state.role = 'Promoted';
        break;
      case 'demote':
        // A failed demote with on-fail=block leaves the resource promoted (and blocked).
        state.role = onFail === 'block' ? 'Promoted' : 'Unpromoted';
        break;
      default:
        if (rc === 9) state.role = 'Promoted';
        else if (state.role === 'Stopped') state.role = 'Started';
        break;
    }
  }
  return seen ? state : undefined;
}

/**
 * Whether a fail-count/last-failure attribute belongs to `name`: `PREFIXname`, `PREFIXname#op`;
 * a name ending in `:*` stands for an anonymous clone child with any instance number.
 */
function matchesAttribute(key: string, prefix: string, name: string): boolean {
  if (!key.startsWith(prefix)) return false;
  const rest = key.slice(prefix.length).replace(/#.*$/, '');
  if (name.endsWith(':*')) return rest === name.slice(0, -2) || new RegExp(`^${name.slice(0, -2).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+$`).test(rest);
  return rest === name;
}

/**
 * A node's fail-count-/last-failure- attributes indexed by the resource name in them (the part
 * between the prefix and any `#op`), and by that name without a `:N` instance number; positions are
 * the attributes' order. Built once per attribute map, so that a lookup does not scan them all.
 */
interface FailureAttributeIndex {
  readonly entries: readonly (readonly [string, string])[];
  readonly byName: ReadonlyMap<string, readonly number[]>;
  readonly byCloneBase: ReadonlyMap<string, readonly number[]>;
}

const failureAttributeIndexes = new WeakMap<ReadonlyMap<string, string>, FailureAttributeIndex>();

function failureAttributeIndexOf(attributes: ReadonlyMap<string, string>): FailureAttributeIndex {
  const cached = failureAttributeIndexes.get(attributes);
  if (cached !== undefined) return cached;
  const entries = [...attributes];
  const byName = new Map<string, number[]>();
  const byCloneBase = new Map<string, number[]>();
  const note = (map: Map<string, number[]>, name: string, position: number): void => {
    const list = map.get(name);
    if (list === undefined) map.set(name, [position]);
    else list.push(position);
  };
  entries.forEach(([key], position) => {
    const prefix = key.startsWith('fail-count-') ? 'fail-count-' : key.startsWith('last-failure-') ? 'last-failure-' : undefined;
    if (prefix === undefined) return;
    const rest = key.slice(prefix.length).replace(/#.*$/, '');
    note(byName, rest, position);
    if (/:\d+$/.test(rest)) note(byCloneBase, rest.replace(/:\d+$/, ''), position);
  });
  const index = { entries, byName, byCloneBase };
  failureAttributeIndexes.set(attributes, index);
  return index;
}

const NO_FAILURES: { readonly count: number; readonly lastFailure: number } = Object.freeze({ count: 0, lastFailure: 0 });

/** Sums fail-count-RSC[#op_interval] attributes on a node; returns the count and the latest failure time. */
export function failCountOn(node: PolicyNode, names: readonly string[]): { readonly count: number; readonly lastFailure: number } {
  let count = 0;
  let lastFailure = 0;
  // Only the attributes that can match one of the names, in their order.
  const index = failureAttributeIndexOf(node.attributes);
  // Most resources have no failure attributes at all.
  if (index.byName.size === 0) return NO_FAILURES;
  const lists: (readonly number[] | undefined)[] = [];
  let any = false;
  for (const name of names) {
    const anonymous = name.endsWith(':*');
    const base = anonymous ? name.slice(0, -2) : name;
    const list = index.byName.get(base);
    lists.push(list);
    if (list !== undefined) any = true;
    if (anonymous) {
      const ofBase = index.byCloneBase.get(base);
      lists.push(ofBase);
      if (ofBase !== undefined) any = true;
    }
  }
  if (!any) return NO_FAILURES;
  const positions = new Set<number>();
  for (const list of lists) for (const position of list ?? []) positions.add(position);
  const candidates = [...positions].sort((a, b) => a - b).map((position) => index.entries[position] as readonly [string, string]);
  for (const [key, value] of candidates) {
    for (const name of names) {
      if (matchesAttribute(key, 'fail-count-', name)) count = Math.min(SCORE_INFINITY, count + (parseScore(value) ?? 0));
      if (matchesAttribute(key, 'last-failure-', name)) lastFailure = Math.max(lastFailure, Number(value) || 0);
    }
  }
  return { count, lastFailure };
}

function durationSeconds(text: string | undefined): number {
  if (text === undefined) return 0;
  const m = /^\s*(\d+)\s*(ms|msec|s|sec|m|min|h|hr)?\s*$/i.exec(text);
  if (m === null) return 0;
  const n = Number(m[1]);
  switch ((m[2] ?? 's').toLowerCase()) {
    case 'ms':
    case 'msec':
      return n / 1000;
    case 'm':
    case 'min':
      return n * 60;
    case 'h':
    case 'hr':
      return n * 3600;
    default:
      return n;
  }
}

const isActive = (r: NodeRunState | undefined): boolean => r !== undefined && (r.role !== 'Stopped' || r.failed);

/** A pending operation other than a probe marks the node the resource is "pending" on. */
function pendingOn(ops: readonly LrmRscOp[]): boolean {
  for (const op of ops) if ((op.opStatus === -1 || op.callId < 0) && !(op.operation === 'monitor' && op.interval === 0)) return true;
  return false;
}

/** An orphan instance of an anonymous clone: a history entry beyond the configured instances. */
interface OrphanSlot {
  readonly number: number;
  /** Per member primitive id: its state per node. */
  readonly runs: Map<string, Map<string, NodeRunState>>;
  readonly pending: Map<string, string>;
}

/**
 * Matches history entries of an anonymous clone to instances the way Pacemaker's
 * find_anonymous_clone does, node by node in status order: the instance already active (or
 * pending) on this node, else the first instance active nowhere yet, else a new orphan numbered
 * on from the configured instances. A second active entry on a node where the instance already
 * runs is an orphan even when free instances remain.
 */
class AnonymousMatcher {
  private readonly orphanSlots: OrphanSlot[] = [];
  private total: number;

  constructor(
    private readonly set: CloneSet,
    private readonly pending: Map<Instance, string>,
    private readonly nodeCount: number,
  ) {
    this.total = set.instances.length;
    // With clone-max=0 Pacemaker still creates instance :0 (as an orphan) for history to match.
    if (this.total === 0) this.newOrphan();
  }

  private newOrphan(): OrphanSlot {
    const slot: OrphanSlot = { number: this.total++, runs: new Map(), pending: new Map() };
    this.orphanSlots.push(slot);
    return slot;
  }

  private unitLocations(unit: Unit): string[] {
    const out: string[] = [];
    for (const m of unit.members) {
      for (const [n, st] of m.current) if (isActive(st) && !out.includes(n)) out.push(n);
      const p = this.pending.get(m);
      if (p !== undefined && !out.includes(p)) out.push(p);
    }
    return out;
  }

  private orphanLocations(slot: OrphanSlot): string[] {
    const out: string[] = [];
    for (const [id, runs] of slot.runs) {
      for (const [n, st] of runs) if (isActive(st) && !out.includes(n)) out.push(n);
      const p = slot.pending.get(id);
      if (p !== undefined && !out.includes(p)) out.push(p);
    }
    return out;
  }

  /** The instance (or orphan slot) the entry for member `primitiveId` on `node` belongs to. */
  find(node: PolicyNode, primitiveId: string, options: ClusterOptions): { inst: Instance } | { orphan: OrphanSlot } {
    let found: { inst: Instance } | { orphan: OrphanSlot } | undefined;
    let inactive: { inst: Instance } | { orphan: OrphanSlot } | undefined;
    let skipInactive = false;
    for (const unit of this.set.instances) {
      const member = unit.members.find((m) => m.primitive.id === primitiveId);
      const locations = this.unitLocations(unit);
      if (locations.length > 0) {
        if (locations[0] !== node.uname || member === undefined) continue;
        if ([...member.current.values()].some(isActive)) skipInactive = true;
        else {
          found = { inst: member };
          break;
        }
      } else if (!skipInactive && inactive === undefined && member !== undefined && !(unit.kind === 'primitive' && member.blocked)) {
        const p = this.pending.get(member);
        if (p === undefined || p === node.uname) inactive = { inst: member };
      }
    }
    if (found === undefined) {
      for (const slot of this.orphanSlots) {
        const locations = this.orphanLocations(slot);
        if (locations.length > 0) {
          if (locations[0] !== node.uname) continue;
          if ([...(slot.runs.get(primitiveId)?.values() ?? [])].some(isActive)) skipInactive = true;
          else {
            found = { orphan: slot };
            break;
          }
        } else if (!skipInactive && inactive === undefined) {
          const p = slot.pending.get(primitiveId);
          if (p === undefined || p === node.uname) inactive = { orphan: slot };
        }
      }
    }
    if (found === undefined && !skipInactive) found = inactive;
    // An instance that does not need fencing is not worth an instance number on a node that is
    // gone or unclean (unless every node has one): it becomes an orphan so another can start.
    if (found !== undefined && 'inst' in found && !needsFencing(found.inst, options) && (!node.online || node.unclean) && this.set.max !== this.nodeCount) found = undefined;
    return found ?? { orphan: this.newOrphan() };
  }

  /** The orphans that are active somewhere, as `member:N`. */
  activeOrphans(): Orphan[] {
    const out: Orphan[] = [];
    for (const slot of this.orphanSlots)
      for (const [id, runs] of slot.runs) for (const [node, st] of runs) if (isActive(st)) out.push({ id: `${id}:${slot.number}`, node, role: st.role, cloneInstance: true });
    return out;
  }
}

/** Failures of operations with on-fail=ignore do not count toward migration-threshold (looked at only when the threshold is reached). */
function onlyIgnoredFailures(ops: readonly LrmRscOp[], inst: Instance, options: ClusterOptions): boolean {
  const failedOps = ops.filter((o) => o.opStatus !== -1 && o.rcCode !== expectedRc(o) && !(o.operation === 'monitor' && o.interval === 0 && (o.rcCode === 7 || o.rcCode === 0 || o.rcCode === 8)));
  return failedOps.length > 0 && failedOps.every((o) => onFailFor(inst, o, options) === 'ignore');
}

const neverExpired = (): boolean => false;
const isCompleted = (op: LrmRscOp): boolean => !(op.opStatus === -1 || op.callId < 0);

/** Phase: determine the current state of every instance, and the orphans. */
export function determineCurrentState(cib: Cib, model: ResourceModel, nodes: readonly PolicyNode[], options: ClusterOptions, now: number): Orphan[] {
  const orphans: Orphan[] = [];
  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  const nodeByName = new Map(nodes.map((n) => [n.uname, n]));
  const pending = new Map<Instance, string>();
  const matchers = new Map<CloneSet, AnonymousMatcher>();
  const matcherFor = (set: CloneSet): AnonymousMatcher => {
    let m = matchers.get(set);
    if (m === undefined) {
      m = new AnonymousMatcher(set, pending, nodes.length);
      matchers.set(set, m);
    }
    return m;
  };
  for (const state of cib.status.nodes) {
    const node = (state.id === undefined ? undefined : nodeById.get(state.id)) ?? (state.uname === undefined ? undefined : nodeByName.get(state.uname));
    // Pacemaker unpacks offline nodes' histories only with fencing (unpack_node_history): then
    // they claim anonymous clone instance numbers, and anything active there makes the node
    // unclean (process_rsc_state). Without fencing a node that dropped out, even unclean, says
    // nothing about what runs now. A pending node has not joined yet: its history is not read
    // (see probes.ts).
    if (node === undefined || state.lrm === undefined || (!node.online && (!options.stonithEnabled || node.pending))) continue;
    for (const lrm of state.lrm.resources) {
      let inst = model.instances.get(lrm.id);
      let orphanSlot: OrphanSlot | undefined;
      const baseId = withoutInstanceNumber(lrm.id);
      const entry = model.byId.get(baseId);
      if (entry?.clone !== undefined && !entry.clone.unique && lrm.ops.length > 0) {
        const member = entry.clone.clone.child.kind === 'group' ? entry.clone.clone.child.members.find((m) => m.id === baseId) : entry.clone.childId === baseId ? entry.clone.clone.child : undefined;
        if (member === undefined) inst = undefined;
        else {
          const match = matcherFor(entry.clone).find(node, baseId, options);
          if ('inst' in match) inst = match.inst;
          else {
            inst = undefined;
            orphanSlot = match.orphan;
          }
        }
      }
      // Pacemaker's clone_name: the history id an instance was last found under (promotion scores use it).
      // A further entry on a node where the instance is already active is not this instance's.
      if (inst !== undefined && (inst.current.get(node.uname)?.role ?? 'Stopped') === 'Stopped') inst.historyId = lrm.id;
      const expiry = inst === undefined ? 0 : durationSeconds(inst.meta.get('failure-timeout'));
      const anonymous = inst?.unit.clone !== undefined && !inst.unit.clone.unique;
      // A set: a primitive's instance id is its own id, and counting it twice would double its fail count.
      const names = inst === undefined ? [lrm.id] : anonymous ? [`${inst.primitive.id}:*`] : inst.id === inst.primitive.id ? [inst.id] : [inst.id, inst.primitive.id];
      const fc = failCountOn(node, names);
      const isExpired = expiry <= 0 ? neverExpired : (op: LrmRscOp): boolean => {
        const onFail = onFailFor(inst, op, options);
        if (onFail === 'block') return false;
        const last = Math.max(op.lastRcChange ?? 0, fc.lastFailure);
        return last > 0 && now >= last + expiry;
      };
      const run = replayHistory(lrm.ops, inst, options, isExpired);
      const label = inst?.id ?? (orphanSlot === undefined ? lrm.id : `${baseId}:${orphanSlot.number}`);
      if (run !== undefined && run.role !== 'Stopped' && !node.online && !node.unclean && !node.maintenance && (inst?.managed ?? !options.maintenanceMode)) {
        node.unclean = true;
        node.uncleanReason = `${label} is thought to be active there`;
      }
      if (orphanSlot !== undefined) {
        if (run !== undefined) orphanSlot.runs.set(baseId, new Map([...(orphanSlot.runs.get(baseId) ?? []), [node.uname, run]]));
        if (pendingOn(lrm.ops) && !orphanSlot.pending.has(baseId)) orphanSlot.pending.set(baseId, node.uname);
        continue;
      }
      if (inst === undefined) {
        if (run !== undefined && run.role !== 'Stopped') orphans.push({ id: lrm.id, node: node.uname, role: run.role });
        continue;
      }
      // A history written for another agent (class, provider or type changed since) is deleted
      // and its failures cleared ("resource definition change"); Pacemaker also restarts the
      // resource if it runs there (not modelled: it is kept as it is).
      const changed = (lrm.class ?? '') !== (inst.primitive.class ?? '') || (lrm.provider ?? '') !== (inst.primitive.provider ?? '') || (lrm.type ?? '') !== (inst.primitive.type ?? '');
      if (changed && !isActive(run)) continue;
      if (pendingOn(lrm.ops) && !pending.has(inst)) pending.set(inst, node.uname);
      if (run !== undefined && isActive(run)) inst.current.set(node.uname, run);
      if (changed) continue;
      if (lrm.ops.some(isCompleted)) inst.knownOn.add(node.uname);
      const trusted = node.online || options.stonithEnabled;
      if (run?.ban === 'node' && trusted) inst.bannedNodes.add(node.uname);
      if (run?.ban === 'all' && trusted) for (const n of nodes) inst.bannedNodes.add(n.uname);
      if (fc.count === 0) continue;
      const expired = expiry > 0 && fc.lastFailure > 0 && now >= fc.lastFailure + expiry;
      if (!expired && fc.count >= migrationThresholdOf(inst) && !onlyIgnoredFailures(lrm.ops, inst, options)) inst.bannedNodes.add(node.uname);
    }
  }
  for (const m of matchers.values()) orphans.push(...m.activeOrphans());
  return orphans;
}
