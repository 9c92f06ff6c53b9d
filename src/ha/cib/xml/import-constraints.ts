/**
 * Import of `configuration/constraints`: rsc_location, rsc_colocation, rsc_order in their
 * two-resource and resource-set forms. rsc_ticket and unknown constraints are kept verbatim.
 */
import {
  CONSTRAINT_ACTIONS,
  ORDER_KINDS,
  type ColocationConstraint,
  type ColocationSubject,
  type Constraint,
  type LocationConstraint,
  type LocationPlacement,
  type LocationSubject,
  type OrderConstraint,
  type OrderSubject,
  type ResourceSet,
} from '../constraints.js';
import type { Rule } from '../rule.js';
import { parseScore } from '../score.js';
import type { ElementReader } from './element-reader.js';
import { readRule } from './import-nvsets.js';
import { followReference, keepVerbatim } from './import-references.js';

const SCORE = 'a score (an integer or [+-]INFINITY)';

/** Reads one child of `<constraints>`. */
export function readConstraint(reader: ElementReader): Constraint {
  switch (reader.name) {
    case 'rsc_location':
      return readLocation(reader);
    case 'rsc_colocation':
      return readColocation(reader);
    case 'rsc_order':
      return readOrder(reader);
    case 'rsc_ticket':
      return unsupported(reader, 'rsc_ticket constraints (tickets) are not supported');
    default:
      return unsupported(reader, `unknown constraint element <${reader.name}>`);
  }
}

function unsupported(reader: ElementReader, why: string): Constraint {
  const id = reader.element.attributes.get('id');
  const xml = keepVerbatim(reader, why);
  return id === undefined ? { kind: 'unsupported', xml } : { kind: 'unsupported', id, xml };
}

function readSets(reader: ElementReader): ResourceSet[] {
  return reader.children('resource_set').map((e) => readResourceSet(reader.child(e)));
}

/** The deprecated `<lifetime>` rules of a constraint, with a warning; undefined when there are none. */
function readLifetime(reader: ElementReader): Rule[] | undefined {
  const elements = reader.children('lifetime');
  if (elements.length === 0) return undefined;
  const rules: Rule[] = [];
  for (const e of elements) {
    const child = reader.child(e);
    child.warn('deprecated-element', `${child.describe()}: <lifetime> is deprecated; kept`);
    for (const r of child.children('rule')) rules.push(readRule(child.child(r)));
    child.finish();
  }
  return rules;
}

function readLocation(reader: ElementReader): LocationConstraint {
  const id = reader.requiredString('id');
  const sets = readSets(reader);
  const forms = [reader.has('rsc'), reader.has('rsc-pattern'), sets.length > 0].filter(Boolean).length;
  if (forms !== 1) reader.fail(`${reader.describe()} must name its resource exactly one way (rsc, rsc-pattern or resource_set); it uses ${forms}`);
  let subject: LocationSubject;
  if (reader.has('rsc') || reader.has('rsc-pattern')) {
    const role = reader.role('role');
    const rsc = reader.string('rsc');
    const pattern = reader.string('rsc-pattern');
    subject = rsc !== undefined ? { kind: 'resource', rsc, ...(role !== undefined && { role }) } : { kind: 'pattern', pattern: pattern ?? '', ...(role !== undefined && { role }) };
  } else {
    subject = { kind: 'sets', sets };
  }
  const rules = reader.children('rule').map((e) => readRule(reader.child(e)));
  let placement: LocationPlacement;
  if (reader.has('node') || reader.has('score')) {
    if (rules.length > 0) reader.fail(`${reader.describe()} has both node/score and rules; it may have only one of them`);
    placement = { kind: 'node', node: reader.requiredString('node'), score: reader.requiredParsed('score', SCORE, parseScore, 0) };
  } else {
    if (rules.length === 0) reader.fail(`${reader.describe()} has neither node and score nor a rule`);
    placement = { kind: 'rules', rules };
  }
  const resourceDiscovery = reader.enumeration('resource-discovery', ['always', 'never', 'exclusive'] as const);
  const lifetime = readLifetime(reader);
  reader.finish();
  return {
    kind: 'location',
    id,
    subject,
    placement,
    ...(resourceDiscovery !== undefined && { resourceDiscovery }),
    ...(lifetime !== undefined && { lifetime }),
  };
}

function readColocation(reader: ElementReader): ColocationConstraint {
  const id = reader.requiredString('id');
  const score = reader.score('score');
  const sets = readSets(reader);
  const pairForm = reader.has('rsc') || reader.has('with-rsc');
  if (pairForm === sets.length > 0) reader.fail(`${reader.describe()} must have either rsc and with-rsc or resource sets`);
  let subject: ColocationSubject;
  if (pairForm) {
    const rsc = reader.requiredString('rsc');
    const withRsc = reader.requiredString('with-rsc');
    const rscRole = reader.role('rsc-role');
    const withRscRole = reader.role('with-rsc-role');
    const nodeAttribute = reader.string('node-attribute');
    subject = {
      kind: 'pair',
      rsc,
      withRsc,
      ...(rscRole !== undefined && { rscRole }),
      ...(withRscRole !== undefined && { withRscRole }),
      ...(nodeAttribute !== undefined && { nodeAttribute }),
    };
  } else {
    subject = { kind: 'sets', sets };
  }
  const lifetime = readLifetime(reader);
  reader.finish({ 'rsc-instance': 'removed in Pacemaker 2.0', 'with-rsc-instance': 'removed in Pacemaker 2.0' });
  return { kind: 'colocation', id, ...(score !== undefined && { score }), subject, ...(lifetime !== undefined && { lifetime }) };
}

function readOrder(reader: ElementReader): OrderConstraint {
  const id = reader.requiredString('id');
  const orderKind = reader.enumeration('kind', ORDER_KINDS);
  const score = reader.score('score');
  if (score !== undefined) reader.warn('deprecated-attribute', `${reader.describe()}: 'score' on rsc_order is deprecated (use kind); kept`, 'score');
  const symmetrical = reader.boolean('symmetrical');
  const requireAll = reader.boolean('require-all');
  const sets = readSets(reader);
  const pairForm = reader.has('first') || reader.has('then');
  if (pairForm === sets.length > 0) reader.fail(`${reader.describe()} must have either first and then or resource sets`);
  let subject: OrderSubject;
  if (pairForm) {
    const first = reader.requiredString('first');
    const then = reader.requiredString('then');
    const firstAction = reader.enumeration('first-action', CONSTRAINT_ACTIONS);
    const thenAction = reader.enumeration('then-action', CONSTRAINT_ACTIONS);
    subject = { kind: 'pair', first, then, ...(firstAction !== undefined && { firstAction }), ...(thenAction !== undefined && { thenAction }) };
  } else {
    subject = { kind: 'sets', sets };
  }
  const lifetime = readLifetime(reader);
  reader.finish({ 'first-instance': 'removed in Pacemaker 2.0', 'then-instance': 'removed in Pacemaker 2.0' });
  return {
    kind: 'order',
    id,
    ...(orderKind !== undefined && { orderKind }),
    ...(score !== undefined && { score }),
    ...(symmetrical !== undefined && { symmetrical }),
    ...(requireAll !== undefined && { requireAll }),
    subject,
    ...(lifetime !== undefined && { lifetime }),
  };
}

function readResourceSet(reader: ElementReader): ResourceSet {
  const reference = followReference(reader);
  if (reference !== undefined) {
    reader.finish();
    if (reference === null) return { id: reader.string('id-ref') ?? '', resources: [] };
    return { ...readResourceSetContent(reference.target), idRef: reference.idRef };
  }
  return readResourceSetContent(reader);
}

function readResourceSetContent(reader: ElementReader): ResourceSet {
  const id = reader.requiredString('id');
  const sequential = reader.boolean('sequential');
  const requireAll = reader.boolean('require-all');
  const ordering = reader.enumeration('ordering', ['group', 'listed'] as const);
  const action = reader.enumeration('action', CONSTRAINT_ACTIONS);
  const role = reader.role('role');
  const score = reader.score('score');
  const orderKind = reader.enumeration('kind', ORDER_KINDS);
  const resources = reader.children('resource_ref').map((e) => {
    const child = reader.child(e);
    const ref = child.requiredString('id');
    child.finish();
    return ref;
  });
  reader.finish();
  return {
    id,
    ...(sequential !== undefined && { sequential }),
    ...(requireAll !== undefined && { requireAll }),
    ...(ordering !== undefined && { ordering }),
    ...(action !== undefined && { action }),
    ...(role !== undefined && { role }),
    ...(score !== undefined && { score }),
    ...(orderKind !== undefined && { orderKind }),
    resources,
  };
}
