/**
 * Import of `<status>`: node states, transient attributes and operation history. The status
 * section has no schema in Pacemaker; the attributes listed here are the ones Pacemaker 2.1.5
 * writes or reads; other attributes of the node_state, lrm, lrm_resource and lrm_rsc_op elements
 * (legacy Heartbeat-era ones among them) are warned about and kept verbatim, and unknown elements
 * are warned about and dropped.
 */
import { millis } from '../../../lib/index.js';
import type { LrmHistory, LrmResource, LrmRscOp, NodeState, Status, TransientAttributes } from '../status.js';
import { parseInteger, parseNonNegativeInteger, type ElementReader } from './element-reader.js';
import { readNvSet } from './import-nvsets.js';

const INTEGER = 'an integer';
const MILLISECONDS = 'a non-negative integer (milliseconds)';

/** Reads `<status>`. */
export function readStatus(reader: ElementReader): Status {
  const nodes = reader.children('node_state').map((e) => readNodeState(reader.child(e)));
  reader.finish();
  return { nodes };
}

function readNodeState(reader: ElementReader): NodeState {
  const id = reader.id;
  const uname = reader.string('uname');
  const inCcm = reader.boolean('in_ccm');
  const crmd = reader.string('crmd');
  const join = reader.string('join');
  const expected = reader.string('expected');
  const shutdown = reader.integer('shutdown');
  const remoteNode = reader.boolean('remote_node');
  const crmDebugOrigin = reader.string('crm-debug-origin');
  const transient = reader.children('transient_attributes');
  if (transient.length > 1) reader.fail(`${reader.describe()} has ${transient.length} <transient_attributes>; one is allowed`);
  const transientAttributes = transient[0] === undefined ? undefined : readTransientAttributes(reader.child(transient[0]));
  const lrms = reader.children('lrm');
  if (lrms.length > 1) reader.fail(`${reader.describe()} has ${lrms.length} <lrm> elements; one is allowed`);
  const lrm = lrms[0] === undefined ? undefined : readLrm(reader.child(lrms[0]));
  const otherAttributes = reader.finish({ ha: "Heartbeat's membership flag, which Pacemaker 2.1 does not read", clear_shutdown: 'legacy, not read by Pacemaker 2.1' }, true);
  return {
    ...(id !== undefined && { id }),
    ...(uname !== undefined && { uname }),
    ...(inCcm !== undefined && { inCcm }),
    ...(crmd !== undefined && { crmd }),
    ...(join !== undefined && { join }),
    ...(expected !== undefined && { expected }),
    ...(shutdown !== undefined && { shutdown }),
    ...(remoteNode !== undefined && { remoteNode }),
    ...(crmDebugOrigin !== undefined && { crmDebugOrigin }),
    ...(transientAttributes !== undefined && { transientAttributes }),
    ...(lrm !== undefined && { lrm }),
    ...(otherAttributes.length > 0 && { otherAttributes }),
  };
}

function readTransientAttributes(reader: ElementReader): TransientAttributes {
  const id = reader.id;
  const sets = reader.children('instance_attributes').map((e) => readNvSet(reader.child(e)));
  for (const e of reader.children('utilization')) {
    const child = reader.child(e);
    child.warn('ignored-element', `${child.describe()}: utilization is not modelled; dropped`);
  }
  reader.finish();
  return id === undefined ? { sets } : { id, sets };
}

function readLrm(reader: ElementReader): LrmHistory {
  const id = reader.id;
  const lists = reader.children('lrm_resources');
  if (lists.length > 1) reader.fail(`${reader.describe()} has ${lists.length} <lrm_resources>; one is allowed`);
  let resourcesId: string | undefined;
  let resources: LrmResource[] = [];
  if (lists[0] !== undefined) {
    const list = reader.child(lists[0]);
    resourcesId = list.id;
    resources = list.children('lrm_resource').map((e) => readLrmResource(list.child(e)));
    list.finish();
  }
  const otherAttributes = reader.finish({}, true);
  return { ...(id !== undefined && { id }), ...(resourcesId !== undefined && { resourcesId }), resources, ...(otherAttributes.length > 0 && { otherAttributes }) };
}

function readLrmResource(reader: ElementReader): LrmResource {
  const id = reader.requiredString('id');
  const resourceClass = reader.string('class');
  const provider = reader.string('provider');
  const type = reader.string('type');
  const ops = reader.children('lrm_rsc_op').map((e) => readLrmRscOp(reader.child(e)));
  const otherAttributes = reader.finish({}, true);
  return {
    id,
    ...(resourceClass !== undefined && { class: resourceClass }),
    ...(provider !== undefined && { provider }),
    ...(type !== undefined && { type }),
    ops,
    ...(otherAttributes.length > 0 && { otherAttributes }),
  };
}

const OLD_SPELLING = (current: string): string => `old spelling of '${current}', the attribute Pacemaker 2.1 reads`;

function readLrmRscOp(reader: ElementReader): LrmRscOp {
  const id = reader.requiredString('id');
  const operation = reader.requiredString('operation');
  const operationKey = reader.string('operation_key');
  const interval = millis(reader.requiredParsed('interval', MILLISECONDS, parseNonNegativeInteger, 0));
  const callId = reader.requiredParsed('call-id', INTEGER, parseInteger, 0);
  const rcCode = reader.requiredParsed('rc-code', INTEGER, parseInteger, 0);
  const opStatus = reader.requiredParsed('op-status', INTEGER, parseInteger, 0);
  const optionalString = (name: string): string | undefined => reader.string(name);
  const transitionKey = optionalString('transition-key');
  const transitionMagic = optionalString('transition-magic');
  const lastRun = reader.integer('last-run');
  const lastRcChange = reader.integer('last-rc-change');
  const execTime = reader.parsed('exec-time', MILLISECONDS, parseNonNegativeInteger);
  const queueTime = reader.parsed('queue-time', MILLISECONDS, parseNonNegativeInteger);
  const onNode = optionalString('on_node');
  const opDigest = optionalString('op-digest');
  const opRestartDigest = optionalString('op-restart-digest');
  const opForceRestart = optionalString('op-force-restart');
  const opSecureParams = optionalString('op-secure-params');
  const opSecureDigest = optionalString('op-secure-digest');
  const exitReason = optionalString('exit-reason');
  const migrateSource = optionalString('migrate_source');
  const migrateTarget = optionalString('migrate_target');
  const crmFeatureSet = optionalString('crm_feature_set');
  const crmDebugOrigin = optionalString('crm-debug-origin');
  const otherAttributes = reader.finish(
    {
      last_run: OLD_SPELLING('last-run'),
      last_rc_change: OLD_SPELLING('last-rc-change'),
      exec_time: OLD_SPELLING('exec-time'),
      queue_time: OLD_SPELLING('queue-time'),
    },
    true,
  );
  return {
    id,
    operation,
    ...(operationKey !== undefined && { operationKey }),
    interval,
    callId,
    rcCode,
    opStatus,
    ...(transitionKey !== undefined && { transitionKey }),
    ...(transitionMagic !== undefined && { transitionMagic }),
    ...(lastRun !== undefined && { lastRun }),
    ...(lastRcChange !== undefined && { lastRcChange }),
    ...(execTime !== undefined && { execTime: millis(execTime) }),
    ...(queueTime !== undefined && { queueTime: millis(queueTime) }),
    ...(onNode !== undefined && { onNode }),
    ...(opDigest !== undefined && { opDigest }),
    ...(opRestartDigest !== undefined && { opRestartDigest }),
    ...(opForceRestart !== undefined && { opForceRestart }),
    ...(opSecureParams !== undefined && { opSecureParams }),
    ...(opSecureDigest !== undefined && { opSecureDigest }),
    ...(exitReason !== undefined && { exitReason }),
    ...(migrateSource !== undefined && { migrateSource }),
    ...(migrateTarget !== undefined && { migrateTarget }),
    ...(crmFeatureSet !== undefined && { crmFeatureSet }),
    ...(crmDebugOrigin !== undefined && { crmDebugOrigin }),
    ...(otherAttributes.length > 0 && { otherAttributes }),
  };
}
