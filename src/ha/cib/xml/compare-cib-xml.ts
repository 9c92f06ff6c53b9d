/**
 * Semantic comparison of two CIB XML documents, used to check an export against the document it
 * was imported from. Two documents are the same when they have the same elements with the same
 * attributes and values; the order of attributes, whitespace, comments and the order between
 * siblings of different element names (a primitive's meta_attributes before or after its
 * operations) do not matter, except inside resources, constraints and rules, where Pacemaker
 * reads siblings in document order. Siblings are matched by element name and id (by position
 * among same-named siblings without ids). Values of typed attributes (scores, booleans, roles,
 * durations, integers, enumerations) are compared by meaning: `+INFINITY` and `INFINITY`, `10`
 * and `10s` in an operation interval, `1` and `true` are the same value spelled differently.
 */
import { parseDuration } from '../duration.js';
import { parsePacemakerBoolean } from '../pacemaker-boolean.js';
import { parseRole } from '../role.js';
import { formatScore, parseScore } from '../score.js';
import { parseInteger } from './element-reader.js';
import { pathSegment } from './import-diagnostics.js';
import type { SourceElement } from './parse-xml.js';

/** One difference between the original and the exported document. */
export interface XmlDifference {
  readonly kind:
    | 'missing-element' // in the original, not in the export
    | 'extra-element' // in the export, not in the original
    | 'missing-attribute'
    | 'extra-attribute'
    | 'changed-value' // the values mean different things
    | 'respelled-value' // same meaning, different spelling (canonical export)
    | 'reordered'; // same siblings, different order where order matters
  /** Path of the element (for attributes, of the element holding them). */
  readonly path: string;
  readonly attribute?: string;
  readonly original?: string;
  readonly exported?: string;
  /** Line in the original document, when the element is there. */
  readonly line?: number;
}

/** Parents whose children's relative order matters across element names. */
const ORDERED_PARENTS: ReadonlySet<string> = new Set(['resources', 'constraints', 'rule']);

type Normaliser = (value: string) => string | undefined;

const asScore: Normaliser = (v) => {
  const s = parseScore(v);
  return s === undefined ? undefined : formatScore(s);
};
const asBoolean: Normaliser = (v) => {
  const b = parsePacemakerBoolean(v);
  return b === undefined ? undefined : String(b);
};
const asRole: Normaliser = (v) => parseRole(v)?.role;
const asDuration: Normaliser = (v) => {
  const d = parseDuration(v);
  return d === undefined ? undefined : String(d);
};
const asInteger: Normaliser = (v) => {
  const i = parseInteger(v);
  return i === undefined ? undefined : String(i);
};
const asLowerCase: Normaliser = (v) => v.trim().toLowerCase();
const asNodeType: Normaliser = (v) => (v.trim().toLowerCase() === 'normal' ? 'member' : v.trim().toLowerCase());

const NVSET_NAMES = ['instance_attributes', 'meta_attributes', 'cluster_property_set', 'utilization'];

/** How each typed attribute's value is read, keyed `element@attribute`. */
const TYPED_ATTRIBUTES: ReadonlyMap<string, Normaliser> = new Map<string, Normaliser>([
  ...['rsc_location', 'rsc_colocation', 'rsc_order', 'rule', 'resource_set', 'node', ...NVSET_NAMES].map((e): [string, Normaliser] => [`${e}@score`, asScore]),
  ...[
    'cib@have-quorum',
    'cib@no-quorum-panic',
    'op@enabled',
    'op@record-pending',
    'rsc_order@symmetrical',
    'rsc_order@require-all',
    'resource_set@sequential',
    'resource_set@require-all',
    'node_state@in_ccm',
    'node_state@remote_node',
  ].map((k): [string, Normaliser] => [k, asBoolean]),
  ...['rsc_location@role', 'rule@role', 'op@role', 'rsc_colocation@rsc-role', 'rsc_colocation@with-rsc-role', 'resource_set@role'].map((k): [string, Normaliser] => [k, asRole]),
  ...['op@interval', 'op@timeout', 'op@start-delay'].map((k): [string, Normaliser] => [k, asDuration]),
  ...[
    'cib@admin_epoch',
    'cib@epoch',
    'cib@num_updates',
    'cib@execution-date',
    'cib@remote-tls-port',
    'cib@remote-clear-port',
    'node_state@shutdown',
    'fencing-level@index',
    ...['call-id', 'rc-code', 'op-status', 'interval', 'last-run', 'last-rc-change', 'exec-time', 'queue-time'].map((a) => `lrm_rsc_op@${a}`),
  ].map((k): [string, Normaliser] => [k, asInteger]),
  ...[
    'op@on-fail',
    'rsc_order@kind',
    'rsc_order@first-action',
    'rsc_order@then-action',
    'resource_set@action',
    'resource_set@kind',
    'resource_set@ordering',
    'expression@operation',
    'expression@type',
    'expression@value-source',
    'rule@boolean-op',
    'rsc_location@resource-discovery',
  ].map((k): [string, Normaliser] => [k, asLowerCase]),
  ['node@type', asNodeType],
  ['fencing-level@devices', (v) => v.split(',').map((d) => d.trim()).filter((d) => d !== '').join(',')],
]);

/**
 * The differences between `original` and `exported` (both parsed with parseXml), in document
 * order of the original. An empty list means the export says exactly what the original said.
 */
export function compareCibXml(original: SourceElement, exported: SourceElement): XmlDifference[] {
  const out: XmlDifference[] = [];
  compareElements(original, exported, '', out);
  return out;
}

function compareElements(a: SourceElement, b: SourceElement, parentPath: string, out: XmlDifference[]): void {
  const path = `${parentPath}/${pathSegment(a.name, a.attributes.get('id'))}`;
  for (const [name, value] of a.attributes) {
    const other = b.attributes.get(name);
    if (other === undefined) {
      out.push({ kind: 'missing-attribute', path, attribute: name, original: value, line: a.line });
    } else if (other !== value) {
      const normalise = TYPED_ATTRIBUTES.get(`${a.name}@${name}`);
      const same = normalise !== undefined && normalise(value) !== undefined && normalise(value) === normalise(other);
      out.push({ kind: same ? 'respelled-value' : 'changed-value', path, attribute: name, original: value, exported: other, line: a.line });
    }
  }
  for (const [name, value] of b.attributes) {
    if (!a.attributes.has(name)) out.push({ kind: 'extra-attribute', path, attribute: name, exported: value, line: a.line });
  }

  const aChildren = elementsOf(a);
  const bChildren = elementsOf(b);
  const aKeys = siblingKeys(aChildren);
  const bKeys = siblingKeys(bChildren);
  const bByKey = new Map(bKeys.map((k, i) => [k, bChildren[i]!]));
  const aKeySet = new Set(aKeys);
  aChildren.forEach((child, i) => {
    const match = bByKey.get(aKeys[i]!);
    if (match === undefined) out.push({ kind: 'missing-element', path: `${path}/${pathSegment(child.name, child.attributes.get('id'))}`, line: child.line });
    else compareElements(child, match, path, out);
  });
  bChildren.forEach((child, i) => {
    if (!aKeySet.has(bKeys[i]!)) out.push({ kind: 'extra-element', path: `${path}/${pathSegment(child.name, child.attributes.get('id'))}`, line: a.line });
  });

  // Order: among same-named siblings always; across names only where Pacemaker reads it.
  const common = (keys: string[]): string[] => keys.filter((k) => aKeySet.has(k) && bByKey.has(k));
  const aOrder = common(aKeys);
  const bOrder = common(bKeys);
  const joined = (keys: string[]): string => keys.join("\n");
  if (ORDERED_PARENTS.has(a.name)) {
    if (joined(aOrder) !== joined(bOrder)) out.push({ kind: 'reordered', path, line: a.line });
  } else {
    const names = new Set(aOrder.map(nameOfKey));
    for (const n of names) {
      if (joined(aOrder.filter((k) => nameOfKey(k) === n)) !== joined(bOrder.filter((k) => nameOfKey(k) === n))) {
        out.push({ kind: 'reordered', path: `${path}/${n}`, line: a.line });
      }
    }
  }
}

function elementsOf(e: SourceElement): SourceElement[] {
  return e.children.filter((c): c is SourceElement => c.kind === 'element');
}

/**
 * A key per sibling: `name#id` when the id is unique among same-named siblings, else
 * `name@n` (the n-th same-named sibling without a usable id).
 */
function siblingKeys(children: readonly SourceElement[]): string[] {
  const idCounts = new Map<string, number>();
  for (const c of children) {
    const id = c.attributes.get('id');
    if (id !== undefined) idCounts.set(`${c.name}#${id}`, (idCounts.get(`${c.name}#${id}`) ?? 0) + 1);
  }
  const positions = new Map<string, number>();
  return children.map((c) => {
    const id = c.attributes.get('id');
    const idKey = `${c.name}#${id}`;
    if (id !== undefined && idCounts.get(idKey) === 1) return idKey;
    const n = positions.get(c.name) ?? 0;
    positions.set(c.name, n + 1);
    return `${c.name}@${n}`;
  });
}

function nameOfKey(key: string): string {
  return key.split(/[#@]/, 1)[0] ?? key;
}
