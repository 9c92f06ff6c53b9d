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

/** Location constraints whose subject names `ids` (resource ids or patterns). */
export function locationsFor(cib: Cib, ids: readonly string[]): LocationConstraint[] {
  const out: LocationConstraint[] = [];
  for (const c of cib.configuration.constraints) {
    if (c.kind !== 'location') continue;
    const s = c.subject;
    if (s.kind === 'resource' && ids.includes(s.rsc)) out.push(c);
    else if (s.kind === 'pattern') {
      let re: RegExp | undefined;
      try {
        re = new RegExp(s.pattern);
      } catch {
        re = undefined;
      }
      if (re !== undefined && ids.some((id) => re.test(id))) out.push(c);
    } else if (s.kind === 'sets' && s.sets.some((set) => set.resources.some((r) => ids.includes(r)))) out.push(c);
  }
  return out;
}

export function locationRole(c: LocationConstraint): Role | undefined {
  if (c.subject.kind === 'sets') return c.subject.sets[0]?.role;
  return c.subject.role;
}

export { SCORE_INFINITY };
