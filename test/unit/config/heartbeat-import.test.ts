// importHeartbeat: Heartbeat's ha.cf and authkeys (written inline here) become heartline.yaml
// and a Heartline key file. Every directive is either converted or named in a note with the
// reason; the converted YAML passes parseConfig once its placeholders are filled in.
import { describe, expect, it } from 'vitest';
import { formatImportNote, importHeartbeat, parseConfig, type HeartbeatImport, type HeartbeatImportInput, type HeartlineConfig, type ImportNote } from '../../../src/config/index.js';
import { parseAuthKey } from '../../../src/links/auth-key.js';

function convert(input: HeartbeatImportInput): HeartbeatImport {
  const result = importHeartbeat(input);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

/** Fills every placeholder as a person would: one subnet per link, 192.168.LINK.0/24, a host number per node. */
function fillIn(result: HeartbeatImport): string {
  let yaml = result.yaml;
  const hostsPerLink = new Map<string, number>();
  for (const placeholder of result.placeholders) {
    const link = /^links\[(\d+)\]/.exec(placeholder.path)?.[1] ?? '99';
    const host = (hostsPerLink.get(link) ?? 10) + 1;
    hostsPerLink.set(link, host);
    const address = `192.168.${link}.${host}`;
    yaml = yaml.replace(JSON.stringify(placeholder.token), placeholder.expects === 'ipv4-address-with-prefix' ? `${address}/24` : address);
  }
  return yaml;
}

function parseFilled(result: HeartbeatImport): HeartlineConfig {
  const parsed = parseConfig(fillIn(result), 'converted.yaml');
  if (!parsed.ok) throw new Error(parsed.error.map((issue) => `${issue.path}: ${issue.message}`).join('\n'));
  return parsed.value;
}

function notesFor(result: HeartbeatImport, directive: string): ImportNote[] {
  return result.notes.filter((note) => note.directive === directive);
}

const FULL_HA_CF = `# /etc/ha.d/ha.cf of alpha: every directive the importer knows
logfacility     local0
logfile /var/log/ha-log
debugfile /var/log/ha-debug
use_logd no
keepalive 500ms
deadtime 10
warntime 5
initdead 30
udpport 695
bcast eth0 eth1          # two interfaces: two links
mcast eth2 225.0.0.1 694 1 0
ucast eth3 10.0.0.2
serial /dev/ttyS0
baud 38400
auto_failback on
node alpha
node beta
ping 10.0.0.254
respawn hacluster /usr/lib/heartbeat/ipfail
apiauth ipfail gid=haclient uid=hacluster
crm no
stonith_host * baytech 10.0.0.3 mylogin mysecretpassword
watchdog /dev/watchdog
`;

const SHA1_AUTHKEYS = 'auth 1\n1 sha1 ThisIsAVeryLongHeartbeatSecret\n2 crc\n';

describe('importHeartbeat: a full ha.cf', () => {
  const result = convert({ haCf: FULL_HA_CF, authkeys: SHA1_AUTHKEYS, nodeName: 'alpha' });

  it('converts timing, ports, every medium, the serial rate and the ping target', () => {
    const config = parseFilled(result);
    expect(config.cluster.name).toBe('linux-ha');
    expect(config.nodes.map((node) => node.name)).toEqual(['alpha', 'beta']);
    expect(config.timing).toEqual({ keepaliveMs: 500, warntimeMs: 5000, deadtimeMs: 10000, initdeadMs: 30000, linkProbeIntervalMs: 2500 });
    expect(config.links.map((link) => [link.name, link.kind])).toEqual([
      ['bcast-eth0', 'udp-broadcast'],
      ['bcast-eth1', 'udp-broadcast'],
      ['mcast-eth2', 'udp-multicast'],
      ['ucast-eth3', 'udp-unicast'],
      ['serial-ttys0', 'serial'],
    ]);
    expect(config.links[0]).toMatchObject({ port: 695 });
    expect(config.links[2]).toMatchObject({ port: 694, group: '225.0.0.1', ttl: 1 });
    expect(config.links[3]).toMatchObject({ port: 695, endpoints: [{ nodeName: 'alpha' }, { nodeName: 'beta', address: '10.0.0.2' }] });
    expect(config.links[4]).toMatchObject({ baud: 38400, endpoints: [{ device: '/dev/ttyS0' }, { device: '/dev/ttyS0' }] });
    expect(config.quorum.pingTargets).toEqual(['10.0.0.254']);
  });

  it('leaves placeholders marked TODO exactly where ha.cf does not know the address', () => {
    expect(result.placeholders.map((placeholder) => [placeholder.path, placeholder.expects])).toEqual([
      ['links[0].addresses.alpha', 'ipv4-address-with-prefix'],
      ['links[0].addresses.beta', 'ipv4-address-with-prefix'],
      ['links[1].addresses.alpha', 'ipv4-address-with-prefix'],
      ['links[1].addresses.beta', 'ipv4-address-with-prefix'],
      ['links[2].addresses.alpha', 'ipv4-address'],
      ['links[2].addresses.beta', 'ipv4-address'],
      ['links[3].addresses.alpha', 'ipv4-address'],
    ]);
    for (const placeholder of result.placeholders) {
      const line = result.yaml.split('\n').find((text) => text.includes(JSON.stringify(placeholder.token)));
      expect(line).toMatch(/# TODO$/);
    }
    expect(result.yaml).toContain("beta: /dev/ttyS0  # TODO: check: assumed the same device as on alpha");
  });

  it('names every directive it did not convert, with the reason', () => {
    const notConverted = result.notes.filter((note) => note.outcome === 'not-converted').map((note) => note.directive);
    expect(notConverted).toEqual(['logfacility', 'logfile', 'debugfile', 'use_logd', 'auto_failback', 'respawn', 'apiauth', 'crm', 'stonith_host', 'watchdog']);
    expect(notesFor(result, 'auto_failback')[0]?.message).toMatch(/policy engine's decision/);
    expect(notesFor(result, 'stonith_host')[0]).toMatchObject({ line: 23, message: expect.stringMatching(/configure fencing before relying on failover/) as unknown });
  });

  it('explains what a person has to fill in or check', () => {
    expect(notesFor(result, 'bcast').map((note) => note.outcome)).toEqual(['fill-in', 'fill-in']);
    expect(notesFor(result, 'ucast')[0]?.message).toMatch(/10.0.0.2 is beta's address \(ha.cf is alpha's\)/);
    expect(notesFor(result, 'serial')[0]?.message).toMatch(/beta's device is assumed to be the same: check it/);
  });

  it('writes the notes at the top of the YAML too, so that they travel with the file', () => {
    for (const note of result.notes) expect(result.yaml).toContain(`#   ${formatImportNote(note)}`);
    expect(result.notes.some((note) => note.outcome === 'fails-check')).toBe(false);
  });

  it('converts the sha1 key to a Heartline key file and refuses the crc key', () => {
    const keyFile = result.authkeys?.keyFileText;
    expect(keyFile).toBeDefined();
    const parsed = parseAuthKey(keyFile ?? '', 'authkey');
    expect(parsed.ok && parsed.value.activeKeyId).toBe(1);
    expect(parsed.ok && Buffer.from(parsed.value.keys[0]?.secret ?? []).toString('utf8')).toBe('ThisIsAVeryLongHeartbeatSecret');
    expect(result.notes.find((note) => note.source === 'authkeys' && note.directive === 'key 2')).toMatchObject({ outcome: 'refused', line: 3, message: expect.stringMatching(/crc.*authenticates nothing/) as unknown });
  });
});

describe('importHeartbeat: timing', () => {
  const media = 'node alpha beta\nbcast eth0\n';

  it.each([
    ['no timing at all: Heartbeat\'s defaults', '', { keepaliveMs: 1000, warntimeMs: 15000, deadtimeMs: 30000, initdeadMs: 30000, linkProbeIntervalMs: 5000 }],
    ['a short deadtime: initdead 12s', 'keepalive 1\ndeadtime 5\n', { keepaliveMs: 1000, warntimeMs: 2500, deadtimeMs: 5000, initdeadMs: 12000, linkProbeIntervalMs: 5000 }],
    ['a medium deadtime: initdead twice deadtime', 'keepalive 1\ndeadtime 8\n', { keepaliveMs: 1000, warntimeMs: 4000, deadtimeMs: 8000, initdeadMs: 16000, linkProbeIntervalMs: 5000 }],
    ['ms, us and fractions of seconds', 'keepalive 200ms\nwarntime 0.5\ndeadtime 1500000us\ninitdead 20\n', { keepaliveMs: 200, warntimeMs: 500, deadtimeMs: 1500, initdeadMs: 20000, linkProbeIntervalMs: 1000 }],
  ])('%s', (_name, timing, expected) => {
    const result = convert({ haCf: `${timing}${media}` });
    expect(parseFilled(result).timing).toEqual(expected);
  });

  it("marks values taken from Heartbeat's defaults in the YAML", () => {
    const result = convert({ haCf: `deadtime 20\n${media}` });
    expect(result.yaml).toMatch(/keepalive: 1s {2}# not in ha.cf: Heartbeat's default, 1s/);
    expect(result.yaml).toMatch(/warntime: 10s {2}# not in ha.cf: Heartbeat's default, half of deadtime/);
    expect(result.yaml).toMatch(/deadtime: 20s\n/);
  });

  it('says so when the converted timing breaks a Heartline rule', () => {
    const result = convert({ haCf: `keepalive 2\nwarntime 30\ndeadtime 30\n${media}` });
    expect(result.notes.filter((note) => note.outcome === 'fails-check')).toEqual([
      { source: 'heartline.yaml', directive: 'timing.deadtime', outcome: 'fails-check', message: expect.stringMatching(/deadtime \(30s\) must be longer than warntime \(30s\)/) as unknown },
    ]);
  });

  it('notes a time it cannot read and uses the default', () => {
    const result = convert({ haCf: `deadtime soon\n${media}` });
    expect(notesFor(result, 'deadtime')[0]).toMatchObject({ outcome: 'not-converted', line: 1, message: expect.stringMatching(/'soon' is not a Heartbeat time/) as unknown });
    expect(parseFilled(result).timing.deadtimeMs).toBe(30000);
  });
});

describe('importHeartbeat: media', () => {
  it('applies udpport only to the bcast and ucast lines after it, as Heartbeat reads ha.cf in order', () => {
    const result = convert({ haCf: 'node a b\nbcast eth0\nudpport 700\nbcast eth1\n' });
    expect(parseFilled(result).links.map((link) => (link.kind === 'serial' ? 0 : link.port))).toEqual([694, 700]);
    const late = convert({ haCf: 'node a b\nbcast eth0\nudpport 700\n' });
    expect(notesFor(late, 'udpport')[0]).toMatchObject({ outcome: 'not-converted', message: expect.stringMatching(/comes after every bcast and ucast line/) as unknown });
  });

  it('without --node, leaves both ucast addresses to fill in and says how to place them', () => {
    const result = convert({ haCf: 'node alpha beta\nucast eth1 10.0.0.2\n' });
    expect(result.placeholders.map((placeholder) => placeholder.path)).toEqual(['links[0].addresses.alpha', 'links[0].addresses.beta']);
    expect(notesFor(result, 'ucast')[0]?.message).toMatch(/rerun with --node NAME/);
    expect(parseFilled(result).links[0]?.kind).toBe('udp-unicast');
  });

  it('groups the ucast lines of one device into one link, and cannot tell whose two addresses are', () => {
    const result = convert({ haCf: 'node alpha beta\nucast eth1 10.0.0.1\nucast eth1 10.0.0.2\nucast eth2 10.0.1.2\n', nodeName: 'beta' });
    const config = parseFilled(result);
    expect(config.links.map((link) => link.name)).toEqual(['ucast-eth1', 'ucast-eth2']);
    expect(result.yaml).toContain('ha.cf lists 10.0.0.1, 10.0.0.2 as peer addresses');
    expect(config.links[1]).toMatchObject({ endpoints: [{ nodeName: 'alpha', address: '10.0.1.2' }, { nodeName: 'beta' }] });
  });

  it('converts mcast fields, explains loop and TTL 0, and refuses a group outside 224.0.0.0/4', () => {
    const result = convert({ haCf: 'node a b\nmcast eth0 239.1.1.1 700 0 1\nmcast eth1 10.1.1.1 694 1 0\nmcast eth2 239.1.1.2 694\n' });
    expect(parseFilled(result).links).toEqual([expect.objectContaining({ kind: 'udp-multicast', group: '239.1.1.1', port: 700, ttl: 1 })]);
    const messages = notesFor(result, 'mcast').map((note) => `${note.line} ${note.outcome}: ${note.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^2 converted: TTL 0 keeps frames on the sending host/),
      expect.stringMatching(/^2 converted: loop 1 is not converted: Heartline never needs its own frames back/),
      expect.stringMatching(/^2 fill-in: /),
      expect.stringMatching(/^3 not-converted: '10.1.1.1' is not an IPv4 multicast group/),
      expect.stringMatching(/^4 not-converted: expected 'mcast DEVICE GROUP PORT TTL LOOP'/),
    ]);
  });

  it('converts serial links for two nodes only, with Heartbeat\'s default rate when ha.cf has none', () => {
    const two = convert({ haCf: 'node a b\nserial /dev/ttyS0 /dev/ttyS1\n' });
    expect(parseFilled(two).links).toEqual([expect.objectContaining({ name: 'serial-ttys0', baud: 19200 }), expect.objectContaining({ name: 'serial-ttys1', baud: 19200 })]);
    const three = convert({ haCf: 'node a b c\nserial /dev/ttyS0\nbcast eth0\nbaud 19200\n' });
    expect(notesFor(three, 'serial')[0]).toMatchObject({ outcome: 'not-converted', message: expect.stringMatching(/exactly two nodes and ha.cf has 3/) as unknown });
    expect(notesFor(three, 'baud')[0]).toMatchObject({ outcome: 'not-converted', message: expect.stringMatching(/no serial link was converted/) as unknown });
  });

  it("converts 'udp' as bcast, ping_group members as ping targets, and refuses host names", () => {
    const result = convert({ haCf: 'node a b\nudp eth0\nping_group routers 10.0.0.1 10.0.0.2\nping gateway.example 10.0.0.1\n' });
    const config = parseFilled(result);
    expect(config.links[0]?.kind).toBe('udp-broadcast');
    expect(config.quorum.pingTargets).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(notesFor(result, 'ping')[0]?.message).toMatch(/'gateway.example' is not an IPv4 address/);
  });
});

describe('importHeartbeat: nodes, cluster and unknown directives', () => {
  it('lowercases node names as Heartbeat did, keeps one of a duplicate, and numbers them in order', () => {
    const result = convert({ haCf: 'node Alpha\nnode beta alpha\nbcast eth0\n' });
    expect(parseFilled(result).nodes).toEqual([
      { name: 'alpha', id: 1, votes: 1 },
      { name: 'beta', id: 2, votes: 1 },
    ]);
    expect(notesFor(result, 'node').map((note) => note.message)).toEqual([expect.stringMatching(/'Alpha' is written as 'alpha'/), expect.stringMatching(/listed twice/)]);
  });

  it('takes the cluster name from ha.cf and derives the same id from the same name', () => {
    const one = parseFilled(convert({ haCf: 'cluster shop-db\nnode a b\nbcast eth0\n' }));
    const two = parseFilled(convert({ haCf: 'node b a\ncluster shop-db\nmcast eth0 239.0.0.1 694 1 0\n' }));
    expect(one.cluster.name).toBe('shop-db');
    expect(one.cluster.id).toBe(two.cluster.id);
  });

  it.each(['hopfudge 1', 'realtime on', 'coredumps true', 'compression bz2', 'autojoin any', 'deadping 30', 'msgfmt netstring', 'frobnicate 3'])('names %j with a reason', (line) => {
    const result = convert({ haCf: `node a b\nbcast eth0\n${line}\n` });
    const note = result.notes.find((candidate) => candidate.line === 3);
    expect(note).toMatchObject({ source: 'ha.cf', outcome: 'not-converted', directive: line.split(' ')[0] });
    expect(note?.message.length).toBeGreaterThan(20);
  });

  it.each([
    ['no nodes', { haCf: 'bcast eth0\n' }, /names no nodes/],
    ['no media', { haCf: 'node a b\nkeepalive 1\n' }, /no heartbeat media/],
    ['an unknown --node', { haCf: 'node a b\nbcast eth0\n', nodeName: 'c' }, /--node c is not one of ha.cf's nodes \(a, b\)/],
  ])('refuses %s', (_name, input, message) => {
    const result = importHeartbeat(input);
    expect(result.ok === false && result.error).toMatch(message);
  });
});

describe('importHeartbeat: authkeys', () => {
  const haCf = 'node a b\nbcast eth0\n';

  it.each([
    ['an active crc key', 'auth 1\n1 crc\n', /key 1 uses crc/],
    ['a secret shorter than 16 bytes', 'auth 1\n1 md5 short\n', /key 1's secret is 5 bytes/],
    ['no auth line', '1 sha1 ThisIsAVeryLongHeartbeatSecret\n', /no 'auth N' line/],
  ])('writes no key file for %s, and says why', (_name, authkeys, message) => {
    const result = convert({ haCf, authkeys });
    expect(result.authkeys?.keyFileText).toBeUndefined();
    expect(result.notes.filter((note) => note.source === 'authkeys').map((note) => note.message).join('\n')).toMatch(message);
  });

  it('keeps every convertible key and the active one', () => {
    const result = convert({ haCf, authkeys: '# keys\nauth 3\n1 md5 AnOldButLongEnoughSecret\n3 sha1 TheCurrentLongSecretValue\n' });
    expect(result.authkeys).toMatchObject({ keyIds: [1, 3], activeKeyId: 3 });
    const parsed = parseAuthKey(result.authkeys?.keyFileText ?? '', 'authkey');
    expect(parsed.ok && parsed.value.keys.map((key) => key.id)).toEqual([1, 3]);
  });

  it('notes a missing authkeys file', () => {
    const result = convert({ haCf });
    expect(result.authkeys).toBeUndefined();
    expect(result.notes.find((note) => note.source === 'authkeys')?.message).toMatch(/no authkeys file/);
  });
});
