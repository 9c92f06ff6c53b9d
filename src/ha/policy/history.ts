/**
 * Phase "determine current state": replays each resource's operation history on each node in
 * call-id order to learn its role there and whether it failed, reads fail counts from the
 * transient attributes, finds orphans and resources active on several nodes.
 */
import { parseScore, resolveNvSets, SCORE_INFINITY, type Cib, type LrmRscOp, type Role } from '../cib/index.js';
import type { Instance, NodeRunState, ResourceModel, Unit } from './model.js';
import { migrationThresholdOf } from './model.js';
import type { ClusterOptions, PolicyNode } from './unpack.js';

/** A resource found active in the status but absent from the configuration. */
export interface Orphan {
  readonly id: string;
  readonly node: string;
  readonly role: Role;
}

function expectedRc(op: LrmRscOp): number {
  // The same fields as `magic.split(';')[1]` and `key.split(':')[2]`, without building arrays (this runs for every op).
  const key = op.transitionKey ?? (op.transitionMagic === undefined ? undefined : fieldOf(op.transitionMagic, ';', 1));
  const field = key === undefined ? undefined : fieldOf(key, ':', 2);
  if (field !== undefined && /^\d+$/.test(field)) return Number(field);
  return op.operation === 'monitor' && op.interval === 0 ? 7 : 0;
}

/** `text.split(separator)[index]`. */
function fieldOf(text: string, separator: string, index: number): string | undefined {
  let start = 0;
  for (let i = 0; i < index; i++) {
    const at = text.indexOf(separator, start);
    if (at < 0) return undefined;
    start = at + separator.length;
  }
  const end = text.indexOf(separator, start);
  return end < 0 ? text.slice(start) : text.slice(start, end);
}

function onFailFor(inst: Instance | undefined, op: LrmRscOp, options: ClusterOptions): string {
  const defined = inst?.primitive.operations?.ops.find((o) => o.name === op.operation && o.interval === op.interval) ?? inst?.primitive.operations?.ops.find((o) => o.name === op.operation);
  if (defined?.onFail !== undefined) return defined.onFail;
  const metaOnFail = defined === undefined ? undefined : resolveNvSets(defined.metaAttributes).get('on-fail');
  if (metaOnFail !== undefined) return metaOnFail;
  if (op.operation === 'stop') return options.stonithEnabled ? 'fence' : 'block';
  return 'restart';
}

/** Replays one resource's ops on one node; undefined when it never ran there. */
export function replayHistory(ops: readonly LrmRscOp[], inst: Instance | undefined, options: ClusterOptions, isExpired: (op: LrmRscOp) => boolean): NodeRunState | undefined {
  const byCall = (a: LrmRscOp, b: LrmRscOp): number => a.callId - b.callId || (a.lastRcChange ?? 0) - (b.lastRcChange ?? 0);
  // Histories are usually written in call order already: then the (stable) sort would change nothing.
  const sorted = ops.every((op, i) => i === 0 || byCall(ops[i - 1] as LrmRscOp, op) <= 0) ? ops : [...ops].sort(byCall);
  const state: NodeRunState = { role: 'Stopped', failed: false, failedStop: false, pending: false };
  let seen = false;
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
    const rc = op.rcCode;
    const isProbe = op.operation === 'monitor' && op.interval === 0;
    const notRunning = rc === 7;
    // Pacemaker trusts the rc when the executor said done or error (old CIBs record probes as error).
    if (op.opStatus === 1) continue;
    const okStatus = op.opStatus === 0 || op.opStatus === 4;
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
          state.onFail = onFailFor(inst, op, options);
          state.role = state.role === 'Stopped' ? 'Started' : state.role;
        }
        continue;
      }
      if ((rc === 0 || rc === 8) && okStatus) {
        state.role = rc === 8 ? 'Promoted' : state.role === 'Promoted' && !isProbe ? 'Promoted' : state.role === 'Stopped' || isProbe ? (isProbe ? 'Started' : 'Started') : state.role;
        if (rc === 0 && isProbe) state.role = 'Started';
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
        state.role = 'Unpromoted';
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

/** Sums fail-count-RSC[#op_interval] attributes on a node; returns the count and the latest failure time. */
export function failCountOn(node: PolicyNode, names: readonly string[]): { count: number; lastFailure: number } {
  let count = 0;
  let lastFailure = 0;
  // Only the attributes that can match one of the names, in their order.
  const index = failureAttributeIndexOf(node.attributes);
  const lists: (readonly number[] | undefined)[] = [];
  for (const name of names) {
    const base = name.endsWith(':*') ? name.slice(0, -2) : name;
    lists.push(index.byName.get(base));
    if (name.endsWith(':*')) lists.push(index.byCloneBase.get(base));
  }
  // Most resources have no failure attributes at all.
  if (lists.every((list) => list === undefined)) return { count, lastFailure };
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

/** Phase: determine the current state of every instance, and the orphans. */
export function determineCurrentState(cib: Cib, model: ResourceModel, nodes: readonly PolicyNode[], options: ClusterOptions, now: number): Orphan[] {
  const orphans: Orphan[] = [];
  const orphanCount = new Map<string, number>();
  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  const nodeByName = new Map(nodes.map((n) => [n.uname, n]));
  for (const state of cib.status.nodes) {
    const node = (state.id === undefined ? undefined : nodeById.get(state.id)) ?? (state.uname === undefined ? undefined : nodeByName.get(state.uname));
    // The history of a cleanly offline node says nothing about what runs now.
    if (node === undefined || state.lrm === undefined || (!node.online && !node.unclean)) continue;
    // Anonymous clone instances are matched per node: the lowest free instance number.
    const anonymousUsed = new Map<string, Set<number>>();
    const anonymousByNode = new Map<string, Unit>();
    for (const lrm of state.lrm.resources) {
      let inst = model.instances.get(lrm.id);
      const baseId = lrm.id.replace(/:\d+$/, '');
      const entry = model.byId.get(baseId);
      if (entry?.clone !== undefined && !entry.clone.unique) {
        const set = entry.clone;
        const memberIndex = set.instances[0]?.members.findIndex((m) => m.primitive.id === baseId) ?? -1;
        if (memberIndex < 0) inst = undefined;
        else {
          let unit = anonymousByNode.get(set.id);
          if (unit === undefined) {
            // Peek whether this node's history shows the clone active; pick an instance anyway.
            const used = anonymousUsed.get(set.id) ?? new Set<number>();
            unit = set.instances.find((u) => !used.has(u.instanceNumber ?? 0) && !u.members.some((m) => m.current.size > 0 && [...m.current.values()].some((s) => s.role !== 'Stopped')));
            if (unit !== undefined) {
              anonymousByNode.set(set.id, unit);
              used.add(unit.instanceNumber ?? 0);
              anonymousUsed.set(set.id, used);
            }
          }
          inst = unit?.members[memberIndex];
        }
      }
      const expiry = inst === undefined ? 0 : durationSeconds(inst.meta.get('failure-timeout'));
      const anonymous = inst?.unit.clone !== undefined && !inst.unit.clone.unique;
      const names = inst === undefined ? [lrm.id] : anonymous ? [`${inst.primitive.id}:*`] : [inst.id, inst.primitive.id];
      const fc = failCountOn(node, names);
      const isExpired = (op: LrmRscOp): boolean => {
        if (expiry <= 0) return false;
        const onFail = onFailFor(inst, op, options);
        if (onFail === 'block') return false;
        const last = Math.max(op.lastRcChange ?? 0, fc.lastFailure);
        return last > 0 && now >= last + expiry;
      };
      const run = replayHistory(lrm.ops, inst, options, isExpired);
      if (inst === undefined) {
        if (run !== undefined && run.role !== 'Stopped') orphans.push({ id: lrm.id, node: node.uname, role: run.role });
        continue;
      }
      const active = (r: NodeRunState | undefined): boolean => r !== undefined && (r.role !== 'Stopped' || r.failed);
      if (active(run) && active(inst.current.get(node.uname)) && inst.unit.clone !== undefined && !inst.unit.clone.unique && inst.unit.members.length === 1) {
        // A second active copy of an anonymous clone on one node: another instance if the node
        // may hold more, else an orphan to stop.
        const set = inst.unit.clone;
        const here = set.instances.filter((u) => u.members.some((m) => active(m.current.get(node.uname)))).length;
        const free = set.instances.find((u) => u.members.every((m) => ![...m.current.values()].some(active)));
        const spare = free?.members[0];
        if (here < set.nodeMax && spare !== undefined && run !== undefined) spare.current.set(node.uname, run);
        else if (run !== undefined) {
          // Pacemaker numbers orphan instances on from clone-max.
          const n = orphanCount.get(set.id) ?? 0;
          orphanCount.set(set.id, n + 1);
          orphans.push({ id: `${set.childId}:${set.instances.length + n}`, node: node.uname, role: run.role });
        }
        continue;
      }
      if (run !== undefined && active(run)) inst.current.set(node.uname, run);
      const trusted = node.online || options.stonithEnabled;
      if (run?.ban === 'node' && trusted) inst.bannedNodes.add(node.uname);
      if (run?.ban === 'all' && trusted) for (const n of nodes) inst.bannedNodes.add(n.uname);
      const expired = expiry > 0 && fc.lastFailure > 0 && now >= fc.lastFailure + expiry;
      const threshold = migrationThresholdOf(inst);
      // Failures of operations with on-fail=ignore do not count toward migration-threshold.
      const failedOps = lrm.ops.filter((o) => o.opStatus !== -1 && o.rcCode !== expectedRc(o) && !(o.operation === 'monitor' && o.interval === 0 && (o.rcCode === 7 || o.rcCode === 0 || o.rcCode === 8)));
      const onlyIgnored = failedOps.length > 0 && failedOps.every((o) => onFailFor(inst, o, options) === 'ignore');
      if (!expired && !onlyIgnored && fc.count > 0 && fc.count >= threshold) inst.bannedNodes.add(node.uname);
    }
  }
  return orphans;
}
