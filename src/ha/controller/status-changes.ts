/**
 * The status writes of the controller in the CIB change language, as Pacemaker's controller makes
 * them: node_state fields on membership changes and after fencing, one lrm_rsc_op per result.
 */
import { millis } from '../../lib/index.js';
import type { CibChange } from '../cib/index.js';
import type { StatusChanges } from './controller.js';

export const cibStatusChanges: StatusChanges<CibChange> = {
  // A member that (re)joins has not asked to shut down: a request of its previous life is over.
  member: (node) => ({ op: 'set-node-state', node, state: { inCcm: true, crmd: 'online', join: 'member', expected: 'member', shutdown: 0 } }),
  // `expected` stays member: a node that left without saying so is unclean, and the policy fences it.
  lost: (node) => ({ op: 'set-node-state', node, state: { inCcm: false, crmd: 'offline' } }),
  fenced: (node) => ({
    op: 'batch',
    changes: [
      { op: 'set-node-state', node, state: { inCcm: false, crmd: 'offline', join: 'down', expected: 'down' } },
      { op: 'forget-node-resources', node },
    ],
  }),
  history: (node, results) => ({
    op: 'batch',
    // In call order: each one-shot result replaces the resource's last one.
    changes: [{ op: 'forget-node-resources', node, keepAttributes: true }, ...[...results].sort((a, b) => a.callId - b.callId).map((r) => cibStatusChanges.operation(r))],
  }),
  operation: (result) => ({
    op: 'record-operation',
    result: {
      node: result.node,
      resource: result.request.resource,
      operation: result.request.operation,
      interval: result.request.interval,
      rcCode: result.rc,
      expectedRc: result.request.expectedRc,
      opStatus: result.opStatus,
      callId: result.callId,
      now: Math.floor(result.finishedAt),
      execTime: millis(result.execMs),
      ...(result.exitReason === undefined ? {} : { exitReason: result.exitReason }),
      ...(result.request.graph === undefined ? {} : { transition: { actionId: 0, transitionId: result.request.graph.graphId, uuid: '00000000-0000-0000-0000-000000000000' } }),
    },
  }),
  cluster: (haveQuorum, dcId) => ({ op: 'set-cluster-state', haveQuorum, dcUuid: dcId }),
};
