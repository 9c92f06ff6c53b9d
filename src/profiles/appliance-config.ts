/**
 * From an appliance profile to heartline.yaml (`heartline profile apply`): the cluster's nodes are
 * the appliance's (ids 1..N in profile order), each Ethernet or crossover link becomes a
 * udp-unicast link whose addresses come from the operator (a subnet per link, node k getting the
 * k-th host address, or one address per node), each serial link becomes a serial link between the
 * two nodes on the profile's device and baud, and `fencing.profile` names the appliance. The
 * profile knows interfaces, not addresses, so a UDP link without addresses is refused by name.
 *
 * The text is checked with the configuration's own parser before anyone writes it (the caller
 * does), so what this writes always loads.
 */
import { clusterIdFor, DEFAULT_UDP_PORT, formatIpv4Interface, ipv4ToNumber, numberToIpv4, parseIpv4Interface } from '../config/index.js';
import { err, ok, type Result } from '../lib/index.js';
import type { ApplianceProfile } from './hardware-profile-schema.js';

export interface ApplianceConfigOptions {
  /** This node: must be a node of the appliance (written as a comment; the file is the same on every node). */
  readonly node: string;
  /** Default: the appliance's name. */
  readonly clusterName?: string;
  /** Default: derived from the cluster name (as `import heartbeat` does). */
  readonly clusterId?: number;
  /** Per link name, a subnet (`10.213.1.0/24`): node k of the appliance gets host address k. */
  readonly subnets?: Readonly<Record<string, string>>;
  /** Per link name and node name, an address with its prefix (`10.213.1.7/24`); wins over the subnet. */
  readonly addresses?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** UDP port of the heartbeat links (default 694). */
  readonly port?: number;
  /** Written as fencing.profile_dirs (absolute paths) when the profile is not in the shipped folder. */
  readonly profileDirs?: readonly string[];
  readonly secretsDir?: string;
  /** cluster.authkey, when the key file is not at the default /etc/heartline/authkey. */
  readonly authkey?: string;
}

/** The heartline.yaml text for `appliance`, or every problem (each naming the link, node or option). */
export function applianceConfigText(appliance: ApplianceProfile, options: ApplianceConfigOptions): Result<string, string[]> {
  const problems: string[] = [];
  const nodes = appliance.nodes.map((node) => node.name);
  if (!nodes.includes(options.node)) problems.push(`--node: '${options.node}' is not a node of appliance '${appliance.name}' (its nodes: ${nodes.join(', ')})`);
  const linkNames = new Set(appliance.links.map((link) => link.name));
  for (const name of [...Object.keys(options.subnets ?? {}), ...Object.keys(options.addresses ?? {})]) {
    if (!linkNames.has(name)) problems.push(`appliance '${appliance.name}' has no link '${name}' (its links: ${[...linkNames].join(', ')})`);
  }
  const clusterName = options.clusterName ?? appliance.name;
  const port = options.port ?? DEFAULT_UDP_PORT;
  const out: string[] = [
    `# heartline.yaml written by \`heartline profile apply ${appliance.name} --node ${options.node}\` from the appliance profile`,
    `# ${appliance.name}${appliance.description === undefined ? '' : ` (${appliance.description})`}. The same file serves every node; this one is ${options.node}`,
    '# (the daemon takes its node name from the host name, or from `heartline daemon --node NAME`).',
    'cluster:',
    `  name: ${clusterName}`,
    `  id: ${options.clusterId ?? clusterIdFor(clusterName)}`,
    ...(options.authkey === undefined ? [] : [`  authkey: ${options.authkey}`]),
    'nodes:',
    ...nodes.map((name, index) => `  - { name: ${name}, id: ${index + 1} }`),
    'links:',
  ];
  for (const link of appliance.links) {
    if (link.kind === 'serial') {
      if (nodes.length !== 2) {
        problems.push(`link '${link.name}': a serial link joins two nodes, appliance '${appliance.name}' has ${nodes.length}`);
        continue;
      }
      out.push(`  - name: ${link.name}`, '    kind: serial', `    baud: ${link.baud}`, '    devices:', ...nodes.map((node) => `      ${node}: ${link.device}`));
      continue;
    }
    const addresses = linkAddresses(link.name, nodes, options, problems);
    if (addresses === undefined) continue;
    out.push(`  - name: ${link.name}    # ${link.kind}, interface ${link.interface}`, '    kind: udp-unicast', `    port: ${port}`, '    addresses:', ...nodes.map((node) => `      ${node}: ${addresses[node] ?? ''}`));
  }
  out.push('fencing:', `  profile: ${appliance.name}`);
  if (options.profileDirs !== undefined && options.profileDirs.length > 0) out.push(`  profile_dirs: [${options.profileDirs.join(', ')}]`);
  if (options.secretsDir !== undefined) out.push(`  secrets_dir: ${options.secretsDir}`);
  return problems.length > 0 ? err(problems) : ok(`${out.join('\n')}\n`);
}

function linkAddresses(link: string, nodes: readonly string[], options: ApplianceConfigOptions, problems: string[]): Record<string, string> | undefined {
  const given = options.addresses?.[link] ?? {};
  const subnetText = options.subnets?.[link];
  const addresses: Record<string, string> = {};
  let subnet: { base: number; prefix: number } | undefined;
  if (subnetText !== undefined) {
    const parsed = parseIpv4Interface(subnetText);
    if (!parsed.ok || parsed.value.prefixLength === undefined || parsed.value.prefixLength > 30) {
      problems.push(`--subnet ${link}=${subnetText}: write a network with a prefix of at most 30, e.g. 10.213.1.0/24`);
      return undefined;
    }
    const prefix = parsed.value.prefixLength;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    subnet = { base: ((ipv4ToNumber(parsed.value.address) ?? 0) & mask) >>> 0, prefix };
    if (nodes.length > 2 ** (32 - prefix) - 2) {
      problems.push(`--subnet ${link}=${subnetText}: too small for ${nodes.length} nodes`);
      return undefined;
    }
  }
  for (const [index, node] of nodes.entries()) {
    const text = given[node];
    if (text !== undefined) {
      const parsed = parseIpv4Interface(text);
      if (!parsed.ok) problems.push(`--address ${link}:${node}=${text}: ${parsed.error}`);
      else addresses[node] = formatIpv4Interface(parsed.value.prefixLength === undefined && subnet !== undefined ? { ...parsed.value, prefixLength: subnet.prefix } : parsed.value);
    } else if (subnet !== undefined) {
      addresses[node] = `${numberToIpv4(subnet.base + index + 1)}/${subnet.prefix}`;
    } else {
      problems.push(`link '${link}': no address for ${node}: give --subnet ${link}=NETWORK/PREFIX (node k gets host address k) or --address ${link}:${node}=ADDRESS/PREFIX`);
    }
  }
  return Object.keys(addresses).length === nodes.length ? addresses : undefined;
}
