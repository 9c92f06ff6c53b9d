/**
 * Converts a Heartbeat setup (`ha.cf` and `authkeys` from /etc/ha.d) into heartline.yaml and a
 * Heartline key file. The result is text with `# TODO` comments where a person must fill in what
 * ha.cf cannot say (a node's address on an interface that ha.cf names only by device), plus a
 * list of notes: every directive that was not converted is named with the reason, and nothing is
 * dropped silently.
 *
 * What converts: node, cluster, keepalive/warntime/deadtime/initdead (Heartbeat time syntax,
 * with Heartbeat's own defaults written out where ha.cf relied on them, so timing does not change
 * behind the operator's back), udpport, bcast, mcast, ucast, serial, baud, ping and ping_group.
 * Everything else is explained. The converted file is checked with parseConfig (after filling
 * the placeholders with sample values), and anything it would still refuse becomes a note.
 *
 * Pure: the caller reads the files and writes the results.
 */
import { parse as parseYamlValue } from 'yaml';
import { err, millis, ok, type Result } from '../lib/index.js';
import type { LinkKind } from '../links/link.js';
import { DEFAULT_UDP_PORT } from './config-defaults.js';
import { PLACEHOLDER_PREFIX } from './config-schema.js';
import { formatDuration } from './duration.js';
import { parseHaCf, parseHeartbeatTime, type HaCfDirective } from './ha-cf.js';
import { convertHeartbeatAuthkeys, type ConvertedAuthkeys } from './heartbeat-authkeys.js';
import { ipv4ToNumber, isIpv4Multicast } from './ipv4.js';
import { parseConfig } from './parse-config.js';

export interface HeartbeatImportInput {
  /** The text of ha.cf. */
  readonly haCf: string;
  /** The text of authkeys, when the directory has one. */
  readonly authkeys?: string;
  /**
   * The node whose ha.cf this is (`--node`). Heartbeat's `ucast DEV IP` names the peer's address
   * as seen from that node, so with two nodes it places the address on the other node.
   */
  readonly nodeName?: string;
}

/** What happened to a directive: converted with a remark, needs a value filled in, not converted, or refused on purpose. */
export type ImportOutcome = 'converted' | 'fill-in' | 'not-converted' | 'refused' | 'fails-check';

export interface ImportNote {
  /** Which file the note is about: a line of ha.cf or authkeys, or a key of the converted heartline.yaml. */
  readonly source: 'ha.cf' | 'authkeys' | 'heartline.yaml';
  readonly line?: number;
  /** The directive (ha.cf), `auth`/key id (authkeys) or key path (heartline.yaml). */
  readonly directive: string;
  readonly outcome: ImportOutcome;
  readonly message: string;
}

/** A value the converted file leaves for a person to fill in. */
export interface ImportPlaceholder {
  /** The exact placeholder text in the YAML (a quoted string starting with `<fill in`). */
  readonly token: string;
  /** Where it is: `links[0].addresses.alpha`. */
  readonly path: string;
  /** What to put there. */
  readonly expects: 'ipv4-address' | 'ipv4-address-with-prefix';
}

export interface HeartbeatImport {
  /** The converted heartline.yaml, comments and `# TODO` markers included. */
  readonly yaml: string;
  readonly notes: readonly ImportNote[];
  readonly placeholders: readonly ImportPlaceholder[];
  /** The converted key file, when authkeys was given. */
  readonly authkeys: ConvertedAuthkeys | undefined;
  readonly nodeCount: number;
  readonly linkCount: number;
}

/** Heartbeat's built-in values (heartbeat/config.c), used where ha.cf does not set them. */
const HEARTBEAT_DEFAULTS = { keepaliveMs: 1000, deadtimeMs: 30_000, baud: 19_200, clusterName: 'linux-ha' } as const;

/** Heartbeat's initdead when ha.cf has none: deadtime, but at least 12 s (twice deadtime from 6 s). */
function heartbeatDefaultInitdead(deadtimeMs: number): number {
  if (deadtimeMs > 10_000) return deadtimeMs;
  return deadtimeMs < 6000 ? 12_000 : 2 * deadtimeMs;
}

/** Directives that have no place in heartline.yaml, each with the reason a person is told. */
const NOT_CONVERTED: Readonly<Record<string, string>> = {
  auto_failback: "where resources go when a failed node returns is the policy engine's decision (resource stickiness in the CIB), not part of heartline.yaml",
  nice_failback: "the old form of auto_failback: where resources go when a failed node returns is the policy engine's decision (resource stickiness in the CIB)",
  crm: "Heartline's own DC and policy engine do the CRM's work; there is nothing to switch on",
  pacemaker: "Heartline's own DC and policy engine do Pacemaker's work; there is nothing to switch on",
  respawn: 'Heartline starts no helper processes from its cluster configuration: run them as systemd units',
  apiauth: 'Heartline has no client API groups: the heartline CLI talks to the daemon as root',
  logfile: 'Heartline logs structured JSON lines to stdout, which systemd sends to the journal',
  debugfile: 'Heartline logs structured JSON lines to stdout, which systemd sends to the journal',
  logfacility: 'Heartline logs structured JSON lines to stdout, which systemd sends to the journal',
  use_logd: 'Heartline logs structured JSON lines to stdout, which systemd sends to the journal',
  conn_logd_time: 'Heartline logs structured JSON lines to stdout, which systemd sends to the journal',
  debug: 'log levels are set on the daemon command line, not in heartline.yaml',
  stonith: 'fencing is configured in its own section, which heartline.yaml does not have yet: configure fencing before relying on failover',
  stonith_host: 'fencing is configured in its own section, which heartline.yaml does not have yet: configure fencing before relying on failover',
  watchdog: 'the hardware watchdog belongs to the fencing configuration, which heartline.yaml does not have yet',
  autojoin: 'Heartline lists every node under nodes:; nodes cannot join by themselves',
  deadping: 'Heartline has no separate timeout for ping targets: a target counts as unreachable when it does not answer within deadtime',
  hopfudge: 'serial rings are not supported: each serial link joins exactly two nodes',
  realtime: 'heartbeats run in a worker thread of their own; scheduling priority is set in the systemd unit',
  rtprio: 'heartbeats run in a worker thread of their own; scheduling priority is set in the systemd unit',
  coredumps: 'core dumps are handled by systemd-coredump',
  coreroot: 'core dumps are handled by systemd-coredump',
  msgfmt: "a setting of Heartbeat's wire format; Heartline has its own",
  traditional_compression: "a setting of Heartbeat's wire format; Heartline has its own",
  compression: "a setting of Heartbeat's wire format; Heartline has its own",
  compression_threshold: "a setting of Heartbeat's wire format; Heartline has its own",
  max_rexmit_delay: "a setting of Heartbeat's retransmission; Heartline has its own",
  hbgenmethod: "Heartbeat's generation counter has no equivalent: Heartline nodes have incarnations of their own",
  uuidfrom: 'Heartline identifies nodes by the ids in nodes:, not by UUIDs',
  badpack: "a setting of Heartbeat's logging with no Heartline equivalent",
  normalpoll: "a setting of Heartbeat's event loop with no Heartline equivalent",
  apphbd: 'application heartbeats (apphbd) are not part of Heartline: monitor services with resource monitors',
  env: 'resource agents get their environment from their resource definitions, not from heartline.yaml',
  record_config_changes: 'the CIB keeps its history itself (heartline config history, later)',
  record_pengine_inputs: 'the DC keeps the policy inputs itself',
  enable_config_writes: 'the CIB is written by the DC only; there is nothing to enable',
};

interface Timing {
  readonly ms: number;
  /** Why the value is what it is, when ha.cf did not say it. */
  readonly remark?: string;
}

type Medium =
  | { readonly kind: 'bcast'; readonly device: string; readonly port: number; readonly directive: HaCfDirective }
  | { readonly kind: 'ucast'; readonly device: string; readonly peer: string; readonly port: number; readonly directive: HaCfDirective }
  | { readonly kind: 'mcast'; readonly device: string; readonly group: string; readonly port: number; readonly ttl: number; readonly directive: HaCfDirective }
  | { readonly kind: 'serial'; readonly device: string; readonly directive: HaCfDirective };

/** One value of the converted file, with an optional end-of-line comment. */
interface DraftValue {
  readonly text: string;
  readonly comment?: string;
}

interface DraftLink {
  readonly name: string;
  readonly kind: LinkKind;
  /** Comment lines above the link. */
  readonly comments: readonly string[];
  readonly fields: readonly (readonly [string, DraftValue])[];
  readonly mapKey: 'addresses' | 'devices';
  /** Comment lines above the address or device map (the TODOs). */
  readonly mapComments: readonly string[];
  readonly map: readonly (readonly [string, DraftValue])[];
}

/** The state of a conversion while ha.cf is read top to bottom. */
class Conversion {
  readonly notes: ImportNote[] = [];
  readonly placeholders: ImportPlaceholder[] = [];
  readonly nodes: string[] = [];
  readonly media: Medium[] = [];
  readonly pingTargets: { readonly address: string; readonly directive: HaCfDirective }[] = [];
  readonly timing = new Map<'keepalive' | 'warntime' | 'deadtime' | 'initdead', { readonly ms: number; readonly directive: HaCfDirective }>();
  udpPort = DEFAULT_UDP_PORT;
  udpPortDirective: HaCfDirective | undefined;
  baud: { readonly value: number; readonly directive: HaCfDirective } | undefined;
  clusterName: { readonly value: string; readonly directive: HaCfDirective } | undefined;

  note(directive: HaCfDirective, outcome: ImportOutcome, message: string): void {
    this.notes.push({ source: 'ha.cf', line: directive.line, directive: directive.name, outcome, message });
  }
}

/**
 * Converts the ha.cf (and authkeys) texts. Fails, with a sentence saying why, only when ha.cf
 * names no node or no heartbeat medium (Heartbeat itself refuses those), or when `nodeName` is
 * not one of its nodes.
 */
export function importHeartbeat(input: HeartbeatImportInput): Result<HeartbeatImport, string> {
  const conversion = new Conversion();
  for (const directive of parseHaCf(input.haCf)) readDirective(conversion, directive);
  if (conversion.nodes.length === 0) return err("ha.cf names no nodes: add a 'node' line for each node (Heartbeat's autojoin has no Heartline equivalent)");
  if (conversion.media.length === 0) return err('ha.cf defines no heartbeat media (bcast, mcast, ucast or serial): there is no link to convert');
  const self = input.nodeName?.toLowerCase();
  if (self !== undefined && !conversion.nodes.includes(self)) return err(`--node ${input.nodeName ?? ''} is not one of ha.cf's nodes (${conversion.nodes.join(', ')})`);
  const portDirective = conversion.udpPortDirective;
  const portMedia = conversion.media.filter((medium) => medium.kind === 'bcast' || medium.kind === 'ucast');
  if (portDirective !== undefined && portMedia.length > 0 && portMedia.every((medium) => medium.directive.line < portDirective.line)) {
    conversion.note(portDirective, 'not-converted', 'udpport comes after every bcast and ucast line; Heartbeat reads ha.cf in order and used the default port for them, and so does this conversion');
  }

  const links = draftLinks(conversion, self);
  const authkeys = input.authkeys === undefined ? undefined : convertHeartbeatAuthkeys(input.authkeys);
  for (const note of authkeys?.notes ?? []) {
    conversion.notes.push({ source: 'authkeys', ...(note.line === undefined ? {} : { line: note.line }), directive: note.directive, outcome: note.outcome, message: note.message });
  }
  if (input.authkeys === undefined) {
    conversion.notes.push({ source: 'authkeys', directive: 'authkeys', outcome: 'not-converted', message: `there is no authkeys file, so no key file was converted: generate one with (echo 'auth 1'; echo "1 sha256 $(openssl rand -hex 32)") > /etc/heartline/authkey` });
  }

  const body = renderBody(conversion, links);
  for (const issue of selfCheck(body, conversion.placeholders)) conversion.notes.push(issue);
  const notes = conversion.notes.map((note, order) => ({ note, order })).sort((a, b) => compareNotes(a.note, b.note) || a.order - b.order).map(({ note }) => note);
  const yaml = `${renderHeader(notes)}${body}`;
  return ok({ yaml, notes, placeholders: conversion.placeholders, authkeys, nodeCount: conversion.nodes.length, linkCount: links.length });
}

const SOURCE_ORDER: readonly ImportNote['source'][] = ['ha.cf', 'authkeys', 'heartline.yaml'];

/** Notes in file order: ha.cf, authkeys, then the converted file; by line within a file. */
function compareNotes(a: ImportNote, b: ImportNote): number {
  return SOURCE_ORDER.indexOf(a.source) - SOURCE_ORDER.indexOf(b.source) || (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER);
}

/** `ha.cf:12: auto_failback: not converted: <reason>`, the form the CLI prints and the YAML header lists. */
export function formatImportNote(note: ImportNote): string {
  const where = note.line === undefined ? note.source : `${note.source}:${note.line}`;
  return `${where}: ${note.directive}: ${note.outcome.replace('-', ' ')}: ${note.message}`;
}

function readDirective(conversion: Conversion, directive: HaCfDirective): void {
  const { name, args } = directive;
  const expectArgs = (count: number, form: string): boolean => {
    if (args.length === count) return true;
    conversion.note(directive, 'not-converted', `expected '${form}', found '${directive.text}'`);
    return false;
  };
  switch (name) {
    case 'node':
      if (args.length === 0) conversion.note(directive, 'not-converted', "a 'node' line without a name");
      for (const raw of args) {
        const node = raw.toLowerCase();
        // Heartbeat lowercases node names too (they are hostnames, which ignore case).
        if (node !== raw) conversion.note(directive, 'converted', `node '${raw}' is written as '${node}': Heartline node names are lowercase, as Heartbeat treated them`);
        if (conversion.nodes.includes(node)) conversion.note(directive, 'converted', `node '${node}' is listed twice; it is converted once`);
        else conversion.nodes.push(node);
      }
      return;
    case 'cluster':
      if (expectArgs(1, 'cluster NAME')) conversion.clusterName = { value: args[0] ?? '', directive };
      return;
    case 'keepalive':
    case 'warntime':
    case 'deadtime':
    case 'initdead': {
      if (!expectArgs(1, `${name} TIME`)) return;
      const ms = parseHeartbeatTime(args[0] ?? '');
      if (ms === undefined) conversion.note(directive, 'not-converted', `'${args[0] ?? ''}' is not a Heartbeat time (seconds, or a number with ms or us); the default is used instead`);
      else conversion.timing.set(name, { ms, directive });
      return;
    }
    case 'udpport': {
      if (!expectArgs(1, 'udpport PORT')) return;
      const port = Number(args[0]);
      if (!/^\d+$/.test(args[0] ?? '') || port < 1 || port > 65535) {
        conversion.note(directive, 'not-converted', `'${args[0] ?? ''}' is not a port number from 1 to 65535`);
        return;
      }
      conversion.udpPort = port;
      conversion.udpPortDirective = directive;
      return;
    }
    case 'udp':
    case 'bcast':
      if (name === 'udp') conversion.note(directive, 'converted', "'udp' is Heartbeat's old name for bcast and is converted as bcast");
      if (args.length === 0) conversion.note(directive, 'not-converted', "expected 'bcast DEVICE...'");
      for (const device of args) conversion.media.push({ kind: 'bcast', device, port: conversion.udpPort, directive });
      return;
    case 'ucast': {
      if (!expectArgs(2, 'ucast DEVICE PEER-IP')) return;
      const [device = '', peer = ''] = args;
      if (ipv4ToNumber(peer) === undefined) {
        conversion.note(directive, 'not-converted', `'${peer}' is not an IPv4 address: Heartline needs the address itself, not a host name`);
        return;
      }
      conversion.media.push({ kind: 'ucast', device, peer, port: conversion.udpPort, directive });
      return;
    }
    case 'mcast':
      readMulticast(conversion, directive);
      return;
    case 'serial':
      if (args.length === 0) conversion.note(directive, 'not-converted', "expected 'serial DEVICE...'");
      for (const device of args) conversion.media.push({ kind: 'serial', device, directive });
      return;
    case 'baud': {
      if (!expectArgs(1, 'baud RATE')) return;
      const value = Number(args[0]);
      if (!/^\d+$/.test(args[0] ?? '')) conversion.note(directive, 'not-converted', `'${args[0] ?? ''}' is not a baud rate`);
      else conversion.baud = { value, directive };
      return;
    }
    case 'ping':
      for (const target of args) addPingTarget(conversion, directive, target);
      return;
    case 'ping_group': {
      const [group = '', ...targets] = args;
      if (targets.length === 0) {
        conversion.note(directive, 'not-converted', "expected 'ping_group NAME IP...'");
        return;
      }
      conversion.note(directive, 'converted', `the members of ping group '${group}' become ping targets: as with the group, reaching any one of them is enough`);
      for (const target of targets) addPingTarget(conversion, directive, target);
      return;
    }
    default: {
      const reason = NOT_CONVERTED[name];
      conversion.note(directive, 'not-converted', reason ?? `'${name}' is not a Heartbeat directive this importer knows; check what it did and configure its equivalent by hand`);
    }
  }
}

function readMulticast(conversion: Conversion, directive: HaCfDirective): void {
  const [device = '', group = '', portText = '', ttlText = '', loopText = ''] = directive.args;
  if (directive.args.length !== 5) {
    conversion.note(directive, 'not-converted', `expected 'mcast DEVICE GROUP PORT TTL LOOP', found '${directive.text}'`);
    return;
  }
  const port = Number(portText);
  const ttl = Number(ttlText);
  if (!isIpv4Multicast(group)) conversion.note(directive, 'not-converted', `'${group}' is not an IPv4 multicast group (224.0.0.0/4)`);
  else if (!/^\d+$/.test(portText) || port < 1 || port > 65535) conversion.note(directive, 'not-converted', `'${portText}' is not a port number from 1 to 65535`);
  else if (!/^\d+$/.test(ttlText) || ttl > 255) conversion.note(directive, 'not-converted', `'${ttlText}' is not a TTL from 0 to 255`);
  else {
    if (ttl === 0) conversion.note(directive, 'converted', 'TTL 0 keeps frames on the sending host, which cannot have worked between two nodes; converted as TTL 1');
    if (loopText !== '0') conversion.note(directive, 'converted', `loop ${loopText} is not converted: Heartline never needs its own frames back (it ignores them), so the link has no loop setting`);
    conversion.media.push({ kind: 'mcast', device, group, port, ttl: Math.max(1, ttl), directive });
  }
}

function addPingTarget(conversion: Conversion, directive: HaCfDirective, target: string): void {
  if (ipv4ToNumber(target) === undefined) {
    conversion.note(directive, 'not-converted', `ping target '${target}' is not an IPv4 address: Heartline needs the address itself, so that quorum never waits for DNS`);
  } else if (!conversion.pingTargets.some((existing) => existing.address === target)) {
    conversion.pingTargets.push({ address: target, directive });
  }
}

/** A link name from a prefix and a device: `bcast-eth0`, `serial-ttys0`, unique among `taken`. */
function linkName(prefix: string, device: string, taken: Set<string>): string {
  const base = `${prefix}-${device.replace(/^\/dev\//, '').toLowerCase().replace(/[^a-z0-9_-]+/g, '-')}`.slice(0, 29).replace(/-+$/, '');
  let name = base;
  for (let suffix = 2; taken.has(name); suffix++) name = `${base}-${suffix}`;
  taken.add(name);
  return name;
}

function draftLinks(conversion: Conversion, self: string | undefined): DraftLink[] {
  const links: DraftLink[] = [];
  const taken = new Set<string>();
  const nodes = conversion.nodes;
  const placeholderMap = (linkIndex: number, device: string, expects: ImportPlaceholder['expects']): [string, DraftValue][] =>
    nodes.map((node) => {
      const token = `${PLACEHOLDER_PREFIX}: ${node}'s IPv4 address${expects === 'ipv4-address-with-prefix' ? '/prefix' : ''} on ${device}>`;
      conversion.placeholders.push({ token, path: `links[${linkIndex}].addresses.${node}`, expects });
      return [node, { text: token, comment: 'TODO' }];
    });
  const portField = (port: number): [string, DraftValue][] => (port === DEFAULT_UDP_PORT ? [] : [['port', { text: String(port) }]]);

  // ucast lines on one device (and port) form one unicast link: Heartbeat sends to each listed peer.
  const unicastGroups = new Map<string, Extract<Medium, { kind: 'ucast' }>[]>();
  for (const medium of conversion.media) {
    if (medium.kind !== 'ucast') continue;
    const key = `${medium.device} ${medium.port}`;
    unicastGroups.set(key, [...(unicastGroups.get(key) ?? []), medium]);
  }
  const seenUnicast = new Set<string>();

  for (const medium of conversion.media) {
    const index = links.length;
    const origin = `ha.cf line ${medium.directive.line}: ${medium.directive.text}`;
    switch (medium.kind) {
      case 'bcast':
        links.push({
          name: linkName('bcast', medium.device, taken),
          kind: 'udp-broadcast',
          comments: [origin],
          fields: portField(medium.port),
          mapKey: 'addresses',
          mapComments: [`TODO: each node's IPv4 address on ${medium.device} with its prefix length (e.g. 10.0.0.1/24);`, 'the broadcast address is derived from it (or set broadcast: explicitly).'],
          map: placeholderMap(index, medium.device, 'ipv4-address-with-prefix'),
        });
        conversion.note(medium.directive, 'fill-in', `ha.cf names the interface ${medium.device}, not its address: fill in each node's address on it (links[${index}].addresses)`);
        break;
      case 'mcast':
        links.push({
          name: linkName('mcast', medium.device, taken),
          kind: 'udp-multicast',
          comments: [origin],
          fields: [...portField(medium.port), ['group', { text: medium.group }], ['ttl', { text: String(medium.ttl) }]],
          mapKey: 'addresses',
          mapComments: [`TODO: each node's IPv4 address on ${medium.device} (the interface that joins the group).`],
          map: placeholderMap(index, medium.device, 'ipv4-address'),
        });
        conversion.note(medium.directive, 'fill-in', `ha.cf names the interface ${medium.device}, not its address: fill in each node's address on it (links[${index}].addresses)`);
        break;
      case 'ucast': {
        const key = `${medium.device} ${medium.port}`;
        if (seenUnicast.has(key)) break;
        seenUnicast.add(key);
        const group = unicastGroups.get(key) ?? [medium];
        links.push(draftUnicastLink(conversion, group, index, self, linkName('ucast', medium.device, taken), placeholderMap));
        break;
      }
      case 'serial': {
        if (nodes.length !== 2) {
          conversion.note(medium.directive, 'not-converted', `a serial link joins exactly two nodes and ha.cf has ${nodes.length}: add a serial link for each cabled pair by hand (devices: { NODE: /dev/ttyS0, NODE: /dev/ttyS0 })`);
          break;
        }
        const [first = '', second = ''] = nodes;
        const local = self ?? first;
        const remote = local === first ? second : first;
        const baud = conversion.baud?.value ?? HEARTBEAT_DEFAULTS.baud;
        links.push({
          name: linkName('serial', medium.device, taken),
          kind: 'serial',
          comments: [origin],
          fields: [['baud', { text: String(baud), ...(conversion.baud === undefined ? { comment: "Heartbeat's default; Heartline's is 115200 if the cable allows" } : {}) }]],
          mapKey: 'devices',
          mapComments: [],
          map: nodes.map((node): [string, DraftValue] => [node, node === remote ? { text: medium.device, comment: `TODO: check: assumed the same device as on ${local}` } : { text: medium.device }]),
        });
        conversion.note(medium.directive, 'fill-in', `ha.cf names ${medium.device} on ${self === undefined ? 'the node it came from' : local}; ${remote}'s device is assumed to be the same: check it (links[${index}].devices.${remote})`);
        break;
      }
    }
  }
  if (conversion.baud !== undefined && !links.some((link) => link.kind === 'serial')) {
    conversion.note(conversion.baud.directive, 'not-converted', 'no serial link was converted, so the baud rate applies to nothing');
  }
  return links;
}

function draftUnicastLink(
  conversion: Conversion,
  group: readonly Extract<Medium, { kind: 'ucast' }>[],
  index: number,
  self: string | undefined,
  name: string,
  placeholderMap: (linkIndex: number, device: string, expects: ImportPlaceholder['expects']) => [string, DraftValue][],
): DraftLink {
  const first = group[0];
  const device = first?.device ?? '';
  const peers = [...new Set(group.map((medium) => medium.peer))];
  const nodes = conversion.nodes;
  const fields: [string, DraftValue][] = first === undefined || first.port === DEFAULT_UDP_PORT ? [] : [['port', { text: String(first.port) }]];
  const comments = group.map((medium) => `ha.cf line ${medium.directive.line}: ${medium.directive.text}`);
  const remote = self === undefined || nodes.length !== 2 ? undefined : nodes.find((node) => node !== self);
  const directive = first?.directive;
  if (remote !== undefined && self !== undefined && peers.length === 1 && peers[0] !== undefined) {
    // ucast names the peer's address as seen from this node: the one address belongs to the other node.
    const token = `${PLACEHOLDER_PREFIX}: ${self}'s IPv4 address on ${device}>`;
    conversion.placeholders.push({ token, path: `links[${index}].addresses.${self}`, expects: 'ipv4-address' });
    if (directive !== undefined) conversion.note(directive, 'fill-in', `${peers[0]} is ${remote}'s address (ha.cf is ${self}'s); fill in ${self}'s own address on ${device} (links[${index}].addresses.${self})`);
    return {
      name,
      kind: 'udp-unicast',
      comments,
      fields,
      mapKey: 'addresses',
      mapComments: [`TODO: ${self}'s own IPv4 address on ${device}.`],
      map: nodes.map((node): [string, DraftValue] => [node, node === remote ? { text: peers[0] ?? '' } : { text: token, comment: 'TODO' }]),
    };
  }
  const why = self === undefined ? 'rerun with --node NAME to place a single peer address' : 'ha.cf does not say which address is which node\'s';
  const listed = peers.length === 1 ? `${peers.join('')} on ${device} as a peer address but not whose it is` : `${peers.join(', ')} on ${device} as peer addresses but not whose they are`;
  if (directive !== undefined) conversion.note(directive, 'fill-in', `ha.cf lists ${listed} (${why}): fill in each node's address (links[${index}].addresses)`);
  return {
    name,
    kind: 'udp-unicast',
    comments,
    fields,
    mapKey: 'addresses',
    mapComments: [`TODO: each node's own IPv4 address on ${device}; ha.cf lists ${peers.join(', ')} as ${peers.length === 1 ? 'a peer address' : 'peer addresses'}.`],
    map: placeholderMap(index, device, 'ipv4-address'),
  };
}

/** A YAML scalar: plain when YAML reads it back as the same text, else double-quoted. */
function scalar(text: string): string {
  if (/^[A-Za-z0-9_./-]+$/.test(text) && parseYamlValue(text) === text) return text;
  return JSON.stringify(text);
}

function line(indent: number, text: string, comment?: string): string {
  return `${' '.repeat(indent)}${text}${comment === undefined ? '' : `  # ${comment}`}\n`;
}

function renderBody(conversion: Conversion, links: readonly DraftLink[]): string {
  let out = '';
  const clusterName = conversion.clusterName?.value ?? HEARTBEAT_DEFAULTS.clusterName;
  out += 'cluster:\n';
  out += line(2, `name: ${scalar(clusterName)}`, conversion.clusterName === undefined ? "Heartbeat's default name: ha.cf has no 'cluster' line" : undefined);
  out += line(2, `id: ${clusterIdFor(clusterName)}`, 'derived from the name; must differ from any other Heartline cluster on these networks');
  out += line(2, 'authkey: /etc/heartline/authkey');
  out += '\nnodes:\n';
  conversion.nodes.forEach((node, index) => {
    out += line(2, `- { name: ${scalar(node)}, id: ${index + 1} }`);
  });
  out += '\nlinks:\n';
  for (const link of links) {
    for (const comment of link.comments) out += line(2, `# ${comment}`);
    out += line(2, `- name: ${link.name}`);
    out += line(4, `kind: ${link.kind}`);
    for (const [key, value] of link.fields) out += line(4, `${key}: ${/^\d+$/.test(value.text) ? value.text : scalar(value.text)}`, value.comment);
    for (const comment of link.mapComments) out += line(4, `# ${comment}`);
    out += line(4, `${link.mapKey}:`);
    for (const [node, value] of link.map) out += line(6, `${scalar(node)}: ${scalar(value.text)}`, value.comment);
  }
  if (conversion.pingTargets.length > 0) {
    out += '\nquorum:\n';
    out += line(2, `ping_targets: [${conversion.pingTargets.map((target) => target.address).join(', ')}]`);
  }
  out += '\n# ha.cf timing, converted as Heartbeat ran it. Heartline\'s defaults are much faster\n';
  out += "# (keepalive 100ms, warntime 300ms, deadtime 500ms, initdead 2s): consider them after testing.\n";
  out += 'timing:\n';
  for (const [key, timing] of timingOf(conversion)) out += line(2, `${key}: ${formatDuration(millis(timing.ms))}`, timing.remark);
  return out;
}

function timingOf(conversion: Conversion): [string, Timing][] {
  const given = (key: 'keepalive' | 'warntime' | 'deadtime' | 'initdead'): number | undefined => conversion.timing.get(key)?.ms;
  const keepalive = given('keepalive') ?? HEARTBEAT_DEFAULTS.keepaliveMs;
  const deadtime = given('deadtime') ?? HEARTBEAT_DEFAULTS.deadtimeMs;
  const warntime = given('warntime') ?? Math.floor(deadtime / 2);
  const initdead = given('initdead') ?? heartbeatDefaultInitdead(deadtime);
  const remark = (key: 'keepalive' | 'warntime' | 'deadtime' | 'initdead', why: string): Timing['remark'] => (given(key) === undefined ? `not in ha.cf: Heartbeat's default, ${why}` : undefined);
  const entry = (ms: number, text: string | undefined): Timing => (text === undefined ? { ms } : { ms, remark: text });
  return [
    ['keepalive', entry(keepalive, remark('keepalive', '1s'))],
    ['warntime', entry(warntime, remark('warntime', 'half of deadtime'))],
    ['deadtime', entry(deadtime, remark('deadtime', '30s'))],
    ['initdead', entry(initdead, remark('initdead', 'from deadtime'))],
  ];
}

/**
 * A cluster id from the cluster name (FNV-1a, never 0): the same name always gives the same id,
 * so converting both nodes' ha.cf gives one cluster.
 */
export function clusterIdFor(name: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash === 0 ? 1 : hash;
}

function renderHeader(notes: readonly ImportNote[]): string {
  const lines = [
    "Heartline configuration converted from Heartbeat's ha.cf by `heartline import heartbeat`.",
    'Before installing it as /etc/heartline/heartline.yaml:',
    '  1. replace every "<fill in: ...>" value and check every line marked TODO;',
    '  2. read the conversion notes below;',
    '  3. run: heartline config check heartline.yaml',
  ];
  if (notes.length > 0) lines.push('', 'Conversion notes:', ...notes.map((note) => `  ${formatImportNote(note)}`));
  return `${lines.map((text) => (text === '' ? '#' : `# ${text}`)).join('\n')}\n\n`;
}

/**
 * What `config check` would still refuse once the placeholders are filled: the body is parsed
 * with a distinct sample address (100.64.0.0/10, shared address space, unlikely in a real
 * config) in each placeholder, and every issue that remains becomes a note.
 */
function selfCheck(body: string, placeholders: readonly ImportPlaceholder[]): ImportNote[] {
  let filled = body;
  placeholders.forEach((placeholder, index) => {
    const sample = `100.${64 + Math.floor(index / 250)}.${index % 250}.1`;
    filled = filled.replace(JSON.stringify(placeholder.token), placeholder.expects === 'ipv4-address-with-prefix' ? `${sample}/8` : sample);
  });
  const parsed = parseConfig(filled, 'heartline.yaml');
  if (parsed.ok) return [];
  return parsed.error.map((issue) => ({ source: 'heartline.yaml', directive: issue.path === '' ? '(file)' : issue.path, outcome: 'fails-check', message: `config check would refuse this: ${issue.message}` }));
}
