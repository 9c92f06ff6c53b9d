/**
 * Constraint expansion: location, colocation and order constraints (pair and set forms) turned
 * into flat lists of pairs between configured resource ids, as Pacemaker unpacks them.
 */
import { SCORE_INFINITY, type Cib, type ConstraintAction, type LocationConstraint, type OrderKind, type ResourceSet, type Role } from '../cib/index.js';

export interface ColocationPair {
  readonly id: string;
  readonly dependent: string;
  readonly primary: string;
  readonly score: number;
  readonly dependentRole?: Role;
  readonly primaryRole?: Role;
  /** Colocate on nodes with the same value of this node attribute (default: the same node). */
  readonly nodeAttribute?: string;
}

export interface OrderPair {
  readonly id: string;
  readonly first: string;
  readonly then: string;
  readonly firstAction: ConstraintAction;
  readonly thenAction: ConstraintAction;
  readonly kind: OrderKind;
  readonly symmetrical: boolean;
}

function withRole<T extends object>(base: T, key: string, role: Role | undefined): T {
  return role === undefined || role === 'Started' ? base : { ...base, [key]: role };
}

/**
 * Every colocation as dependent/primary pairs (sets: each member with the previous one, or with the
 * next one when the set says ordering="listed"; between sets, set 1 with set 2).
 */
export function expandColocations(cib: Cib): ColocationPair[] {
  const out: ColocationPair[] = [];
  for (const c of cib.configuration.constraints) {
    if (c.kind !== 'colocation') continue;
    const score = c.score ?? 0;
    if (c.subject.kind === 'pair') {
      let pair: ColocationPair = { id: c.id, dependent: c.subject.rsc, primary: c.subject.withRsc, score };
      pair = withRole(pair, 'dependentRole', c.subject.rscRole);
      pair = withRole(pair, 'primaryRole', c.subject.withRscRole);
      if (c.subject.nodeAttribute !== undefined) pair = { ...pair, nodeAttribute: c.subject.nodeAttribute };
      out.push(pair);
      continue;
    }
    const sets = c.subject.sets;
    for (const set of sets) {
      if (set.sequential === false) continue;
      const s = set.score ?? score;
      if (s === 0) continue;
      const pairs: [string, string][] = [];
      for (let i = 1; i < set.resources.length; i++) {
        const later = set.resources[i] as string;
        const earlier = set.resources[i - 1] as string;
        // Negative: each member keeps away from every earlier one (Pacemaker's unpack_colocation_set);
        // positive: each with the previous one, or with ordering="listed" each with the next.
        if (s < 0) for (const prior of set.resources.slice(0, i)) pairs.push([later, prior]);
        else pairs.push(set.ordering === 'listed' ? [earlier, later] : [later, earlier]);
      }
      for (const [dependent, primary] of pairs) out.push(withRole(withRole({ id: c.id, dependent, primary, score: s }, 'dependentRole', set.role), 'primaryRole', set.role));
    }
    for (let k = 0; k + 1 < sets.length; k++) {
      const a = sets[k] as ResourceSet;
      const b = sets[k + 1] as ResourceSet;
      const deps = a.sequential === false ? a.resources : a.resources.slice(0, 1);
      const prims = b.sequential === false ? b.resources : b.resources.slice(-1);
      for (const dependent of deps)
        for (const primary of prims) out.push(withRole(withRole({ id: c.id, dependent, primary, score }, 'dependentRole', a.role), 'primaryRole', b.role));
    }
  }
  return out;
}

function orderKindOf(kind: OrderKind | undefined, score: number | undefined): OrderKind {
  if (kind !== undefined) return kind;
  if (score === undefined) return 'Mandatory';
  return score === 0 ? 'Optional' : 'Mandatory';
}

/** Every order as first/then pairs (sets: each member after the previous one; between sets, last of set 1 before first of set 2). */
export function expandOrders(cib: Cib): OrderPair[] {
  const out: OrderPair[] = [];
  for (const c of cib.configuration.constraints) {
    if (c.kind !== 'order') continue;
    const kind = orderKindOf(c.orderKind, c.score);
    const symmetrical = c.symmetrical ?? kind !== 'Serialize';
    if (c.subject.kind === 'pair') {
      const firstAction = c.subject.firstAction ?? 'start';
      out.push({ id: c.id, first: c.subject.first, then: c.subject.then, firstAction, thenAction: c.subject.thenAction ?? firstAction, kind, symmetrical });
      continue;
    }
    const sets = c.subject.sets;
    for (const set of sets) {
      if (set.sequential === false) continue;
      const action = set.action ?? 'start';
      for (let i = 1; i < set.resources.length; i++) {
        const first = set.resources[i - 1];
        const then = set.resources[i];
        if (first === undefined || then === undefined) continue;
        out.push({ id: c.id, first, then, firstAction: action, thenAction: action, kind: set.orderKind ?? kind, symmetrical });
      }
    }
    for (let k = 0; k + 1 < sets.length; k++) {
      const a = sets[k] as ResourceSet;
      const b = sets[k + 1] as ResourceSet;
      const firsts = a.sequential === false ? a.resources : a.resources.slice(-1);
      const thens = b.sequential === false ? b.resources : b.resources.slice(0, 1);
      for (const first of firsts)
        for (const then of thens) out.push({ id: c.id, first, then, firstAction: a.action ?? 'start', thenAction: b.action ?? 'start', kind, symmetrical });
    }
  }
  return out;
}

/**
 * The location constraints of a CIB indexed by the resource ids they name (the `rsc` or a set
 * member), with the pattern ones kept apart (each compiled once); positions are document order.
 * Built once per CIB snapshot (snapshots are immutable), so that looking up one resource's
 * constraints does not scan every constraint.
 */
interface LocationIndex {
  readonly byResource: ReadonlyMap<string, readonly number[]>;
  readonly patterns: readonly { readonly position: number; readonly re: RegExp | undefined }[];
  readonly constraints: readonly LocationConstraint[];
}

const locationIndexes = new WeakMap<Cib, LocationIndex>();

function locationIndexOf(cib: Cib): LocationIndex {
  const cached = locationIndexes.get(cib);
  if (cached !== undefined) return cached;
  const byResource = new Map<string, number[]>();
  const patterns: { position: number; re: RegExp | undefined }[] = [];
  const constraints: LocationConstraint[] = [];
  const note = (id: string, position: number): void => {
    const list = byResource.get(id);
    if (list === undefined) byResource.set(id, [position]);
    else if (list[list.length - 1] !== position) list.push(position);
  };
  for (const c of cib.configuration.constraints) {
    if (c.kind !== 'location') continue;
    const position = constraints.length;
    constraints.push(c);
    const s = c.subject;
    if (s.kind === 'resource') note(s.rsc, position);
    else if (s.kind === 'pattern') {
      let re: RegExp | undefined;
      try {
        re = new RegExp(s.pattern);
      } catch {
        re = undefined;
      }
      patterns.push({ position, re });
    } else for (const set of s.sets) for (const r of set.resources) note(r, position);
  }
  const index = { byResource, patterns, constraints };
  locationIndexes.set(cib, index);
  return index;
}

/** Location constraints whose subject names `ids` (resource ids or patterns), in document order. */
export function locationsFor(cib: Cib, ids: readonly string[]): LocationConstraint[] {
  const index = locationIndexOf(cib);
  const lists = ids.map((id) => index.byResource.get(id));
  const matching = index.patterns.filter(({ re }) => re !== undefined && ids.some((id) => re.test(id))).map(({ position }) => position);
  return mergePositions(matching.length === 0 ? lists : [...lists, matching]).map((position) => index.constraints[position] as LocationConstraint);
}

/**
 * The union of ascending position lists, ascending. Most lookups find one list (or the same list
 * under several ids), which is returned as it is.
 */
function mergePositions(lists: readonly (readonly number[] | undefined)[]): readonly number[] {
  let only: readonly number[] | undefined;
  let several = false;
  for (const list of lists) {
    if (list === undefined || list.length === 0 || list === only) continue;
    if (only === undefined) only = list;
    else several = true;
  }
  if (only === undefined) return [];
  if (!several) return only;
  const positions = new Set<number>();
  for (const list of lists) for (const position of list ?? []) positions.add(position);
  return [...positions].sort((a, b) => a - b);
}

/**
 * The colocation pairs of a list indexed by dependent and by primary (positions in list order),
 * built once per list: placement looks up the pairs of one resource many times.
 */
interface ColocationIndex {
  readonly byDependent: ReadonlyMap<string, readonly number[]>;
  readonly byPrimary: ReadonlyMap<string, readonly number[]>;
}

const colocationIndexes = new WeakMap<readonly ColocationPair[], ColocationIndex>();

function colocationIndexOf(colocations: readonly ColocationPair[]): ColocationIndex {
  const cached = colocationIndexes.get(colocations);
  if (cached !== undefined) return cached;
  const byDependent = new Map<string, number[]>();
  const byPrimary = new Map<string, number[]>();
  const note = (map: Map<string, number[]>, id: string, position: number): void => {
    const list = map.get(id);
    if (list === undefined) map.set(id, [position]);
    else list.push(position);
  };
  colocations.forEach((c, position) => {
    note(byDependent, c.dependent, position);
    note(byPrimary, c.primary, position);
  });
  const index = { byDependent, byPrimary };
  colocationIndexes.set(colocations, index);
  return index;
}

function pairsAt(colocations: readonly ColocationPair[], map: ReadonlyMap<string, readonly number[]>, ids: readonly string[]): ColocationPair[] {
  return mergePositions(ids.map((id) => map.get(id))).map((position) => colocations[position] as ColocationPair);
}

/** The pairs of `colocations` whose dependent is one of `ids`, in list order. */
export function colocationsWithDependent(colocations: readonly ColocationPair[], ids: readonly string[]): ColocationPair[] {
  return pairsAt(colocations, colocationIndexOf(colocations).byDependent, ids);
}

/** The pairs of `colocations` whose primary is one of `ids`, in list order. */
export function colocationsWithPrimary(colocations: readonly ColocationPair[], ids: readonly string[]): ColocationPair[] {
  return pairsAt(colocations, colocationIndexOf(colocations).byPrimary, ids);
}

export function locationRole(c: LocationConstraint): Role | undefined {
  if (c.subject.kind === 'sets') return c.subject.sets[0]?.role;
  return c.subject.role;
}

export { SCORE_INFINITY };
