/**
 * The engine's working model of the resources: primitive instances (a primitive, a group member or
 * a clone instance's member), allocation units (a primitive or a group, possibly a clone
 * instance), and clone sets. Built from the configuration with meta attributes resolved along the
 * chain own sets → group → clone → rsc_defaults.
 */
import { isPromotableClone, parsePacemakerBoolean, parseScore, resolveNvSets, SCORE_INFINITY, type Cib, type Clone, type Group, type NvSet, type Primitive, type Role } from '../cib/index.js';

/** A primitive's state on one node, learned from the operation history. */
export interface NodeRunState {
  role: Role;
  failed: boolean;
  /** A failed stop: the node must be fenced (or the resource is blocked). */
  failedStop: boolean;
  /** on-fail of the failed operation, if any. */
  onFail?: string;
  /** The failed operation's name (for fencing reasons). */
  pending: boolean;
  /** A hard error bans the resource from this node, or a fatal one from every node. */
  ban?: 'node' | 'all';
}

export interface Instance {
  /** The name printed in summaries: `rsc`, or `child:N` in a clone. */
  readonly id: string;
  readonly primitive: Primitive;
  readonly meta: ReadonlyMap<string, string>;
  readonly unit: Unit;
  /** lrm_resource ids that belong to this instance (set while reading the history). */
  readonly current: Map<string, NodeRunState>;
  managed: boolean;
  /** The lrm_resource id this instance was last found under in the history. */
  historyId?: string;
  /** Nodes where the fail count reached migration-threshold. */
  readonly bannedNodes: Set<string>;
  /** Nodes whose history (probes included) tells this instance's state there. */
  readonly knownOn: Set<string>;
  next?: string;
  nextRole: Role;
  targetRole: Role;
  /** Why a stop happens, for the summary ("node availability", ...). */
  stopReason?: string;
  /** Set when an ordering dependency forces a restart: the reason text. */
  restartReason?: string;
  /** Set when an ordering dependency makes the start unrunnable. */
  unrunnableReason?: string;
  /** The node a start was planned on before an ordering made it unrunnable. */
  blockedStart?: string;
  /** An interleaved instance with no peer on its node: left unassigned, without a summary line. */
  unassigned?: boolean;
  /** The role that blocked start was for (a start to be promoted is summarised as a blocked Promote). */
  blockedRole?: Role;
  blocked: boolean;
  /** on-fail=demote: this instance may not be promoted now. */
  promotionBlocked?: boolean;
  /** The stop cannot run because something that must stop first is blocked. */
  stopBlocked?: boolean;
  /** The resource whose blocked stop this stop waits for (directly). */
  stopBlockedBy?: string;
  /** A stop that is needed but cannot run (its node cannot be fenced yet). */
  blockedStop?: { readonly node: string; readonly reason?: string };
}

export interface Unit {
  readonly id: string;
  readonly kind: 'primitive' | 'group';
  readonly members: Instance[];
  readonly meta: ReadonlyMap<string, string>;
  readonly docIndex: number;
  readonly clone?: CloneSet;
  readonly instanceNumber?: number;
  next?: string;
  allocated: boolean;
}

export interface CloneSet {
  readonly id: string;
  readonly clone: Clone;
  readonly childId: string;
  readonly meta: ReadonlyMap<string, string>;
  readonly promotable: boolean;
  readonly unique: boolean;
  readonly max: number;
  readonly nodeMax: number;
  readonly promotedMax: number;
  readonly interleave: boolean;
  readonly instances: Unit[];
  readonly docIndex: number;
  allocated: boolean;
}

export interface ResourceModel {
  /** Allocation units outside clones, in document order. */
  readonly units: Unit[];
  readonly clones: CloneSet[];
  /** Every instance, by printed id. */
  readonly instances: Map<string, Instance>;
  /** Every configured resource id (primitive, group, clone) → the units it covers. */
  readonly byId: Map<string, { units: Unit[]; clone?: CloneSet }>;
}

const NO_META: ReadonlyMap<string, string> = new Map();

/**
 * The levels merged, the first level's value winning. Levels are read-only, so a merge with a
 * single non-empty level is that level itself (most resources have no meta attributes of their own,
 * and a large cluster has tens of thousands of them).
 */
function merge(...levels: ReadonlyMap<string, string>[]): ReadonlyMap<string, string> {
  const nonEmpty = levels.filter((level) => level.size > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? NO_META;
  const out = new Map<string, string>();
  for (const level of nonEmpty) for (const [k, v] of level) if (!out.has(k)) out.set(k, v);
  return out;
}

function metaOf(sets: readonly NvSet[]): ReadonlyMap<string, string> {
  if (sets.length === 0) return NO_META;
  const resolved = resolveNvSets(sets);
  const out = new Map<string, string>();
  for (const [k, v] of resolved) out.set(k.replace(/_/g, '-') === 'target-role' ? 'target-role' : k, v);
  return out;
}

function roleOf(text: string | undefined): Role {
  switch ((text ?? '').trim().toLowerCase()) {
    case 'stopped':
      return 'Stopped';
    case 'unpromoted':
    case 'slave':
      return 'Unpromoted';
    case 'promoted':
    case 'master':
      return 'Promoted';
    default:
      return 'Started';
  }
}

export function metaBool(meta: ReadonlyMap<string, string>, name: string, fallback: boolean): boolean {
  const v = meta.get(name);
  return v === undefined ? fallback : (parsePacemakerBoolean(v) ?? fallback);
}

export function metaInt(meta: ReadonlyMap<string, string>, name: string, fallback: number): number {
  const v = meta.get(name);
  if (v === undefined) return fallback;
  return parseScore(v) ?? fallback;
}

function makeInstance(id: string, primitive: Primitive, meta: ReadonlyMap<string, string>, unit: Unit, maintenanceMode: boolean): Instance {
  const managed = metaBool(meta, 'is-managed', true) && !metaBool(meta, 'maintenance', false) && !maintenanceMode;
  const targetRole = roleOf(meta.get('target-role'));
  return { id, primitive, meta, unit, current: new Map(), managed, bannedNodes: new Set(), knownOn: new Set(), nextRole: 'Stopped', targetRole, blocked: false };
}

/** Phase: build the resource model from the configuration. */
export function buildResourceModel(cib: Cib, nodeCount: number, maintenanceMode: boolean): ResourceModel {
  const defaults = metaOf(cib.configuration.rscDefaults ?? []);
  const units: Unit[] = [];
  const clones: CloneSet[] = [];
  const instances = new Map<string, Instance>();
  const byId = new Map<string, { units: Unit[]; clone?: CloneSet }>();
  let docIndex = 0;

  const buildUnit = (rsc: Primitive | Group, inherited: ReadonlyMap<string, string>, clone: CloneSet | undefined, n: number | undefined): Unit => {
    const suffix = n === undefined ? '' : `:${n}`;
    const own = metaOf(rsc.metaAttributes);
    const meta = merge(own, inherited);
    const unit: Unit = { id: rsc.id + suffix, kind: rsc.kind, members: [], meta, docIndex: docIndex++, allocated: false, ...(clone === undefined ? {} : { clone }), ...(n === undefined ? {} : { instanceNumber: n }) };
    const prims = rsc.kind === 'primitive' ? [rsc] : rsc.members;
    for (const p of prims) {
      const pmeta = rsc.kind === 'primitive' ? meta : merge(metaOf(p.metaAttributes), meta);
      const inst = makeInstance(p.id + suffix, p, pmeta, unit, maintenanceMode);
      unit.members.push(inst);
      instances.set(inst.id, inst);
    }
    return unit;
  };

  for (const rsc of cib.configuration.resources) {
    if (rsc.kind === 'unsupported') continue;
    if (rsc.kind === 'clone') {
      const cmeta = merge(metaOf(rsc.metaAttributes), defaults);
      const promotable = isPromotableClone(rsc, cmeta.get('promotable'));
      const unique = metaBool(cmeta, 'globally-unique', false);
      const max = Math.max(0, metaInt(cmeta, 'clone-max', nodeCount));
      const nodeMax = Math.max(0, metaInt(cmeta, 'clone-node-max', 1));
      const promotedMax = metaInt(cmeta, 'promoted-max', metaInt(cmeta, 'master-max', 1));
      const inherited = merge(cmeta.has('resource-stickiness') ? new Map() : new Map([['resource-stickiness', '1']]), cmeta);
      const set: CloneSet = {
        id: rsc.id,
        clone: rsc,
        childId: rsc.child.id,
        meta: inherited,
        promotable,
        unique,
        max,
        nodeMax,
        promotedMax,
        interleave: metaBool(cmeta, 'interleave', false),
        instances: [],
        docIndex: docIndex++,
        allocated: false,
      };
      for (let i = 0; i < max; i++) set.instances.push(buildUnit(rsc.child, inherited, set, i));
      clones.push(set);
      byId.set(rsc.id, { units: set.instances, clone: set });
      byId.set(rsc.child.id, { units: set.instances, clone: set });
      if (rsc.child.kind === 'group') for (const m of rsc.child.members) byId.set(m.id, { units: set.instances, clone: set });
      continue;
    }
    const unit = buildUnit(rsc, defaults, undefined, undefined);
    units.push(unit);
    byId.set(rsc.id, { units: [unit] });
    if (rsc.kind === 'group') for (const m of rsc.members) byId.set(m.id, { units: [unit] });
  }
  return { units, clones, instances, byId };
}

/** `id` without a clone instance number (`rsc:3` → `rsc`): `id.replace(/:\d+$/, '')` without a regex (it runs for every history entry). */
export function withoutInstanceNumber(id: string): string {
  const colon = id.lastIndexOf(':');
  if (colon < 0 || colon === id.length - 1) return id;
  for (let i = colon + 1; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return id;
  }
  return id.slice(0, colon);
}

export function stickinessOf(inst: Instance, defaultStickiness: number): number {
  return metaInt(inst.meta, 'resource-stickiness', defaultStickiness);
}

export function migrationThresholdOf(inst: Instance): number {
  const v = metaInt(inst.meta, 'migration-threshold', SCORE_INFINITY);
  return v <= 0 ? SCORE_INFINITY : v;
}
