// Goal: the UDP link adapters (unicast, broadcast, multicast) work between real nodes over real
// links, stay on their own link, and report link failures as states rather than exceptions.
// Method: two network namespaces ("a" = node 1, "b" = node 2) joined by link 0, a direct veth
// ("crossover"), and by link 1, veths into a bridge in a third namespace ("switch"). In each node a
// link-node process runs the BUILT links from dist/ and is driven over JSON lines; faults come from
// `ip link set down` and iptables inside the namespaces. Everything runs on port 694 as root.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtureProgram } from '../harness/fixture-program.js';
import { eventually, sleep } from '../harness/eventually.js';
import { NetnsLab } from '../../../src/testbed/netns.js';
import { startInLab } from '../harness/ns-process.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { expectDelivery, LinkNodeClient, strayFrames, type LinkSpec } from './link-node-client.js';

const LINKS = [0, 1] as const;

describeWithPrerequisites('UDP links between two namespaces (crossover and switch)', ['root', 'ip', 'iptables', 'setpriv'], () => {
  let lab: NetnsLab;
  let a: LinkNodeClient;
  let b: LinkNodeClient;
  let opened: { client: LinkNodeClient; link: string }[] = [];

  beforeAll(async () => {
    lab = await NetnsLab.create({ nodes: 2, links: ['crossover', 'switch'] });
    const program = fixtureProgram('link-node');
    a = new LinkNodeClient(await startInLab(lab, 0, program));
    b = new LinkNodeClient(await startInLab(lab, 1, program));
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  /** Opens the same kind of link on both nodes; closed again after each test. */
  async function openOnBoth(make: (node: 0 | 1) => LinkSpec): Promise<void> {
    for (const [node, client] of [[0, a], [1, b]] as const) {
      const spec = make(node);
      await client.open(spec);
      opened.push({ client, link: spec.name });
    }
  }

  async function closeOpened(): Promise<void> {
    for (const { client, link } of opened) await client.close(link);
    opened = [];
  }

  function unicast(node: 0 | 1, link: number): Extract<LinkSpec, { kind: 'udp-unicast' }> {
    const peer = node === 0 ? 1 : 0;
    return { kind: 'udp-unicast', name: `u${link}`, localAddress: lab.address(node, link), peers: [[peer + 1, lab.address(peer, link)]] };
  }

  it('unicast delivers frames both ways on each link, from the node address on port 694, and only on that link', async () => {
    try {
      await openOnBoth((node) => unicast(node, 0));
      await openOnBoth((node) => unicast(node, 1));
      for (const link of LINKS) {
        const since = b.cursor();
        const atB = await expectDelivery({ from: a, fromLink: `u${link}`, to: b, toLink: `u${link}`, toNode: 2, text: `uni a->b on ${link}` });
        expect(atB['source']).toBe(`${lab.address(0, link)}:694`);
        await expectDelivery({ from: b, fromLink: `u${link}`, to: a, toLink: `u${link}`, toNode: 1, text: `uni b->a on ${link}` });
        const other = `u${1 - link}`;
        expect(await strayFrames(b, [other], `on ${link}`, since)).toEqual([]);
      }
    } finally {
      await closeOpened();
    }
  });

  it('broadcast delivers frames both ways on each link, the sender hears its own, and no link hears the other', async () => {
    try {
      for (const link of LINKS) await openOnBoth(() => ({ kind: 'udp-broadcast', name: `b${link}`, broadcastAddress: lab.link(link).broadcastAddress }));
      for (const link of LINKS) {
        const sinceA = a.cursor();
        const sinceB = b.cursor();
        await expectDelivery({ from: a, fromLink: `b${link}`, to: b, toLink: `b${link}`, text: `bcast a->b on ${link}` });
        await expectDelivery({ from: b, fromLink: `b${link}`, to: a, toLink: `b${link}`, text: `bcast b->a on ${link}` });
        expect(a.receivedTexts(`b${link}`, sinceA)).toContain(`bcast a->b on ${link}`);
        const other = `b${1 - link}`;
        expect(await strayFrames(b, [other], `on ${link}`, sinceB)).toEqual([]);
        expect(await strayFrames(a, [other], `on ${link}`, sinceA, 0)).toEqual([]);
      }
    } finally {
      await closeOpened();
    }
  });

  it('multicast delivers frames both ways on one group per link, without loopback, and the groups stay isolated', async () => {
    try {
      for (const link of LINKS) {
        await openOnBoth((node) => ({ kind: 'udp-multicast', name: `m${link}`, group: `239.255.213.${link + 1}`, interfaceAddress: lab.address(node, link) }));
      }
      for (const link of LINKS) {
        const sinceA = a.cursor();
        const sinceB = b.cursor();
        const atB = await expectDelivery({ from: a, fromLink: `m${link}`, to: b, toLink: `m${link}`, text: `mcast a->b on ${link}` });
        // The source is a's address on this link: setMulticastInterface pinned the egress interface.
        expect(String(atB['source'])).toMatch(new RegExp(`^${lab.address(0, link).replaceAll('.', '\\.')}:`));
        await expectDelivery({ from: b, fromLink: `m${link}`, to: a, toLink: `m${link}`, text: `mcast b->a on ${link}` });
        expect(await strayFrames(b, ['m0', 'm1'].filter((name) => name !== `m${link}`), `on ${link}`, sinceB)).toEqual([]);
        // Loopback is off: a does not hear its own frame on any link.
        expect(await strayFrames(a, ['m0', 'm1'], 'a->b', sinceA, 0)).toEqual([]);
      }
    } finally {
      await closeOpened();
    }
  });

  it('an interface taken down turns the sender\'s links down (ENETUNREACH) and up again, for every kind, while the other link carries on', async () => {
    const kinds = ['u0', 'b0', 'm0'] as const;
    try {
      await openOnBoth((node) => unicast(node, 0));
      await openOnBoth(() => ({ kind: 'udp-broadcast', name: 'b0', broadcastAddress: lab.link(0).broadcastAddress }));
      await openOnBoth((node) => ({ kind: 'udp-multicast', name: 'm0', group: '239.255.213.1', interfaceAddress: lab.address(node, 0) }));
      await openOnBoth((node) => unicast(node, 1));
      for (const link of kinds) await expectDelivery({ from: a, fromLink: link, to: b, toLink: link, toNode: 2, text: `${link} before down` });
      const since = a.cursor();
      await lab.setLinkDown(0, 0);
      try {
        for (const link of kinds) {
          await eventually(
            async () => {
              await a.send(link, 'while down', { to: 2 });
              return a.states(link, since).find((event) => event['state'] === 'down');
            },
            { what: `a's ${link} reports down`, intervalMs: 100 },
          );
          expect(String(a.states(link, since)[0]?.['reason']), link).toMatch(/ENETUNREACH/);
        }
        await expectDelivery({ from: a, fromLink: 'u1', to: b, toLink: 'u1', toNode: 2, text: 'u1 while link 0 down' });
        expect(a.states('u1', since)).toEqual([]);
      } finally {
        await lab.setLinkUp(0, 0);
      }
      for (const link of kinds) {
        await eventually(
          async () => {
            await a.send(link, 'after up', { to: 2 });
            return a.states(link, since).find((event) => event['state'] === 'up');
          },
          { what: `a's ${link} reports up again`, intervalMs: 100 },
        );
        await expectDelivery({ from: a, fromLink: link, to: b, toLink: link, toNode: 2, text: `${link} a->b after up` });
        await expectDelivery({ from: b, fromLink: link, to: a, toLink: link, toNode: 1, text: `${link} b->a after up` });
      }
    } finally {
      await closeOpened();
    }
  });

  it('an iptables DROP on one link at the receiver drops that link only, and delivery resumes when it is removed', async () => {
    try {
      await openOnBoth((node) => unicast(node, 0));
      await openOnBoth((node) => unicast(node, 1));
      await expectDelivery({ from: a, fromLink: 'u0', to: b, toLink: 'u0', toNode: 2, text: 'before drop' });
      const fault = await lab.dropUdp(1, 0, { port: 694 });
      const sinceA = a.cursor();
      const sinceB = b.cursor();
      try {
        await a.send('u0', 'dropped', { to: 2, count: 20, intervalMs: 10 });
        await expectDelivery({ from: a, fromLink: 'u1', to: b, toLink: 'u1', toNode: 2, text: 'u1 during drop' });
        expect(await strayFrames(b, ['u0'], 'dropped', sinceB)).toEqual([]);
        // Dropped at the far end: the sender cannot know, its link stays up.
        expect(a.states('u0', sinceA)).toEqual([]);
      } finally {
        await fault.remove();
      }
      await expectDelivery({ from: a, fromLink: 'u0', to: b, toLink: 'u0', toNode: 2, text: 'after drop removed' });
    } finally {
      await closeOpened();
    }
  });

  it('an iptables DROP on output turns the sender\'s link down (EPERM) and up again when removed', async () => {
    try {
      await openOnBoth((node) => unicast(node, 1));
      const since = a.cursor();
      const fault = await lab.dropUdp(0, 1, { direction: 'out' });
      try {
        await eventually(
          async () => {
            await a.send('u1', 'blocked', { to: 2 });
            return a.states('u1', since).find((event) => event['state'] === 'down');
          },
          { what: "a's u1 reports down", intervalMs: 100 },
        );
        expect(String(a.states('u1', since)[0]?.['reason'])).toMatch(/EPERM/);
      } finally {
        await fault.remove();
      }
      await expectDelivery({ from: a, fromLink: 'u1', to: b, toLink: 'u1', toNode: 2, text: 'after output drop' });
      expect(a.states('u1', since).map((event) => event['state'])).toEqual(['down', 'up']);
    } finally {
      await closeOpened();
    }
  });

  it('random loss (iptables statistic, p = 0.5) drops some frames of a link but not all', async () => {
    try {
      await openOnBoth((node) => unicast(node, 1));
      await expectDelivery({ from: a, fromLink: 'u1', to: b, toLink: 'u1', toNode: 2, text: 'before loss' });
      const fault = await lab.randomLoss(1, 1, 0.5);
      const since = b.cursor();
      try {
        await a.send('u1', 'lossy', { to: 2, count: 200, intervalMs: 2 });
        await sleep(300);
      } finally {
        await fault.remove();
      }
      const received = b.receivedTexts('u1', since).filter((text) => text.startsWith('lossy#')).length;
      // Binomial(200, 0.5): outside 50..150 with probability below 1e-12.
      expect(received).toBeGreaterThan(50);
      expect(received).toBeLessThan(150);
    } finally {
      await closeOpened();
    }
  });

  it('open failures are LinkErrors that name the address: EADDRNOTAVAIL, EADDRINUSE, bad configuration, EACCES without CAP_NET_BIND_SERVICE', async () => {
    const foreign = `10.213.${lab.link(0).subnetOctet}.99`;
    const notHere = await a.openFailure({ kind: 'udp-unicast', name: 'x', localAddress: foreign, peers: [] });
    expect(notHere.code).toBe('address-not-available');
    expect(notHere.message).toContain(`${foreign}:694`);

    try {
      await openOnBoth((node) => unicast(node, 0));
      const twice = await a.openFailure({ ...unicast(0, 0), name: 'u0-again' });
      expect(twice.code).toBe('address-in-use');
      expect(twice.message).toContain(`${lab.address(0, 0)}:694`);
    } finally {
      await closeOpened();
    }

    const badGroup = await a.openFailure({ kind: 'udp-multicast', name: 'm', group: '10.1.2.3', interfaceAddress: lab.address(0, 0) });
    expect(badGroup.code).toBe('invalid-configuration');
    expect(badGroup.message).toMatch(/group must be an IPv4 multicast address/);

    // Root, but without CAP_NET_BIND_SERVICE (dropped from the bounding and inheritable sets).
    const unprivileged = new LinkNodeClient(
      await startInLab(lab, 0, fixtureProgram('link-node'), {
        name: 'a-unprivileged',
        setprivOptions: ['--inh-caps=-net_bind_service', '--bounding-set=-net_bind_service'],
      }),
    );
    const denied = await unprivileged.openFailure(unicast(0, 1));
    expect(denied.code).toBe('permission-denied');
    expect(denied.message).toContain(`${lab.address(0, 1)}:694`);
    expect(denied.message).toContain('CAP_NET_BIND_SERVICE');
    await unprivileged.open({ ...unicast(0, 1), port: 5694 });
    await unprivileged.process.stop();
  });
});
