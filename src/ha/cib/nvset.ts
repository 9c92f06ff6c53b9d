/**
 * Name/value sets (Pacemaker's nvsets): the cluster_property_set, instance_attributes,
 * meta_attributes and utilization blocks that carry options everywhere in the CIB. Values stay the
 * strings the CIB holds: each consumer applies Pacemaker's rules for its own option (a misspelled
 * name or an invalid value is the consumer's business, and the importer warns about names it does
 * not know). `resolveNvSets` merges a list of sets the way Pacemaker 2.1 does.
 */
import type { Rule } from './rule.js';
import type { Score } from './score.js';

/** One `<nvpair>`. */
export interface NvPair {
  /** The pair's id; for a reference, the id of the pair it names. */
  readonly id: string;
  readonly name: string;
  /**
   * The value; undefined when the pair has none, which Pacemaker treats as if the pair were absent.
   * `#default` (any case) means "remove the value set so far" (see resolveNvSets).
   */
  readonly value?: string;
  /**
   * Set when the CIB wrote this pair as `<nvpair id-ref="..."/>`: the importer has already
   * copied the referenced pair's name and value here (a name written on the reference wins), and
   * the exporter writes the reference back.
   */
  readonly idRef?: string;
}

/** One block of pairs: `<instance_attributes>`, `<meta_attributes>`, `<cluster_property_set>`. */
export interface NvSet {
  /** The set's id; for a reference, the id of the set it names. */
  readonly id: string;
  /**
   * Set when the CIB wrote this block as `<meta_attributes id-ref="..."/>` (or another set kind):
   * the content below is the referenced block's, resolved at import.
   */
  readonly idRef?: string;
  /** Precedence among the sets of one owner; absent means 0. Higher scores are applied first. */
  readonly score?: Score;
  /** The set applies only where one of these rules passes; no rules means it always applies. */
  readonly rules: readonly Rule[];
  /** The pairs in document order; within one set the first pair of a name wins. */
  readonly pairs: readonly NvPair[];
}

/** Options for resolveNvSets. */
export interface ResolveNvSetsOptions {
  /**
   * Decides whether a set's rule passes where the values are wanted (on a node, at a time). The
   * default says no to every rule, so sets guarded by rules are skipped: callers that evaluate
   * rules (the policy engine, on a node) must pass their evaluator.
   */
  readonly ruleMatches?: (rule: Rule) => boolean;
  /** The id of a set to apply before all others (Pacemaker puts `cib-bootstrap-options` first in crm_config). */
  readonly firstId?: string;
}

/**
 * Merges sets into one name → value map with Pacemaker 2.1's rules (pe_eval_nvpairs without
 * overwrite, in lib/pengine/rules.c):
 * - sets are applied in order: the set with id `firstId` first, then by descending score; sets of
 *   equal score are applied in REVERSE document order (Pacemaker prepends each set to a list and
 *   then sorts it stably), so of two unscored sets the later one wins;
 * - a set whose rules all fail is skipped (no rules = applies);
 * - a value already present is never overwritten, so the first set and the first pair win;
 * - a pair without a value is ignored; a `#default` value removes the value set so far, which a
 *   later set may then set again.
 * Pure; the input is not modified. Resolving the defaults chain of a resource (own sets, parent's,
 * rsc_defaults) is the caller's job: call this once per level and merge without overwriting.
 */
export function resolveNvSets(sets: readonly NvSet[], options: ResolveNvSetsOptions = {}): ReadonlyMap<string, string> {
  const ruleMatches = options.ruleMatches ?? (() => false);
  const indexed = sets.map((set, index) => ({ set, index }));
  indexed.sort((a, b) => {
    if (options.firstId !== undefined) {
      const aFirst = a.set.id.toLowerCase() === options.firstId.toLowerCase();
      const bFirst = b.set.id.toLowerCase() === options.firstId.toLowerCase();
      if (aFirst !== bFirst) return aFirst ? -1 : 1;
    }
    const byScore = (b.set.score ?? 0) - (a.set.score ?? 0);
    return byScore !== 0 ? byScore : b.index - a.index;
  });
  const values = new Map<string, string>();
  for (const { set } of indexed) {
    if (set.rules.length > 0 && !set.rules.some(ruleMatches)) continue;
    for (const pair of set.pairs) {
      if (pair.value === undefined) continue;
      if (pair.value.toLowerCase() === '#default') {
        values.delete(pair.name);
      } else if (!values.has(pair.name)) {
        values.set(pair.name, pair.value);
      }
    }
  }
  return values;
}
