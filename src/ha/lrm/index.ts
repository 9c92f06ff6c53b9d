// The local resource manager: the OCF result vocabulary, the AgentRunner edge, the pure rules
// (what counts as success for an operation, which monitors run in which role, which recurring
// results are reported), the LocalResourceManager that queues and runs operations per resource,
// and the ChildProcessRunner that runs one agent command in its own process group.
export type { AgentRunner } from './agent-runner.js';
export { BoundedOutput } from './bounded-output.js';
export { EXIT_REASON_LENGTH_MAX, EXIT_REASON_PREFIX, ExitReasonScanner } from './exit-reason.js';
export { LocalResourceManager } from './local-resource-manager.js';
export type { LocalResourceManagerOptions, LrmRequestError, LrmResourceSnapshot, OperationRequest } from './local-resource-manager.js';
export type { CallId, LrmEvent, OperationCancelledEvent, OperationResultEvent } from './lrm-event.js';
export { monitorsInRole, roleAfter, shouldReportRecurring } from './monitor-plan.js';
export type { ReportedOutcome } from './monitor-plan.js';
export { OcfRc, isOcfRc, ocfRcName } from './ocf-rc.js';
export { operationStatusCode } from './operation-status.js';
export type { OperationStatus } from './operation-status.js';
export { expectedRc, isProbe, judgeOperation } from './operation-verdict.js';
export type { ObservedState, OperationVerdict, VerdictRequest } from './operation-verdict.js';
export { DEFAULT_OPERATION_TIMEOUT_MS, operationKey } from './operation.js';
export type { AgentAction, AgentOperation, AgentSpec, AgentStandard, MonitorSpec, OperationResult, ResourceDefinition } from './operation.js';
export { ChildProcessRunner, DEFAULT_KILL_GRACE_MS } from './process-runner.js';
export type { ChildProcessRunnerOptions, ProcessEnd, ProcessOutcome, ProcessRunner, ProcessSpec } from './process-runner.js';
