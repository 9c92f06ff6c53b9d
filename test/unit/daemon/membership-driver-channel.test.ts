// The reliable channel beside membership in the heartbeat worker's driver: two drivers joined by
// in-memory links (one lossy) form a view, report it once per change with its quorum, and carry
// channel messages (large ones too, fragmented) exactly once and in order.
import { afterEach, describe, expect, it } from 'vitest';
import { nodeView, parseConfig, type HeartlineConfig } from '../../../src/config/index.js';
import { MembershipDriver, type ClusterView } from '../../../src/daemon/membership-driver.js';
import { silentLogger, type Millis, type NodeId } from '../../../src/lib/index.js';
import type { Link, LinkDatagram, LinkState } from '../../../src/links/link.js';
import { SystemClock } from '../../../src/platform/index.js';
import { testKeyring } from '../links/test-keyring.js';

const YAML = `
cluster: { name: unit, id: 12648430 }
nodes: [{ name: a, id: 1 }, { name: b, id: 2 }]
links:
  - { name: lan, kind: udp-unicast, addresses: { a: 10.0.0.1, b: 10.0.0.2 } }
  - { name: wan, kind: udp-unicast, addresses: { a: 10.0.1.1, b: 10.0.1.2 } }
timing: { keepalive: 20, warntime: 60, deadtime: 100, initdead: 200 }
`;

/** An in-memory link end; `loss` drops that share of what it sends. */
class MemoryLink implements Link {
  readonly kind = 'udp-unicast' as const;
  readonly maxFrameBytes = 1400;
  peer: MemoryLink | undefined;
  loss = 0;
  private receive: ((d: LinkDatagram) => void) | undefined;
  constructor(readonly name: string) {}
  open(): Promise<void> {
    return Promise.resolve();
  }
  send(bytes: Uint8Array): void {
    if (Math.random() < this.loss) return;
    const copy = bytes.slice();
    setImmediate(() => this.peer?.receive?.({ bytes: copy, receivedAt: performance.now() as Millis, source: this.name }));
  }
  onReceive(handler: (d: LinkDatagram) => void): void {
    this.receive = handler;
  }
  onState(_handler: (s: LinkState) => void): void {}
  close(): Promise<void> {
    this.receive = undefined;
    return Promise.resolve();
  }
}

function config(): HeartlineConfig {
  const parsed = parseConfig(YAML, 'unit.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

describe('MembershipDriver with the reliable channel', () => {
  const drivers: MembershipDriver[] = [];
  afterEach(async () => {
    await Promise.all(drivers.splice(0).map((d) => d.stop()));
  });

  it('reports views with quorum and carries channel messages exactly once, in order, over a lossy link', async () => {
    const cfg = config();
    const pairs = new Map<string, MemoryLink[]>();
    const views: ClusterView[][] = [[], []];
    const delivered: string[][] = [[], []];
    const clock = new SystemClock();
    for (const [index, name] of ['a', 'b'].entries()) {
      const view = nodeView(cfg, name);
      if (!view.ok) throw new Error(view.error);
      drivers.push(
        new MembershipDriver({
          view: view.value,
          membership: { self: view.value.self.id, nodes: cfg.nodes.map((n) => ({ id: n.id, votes: n.votes })), links: view.value.links.map((l) => l.name), timing: cfg.timing, quorum: { expectedVotes: 2, twoNode: true, waitForAll: false, pingTargets: false } },
          incarnation: 1,
          keyring: testKeyring(),
          encryption: false,
          clock,
          logger: silentLogger,
          createLink: (link) => {
            const end = new MemoryLink(link.name);
            const ends = pairs.get(link.name) ?? [];
            ends.push(end);
            pairs.set(link.name, ends);
            const [first, second] = ends;
            if (first !== undefined && second !== undefined) {
              first.peer = second;
              second.peer = first;
            }
            if (link.name === 'lan') end.loss = 0.3;
            return end;
          },
          onView: (v) => views[index]?.push(v),
          onChannelDeliver: (from, payload) => delivered[index]?.push(`${from}:${new TextDecoder().decode(payload).slice(0, 12)}:${payload.length}`),
        }),
      );
    }
    await Promise.all(drivers.map((d) => d.start()));
    const [a, b] = drivers as [MembershipDriver, MembershipDriver];
    await waitFor(() => views.every((v) => v.at(-1)?.members.length === 2 && v.at(-1)?.quorate === true));
    expect(views[0]?.at(-1)).toMatchObject({ dc: 1, quorate: true });
    expect(views[0]?.at(-1)?.members.map((m) => m.id)).toEqual([1, 2]);

    const big = 'x'.repeat(40_000);
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      const text = i === 10 ? `big-${big}` : `msg-${String(i).padStart(4, '0')}`;
      a.channelSend(2 as NodeId, new TextEncoder().encode(text));
      sent.push(`1:${text.slice(0, 12)}:${text.length}`);
    }
    b.channelSend(2 as NodeId, new TextEncoder().encode('self'));
    await waitFor(() => (delivered[1]?.length ?? 0) >= 31);
    await new Promise((r) => setTimeout(r, 300));
    expect(delivered[1]?.filter((d) => d.startsWith('1:'))).toEqual(sent);
    expect(delivered[1]).toContain('2:self:4');
    expect(b.status().channel.dropped).toBeGreaterThanOrEqual(0);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
