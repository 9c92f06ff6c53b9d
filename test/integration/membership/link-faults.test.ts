// Goal: membership over redundant links keeps a peer alive while any one link hears it, reports
// each cut link down within deadtime (a probed link, one after the first: within deadtime x link
// probe interval / keepalive) and up again after repair, and declares the peer dead within
// deadtime plus one keepalive once every link is cut; after the repair both nodes rejoin in a new
// view. For each UDP link kind (unicast, broadcast, multicast).
// Method: DaemonLab: two `heartline daemon`s (the BUILT CLI) in two namespaces joined by link0 (a
// crossover veth), link1 (veths into a bridge) and serial0 (a socat null-modem). Links are cut with
// `ip link set down`, an iptables DROP at both nodes, or by killing socat; a cut link's detection
// is measured from the moment the fault command returned (the cut is in place at both ends then)
// to the daemon's own log timestamp of "link to peer down", and `heartline links` (polled over
// the control socket) must show it too. The poll's own timing is not measured: on a loaded machine
// the test process, not the daemon (real-time), is what runs late.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DaemonLab, LabFault, UdpLinkKind } from '../../../src/testbed/daemon-lab.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { createTwoNodeLab, cursors, expectNoNodeDown, expectStillInView, MEMBERSHIP_PREREQUISITES, nodeDowns, waitForLinkState, type LabLinkName } from './membership-lab.js';

/** How far past its deadline a daemon may log a link down: the deadline is checked at the next keepalive tick (100 ms), plus scheduling. */
const DECISION_SLACK_MS = 150;

interface Cut {
  readonly link: LabLinkName;
  readonly how: string;
  /** Applies the fault; returns how to repair it. */
  readonly apply: (lab: DaemonLab) => Promise<() => Promise<void>>;
}

const CUTS: readonly Cut[] = [
  ...(['link0', 'link1'] as const).flatMap((link): Cut[] => [
    {
      link,
      how: "ip link set down (node a's end)",
      apply: async (lab) => {
        await lab.setLinkDown(link, 0);
        return () => lab.setLinkUp(link, 0);
      },
    },
    {
      link,
      how: 'iptables DROP at both nodes',
      apply: async (lab) => {
        const fault: LabFault = await lab.dropLink(link);
        return () => fault.remove();
      },
    },
  ]),
  {
    link: 'serial0',
    how: 'socat killed (SIGKILL)',
    apply: async (lab) => {
      await lab.unplugSerial('SIGKILL');
      return () => lab.replugSerial();
    },
  },
];

const KINDS: readonly UdpLinkKind[] = ['udp-unicast', 'udp-broadcast', 'udp-multicast'];

for (const kind of KINDS) {
  describeWithPrerequisites(`membership over ${kind} links (crossover + switch) and a serial null-modem`, MEMBERSHIP_PREREQUISITES, () => {
    let lab: DaemonLab;

    beforeAll(async () => {
      lab = await createTwoNodeLab(kind);
    });

    afterAll(async () => {
      await lab?.destroy();
    });

    for (const cut of CUTS) {
      it(`${cut.link} cut by ${cut.how}: the peer stays alive, links shows ${cut.link} down within its bound and up after repair`, async () => {
        const { deadtimeMs, keepaliveMs, linkProbeIntervalMs } = lab.timing;
        // link0 carries every heartbeat; the others are probed while it does (link-rates.ts).
        const boundMs = cut.link === 'link0' ? deadtimeMs : (deadtimeMs * linkProbeIntervalMs) / keepaliveMs;
        const view = await lab.waitForFullView();
        const since = cursors(lab);
        const repair = await cut.apply(lab);
        const cutAt = Date.now();
        try {
          await Promise.all([0, 1].map((node) => waitForLinkState(lab, node, cut.link, 'down', boundMs + 3000)));
          for (const node of [0, 1]) {
            const down = await lab.waitForLog(node, (event) => event.msg === 'link to peer down' && event['link'] === cut.link, { what: `link to peer down on ${cut.link}`, since: since[node] ?? 0 });
            expect(down.time - cutAt, `node ${lab.nodeName(node)} logs ${cut.link} down after`).toBeLessThanOrEqual(boundMs + DECISION_SLACK_MS);
          }
          // The CLI itself says so too, and the other links are still up.
          const shown = (await lab.cli(1, 'links')) as Awaited<ReturnType<DaemonLab['links']>>;
          expect(Object.fromEntries(shown.peers.map((row) => [row.link, row.state]))).toEqual({ link0: 'up', link1: 'up', serial0: 'up', [cut.link]: 'down' });
          await expectStillInView(lab, view);
        } finally {
          await repair();
        }
        await Promise.all([0, 1].map((node) => waitForLinkState(lab, node, cut.link, 'up', 5000)));
        await expectStillInView(lab, view);
        expectNoNodeDown(lab, since);
        // The cut is in the log too, as a link event and not a node event.
        for (const node of [0, 1]) {
          expect(lab.logEvents(node).slice(since[node]).some((event) => event.msg === 'link to peer down' && event['link'] === cut.link)).toBe(true);
        }
      });
    }

    it('all links cut at once: each node declares the other dead within deadtime + keepalive; after repair both rejoin in a newer view', async () => {
      const { deadtimeMs, keepaliveMs } = lab.timing;
      const view = await lab.waitForFullView();
      const since = cursors(lab);
      const cutAt = await lab.cutAllLinks();
      try {
        for (const node of [0, 1]) {
          const peer = lab.nodeId(1 - node);
          const dead = await lab.waitForLog(node, (event) => event.msg === 'peer declared dead' && event['peer'] === peer, { what: `peer ${peer} declared dead`, since: since[node] ?? 0, timeoutMs: deadtimeMs + 3000 });
          expect(dead['reason']).toBe('deadtime');
          expect(dead.time - cutAt, `node ${lab.nodeName(node)} declared its peer dead after`).toBeLessThanOrEqual(deadtimeMs + keepaliveMs);
          expect(nodeDowns(lab, node, since[node])).toHaveLength(1);
        }
      } finally {
        await lab.restoreAllLinks();
      }
      const rejoined = await lab.waitForFullView({ newerThan: view });
      expect(rejoined.seq).toBeGreaterThan(view.seq);
      expect(rejoined.members.map((m) => [m.id, m.incarnation])).toEqual(view.members.map((m) => [m.id, m.incarnation]));
      for (const node of [0, 1]) {
        const members = await lab.members(node);
        expect(members.nodes.map((entry) => entry.status)).toEqual(['local', 'alive']);
        expect(members.quorum.quorate).toBe(true);
      }
    });
  });
}
