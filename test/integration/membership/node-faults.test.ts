// Goal: the failure detector of real daemons tells a dead node from a slow or unlucky one. A lossy
// link, a frozen daemon, a blocked main thread and a clean restart each get the outcome they must:
// no false node-down under loss or a busy main thread; a frozen daemon declared dead and rejoining
// once thawed; a restart seen as a leave at once (not after deadtime) and a rejoin with a higher
// incarnation.
// Method: one DaemonLab (udp-unicast crossover + switch, and the serial null-modem); faults from
// iptables (statistic match), SIGSTOP/SIGCONT and SIGTERM by the daemon's PID, and the daemon's
// `block-main` test hook (HEARTLINE_TEST_HOOKS=1). Outcomes are read from the daemons' logs and
// their `members`/`links` reports.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DaemonLab } from '../../../src/testbed/daemon-lab.js';
import { sleep } from '../harness/eventually.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { createTwoNodeLab, cursors, expectNoNodeDown, expectStillInView, MEMBERSHIP_PREREQUISITES, nodeDowns } from './membership-lab.js';

/** How long the lossy link runs; long enough for hundreds of heartbeats and many unlucky streaks. */
const LOSS_DURATION_MS = 20_000;

describeWithPrerequisites('membership under node faults (two daemons, udp-unicast + serial)', MEMBERSHIP_PREREQUISITES, () => {
  let lab: DaemonLab;

  beforeAll(async () => {
    lab = await createTwoNodeLab('udp-unicast');
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  it('30 % random loss on one link for 20 s: no node-down, the view holds, and the loss shows in links', async () => {
    const view = await lab.waitForFullView();
    const since = cursors(lab);
    const loss = await lab.randomLoss('link0', 0.3);
    const lossSeen: number[] = [];
    try {
      const endAt = Date.now() + LOSS_DURATION_MS;
      while (Date.now() < endAt) {
        await sleep(1000);
        expectNoNodeDown(lab, since);
        const row = (await lab.links(0)).peers.find((peer) => peer.link === 'link0');
        if (row !== undefined) lossSeen.push(row.lossPercent);
      }
      await expectStillInView(lab, view);
    } finally {
      await loss.remove();
    }
    expectNoNodeDown(lab, since);
    // The fault really bit: link0's loss estimate (last 64 beats) rose well above zero.
    expect(Math.max(...lossSeen)).toBeGreaterThan(10);
  });

  it('a daemon frozen (SIGSTOP) for 3 x deadtime is declared dead; thawed (SIGCONT), it finds out and both rejoin in a newer view', async () => {
    const { deadtimeMs, keepaliveMs } = lab.timing;
    const view = await lab.waitForFullView();
    const since = cursors(lab);
    const stoppedAt = await lab.stop(1);
    try {
      const dead = await lab.waitForLog(0, (event) => event.msg === 'peer declared dead' && event['peer'] === lab.nodeId(1), { what: 'the frozen peer declared dead', since: since[0] ?? 0, timeoutMs: 3 * deadtimeMs });
      expect(dead['reason']).toBe('deadtime');
      expect(dead.time - stoppedAt).toBeLessThanOrEqual(deadtimeMs + keepaliveMs);
      await sleep(Math.max(0, stoppedAt + 3 * deadtimeMs - Date.now()));
      // a moved on without b meanwhile.
      const alone = await lab.view(0);
      expect(alone?.members.map((m) => m.id)).toEqual([lab.nodeId(0)]);
    } finally {
      await lab.cont(1);
    }
    // b, thawed, learns it was left behind: a heartbeat of a's newer view expels it, or its own
    // overdue deadline declares a dead first. Either way it must not keep the old view.
    const noticed = await lab.waitForLog(1, (event) => event.msg === 'expelled from view' || (event.msg === 'peer declared dead' && event['peer'] === lab.nodeId(0)), {
      what: 'b notices it was expelled (or declares a dead)',
      since: since[1] ?? 0,
      timeoutMs: 5000,
    });
    expect(['expelled from view', 'peer declared dead']).toContain(noticed.msg);
    const rejoined = await lab.waitForFullView({ newerThan: view });
    expect(rejoined.members.map((m) => [m.id, m.incarnation])).toEqual(view.members.map((m) => [m.id, m.incarnation]));
  });

  it("a main thread blocked for 300 ms (five times, on each daemon) does not make the peer late, let alone dead", async () => {
    const view = await lab.waitForFullView();
    const since = cursors(lab);
    for (let round = 0; round < 5; round++) {
      for (const node of [0, 1]) {
        await lab.blockMain(node, 300);
        await sleep(150);
      }
    }
    await sleep(lab.timing.deadtimeMs);
    expectNoNodeDown(lab, since);
    // Heartbeats live in the worker thread: not even the early warning fires.
    for (const node of [0, 1]) {
      expect(lab.logEvents(node).slice(since[node]).filter((event) => event.msg === 'late heartbeat')).toEqual([]);
    }
    await expectStillInView(lab, view);
  });

  it('a restarted daemon (SIGTERM, start) is seen to leave at once (reason left) and to rejoin with a higher incarnation', async () => {
    const { deadtimeMs } = lab.timing;
    const view = await lab.waitForFullView();
    const before = view.members.find((m) => m.id === lab.nodeId(1));
    expect(before).toBeDefined();
    const since = cursors(lab);
    const terminatedAt = await lab.kill(1, 'SIGTERM');
    const left = await lab.waitForLog(0, (event) => event.msg === 'peer declared dead' && event['peer'] === lab.nodeId(1), { what: 'b leaves', since: since[0] ?? 0, timeoutMs: 2 * deadtimeMs });
    expect(left['reason']).toBe('left');
    // At once: typically a few ms; half a deadtime leaves room for a busy machine and still
    // could not be a deadline (which would be at least deadtime - keepalive after the last beat).
    expect(left.time - terminatedAt).toBeLessThan(deadtimeMs / 2);
    expect(Number(left['silentMs'])).toBeLessThan(deadtimeMs);
    expect(nodeDowns(lab, 0, since[0])).toHaveLength(1);
    const exit = lab.logEvents(1).findLast((event) => event.msg === 'daemon stopping');
    expect(exit?.['signal']).toBe('SIGTERM');

    await lab.start(1);
    const rejoined = await lab.waitForFullView({ newerThan: view });
    const after = rejoined.members.find((m) => m.id === lab.nodeId(1));
    expect(after?.incarnation).toBe((before?.incarnation ?? 0) + 1);
    const up = await lab.waitForLog(0, (event) => event.msg === 'peer up' && event['peer'] === lab.nodeId(1), { what: 'b up again', since: since[0] ?? 0 });
    expect(up['incarnation']).toBe(after?.incarnation);
  });
});
