// The daemon: its main thread (control socket, and later the CIB, policy and transition engines) and
// the heartbeat worker that hosts the links and the membership driver.
export { controlRequest } from './control-client.js';
export type { ControlClientError } from './control-client.js';
export { DEFAULT_SOCKET_PATH } from './control-protocol.js';
export type { ControlCommand, ControlRequest, ControlResponse } from './control-protocol.js';
export { DEFAULT_RSCTMP_DIR, DEFAULT_SHUTDOWN_TIMEOUT_MS, DEFAULT_STATE_DIR, DaemonStartError, linksReport, membersReport, runDaemon } from './daemon.js';
export { clusterStatusReport } from './cluster-status.js';
export { NOT_CONFIGURED_EXIT_CODE, TEMPLATE_CLUSTER_NAME, notConfiguredReason } from './not-configured.js';
export type { ClusterStatusReport } from './cluster-status.js';
export { CommandFencing, NoFencing } from './command-fencing.js';
export type { DaemonOptions } from './daemon.js';
export { nextIncarnation } from './incarnation-store.js';
export { DEFAULT_REALTIME_PRIORITY, applyRealtimeScheduling } from './realtime-scheduling.js';
export { MembershipDriver } from './membership-driver.js';
export type { DriverStatus, MembershipDriverOptions } from './membership-driver.js';
