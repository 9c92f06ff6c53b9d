// Resource agent classes: ocf:PROVIDER:TYPE, lsb:NAME, heartbeat:NAME and systemd:UNIT, each
// turning an LRM operation into commands and their outcome into an OCF result; agent meta-data
// parsing and parameter checks; and AgentClassRunner, the production AgentRunner that ties them to
// a ProcessRunner. docs/AGENTS.md describes the classes, environments and exit-code mappings.
export type { AgentClass, AgentContext } from './agent-class.js';
export { AgentClassRunner } from './agent-class-runner.js';
export type { AgentClassRunnerOptions } from './agent-class-runner.js';
export { DEFAULT_AGENT_DIRECTORIES, HEARTLINE_OCF_PROVIDER_DIRECTORY } from './agent-directories.js';
export type { AgentDirectories } from './agent-directories.js';
export { advisedTimeout, parseAgentMetadata } from './agent-metadata.js';
export type { AgentActionDescription, AgentMetadata, AgentParameter } from './agent-metadata.js';
export { agentSpecProblem, formatAgentSpec, parseAgentSpec } from './agent-spec.js';
export { HeartbeatAgentClass, heartbeatArguments, judgeHeartbeatStatus } from './heartbeat-agent-class.js';
export { LsbAgentClass, lsbActionToOcf, lsbStatusToOcf } from './lsb-agent-class.js';
export type { MappedCode } from './lsb-agent-class.js';
export { META_DATA_TIMEOUT_MS, OcfAgentClass, ocfAgentPath } from './ocf-agent-class.js';
export { ocfEnvironment } from './ocf-environment.js';
export type { OcfEnvironmentSettings } from './ocf-environment.js';
export { checkParameters } from './parameter-check.js';
export type { ParameterProblem } from './parameter-check.js';
export { SystemdAgentClass, systemdStateToOcf, systemdUnitName } from './systemd-agent-class.js';
export { locateAgent } from './agent-location.js';
export { checkChangeAgainstAgents } from './change-agent-check.js';
export type { AgentInspector } from './change-agent-check.js';
export type { ParameterCheckOptions } from './parameter-check.js';
