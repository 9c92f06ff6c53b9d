/**
 * The option names Pacemaker 2.1.5 knows, by context. The importer keeps every nvpair as written;
 * these lists only decide which names deserve a warning (an unknown name is usually a typo, such
 * as `no_quorum-policy` or `migation-threshold`, and Pacemaker ignores it silently). Checking an
 * option's VALUE is the policy engine's job.
 */

/** Cluster options of the scheduler, controller, fencer and CIB manager (crm_config). */
export const CLUSTER_OPTIONS: ReadonlySet<string> = new Set([
  // scheduler
  'no-quorum-policy', 'symmetric-cluster', 'maintenance-mode', 'start-failure-is-fatal', 'enable-startup-probes', 'shutdown-lock',
  'shutdown-lock-limit', 'stonith-enabled', 'stonith-action', 'stonith-timeout', 'have-watchdog', 'concurrent-fencing', 'startup-fencing',
  'priority-fencing-delay', 'cluster-delay', 'batch-limit', 'migration-limit', 'stop-all-resources', 'stop-orphan-resources',
  'stop-orphan-actions', 'remove-after-stop', 'pe-error-series-max', 'pe-warn-series-max', 'pe-input-series-max', 'node-health-strategy',
  'node-health-base', 'node-health-green', 'node-health-yellow', 'node-health-red', 'placement-strategy',
  // controller
  'dc-version', 'cluster-infrastructure', 'cluster-name', 'dc-deadtime', 'cluster-recheck-interval', 'load-threshold', 'node-action-limit',
  'fence-reaction', 'election-timeout', 'shutdown-escalation', 'join-integration-timeout', 'join-finalization-timeout', 'transition-delay',
  'stonith-watchdog-timeout', 'stonith-max-attempts',
  // CIB manager and tools
  'enable-acl', 'cluster-ipc-limit', 'last-lrm-refresh',
]);

/** Deprecated spellings Pacemaker 2.1.5 still reads, with the current name. */
export const DEPRECATED_CLUSTER_OPTIONS: ReadonlyMap<string, string> = new Map([
  ['crmd-integration-timeout', 'join-integration-timeout'],
  ['crmd-finalization-timeout', 'join-finalization-timeout'],
  ['crmd-transition-delay', 'transition-delay'],
]);

/**
 * Legacy cluster options that the pacemaker-3.x schemas refuse; Pacemaker's upgrade from a 2.x
 * schema converts some of them (default-resource-stickiness becomes an rsc_defaults value) and
 * drops the rest.
 */
export const LEGACY_CLUSTER_OPTIONS: ReadonlySet<string> = new Set([
  'cluster_recheck_interval', 'dc_deadtime', 'default-action-timeout', 'default_action_timeout', 'default-migration-threshold',
  'default_migration_threshold', 'default-resource-failure-stickiness', 'default_resource_failure_stickiness', 'default-resource-stickiness',
  'default_resource_stickiness', 'election_timeout', 'expected-quorum-votes', 'is-managed-default', 'is_managed_default', 'no_quorum_policy',
  'notification-agent', 'notification-recipient', 'remove_after_stop', 'shutdown_escalation', 'startup_fencing', 'stonith_action',
  'stonith_enabled', 'stop_orphan_actions', 'stop_orphan_resources', 'symmetric_cluster', 'transition_idle_timeout',
]);

/** Resource meta attributes (primitive, group, clone, rsc_defaults). */
export const RESOURCE_META_ATTRIBUTES: ReadonlySet<string> = new Set([
  'priority', 'target-role', 'is-managed', 'maintenance', 'resource-stickiness', 'requires', 'migration-threshold', 'failure-timeout',
  'multiple-active', 'allow-migrate', 'container-attribute-target', 'critical', 'allow-unhealthy-nodes', 'remote-node', 'remote-port',
  'remote-addr', 'remote-connect-timeout', 'remote-allow-migrate',
  // clones
  'clone-max', 'clone-node-max', 'clone-min', 'globally-unique', 'interleave', 'ordered', 'notify', 'promotable', 'promoted-max',
  'promoted-node-max',
  // groups
  'collocated',
]);

/** Deprecated resource meta attributes Pacemaker 2.1.5 still reads, with the current name. */
export const DEPRECATED_RESOURCE_META_ATTRIBUTES: ReadonlyMap<string, string> = new Map([
  ['master-max', 'promoted-max'],
  ['master-node-max', 'promoted-node-max'],
]);

/** Operation options (op meta_attributes, op_defaults). */
export const OPERATION_OPTIONS: ReadonlySet<string> = new Set([
  'interval', 'timeout', 'on-fail', 'record-pending', 'start-delay', 'interval-origin', 'enabled', 'role', 'description',
]);

/**
 * Resource meta attribute names that are unlikely to be agent parameters: seen in a resource's
 * instance_attributes, they are most likely meant as meta attributes (old CIBs did that, and
 * Pacemaker 2.1.5 then passes them to the agent as parameters instead).
 */
export const META_NAMES_IN_INSTANCE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'target-role', 'target_role', 'is-managed', 'is_managed', 'resource-stickiness', 'resource_stickiness', 'migration-threshold',
  'migration_threshold', 'clone-max', 'clone_max', 'clone-node-max', 'clone_node_max', 'globally-unique', 'globally_unique', 'promotable',
  'promoted-max', 'promoted-node-max', 'master-max', 'master_max', 'master-node-max', 'master_node_max', 'interleave',
]);
