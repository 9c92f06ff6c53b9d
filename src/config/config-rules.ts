/**
 * The rules of heartline.yaml that span entries or sections: unique node names and ids, unique
 * link names, one multicast group per link, one address and port per link and node, every link
 * covering exactly the configured nodes, quorum settings that the nodes can satisfy, and the
 * order of the timing values.
 *
 * They run on whatever parts of the file passed the schema (`ConfigParts`), not only on a file
 * that passed whole, so that one broken entry does not hide the mistakes elsewhere. A rule that
 * needs a part that is broken is skipped; fixing that part brings it back.
 */
import type { LinkEntry, NodeEntry, QuorumSection, TimingSection } from './config-schema.js';
import { PROBING_DEADTIME_KEEPALIVES_MIN } from '../ha/membership/membership-config.js';
import { KEEPALIVE_MIN_MS } from './config-defaults.js';
import { formatDuration } from './duration.js';
import type { Millis } from '../lib/index.js';
import type { TimingSettings } from './heartline-config.js';
import { resolveQuorum, resolveTiming } from './resolve-config.js';
import type { PathIssue } from './schema-messages.js';

/** An entry of a list that passed the schema, with its index in the file. */
export interface IndexedEntry<T> {
  readonly index: number;
  readonly value: T;
}

/** A section that passed the schema (`value` undefined when the file leaves it out), or one that did not. */
export type CheckedSection<T> = { readonly valid: true; readonly value: T | undefined } | { readonly valid: false };

export interface ConfigParts {
  /** The node entries that passed; `complete` when every entry of the list did. */
  readonly nodes: { readonly entries: readonly IndexedEntry<NodeEntry>[]; readonly complete: boolean };
  readonly links: readonly IndexedEntry<LinkEntry>[];
  readonly quorum: CheckedSection<QuorumSection>;
  readonly timing: CheckedSection<TimingSection>;
}

/** Every rule violation found in `parts`, in no particular order. */
export function checkConfigRules(parts: ConfigParts): PathIssue[] {
  return [...checkUniqueNodes(parts), ...checkUniqueLinks(parts), ...checkLinkEnds(parts), ...checkQuorum(parts), ...checkTiming(parts)];
}

function issue(path: readonly PropertyKey[], message: string, target: 'key' | 'value' = 'value'): PathIssue {
  return { path, target, message };
}

function checkUniqueNodes({ nodes }: ConfigParts): PathIssue[] {
  const issues: PathIssue[] = [];
  const byName = new Map<string, number>();
  const byId = new Map<number, IndexedEntry<NodeEntry>>();
  for (const { index, value } of nodes.entries) {
    const sameName = byName.get(value.name);
    if (sameName !== undefined) issues.push(issue(['nodes', index, 'name'], `node name '${value.name}' is already used by nodes[${sameName}]: node names must be unique`));
    else byName.set(value.name, index);
    const sameId = byId.get(value.id);
    if (sameId !== undefined) issues.push(issue(['nodes', index, 'id'], `node id ${value.id} is already used by ${sameId.value.name} (nodes[${sameId.index}]): give every node its own id`));
    else byId.set(value.id, { index, value });
  }
  return issues;
}

function checkUniqueLinks({ links }: ConfigParts): PathIssue[] {
  const issues: PathIssue[] = [];
  const byName = new Map<string, number>();
  const byGroup = new Map<string, IndexedEntry<LinkEntry>>();
  const bySocket = new Map<string, IndexedEntry<LinkEntry>>();
  for (const entry of links) {
    const { index, value: link } = entry;
    const sameName = byName.get(link.name);
    if (sameName !== undefined) issues.push(issue(['links', index, 'name'], `link name '${link.name}' is already used by links[${sameName}]: link names must be unique`));
    else byName.set(link.name, index);
    if (link.kind === 'serial') continue;
    if (link.kind === 'udp-multicast') {
      const sameGroup = byGroup.get(link.group);
      if (sameGroup !== undefined) {
        issues.push(issue(['links', index, 'group'], `group ${link.group} is already used by link '${sameGroup.value.name}' (links[${sameGroup.index}]): give every multicast link its own group, or each link would also hear the other's frames and a broken link would look healthy`));
      } else {
        byGroup.set(link.group, entry);
      }
    }
    for (const [node, value] of Object.entries(link.addresses)) {
      const socket = `${node} ${value.address}:${link.port}`;
      const other = bySocket.get(socket);
      if (other !== undefined) {
        issues.push(issue(['links', index, 'addresses', node], `${node}'s address ${value.address} with port ${link.port} is already used by link '${other.value.name}' (links[${other.index}]): give each link its own address or port, or the two would receive each other's frames`));
      } else {
        bySocket.set(socket, entry);
      }
    }
  }
  return issues;
}

/** UDP links reach every configured node; serial links join two configured nodes. */
function checkLinkEnds({ nodes, links }: ConfigParts): PathIssue[] {
  // Without the whole node list, a name missing from it could be a node whose entry is broken.
  if (!nodes.complete) return [];
  const names = nodes.entries.map((entry) => entry.value.name);
  const known = new Set(names);
  const issues: PathIssue[] = [];
  for (const { index, value: link } of links) {
    const mapKey = link.kind === 'serial' ? 'devices' : 'addresses';
    const ends = Object.keys(link.kind === 'serial' ? link.devices : link.addresses);
    for (const end of ends) {
      if (!known.has(end)) issues.push(issue(['links', index, mapKey, end], `'${end}' is not a configured node (the nodes are ${names.join(', ')})`, 'key'));
    }
    if (link.kind === 'serial') continue;
    const missing = names.filter((name) => !ends.includes(name));
    if (missing.length > 0) {
      issues.push(issue(['links', index, 'addresses'], `no address for ${missing.join(', ')}: a ${link.kind} link needs every node's own address on it (e.g. ${missing[0] ?? 'beta'}: 10.213.1.2)`));
    }
  }
  return issues;
}

function checkQuorum({ nodes, quorum }: ConfigParts): PathIssue[] {
  if (!nodes.complete || !quorum.valid) return [];
  const entries = nodes.entries.map((entry) => entry.value);
  const section = quorum.value;
  const settings = resolveQuorum(section, entries);
  const totalVotes = entries.reduce((sum, node) => sum + node.votes, 0);
  const issues: PathIssue[] = [];
  if (totalVotes === 0 && entries.length > 0) issues.push(issue(['nodes'], 'every node has 0 votes: give at least one node a vote (votes: 1 is the default)'));
  if (section?.two_node === true && entries.length !== 2) {
    issues.push(issue(['quorum', 'two_node'], `two_node is for clusters of exactly two nodes, this one has ${entries.length}: remove it, and a majority of votes decides`));
  }
  if (settings.twoNode && entries.length === 2) {
    if (section?.expected_votes !== undefined && section.expected_votes !== 2) {
      issues.push(issue(['quorum', 'expected_votes'], `two_node mode counts one vote per node, so expected_votes is 2, not ${section.expected_votes}: remove it or set it to 2`));
    }
    for (const { index, value } of nodes.entries) {
      if (value.votes !== 1) issues.push(issue(['nodes', index, 'votes'], `in two_node mode each node has exactly one vote, ${value.name} has ${value.votes}: remove votes, or set two_node: false`));
    }
  } else if (section?.expected_votes !== undefined && totalVotes > 0) {
    const needed = Math.floor(section.expected_votes / 2) + 1;
    if (needed > totalVotes) {
      issues.push(issue(['quorum', 'expected_votes'], `with expected_votes ${section.expected_votes} a quorum needs ${needed} votes but all nodes together have ${totalVotes}: the cluster could never be quorate; use at most ${2 * totalVotes - 1}, or leave it out to use ${totalVotes}`));
    }
  }
  return issues;
}

type TimingKey = 'keepalive' | 'warntime' | 'deadtime' | 'initdead';

function checkTiming({ timing }: ConfigParts): PathIssue[] {
  if (!timing.valid) return [];
  const section = timing.value;
  const settings = resolveTiming(section);
  const ms = (key: TimingKey): number => settingOf(settings, key);
  const explicit = (key: TimingKey): boolean => section?.[key] !== undefined;
  const describe = (key: TimingKey): string => `${key} (${formatDuration(settingOf(settings, key))}${explicit(key) ? '' : ', the default'})`;
  const issues: PathIssue[] = [];
  if (explicit('keepalive') && ms('keepalive') < KEEPALIVE_MIN_MS) {
    issues.push(issue(['timing', 'keepalive'], `keepalive ${formatDuration(settings.keepaliveMs)} is too short: at least ${KEEPALIVE_MIN_MS}ms, below that a heartbeat is scheduling noise`));
  }
  // keepalive < warntime < deadtime <= initdead: report a broken pair at the later value when the
  // file sets it, else at the earlier one (the defaults are in order among themselves).
  const order: readonly (readonly [TimingKey, TimingKey, boolean])[] = [
    ['keepalive', 'warntime', true],
    ['warntime', 'deadtime', true],
    ['deadtime', 'initdead', false],
  ];
  for (const [earlier, later, strict] of order) {
    const inOrder = strict ? ms(earlier) < ms(later) : ms(earlier) <= ms(later);
    if (inOrder) continue;
    if (explicit(later)) issues.push(issue(['timing', later], `${describe(later)} must be ${strict ? 'longer than' : 'at least'} ${describe(earlier)}`));
    else issues.push(issue(['timing', earlier], `${describe(earlier)} must be ${strict ? 'shorter than' : 'at most'} ${describe(later)}: change it, or set ${later} too`));
  }
  if (ms('deadtime') < 2 * ms('keepalive')) {
    const at: TimingKey = explicit('deadtime') ? 'deadtime' : 'keepalive';
    issues.push(issue(['timing', at], `deadtime must be at least twice keepalive, so that one lost heartbeat never declares a peer dead: ${describe('deadtime')}, ${describe('keepalive')}`));
  }
  // An explicit probe interval; the default one is always valid (resolveTiming turns probing off
  // when deadtime is too short for it).
  const probe = section?.link_probe_interval;
  if (probe !== undefined) {
    if (probe < ms('keepalive')) {
      issues.push(issue(['timing', 'link_probe_interval'], `link_probe_interval (${formatDuration(probe)}) must be at least ${describe('keepalive')}; equal to keepalive, every link carries every heartbeat`));
    } else if (probe > ms('keepalive') && ms('deadtime') < PROBING_DEADTIME_KEEPALIVES_MIN * ms('keepalive')) {
      issues.push(issue(['timing', 'link_probe_interval'], `probing links needs deadtime at least ${PROBING_DEADTIME_KEEPALIVES_MIN} x keepalive (a node whose first link fails is heard on the others within 3 keepalives), got ${describe('deadtime')}, ${describe('keepalive')}: raise deadtime, or set link_probe_interval to keepalive`));
    }
  }
  return issues;
}

function settingOf(settings: TimingSettings, key: TimingKey): Millis {
  switch (key) {
    case 'keepalive':
      return settings.keepaliveMs;
    case 'warntime':
      return settings.warntimeMs;
    case 'deadtime':
      return settings.deadtimeMs;
    case 'initdead':
      return settings.initdeadMs;
  }
}
