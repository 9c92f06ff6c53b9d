/**
 * Cluster nodes as the configuration lists them (`configuration/nodes/node`). A node's `id` joins
 * to `status/node_state@id`; constraints, rules and output name nodes by `uname`.
 */
import type { NvSet } from './nvset.js';
import type { Score } from './score.js';

/** The node types Pacemaker 2.1 knows; the legacy `normal` is read as member. */
export type NodeType = 'member' | 'ping' | 'remote';

/** `<node>`: one cluster node and its permanent attributes (utilization is not kept). */
export interface ClusterNode {
  readonly id: string;
  readonly uname: string;
  /** Absent means member. */
  readonly type?: NodeType;
  readonly description?: string;
  /** The node's base score, added to every resource's allocation score on it (absent = 0). */
  readonly score?: Score;
  /** Permanent node attributes: standby, maintenance, and anything rules test. */
  readonly instanceAttributes: readonly NvSet[];
}
