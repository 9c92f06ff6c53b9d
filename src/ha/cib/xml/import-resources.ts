/**
 * Import of `configuration/resources`: primitives, groups, clones (and the legacy `<master>`),
 * with their nvsets and operations. Bundles, templates and primitives built from a template are
 * kept verbatim as unsupported resources.
 */
import { millis } from '../../../lib/index.js';
import { parseDuration } from '../duration.js';
import { DEPRECATED_RESOURCE_META_ATTRIBUTES, META_NAMES_IN_INSTANCE_ATTRIBUTES, OPERATION_OPTIONS, RESOURCE_META_ATTRIBUTES } from '../known-names.js';
import type { NvSet } from '../nvset.js';
import { ON_FAIL_VALUES, RESOURCE_CLASSES, type Clone, type Group, type Operation, type OperationSet, type Primitive, type Resource } from '../resources.js';
import type { ElementReader } from './element-reader.js';
import { readNvSet, type NameCheck } from './import-nvsets.js';
import { followReference, keepVerbatim } from './import-references.js';

/** Warns about resource meta attribute names Pacemaker 2.1.5 does not know or has deprecated. */
export const checkResourceMetaName: NameCheck = (name, reader) => {
  const replacement = DEPRECATED_RESOURCE_META_ATTRIBUTES.get(name);
  if (replacement !== undefined) {
    reader.warn('deprecated-option', `${reader.describe()}: meta attribute '${name}' is deprecated (now '${replacement}'); kept as written`);
  } else if (!RESOURCE_META_ATTRIBUTES.has(name)) {
    reader.warn('unknown-option', `${reader.describe()}: '${name}' is not a resource meta attribute Pacemaker 2.1.5 knows${similarName(name, RESOURCE_META_ATTRIBUTES)}; kept as written`);
  }
};

/** Warns about operation option names Pacemaker 2.1.5 does not know. */
export const checkOperationOptionName: NameCheck = (name, reader) => {
  if (name === 'requires') {
    reader.warn('deprecated-option', `${reader.describe()}: operation option 'requires' is deprecated (use the resource's 'requires' meta attribute); kept as written`);
  } else if (!OPERATION_OPTIONS.has(name)) {
    reader.warn('unknown-option', `${reader.describe()}: '${name}' is not an operation option Pacemaker 2.1.5 knows${similarName(name, OPERATION_OPTIONS)}; kept as written`);
  }
};

/** Warns about resource parameters that look like meta attributes. */
const checkInstanceAttributeName: NameCheck = (name, reader) => {
  if (META_NAMES_IN_INSTANCE_ATTRIBUTES.has(name)) {
    reader.warn(
      'meta-in-instance-attributes',
      `${reader.describe()}: '${name}' looks like a meta attribute but is in instance_attributes, where Pacemaker 2.1.5 passes it to the agent as a parameter; kept as written`,
    );
  }
};

/** " (did you mean 'x'?)" when `name` differs from a known name only by '_' for '-' or letter case. */
export function similarName(name: string, known: ReadonlySet<string>): string {
  const folded = name.toLowerCase().replace(/_/g, '-');
  for (const k of known) if (k === folded) return ` (did you mean '${k}'?)`;
  return '';
}

/** Reads one child of `<resources>`. */
export function readResource(reader: ElementReader): Resource {
  switch (reader.name) {
    case 'primitive':
      if (reader.has('template')) return unsupported(reader, 'a primitive built from a resource template is not supported');
      return readPrimitive(reader);
    case 'group':
      return readGroup(reader);
    case 'clone':
      return readClone(reader, false);
    case 'master':
      reader.warn('deprecated-element', `${reader.describe()}: <master> is deprecated (a <clone> with meta attribute promotable=true); read as a promotable clone`);
      return readClone(reader, true);
    case 'template':
    case 'bundle':
      return unsupported(reader, `<${reader.name}> resources are not supported`);
    default:
      return unsupported(reader, `unknown resource element <${reader.name}>`);
  }
}

function unsupported(reader: ElementReader, why: string): Resource {
  const id = reader.element.attributes.get('id');
  const xml = keepVerbatim(reader, why);
  return id === undefined ? { kind: 'unsupported', xml } : { kind: 'unsupported', id, xml };
}

const DURATION = 'a duration (e.g. 10s, 500ms, 2min, or seconds without a unit)';

function readSets(reader: ElementReader, name: 'instance_attributes' | 'meta_attributes', check?: NameCheck): NvSet[] {
  return reader.children(name).map((e) => readNvSet(reader.child(e), check));
}

function ignoreUtilization(reader: ElementReader): void {
  for (const e of reader.children('utilization')) {
    const child = reader.child(e);
    child.warn('ignored-element', `${child.describe()}: utilization is not modelled (placement strategies are out of scope); dropped`);
  }
}

/** Reads `<primitive>`. A primitive that names a template is an issue here (inside a group or clone). */
export function readPrimitive(reader: ElementReader): Primitive {
  const id = reader.requiredString('id');
  if (reader.has('template')) reader.fail(`${reader.describe()} is built from a resource template, which is not supported inside a group or clone`, 'template');
  const resourceClass = reader.requiredParsed('class', `a resource class (${RESOURCE_CLASSES.join(', ')})`, (t) => RESOURCE_CLASSES.find((c) => c === t), 'ocf');
  const provider = reader.string('provider');
  if (reader.element.attributes.get('class') === 'ocf' && provider === undefined) reader.fail(`${reader.describe()} has class ocf but no 'provider' attribute`, 'provider');
  const type = reader.requiredString('type');
  const description = reader.string('description');
  const instanceAttributes = readSets(reader, 'instance_attributes', checkInstanceAttributeName);
  const metaAttributes = readSets(reader, 'meta_attributes', checkResourceMetaName);
  const operationLists = reader.children('operations');
  if (operationLists.length > 1) reader.fail(`${reader.describe()} has ${operationLists.length} <operations> elements; one is allowed`);
  const operations = operationLists[0] === undefined ? undefined : readOperations(reader.child(operationLists[0]));
  ignoreUtilization(reader);
  reader.finish();
  return {
    kind: 'primitive',
    id,
    class: resourceClass,
    ...(provider !== undefined && { provider }),
    type,
    ...(description !== undefined && { description }),
    instanceAttributes,
    metaAttributes,
    ...(operations !== undefined && { operations }),
  };
}

function readOperations(reader: ElementReader): OperationSet {
  const reference = followReference(reader);
  if (reference !== undefined) {
    reader.finish();
    if (reference === null) return { ops: [] };
    return { ...readOperationsContent(reference.target), idRef: reference.idRef };
  }
  return readOperationsContent(reader);
}

function readOperationsContent(reader: ElementReader): OperationSet {
  const id = reader.id;
  const ops = reader.children('op').map((e) => readOperation(reader.child(e)));
  reader.finish();
  return id === undefined ? { ops } : { id, ops };
}

function readOperation(reader: ElementReader): Operation {
  const id = reader.requiredString('id');
  const name = reader.requiredString('name');
  const interval = reader.requiredParsed('interval', DURATION, parseDuration, millis(0));
  const description = reader.string('description');
  const timeout = reader.duration('timeout');
  const startDelay = reader.duration('start-delay');
  const intervalOrigin = reader.string('interval-origin');
  const enabled = reader.boolean('enabled');
  const recordPending = reader.boolean('record-pending');
  const role = reader.role('role');
  const onFail = reader.enumeration('on-fail', ON_FAIL_VALUES);
  const requires = reader.string('requires');
  if (requires !== undefined) reader.warn('deprecated-attribute', `${reader.describe()}: attribute 'requires' on an operation is deprecated (use the resource's 'requires' meta attribute); kept`, 'requires');
  const instanceAttributes = readSets(reader, 'instance_attributes');
  const metaAttributes = readSets(reader, 'meta_attributes', checkOperationOptionName);
  reader.finish();
  return {
    id,
    name,
    interval,
    ...(description !== undefined && { description }),
    ...(timeout !== undefined && { timeout }),
    ...(startDelay !== undefined && { startDelay }),
    ...(intervalOrigin !== undefined && { intervalOrigin }),
    ...(enabled !== undefined && { enabled }),
    ...(recordPending !== undefined && { recordPending }),
    ...(role !== undefined && { role }),
    ...(onFail !== undefined && { onFail }),
    ...(requires !== undefined && { requires }),
    instanceAttributes,
    metaAttributes,
  };
}

function readGroup(reader: ElementReader): Group {
  const id = reader.requiredString('id');
  const description = reader.string('description');
  const instanceAttributes = readSets(reader, 'instance_attributes', checkInstanceAttributeName);
  const metaAttributes = readSets(reader, 'meta_attributes', checkResourceMetaName);
  const members = reader.children('primitive').map((e) => readPrimitive(reader.child(e)));
  if (members.length === 0) reader.fail(`${reader.describe()} has no primitives; a group needs at least one`);
  ignoreUtilization(reader);
  reader.finish();
  return { kind: 'group', id, ...(description !== undefined && { description }), instanceAttributes, metaAttributes, members };
}

function readClone(reader: ElementReader, legacyMaster: boolean): Clone {
  const id = reader.requiredString('id');
  const description = reader.string('description');
  const instanceAttributes = readSets(reader, 'instance_attributes', checkInstanceAttributeName);
  const metaAttributes = readSets(reader, 'meta_attributes', checkResourceMetaName);
  const primitives = reader.children('primitive');
  const groups = reader.children('group');
  const children = reader.element.children.filter((c) => c.kind === 'element' && (c.name === 'primitive' || c.name === 'group'));
  let child: Primitive | Group = { kind: 'primitive', id: '', class: 'ocf', type: '', instanceAttributes: [], metaAttributes: [] };
  if (children.length !== 1 || (primitives.length === 0 && groups.length === 0)) {
    reader.fail(`${reader.describe()} has ${children.length} primitive/group children; a clone has exactly one`);
  } else if (primitives[0] !== undefined) {
    child = readPrimitive(reader.child(primitives[0]));
  } else if (groups[0] !== undefined) {
    child = readGroup(reader.child(groups[0]));
  }
  reader.finish();
  return { kind: 'clone', id, ...(description !== undefined && { description }), legacyMaster, instanceAttributes, metaAttributes, child };
}
