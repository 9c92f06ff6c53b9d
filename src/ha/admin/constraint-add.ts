/**
 * `heartline constraint add location|colocation|order ...`: the two-resource forms of Pacemaker's
 * constraints, in words an operator reads aloud:
 * - `location ID RSC prefers|avoids NODE[=SCORE]` (score INFINITY when absent; avoids negates it);
 * - `colocation ID RSC with WITH_RSC [SCORE]` (RSC is placed where WITH_RSC runs; INFINITY when
 *   absent; a negative score keeps them apart);
 * - `order ID FIRST then THEN [--kind Mandatory|Optional|Serialize] [--first-action A]
 *   [--then-action A] [--no-symmetrical]`.
 * A constraint with the id of an existing one replaces it (put-constraint). Whether the resources
 * and nodes exist is checked where the change is applied, against the CIB of that moment. Pure.
 */
import { ok, type Result } from '../../lib/index.js';
import {
  CONSTRAINT_ACTIONS,
  ORDER_KINDS,
  parseRole,
  parseScore,
  xmlIdProblem,
  type CibChange,
  type ColocationConstraint,
  type ConstraintAction,
  type LocationConstraint,
  type OrderConstraint,
  type OrderKind,
  type Role,
} from '../cib/index.js';
import { closestNameHint, inputError, type AdminInputError } from './admin-input-error.js';

export interface LocationRequest {
  readonly id: string;
  readonly resource: string;
  /** `prefers` or `avoids`. */
  readonly relation: string;
  /** `NODE` or `NODE=SCORE`. */
  readonly node: string;
  readonly role?: string;
}

export interface ColocationRequest {
  readonly id: string;
  readonly resource: string;
  /** The word `with`. */
  readonly keyword: string;
  readonly withResource: string;
  readonly score?: string;
  readonly role?: string;
  readonly withRole?: string;
}

export interface OrderRequest {
  readonly id: string;
  readonly first: string;
  /** The word `then`. */
  readonly keyword: string;
  readonly then: string;
  readonly kind?: string;
  readonly firstAction?: string;
  readonly thenAction?: string;
  readonly symmetrical?: boolean;
}

export function buildLocationConstraint(request: LocationRequest): Result<CibChange, AdminInputError> {
  const id = checkId(request.id);
  if (!id.ok) return id;
  if (request.relation !== 'prefers' && request.relation !== 'avoids') return inputError('prefers|avoids', `'${request.relation}' is neither 'prefers' nor 'avoids'`);
  const equals = request.node.indexOf('=');
  const node = equals < 0 ? request.node : request.node.slice(0, equals);
  if (node === '') return inputError('NODE', 'the node name is empty');
  let score = 1_000_000;
  if (equals >= 0) {
    const parsed = parseScore(request.node.slice(equals + 1));
    if (parsed === undefined) return inputError('NODE=SCORE', `'${request.node.slice(equals + 1)}' is not a score (an integer, INFINITY or -INFINITY)`);
    score = parsed;
  }
  // "avoids NODE=100" means a score of -100: the relation word carries the sign.
  if (request.relation === 'avoids') score = -Math.abs(score);
  else if (score < 0) return inputError('NODE=SCORE', `'prefers' with a negative score is 'avoids': write avoids ${node}=${String(-score)}`);
  const role = optionalRole(request.role, '--role');
  if (!role.ok) return role;
  const constraint: LocationConstraint = {
    kind: 'location',
    id: id.value,
    subject: { kind: 'resource', rsc: request.resource, ...(role.value === undefined ? {} : { role: role.value }) },
    placement: { kind: 'node', node, score: score + 0 },
  };
  return ok({ op: 'put-constraint', constraint });
}

export function buildColocationConstraint(request: ColocationRequest): Result<CibChange, AdminInputError> {
  const id = checkId(request.id);
  if (!id.ok) return id;
  if (request.keyword !== 'with') return inputError('with', `expected the word 'with' between the two resources, got '${request.keyword}'`);
  if (request.resource === request.withResource) return inputError('WITH_RSC', `a resource cannot be colocated with itself ('${request.resource}')`);
  let score = 1_000_000;
  if (request.score !== undefined) {
    const parsed = parseScore(request.score);
    if (parsed === undefined) return inputError('SCORE', `'${request.score}' is not a score (an integer, INFINITY or -INFINITY)`);
    score = parsed;
  }
  const role = optionalRole(request.role, '--role');
  if (!role.ok) return role;
  const withRole = optionalRole(request.withRole, '--with-role');
  if (!withRole.ok) return withRole;
  const constraint: ColocationConstraint = {
    kind: 'colocation',
    id: id.value,
    score,
    subject: {
      kind: 'pair',
      rsc: request.resource,
      withRsc: request.withResource,
      ...(role.value === undefined ? {} : { rscRole: role.value }),
      ...(withRole.value === undefined ? {} : { withRscRole: withRole.value }),
    },
  };
  return ok({ op: 'put-constraint', constraint });
}

export function buildOrderConstraint(request: OrderRequest): Result<CibChange, AdminInputError> {
  const id = checkId(request.id);
  if (!id.ok) return id;
  if (request.keyword !== 'then') return inputError('then', `expected the word 'then' between the two resources, got '${request.keyword}'`);
  if (request.first === request.then) return inputError('THEN', `a resource cannot be ordered after itself ('${request.first}')`);
  let kind: OrderKind | undefined;
  if (request.kind !== undefined) {
    const found = ORDER_KINDS.find((k) => k.toLowerCase() === request.kind?.toLowerCase());
    if (found === undefined) return inputError('--kind', `'${request.kind}' is not one of ${ORDER_KINDS.join(', ')}${closestNameHint(request.kind, ORDER_KINDS)}`);
    kind = found;
  }
  const firstAction = optionalAction(request.firstAction, '--first-action');
  if (!firstAction.ok) return firstAction;
  const thenAction = optionalAction(request.thenAction, '--then-action');
  if (!thenAction.ok) return thenAction;
  const constraint: OrderConstraint = {
    kind: 'order',
    id: id.value,
    ...(kind === undefined ? {} : { orderKind: kind }),
    ...(request.symmetrical === false ? { symmetrical: false } : {}),
    subject: {
      kind: 'pair',
      first: request.first,
      then: request.then,
      ...(firstAction.value === undefined ? {} : { firstAction: firstAction.value }),
      ...(thenAction.value === undefined ? {} : { thenAction: thenAction.value }),
    },
  };
  return ok({ op: 'put-constraint', constraint });
}

/** `constraint remove ID`. */
export function buildConstraintRemove(id: string): CibChange {
  return { op: 'delete-constraint', id };
}

function checkId(id: string): Result<string, AdminInputError> {
  const problem = xmlIdProblem(id);
  return problem === undefined ? ok(id) : inputError('ID', problem);
}

function optionalRole(text: string | undefined, option: string): Result<Role | undefined, AdminInputError> {
  if (text === undefined) return ok(undefined);
  const role = parseRole(text);
  return role === undefined ? inputError(option, `'${text}' is not a role (Started, Promoted, Unpromoted)`) : ok(role.role);
}

function optionalAction(text: string | undefined, option: string): Result<ConstraintAction | undefined, AdminInputError> {
  if (text === undefined) return ok(undefined);
  const action = CONSTRAINT_ACTIONS.find((a) => a === text.toLowerCase());
  return action === undefined ? inputError(option, `'${text}' is not one of ${CONSTRAINT_ACTIONS.join(', ')}${closestNameHint(text, CONSTRAINT_ACTIONS)}`) : ok(action);
}
