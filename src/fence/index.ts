// Fencing: proving that a node is off before its work moves. The pure core (plan/: topology,
// planner, results) decides what to do; the drivers here do it against real devices (SNMP power
// switches, IPMI BMCs, fence-agents programs), each behind the FenceDriver interface; the Fencer
// runs the planner with the drivers on one node; FenceHistory records outcomes. ProfileFencing
// (profile-fencing.ts) builds all of it from a hardware profile: it imports src/profiles, which
// imports this index, so it is imported by its path. docs/FENCING.md describes all of it.
export type {
  DeviceFailure,
  DevicePort,
  DeviceResult,
  DeviceSuccess,
  BaseFencing,
  CibFenceDeviceSpec,
  CibFencing,
  CibHostCheck,
  FenceAction,
  FenceAttempt,
  FenceFailureCode,
  FenceLevel,
  FenceLevelDevice,
  FenceLevelSpec,
  FenceLevelTarget,
  FenceOutcome,
  FencePlannerConfig,
  FencePlannerEffect,
  FencePlannerInput,
  FenceRequest,
  FencingAction,
  MergedFencing,
  PowerState,
  RequestedFenceAction,
} from './plan/index.js';
export {
  FENCE_ACTIONS,
  FencePlanner,
  FenceTopology,
  cibCapableDevices,
  cibFenceDevice,
  cibFencing,
  cibStaticDelays,
  devicePortFor,
  fenceDelayTimer,
  mergeFencing,
  provesPowerOff,
  stonithPrimitives,
} from './plan/index.js';
export type { FenceDeviceRequest, FenceDriver, FenceDriverCapabilities, FenceDriverKind, FenceTimings } from './fence-driver.js';
export { DEFAULT_FENCE_TIMINGS } from './fence-driver.js';
export type { PowerSwitch, PowerSwitchDriverOptions, RebootMethod, SwitchAnswer, SwitchFailure } from './power-switch.js';
export { PowerSwitchDriver, switchFailure } from './power-switch.js';
export type { ToolInvocation, ToolOutcome, ToolRunner } from './tool-runner.js';
export { ChildToolRunner } from './tool-runner.js';
export type { PduModel, PduPort } from './pdu-model.js';
export { checkOidTemplate, expandOid, formatPduPort, matchOid, parsePduPort, templateUsesSwitch, walkRoot } from './pdu-model.js';
export type { SnmpCredentials, SnmpVarbind } from './snmp-client.js';
export { SnmpClient, parseVarbinds, snmpConf } from './snmp-client.js';
export type { SnmpPduDriverOptions } from './snmp-pdu-driver.js';
export { SYS_OBJECT_ID_OID, SnmpPduSwitch, createSnmpPduDriver } from './snmp-pdu-driver.js';
export type { IpmiDriverOptions, IpmiPrivilege } from './ipmi-driver.js';
export { IpmiPowerSwitch, createIpmiDriver } from './ipmi-driver.js';
export type { FenceAgentMetadata, FenceAgentParameter } from './fence-agent-metadata.js';
export { checkFenceAgentParameters, parseFenceAgentMetadata } from './fence-agent-metadata.js';
export type { FenceAgentDriverOptions } from './fence-agent-driver.js';
export { FenceAgentSwitch, readFenceAgentMetadata, registerFenceAgent } from './fence-agent-driver.js';
export type { CibFenceDriverSet, CibFenceDriversOptions } from './cib-fence-drivers.js';
export { CibFenceDriverBuilder, buildCibFenceDriver } from './cib-fence-drivers.js';
export type { FenceCall, FencerDevices, FencerOptions } from './fencer.js';
export { Fencer } from './fencer.js';
export type { FenceHistoryEntry, FenceHistoryError, FenceHistoryQuery, FenceHistoryRecord } from './fence-history.js';
export { DEFAULT_FENCE_HISTORY_ROWS, FENCE_HISTORY_FILE, FENCE_HISTORY_SCHEMA_VERSION, FenceHistory } from './fence-history.js';
export type { NodeFenceAction, NodeFenceRequest, NodeFenceResult, NodeFencing } from './node-fencing.js';
