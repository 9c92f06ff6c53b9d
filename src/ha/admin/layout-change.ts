/**
 * What the storage layout commands (clustered-fs-layout.ts, failover-fs-layout.ts) share: the
 * pieces a layout adds (resources, constraints, cluster properties) made into ONE batch change,
 * so that the cluster gets the whole stack or nothing; the check that no new id is taken already
 * (put-resource and put-constraint would silently replace what has that id); and the location
 * rule that keeps a resource on a list of nodes. Pure.
 */
import { ok, type Result } from '../../lib/index.js';
import { findResource, SCORE_INFINITY, type CibChange, type Clone, type Configuration, type Constraint, type Group, type LocationConstraint, type Primitive } from '../cib/index.js';
import { inputError, type AdminInputError } from './admin-input-error.js';
import { buildPrimitive, type PrimitiveRequest } from './resource-create.js';

/** What a layout adds; `option` is where each piece's id came from (`--name`, `--locking`), for the refusal. */
export interface LayoutPieces {
  readonly resources: readonly { readonly resource: Primitive | Group | Clone; readonly option: string }[];
  readonly constraints: readonly { readonly constraint: Constraint; readonly option: string }[];
  readonly properties?: readonly { readonly name: string; readonly value: string }[];
}

/**
 * The pieces as one batch (properties, resources, then constraints: a constraint names resources
 * that must exist when it is applied), refused when one of their ids is a resource or constraint
 * of `configuration` already, naming the option the id came from.
 */
export function layoutChange(pieces: LayoutPieces, configuration: Configuration): Result<CibChange, AdminInputError> {
  for (const { resource, option } of pieces.resources) {
    for (const id of idsWithin(resource)) {
      const taken = takenBy(id, configuration);
      if (taken !== undefined) return inputError(option, `'${id}' would be created, but ${taken}: choose another name, or delete it first`);
    }
  }
  for (const { constraint, option } of pieces.constraints) {
    const taken = constraint.id === undefined ? undefined : takenBy(constraint.id, configuration);
    if (taken !== undefined) return inputError(option, `constraint '${constraint.id ?? ''}' would be created, but ${taken}: choose another name, or remove it first`);
  }
  const changes: CibChange[] = [
    ...(pieces.properties ?? []).map((p): CibChange => ({ op: 'set-cluster-property', name: p.name, value: p.value })),
    ...pieces.resources.map(({ resource }): CibChange => ({ op: 'put-resource', resource })),
    ...pieces.constraints.map(({ constraint }): CibChange => ({ op: 'put-constraint', constraint })),
  ];
  return ok({ op: 'batch', changes });
}

function idsWithin(resource: Primitive | Group | Clone): string[] {
  switch (resource.kind) {
    case 'primitive':
      return [resource.id];
    case 'group':
      return [resource.id, ...resource.members.map((m) => m.id)];
    case 'clone':
      return [resource.id, ...idsWithin(resource.child)];
  }
}

/** Why `id` cannot be a new resource or constraint id here, or undefined when it is free. */
function takenBy(id: string, configuration: Configuration): string | undefined {
  const place = findResource(configuration.resources, id);
  if (place !== undefined) return `resource '${id}' exists already${place.parent === undefined ? '' : ` (in ${place.parent.kind} '${place.parent.id}')`}`;
  if (configuration.constraints.some((c) => c.id === id)) return `constraint '${id}' exists already`;
  return undefined;
}

/** One primitive of a layout, and the options to name when it is refused. */
export interface LayoutPrimitive {
  readonly request: PrimitiveRequest;
  /** The option its id comes from (`--name`). */
  readonly idOption: string;
  /** The option its agent comes from (`--service`, `--lvm-agent`), or the role it plays when fixed. */
  readonly agentOption: string;
  /** Its role in the layout ("filesystem", "service"), prefixed to other refused options. */
  readonly role: string;
}

/** Primitives from their requests, in order; the first refusal wins, naming the command's option. */
export function buildPrimitives(primitives: readonly LayoutPrimitive[]): Result<Primitive[], AdminInputError> {
  const built: Primitive[] = [];
  for (const { request, idOption, agentOption, role } of primitives) {
    const primitive = buildPrimitive(request);
    if (!primitive.ok) {
      const { option, message } = primitive.error;
      return inputError(option === 'ID' ? idOption : option === 'AGENT' ? agentOption : `${role} ${option}`, message);
    }
    built.push(primitive.value);
  }
  return ok(built);
}

/** The constraint of a `constraint add` builder's put-constraint, so a layout reuses those builders' checks. */
export function constraintFrom(built: Result<CibChange, AdminInputError>): Result<Constraint, AdminInputError> {
  if (!built.ok) return built;
  if (built.value.op !== 'put-constraint') throw new Error(`expected a put-constraint, got ${built.value.op}`);
  return ok(built.value.constraint);
}

/** Node names: each must be a configured node (a rule naming an unknown node would silently match nothing). */
export function checkNodes(nodes: readonly string[], configuration: Configuration, option: string): Result<readonly string[], AdminInputError> {
  const known = configuration.nodes.map((n) => n.uname);
  for (const node of nodes) {
    if (node === '') return inputError(option, 'a node name is empty');
    if (!known.includes(node)) return inputError(option, `'${node}' is not a node of the cluster (nodes: ${known.length === 0 ? 'none yet' : known.join(', ')})`);
  }
  if (new Set(nodes).size !== nodes.length) return inputError(option, 'a node is named twice');
  return ok(nodes);
}

/**
 * `rsc` runs only on `nodes`: -INFINITY wherever #uname is none of them. A rule rather than one
 * ban per other node, so that a node added later is excluded too.
 */
export function onlyOnNodes(id: string, rsc: string, nodes: readonly string[]): LocationConstraint {
  return {
    kind: 'location',
    id,
    subject: { kind: 'resource', rsc },
    placement: {
      kind: 'rules',
      rules: [{ id: `${id}-rule`, score: -SCORE_INFINITY, booleanOp: 'and', expressions: nodes.map((node, index) => ({ kind: 'attribute', id: `${id}-rule-expr-${index}`, attribute: '#uname', operation: 'ne', value: node })) }],
    },
  };
}

/** Clone meta words: interleave=true (each instance waits only for the instances on its own node) and clone-max when given. */
export function cloneOf(child: Primitive | Group, cloneMax: number | undefined): Clone {
  const id = `${child.id}-clone`;
  const pairs = [{ name: 'interleave', value: 'true' }, ...(cloneMax === undefined ? [] : [{ name: 'clone-max', value: String(cloneMax) }])];
  return { kind: 'clone', id, legacyMaster: false, instanceAttributes: [], metaAttributes: [{ id: `${id}-meta_attributes`, rules: [], pairs: pairs.map((p) => ({ id: `${id}-meta_attributes-${p.name}`, ...p })) }], child };
}

/** An absolute path without blanks (a mount point). */
export function directoryProblem(directory: string): string | undefined {
  if (!directory.startsWith('/')) return `'${directory}' is not an absolute path`;
  if (/\s/.test(directory)) return `'${directory}' contains a blank`;
  if (directory !== '/' && directory.endsWith('/')) return `'${directory}' ends with '/': write it without`;
  return undefined;
}
