/**
 * HeartlineConfig: the validated, complete configuration of the links and membership layers, as
 * the daemon consumes it. It is what `parseConfig` returns for `/etc/heartline/heartline.yaml`
 * after every rule passed and every default was filled in, so a consumer never checks for a
 * missing field or an inconsistent pair of values (docs/CONFIGURATION.md lists the rules).
 *
 * Field names are camelCase with units last (`keepaliveMs`) where the file says `keepalive`;
 * the file's snake_case keys appear only in config-schema.ts and in issue paths. Everything is
 * readonly plain data (arrays and objects, no Maps), so a config can be printed as JSON as is.
 * Later sections (resources, fencing, ...) are added here as new fields.
 */
import type { Millis, NodeId } from '../lib/index.js';
import type { LinkKind } from '../links/link.js';
import type { SnmpSettings } from './snmp-section.js';

export interface HeartlineConfig {
  readonly cluster: ClusterConfig;
  /** Every node of the cluster, in file order; ids and names are unique. */
  readonly nodes: readonly NodeConfig[];
  /** Every heartbeat link, in file order (at least one); names are unique. */
  readonly links: readonly LinkConfig[];
  readonly quorum: QuorumSettings;
  readonly timing: TimingSettings;
  /** How the daemon fences nodes; absent: no fencing is configured (see docs/CONFIGURATION.md, `fencing`). */
  readonly fencing?: FencingSettings;
  /** The event log's retention (`events`); absent: the defaults (400 days, 100,000 events). */
  readonly events?: EventLogSettings;
  /** Disk fencing and the quorum disk the daemon runs; absent: none (docs/STORAGE.md). */
  readonly storage?: StorageSettings;
  /** The Prometheus endpoint (`metrics`); absent: off, nothing listens (docs/CONFIGURATION.md). */
  readonly metrics?: MetricsSettings;
  /** `heartline snmp-agent`'s settings (`snmp`, src/config/snmp-section.ts); absent: the section is absent. */
  readonly snmp?: SnmpSettings;
}

/** The `metrics` section, when enabled: where every node serves GET /metrics. */
export interface MetricsSettings {
  /** An IPv4 address of the node, or 0.0.0.0 for all of them. */
  readonly host: string;
  readonly port: number;
}

/** The `storage` section. */
export interface StorageSettings {
  readonly diskFencing?: { readonly device: string; readonly watchdog: string; readonly watchdogStandIn?: string; readonly startMode: 'clean' | 'always' };
  readonly quorumDisk?: { readonly device: string };
}

/** The `events` section: how much of the event log (src/events) is kept. */
export interface EventLogSettings {
  readonly retentionMs?: number;
  readonly maxEvents?: number;
}

/** The `fencing` section: a program, or fence devices (of a hardware profile and/or of the CIB). */
export type FencingSettings = CommandFencingSettings | DeviceFencingSettings;

/** `fencing.command`: a program run as `COMMAND ACTION TARGET`; exit 0 = fenced. */
export interface CommandFencingSettings {
  readonly kind: 'command';
  /** Absolute path of the program. */
  readonly command: string;
  /** After this long the program is killed and the fence counts as failed. */
  readonly timeoutMs: Millis;
}

/**
 * `fencing.profile` and/or `fencing.cib`: the fence devices of an appliance profile, of the CIB's
 * `stonith:` resources, or both (src/fence/profile-fencing.ts).
 */
export interface DeviceFencingSettings {
  readonly kind: 'devices';
  /** The appliance profile's name; absent: no profile devices. */
  readonly profile?: string;
  /** Whether the CIB's stonith resources and fencing-topology are used. */
  readonly cib: boolean;
  /** Where the profiles are; absent: the shipped hw-profiles/. */
  readonly profileDirs?: readonly string[];
  /** The secrets folder; absent: /etc/heartline/secrets. */
  readonly secretsDir?: string;
  /** The fence history file; absent: fence-history.sqlite in the daemon's state folder. */
  readonly historyPath?: string;
}

export interface ClusterConfig {
  /** Hostname-like name, shown in logs, the console and SNMP. */
  readonly name: string;
  /** 1..2^32-1, carried in every frame; frames of another cluster id are dropped. */
  readonly id: number;
  /** Absolute path of the authentication key file (src/links/auth-key.ts reads it). */
  readonly authkeyPath: string;
  /** Frames' payloads are AES-256-GCM encrypted, and unencrypted frames are refused. */
  readonly encryption: boolean;
}

export interface NodeConfig {
  /** Hostname-like, lowercase; normally the node's `uname -n`. */
  readonly name: string;
  readonly id: NodeId;
  /** Quorum votes, 0..255 (1 unless the file says otherwise). */
  readonly votes: number;
}

/** One node's end of a UDP link. */
export interface UdpEndpoint {
  readonly nodeId: NodeId;
  readonly nodeName: string;
  /** The node's own IPv4 address on this link. */
  readonly address: string;
  /** The subnet's prefix length, when the file gave one (`10.213.2.1/24`). */
  readonly prefixLength?: number;
}

/** One node's end of a serial link. */
export interface SerialEndpoint {
  readonly nodeId: NodeId;
  readonly nodeName: string;
  /** The node's serial device, e.g. /dev/ttyS0. */
  readonly device: string;
}

export interface UdpUnicastLinkConfig {
  readonly kind: 'udp-unicast';
  readonly name: string;
  readonly port: number;
  /** One endpoint per configured node, in node order; each node sends to every other's address. */
  readonly endpoints: readonly UdpEndpoint[];
}

export interface UdpBroadcastLinkConfig {
  readonly kind: 'udp-broadcast';
  readonly name: string;
  readonly port: number;
  /** Where frames are sent; in the subnet of every endpoint that has a prefix length. */
  readonly broadcastAddress: string;
  readonly endpoints: readonly UdpEndpoint[];
}

export interface UdpMulticastLinkConfig {
  readonly kind: 'udp-multicast';
  readonly name: string;
  readonly port: number;
  /** The group (224.0.0.0/4), unique to this link. */
  readonly group: string;
  /** Multicast TTL, 1 (the default) keeps frames on the local segment. */
  readonly ttl: number;
  /** Each node's interface address, on which it joins the group. */
  readonly endpoints: readonly UdpEndpoint[];
}

export interface SerialLinkConfig {
  readonly kind: 'serial';
  readonly name: string;
  readonly baud: number;
  /** Exactly two endpoints: a null-modem cable joins two nodes. */
  readonly endpoints: readonly [SerialEndpoint, SerialEndpoint];
}

export type UdpLinkConfig = UdpUnicastLinkConfig | UdpBroadcastLinkConfig | UdpMulticastLinkConfig;
export type LinkConfig = UdpLinkConfig | SerialLinkConfig;

// Every kind the links layer drives is configurable, and nothing else: a new LinkKind fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const linkKindsMatch: Same<LinkConfig['kind'], LinkKind> = true;
void linkKindsMatch;

/** Quorum rules (membership's QuorumConfig takes them, with `pingTargets` as a list of addresses). */
export interface QuorumSettings {
  /** The votes a strict majority is computed from; defaults to the sum of all nodes' votes. */
  readonly expectedVotes: number;
  /** Two-node mode: the survivor of a two-node cluster keeps quorum (fencing settles who wins). */
  readonly twoNode: boolean;
  /** No quorum after start until every node has been seen at once. */
  readonly waitForAll: boolean;
  /** Tie-breaker IPv4 addresses; a node that reaches none of them gives up quorum. Empty: none. */
  readonly pingTargets: readonly string[];
}

/** Failure-detector timing (see src/ha/membership/membership-config.ts for the meaning of each). */
export interface TimingSettings {
  readonly keepaliveMs: Millis;
  readonly warntimeMs: Millis;
  readonly deadtimeMs: Millis;
  readonly initdeadMs: Millis;
  /** How often a link after the carrier carries a heartbeat (keepalive: every link at the full rate). */
  readonly linkProbeIntervalMs: Millis;
}
