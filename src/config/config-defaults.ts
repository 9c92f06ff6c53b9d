/**
 * The defaults and limits of heartline.yaml, in one place: the schema fills the simple ones in,
 * resolve-config.ts the ones that depend on other sections, and docs/CONFIGURATION.md documents
 * every one of them (keep the three in step).
 */
import { defaultLinkProbeIntervalMs, defaultTiming } from '../ha/membership/membership-config.js';
import { AUTH_KEY_PATH } from '../links/auth-key.js';
import type { TimingSettings } from './heartline-config.js';

/** Heartbeat's registered port (IANA "ha-cluster"), kept so that firewall rules carry over. */
export const DEFAULT_UDP_PORT = 694;
/** The fastest rate every common UART and null-modem cable of a few metres handles. */
export const DEFAULT_SERIAL_BAUD = 115200;
/** The rates a serial link may use: the standard ones that Linux UART drivers all support. */
export const SERIAL_BAUD_RATES: readonly number[] = [9600, 19200, 38400, 57600, 115200, 230400];
/** TTL 1: heartbeat multicast must not leave the local segment. */
export const DEFAULT_MULTICAST_TTL = 1;
export const DEFAULT_NODE_VOTES = 1;
export const NODE_VOTES_MAX = 255;
export const DEFAULT_AUTHKEY_PATH = AUTH_KEY_PATH;
/** The design's limit: two-node appliances, growing to N+1 and N-to-N clusters of up to 16. */
export const CLUSTER_NODES_MAX = 16;
export const CLUSTER_ID_MAX = 0xffffffff;
/** Below 10 ms a keepalive is scheduling noise on a loaded machine, not a heartbeat. */
export const KEEPALIVE_MIN_MS = 10;

/** The membership layer's measured defaults (src/ha/membership/membership-config.ts). */
export const DEFAULT_TIMING: TimingSettings = { ...defaultTiming, linkProbeIntervalMs: defaultLinkProbeIntervalMs(defaultTiming.keepaliveMs, defaultTiming.deadtimeMs) };

/** How long the fencing command may take before the fence counts as failed (a PDU cycle takes seconds). */
export const DEFAULT_FENCING_TIMEOUT_MS = 60_000;

/** The metrics endpoint's port: the one ClusterLabs' ha_cluster_exporter uses, which a Heartline node does not run. */
export const DEFAULT_METRICS_PORT = 9664;
/** Loopback unless the file says otherwise: a node's state is not for every network to read. */
export const DEFAULT_METRICS_LISTEN = `127.0.0.1:${DEFAULT_METRICS_PORT}`;
