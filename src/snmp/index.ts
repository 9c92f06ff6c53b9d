// SNMP monitoring (`heartline snmp-agent`): HEARTLINE-MIB's layout, the mapping from the daemon's
// reports to its values, the notifications derived from state changes, and the ways to serve them
// (AgentX subagent of snmpd, standalone agent) and send them (trap and inform sinks).
export { AgentxSubagent } from './agentx-subagent.js';
export { ClusterReader } from './cluster-reader.js';
export * from './heartline-mib.js';
export { heartlineProviders, MibContents } from './mib-providers.js';
export { availabilityText, dateAndTime, mibSnapshot, type ClusterLayout, type DaemonReports, type MibInputs, type MibRow, type MibSnapshot } from './mib-values.js';
export { NotificationSinks } from './notification-sinks.js';
export { NotificationDeriver, type Notification, type NotificationVarbind } from './notifications.js';
export { SnmpAgentService, type SnmpAgentMode } from './snmp-agent-service.js';
export { StandaloneAgent } from './standalone-agent.js';
