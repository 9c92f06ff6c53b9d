/**
 * The schema of heartline.yaml: the one definition of the file format (zod). It checks every
 * field on its own and every rule inside one entry (a link's broadcast address against its
 * subnets, a serial link's two ends); rules across entries and sections (unique names, every link
 * covering the configured nodes, quorum against the nodes, timing order) are in config-rules.ts,
 * so that they run even when some other entry is broken and every error is reported at once.
 *
 * Keys are snake_case as in the file. Unknown keys are refused at every level: a misspelt key
 * would otherwise be ignored and its default used silently. To add a section (resources, fencing,
 * ...), add it to `configSections`; the unknown-key message lists the sections by itself.
 */
import { z } from 'zod';
import { err, NODE_ID_MAX, NODE_ID_MIN, ok, type NodeId, type Result } from '../lib/index.js';
import {
  CLUSTER_ID_MAX,
  CLUSTER_NODES_MAX,
  DEFAULT_AUTHKEY_PATH,
  DEFAULT_FENCING_TIMEOUT_MS,
  DEFAULT_METRICS_LISTEN,
  DEFAULT_METRICS_PORT,
  DEFAULT_MULTICAST_TTL,
  DEFAULT_NODE_VOTES,
  DEFAULT_SERIAL_BAUD,
  DEFAULT_UDP_PORT,
  NODE_VOTES_MAX,
  SERIAL_BAUD_RATES,
} from './config-defaults.js';
import { parseDuration } from './duration.js';
import { snmpSectionSchema } from './snmp-section.js';
import { formatIpv4Interface, isInSubnet, isIpv4Multicast, parseIpv4Interface, subnetBroadcastAddress, type Ipv4Interface } from './ipv4.js';

/**
 * What `heartline import heartbeat` writes where a person must fill a value in. The schema
 * recognizes it so that `config check` says "fill this in" instead of "not an address".
 */
export const PLACEHOLDER_PREFIX = '<fill in';

const HOSTNAME_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOSTNAME_LIKE = new RegExp(`^(?=.{1,253}$)${HOSTNAME_LABEL}(?:\\.${HOSTNAME_LABEL})*$`);
const LINK_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

function placeholderMessage(text: string): string | undefined {
  return text.startsWith(PLACEHOLDER_PREFIX) ? `still the placeholder ${text} left by \`heartline import heartbeat\`: replace it with the real value` : undefined;
}

/** A hostname-like name: lowercase letters, digits and '-', dotted labels allowed. */
function hostnameLike(what: string, examples: string): z.ZodString {
  return z.string().regex(HOSTNAME_LIKE, {
    error: (issue) => {
      const text = String(issue.input);
      return placeholderMessage(text) ?? `'${text}' is not a valid ${what}: use a hostname-like name of lowercase letters, digits and '-', optionally dotted (${examples})`;
    },
  });
}

/** A node's own address on a link: IPv4, optionally with a prefix length. */
const ipv4InterfaceSchema = z.string().transform((text, context): Ipv4Interface => {
  const parsed = parseIpv4Interface(text);
  if (!parsed.ok) context.addIssue({ code: 'custom', message: placeholderMessage(text) ?? parsed.error, input: text });
  return parsed.ok ? parsed.value : { address: text };
});

/** A plain IPv4 address (no prefix length). */
const ipv4AddressSchema = z.string().superRefine((text, context) => {
  const parsed = parseIpv4Interface(text);
  if (!parsed.ok) context.addIssue({ code: 'custom', message: placeholderMessage(text) ?? parsed.error, input: text });
  else if (parsed.value.prefixLength !== undefined) context.addIssue({ code: 'custom', message: `'${text}' must be a plain address, without a prefix length: write ${parsed.value.address}`, input: text });
});

/**
 * A duration: a number of milliseconds, or text with a unit ('500ms', '2s'). Accepts any input
 * so that a wrong type gets the same explanation as a wrong unit.
 */
export const durationSchema = z.unknown().transform((value, context) => {
  if (typeof value !== 'number' && typeof value !== 'string') {
    context.addIssue({ code: 'custom', message: `expected a duration such as 500 (milliseconds), '500ms' or '2s', got ${value === null ? 'nothing' : Array.isArray(value) ? 'a list' : typeof value}`, input: value });
    return z.NEVER;
  }
  const parsed = parseDuration(value);
  if (!parsed.ok) {
    context.addIssue({ code: 'custom', message: parsed.error, input: value });
    return z.NEVER;
  }
  return parsed.value;
});

const portSchema = z.number().int().min(1).max(65535).default(DEFAULT_UDP_PORT);

/** Each node's address on a link, keyed by node name. */
const addressMapSchema = z.record(z.string(), ipv4InterfaceSchema);

export const clusterSectionSchema = z.strictObject({
  name: hostnameLike('cluster name', 'appliance-01'),
  id: z
    .number()
    .int()
    .min(1, { error: `the cluster id is a number from 1 to ${CLUSTER_ID_MAX}; 0 is not allowed so that an unset id is never mistaken for a real one` })
    .max(CLUSTER_ID_MAX, { error: (issue) => `${String(issue.input)} does not fit in 32 bits: the cluster id is a number from 1 to ${CLUSTER_ID_MAX}` }),
  authkey: z
    .string()
    .startsWith('/', { error: (issue) => `'${String(issue.input)}' is not an absolute path: the daemon does not run in your directory; write e.g. ${DEFAULT_AUTHKEY_PATH}` })
    .default(DEFAULT_AUTHKEY_PATH),
  /** Encrypt every frame's payload with AES-256-GCM (frames are always authenticated). */
  encryption: z.boolean({ error: 'encryption is true or false' }).default(false),
});

export const nodeSchema = z.strictObject({
  name: hostnameLike('node name', 'alpha, node-2, alpha.example'),
  id: z
    .number()
    .int()
    .min(NODE_ID_MIN, { error: (issue) => `node id ${String(issue.input)} is out of range: node ids are ${NODE_ID_MIN} to ${NODE_ID_MAX}` })
    .max(NODE_ID_MAX, { error: (issue) => `node id ${String(issue.input)} is out of range: node ids are ${NODE_ID_MIN} to ${NODE_ID_MAX}` })
    .transform((id) => id as NodeId),
  votes: z.number().int().min(0).max(NODE_VOTES_MAX).default(DEFAULT_NODE_VOTES),
});

export const nodesSectionSchema = z
  .array(nodeSchema)
  .min(1, { error: 'the cluster needs at least one node: list every node as { name: alpha, id: 1 }' })
  .max(CLUSTER_NODES_MAX, { error: (issue) => `Heartline clusters have at most ${CLUSTER_NODES_MAX} nodes; this one lists ${Array.isArray(issue.input) ? issue.input.length : 'more'}` });

const linkName = z.string().regex(LINK_NAME, {
  error: (issue) => `'${String(issue.input)}' is not a valid link name: start with a lowercase letter, then up to 31 lowercase letters, digits, '-' or '_' (crossover, lan, serial0)`,
});

/** Two nodes with one address on one link is a copy-paste slip: the link could never work. */
function checkDistinctAddresses(addresses: Readonly<Record<string, Ipv4Interface>>, context: z.core.$RefinementCtx): void {
  const owners = new Map<string, string>();
  for (const [node, value] of Object.entries(addresses)) {
    const owner = owners.get(value.address);
    if (owner === undefined) owners.set(value.address, node);
    else context.addIssue({ code: 'custom', path: ['addresses', node], message: `${node} has the same address as ${owner} (${value.address}): each node needs its own address on a link` });
  }
}

export const udpUnicastLinkSchema = z
  .strictObject({ name: linkName, kind: z.literal('udp-unicast'), port: portSchema, addresses: addressMapSchema })
  .superRefine((link, context) => checkDistinctAddresses(link.addresses, context));

export const udpBroadcastLinkSchema = z
  .strictObject({ name: linkName, kind: z.literal('udp-broadcast'), port: portSchema, addresses: addressMapSchema, broadcast: ipv4AddressSchema.optional() })
  .superRefine((link, context) => {
    checkDistinctAddresses(link.addresses, context);
    const withPrefix = Object.entries(link.addresses).filter((entry): entry is [string, Required<Ipv4Interface>] => entry[1].prefixLength !== undefined);
    if (link.broadcast === undefined) {
      if (withPrefix.length === 0) {
        context.addIssue({ code: 'custom', path: ['broadcast'], message: "missing: set broadcast (e.g. broadcast: 10.213.2.255), or give the addresses a prefix length (10.213.2.1/24) to derive it" });
      }
      // The broadcast address is derived from the first prefixed address: the others must agree.
      const [first, ...others] = withPrefix;
      for (const [node, network] of others) {
        if (first !== undefined && subnetBroadcastAddress(network) !== subnetBroadcastAddress(first[1])) {
          context.addIssue({ code: 'custom', path: ['addresses', node], message: `${node}'s subnet ${formatIpv4Interface(network)} is not ${first[0]}'s (${formatIpv4Interface(first[1])}): the nodes of a broadcast link share one subnet` });
        }
      }
      return;
    }
    if (isIpv4Multicast(link.broadcast)) {
      context.addIssue({ code: 'custom', path: ['broadcast'], message: `${link.broadcast} is a multicast address: use kind: udp-multicast with group: ${link.broadcast}, or the subnet's broadcast address here` });
      return;
    }
    for (const [node, network] of withPrefix) {
      if (!isInSubnet(link.broadcast, network)) {
        context.addIssue({ code: 'custom', path: ['broadcast'], message: `${link.broadcast} is not in ${node}'s subnet ${formatIpv4Interface(network)}: frames sent there would never reach the link; use the broadcast address of that subnet` });
        return; // one wrong broadcast address is one mistake, however many nodes it misses
      }
    }
  });

export const udpMulticastLinkSchema = z
  .strictObject({
    name: linkName,
    kind: z.literal('udp-multicast'),
    port: portSchema,
    group: ipv4AddressSchema.refine((group) => isIpv4Multicast(group) || parseIpv4Interface(group).ok === false, {
      error: (issue) => `${String(issue.input)} is not a multicast group: use an address in 224.0.0.0/4, preferably an administratively scoped one such as 239.255.42.1`,
    }),
    ttl: z.number().int().min(1).max(255).default(DEFAULT_MULTICAST_TTL),
    addresses: addressMapSchema,
  })
  .superRefine((link, context) => checkDistinctAddresses(link.addresses, context));

export const serialLinkSchema = z
  .strictObject({
    name: linkName,
    kind: z.literal('serial'),
    baud: z
      .number()
      .refine((baud) => SERIAL_BAUD_RATES.includes(baud), { error: (issue) => `${String(issue.input)} is not a supported baud rate: use one of ${SERIAL_BAUD_RATES.join(', ')}` })
      .default(DEFAULT_SERIAL_BAUD),
    devices: z.record(
      z.string(),
      z.string().startsWith('/dev/', { error: (issue) => placeholderMessage(String(issue.input)) ?? `'${String(issue.input)}' is not a device path: write the node's serial device, e.g. /dev/ttyS0` }),
    ),
  })
  .superRefine((link, context) => {
    const ends = Object.keys(link.devices);
    if (ends.length !== 2) {
      context.addIssue({ code: 'custom', path: ['devices'], message: `a serial link joins exactly two nodes (a null-modem cable has two ends), this one names ${ends.length}${ends.length > 0 ? `: ${ends.join(', ')}` : ''}; give each pair of nodes its own serial link` });
    }
  });

export const linkSchema = z.discriminatedUnion('kind', [udpUnicastLinkSchema, udpBroadcastLinkSchema, udpMulticastLinkSchema, serialLinkSchema]);

export const linksSectionSchema = z.array(linkSchema).min(1, { error: 'the cluster needs at least one heartbeat link; two independent ones (e.g. a crossover cable and a serial cable) are recommended' });

export const quorumSectionSchema = z.strictObject({
  expected_votes: z.number().int().min(1, { error: (issue) => `expected_votes ${String(issue.input)} is out of range: it is at least 1 (leave it out to use the sum of all nodes' votes)` }).optional(),
  two_node: z.boolean().optional(),
  wait_for_all: z.boolean().optional(),
  ping_targets: z
    .array(ipv4AddressSchema)
    .superRefine((targets, context) => {
      targets.forEach((target, index) => {
        if (targets.indexOf(target) !== index) context.addIssue({ code: 'custom', path: [index], message: `${target} is listed twice: list each ping target once` });
      });
    })
    .optional(),
});

export const timingSectionSchema = z.strictObject({
  keepalive: durationSchema.optional(),
  warntime: durationSchema.optional(),
  deadtime: durationSchema.optional(),
  initdead: durationSchema.optional(),
  link_probe_interval: durationSchema.optional(),
});

/**
 * How the daemon fences a node, one of two ways:
 * - `command`: a program run as `COMMAND ACTION TARGET` (action off, reboot or on; target the
 *   node's name), exit status 0 meaning the node is fenced; for test beds and custom scripts;
 * - fence devices (src/fence ProfileFencing: BMCs, PDUs and fence agents with topology levels,
 *   fence-race delays and a fence history): `profile`, a hardware profile's appliance, and/or
 *   `cib: true`, the CIB's `stonith:` resources and fencing-topology.
 * One object with a refinement rather than a union, so that a mistake is reported on its field
 * with what to write, not as "no variant of the union matched".
 */
const COMMAND_KEYS = ['timeout'] as const;
const PROFILE_KEYS = ['profile_dirs', 'secrets_dir', 'history', 'cib'] as const;
const absolutePath = (what: string, example: string) =>
  z
    .string({ error: `${what} is an absolute path, e.g. ${example}` })
    .startsWith('/', { error: (issue) => `'${String(issue.input)}' is not an absolute path: write e.g. ${example}` });

export const fencingSectionSchema = z
  .strictObject({
    command: z
      .string({ error: 'command is the absolute path of the fencing program, e.g. /usr/local/sbin/fence-node' })
      .startsWith('/', { error: (issue) => `'${String(issue.input)}' is not an absolute path: the daemon runs the fencing program without a shell or a search path; write e.g. /usr/local/sbin/fence-node` })
      .optional(),
    timeout: durationSchema
      .refine((ms) => ms >= 1000 && ms <= 600_000, { error: (issue) => `a fencing timeout of ${String(issue.input)} ms is out of range: use 1s to 10min (the default is ${DEFAULT_FENCING_TIMEOUT_MS / 1000}s)` })
      .optional(),
    profile: z
      .string({ error: 'profile is the name of an appliance profile, e.g. generic-2node-ipmi (see heartline profile list)' })
      .regex(/^[a-z0-9][a-z0-9-]*$/, { error: (issue) => `'${String(issue.input)}' is not an appliance profile name: use the name of \`heartline profile list\`, e.g. generic-2node-ipmi` })
      .optional(),
    profile_dirs: z.array(absolutePath('a profile directory', '/etc/heartline/hw-profiles'), { error: 'profile_dirs is a list of directories, e.g. [/etc/heartline/hw-profiles]' }).min(1, { error: 'profile_dirs needs at least one directory; leave the key out to use the shipped hw-profiles/' }).optional(),
    secrets_dir: absolutePath('secrets_dir', '/etc/heartline/secrets').optional(),
    history: absolutePath('history (the fence history file)', '/var/lib/heartline/fence-history.sqlite').optional(),
    cib: z.boolean({ error: 'cib is true or false: true fences with the CIB\'s stonith: resources and fencing-topology' }).optional(),
  })
  .superRefine((section, ctx) => {
    const hasCommand = section.command !== undefined;
    const hasProfile = section.profile !== undefined;
    if (hasCommand && hasProfile) {
      ctx.addIssue({ code: 'custom', path: ['profile'], message: 'give either command (a fencing program) or profile (the fence devices of a hardware profile), not both: remove one of them' });
      return;
    }
    if (!hasCommand && !hasProfile && section.cib !== true) {
      ctx.addIssue({
        code: 'custom',
        path: [section.cib === false ? 'cib' : 'command'],
        message: 'the fencing section needs command (the absolute path of a fencing program, e.g. /usr/local/sbin/fence-node), profile (an appliance profile name, e.g. generic-2node-ipmi) or cib: true (the CIB\'s stonith: resources)',
      });
      return;
    }
    const stray = hasCommand ? PROFILE_KEYS.filter((key) => section[key] !== undefined) : COMMAND_KEYS.filter((key) => section[key] !== undefined);
    for (const key of stray) {
      ctx.addIssue({ code: 'custom', path: [key], message: hasCommand ? `${key} belongs to device fencing (profile or cib), but this section fences with command: remove ${key}, or replace command by profile or cib: true` : `${key} belongs to command fencing, but this section fences with devices (profile or cib): remove ${key} (devices have their own timings)` });
    }
  });

export const eventsSectionSchema = z.strictObject({
  retention_days: z
    .number({ error: 'retention_days is a whole number of days to keep events, e.g. 400 (the default: a yearly report always has its whole year)' })
    .int({ error: 'retention_days is a whole number of days, e.g. 400' })
    .min(1, { error: 'retention_days is at least 1 (default 400)' })
    .max(3660, { error: 'retention_days is at most 3660 (ten years; default 400)' })
    .optional(),
  max_events: z
    .number({ error: 'max_events is a whole number of events to keep, e.g. 100000' })
    .int({ error: 'max_events is a whole number of events to keep, e.g. 100000' })
    .min(100, { error: 'max_events below 100 keeps too little for an availability report: use at least 100 (default 100000)' })
    .max(10_000_000, { error: 'max_events above 10000000 makes a large file for a small appliance: use at most 10000000 (default 100000)' })
    .optional(),
});

/**
 * The Prometheus endpoint (`metrics`, docs/CONFIGURATION.md): off unless the section is there
 * (`enabled: false` keeps the settings but serves nothing). `listen` is `ADDRESS:PORT`, one value
 * for every node because the file is the same on every node: 0.0.0.0 for all of a node's addresses.
 */
export const metricsSectionSchema = z.strictObject({
  enabled: z.boolean({ error: 'enabled is true or false (a metrics section without it is enabled)' }).optional(),
  listen: z
    .string({ error: `listen is ADDRESS:PORT, e.g. ${DEFAULT_METRICS_LISTEN} (this node only) or 0.0.0.0:${DEFAULT_METRICS_PORT} (every address)` })
    .superRefine((text, context) => {
      const parsed = parseListenAddress(text);
      if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.error, input: text });
    })
    .optional(),
});

/** `ADDRESS:PORT` of the metrics endpoint, an IPv4 address and a port 1-65535. */
export function parseListenAddress(text: string): Result<{ readonly host: string; readonly port: number }, string> {
  const example = `write ADDRESS:PORT, e.g. ${DEFAULT_METRICS_LISTEN} or 0.0.0.0:${DEFAULT_METRICS_PORT}`;
  const at = text.lastIndexOf(':');
  const host = text.slice(0, at);
  const portText = text.slice(at + 1);
  if (at < 0 || !/^\d{1,5}$/.test(portText)) return err(`'${text}' has no port: ${example}`);
  const port = Number(portText);
  if (port < 1 || port > 65535) return err(`port ${port} is out of range (1-65535): ${example}`);
  const address = parseIpv4Interface(host);
  if (!address.ok || address.value.prefixLength !== undefined) return err(`'${host}' is not an IPv4 address: ${example}`);
  return ok({ host, port });
}

const devicePath = (what: string) =>
  z
    .string({ error: `${what} is a device path, e.g. /dev/disk/by-id/scsi-shared-fence` })
    .startsWith('/dev/', { error: (issue) => `'${String(issue.input)}' is not a device path: write the path every node sees the disk by, e.g. /dev/disk/by-id/scsi-shared-fence` });

/**
 * Shared storage the daemon itself uses (docs/STORAGE.md, "Disk fencing and quorum disk"):
 * - `disk_fencing`: run this node's disk watcher on the fencing disk `device` (a pill in its slot
 *   resets the node; the watchdog is petted while the node sees its slot or a healthy cluster);
 *   `watchdog` is the device (default /dev/watchdog), `watchdog_stand_in` a test bed's file
 *   instead (`{node}` in it is replaced by the node's name), `start_mode` clean (default: refuse to start while the slot holds a pill) or always;
 * - `quorum_disk`: the two-node tie-breaker: in a split, only the node holding the lease on
 *   `device` (the fencing disk's lease sector) keeps quorum.
 */
export const storageSectionSchema = z.strictObject({
  disk_fencing: z
    .strictObject({
      device: devicePath('disk_fencing.device'),
      watchdog: devicePath('watchdog').optional(),
      watchdog_stand_in: absolutePath('watchdog_stand_in (a test bed\'s watchdog file)', '/run/heartline-test/watchdog.json').optional(),
      start_mode: z.enum(['clean', 'always']).optional(),
    })
    .optional(),
  quorum_disk: z.strictObject({ device: devicePath('quorum_disk.device') }).optional(),
});

/** The sections of heartline.yaml. Add new sections here; optional ones with `.optional()`. */
export const configSections = {
  cluster: clusterSectionSchema,
  nodes: nodesSectionSchema,
  links: linksSectionSchema,
  quorum: quorumSectionSchema.optional(),
  timing: timingSectionSchema.optional(),
  fencing: fencingSectionSchema.optional(),
  events: eventsSectionSchema.optional(),
  storage: storageSectionSchema.optional(),
  metrics: metricsSectionSchema.optional(),
  snmp: snmpSectionSchema.optional(),
};

/** The whole file. Its output (`ConfigFile`) still has the file's shape; resolve-config.ts turns it into a HeartlineConfig. */
export const configFileSchema = z.strictObject(configSections);

export type ConfigFile = z.output<typeof configFileSchema>;
export type NodeEntry = z.output<typeof nodeSchema>;
export type LinkEntry = z.output<typeof linkSchema>;
export type QuorumSection = z.output<typeof quorumSectionSchema>;
export type TimingSection = z.output<typeof timingSectionSchema>;
export type FencingSection = z.output<typeof fencingSectionSchema>;
export type StorageSection = z.output<typeof storageSectionSchema>;
export type MetricsSection = z.output<typeof metricsSectionSchema>;
