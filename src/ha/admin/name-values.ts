/**
 * `name=value` words as the operator types them (`ip=10.0.0.10`, `--meta target-role=Stopped`),
 * read into an ordered list of pairs; ids for the nvsets they become. Pure.
 */
import { ok, type Result } from '../../lib/index.js';
import { sanitizeXmlId, type NvSet } from '../cib/index.js';
import { inputError, type AdminInputError } from './admin-input-error.js';

export interface NameValue {
  readonly name: string;
  /** Empty when the operator wrote `name=` (which the update commands read as "remove"). */
  readonly value: string;
}

/**
 * Reads `words` as name=value pairs. A word without `=`, an empty name, or a name given twice is an
 * error naming `option` (the same name twice is ambiguous: which one did the operator mean?).
 */
export function parseNameValues(words: readonly string[], option: string): Result<readonly NameValue[], AdminInputError> {
  const pairs: NameValue[] = [];
  const seen = new Set<string>();
  for (const word of words) {
    const equals = word.indexOf('=');
    if (equals <= 0) return inputError(option, `'${word}' is not name=value`);
    const name = word.slice(0, equals);
    if (seen.has(name)) return inputError(option, `'${name}' is given twice`);
    seen.add(name);
    pairs.push({ name, value: word.slice(equals + 1) });
  }
  return ok(pairs);
}

/** One nvset `OWNER-KIND` holding `pairs` (pair ids `OWNER-KIND-NAME`), or none when `pairs` is empty. */
export function nvSetOf(owner: string, kind: 'instance_attributes' | 'meta_attributes', pairs: readonly NameValue[]): NvSet[] {
  if (pairs.length === 0) return [];
  const setId = `${owner}-${kind}`;
  return [{ id: setId, rules: [], pairs: pairs.map((p) => ({ id: sanitizeXmlId(`${setId}-${p.name}`), name: p.name, value: p.value })) }];
}

