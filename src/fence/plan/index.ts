// The pure core of fencing: the vocabulary of device actions and results, the topology (levels of
// devices per target) and the planner that turns fence requests into device actions, one fence of
// a node at a time, with the delays of two-node fence races. No I/O: the simulator runs it too.
export type { DevicePort, DeviceFailure, DeviceResult, DeviceSuccess, FenceAction, FenceFailureCode, FencingAction, PowerState } from './fence-result.js';
export { FENCE_ACTIONS, provesPowerOff } from './fence-result.js';
export type { FenceLevel, FenceLevelDevice, FenceLevelSpec, FenceLevelTarget } from './fence-topology.js';
export { FenceTopology } from './fence-topology.js';
export type { FenceAttempt, FenceOutcome, FencePlannerConfig, FencePlannerEffect, FencePlannerInput, FenceRequest, RequestedFenceAction } from './fence-planner.js';
export { FencePlanner, fenceDelayTimer } from './fence-planner.js';
export type { BaseFencing, CibFenceDeviceSpec, CibFencing, CibHostCheck, MergedFencing } from './cib-fencing.js';
export { cibCapableDevices, cibFenceDevice, cibFencing, cibStaticDelays, devicePortFor, mergeFencing, stonithPrimitives } from './cib-fencing.js';
