/**
 * Turns a file that passed the schema and the rules into the HeartlineConfig the daemon consumes:
 * fills in the defaults that depend on other sections (quorum from the node count, timing), and
 * reshapes the file's per-link maps of node name to address into endpoints carrying node ids.
 *
 * Precondition: `file` passed configFileSchema and checkConfigRules without issues. A violation
 * (an address for a node that does not exist, a serial link without two ends) is a programming
 * error and asserts.
 */
import { assert } from '../lib/index.js';
import { parseListenAddress, type MetricsSection } from './config-schema.js';
import type { ConfigFile, FencingSection, StorageSection, LinkEntry, NodeEntry, QuorumSection, TimingSection } from './config-schema.js';
import { DEFAULT_FENCING_TIMEOUT_MS, DEFAULT_METRICS_LISTEN, DEFAULT_TIMING } from './config-defaults.js';
import type { Millis } from '../lib/index.js';
import { defaultLinkProbeIntervalMs } from '../ha/membership/membership-config.js';
import { subnetBroadcastAddress } from './ipv4.js';
import { resolveSnmp } from './snmp-section.js';
import type { FencingSettings, HeartlineConfig, MetricsSettings, StorageSettings, LinkConfig, NodeConfig, QuorumSettings, SerialEndpoint, TimingSettings, UdpEndpoint } from './heartline-config.js';

/**
 * The timing with defaults filled in; each missing value gets its own default, independently of the
 * others, except link_probe_interval, whose default follows keepalive and deadtime (five keepalives;
 * keepalive, i.e. no probing, when deadtime is under four keepalives: see membership-config.ts).
 */
export function resolveTiming(section: TimingSection | undefined): TimingSettings {
  const keepaliveMs = section?.keepalive ?? DEFAULT_TIMING.keepaliveMs;
  const deadtimeMs = section?.deadtime ?? DEFAULT_TIMING.deadtimeMs;
  return {
    keepaliveMs,
    warntimeMs: section?.warntime ?? DEFAULT_TIMING.warntimeMs,
    deadtimeMs,
    initdeadMs: section?.initdead ?? DEFAULT_TIMING.initdeadMs,
    linkProbeIntervalMs: section?.link_probe_interval ?? defaultLinkProbeIntervalMs(keepaliveMs, deadtimeMs),
  };
}

/**
 * The quorum rules with defaults filled in: two_node when there are exactly two nodes,
 * wait_for_all when two_node, expected_votes the sum of all votes, no ping targets.
 */
export function resolveQuorum(section: QuorumSection | undefined, nodes: readonly NodeEntry[]): QuorumSettings {
  const twoNode = section?.two_node ?? nodes.length === 2;
  return {
    expectedVotes: section?.expected_votes ?? nodes.reduce((sum, node) => sum + node.votes, 0),
    twoNode,
    waitForAll: section?.wait_for_all ?? twoNode,
    pingTargets: section?.ping_targets ?? [],
  };
}

export function resolveConfig(file: ConfigFile): HeartlineConfig {
  const nodes: NodeConfig[] = file.nodes.map((node) => ({ name: node.name, id: node.id, votes: node.votes }));
  return {
    cluster: { name: file.cluster.name, id: file.cluster.id, authkeyPath: file.cluster.authkey, encryption: file.cluster.encryption },
    nodes,
    links: file.links.map((link) => resolveLink(link, nodes)),
    quorum: resolveQuorum(file.quorum, file.nodes),
    timing: resolveTiming(file.timing),
    ...(file.fencing === undefined ? {} : { fencing: resolveFencing(file.fencing) }),
    ...(file.events === undefined ? {} : { events: { ...(file.events.retention_days === undefined ? {} : { retentionMs: file.events.retention_days * 86_400_000 }), ...(file.events.max_events === undefined ? {} : { maxEvents: file.events.max_events }) } }),
    ...(file.storage === undefined ? {} : { storage: resolveStorage(file.storage) }),
    ...(file.metrics === undefined || file.metrics.enabled === false ? {} : { metrics: resolveMetrics(file.metrics) }),
    ...(file.snmp === undefined ? {} : { snmp: resolveSnmp(file.snmp) }),
  };
}

/** An enabled `metrics` section with its default address. */
function resolveMetrics(section: MetricsSection): MetricsSettings {
  const parsed = parseListenAddress(section.listen ?? DEFAULT_METRICS_LISTEN);
  assert(parsed.ok, 'metrics.listen passed the schema');
  return parsed.value;
}

/** The `storage` section with its defaults. */
function resolveStorage(section: StorageSection): StorageSettings {
  const fencing = section.disk_fencing;
  return {
    ...(fencing === undefined
      ? {}
      : { diskFencing: { device: fencing.device, watchdog: fencing.watchdog ?? '/dev/watchdog', ...(fencing.watchdog_stand_in === undefined ? {} : { watchdogStandIn: fencing.watchdog_stand_in }), startMode: fencing.start_mode ?? 'clean' } }),
    ...(section.quorum_disk === undefined ? {} : { quorumDisk: { device: section.quorum_disk.device } }),
  };
}


/** The schema's refinement guarantees command alone, or profile and/or cib: true. */
function resolveFencing(section: FencingSection): FencingSettings {
  if (section.command !== undefined) return { kind: 'command', command: section.command, timeoutMs: (section.timeout ?? DEFAULT_FENCING_TIMEOUT_MS) as Millis };
  return {
    kind: 'devices',
    ...(section.profile === undefined ? {} : { profile: section.profile }),
    cib: section.cib === true,
    ...(section.profile_dirs === undefined ? {} : { profileDirs: section.profile_dirs }),
    ...(section.secrets_dir === undefined ? {} : { secretsDir: section.secrets_dir }),
    ...(section.history === undefined ? {} : { historyPath: section.history }),
  };
}

function resolveLink(link: LinkEntry, nodes: readonly NodeConfig[]): LinkConfig {
  switch (link.kind) {
    case 'udp-unicast':
      return { kind: link.kind, name: link.name, port: link.port, endpoints: udpEndpoints(link.addresses, nodes) };
    case 'udp-broadcast': {
      const endpoints = udpEndpoints(link.addresses, nodes);
      return { kind: link.kind, name: link.name, port: link.port, broadcastAddress: link.broadcast ?? derivedBroadcast(endpoints), endpoints };
    }
    case 'udp-multicast':
      return { kind: link.kind, name: link.name, port: link.port, group: link.group, ttl: link.ttl, endpoints: udpEndpoints(link.addresses, nodes) };
    case 'serial': {
      const endpoints = nodes.flatMap((node): SerialEndpoint[] => {
        const device = link.devices[node.name];
        return device === undefined ? [] : [{ nodeId: node.id, nodeName: node.name, device }];
      });
      const [first, second] = endpoints;
      assert(first !== undefined && second !== undefined && endpoints.length === 2 && Object.keys(link.devices).length === 2, `serial link ${link.name} must join exactly two configured nodes`);
      return { kind: link.kind, name: link.name, baud: link.baud, endpoints: [first, second] };
    }
  }
}

function udpEndpoints(addresses: Readonly<Record<string, { readonly address: string; readonly prefixLength?: number | undefined }>>, nodes: readonly NodeConfig[]): UdpEndpoint[] {
  assert(Object.keys(addresses).every((name) => nodes.some((node) => node.name === name)), 'every address belongs to a configured node');
  return nodes.flatMap((node): UdpEndpoint[] => {
    const value = addresses[node.name];
    if (value === undefined) return [];
    return [{ nodeId: node.id, nodeName: node.name, address: value.address, ...(value.prefixLength === undefined ? {} : { prefixLength: value.prefixLength }) }];
  });
}

/** The schema refused a broadcast link with neither `broadcast` nor a prefixed address, so one exists. */
function derivedBroadcast(endpoints: readonly UdpEndpoint[]): string {
  const withPrefix = endpoints.find((endpoint) => endpoint.prefixLength !== undefined);
  assert(withPrefix?.prefixLength !== undefined, 'a broadcast link without broadcast: has a prefixed address');
  return subnetBroadcastAddress({ address: withPrefix.address, prefixLength: withPrefix.prefixLength });
}
