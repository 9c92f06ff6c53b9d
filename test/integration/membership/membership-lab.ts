/**
 * What the membership tests share: the two-node lab they all use (a crossover veth, a veth into a
 * bridge, and a socat serial null-modem, each daemon in its own namespace), and the questions they
 * keep asking of it: did anyone declare a peer dead, are both nodes still in the same view, when
 * did `heartline links` first show a link down (or up).
 */
import { expect } from 'vitest';
import { DaemonLab, type LabView, type UdpLinkKind } from '../../../src/testbed/daemon-lab.js';
import type { LogEvent } from '../../../src/testbed/log-event.js';
import { eventually } from '../harness/eventually.js';
import { builtCli } from '../harness/fixture-program.js';
import type { Prerequisite } from '../harness/prerequisites.js';

/** What every membership suite needs on the machine. */
export const MEMBERSHIP_PREREQUISITES: readonly Prerequisite[] = ['root', 'ip', 'iptables', 'socat', 'setpriv'];

/** The heartbeat links of the lab, as heartline.yaml names them. */
export const LINKS = ['link0', 'link1', 'serial0'] as const;
export type LabLinkName = (typeof LINKS)[number];

/** Two daemons joined by link0 (crossover), link1 (through the bridge) and serial0, with the default timing. */
export function createTwoNodeLab(linkKind: UdpLinkKind): Promise<DaemonLab> {
  return DaemonLab.create({ nodes: 2, links: ['crossover', 'switch'], serial: true, linkKind, cliPath: builtCli });
}

/** The "peer declared dead" events node `node` logged at or after index `since`. */
export function nodeDowns(lab: DaemonLab, node: number, since = 0): LogEvent[] {
  return lab.logEvents(node).slice(since).filter((event) => event.msg === 'peer declared dead');
}

/** Cursors of every node's log: pass them to the checks below to look only at what follows. */
export function cursors(lab: DaemonLab): number[] {
  return Array.from({ length: lab.nodeCount }, (_, node) => lab.cursor(node));
}

/** No node logged "peer declared dead" since `since`; the failure names the events. */
export function expectNoNodeDown(lab: DaemonLab, since: readonly number[]): void {
  for (let node = 0; node < lab.nodeCount; node++) {
    expect(nodeDowns(lab, node, since[node]).map((event) => `${lab.nodeName(node)}: ${JSON.stringify(event)}`)).toEqual([]);
  }
}

/** Every node still has exactly `view` installed (the same id, both nodes in it), read over the control sockets now. */
export async function expectStillInView(lab: DaemonLab, view: LabView): Promise<void> {
  for (let node = 0; node < lab.nodeCount; node++) {
    const members = await lab.members(node);
    expect(members.view?.id, `node ${lab.nodeName(node)}'s view`).toBe(view.id);
    expect(members.view?.members.map((m) => m.id)).toEqual(view.members.map((m) => m.id));
    expect(members.nodes.every((entry) => entry.inView)).toBe(true);
  }
}

/**
 * Polls node `node`'s `links` report (control socket, every 10 ms) until its path to the peer on
 * `link` is in `state`, and resolves with the wall-clock time at which that was first seen.
 */
export async function waitForLinkState(lab: DaemonLab, node: number, link: LabLinkName, state: 'up' | 'down', timeoutMs: number): Promise<number> {
  let last: unknown;
  return eventually(
    async () => {
      const report = await lab.links(node);
      const row = report.peers.find((peer) => peer.link === link);
      last = row;
      return row?.state === state ? Date.now() : undefined;
    },
    { what: `node ${lab.nodeName(node)} shows ${link} ${state}`, timeoutMs, intervalMs: 10, describe: () => `last row: ${JSON.stringify(last)}\n${lab.describeLogs(node)}` },
  );
}
