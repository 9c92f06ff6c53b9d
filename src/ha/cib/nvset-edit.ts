/**
 * Setting and removing one name in an owner's nvsets (a resource's meta_attributes, a node's
 * instance_attributes, crm_config), the way Pacemaker's tools do it: a value is updated where the
 * name already is, else added to the owner's first set, else to a new set. Sets written as
 * references (`id-ref`) are not edited, because their content belongs to the set they name.
 * Both functions return the input array itself when nothing changes.
 */
import type { NvPair, NvSet } from './nvset.js';

/** Ids for what setNvPair may have to create. */
export interface NewNvIds {
  /** The id of a new set, when the owner has no set to add the pair to. */
  readonly setId: () => string;
  /** The id of a new pair in set `setId`. */
  readonly pairId: (setId: string) => string;
}

/**
 * `sets` with `name` = `value`: the first pair of that name in an unconditional set (no rules, not
 * a reference) gets the value; else the pair is appended to the first unconditional set (or the
 * set with id `preferredSetId` when it is one); else a new set holds it.
 */
export function setNvPair(sets: readonly NvSet[], name: string, value: string, ids: NewNvIds, preferredSetId?: string): readonly NvSet[] {
  const editable = (set: NvSet): boolean => set.idRef === undefined && set.rules.length === 0;
  const holder = sets.findIndex((set) => editable(set) && set.pairs.some((p) => p.name === name));
  if (holder >= 0) {
    const set = sets[holder] as NvSet;
    const index = set.pairs.findIndex((p) => p.name === name);
    const pair = set.pairs[index] as NvPair;
    if (pair.value === value) return sets;
    const pairs = set.pairs.map((p, i): NvPair => (i === index ? { ...p, value } : p));
    return sets.map((s, i) => (i === holder ? { ...set, pairs } : s));
  }
  const preferred = preferredSetId === undefined ? -1 : sets.findIndex((set) => editable(set) && set.id === preferredSetId);
  const target = preferred >= 0 ? preferred : sets.findIndex(editable);
  if (target >= 0) {
    const set = sets[target] as NvSet;
    const pairs = [...set.pairs, { id: ids.pairId(set.id), name, value }];
    return sets.map((s, i) => (i === target ? { ...set, pairs } : s));
  }
  const setId = ids.setId();
  return [...sets, { id: setId, rules: [], pairs: [{ id: ids.pairId(setId), name, value }] }];
}

/** `sets` without any pair named `name` (in every set that is not a reference). */
export function removeNvPair(sets: readonly NvSet[], name: string): readonly NvSet[] {
  if (!sets.some((set) => set.idRef === undefined && set.pairs.some((p) => p.name === name))) return sets;
  return sets.map((set) => (set.idRef === undefined && set.pairs.some((p) => p.name === name) ? { ...set, pairs: set.pairs.filter((p) => p.name !== name) } : set));
}
