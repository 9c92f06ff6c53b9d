// nodeView: one node's view of the configuration, as the daemon will build its links from it:
// its own address or device on each link it is on, and its peers' addresses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeView, parseConfig, type HeartlineConfig } from '../../../src/config/index.js';

function load(text: string): HeartlineConfig {
  const result = parseConfig(text, 'test.yaml');
  if (!result.ok) throw new Error(result.error.map((issue) => issue.message).join('\n'));
  return result.value;
}

const example = load(readFileSync(new URL('../../../docs/examples/heartline.yaml', import.meta.url), 'utf8'));

describe('nodeView', () => {
  it("gives beta its own addresses and alpha's as its peer's on every link", () => {
    const view = nodeView(example, 'beta');
    expect(view.ok).toBe(true);
    if (!view.ok) return;
    expect(view.value.self).toEqual({ name: 'beta', id: 2, votes: 1 });
    expect(view.value.peers).toEqual([{ name: 'alpha', id: 1, votes: 1 }]);
    expect(view.value.clusterId).toBe(4242);
    expect(view.value.links).toEqual([
      { kind: 'udp-unicast', name: 'crossover', port: 694, localAddress: '10.213.1.2', peers: [{ nodeId: 1, nodeName: 'alpha', address: '10.213.1.1' }] },
      { kind: 'udp-broadcast', name: 'lan', port: 694, localAddress: '10.213.2.2', broadcastAddress: '10.213.2.255', peers: [{ nodeId: 1, nodeName: 'alpha', address: '10.213.2.1' }] },
      { kind: 'udp-multicast', name: 'mcast', port: 694, localAddress: '10.213.3.2', group: '239.255.42.1', ttl: 1, peers: [{ nodeId: 1, nodeName: 'alpha', address: '10.213.3.1' }] },
      { kind: 'serial', name: 'serial0', device: '/dev/ttyS0', baud: 115200, peer: { nodeId: 1, nodeName: 'alpha' } },
    ]);
  });

  it('leaves out a serial link between two other nodes', () => {
    const config = load(
      [
        'cluster: { name: c, id: 1 }',
        'nodes: [{ name: a, id: 1 }, { name: b, id: 2 }, { name: c, id: 3 }]',
        'links:',
        '  - { name: lan, kind: udp-unicast, addresses: { a: 10.0.0.1, b: 10.0.0.2, c: 10.0.0.3 } }',
        '  - { name: ab, kind: serial, devices: { a: /dev/ttyS0, b: /dev/ttyS1 } }',
      ].join('\n'),
    );
    const c = nodeView(config, 'c');
    const b = nodeView(config, 'b');
    expect(c.ok && c.value.links.map((link) => link.name)).toEqual(['lan']);
    expect(c.ok && c.value.links[0]?.kind === 'udp-unicast' && c.value.links[0].peers.map((peer) => peer.address)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(b.ok && b.value.links[1]).toEqual({ kind: 'serial', name: 'ab', device: '/dev/ttyS1', baud: 115200, peer: { nodeId: 1, nodeName: 'a' } });
  });

  it('names the configured nodes when asked for one that is not there', () => {
    const view = nodeView(example, 'gamma');
    expect(view).toEqual({ ok: false, error: expect.stringMatching(/node 'gamma' is not in the configuration \(its nodes are alpha, beta\)/) as unknown });
  });
});
