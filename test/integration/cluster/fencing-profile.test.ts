// Goal: fencing through a hardware profile in the running cluster. Two daemons in network
// namespaces fence through the heartline-testbed profile (heartline.yaml fencing.profile): a
// simulated BMC per node (ipmi_sim, level 1) and a simulated APC rPDU (snmpd, level 2), whose
// power-off kills the target namespace's processes. Scenarios: power loss of the active node (the
// survivor fences it through the BMC and takes over); SIGSTOP of the active's daemon (fenced, never
// serves again); the BMC unreachable (level 2, the PDU, is used); every device unreachable (no
// takeover, status says why, then `heartline fence confirm` lets the survivor take over); an
// operator's `heartline fence NODE`; a full split of all heartbeat links (exactly one node survives
// and runs everything: the priority delay of the profile favours the node running the resource),
// repeated HEARTLINE_FENCE_RACE_RUNS times (default 3; the 20 by hand).
// Method: FencingLab (src/testbed/fencing-lab.ts: each simulator inside the namespace of the node
// that uses it, on its loopback), one fresh lab per scenario; outcomes from `status` over the
// control sockets, Dummy's state files, the fence history files and the built CLI.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { ClusterStatusReport } from '../../../src/daemon/index.js';
import { FenceHistory } from '../../../src/fence/index.js';
import { FencingLab } from '../../../src/testbed/fencing-lab.js';
import { eventually } from '../harness/eventually.js';
import { builtCli } from '../harness/fixture-program.js';
import { dummyPrimitive } from '../harness/dummy-resource.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

const RESOURCE = 'dummy';
const RACE_RUNS = Number(process.env['HEARTLINE_FENCE_RACE_RUNS'] ?? '3');

// Stays where it runs when a node comes back or leaves standby; the priority fence delay favours the node running it in a split.
const dummy = dummyPrimitive(RESOURCE, { meta: { priority: '10' } });

describeWithPrerequisites('fencing through the heartline-testbed profile in a running cluster', ['root', 'ip', 'iptables', 'setpriv', 'ss', 'ipmi_sim', 'ipmitool', 'snmpd', 'snmpget'], () => {
  let fl: FencingLab | undefined;

  afterEach(async () => {
    await fl?.destroy();
    fl = undefined;
  });

  const status = async (lab: FencingLab, node: number): Promise<ClusterStatusReport> => {
    const answer = await lab.lab.request(node, 'status');
    if (!answer.ok) throw new Error(`status on ${lab.lab.nodeName(node)}: ${answer.error.message}`);
    return answer.result as ClusterStatusReport;
  };
  const stateFile = (lab: FencingLab, node: number): string => join(lab.lab.rscTmpDir(node), `Dummy-${RESOURCE}.state`);
  const runningOn = (lab: FencingLab): number[] => [0, 1].filter((node) => existsSync(stateFile(lab, node)));
  const daemonRunning = (lab: FencingLab, node: number): boolean => {
    try {
      lab.lab.daemon(node);
      return true;
    } catch {
      return false;
    }
  };

  /** A fresh lab with the Dummy started; resolves with the lab and the node running it. */
  const startWithDummy = async (): Promise<{ lab: FencingLab; active: number; survivor: number }> => {
    const lab = await FencingLab.create({ cliPath: builtCli });
    fl = lab;
    const answer = await lab.lab.request(0, 'cib-change', { change: { op: 'put-resource', resource: dummy }, user: 'root', client: 'integration-test' });
    expect(answer.ok, JSON.stringify(answer)).toBe(true);
    const active = await eventually(
      async () => {
        const reports = await Promise.all([0, 1].map((node) => status(lab, node)));
        const where = reports.map((r) => r.resources.find((x) => x.id === RESOURCE)?.active.map((a) => a.node) ?? []);
        const running = runningOn(lab);
        if (running.length !== 1 || !where.every((w) => w.length === 1 && w[0] === lab.lab.nodeName(running[0] as number))) return undefined;
        return running[0];
      },
      { what: 'dummy started on one node, seen by both', timeoutMs: 30_000, intervalMs: 100, describe: () => `${lab.lab.describeLogs(0)}\n${lab.lab.describeLogs(1)}` },
    );
    return { lab, active: active, survivor: 1 - (active) };
  };

  const waitRunningOn = (lab: FencingLab, node: number, what: string, timeoutMs = 40_000): Promise<true> =>
    eventually(
      async () => {
        const report = await status(lab, node);
        const active = report.resources.find((x) => x.id === RESOURCE)?.active.map((a) => a.node) ?? [];
        return active.length === 1 && active[0] === lab.lab.nodeName(node) && existsSync(stateFile(lab, node)) ? true : undefined;
      },
      { what, timeoutMs, intervalMs: 100, describe: () => lab.lab.describeLogs(node, 25) },
    );

  const history = (lab: FencingLab, node: number) => {
    const opened = FenceHistory.openReadOnly(lab.historyPath(node));
    if (!opened.ok) throw new Error(opened.error.message);
    try {
      return opened.value.list({});
    } finally {
      opened.value.close();
    }
  };

  it('power loss of the active node: the survivor fences it through its BMC and takes over', async () => {
    const { lab, active, survivor } = await startWithDummy();
    const activeName = lab.lab.nodeName(active);
    await lab.lab.net.powerLoss(active);
    await waitRunningOn(lab, survivor, 'dummy recovered on the survivor');
    // stonith-action is reboot: off verified, then on again.
    expect((await lab.bmc(active).events()).map((e) => e.words.slice(0, 2).join(' '))).toEqual(['power off', 'power on']);
    // a ran the resource (priority 10): the survivor waited out the profile's priority delay first.
    expect(lab.lab.logEvents(survivor).some((e) => e.msg === 'fence delayed' && /priority delay/.test(String(e['why'])))).toBe(true);
    const rows = history(lab, survivor);
    expect(rows[0]).toMatchObject({ target: activeName, ok: true, devices: [`bmc-${activeName}`], level: 1, requester: lab.lab.nodeName(survivor) });
    const report = await status(lab, survivor);
    expect(report.nodes.find((n) => n.name === activeName)?.state).toBe('offline');
    expect(report.fencing).toMatchObject({ configured: true, method: 'profile heartline-testbed' });
    expect(report.fencing.recent.at(-1)).toMatchObject({ target: activeName, ok: true, detail: `bmc-${activeName}` });
    const cli = await lab.lab.cliRun(survivor, ['fence', 'history', '--history', lab.historyPath(survivor)], { socket: false });
    expect(cli.stdout).toContain(`bmc-${activeName}`);
  }, 120_000);

  it("SIGSTOP of the active's daemon: it is fenced and never serves again", async () => {
    const { lab, active, survivor } = await startWithDummy();
    await lab.lab.stop(active);
    await waitRunningOn(lab, survivor, 'dummy recovered on the survivor');
    await eventually(() => (daemonRunning(lab, active) ? undefined : true), { what: 'the frozen daemon is gone (powered off)', timeoutMs: 10_000, intervalMs: 100 });
    expect(runningOn(lab)).toEqual([survivor]);
    expect(history(lab, survivor)[0]).toMatchObject({ target: lab.lab.nodeName(active), ok: true, level: 1 });
  }, 120_000);

  it('the BMC does not answer: level 2 (the PDU outlet) fences the node', async () => {
    const { lab, active, survivor } = await startWithDummy();
    const activeName = lab.lab.nodeName(active);
    lab.bmc(active).signal('SIGSTOP');
    await lab.lab.net.powerLoss(active);
    await waitRunningOn(lab, survivor, 'dummy recovered on the survivor after level 2', 90_000);
    const row = history(lab, survivor)[0];
    expect(row).toMatchObject({ target: activeName, ok: true, devices: ['pdu'], level: 2 });
    expect(row?.attempts.some((a) => a.device === `bmc-${activeName}` && !a.ok)).toBe(true);
    // stonith-action is reboot: the outlet went off (verified), then on again.
    expect((await lab.pduUsedBy(survivor).events()).map((e) => e.words.join(' '))).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^outlet ${active + 1} off`)) as unknown]));
  }, 150_000);

  it('every device unreachable: no takeover, status says why; a person confirms and the survivor takes over', async () => {
    const { lab, active, survivor } = await startWithDummy();
    const activeName = lab.lab.nodeName(active);
    lab.bmc(active).signal('SIGSTOP');
    lab.pduUsedBy(survivor).signal('SIGSTOP');
    await lab.lab.net.powerLoss(active);
    const failed = await eventually(
      async () => {
        const report = await status(lab, survivor);
        const node = report.nodes.find((n) => n.name === activeName);
        return node !== undefined && 'fenceFailure' in node && node.fenceFailure !== undefined ? report : undefined;
      },
      { what: 'status on the survivor shows the failed fence', timeoutMs: 90_000, intervalMs: 250, describe: () => lab.lab.describeLogs(survivor, 25) },
    );
    const resource = failed.resources.find((r) => r.id === RESOURCE);
    expect(resource?.active.map((a) => a.node)).toEqual([activeName]);
    expect(resource && 'waitingForFence' in resource ? resource.waitingForFence : undefined).toMatch(new RegExp(`stays on ${activeName} until ${activeName} is fenced \\(the last fence of ${activeName} failed: every fence level`));
    expect(existsSync(stateFile(lab, survivor))).toBe(false);
    const text = (await lab.lab.cliRun(survivor, ['status'])).stdout;
    expect(text).toContain(`${activeName}: FENCE FAILED`);
    expect(history(lab, survivor).every((row) => !row.ok)).toBe(true);
    // A person verified the power is off.
    const refused = await lab.lab.cliRun(survivor, ['fence', 'confirm', activeName]);
    expect(refused.code).toBe(2);
    const confirmed = await lab.lab.cliRun(survivor, ['fence', 'confirm', activeName, '--yes']);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    await waitRunningOn(lab, survivor, 'dummy recovered after the confirmation');
    expect(history(lab, survivor).find((row) => row.ok)).toMatchObject({ target: activeName, ok: true, note: expect.stringMatching(/^confirmed by .*@/) as unknown });
  }, 180_000);

  it('heartline fence NODE: an operator fences the active node; the other takes over', async () => {
    const { lab, active: first } = await startWithDummy();
    // The active node is made the DC: fencing the DC while it is still a member is the case where
    // the survivor, DC only once membership has lost the node, must know it was fenced already.
    const view = await lab.lab.view(0);
    if (view === null) throw new Error('node a is in no view');
    const active = view.dc - 1;
    const survivor = 1 - active;
    const activeName = lab.lab.nodeName(active);
    if (first !== active) {
      const moved = await lab.lab.cliRun(survivor, ['resource', 'move', RESOURCE, activeName]);
      expect(moved.code, moved.stderr).toBe(0);
      await waitRunningOn(lab, active, 'dummy moved to the DC');
    }
    const self = await lab.lab.cliRun(survivor, ['fence', lab.lab.nodeName(survivor), '--yes']);
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/does not fence itself/);
    const cursor = lab.lab.cursor(survivor);
    const done = await lab.lab.cliRun(survivor, ['fence', activeName, '--yes', '--json']);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ ok: true, target: activeName, action: 'off', device: `bmc-${activeName}` });
    expect(daemonRunning(lab, active)).toBe(false);
    await waitRunningOn(lab, survivor, 'dummy recovered after the operator fenced its node');
    // Membership loses the fenced node only after deadtime, and the DC plans again then: that plan
    // must not fence the node once more (it was fenced while still a member, in this incarnation).
    // When membership loses it before the operator's fence has verified the power off, the DC's
    // fence joins the operator's (no second device action). A plan with nothing to do logs
    // nothing, so the DC is given a window after the view change that a second fence (planned
    // within ~50 ms, done by the BMC within ~1 s) would not miss.
    await lab.lab.waitForLog(survivor, (e) => e.msg === 'peer declared dead', { what: 'the fenced node declared dead', since: cursor, timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(history(lab, survivor).filter((row) => row.target === activeName)).toEqual([expect.objectContaining({ ok: true, requester: expect.stringMatching(/@/) as unknown })]);
    expect((await lab.bmc(active).events()).filter((event) => event.words[1] === 'off')).toHaveLength(1);
    expect(runningOn(lab)).toEqual([survivor]);
  }, 120_000);

  it(`a full split of every heartbeat link: exactly one node survives and runs everything (${RACE_RUNS} runs)`, async () => {
    const outcomes: string[] = [];
    for (let run = 0; run < RACE_RUNS; run++) {
      const { lab, active } = await startWithDummy();
      await lab.lab.cutAllLinks();
      // Both sides lose each other; the one not running the resource waits out the priority delay.
      await eventually(() => ([0, 1].filter((node) => daemonRunning(lab, node)).length === 1 ? true : undefined), {
        what: `run ${run + 1}: one daemon is left`,
        timeoutMs: 30_000,
        intervalMs: 100,
        describe: () => `${lab.lab.describeLogs(0, 20)}\n${lab.lab.describeLogs(1, 20)}`,
      });
      // It stays that way: the loser was powered off before it could fence.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const alive = [0, 1].filter((node) => daemonRunning(lab, node));
      expect(alive, `run ${run + 1}`).toHaveLength(1);
      const winner = alive[0] as number;
      await waitRunningOn(lab, winner, `run ${run + 1}: the survivor runs the resource`);
      expect(runningOn(lab)).toEqual([winner]);
      outcomes.push(`${lab.lab.nodeName(winner)}${winner === active ? ' (was active)' : ' (took over)'}`);
      // The priority delay favours the node running the resource: it wins and nothing moves.
      expect(winner, `run ${run + 1}: the node running the resource survives`).toBe(active);
      await lab.destroy();
      fl = undefined;
    }
    console.log(`full-split runs: ${outcomes.join(', ')}`);
    expect(outcomes).toHaveLength(RACE_RUNS);
  }, 120_000 + RACE_RUNS * 60_000);
});
