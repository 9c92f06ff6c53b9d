/**
 * The status section of a CIB: what the cluster observed. Each node's membership state, its
 * transient attributes (fail counts, promotion scores, pingd, ...) and the history of operations
 * its resource manager ran. The DC rewrites it constantly; each write bumps num_updates.
 */
import type { Millis } from '../../lib/index.js';
import type { NvSet } from './nvset.js';
import type { XmlAttribute } from './xml-element.js';

/**
 * `<lrm_rsc_op>`: one recorded operation. Pacemaker rebuilds a resource's state on a node by
 * replaying these in `callId` order (negative call ids and opStatus -1 are pending operations).
 * A probe is a monitor with interval 0. The operation failed when `rcCode` differs from the
 * expected rc in `transitionKey` (ACTION:TRANSITION:EXPECTED_RC:UUID) or opStatus is not 0/-1.
 */
export interface LrmRscOp {
  /** e.g. rsc_start_0, rsc_monitor_10000, rsc_last_failure_0. */
  readonly id: string;
  /** start, stop, monitor, promote, demote, notify, ... */
  readonly operation: string;
  /** The operation key RSC_OP_INTERVALMS; informational. */
  readonly operationKey?: string;
  readonly interval: Millis;
  readonly callId: number;
  /** The OCF exit code: 0 ok, 1 generic error, ..., 7 not running, 8 running promoted, 9 failed promoted, 193 pending. */
  readonly rcCode: number;
  /** Execution status: -1 pending, 0 done, 1 cancelled, 2 timeout, 3 not supported, 4 error, 5 hard error, 6 fatal, 7 not installed. */
  readonly opStatus: number;
  readonly transitionKey?: string;
  /** OP_STATUS:RC;TRANSITION_KEY. */
  readonly transitionMagic?: string;
  /** Seconds since the Unix epoch. */
  readonly lastRun?: number;
  /** Seconds since the Unix epoch: when the result last changed (failure expiry counts from it). */
  readonly lastRcChange?: number;
  readonly execTime?: Millis;
  readonly queueTime?: Millis;
  readonly onNode?: string;
  readonly opDigest?: string;
  readonly opRestartDigest?: string;
  readonly opForceRestart?: string;
  readonly opSecureParams?: string;
  readonly opSecureDigest?: string;
  readonly exitReason?: string;
  readonly migrateSource?: string;
  readonly migrateTarget?: string;
  readonly crmFeatureSet?: string;
  readonly crmDebugOrigin?: string;
  /**
   * Attributes the model does not interpret (legacy ones such as Heartbeat's `ha`, or the old
   * underscore spellings of the timing attributes), sorted by name and kept verbatim so that a
   * status written back is unchanged. Absent when there are none. Pacemaker 2.1 ignores them.
   */
  readonly otherAttributes?: readonly XmlAttribute[];
}

/** `<lrm_resource>`: the operation history of one resource (or clone instance, `rsc:N`) on one node. */
export interface LrmResource {
  /** The resource id as the node knows it: a primitive id, or `child:N` for an anonymous clone instance. */
  readonly id: string;
  readonly class?: string;
  readonly provider?: string;
  readonly type?: string;
  /** In document order (not necessarily call-id order). */
  readonly ops: readonly LrmRscOp[];
  /**
   * Attributes the model does not interpret (legacy ones such as Heartbeat's `ha`, or the old
   * underscore spellings of the timing attributes), sorted by name and kept verbatim so that a
   * status written back is unchanged. Absent when there are none. Pacemaker 2.1 ignores them.
   */
  readonly otherAttributes?: readonly XmlAttribute[];
}

/** `<lrm>` with its `<lrm_resources>`: a node's operation history. */
export interface LrmHistory {
  readonly id?: string;
  /** The id of the `<lrm_resources>` element, if it has one. */
  readonly resourcesId?: string;
  readonly resources: readonly LrmResource[];
  /**
   * Attributes the model does not interpret (legacy ones such as Heartbeat's `ha`, or the old
   * underscore spellings of the timing attributes), sorted by name and kept verbatim so that a
   * status written back is unchanged. Absent when there are none. Pacemaker 2.1 ignores them.
   */
  readonly otherAttributes?: readonly XmlAttribute[];
}

/** `<transient_attributes>`: node attributes that live until the node leaves (attrd's). */
export interface TransientAttributes {
  readonly id?: string;
  /**
   * `instance_attributes` blocks: fail-count-RSC[#OP_INTERVAL], last-failure-RSC[#...],
   * master-RSC (promotion scores), shutdown, standby, pingd, probe_complete, ...
   */
  readonly sets: readonly NvSet[];
}

/**
 * `<node_state>`: one node as the cluster layer sees it. A node is online when inCcm is true,
 * crmd is "online" and join is "member"; an unclean node is one expected up that dropped out.
 */
export interface NodeState {
  /** Joins to configuration/nodes/node@id; absent in a few old CIBs. */
  readonly id?: string;
  readonly uname?: string;
  /** Member of the cluster membership (`in_ccm`). */
  readonly inCcm?: boolean;
  /** The controller's state: "online" or "offline". */
  readonly crmd?: string;
  /** member, down, pending, banned. */
  readonly join?: string;
  /** member or down: what the DC expects the node to be. */
  readonly expected?: string;
  /** Seconds since the Unix epoch when a shutdown was requested; 0 = none. */
  readonly shutdown?: number;
  readonly remoteNode?: boolean;
  readonly crmDebugOrigin?: string;
  readonly transientAttributes?: TransientAttributes;
  readonly lrm?: LrmHistory;
  /**
   * Attributes the model does not interpret (legacy ones such as Heartbeat's `ha`, or the old
   * underscore spellings of the timing attributes), sorted by name and kept verbatim so that a
   * status written back is unchanged. Absent when there are none. Pacemaker 2.1 ignores them.
   */
  readonly otherAttributes?: readonly XmlAttribute[];
}

/** `<status>`. */
export interface Status {
  /** In document order. */
  readonly nodes: readonly NodeState[];
}
