// parseConfig, table-driven: valid files parse into a complete HeartlineConfig with every default
// filled in; each validation rule is broken alone in an otherwise valid file and must be reported
// with the exact path and line (the line is marked `# <-` in the case's YAML); several mistakes
// in one file are all reported, sorted top to bottom; YAML syntax errors carry their position.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatConfigIssue, parseConfig, type ConfigIssue, type HeartlineConfig } from '../../../src/config/index.js';

interface Sections {
  readonly cluster?: string;
  readonly nodes?: string;
  readonly links?: string;
  readonly quorum?: string;
  readonly timing?: string;
  readonly extra?: string;
}

const BASE: Required<Omit<Sections, 'quorum' | 'timing' | 'extra'>> = {
  cluster: 'cluster: { name: c1, id: 7 }',
  nodes: 'nodes:\n  - { name: alpha, id: 1 }\n  - { name: beta, id: 2 }',
  links: 'links:\n  - name: cross\n    kind: udp-unicast\n    addresses: { alpha: 10.0.0.1, beta: 10.0.0.2 }',
};

/** A configuration file: the base sections, with the given ones replaced or added. */
function yamlOf(sections: Sections): string {
  const merged = { ...BASE, ...sections };
  return [merged.cluster, merged.nodes, merged.links, merged.quorum, merged.timing, merged.extra].filter((part) => part !== undefined && part !== '').join('\n') + '\n';
}

function parseOk(text: string): HeartlineConfig {
  const result = parseConfig(text, 'test.yaml');
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.error.map(formatConfigIssue).join('\n')}`);
  return result.value;
}

function parseIssues(text: string): ConfigIssue[] {
  const result = parseConfig(text, 'test.yaml');
  if (result.ok) throw new Error('expected issues, the config was accepted');
  return result.error;
}

function markedLine(text: string): number {
  const index = text.split('\n').findIndex((line) => line.includes('# <-'));
  if (index < 0) throw new Error('the case has no `# <-` marker');
  return index + 1;
}

const THREE_NODES = 'nodes:\n  - { name: alpha, id: 1 }\n  - { name: beta, id: 2 }\n  - { name: gamma, id: 3 }';
const THREE_NODE_LINK = 'links:\n  - name: cross\n    kind: udp-unicast\n    addresses: { alpha: 10.0.0.1, beta: 10.0.0.2, gamma: 10.0.0.3 }';

describe('parseConfig: valid files', () => {
  it('accepts docs/examples/heartline.yaml (two nodes, all four link kinds)', () => {
    const config = parseOk(readFileSync(new URL('../../../docs/examples/heartline.yaml', import.meta.url), 'utf8'));
    expect(config.cluster).toEqual({ name: 'appliance-01', id: 4242, authkeyPath: '/etc/heartline/authkey', encryption: false });
    expect(config.links.map((link) => link.kind)).toEqual(['udp-unicast', 'udp-broadcast', 'udp-multicast', 'serial']);
    expect(config.quorum).toEqual({ expectedVotes: 2, twoNode: true, waitForAll: true, pingTargets: ['10.213.2.254'] });
    expect(config.timing).toEqual({ keepaliveMs: 100, warntimeMs: 300, deadtimeMs: 500, initdeadMs: 2000, linkProbeIntervalMs: 500 });
  });

  it.each([
    ['the minimal file', yamlOf({})],
    ['a single node', yamlOf({ nodes: 'nodes:\n  - { name: alpha, id: 1 }', links: 'links:\n  - { name: lo, kind: udp-unicast, addresses: { alpha: 127.0.0.1 } }' })],
    ['three nodes with a serial cable between two of them', yamlOf({ nodes: THREE_NODES, links: `${THREE_NODE_LINK}\n  - { name: serial0, kind: serial, devices: { alpha: /dev/ttyS0, gamma: /dev/ttyUSB0 } }` })],
    ['dotted node names', yamlOf({ nodes: 'nodes:\n  - { name: alpha.example, id: 1 }\n  - { name: beta.example, id: 2 }', links: 'links:\n  - { name: x, kind: udp-unicast, addresses: { alpha.example: 10.0.0.1, beta.example: 10.0.0.2 } }' })],
    ['durations as numbers and as text', yamlOf({ timing: "timing: { keepalive: 50, warntime: '150ms', deadtime: 0.4s, initdead: 1.5s }" })],
    ['an explicit quorum for three nodes', yamlOf({ nodes: THREE_NODES, links: THREE_NODE_LINK, quorum: 'quorum: { expected_votes: 3, two_node: false, wait_for_all: true, ping_targets: [10.0.0.254, 10.0.1.254] }' })],
    ['YAML anchors and aliases', yamlOf({ links: 'links:\n  - name: a\n    kind: udp-unicast\n    port: &p 700\n    addresses: { alpha: 10.0.0.1, beta: 10.0.0.2 }\n  - name: b\n    kind: udp-unicast\n    port: *p\n    addresses: { alpha: 10.0.1.1, beta: 10.0.1.2 }' })],
  ])('accepts %s', (_name, text) => {
    expect(() => parseOk(text)).not.toThrow();
  });
});

describe('parseConfig: fencing', () => {
  it('is absent unless configured, and takes a 60 s timeout by default', () => {
    expect(parseOk(yamlOf({})).fencing).toBeUndefined();
    expect(parseOk(yamlOf({ extra: 'fencing:\n  command: /usr/local/sbin/fence-node' })).fencing).toEqual({ kind: 'command', command: '/usr/local/sbin/fence-node', timeoutMs: 60_000 });
    expect(parseOk(yamlOf({ extra: 'fencing: { command: /x, timeout: 5s }' })).fencing).toEqual({ kind: 'command', command: '/x', timeoutMs: 5000 });
    expect(parseOk(yamlOf({ extra: 'fencing: { profile: heartline-testbed }' })).fencing).toEqual({ kind: 'devices', profile: 'heartline-testbed', cib: false });
    expect(parseOk(yamlOf({ extra: 'fencing: { cib: true }' })).fencing).toEqual({ kind: 'devices', cib: true });
    expect(parseOk(yamlOf({ extra: 'fencing: { cib: true, profile: heartline-testbed }' })).fencing).toEqual({ kind: 'devices', profile: 'heartline-testbed', cib: true });
    expect(parseOk(yamlOf({ extra: 'fencing: { profile: generic-2node-ipmi, profile_dirs: [/etc/hw], secrets_dir: /etc/s, history: /var/h.sqlite }' })).fencing).toEqual({
      kind: 'devices',
      cib: false,
      profile: 'generic-2node-ipmi',
      profileDirs: ['/etc/hw'],
      secretsDir: '/etc/s',
      historyPath: '/var/h.sqlite',
    });
  });
});

describe('parseConfig: metrics', () => {
  it('is off without the section, on with it (loopback port 9664 by default), off again with enabled: false', () => {
    expect(parseOk(yamlOf({})).metrics).toBeUndefined();
    expect(parseOk(yamlOf({ extra: 'metrics: {}' })).metrics).toEqual({ host: '127.0.0.1', port: 9664 });
    expect(parseOk(yamlOf({ extra: 'metrics:\n  listen: 0.0.0.0:9100' })).metrics).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(parseOk(yamlOf({ extra: 'metrics:\n  enabled: false\n  listen: 0.0.0.0:9100' })).metrics).toBeUndefined();
    expect(parseOk(yamlOf({ extra: 'metrics:\n  enabled: true' })).metrics).toEqual({ host: '127.0.0.1', port: 9664 });
  });
});

describe('parseConfig: cluster.encryption', () => {
  it('is off by default and on when asked', () => {
    expect(parseOk(yamlOf({})).cluster.encryption).toBe(false);
    expect(parseOk(yamlOf({ cluster: 'cluster: { name: c1, id: 7, encryption: true }' })).cluster.encryption).toBe(true);
  });

  it('refuses a value that is not a boolean, naming the path', () => {
    const issues = parseIssues(yamlOf({ cluster: 'cluster: { name: c1, id: 7, encryption: maybe }' }));
    expect(issues.map((issue) => issue.path)).toEqual(['cluster.encryption']);
    expect(issues[0]?.message).toContain('true or false');
  });
});

describe('parseConfig: defaults', () => {
  it('fills in every default of a minimal two-node file', () => {
    const config = parseOk(yamlOf({}));
    expect(config.cluster.authkeyPath).toBe('/etc/heartline/authkey');
    expect(config.nodes).toEqual([
      { name: 'alpha', id: 1, votes: 1 },
      { name: 'beta', id: 2, votes: 1 },
    ]);
    expect(config.links).toEqual([
      {
        kind: 'udp-unicast',
        name: 'cross',
        port: 694,
        endpoints: [
          { nodeId: 1, nodeName: 'alpha', address: '10.0.0.1' },
          { nodeId: 2, nodeName: 'beta', address: '10.0.0.2' },
        ],
      },
    ]);
    expect(config.quorum).toEqual({ expectedVotes: 2, twoNode: true, waitForAll: true, pingTargets: [] });
    expect(config.timing).toEqual({ keepaliveMs: 100, warntimeMs: 300, deadtimeMs: 500, initdeadMs: 2000, linkProbeIntervalMs: 500 });
  });

  it('uses majority quorum without wait_for_all for three nodes, and the sum of the votes', () => {
    const config = parseOk(yamlOf({ nodes: 'nodes:\n  - { name: alpha, id: 1, votes: 2 }\n  - { name: beta, id: 2 }\n  - { name: gamma, id: 3 }', links: THREE_NODE_LINK }));
    expect(config.quorum).toEqual({ expectedVotes: 4, twoNode: false, waitForAll: false, pingTargets: [] });
  });

  it('keeps wait_for_all off in two-node mode when the file says so', () => {
    expect(parseOk(yamlOf({ quorum: 'quorum: { wait_for_all: false }' })).quorum).toMatchObject({ twoNode: true, waitForAll: false });
  });

  it('fills in multicast ttl 1, serial baud 115200, and derives a broadcast address from a prefix', () => {
    const config = parseOk(
      yamlOf({
        links:
          'links:\n' +
          '  - { name: m, kind: udp-multicast, group: 239.1.1.1, addresses: { alpha: 10.0.3.1, beta: 10.0.3.2 } }\n' +
          '  - { name: s, kind: serial, devices: { alpha: /dev/ttyS0, beta: /dev/ttyS1 } }\n' +
          '  - { name: b, kind: udp-broadcast, addresses: { alpha: 10.0.4.1/23, beta: 10.0.5.2/23 } }',
      }),
    );
    expect(config.links[0]).toMatchObject({ kind: 'udp-multicast', ttl: 1, port: 694 });
    expect(config.links[1]).toMatchObject({ kind: 'serial', baud: 115200, endpoints: [{ nodeName: 'alpha', device: '/dev/ttyS0' }, { nodeName: 'beta', device: '/dev/ttyS1' }] });
    expect(config.links[2]).toMatchObject({ kind: 'udp-broadcast', broadcastAddress: '10.0.5.255', endpoints: [{ address: '10.0.4.1', prefixLength: 23 }, { address: '10.0.5.2', prefixLength: 23 }] });
  });

  it('probes links every five keepalives by default, and not at all when deadtime is under four keepalives', () => {
    expect(parseOk(yamlOf({ timing: 'timing: { keepalive: 200ms, warntime: 400ms, deadtime: 1s, initdead: 4s }' })).timing.linkProbeIntervalMs).toBe(1000);
    expect(parseOk(yamlOf({ timing: 'timing: { warntime: 200ms, deadtime: 300ms }' })).timing.linkProbeIntervalMs).toBe(100);
    expect(parseOk(yamlOf({ timing: 'timing: { link_probe_interval: 100ms, warntime: 200ms, deadtime: 300ms }' })).timing.linkProbeIntervalMs).toBe(100);
    expect(parseOk(yamlOf({ timing: 'timing: { link_probe_interval: 2s }' })).timing.linkProbeIntervalMs).toBe(2000);
  });

  it('fills in each missing timing value independently', () => {
    expect(parseOk(yamlOf({ timing: 'timing: { initdead: 10s }' })).timing).toEqual({ keepaliveMs: 100, warntimeMs: 300, deadtimeMs: 500, initdeadMs: 10000, linkProbeIntervalMs: 500 });
  });
});

interface RuleCase {
  readonly rule: string;
  readonly text: string;
  readonly path: string;
  readonly message: RegExp;
}

const RULES: readonly RuleCase[] = [
  // cluster
  { rule: 'the cluster section is required', text: `${BASE.nodes}\n${BASE.links}\n`, path: 'cluster', message: /required key 'cluster' is missing/ },
  { rule: 'cluster names are hostname-like', text: yamlOf({ cluster: 'cluster: { name: My_Cluster, id: 7 }  # <-' }), path: 'cluster.name', message: /'My_Cluster' is not a valid cluster name/ },
  { rule: 'the cluster id is not 0', text: yamlOf({ cluster: 'cluster: { name: c1, id: 0 }  # <-' }), path: 'cluster.id', message: /from 1 to 4294967295/ },
  { rule: 'the cluster id fits in 32 bits', text: yamlOf({ cluster: 'cluster: { name: c1, id: 4294967296 }  # <-' }), path: 'cluster.id', message: /does not fit in 32 bits/ },
  { rule: 'the cluster id is a whole number', text: yamlOf({ cluster: 'cluster: { name: c1, id: 1.5 }  # <-' }), path: 'cluster.id', message: /expected a whole number, got the number 1.5/ },
  { rule: 'the authkey path is absolute', text: yamlOf({ cluster: 'cluster: { name: c1, id: 7, authkey: etc/authkey }  # <-' }), path: 'cluster.authkey', message: /not an absolute path/ },
  // nodes
  { rule: 'at least one node', text: yamlOf({ nodes: 'nodes: []  # <-', links: 'links:\n  - { name: x, kind: udp-unicast, addresses: {} }' }), path: 'nodes', message: /at least one node/ },
  { rule: 'node names are unique', text: yamlOf({ nodes: 'nodes:\n  - { name: alpha, id: 1 }\n  - { name: alpha, id: 2 }  # <-', links: 'links:\n  - { name: x, kind: udp-unicast, addresses: { alpha: 10.0.0.1 } }' }), path: 'nodes[1].name', message: /'alpha' is already used by nodes\[0\]/ },
  { rule: 'node ids are unique', text: yamlOf({ nodes: 'nodes:\n  - { name: alpha, id: 1 }\n  - { name: beta, id: 1 }  # <-' }), path: 'nodes[1].id', message: /node id 1 is already used by alpha/ },
  { rule: 'node ids are 1..65535', text: yamlOf({ nodes: 'nodes:\n  - { name: alpha, id: 65536 }  # <-\n  - { name: beta, id: 2 }' }), path: 'nodes[0].id', message: /node ids are 1 to 65535/ },
  { rule: 'node names are hostname-like', text: yamlOf({ nodes: 'nodes:\n  - { name: Alpha_1, id: 1 }  # <-\n  - { name: beta, id: 2 }' }), path: 'nodes[0].name', message: /'Alpha_1' is not a valid node name/ },
  { rule: 'nodes have no unknown keys', text: yamlOf({ nodes: 'nodes:\n  - { name: alpha, id: 1, vots: 2 }  # <-\n  - { name: beta, id: 2 }' }), path: 'nodes[0].vots', message: /unknown key 'vots'; did you mean 'votes'\?/ },
  { rule: 'every node has an id', text: yamlOf({ nodes: 'nodes:\n  - { name: alpha, id: 1 }\n  - { name: beta }  # <-' }), path: 'nodes[1].id', message: /required key 'id' is missing/ },
  { rule: 'at most 16 nodes', text: yamlOf({ nodes: `nodes:  # <-\n${Array.from({ length: 17 }, (_, i) => `  - { name: n${i + 1}, id: ${i + 1} }`).join('\n')}`, links: 'links:\n  - { name: s, kind: serial, devices: { n1: /dev/ttyS0, n2: /dev/ttyS0 } }' }), path: 'nodes', message: /at most 16 nodes/ },
  // links
  { rule: 'at least one link', text: yamlOf({ links: 'links: []  # <-' }), path: 'links', message: /at least one heartbeat link/ },
  { rule: 'link kinds are known', text: yamlOf({ links: 'links:\n  - name: x\n    kind: udp-anycast  # <-\n    addresses: { alpha: 10.0.0.1, beta: 10.0.0.2 }' }), path: 'links[0].kind', message: /unknown kind 'udp-anycast': use one of udp-unicast, udp-broadcast, udp-multicast, serial/ },
  { rule: 'link names are unique', text: yamlOf({ links: `${BASE.links}\n  - name: cross  # <-\n    kind: udp-unicast\n    port: 695\n    addresses: { alpha: 10.0.0.1, beta: 10.0.0.2 }` }), path: 'links[1].name', message: /link name 'cross' is already used by links\[0\]/ },
  { rule: 'link names are short lowercase words', text: yamlOf({ links: 'links:\n  - name: Cross Over  # <-\n    kind: udp-unicast\n    addresses: { alpha: 10.0.0.1, beta: 10.0.0.2 }' }), path: 'links[0].name', message: /not a valid link name/ },
  { rule: 'ports are 1..65535', text: yamlOf({ links: 'links:\n  - name: x\n    kind: udp-unicast\n    port: 70000  # <-\n    addresses: { alpha: 10.0.0.1, beta: 10.0.0.2 }' }), path: 'links[0].port', message: /at most 65535, got the number 70000/ },
  { rule: 'a link has an address for every node', text: yamlOf({ links: 'links:\n  - name: x\n    kind: udp-unicast\n    addresses: { alpha: 10.0.0.1 }  # <-' }), path: 'links[0].addresses', message: /no address for beta/ },
  { rule: 'a link has addresses only for configured nodes', text: yamlOf({ links: 'links:\n  - name: x\n    kind: udp-unicast\n    addresses:\n      alpha: 10.0.0.1\n      beta: 10.0.0.2\n      gamma: 10.0.0.3  # <-' }), path: 'links[0].addresses.gamma', message: /'gamma' is not a configured node \(the nodes are alpha, beta\)/ },
  { rule: 'addresses are IPv4', text: yamlOf({ links: 'links:\n  - name: x\n    kind: udp-unicast\n    addresses:\n      alpha: 10.0.0.1\n      beta: 10.0.0.256  # <-' }), path: 'links[0].addresses.beta', message: /'10.0.0.256' is not an IPv4 address/ },
  { rule: 'addresses are text, not numbers', text: yamlOf({ links: 'links:\n  - name: x\n    kind: udp-unicast\n    addresses:\n      alpha: 10.0.0.1\n      beta: 10.2  # <-' }), path: 'links[0].addresses.beta', message: /expected text, got the number 10.2/ },
  { rule: 'placeholders left by the importer are named as such', text: yamlOf({ links: "links:\n  - name: x\n    kind: udp-unicast\n    addresses:\n      alpha: 10.0.0.1\n      beta: \"<fill in: beta's IPv4 address on eth1>\"  # <-" }), path: 'links[0].addresses.beta', message: /still the placeholder .* left by `heartline import heartbeat`/ },
  { rule: 'two nodes do not share an address on a link', text: yamlOf({ links: 'links:\n  - name: x\n    kind: udp-unicast\n    addresses:\n      alpha: 10.0.0.1\n      beta: 10.0.0.1  # <-' }), path: 'links[0].addresses.beta', message: /beta has the same address as alpha/ },
  { rule: 'two links of a node do not share an address and port', text: yamlOf({ links: `${BASE.links}\n  - name: other\n    kind: udp-unicast\n    addresses:\n      alpha: 10.0.0.1  # <-\n      beta: 10.0.9.2` }), path: 'links[1].addresses.alpha', message: /already used by link 'cross'/ },
  { rule: 'a broadcast link has a broadcast address or prefixed addresses', text: yamlOf({ links: 'links:\n  - name: lan  # <-\n    kind: udp-broadcast\n    addresses: { alpha: 10.0.2.1, beta: 10.0.2.2 }' }), path: 'links[0].broadcast', message: /missing: set broadcast/ },
  { rule: 'the broadcast address is in the subnet', text: yamlOf({ links: 'links:\n  - name: lan\n    kind: udp-broadcast\n    addresses: { alpha: 10.0.2.1/24, beta: 10.0.2.2/24 }\n    broadcast: 10.0.3.255  # <-' }), path: 'links[0].broadcast', message: /10.0.3.255 is not in alpha's subnet 10.0.2.1\/24/ },
  { rule: 'the nodes of a derived broadcast share a subnet', text: yamlOf({ links: 'links:\n  - name: lan\n    kind: udp-broadcast\n    addresses:\n      alpha: 10.0.2.1/24\n      beta: 10.0.5.2/24  # <-' }), path: 'links[0].addresses.beta', message: /beta's subnet 10.0.5.2\/24 is not alpha's/ },
  { rule: 'the broadcast address is not a multicast group', text: yamlOf({ links: 'links:\n  - name: lan\n    kind: udp-broadcast\n    addresses: { alpha: 10.0.2.1, beta: 10.0.2.2 }\n    broadcast: 239.1.1.1  # <-' }), path: 'links[0].broadcast', message: /is a multicast address/ },
  { rule: 'the multicast group is in 224.0.0.0/4', text: yamlOf({ links: 'links:\n  - name: m\n    kind: udp-multicast\n    group: 10.1.1.1  # <-\n    addresses: { alpha: 10.0.0.1, beta: 10.0.0.2 }' }), path: 'links[0].group', message: /not a multicast group/ },
  { rule: 'multicast groups are unique per link', text: yamlOf({ links: 'links:\n  - { name: m1, kind: udp-multicast, group: 239.1.1.1, addresses: { alpha: 10.0.0.1, beta: 10.0.0.2 } }\n  - { name: m2, kind: udp-multicast, group: 239.1.1.1, addresses: { alpha: 10.0.1.1, beta: 10.0.1.2 } }  # <-' }), path: 'links[1].group', message: /group 239.1.1.1 is already used by link 'm1'/ },
  { rule: 'multicast ttl is 1..255', text: yamlOf({ links: 'links:\n  - name: m\n    kind: udp-multicast\n    group: 239.1.1.1\n    ttl: 0  # <-\n    addresses: { alpha: 10.0.0.1, beta: 10.0.0.2 }' }), path: 'links[0].ttl', message: /at least 1/ },
  { rule: 'a serial link joins exactly two nodes', text: yamlOf({ nodes: THREE_NODES, links: `${THREE_NODE_LINK}\n  - name: s\n    kind: serial\n    devices: { alpha: /dev/ttyS0, beta: /dev/ttyS0, gamma: /dev/ttyS0 }  # <-` }), path: 'links[1].devices', message: /exactly two nodes .* names 3: alpha, beta, gamma/ },
  { rule: 'serial devices are device paths', text: yamlOf({ links: 'links:\n  - name: s\n    kind: serial\n    devices:\n      alpha: ttyS0  # <-\n      beta: /dev/ttyS0' }), path: 'links[0].devices.alpha', message: /'ttyS0' is not a device path/ },
  { rule: 'serial baud rates are standard', text: yamlOf({ links: 'links:\n  - name: s\n    kind: serial\n    baud: 12345  # <-\n    devices: { alpha: /dev/ttyS0, beta: /dev/ttyS0 }' }), path: 'links[0].baud', message: /12345 is not a supported baud rate/ },
  { rule: 'serial devices belong to configured nodes', text: yamlOf({ links: 'links:\n  - name: s\n    kind: serial\n    devices:\n      alpha: /dev/ttyS0\n      zeta: /dev/ttyS0  # <-' }), path: 'links[0].devices.zeta', message: /'zeta' is not a configured node/ },
  // quorum
  { rule: 'expected_votes is at least 1', text: yamlOf({ quorum: 'quorum:\n  expected_votes: 0  # <-' }), path: 'quorum.expected_votes', message: /it is at least 1/ },
  { rule: 'expected_votes leaves a reachable majority', text: yamlOf({ nodes: THREE_NODES, links: THREE_NODE_LINK, quorum: 'quorum:\n  expected_votes: 7  # <-' }), path: 'quorum.expected_votes', message: /needs 4 votes but all nodes together have 3.*at most 5/ },
  { rule: 'two_node needs exactly two nodes', text: yamlOf({ nodes: THREE_NODES, links: THREE_NODE_LINK, quorum: 'quorum:\n  two_node: true  # <-' }), path: 'quorum.two_node', message: /exactly two nodes, this one has 3/ },
  { rule: 'two_node counts expected_votes 2', text: yamlOf({ quorum: 'quorum:\n  expected_votes: 3  # <-' }), path: 'quorum.expected_votes', message: /two_node mode counts one vote per node/ },
  { rule: 'two_node gives each node one vote', text: yamlOf({ nodes: 'nodes:\n  - { name: alpha, id: 1, votes: 2 }  # <-\n  - { name: beta, id: 2 }' }), path: 'nodes[0].votes', message: /exactly one vote, alpha has 2/ },
  { rule: 'booleans are true or false', text: yamlOf({ quorum: 'quorum:\n  two_node: yes  # <-' }), path: 'quorum.two_node', message: /expected true or false, got the text 'yes' \(YAML 1.2/ },
  { rule: 'ping targets are IPv4 addresses', text: yamlOf({ quorum: 'quorum:\n  ping_targets: [gateway.example]  # <-' }), path: 'quorum.ping_targets[0]', message: /not an IPv4 address/ },
  { rule: 'ping targets are listed once', text: yamlOf({ quorum: 'quorum:\n  ping_targets:\n    - 10.0.0.254\n    - 10.0.0.254  # <-' }), path: 'quorum.ping_targets[1]', message: /listed twice/ },
  { rule: 'quorum keys are snake_case', text: yamlOf({ quorum: 'quorum:\n  expectedVotes: 2  # <-' }), path: 'quorum.expectedVotes', message: /did you mean 'expected_votes'/ },
  // timing
  { rule: 'keepalive is at least 10ms', text: yamlOf({ timing: 'timing:\n  keepalive: 5ms  # <-' }), path: 'timing.keepalive', message: /at least 10ms/ },
  { rule: 'keepalive < warntime', text: yamlOf({ timing: 'timing:\n  keepalive: 200ms\n  warntime: 200ms  # <-\n  deadtime: 1s\n  initdead: 2s' }), path: 'timing.warntime', message: /warntime \(200ms\) must be longer than keepalive \(200ms\)/ },
  { rule: 'warntime < deadtime', text: yamlOf({ timing: 'timing:\n  warntime: 600ms\n  deadtime: 600ms  # <-' }), path: 'timing.deadtime', message: /deadtime \(600ms\) must be longer than warntime \(600ms\)/ },
  { rule: 'deadtime <= initdead', text: yamlOf({ timing: 'timing:\n  deadtime: 1s\n  initdead: 900ms  # <-' }), path: 'timing.initdead', message: /initdead \(900ms\) must be at least deadtime \(1s\)/ },
  { rule: 'an explicit value out of order with a default names the default', text: yamlOf({ timing: 'timing:\n  deadtime: 5s  # <-' }), path: 'timing.deadtime', message: /deadtime \(5s\) must be at most initdead \(2s, the default\)/ },
  { rule: 'deadtime is at least twice keepalive', text: yamlOf({ timing: 'timing:\n  keepalive: 100ms\n  warntime: 150ms\n  deadtime: 190ms  # <-' }), path: 'timing.deadtime', message: /at least twice keepalive/ },
  { rule: 'link_probe_interval is at least keepalive', text: yamlOf({ timing: 'timing:\n  link_probe_interval: 50ms  # <-' }), path: 'timing.link_probe_interval', message: /link_probe_interval \(50ms\) must be at least keepalive \(100ms, the default\)/ },
  { rule: 'probing needs deadtime >= 4 x keepalive', text: yamlOf({ timing: 'timing:\n  warntime: 200ms\n  deadtime: 300ms\n  link_probe_interval: 1s  # <-' }), path: 'timing.link_probe_interval', message: /deadtime at least 4 x keepalive/ },
  { rule: 'durations have a unit or are numbers', text: yamlOf({ timing: 'timing:\n  initdead: 2 minutes  # <-' }), path: 'timing.initdead', message: /'2 minutes' is not a duration/ },
  { rule: 'durations are whole milliseconds', text: yamlOf({ timing: 'timing:\n  initdead: 2.0005s  # <-' }), path: 'timing.initdead', message: /not a whole number of milliseconds/ },
  // the file
  // fencing
  { rule: 'the fencing command is an absolute path', text: yamlOf({ extra: 'fencing:\n  command: fence-node  # <-' }), path: 'fencing.command', message: /'fence-node' is not an absolute path/ },
  { rule: 'the fencing command is required in the section', text: yamlOf({ extra: 'fencing:\n  timeout: 30s  # <-' }), path: 'fencing.command', message: /command/ },
  { rule: 'fencing has command or profile, not both', text: yamlOf({ extra: 'fencing:\n  command: /x\n  profile: heartline-testbed  # <-' }), path: 'fencing.profile', message: /either command .* or profile .*, not both/ },
  { rule: 'cib: false alone fences with nothing', text: yamlOf({ extra: 'fencing:\n  cib: false  # <-' }), path: 'fencing.cib', message: /needs command .*, profile .* or cib: true/ },
  { rule: 'cib devices are not a command', text: yamlOf({ extra: 'fencing:\n  command: /x\n  cib: true  # <-' }), path: 'fencing.cib', message: /cib belongs to device fencing/ },
  { rule: 'profile keys need profile', text: yamlOf({ extra: 'fencing:\n  command: /x\n  secrets_dir: /etc/s  # <-' }), path: 'fencing.secrets_dir', message: /secrets_dir belongs to device fencing/ },
  { rule: 'timeout belongs to command fencing', text: yamlOf({ extra: 'fencing:\n  profile: heartline-testbed\n  timeout: 5s  # <-' }), path: 'fencing.timeout', message: /timeout belongs to command fencing/ },
  { rule: 'profile directories are absolute', text: yamlOf({ extra: 'fencing:\n  profile: heartline-testbed\n  profile_dirs: [hw]  # <-' }), path: 'fencing.profile_dirs[0]', message: /'hw' is not an absolute path/ },
  { rule: 'the fencing timeout is 1s to 10min', text: yamlOf({ extra: 'fencing:\n  command: /usr/local/sbin/fence-node\n  timeout: 900s  # <-' }), path: 'fencing.timeout', message: /out of range: use 1s to 10min/ },
  // metrics
  { rule: 'metrics.listen has a port', text: yamlOf({ extra: 'metrics:\n  listen: 0.0.0.0  # <-' }), path: 'metrics.listen', message: /'0.0.0.0' has no port: write ADDRESS:PORT/ },
  { rule: 'metrics.listen port is 1-65535', text: yamlOf({ extra: 'metrics:\n  listen: 127.0.0.1:70000  # <-' }), path: 'metrics.listen', message: /port 70000 is out of range/ },
  { rule: 'metrics.listen address is IPv4', text: yamlOf({ extra: 'metrics:\n  listen: localhost:9664  # <-' }), path: 'metrics.listen', message: /'localhost' is not an IPv4 address/ },
  { rule: 'metrics.enabled is a boolean', text: yamlOf({ extra: 'metrics:\n  enabled: yes please  # <-' }), path: 'metrics.enabled', message: /enabled is true or false/ },
  { rule: 'metrics has no unknown keys', text: yamlOf({ extra: 'metrics:\n  port: 9664  # <-' }), path: 'metrics.port', message: /port/ },
  // the file
  { rule: 'unknown sections are refused', text: yamlOf({ extra: 'resources: {}  # <-' }), path: 'resources', message: /unknown section 'resources' \(the sections are: cluster, nodes, links, quorum, timing, fencing, events, storage, metrics, snmp\)/ },
  { rule: 'misspelt sections get a suggestion', text: yamlOf({ extra: 'timming: {}  # <-' }), path: 'timming', message: /did you mean 'timing'/ },
];

describe('parseConfig: each rule reports its path and line', () => {
  it.each(RULES)('$rule', ({ text, path, message }) => {
    const issues = parseIssues(text);
    const issue = issues.find((candidate) => candidate.path === path);
    expect(issue, `no issue at ${path}; got:\n${issues.map(formatConfigIssue).join('\n')}`).toBeDefined();
    expect(issue?.message).toMatch(message);
    expect(issue?.source).toBe('test.yaml');
    if (text.includes('# <-')) expect(issue?.line).toBe(markedLine(text));
    // One mistake, one issue: a rule does not drag others with it.
    expect(issues).toHaveLength(1);
  });

  it('points at the value, or at the key of an unknown key', () => {
    const [unknown] = parseIssues(yamlOf({ cluster: 'cluster:\n  name: c1\n  id: 7\n  colour: blue' }));
    expect(unknown).toMatchObject({ path: 'cluster.colour', line: 4, column: 3 });
    const [value] = parseIssues(yamlOf({ cluster: 'cluster:\n  name: c1\n  id: 0' }));
    expect(value).toMatchObject({ path: 'cluster.id', line: 3, column: 7 });
    const [nested] = parseIssues(yamlOf({ links: 'links:\n  - name: x\n    kind: udp-unicast\n    addresses: { alpha: 10.0.0.1, beta: 10.0.0.999 }' }));
    expect(nested).toMatchObject({ path: 'links[0].addresses.beta', line: 8, column: 41 });
  });

  it('formats an issue as FILE:LINE:COL: path: message', () => {
    const [issue] = parseIssues(yamlOf({ cluster: 'cluster:\n  name: c1\n  id: 0' }));
    expect(issue && formatConfigIssue(issue)).toBe('test.yaml:3:7: cluster.id: the cluster id is a number from 1 to 4294967295; 0 is not allowed so that an unset id is never mistaken for a real one');
  });
});

describe('parseConfig: several mistakes', () => {
  it('reports every one of them, in file order, even when one entry is broken', () => {
    const text = [
      'cluster:',
      '  name: c1',
      '  id: -1', // 3
      'nodes:',
      '  - { name: alpha, id: 1 }',
      '  - { name: alpha, id: 1, vots: 1 }', // 6: duplicate name, duplicate id, unknown key
      'links:',
      '  - name: cross',
      '    kind: udp-unicast',
      '    addresses: { alpha: 10.0.0.1 }', // 10: no address for the second alpha? (names are duplicate: no "missing" issue)
      '  - name: broken',
      '    kind: serial',
      '    devices: { alpha: ttyS0 }', // 13: not a device path, not two ends
      '  - name: m',
      '    kind: udp-multicast',
      '    group: 239.1.1.1',
      '    addresses: { alpha: 10.0.5.1, gamma: 10.0.5.2 }', // 17: gamma is not a node
      'timing:',
      '  keepalive: 1s', // 19: keepalive >= warntime (default), deadtime < 2x keepalive
      'colour: blue', // 20
    ].join('\n');
    const issues = parseIssues(text);
    const summary = issues.map((issue) => `${issue.line}:${issue.path}`);
    expect(summary).toEqual([
      '3:cluster.id',
      '6:nodes[1].name',
      '6:nodes[1].id',
      '6:nodes[1].vots',
      '13:links[1].devices',
      '13:links[1].devices.alpha',
      '17:links[2].addresses.gamma',
      '19:timing.keepalive',
      '19:timing.keepalive',
      '20:colour',
    ]);
  });
});

describe('parseConfig: YAML itself', () => {
  it.each([
    ['an unclosed flow sequence', 'cluster: { name: c1, id: 7 }\nnodes: [\n  { name: alpha, id: 1 }\n', 4, 1],
    ['a duplicate key', 'cluster: { name: c1, id: 7 }\ncluster: { name: c2, id: 8 }\n', 2, 1],
    ['a tab used for indentation', 'cluster:\n\tname: c1\n', 2, 1],
  ])('reports %s with its position', (_name, text, line, column) => {
    const issues = parseIssues(text);
    expect(issues[0]).toMatchObject({ path: '', line, column });
    expect(issues[0]?.message).toMatch(/^YAML syntax: /);
  });

  it('explains an empty file and a file that is not a mapping', () => {
    expect(parseIssues('')[0]?.message).toMatch(/the file is empty/);
    expect(parseIssues('# only a comment\n')[0]?.message).toMatch(/the file is empty/);
    expect(parseIssues('- a\n- b\n')[0]).toMatchObject({ path: '', line: 1, column: 1, message: expect.stringMatching(/must be a mapping of sections/) as unknown });
  });

  it('refuses alias bombs without hanging', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`);
    expect(parseIssues(lines.join('\n'))[0]?.message).toMatch(/^YAML: .*alias/i);
  });
});
