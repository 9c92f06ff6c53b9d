/**
 * Validation of what a CIB change brings in: a resource, a constraint or a node as the operator
 * wrote it (its shape, ids, option names and values, scores, roles), the references of a
 * constraint (to configured resources and nodes), and a whole configuration for an import or a
 * rollback (unique ids, references). Each check returns the first problem as a CibChangeError whose
 * `field` is the path of the offending field inside the change (`resource.operations.ops[1].interval`),
 * or undefined. Values arrive from the network or the command line, so nothing here trusts the
 * TypeScript types: a missing field or a wrong type is reported, never thrown.
 */
import { CONSTRAINT_ACTIONS, ORDER_KINDS, type Constraint, type ResourceSet } from './constraints.js';
import type { Configuration } from './configuration.js';
import { visitIds, xmlIdProblem } from './configuration-ids.js';
import { constraintNodeName, constraintResourceIds } from './constraint-references.js';
import type { ClusterNode } from './nodes.js';
import type { NvSet } from './nvset.js';
import { checkNodeAttribute, checkOptionName, checkResourceMeta, checkResourceParam, type OptionProblem } from './option-values.js';
import { allResourceIds } from './resource-tree.js';
import { ON_FAIL_VALUES, RESOURCE_CLASSES, type Operation, type Primitive, type Resource } from './resources.js';
import { ROLES } from './role.js';
import type { Rule, RuleExpression } from './rule.js';
import { SCORE_INFINITY } from './score.js';

/** Why a change was refused: the field of the change (a dotted path) and what to do about it. */
export interface CibChangeError {
  readonly field: string;
  readonly message: string;
}

type Problem = CibChangeError | undefined;

const EXPRESSION_OPERATIONS = ['lt', 'gt', 'lte', 'gte', 'eq', 'ne', 'defined', 'not_defined'];
const EXPRESSION_TYPES = ['string', 'integer', 'number', 'version'];

function problem(field: string, message: string): CibChangeError {
  return { field, message };
}

/** The first problem of a list of checks, evaluated lazily. */
function first(...checks: (() => Problem)[]): Problem {
  for (const check of checks) {
    const found = check();
    if (found !== undefined) return found;
  }
  return undefined;
}

function firstOf<T>(items: readonly T[] | undefined, check: (item: T, index: number) => Problem): Problem {
  for (const [index, item] of (items ?? []).entries()) {
    const found = check(item, index);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A value for a message: text as is, anything else as JSON. */
export function describeValue(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

export function isScore(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= SCORE_INFINITY;
}

function scoreProblem(field: string, value: unknown): Problem {
  if (value === undefined || isScore(value)) return undefined;
  return problem(field, `${describeValue(value)} is not a score: use an integer from -${SCORE_INFINITY} (-INFINITY) to ${SCORE_INFINITY} (INFINITY)`);
}

function roleProblem(field: string, value: unknown): Problem {
  if (value === undefined || ROLES.includes(value as never)) return undefined;
  return problem(field, `'${describeValue(value)}' is not a role: use one of ${ROLES.join(', ')}`);
}

function oneOfProblem(field: string, value: unknown, allowed: readonly string[], what: string): Problem {
  if (value === undefined || allowed.includes(value as string)) return undefined;
  return problem(field, `'${describeValue(value)}' is not ${what}: use one of ${allowed.join(', ')}`);
}

function idProblem(field: string, id: unknown): Problem {
  const found = xmlIdProblem(id);
  return found === undefined ? undefined : problem(field, found);
}

function textProblem(field: string, value: unknown, what: string): Problem {
  return typeof value === 'string' && value.trim().length > 0 ? undefined : problem(field, `must be ${what} (non-empty text)`);
}

function durationProblem(field: string, value: unknown, required: boolean): Problem {
  if (value === undefined && !required) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return undefined;
  return problem(field, `${describeValue(value)} is not a duration: use a whole number of milliseconds, 0 or more`);
}

function arrayProblem(field: string, value: unknown): Problem {
  return Array.isArray(value) ? undefined : problem(field, 'must be a list');
}

// ---- rules and nvsets ----

function ruleProblem(rule: Rule, field: string): Problem {
  if (typeof rule !== 'object' || rule === null) return problem(field, 'must be a rule');
  if (rule.idRef !== undefined) return undefined;
  return first(
    () => idProblem(`${field}.id`, rule.id),
    () => scoreProblem(`${field}.score`, rule.score),
    () => roleProblem(`${field}.role`, rule.role),
    () => oneOfProblem(`${field}.booleanOp`, rule.booleanOp, ['and', 'or'], 'a boolean operator'),
    () => arrayProblem(`${field}.expressions`, rule.expressions),
    () => firstOf(rule.expressions, (e, i) => expressionProblem(e, `${field}.expressions[${i}]`)),
  );
}

function expressionProblem(expression: RuleExpression, field: string): Problem {
  switch (expression.kind) {
    case 'attribute':
      return first(
        () => idProblem(`${field}.id`, expression.id),
        () => textProblem(`${field}.attribute`, expression.attribute, 'a node attribute name'),
        () => oneOfProblem(`${field}.operation`, expression.operation ?? '', EXPRESSION_OPERATIONS, 'an expression operation'),
        () => oneOfProblem(`${field}.type`, expression.type, EXPRESSION_TYPES, 'an expression type'),
        () => oneOfProblem(`${field}.valueSource`, expression.valueSource, ['literal', 'param', 'meta'], 'a value source'),
      );
    case 'rule':
      return ruleProblem(expression.rule, `${field}.rule`);
    case 'unsupported':
      return undefined;
    default:
      return problem(`${field}.kind`, "must be 'attribute', 'rule' or 'unsupported'");
  }
}

/** `check(name, value)` applies to the pairs of unconditional sets (option names and values). */
function nvSetsProblem(sets: readonly NvSet[] | undefined, field: string, check: (name: string, value: string | undefined) => OptionProblem | undefined): Problem {
  return first(
    () => arrayProblem(field, sets),
    () =>
      firstOf(sets, (set, i) => {
        const at = `${field}[${i}]`;
        if (typeof set !== 'object' || set === null) return problem(at, 'must be an nvset');
        if (set.idRef !== undefined) return undefined;
        return first(
          () => idProblem(`${at}.id`, set.id),
          () => scoreProblem(`${at}.score`, set.score),
          () => arrayProblem(`${at}.rules`, set.rules),
          () => firstOf(set.rules, (r, j) => ruleProblem(r, `${at}.rules[${j}]`)),
          () => arrayProblem(`${at}.pairs`, set.pairs),
          () =>
            firstOf(set.pairs, (pair, j) => {
              const pairAt = `${at}.pairs[${j}]`;
              if (pair.idRef !== undefined) return undefined;
              return first(
                () => idProblem(`${pairAt}.id`, pair.id),
                () => {
                  // Values in sets guarded by rules are not checked: they may be meant for other nodes or times.
                  const found = checkOptionName(pair.name) ?? (set.rules.length === 0 ? check(pair.name, pair.value) : undefined);
                  return found === undefined ? undefined : problem(`${pairAt}.${found.field}`, found.message);
                },
                () => (pair.value === undefined || typeof pair.value === 'string' ? undefined : problem(`${pairAt}.value`, 'must be text')),
              );
            }),
        );
      }),
  );
}

const anyOption = (): undefined => undefined;

// ---- resources ----

function operationProblem(op: Operation, field: string): Problem {
  return first(
    () => idProblem(`${field}.id`, op.id),
    () => textProblem(`${field}.name`, op.name, 'an action name (start, stop, monitor, ...)'),
    () => durationProblem(`${field}.interval`, op.interval, true),
    () => durationProblem(`${field}.timeout`, op.timeout, false),
    () => durationProblem(`${field}.startDelay`, op.startDelay, false),
    () => roleProblem(`${field}.role`, op.role),
    () => oneOfProblem(`${field}.onFail`, op.onFail, ON_FAIL_VALUES, 'an on-fail value'),
    () => nvSetsProblem(op.instanceAttributes, `${field}.instanceAttributes`, anyOption),
    () => nvSetsProblem(op.metaAttributes, `${field}.metaAttributes`, anyOption),
  );
}

function primitiveProblem(p: Primitive, field: string): Problem {
  return first(
    () => (p.kind === 'primitive' ? undefined : problem(`${field}.kind`, "must be 'primitive' here")),
    () => idProblem(`${field}.id`, p.id),
    () => oneOfProblem(`${field}.class`, p.class ?? '', RESOURCE_CLASSES, 'a resource class'),
    () => (p.class === 'ocf' ? textProblem(`${field}.provider`, p.provider, "the agent's provider for class ocf (heartbeat, pacemaker, heartline, ...)") : undefined),
    () => textProblem(`${field}.type`, p.type, "the agent's name (Dummy, IPaddr2, ...)"),
    () => nvSetsProblem(p.instanceAttributes, `${field}.instanceAttributes`, checkResourceParam),
    () => nvSetsProblem(p.metaAttributes, `${field}.metaAttributes`, checkResourceMeta),
    () => (p.operations === undefined || p.operations.idRef !== undefined ? undefined : arrayProblem(`${field}.operations.ops`, p.operations.ops)),
    () => (p.operations?.idRef !== undefined ? undefined : firstOf(p.operations?.ops, (op, i) => operationProblem(op, `${field}.operations.ops[${i}]`))),
    () => {
      // Pacemaker identifies an operation by name and interval: two definitions would be ambiguous.
      const seen = new Set<string>();
      return firstOf(p.operations?.idRef !== undefined ? [] : p.operations?.ops, (op, i) => {
        const key = `${op.name}_${op.interval}`;
        if (seen.has(key)) return problem(`${field}.operations.ops[${i}]`, `a second '${op.name}' operation with interval ${op.interval} ms: give each operation of a resource its own name and interval`);
        seen.add(key);
        return undefined;
      });
    },
  );
}

/**
 * The shape of a resource given to put-resource: a primitive, a group of one or more primitives, or a
 * clone of a primitive or a group, with valid ids, agent, options and operations. Verbatim
 * (unsupported) resources are refused: they come in through an import.
 */
export function resourceShapeProblem(resource: Resource, field: string): Problem {
  if (typeof resource !== 'object' || resource === null) return problem(field, 'must be a resource');
  switch (resource.kind) {
    case 'primitive':
      return primitiveProblem(resource, field);
    case 'group':
      return first(
        () => idProblem(`${field}.id`, resource.id),
        () => nvSetsProblem(resource.instanceAttributes, `${field}.instanceAttributes`, anyOption),
        () => nvSetsProblem(resource.metaAttributes, `${field}.metaAttributes`, checkResourceMeta),
        () => arrayProblem(`${field}.members`, resource.members),
        () => (resource.members.length > 0 ? undefined : problem(`${field}.members`, 'a group needs at least one member primitive')),
        () => firstOf(resource.members, (m, i) => primitiveProblem(m, `${field}.members[${i}]`)),
      );
    case 'clone':
      return first(
        () => idProblem(`${field}.id`, resource.id),
        () => (typeof resource.legacyMaster === 'boolean' ? undefined : problem(`${field}.legacyMaster`, 'must be true or false')),
        () => nvSetsProblem(resource.instanceAttributes, `${field}.instanceAttributes`, anyOption),
        () => nvSetsProblem(resource.metaAttributes, `${field}.metaAttributes`, checkResourceMeta),
        () => {
          const child = resource.child as Resource | undefined;
          if (child?.kind !== 'primitive' && child?.kind !== 'group') return problem(`${field}.child`, 'a clone holds exactly one primitive or group');
          return resourceShapeProblem(child, `${field}.child`);
        },
      );
    case 'unsupported':
      return problem(`${field}.kind`, 'only primitives, groups and clones can be put; bundles and templates come in through a configuration import');
    default:
      return problem(`${field}.kind`, "must be 'primitive', 'group' or 'clone'");
  }
}

/**
 * The ids of `value` (a new resource, constraint or node's sets) against the ids already in use
 * and against each other.
 */
export function newIdsProblem(value: unknown, field: string, inUse: ReadonlyMap<string, string>): Problem {
  const seen = new Map<string, string>();
  let found: Problem;
  visitIds(value, field, (id, path) => {
    if (found !== undefined) return;
    const owner = inUse.get(id);
    if (owner !== undefined) found = problem(path, `id '${id}' is already used by ${owner}: ids are unique across the configuration; choose another`);
    else if (seen.has(id)) found = problem(path, `id '${id}' is used twice (also at ${seen.get(id)}): choose another`);
    else seen.set(id, path);
  });
  return found;
}

// ---- constraints ----

function resourceSetsProblem(sets: readonly ResourceSet[], field: string, orderSets: boolean): Problem {
  return first(
    () => arrayProblem(field, sets),
    () => (sets.length > 0 ? undefined : problem(field, 'needs at least one resource set')),
    () =>
      firstOf(sets, (set, i) => {
        const at = `${field}[${i}]`;
        if (set.idRef !== undefined) return undefined;
        return first(
          () => idProblem(`${at}.id`, set.id),
          () => arrayProblem(`${at}.resources`, set.resources),
          () => (set.resources.length > 0 ? undefined : problem(`${at}.resources`, 'a resource set needs at least one resource')),
          () => roleProblem(`${at}.role`, set.role),
          () => scoreProblem(`${at}.score`, set.score),
          () => oneOfProblem(`${at}.action`, set.action, CONSTRAINT_ACTIONS, 'an action'),
          () => oneOfProblem(`${at}.ordering`, set.ordering, ['group', 'listed'], 'a set ordering'),
          () => (orderSets ? oneOfProblem(`${at}.orderKind`, set.orderKind, ORDER_KINDS, 'an order kind') : undefined),
        );
      }),
  );
}

function lifetimeProblem(rules: readonly Rule[] | undefined, field: string): Problem {
  return rules === undefined ? undefined : first(() => arrayProblem(field, rules), () => firstOf(rules, (r, i) => ruleProblem(r, `${field}[${i}]`)));
}

/** The shape of a constraint given to put-constraint (ids, scores, roles, actions, rules; not references). */
export function constraintShapeProblem(constraint: Constraint, field: string): Problem {
  if (typeof constraint !== 'object' || constraint === null) return problem(field, 'must be a constraint');
  switch (constraint.kind) {
    case 'location': {
      const { subject, placement } = constraint;
      return first(
        () => idProblem(`${field}.id`, constraint.id),
        () => {
          switch (subject?.kind) {
            case 'resource':
              return first(() => textProblem(`${field}.subject.rsc`, subject.rsc, 'a resource id'), () => roleProblem(`${field}.subject.role`, subject.role));
            case 'pattern':
              return first(
                () => textProblem(`${field}.subject.pattern`, subject.pattern, 'a regular expression over resource ids'),
                () => (regexCompiles(subject.pattern) ? undefined : problem(`${field}.subject.pattern`, `'${subject.pattern}' is not a valid regular expression`)),
                () => roleProblem(`${field}.subject.role`, subject.role),
              );
            case 'sets':
              return resourceSetsProblem(subject.sets, `${field}.subject.sets`, false);
            default:
              return problem(`${field}.subject.kind`, "must be 'resource', 'pattern' or 'sets'");
          }
        },
        () => {
          switch (placement?.kind) {
            case 'node':
              return first(
                () => textProblem(`${field}.placement.node`, placement.node, 'a node name'),
                () => (placement.score === undefined ? problem(`${field}.placement.score`, 'a location constraint on a node needs a score') : scoreProblem(`${field}.placement.score`, placement.score)),
              );
            case 'rules':
              return first(
                () => arrayProblem(`${field}.placement.rules`, placement.rules),
                () => (placement.rules.length > 0 ? undefined : problem(`${field}.placement.rules`, 'needs at least one rule')),
                () => firstOf(placement.rules, (r, i) => ruleProblem(r, `${field}.placement.rules[${i}]`)),
              );
            default:
              return problem(`${field}.placement.kind`, "must be 'node' or 'rules'");
          }
        },
        () => oneOfProblem(`${field}.resourceDiscovery`, constraint.resourceDiscovery, ['always', 'never', 'exclusive'], 'a resource-discovery value'),
        () => lifetimeProblem(constraint.lifetime, `${field}.lifetime`),
      );
    }
    case 'colocation': {
      const subject = constraint.subject;
      return first(
        () => idProblem(`${field}.id`, constraint.id),
        () => scoreProblem(`${field}.score`, constraint.score),
        () => {
          if (subject?.kind === 'sets') return resourceSetsProblem(subject.sets, `${field}.subject.sets`, false);
          if (subject?.kind !== 'pair') return problem(`${field}.subject.kind`, "must be 'pair' or 'sets'");
          return first(
            () => textProblem(`${field}.subject.rsc`, subject.rsc, 'a resource id'),
            () => textProblem(`${field}.subject.withRsc`, subject.withRsc, 'a resource id'),
            () => (subject.rsc === subject.withRsc ? problem(`${field}.subject.withRsc`, `a resource cannot be colocated with itself ('${subject.rsc}')`) : undefined),
            () => roleProblem(`${field}.subject.rscRole`, subject.rscRole),
            () => roleProblem(`${field}.subject.withRscRole`, subject.withRscRole),
          );
        },
        () => lifetimeProblem(constraint.lifetime, `${field}.lifetime`),
      );
    }
    case 'order': {
      const subject = constraint.subject;
      return first(
        () => idProblem(`${field}.id`, constraint.id),
        () => oneOfProblem(`${field}.orderKind`, constraint.orderKind, ORDER_KINDS, 'an order kind'),
        () => scoreProblem(`${field}.score`, constraint.score),
        () => {
          if (subject?.kind === 'sets') return resourceSetsProblem(subject.sets, `${field}.subject.sets`, true);
          if (subject?.kind !== 'pair') return problem(`${field}.subject.kind`, "must be 'pair' or 'sets'");
          return first(
            () => textProblem(`${field}.subject.first`, subject.first, 'a resource id'),
            () => textProblem(`${field}.subject.then`, subject.then, 'a resource id'),
            () => (subject.first === subject.then ? problem(`${field}.subject.then`, `a resource cannot be ordered after itself ('${subject.first}')`) : undefined),
            () => oneOfProblem(`${field}.subject.firstAction`, subject.firstAction, CONSTRAINT_ACTIONS, 'an action'),
            () => oneOfProblem(`${field}.subject.thenAction`, subject.thenAction, CONSTRAINT_ACTIONS, 'an action'),
          );
        },
        () => lifetimeProblem(constraint.lifetime, `${field}.lifetime`),
      );
    }
    case 'unsupported':
      return problem(`${field}.kind`, 'only location, colocation and order constraints can be put; tickets come in through a configuration import');
    default:
      return problem(`${field}.kind`, "must be 'location', 'colocation' or 'order'");
  }
}

function regexCompiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** The field of each resource reference of a constraint, for messages (the first one naming `id`). */
function referenceField(constraint: Constraint, id: string, field: string): string {
  if (constraint.kind === 'location' && constraint.subject.kind === 'resource') return `${field}.subject.rsc`;
  if (constraint.kind === 'colocation' && constraint.subject.kind === 'pair') return `${field}.subject.${constraint.subject.rsc === id ? 'rsc' : 'withRsc'}`;
  if (constraint.kind === 'order' && constraint.subject.kind === 'pair') return `${field}.subject.${constraint.subject.first === id ? 'first' : 'then'}`;
  if (constraint.kind !== 'unsupported' && constraint.subject.kind === 'sets') {
    const index = constraint.subject.sets.findIndex((set) => set.resources.includes(id));
    const set = constraint.subject.sets[index];
    return `${field}.subject.sets[${index}].resources[${set?.resources.indexOf(id) ?? 0}]`;
  }
  return field;
}

/** The constraint's references: every resource it names is configured, and its node (if any) too. */
export function constraintReferencesProblem(constraint: Constraint, field: string, configuration: Configuration, resourceIds = allResourceIds(configuration.resources)): Problem {
  for (const id of constraintResourceIds(constraint)) {
    if (!resourceIds.has(id)) {
      return problem(referenceField(constraint, id, field), `constraint '${constraint.id ?? constraint.kind}' names resource '${id}', which is not configured: create the resource first, or fix the id`);
    }
  }
  const node = constraintNodeName(constraint);
  if (node !== undefined && !configuration.nodes.some((n) => n.uname === node)) {
    const known = configuration.nodes.map((n) => n.uname).join(', ');
    return problem(`${field}.placement.node`, `constraint '${constraint.id ?? constraint.kind}' names node '${node}', which is not a cluster node (nodes: ${known === '' ? 'none' : known})`);
  }
  return undefined;
}

// ---- nodes ----

/** The shape of a node given to put-node. */
export function nodeShapeProblem(node: ClusterNode, field: string): Problem {
  if (typeof node !== 'object' || node === null) return problem(field, 'must be a node');
  return first(
    () => textProblem(`${field}.id`, node.id, 'the node id (its membership node id)'),
    () => textProblem(`${field}.uname`, node.uname, "the node's name"),
    () => oneOfProblem(`${field}.type`, node.type, ['member', 'ping', 'remote'], 'a node type'),
    () => scoreProblem(`${field}.score`, node.score),
    () => nvSetsProblem(node.instanceAttributes, `${field}.instanceAttributes`, checkNodeAttribute),
  );
}

// ---- whole configurations ----

/**
 * A configuration that replaces the current one (an import or a rollback): every id is unique,
 * and every constraint names configured resources and nodes. The shapes are the importer's
 * business (a configuration comes from XML or from the history), and option names are not checked:
 * the import reports them as warnings.
 */
export function configurationProblem(configuration: Configuration, field: string): Problem {
  if (typeof configuration !== 'object' || configuration === null) return problem(field, 'must be a configuration');
  for (const key of ['crmConfig', 'nodes', 'resources', 'constraints', 'unsupported'] as const) {
    if (!Array.isArray(configuration[key])) return problem(`${field}.${key}`, 'must be a list');
  }
  // Node ids are not XML IDs (see configuration-ids.ts).
  const nodeIdPaths = new Set(configuration.nodes.map((_, i) => `${field}.nodes[${i}].id`));
  const seen = new Map<string, string>();
  let found: Problem;
  visitIds(configuration, field, (id, path) => {
    if (found !== undefined || nodeIdPaths.has(path)) return;
    const earlier = seen.get(id);
    if (earlier !== undefined) found = problem(path, `id '${id}' is used twice (also at ${earlier}): ids must be unique across the configuration`);
    else seen.set(id, path);
  });
  if (found !== undefined) return found;
  const unames = new Set<string>();
  for (const [i, node] of configuration.nodes.entries()) {
    if (unames.has(node.uname)) return problem(`${field}.nodes[${i}].uname`, `two nodes are named '${node.uname}'`);
    unames.add(node.uname);
  }
  const resourceIds = allResourceIds(configuration.resources);
  return firstOf(configuration.constraints, (c, i) => constraintReferencesProblem(c, `${field}.constraints[${i}]`, configuration, resourceIds));
}
