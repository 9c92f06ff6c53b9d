/**
 * Operation records: how one operation result is written into the CIB status, the way Pacemaker
 * 2.1's controller does it (pcmk__create_history_xml for the `lrm_rsc_op` entries, update_failcount
 * for the fail-count and last-failure node attributes). The policy engine replays these records, so
 * the simulator, `heartline simulate` and (later) the daemon's executor must all write them the same
 * way; this file is the one place that knows how.
 *
 * Invariants: the input snapshot is never modified (a new, deeply frozen snapshot is returned with
 * num_updates one higher); one `lrm_rsc_op` id per (resource, node, entry kind) — a new record
 * replaces the old one of the same id, as the controller's CIB update does.
 */
import { millis, type Millis } from '../../lib/index.js';
import type { Cib } from './cib.js';
import { deepFreeze } from './canonical.js';
import type { NvPair, NvSet } from './nvset.js';
import { resolveNvSets } from './nvset.js';
import { parsePacemakerBoolean } from './pacemaker-boolean.js';
import { listPrimitives, type Primitive } from './resources.js';
import { parseScore, SCORE_INFINITY, formatScore } from './score.js';
import type { LrmResource, LrmRscOp, NodeState, TransientAttributes } from './status.js';

/** Executor status codes (Pacemaker's enum pcmk_exec_status) that recordOperation distinguishes. */
export const OP_STATUS = { pending: -1, done: 0, cancelled: 1, timeout: 2, notSupported: 3, error: 4 } as const;

/** The transition an operation belonged to: the parts of its transition key besides the expected rc. */
export interface TransitionRef {
  /** The action's number within the transition graph. */
  readonly actionId: number;
  /** The transition (graph) number; -1 marks an operation initiated outside the cluster. */
  readonly transitionId: number;
  /** The UUID of the DC's transition engine that scheduled it. */
  readonly uuid: string;
}

/** The transition a result is attributed to when the caller names none. */
export const UNKNOWN_TRANSITION: TransitionRef = { actionId: 0, transitionId: 0, uuid: '00000000-0000-0000-0000-000000000000' };

/** One operation result, as the executor reports it to the controller. */
export interface OperationResult {
  /** The node's uname. */
  readonly node: string;
  /**
   * The resource id as the node's history knows it: a primitive id, a unique clone instance
   * `rsc:N`, or (anonymous clones) the primitive id without an instance number.
   */
  readonly resource: string;
  /** start, stop, monitor (interval 0 = probe), promote, demote, ... */
  readonly operation: string;
  readonly interval: Millis;
  /** The OCF exit code the agent returned. */
  readonly rcCode: number;
  /** The rc the transition expected (0 for most actions, 7 for probes, 8 for monitors of a promoted instance). */
  readonly expectedRc: number;
  /** Executor status; absent means done (0). */
  readonly opStatus?: number;
  /** Absent: one more than the highest call id recorded on the node (the executor counts per node). */
  readonly callId?: number;
  /** "Now" in seconds since the Unix epoch: last-rc-change and, on failure, last-failure. */
  readonly now: number;
  readonly execTime?: Millis;
  readonly queueTime?: Millis;
  readonly exitReason?: string;
  readonly opDigest?: string;
  readonly transition?: TransitionRef;
}

/** Pacemaker's pcmk__effective_rc: the degraded OCF codes count as their healthy equivalents. */
function effectiveRc(rc: number): number {
  if (rc === 190) return 0;
  if (rc === 191) return 8;
  return rc;
}

/**
 * Whether the controller counts the result as a failure (did_rsc_op_fail): pending and cancelled
 * results never do, executor errors always do, a completed operation does when its rc differs
 * from the expected one.
 */
export function operationFailed(result: Pick<OperationResult, 'rcCode' | 'expectedRc' | 'opStatus'>): boolean {
  const status = result.opStatus ?? OP_STATUS.done;
  if (status === OP_STATUS.pending || status === OP_STATUS.cancelled) return false;
  if (status !== OP_STATUS.done) return true;
  return effectiveRc(result.rcCode) !== result.expectedRc;
}

/** `RSC_OP_INTERVALMS`, Pacemaker's operation key. */
export function operationKey(resource: string, operation: string, interval: number): string {
  return `${resource}_${operation}_${interval}`;
}

/** The fail-count attribute name of an operation (pcmk__failcount_name). */
export function failCountAttributeName(resource: string, operation: string, interval: number): string {
  return `fail-count-${resource}#${operation}_${interval}`;
}

/** The last-failure attribute name of an operation (pcmk__lastfailure_name). */
export function lastFailureAttributeName(resource: string, operation: string, interval: number): string {
  return `last-failure-${resource}#${operation}_${interval}`;
}

/** The configured primitive an lrm id refers to: itself, or a clone instance `id:N` of it. */
function findPrimitive(cib: Cib, lrmId: string): Primitive | undefined {
  const all = listPrimitives(cib.configuration.resources);
  return all.find((p) => p.primitive.id === lrmId)?.primitive ?? all.find((p) => p.primitive.id === lrmId.replace(/:\d+$/, ''))?.primitive;
}

/** Whether the operation's definition says on-fail=ignore (the controller then counts no failure). */
function ignoresFailures(primitive: Primitive | undefined, operation: string, interval: number): boolean {
  const defined = primitive?.operations?.ops.find((o) => o.name === operation && o.interval === interval);
  if (defined === undefined) return false;
  return (defined.onFail ?? resolveNvSets(defined.metaAttributes).get('on-fail')) === 'ignore';
}

/** The ids the controller writes for a result (pcmk__create_history_xml): the main entry, and for a failed one-shot also `_last_0`. */
function entryIds(result: OperationResult, failed: boolean): string[] {
  const { resource, operation, interval } = result;
  if (operation === 'migrate_to' || operation === 'migrate_from') return [operationKey(resource, operation, interval)];
  if (failed) return interval === 0 ? [`${resource}_last_failure_0`, `${resource}_last_0`] : [`${resource}_last_failure_0`];
  if (interval > 0) return [operationKey(resource, operation, interval)];
  return [`${resource}_last_0`];
}

function highestCallId(state: NodeState | undefined): number {
  let max = 0;
  for (const rsc of state?.lrm?.resources ?? []) for (const op of rsc.ops) max = Math.max(max, op.callId);
  return max;
}

function sanitizeId(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '.');
}

/** Sets node attribute `name` to `valueOf(previous)`: where the pair already is, else in the first set. */
function setTransientAttribute(attributes: TransientAttributes | undefined, nodeId: string, name: string, valueOf: (previous: string | undefined) => string): TransientAttributes {
  const sets = attributes?.sets ?? [];
  const index = sets.findIndex((s) => s.pairs.some((p) => p.name === name));
  if (index >= 0) {
    const set = sets[index] as NvSet;
    const pairs = set.pairs.map((p): NvPair => (p.name === name ? { ...p, value: valueOf(p.value) } : p));
    return { ...attributes, sets: sets.map((s, i) => (i === index ? { ...set, pairs } : s)) };
  }
  const pair: NvPair = { id: sanitizeId(`status-${nodeId}-${name}`), name, value: valueOf(undefined) };
  const first = sets[0];
  if (first !== undefined) return { ...attributes, sets: [{ ...first, pairs: [...first.pairs, pair] }, ...sets.slice(1)] };
  return { ...(attributes ?? { id: nodeId }), sets: [{ id: `status-${nodeId}`, rules: [], pairs: [pair] }] };
}

/** attrd's `value++`: one more than the previous score, INFINITY staying INFINITY. */
function incremented(previous: string | undefined): string {
  const before = previous === undefined ? 0 : (parseScore(previous) ?? 0);
  return formatScore(Math.min(SCORE_INFINITY, before + 1));
}

/**
 * Records one operation result in the status section, as Pacemaker's controller does, and returns
 * the new snapshot (num_updates + 1; the input is not modified).
 *
 * - The node's `lrm_resource` entry is created when absent, with class/provider/type from the
 *   configured primitive (`resource`, or the primitive of clone instance `resource`).
 * - The record's id is `RSC_last_0` for one-shot operations (start, stop, promote, demote, probes),
 *   `RSC_monitor_INTERVAL` for recurring monitors, `RSC_last_failure_0` when the operation failed
 *   (a failed one-shot also updates `RSC_last_0`; a failed recurring monitor leaves its last good
 *   record alone, as the controller does).
 * - A successful stop deletes the resource's recurring monitor records on the node: the executor
 *   cancels recurring operations before a stop, and the controller erases cancelled ones.
 * - A failure also updates node attributes as update_failcount does: `last-failure-RSC#OP_INTERVAL`
 *   = now, and unless the operation has on-fail=ignore `fail-count-RSC#OP_INTERVAL` = INFINITY for
 *   stops and (with start-failure-is-fatal, the default) starts, else one more. Failed probes and
 *   other one-shot operations change no attribute unless initiated outside the cluster (transition
 *   -1, e.g. crm_resource --fail).
 *
 * The node is found by uname in the status, else created from `configuration/nodes` (an unknown
 * node name is a programming error of the caller and throws). Pure.
 */
export function recordOperation(cib: Cib, result: OperationResult): Cib {
  const configured = cib.configuration.nodes.find((n) => n.uname === result.node);
  const stateIndex = cib.status.nodes.findIndex((s) => s.uname === result.node || (configured !== undefined && s.id === configured.id));
  if (stateIndex < 0 && configured === undefined) throw new RangeError(`recordOperation: no node named ${result.node} in the CIB`);
  const state: NodeState = stateIndex >= 0 ? (cib.status.nodes[stateIndex] as NodeState) : { id: configured?.id ?? result.node, uname: result.node };
  const nodeId = state.id ?? configured?.id ?? result.node;

  const failed = operationFailed(result);
  const opStatus = result.opStatus ?? OP_STATUS.done;
  const transition = result.transition ?? UNKNOWN_TRANSITION;
  const transitionKey = `${transition.actionId}:${transition.transitionId}:${result.expectedRc}:${transition.uuid}`;
  const callId = result.callId ?? highestCallId(stateIndex >= 0 ? state : undefined) + 1;
  const record = (id: string): LrmRscOp => ({
    id,
    operation: result.operation,
    operationKey: operationKey(result.resource, result.operation, result.interval),
    interval: result.interval,
    callId,
    rcCode: result.rcCode,
    opStatus,
    transitionKey,
    transitionMagic: `${opStatus}:${result.rcCode};${transitionKey}`,
    lastRcChange: result.now,
    execTime: result.execTime ?? millis(0),
    queueTime: result.queueTime ?? millis(0),
    onNode: result.node,
    crmDebugOrigin: 'do_update_resource',
    ...(cib.header.crmFeatureSet === undefined ? {} : { crmFeatureSet: cib.header.crmFeatureSet }),
    ...(result.opDigest === undefined ? {} : { opDigest: result.opDigest }),
    ...(failed && result.exitReason !== undefined ? { exitReason: result.exitReason } : {}),
  });

  const primitive = findPrimitive(cib, result.resource);
  const resources = state.lrm?.resources ?? [];
  const existing = resources.find((r) => r.id === result.resource);
  const base: LrmResource = existing ?? {
    id: result.resource,
    ...(primitive === undefined ? {} : { class: primitive.class, type: primitive.type }),
    ...(primitive?.provider === undefined ? {} : { provider: primitive.provider }),
    ops: [],
  };
  const ids = entryIds(result, failed);
  const stoppedCleanly = !failed && opStatus === OP_STATUS.done && result.operation === 'stop';
  let ops = base.ops.filter((op) => !(stoppedCleanly && op.operation === 'monitor' && op.interval > 0 && !op.id.endsWith('_last_failure_0')));
  for (const id of ids) {
    const index = ops.findIndex((op) => op.id === id);
    ops = index >= 0 ? ops.map((op, i) => (i === index ? record(id) : op)) : [...ops, record(id)];
  }
  const updatedResource: LrmResource = { ...base, ops };
  const lrm = { ...(state.lrm ?? {}), resources: existing === undefined ? [...resources, updatedResource] : resources.map((r) => (r === existing ? updatedResource : r)) };

  let transientAttributes = state.transientAttributes;
  // update_failcount: recurring monitors, start, stop, promote and demote count; other one-shot
  // operations (probes, notifications) only when initiated outside the cluster (transition -1).
  const counted = result.interval > 0 || ['start', 'stop', 'promote', 'demote'].includes(result.operation) || transition.transitionId === -1;
  if (failed && counted) {
    const { resource, operation, interval } = result;
    if (!ignoresFailures(primitive, operation, interval)) {
      const options = resolveNvSets(cib.configuration.crmConfig, { firstId: 'cib-bootstrap-options' });
      const startFatal = parsePacemakerBoolean(options.get('start-failure-is-fatal') ?? 'true') ?? true;
      const toInfinity = operation === 'stop' || (operation === 'start' && startFatal);
      transientAttributes = setTransientAttribute(transientAttributes, nodeId, failCountAttributeName(resource, operation, interval), toInfinity ? () => 'INFINITY' : incremented);
    }
    transientAttributes = setTransientAttribute(transientAttributes, nodeId, lastFailureAttributeName(resource, operation, interval), () => String(result.now));
  }

  const updatedState: NodeState = { ...state, lrm, ...(transientAttributes === undefined ? {} : { transientAttributes }) };
  const nodes = stateIndex >= 0 ? cib.status.nodes.map((s, i) => (i === stateIndex ? updatedState : s)) : [...cib.status.nodes, updatedState];
  return deepFreeze({ ...cib, version: { ...cib.version, numUpdates: cib.version.numUpdates + 1 }, status: { ...cib.status, nodes } });
}
