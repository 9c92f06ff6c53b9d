/**
 * The CIB change language: every way the CIB changes, as plain data, and applyCibChange, which
 * the DC uses to apply one to its CIB. A change is validated against the CIB it applies to and is
 * refused whole with an error naming the field (nothing is half-applied: a batch is atomic); an
 * accepted change gives a new, deeply frozen snapshot whose version moved as Pacemaker's does:
 * a configuration change bumps `epoch` and resets `num_updates` to 0, a status-only change bumps
 * `num_updates`, and a change that changes nothing returns the input snapshot itself (same
 * version), so that the DC can tell there is nothing to replicate.
 *
 * Strictness, decided here once: the fine-grained changes refuse what the cluster would silently
 * ignore (an unknown or deprecated cluster property or resource meta attribute, with the closest
 * known name as a hint; a value of the wrong type for an option whose type Pacemaker fixes; a
 * constraint naming an unknown resource or node; a duplicate id), while replace-configuration (an
 * import or a rollback) takes any configuration the importer accepts as long as its ids are unique
 * and its constraints name configured resources and nodes — the import's warnings are the
 * caller's to show.
 *
 * Recording an operation result (the LRM's results that the DC writes into the status) is
 * `{ op: 'record-operation'; result }`, applied with `recordOperation` (operation-record.ts); the
 * version is bumped here, once per change.
 */
import { err, ok, type Result } from '../../lib/index.js';
import { canonicalJson, deepFreeze } from './canonical.js';
import type { Cib, CibHeader } from './cib.js';
import { formatCibTimestamp } from './cib-timestamp.js';
import type { Configuration } from './configuration.js';
import { idsInUse, unusedId } from './configuration-ids.js';
import { constraintNodeName, constraintResourceIds, withoutResources } from './constraint-references.js';
import type { Constraint } from './constraints.js';
import {
  configurationProblem,
  constraintReferencesProblem,
  constraintShapeProblem,
  newIdsProblem,
  nodeShapeProblem,
  resourceShapeProblem,
  type CibChangeError,
} from './change-validation.js';
import type { ClusterNode } from './nodes.js';
import type { NvSet } from './nvset.js';
import { removeNvPair, setNvPair } from './nvset-edit.js';
import { checkClusterProperty, checkNodeAttribute, checkResourceMeta, checkResourceParam } from './option-values.js';
import { allResourceIds, findResource, primitivesWithin, removeGroupMember, resourceIdsWithin, updateResource } from './resource-tree.js';
import type { Clone, Group, Primitive } from './resources.js';
import type { NodeState, Status } from './status.js';
import { recordOperation, type OperationResult } from './operation-record.js';

export type { CibChangeError } from './change-validation.js';

/** The membership fields of a node_state that the DC records; absent fields are left as they are. */
export interface NodeMembershipState {
  /** Member of the membership view (`in_ccm`). */
  readonly inCcm?: boolean;
  /** Whether the node's daemon is up (`crmd`). */
  readonly crmd?: 'online' | 'offline';
  /** Where the node is in the DC's join protocol. */
  readonly join?: 'member' | 'down' | 'pending' | 'banned';
  /** What the DC expects the node to be. */
  readonly expected?: 'member' | 'down';
  /** Seconds since the Unix epoch when the node asked to shut down; 0 = it did not. */
  readonly shutdown?: number;
}

/**
 * One change to a CIB. Nodes are named by `uname`. Option values are the CIB's strings; `value`
 * undefined removes the option. See each member for what it does and what it refuses.
 */
export type CibChange =
  /** Replaces the whole configuration (import, rollback); the status is kept. */
  | { readonly op: 'replace-configuration'; readonly configuration: Configuration }
  /** Creates a top-level primitive, group or clone, or replaces the one with the same id in place. */
  | { readonly op: 'put-resource'; readonly resource: Primitive | Group | Clone }
  /**
   * Deletes a top-level resource or a group member. Refused while constraints name it (or one of
   * its members), naming them, unless `cascade`: then those constraints go too (resource sets
   * only lose the deleted ids). The status keeps its history, so that the policy engine stops it
   * as an orphan.
   */
  | { readonly op: 'delete-resource'; readonly id: string; readonly cascade?: boolean }
  /** Sets or removes a meta attribute (target-role, is-managed, ...) of a resource at any depth. */
  | { readonly op: 'set-resource-meta'; readonly id: string; readonly name: string; readonly value?: string }
  /** Sets or removes an agent parameter (instance attribute) of a primitive. */
  | { readonly op: 'set-resource-param'; readonly id: string; readonly name: string; readonly value?: string }
  /** Creates a location, colocation or order constraint, or replaces the one with the same id in place. */
  | { readonly op: 'put-constraint'; readonly constraint: Constraint }
  | { readonly op: 'delete-constraint'; readonly id: string }
  /** Sets or removes a cluster property in `cib-bootstrap-options` (removal: from every crm_config set). */
  | { readonly op: 'set-cluster-property'; readonly name: string; readonly value?: string }
  /** Adds a cluster node, or replaces the node with the same id. */
  | { readonly op: 'put-node'; readonly node: ClusterNode }
  /**
   * Sets or removes a node attribute: permanent ones live in the configuration (standby=on from
   * `heartline node standby`), transient ones in the node's status (gone when it leaves).
   */
  | { readonly op: 'set-node-attribute'; readonly node: string; readonly name: string; readonly value?: string; readonly lifetime: 'permanent' | 'transient' }
  /**
   * Cleanup: drops the operation history and the fail-count-* and last-failure-* attributes of the
   * resource (every primitive inside it, clone instances included) on `node`, or on every node.
   * The resource may be an orphan that only the status still knows.
   */
  | { readonly op: 'clear-failures'; readonly resource: string; readonly node?: string }
  /** Records a node's membership state (creating its node_state when the node has none yet). */
  | { readonly op: 'set-node-state'; readonly node: string; readonly state: NodeMembershipState }
  /** Records whether the partition has quorum and which node (by id) is the DC; no dcUuid = no DC. */
  | { readonly op: 'set-cluster-state'; readonly haveQuorum: boolean; readonly dcUuid?: string }
  /** Writes one operation result into the node's history (recordOperation), as the DC does for each LRM result. */
  | { readonly op: 'record-operation'; readonly result: OperationResult }
  /**
   * Forgets a node's operation history and (unless keepAttributes) its transient attributes: after
   * the node was fenced nothing runs there and nothing it reported still holds; when a node joins a
   * new DC, its history is replaced by what the node itself reports (Pacemaker erases the same
   * sections in both cases).
   */
  | { readonly op: 'forget-node-resources'; readonly node: string; readonly keepAttributes?: boolean }
  /** Applies the changes in order, each seeing the previous ones' result; all or nothing. */
  | { readonly op: 'batch'; readonly changes: readonly CibChange[] };

/** Who makes a change and when. */
export interface CibChangeMeta {
  /** Seconds since the Unix epoch (the caller's wall clock): cib-last-written. */
  readonly now: number;
  /** The node the change came from: update-origin. */
  readonly origin: string;
  /** The user who asked: update-user. */
  readonly user: string;
  /** The tool that asked (heartline-cli, controller, ...): update-client; absent removes it. */
  readonly client?: string;
  /** What the asker says the change does ("resource create web (ocf:heartbeat:Dummy)"), for the configuration history; not part of the CIB. */
  readonly description?: string;
}

/** What the changes rewrite: everything of a snapshot except its version. */
interface Draft {
  readonly configuration: Configuration;
  readonly status: Status;
  readonly haveQuorum: boolean | undefined;
  readonly dcUuid: string | undefined;
}

type Step = Result<Draft, CibChangeError>;

/**
 * Applies `change` to `cib` and returns the new snapshot, or the reason the change was refused
 * (the field, as a path inside the change, and what to do). Pure and total: it never throws on a
 * malformed change, and never modifies `cib` or `change`. Versions: a configuration change bumps
 * epoch and resets num_updates to 0; otherwise num_updates + 1; nothing changed = `cib` itself.
 * Header: update-origin, update-user and update-client come from `meta` on every change;
 * cib-last-written (`meta.now`, UTC) only when the configuration changed, since it dates the
 * configuration. The result is deeply frozen; values taken from the change are copied first.
 */
export function applyCibChange(cib: Cib, change: CibChange, meta: CibChangeMeta): Result<Cib, CibChangeError> {
  const start: Draft = { configuration: cib.configuration, status: cib.status, haveQuorum: cib.header.haveQuorum, dcUuid: cib.header.dcUuid };
  const applied = applyOne(start, change, '');
  if (!applied.ok) return applied;
  const draft = applied.value;
  const configurationChanged = draft.configuration !== cib.configuration;
  const statusChanged = draft.status !== cib.status || draft.haveQuorum !== cib.header.haveQuorum || draft.dcUuid !== cib.header.dcUuid;
  if (!configurationChanged && !statusChanged) return ok(cib);

  const version = configurationChanged
    ? { adminEpoch: cib.version.adminEpoch, epoch: cib.version.epoch + 1, numUpdates: 0 }
    : { ...cib.version, numUpdates: cib.version.numUpdates + 1 };
  const { updateClient: _previousClient, haveQuorum: _quorum, dcUuid: _dc, ...kept } = cib.header;
  const header: CibHeader = {
    ...kept,
    ...(draft.haveQuorum !== undefined && { haveQuorum: draft.haveQuorum }),
    ...(draft.dcUuid !== undefined && { dcUuid: draft.dcUuid }),
    ...(configurationChanged && { cibLastWritten: formatCibTimestamp(meta.now) }),
    updateOrigin: meta.origin,
    updateUser: meta.user,
    ...(meta.client !== undefined && { updateClient: meta.client }),
  };
  return ok(deepFreeze({ version, header, configuration: draft.configuration, status: draft.status }));
}

function refuse(field: string, message: string): { readonly ok: false; readonly error: CibChangeError } {
  return err({ field, message });
}

/** `error` with its field moved under `prefix`. */
function under(prefix: string, error: CibChangeError | undefined): { readonly ok: false; readonly error: CibChangeError } | undefined {
  return error === undefined ? undefined : err({ field: `${prefix}${error.field}`, message: error.message });
}

/**
 * A copy of a value from the change, as plain JSON data: the snapshot must not share (and later
 * freeze) the caller's objects, and JSON drops properties set to undefined, as the model wants.
 * Frozen values (from the importer or the history) are snapshots already and are kept.
 */
function ownCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  return JSON.parse(JSON.stringify(value)) as T;
}

function applyOne(draft: Draft, change: CibChange, prefix: string): Step {
  if (typeof change !== 'object' || change === null) return refuse(prefix === '' ? 'op' : prefix.replace(/\.$/, ''), 'must be a change object');
  const at = (field: string): string => `${prefix}${field}`;
  switch (change.op) {
    case 'replace-configuration':
      return replaceConfiguration(draft, ownCopy(change.configuration), at);
    case 'put-resource':
      return putResource(draft, ownCopy(change.resource), at);
    case 'delete-resource':
      return deleteResource(draft, change.id, change.cascade === true, at);
    case 'set-resource-meta':
    case 'set-resource-param':
      return setResourceOption(draft, change, at);
    case 'put-constraint':
      return putConstraint(draft, ownCopy(change.constraint), at);
    case 'delete-constraint':
      return deleteConstraint(draft, change.id, at);
    case 'set-cluster-property':
      return setClusterProperty(draft, change.name, change.value, at);
    case 'put-node':
      return putNode(draft, ownCopy(change.node), at);
    case 'set-node-attribute':
      return setNodeAttribute(draft, change, at);
    case 'clear-failures':
      return clearFailures(draft, change.resource, change.node, at);
    case 'set-node-state':
      return setNodeState(draft, change.node, change.state, at);
    case 'set-cluster-state':
      return setClusterState(draft, change.haveQuorum, change.dcUuid, at);
    case 'record-operation':
      return recordOperationChange(draft, change.result, at);
    case 'forget-node-resources':
      return forgetNodeResources(draft, change.node, change.keepAttributes === true, at);
    case 'batch': {
      if (!Array.isArray(change.changes)) return refuse(at('changes'), 'must be a list of changes');
      let current = draft;
      for (const [index, inner] of (change.changes as readonly CibChange[]).entries()) {
        const step = applyOne(current, inner, at(`changes[${index}].`));
        if (!step.ok) return step;
        current = step.value;
      }
      return ok(current);
    }
    default: {
      const op = (change as { op?: unknown }).op;
      return refuse(at('op'), `'${String(op)}' is not a CIB change: use replace-configuration, put-resource, delete-resource, set-resource-meta, set-resource-param, put-constraint, delete-constraint, set-cluster-property, put-node, set-node-attribute, clear-failures, set-node-state, set-cluster-state, record-operation, forget-node-resources or batch`);
    }
  }
}

// ---- configuration ----

function withConfiguration(draft: Draft, configuration: Configuration): Draft {
  return { ...draft, configuration };
}

function replaceConfiguration(draft: Draft, configuration: Configuration, at: (field: string) => string): Step {
  const failed = under('', configurationProblem(configuration, at('configuration')));
  if (failed !== undefined) return failed;
  if (canonicalJson(configuration) === canonicalJson(draft.configuration)) return ok(draft);
  return ok(withConfiguration(draft, configuration));
}

function putResource(draft: Draft, resource: Primitive | Group | Clone, at: (field: string) => string): Step {
  const shape = under(prefixOf(at), resourceShapeProblem(resource, 'resource'));
  if (shape !== undefined) return shape;
  const { resources, constraints } = draft.configuration;
  const place = findResource(resources, resource.id);
  if (place?.parent !== undefined) {
    return refuse(at('resource.id'), `'${resource.id}' is inside ${place.parent.kind} '${place.parent.id}': put-resource creates or replaces a top-level resource; put the ${place.parent.kind} instead`);
  }
  const replaced = place?.resource;
  const ids = under(prefixOf(at), newIdsProblem(resource, 'resource', idsInUse(draft.configuration, replaced)));
  if (ids !== undefined) return ids;
  if (replaced !== undefined) {
    // A replacement may drop members; constraints must not be left naming them.
    const kept = new Set(resourceIdsWithin(resource));
    const dropped = new Set(resourceIdsWithin(replaced).filter((id) => !kept.has(id)));
    const naming = constraints.filter((c) => constraintResourceIds(c).some((id) => dropped.has(id)));
    if (naming.length > 0) {
      return refuse(at('resource'), `the new definition of '${resource.id}' drops ${[...dropped].map(quote).join(', ')}, which ${naming.length === 1 ? 'constraint' : 'constraints'} ${naming.map((c) => quote(c.id ?? c.kind)).join(', ')} ${naming.length === 1 ? 'names' : 'name'}: delete those constraints first`);
    }
  }
  const next = replaced === undefined ? [...resources, resource] : resources.map((r) => (r === replaced ? resource : r));
  return ok(withConfiguration(draft, { ...draft.configuration, resources: next }));
}

function deleteResource(draft: Draft, id: string, cascade: boolean, at: (field: string) => string): Step {
  const { configuration } = draft;
  const place = typeof id === 'string' ? findResource(configuration.resources, id) : undefined;
  if (place === undefined) return refuse(at('id'), unknownResource(id, configuration));
  const { parent, resource } = place;
  if (parent?.kind === 'clone') return refuse(at('id'), `'${id}' is the resource inside clone '${parent.id}': delete the clone instead`);
  if (parent?.kind === 'group' && parent.members.length === 1) return refuse(at('id'), `'${id}' is the only member of group '${parent.id}': delete the group instead`);
  const removed = new Set(resourceIdsWithin(resource));
  const levels = (configuration.fencingTopology ?? []).filter((level) => level.devices.some((device) => removed.has(device)));
  if (levels.length > 0) return refuse(at('id'), `fencing ${levels.length === 1 ? 'level' : 'levels'} ${levels.map((l) => quote(l.id)).join(', ')} use '${id}' as a device: change the fencing topology first`);
  const naming = configuration.constraints.filter((c) => constraintResourceIds(c).some((rid) => removed.has(rid)));
  if (naming.length > 0 && !cascade) {
    return refuse(
      at('id'),
      `'${id}' is named by ${naming.length === 1 ? 'constraint' : 'constraints'} ${naming.map((c) => quote(c.id ?? c.kind)).join(', ')}: delete ${naming.length === 1 ? 'it' : 'them'} first, or delete with cascade to delete ${naming.length === 1 ? 'it' : 'them'} too`,
    );
  }
  const constraints = naming.length === 0 ? configuration.constraints : configuration.constraints.flatMap((c) => withoutResources(c, removed) ?? []);
  const resources = parent?.kind === 'group' ? removeGroupMember(configuration.resources, parent, id) : configuration.resources.filter((r) => r !== resource);
  return ok(withConfiguration(draft, { ...configuration, resources, constraints }));
}

function setResourceOption(
  draft: Draft,
  change: Extract<CibChange, { op: 'set-resource-meta' | 'set-resource-param' }>,
  at: (field: string) => string,
): Step {
  const { configuration } = draft;
  const { id, name, value } = change;
  const meta = change.op === 'set-resource-meta';
  const place = typeof id === 'string' ? findResource(configuration.resources, id) : undefined;
  if (place === undefined) return refuse(at('id'), unknownResource(id, configuration));
  const resource = place.resource;
  if (resource.kind === 'unsupported') return refuse(at('id'), `'${id}' is a ${resource.xml.name}, which Heartline keeps verbatim: change it through a configuration import`);
  if (!meta && resource.kind !== 'primitive') {
    const inside = primitivesWithin(resource).map((p) => quote(p.id)).join(', ');
    return refuse(at('id'), `'${id}' is a ${resource.kind}; agent parameters belong to its primitives (${inside})`);
  }
  const optionProblem = meta ? checkResourceMeta(name, value) : checkResourceParam(name, value);
  if (optionProblem !== undefined) return refuse(at(optionProblem.field), optionProblem.message);
  const key = meta ? 'metaAttributes' : 'instanceAttributes';
  const sets: readonly NvSet[] = resource[key];
  const setKind = meta ? 'meta_attributes' : 'instance_attributes';
  const next = value === undefined ? removeNvPair(sets, name) : setNvPair(sets, name, value, newIds(configuration, `${id}-${setKind}`, name));
  if (next === sets) return ok(draft);
  const resources = updateResource(configuration.resources, id, (r) => ({ ...r, [key]: next }));
  return ok(withConfiguration(draft, { ...configuration, resources }));
}

function putConstraint(draft: Draft, constraint: Constraint, at: (field: string) => string): Step {
  const shape = under(prefixOf(at), constraintShapeProblem(constraint, 'constraint'));
  if (shape !== undefined) return shape;
  const { configuration } = draft;
  const replaced = configuration.constraints.find((c) => c.id === constraint.id);
  const problem =
    newIdsProblem(constraint, 'constraint', idsInUse(configuration, replaced)) ?? constraintReferencesProblem(constraint, 'constraint', configuration);
  const failed = under(prefixOf(at), problem);
  if (failed !== undefined) return failed;
  const constraints = replaced === undefined ? [...configuration.constraints, constraint] : configuration.constraints.map((c) => (c === replaced ? constraint : c));
  return ok(withConfiguration(draft, { ...configuration, constraints }));
}

function deleteConstraint(draft: Draft, id: string, at: (field: string) => string): Step {
  const { configuration } = draft;
  const found = configuration.constraints.find((c) => c.id === id);
  if (found === undefined) {
    const known = configuration.constraints.flatMap((c) => (c.id === undefined ? [] : [c.id]));
    return refuse(at('id'), `there is no constraint '${String(id)}'${listing(' (constraints: ', known, ')')}`);
  }
  return ok(withConfiguration(draft, { ...configuration, constraints: configuration.constraints.filter((c) => c !== found) }));
}

const BOOTSTRAP_SET = 'cib-bootstrap-options';

function setClusterProperty(draft: Draft, name: string, value: string | undefined, at: (field: string) => string): Step {
  const problem = checkClusterProperty(name, value);
  if (problem !== undefined) return refuse(at(problem.field), problem.message);
  const { configuration } = draft;
  const sets = configuration.crmConfig;
  const next = value === undefined ? removeNvPair(sets, name) : setClusterPropertyPair(configuration, name, value);
  if (next === sets) return ok(draft);
  return ok(withConfiguration(draft, { ...configuration, crmConfig: next }));
}

/** Pacemaker's tools write cluster properties into cib-bootstrap-options, which wins over other sets. */
function setClusterPropertyPair(configuration: Configuration, name: string, value: string): readonly NvSet[] {
  const sets = configuration.crmConfig;
  const ids = newIds(configuration, BOOTSTRAP_SET, name);
  const bootstrap = sets.findIndex((s) => s.id === BOOTSTRAP_SET && s.idRef === undefined && s.rules.length === 0);
  const set = sets[bootstrap];
  if (set === undefined) {
    const setId = ids.setId();
    return [{ id: setId, rules: [], pairs: [{ id: ids.pairId(setId), name, value }] }, ...sets];
  }
  const updated = setNvPair([set], name, value, ids);
  return updated[0] === set ? sets : sets.map((s, i) => (i === bootstrap ? (updated[0] as NvSet) : s));
}

function putNode(draft: Draft, node: ClusterNode, at: (field: string) => string): Step {
  const shape = under(prefixOf(at), nodeShapeProblem(node, 'node'));
  if (shape !== undefined) return shape;
  const { configuration } = draft;
  const same = configuration.nodes.find((n) => n.id === node.id);
  const clash = configuration.nodes.find((n) => n.uname === node.uname && n !== same);
  if (clash !== undefined) return refuse(at('node.uname'), `node '${clash.id}' is already named '${node.uname}': node names are unique`);
  if (same !== undefined && same.uname !== node.uname) {
    const naming = configuration.constraints.filter((c) => constraintNodeName(c) === same.uname);
    if (naming.length > 0) return refuse(at('node.uname'), `renaming '${same.uname}' would leave ${naming.map((c) => quote(c.id ?? c.kind)).join(', ')} naming a node that does not exist: delete those constraints first`);
  }
  const inUse = idsInUse({ ...configuration, nodes: configuration.nodes.filter((n) => n !== same) });
  const ids = under(prefixOf(at), newIdsProblem(node.instanceAttributes, 'node.instanceAttributes', inUse));
  if (ids !== undefined) return ids;
  if (same !== undefined && canonicalJson(same) === canonicalJson(node)) return ok(draft);
  const nodes = same === undefined ? [...configuration.nodes, node] : configuration.nodes.map((n) => (n === same ? node : n));
  return ok(withConfiguration(draft, { ...configuration, nodes }));
}

// ---- node attributes and status ----

function setNodeAttribute(draft: Draft, change: Extract<CibChange, { op: 'set-node-attribute' }>, at: (field: string) => string): Step {
  const { node, name, value, lifetime } = change;
  const problem = checkNodeAttribute(name, value);
  if (problem !== undefined) return refuse(at(problem.field), problem.message);
  const { configuration } = draft;
  if (lifetime === 'permanent') {
    const configured = configuration.nodes.find((n) => n.uname === node);
    if (configured === undefined) return refuse(at('node'), unknownNode(node, draft));
    const sets = configured.instanceAttributes;
    const next = value === undefined ? removeNvPair(sets, name) : setNvPair(sets, name, value, newIds(configuration, `nodes-${configured.id}`, name));
    if (next === sets) return ok(draft);
    const nodes = configuration.nodes.map((n) => (n === configured ? { ...n, instanceAttributes: next } : n));
    return ok(withConfiguration(draft, { ...configuration, nodes }));
  }
  if (lifetime !== 'transient') return refuse(at('lifetime'), "must be 'permanent' (kept in the configuration) or 'transient' (until the node leaves)");
  const found = nodeStateOf(draft, node);
  if (found === undefined) return refuse(at('node'), unknownNode(node, draft));
  const { state, nodeId } = found;
  const sets = state.transientAttributes?.sets ?? [];
  // Status ids are not checked for uniqueness by anyone; attrd's naming is enough.
  const taken = (id: string): boolean => sets.some((s) => s.id === id || s.pairs.some((p) => p.id === id));
  const ids = { setId: () => unusedId(`status-${nodeId}`, taken), pairId: (setId: string) => unusedId(`${setId}-${name}`, taken) };
  const next = value === undefined ? removeNvPair(sets, name) : setNvPair(sets, name, value, ids);
  if (next === sets) return ok(draft);
  return ok(withNodeState(draft, found, { ...state, transientAttributes: { ...(state.transientAttributes ?? { id: nodeId }), sets: next } }));
}

function clearFailures(draft: Draft, resource: string, node: string | undefined, at: (field: string) => string): Step {
  const { configuration, status } = draft;
  if (typeof resource !== 'string' || resource === '') return refuse(at('resource'), 'must be a resource id');
  const place = findResource(configuration.resources, resource);
  const primitiveIds = place === undefined ? [resource] : primitivesWithin(place.resource).map((p) => p.id);
  const matchesLrm = (lrmId: string): boolean => primitiveIds.some((p) => lrmId === p || (lrmId.startsWith(`${p}:`) && /^\d+$/.test(lrmId.slice(p.length + 1))));
  if (place === undefined && !status.nodes.some((s) => s.lrm?.resources.some((r) => matchesLrm(r.id)))) return refuse(at('resource'), unknownResource(resource, configuration));
  let target: NodeState | undefined;
  if (node !== undefined) {
    const found = nodeStateOf(draft, node);
    if (found === undefined) return refuse(at('node'), unknownNode(node, draft));
    if (found.index < 0) return ok(draft); // a configured node with no status has nothing to clear
    target = found.state;
  }
  const attributeOfResource = (name: string): boolean =>
    ['fail-count-', 'last-failure-'].some((prefix) => {
      if (!name.startsWith(prefix)) return false;
      const rest = name.slice(prefix.length);
      return primitiveIds.some((p) => rest.startsWith(p) && /^(:\d+)?(#.*)?$/.test(rest.slice(p.length)));
    });
  let changed = false;
  const nodes = status.nodes.map((state) => {
    if (target !== undefined && state !== target) return state;
    let next = state;
    if (state.lrm !== undefined && state.lrm.resources.some((r) => matchesLrm(r.id))) {
      next = { ...next, lrm: { ...state.lrm, resources: state.lrm.resources.filter((r) => !matchesLrm(r.id)) } };
    }
    const sets = state.transientAttributes?.sets;
    if (state.transientAttributes !== undefined && sets !== undefined && sets.some((s) => s.idRef === undefined && s.pairs.some((p) => attributeOfResource(p.name)))) {
      const cleared = sets.map((s) => (s.idRef === undefined ? { ...s, pairs: s.pairs.filter((p) => !attributeOfResource(p.name)) } : s));
      next = { ...next, transientAttributes: { ...state.transientAttributes, sets: cleared } };
    }
    if (next !== state) changed = true;
    return next;
  });
  return changed ? ok({ ...draft, status: { ...status, nodes } }) : ok(draft);
}

const CRMD_VALUES = ['online', 'offline'];
const JOIN_VALUES = ['member', 'down', 'pending', 'banned'];
const EXPECTED_VALUES = ['member', 'down'];

function setNodeState(draft: Draft, node: string, state: NodeMembershipState, at: (field: string) => string): Step {
  if (typeof state !== 'object' || state === null) return refuse(at('state'), 'must be an object with inCcm, crmd, join, expected or shutdown');
  const checks: [keyof NodeMembershipState, boolean, string][] = [
    ['inCcm', state.inCcm === undefined || typeof state.inCcm === 'boolean', 'must be true or false'],
    ['crmd', state.crmd === undefined || CRMD_VALUES.includes(state.crmd), `must be one of ${CRMD_VALUES.join(', ')}`],
    ['join', state.join === undefined || JOIN_VALUES.includes(state.join), `must be one of ${JOIN_VALUES.join(', ')}`],
    ['expected', state.expected === undefined || EXPECTED_VALUES.includes(state.expected), `must be one of ${EXPECTED_VALUES.join(', ')}`],
    ['shutdown', state.shutdown === undefined || (Number.isSafeInteger(state.shutdown) && state.shutdown >= 0), 'must be seconds since the Unix epoch (0 = no shutdown asked)'],
  ];
  for (const [field, valid, message] of checks) if (!valid) return refuse(at(`state.${field}`), `${String(state[field])} ${message}`);
  const found = nodeStateOf(draft, node);
  if (found === undefined) return refuse(at('node'), unknownNode(node, draft));
  let next: NodeState = found.state;
  for (const key of ['inCcm', 'crmd', 'join', 'expected', 'shutdown'] as const) {
    const value = state[key];
    if (value !== undefined && next[key] !== value) next = { ...next, [key]: value };
  }
  if (next === found.state && found.index >= 0) return ok(draft);
  return ok(withNodeState(draft, found, next));
}

function setClusterState(draft: Draft, haveQuorum: boolean, dcUuid: string | undefined, at: (field: string) => string): Step {
  if (typeof haveQuorum !== 'boolean') return refuse(at('haveQuorum'), 'must be true or false');
  if (dcUuid !== undefined && (typeof dcUuid !== 'string' || dcUuid === '')) return refuse(at('dcUuid'), "must be the DC's node id, or absent when there is no DC");
  if (draft.haveQuorum === haveQuorum && draft.dcUuid === dcUuid) return ok(draft);
  return ok({ ...draft, haveQuorum, dcUuid });
}

function recordOperationChange(draft: Draft, result: OperationResult, at: (field: string) => string): Step {
  if (typeof result !== 'object' || result === null) return refuse(at('result'), 'must be an operation result');
  if (nodeStateOf(draft, result.node) === undefined) return refuse(at('result.node'), unknownNode(result.node, draft));
  if (typeof result.resource !== 'string' || result.resource === '') return refuse(at('result.resource'), 'must name the resource the operation ran on');
  // recordOperation works on a whole snapshot; only its status is kept (the version moves once, above).
  const recorded = recordOperation({ version: { adminEpoch: 0, epoch: 0, numUpdates: 0 }, header: {}, configuration: draft.configuration, status: draft.status }, ownCopy(result));
  return ok({ ...draft, status: recorded.status });
}

function forgetNodeResources(draft: Draft, node: string, keepAttributes: boolean, at: (field: string) => string): Step {
  const found = nodeStateOf(draft, node);
  if (found === undefined) return refuse(at('node'), unknownNode(node, draft));
  if (keepAttributes) {
    if (found.state.lrm === undefined) return ok(draft);
    const { lrm: _lrm, ...kept } = found.state;
    return ok(withNodeState(draft, found, kept));
  }
  if (found.state.lrm === undefined && found.state.transientAttributes === undefined) return ok(draft);
  const { lrm: _lrm, transientAttributes: _attributes, ...kept } = found.state;
  return ok(withNodeState(draft, found, kept));
}

/** A node's state: `index` < 0 when the node is configured but has no node_state yet (a fresh one is given). */
interface FoundNodeState {
  readonly state: NodeState;
  readonly index: number;
  readonly nodeId: string;
}

function nodeStateOf(draft: Draft, uname: string): FoundNodeState | undefined {
  if (typeof uname !== 'string') return undefined;
  const configured = draft.configuration.nodes.find((n) => n.uname === uname);
  const index = draft.status.nodes.findIndex((s) => s.uname === uname || (configured !== undefined && s.id === configured.id));
  const existing = draft.status.nodes[index];
  if (existing !== undefined) return { state: existing, index, nodeId: existing.id ?? configured?.id ?? uname };
  if (configured === undefined) return undefined;
  return { state: { id: configured.id, uname }, index: -1, nodeId: configured.id };
}

function withNodeState(draft: Draft, found: FoundNodeState, state: NodeState): Draft {
  const nodes = found.index < 0 ? [...draft.status.nodes, state] : draft.status.nodes.map((s, i) => (i === found.index ? state : s));
  return { ...draft, status: { ...draft.status, nodes } };
}

// ---- helpers ----

/** Ids for a new set `base` and its pair for `name`, unique in the configuration (Pacemaker's naming). */
function newIds(configuration: Configuration, base: string, name: string): { setId: () => string; pairId: (setId: string) => string } {
  let inUse: Map<string, string> | undefined;
  const taken = (id: string): boolean => (inUse ??= idsInUse(configuration)).has(id);
  return { setId: () => unusedId(base, taken), pairId: (setId) => unusedId(`${setId}-${name}`, taken) };
}

function prefixOf(at: (field: string) => string): string {
  return at('');
}

function quote(text: string): string {
  return `'${text}'`;
}

function listing(before: string, items: readonly string[], after: string): string {
  if (items.length === 0) return '';
  const shown = items.slice(0, 10).map(quote).join(', ');
  return `${before}${shown}${items.length > 10 ? `, ... ${items.length - 10} more` : ''}${after}`;
}

function unknownResource(id: unknown, configuration: Configuration): string {
  return `there is no resource '${String(id)}'${listing(' (resources: ', [...allResourceIds(configuration.resources)], ')')}`;
}

function unknownNode(uname: unknown, draft: Draft): string {
  const known = [...new Set([...draft.configuration.nodes.map((n) => n.uname), ...draft.status.nodes.flatMap((s) => (s.uname === undefined ? [] : [s.uname]))])];
  return `there is no node '${String(uname)}'${listing(' (nodes: ', known, ')')}; add it with put-node first`;
}
