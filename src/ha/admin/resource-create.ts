/**
 * `heartline resource create ID AGENT [name=value ...] [--meta name=value] [--op 'NAME ...']
 * [--group G | --clone | --promotable]`: a new primitive as a put-resource change. Needs the
 * current configuration, because a primitive added to an existing group is a new definition of the
 * whole group, and because "create" must never silently replace a resource of the same id (which
 * put-resource would). Pure.
 */
import { ok, type Result } from '../../lib/index.js';
import { parseAgentSpec } from '../agents/agent-spec.js';
import { checkResourceMeta, checkResourceParam, findResource, xmlIdProblem, type CibChange, type Clone, type Configuration, type Group, type Operation, type Primitive } from '../cib/index.js';
import { inputError, type AdminInputError } from './admin-input-error.js';
import { nvSetOf, parseNameValues, type NameValue } from './name-values.js';
import { DEFAULT_MONITOR, parseOperationSpec } from './operation-spec.js';

export interface ResourceCreateRequest {
  readonly id: string;
  /** `ocf:PROVIDER:TYPE`, `lsb:NAME`, `heartbeat:NAME` or `systemd:UNIT`. */
  readonly agent: string;
  /** Agent parameters, `name=value`. */
  readonly params: readonly string[];
  /** Meta attributes, `name=value`; clone options go on the clone. */
  readonly meta: readonly string[];
  /** Operation definitions, `NAME [option=value ...]`; none = one default monitor. */
  readonly ops: readonly string[];
  /** Appends the primitive to this group (created when it does not exist). */
  readonly group?: string;
  readonly clone?: boolean;
  readonly promotable?: boolean;
}

/** Meta attributes that configure a clone rather than each of its instances. */
const CLONE_OPTIONS = new Set(['clone-max', 'clone-node-max', 'clone-min', 'globally-unique', 'interleave', 'notify', 'ordered', 'promotable', 'promoted-max', 'promoted-node-max', 'master-max', 'master-node-max']);

/** What one new primitive is made of, in the operator's words (a layout command builds several). */
export interface PrimitiveRequest {
  readonly id: string;
  readonly agent: string;
  readonly params: readonly string[];
  readonly meta: readonly string[];
  /** None = one default monitor. */
  readonly ops: readonly string[];
}

/**
 * One primitive from words: id syntax, agent, parameters, meta attributes (clone options refused:
 * they belong on a clone) and operations, each checked with an error naming the option. Whether
 * the id is free is the caller's check (it knows what else the change creates).
 */
export function buildPrimitive(request: PrimitiveRequest): Result<Primitive, AdminInputError> {
  const { id } = request;
  const idProblem = xmlIdProblem(id);
  if (idProblem !== undefined) return inputError('ID', idProblem);
  const agent = parseAgentSpec(request.agent);
  if (!agent.ok) return inputError('AGENT', agent.error);
  const params = parseNameValues(request.params, 'name=value');
  if (!params.ok) return params;
  for (const { name, value } of params.value) {
    const problem = checkResourceParam(name, value);
    if (problem !== undefined) return inputError(`${name}=`, problem.message.replace('set it with set-resource-meta', 'give it with --meta'));
  }
  const meta = checkedMeta(request.meta);
  if (!meta.ok) return meta;
  const cloneOption = meta.value.find((m) => CLONE_OPTIONS.has(m.name));
  if (cloneOption !== undefined) return inputError('--meta', `'${cloneOption.name}' is a clone option: add --clone (or --promotable)`);

  const ops: Operation[] = [];
  for (const spec of request.ops.length === 0 ? [DEFAULT_MONITOR] : request.ops) {
    const op = parseOperationSpec(spec, id);
    if (!op.ok) return op;
    if (ops.some((o) => o.id === op.value.id)) return inputError('--op', `two operations '${op.value.name}' with the same interval: give each monitor its own interval`);
    ops.push(op.value);
  }
  return ok({
    kind: 'primitive',
    id,
    class: agent.value.standard,
    ...(agent.value.provider === undefined ? {} : { provider: agent.value.provider }),
    type: agent.value.type,
    instanceAttributes: nvSetOf(id, 'instance_attributes', params.value),
    metaAttributes: nvSetOf(id, 'meta_attributes', meta.value),
    operations: { ops },
  });
}

/** `--meta` words read and checked against the known meta attributes. */
export function checkedMeta(words: readonly string[]): Result<readonly NameValue[], AdminInputError> {
  const meta = parseNameValues(words, '--meta');
  if (!meta.ok) return meta;
  for (const { name, value } of meta.value) {
    const problem = checkResourceMeta(name, value);
    if (problem !== undefined) return inputError('--meta', problem.message.replace('agent parameters are set with set-resource-param', 'agent parameters are given as name=value'));
  }
  return meta;
}

export function buildResourceCreate(request: ResourceCreateRequest, configuration: Configuration): Result<CibChange, AdminInputError> {
  const { id } = request;
  const idProblem = xmlIdProblem(id);
  if (idProblem !== undefined) return inputError('ID', idProblem);
  const existing = findResource(configuration.resources, id);
  if (existing !== undefined) {
    return inputError('ID', `resource '${id}' exists already${existing.parent === undefined ? '' : ` (in ${existing.parent.kind} '${existing.parent.id}')`}: change it with 'heartline resource update', or delete it first`);
  }
  if (request.group !== undefined && (request.clone === true || request.promotable === true)) {
    return inputError('--group', `a group member cannot be cloned by itself: create the group, then clone the group (${request.promotable === true ? '--promotable' : '--clone'} with --group is refused)`);
  }
  const meta = checkedMeta(request.meta);
  if (!meta.ok) return meta;
  const cloned = request.clone === true || request.promotable === true;
  // Clone options go on the clone; without a clone buildPrimitive refuses them.
  const onClone = (word: string): boolean => cloned && CLONE_OPTIONS.has(word.slice(0, word.indexOf('=')));
  const primitive = buildPrimitive({ id, agent: request.agent, params: request.params, meta: request.meta.filter((word) => !onClone(word)), ops: request.ops });
  if (!primitive.ok) return primitive;

  if (request.group !== undefined) return intoGroup(primitive.value, request.group, configuration);
  if (!cloned) return ok({ op: 'put-resource', resource: primitive.value });
  const cloneId = `${id}-clone`;
  if (findResource(configuration.resources, cloneId) !== undefined) return inputError('--clone', `the clone would be named '${cloneId}', which is a resource already`);
  const cloneMeta: NameValue[] = meta.value.filter((m) => CLONE_OPTIONS.has(m.name) && !(request.promotable === true && m.name === 'promotable'));
  if (request.promotable === true) cloneMeta.unshift({ name: 'promotable', value: 'true' });
  const clone: Clone = { kind: 'clone', id: cloneId, legacyMaster: false, instanceAttributes: [], metaAttributes: nvSetOf(cloneId, 'meta_attributes', cloneMeta), child: primitive.value };
  return ok({ op: 'put-resource', resource: clone });
}

/** The group with `primitive` appended (a new group when there is none), as a put-resource of its top-level resource. */
function intoGroup(primitive: Primitive, groupId: string, configuration: Configuration): Result<CibChange, AdminInputError> {
  const place = findResource(configuration.resources, groupId);
  if (place === undefined) {
    const idProblem = xmlIdProblem(groupId);
    if (idProblem !== undefined) return inputError('--group', idProblem);
    const group: Group = { kind: 'group', id: groupId, instanceAttributes: [], metaAttributes: [], members: [primitive] };
    return ok({ op: 'put-resource', resource: group });
  }
  const group = place.resource;
  if (group.kind !== 'group') return inputError('--group', `'${groupId}' is a ${group.kind === 'unsupported' ? group.xml.name : group.kind}, not a group`);
  const grown: Group = { ...group, members: [...group.members, primitive] };
  if (place.parent === undefined) return ok({ op: 'put-resource', resource: grown });
  // A cloned group: the clone is the top-level resource put-resource replaces.
  const clone = place.parent as Clone;
  return ok({ op: 'put-resource', resource: { ...clone, child: grown } });
}
