// The operator's configuration requests (heartline resource|constraint|node ...) turned into CIB
// changes: pure builders from command-line words to a CibChange, with errors naming the option.
// What the change does to the CIB, and whether it is accepted, is applyCibChange's business.
export { closestNameHint } from './admin-input-error.js';
export type { AdminInputError } from './admin-input-error.js';
export { buildColocationConstraint, buildConstraintRemove, buildLocationConstraint, buildOrderConstraint } from './constraint-add.js';
export type { ColocationRequest, LocationRequest, OrderRequest } from './constraint-add.js';
export { parseNameValues } from './name-values.js';
export type { NameValue } from './name-values.js';
export { buildNodeStandby } from './node-standby.js';
export { DEFAULT_MONITOR, parseOperationSpec } from './operation-spec.js';
export { buildPrimitive, buildResourceCreate, checkedMeta } from './resource-create.js';
export type { PrimitiveRequest, ResourceCreateRequest } from './resource-create.js';
export { banId, buildResourceBan, buildResourceClear, buildResourceMove, movePreferenceId } from './resource-placement.js';
export { buildResourceCleanup, buildResourceDelete, buildResourceTargetRole, buildResourceUpdate } from './resource-update.js';
export type { ResourceUpdateRequest } from './resource-update.js';
export { buildClusteredFs, CLUSTER_FILESYSTEMS, DEFAULT_LOCKING_GROUP, DEFAULT_SHARED_LVM_AGENT } from './clustered-fs-layout.js';
export type { ClusteredFsRequest } from './clustered-fs-layout.js';
export { buildFailoverFs, DEFAULT_EXCLUSIVE_LVM_AGENT, DEFAULT_FILESYSTEM_AGENT, DEFAULT_ISCSI_AGENT, DEFAULT_PREFER_SCORE, MMP_POLICIES } from './failover-fs-layout.js';
export type { FailoverFsRequest } from './failover-fs-layout.js';
