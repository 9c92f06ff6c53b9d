// The configuration of a Heartline cluster: the schema of /etc/heartline/heartline.yaml, its
// parser and validator (every issue with its line and column), the typed HeartlineConfig the
// daemon consumes, one node's view of it, and the converter from Heartbeat's ha.cf and authkeys.
export type { ConfigIssue } from './config-issue.js';
export { compareConfigIssues, formatConfigIssue, formatConfigPath } from './config-issue.js';
export {
  CLUSTER_NODES_MAX,
  DEFAULT_AUTHKEY_PATH,
  DEFAULT_METRICS_LISTEN,
  DEFAULT_METRICS_PORT,
  DEFAULT_MULTICAST_TTL,
  DEFAULT_SERIAL_BAUD,
  DEFAULT_TIMING,
  DEFAULT_UDP_PORT,
  KEEPALIVE_MIN_MS,
  SERIAL_BAUD_RATES,
} from './config-defaults.js';
export type { ConfigFile } from './config-schema.js';
export { configFileSchema, configSections, durationSchema, PLACEHOLDER_PREFIX } from './config-schema.js';
export { formatDuration, parseDuration } from './duration.js';
export type { HaCfDirective } from './ha-cf.js';
export { parseHaCf, parseHeartbeatTime } from './ha-cf.js';
export type { AuthkeysNote, ConvertedAuthkeys } from './heartbeat-authkeys.js';
export { convertHeartbeatAuthkeys } from './heartbeat-authkeys.js';
export type { HeartbeatImport, HeartbeatImportInput, ImportNote, ImportOutcome, ImportPlaceholder } from './heartbeat-import.js';
export { clusterIdFor, formatImportNote, importHeartbeat } from './heartbeat-import.js';
export type {
  ClusterConfig,
  CommandFencingSettings,
  EventLogSettings,
  FencingSettings,
  DeviceFencingSettings,
  HeartlineConfig,
  LinkConfig,
  MetricsSettings,
  NodeConfig,
  QuorumSettings,
  SerialEndpoint,
  SerialLinkConfig,
  StorageSettings,
  TimingSettings,
  UdpBroadcastLinkConfig,
  UdpEndpoint,
  UdpLinkConfig,
  UdpMulticastLinkConfig,
  UdpUnicastLinkConfig,
} from './heartline-config.js';
export type { ConfigFileError } from './load-config-file.js';
export { CONFIG_PATH, loadConfigFile } from './load-config-file.js';
export type { NodeLinkView, NodeView, SerialLinkView, UdpBroadcastLinkView, UdpMulticastLinkView, UdpPeerEndpoint, UdpUnicastLinkView } from './node-view.js';
export { nodeView } from './node-view.js';
export { parseConfig } from './parse-config.js';
export type { SnmpSettings, SnmpSinkSettings, SnmpV3UserSettings } from './snmp-section.js';
export { DEFAULT_AGENTX_SOCKET, DEFAULT_SNMP_ROOT_OID, resolveSnmp, splitHostPort } from './snmp-section.js';
// For other YAML formats that report issues the same way (hardware profiles).
export type { PathIssue } from './schema-messages.js';
export { SchemaIssueExplainer, closestMatch } from './schema-messages.js';
export type { PositionTarget, SourcePosition } from './source-positions.js';
export { positionOf } from './source-positions.js';
export type { Ipv4Interface } from './ipv4.js';
export { formatIpv4Interface, ipv4ToNumber, numberToIpv4, parseIpv4Interface } from './ipv4.js';
