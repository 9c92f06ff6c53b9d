// Goal: the quorum disk and disk fencing wired into the daemon (heartline.yaml `storage`): in a
// two-node cluster split in two (every heartbeat link cut), only the node holding the quorum-disk
// lease keeps quorum, so only it fences, and it fences the other node; the loser, without quorum,
// never fences the lease holder. Method: a DaemonLab of two real daemons with the lab's fence
// program (it kills every process of the target's namespace) and `storage: { disk_fencing,
// quorum_disk }` on one LoopDisk initialized for nodes a and b (watchdog 2 s), with the watchdog
// stand-in per node (`{node}` in its path) and its harness as the hardware. Repeated
// HEARTLINE_QDISK_RUNS times (default 2), each on a fresh lab and disk.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runCommand } from '../../../src/testbed/command.js';
import { DaemonLab } from '../../../src/testbed/daemon-lab.js';
import { LoopDisk } from '../../../src/testbed/loop-disk.js';
import { WatchdogHarness } from '../../../src/testbed/watchdog-harness.js';
import { eventually, sleep } from '../harness/eventually.js';
import { builtCli } from '../harness/fixture-program.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

const RUNS = Number(process.env['HEARTLINE_QDISK_RUNS'] ?? 2);

describeWithPrerequisites('quorum disk in the daemon: a full split of a two-node cluster', ['root', 'ip', 'iptables', 'setpriv', 'losetup'], () => {
  let lab: DaemonLab | undefined;
  let disk: LoopDisk | undefined;
  let folder: string | undefined;
  const harnesses: WatchdogHarness[] = [];

  afterEach(async () => {
    for (const harness of harnesses.splice(0)) harness.stop();
    await lab?.destroy();
    await disk?.destroy();
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
    lab = undefined;
    disk = undefined;
    folder = undefined;
  });

  const daemonRunning = (node: number): boolean => {
    try {
      lab?.daemon(node);
      return true;
    } catch {
      return false;
    }
  };

  it(`only the lease holder keeps quorum and fences; the other never fences it (${RUNS} runs)`, async () => {
    const outcomes: string[] = [];
    let lostQuorumSeen = 0;
    for (let run = 0; run < RUNS; run++) {
      folder = await mkdtemp(join(tmpdir(), 'heartline-qdisk-test-'));
      disk = await LoopDisk.create(1024 * 1024);
      await runCommand(process.execPath, [builtCli, 'storage', 'disk-init', disk.device, '--nodes', 'a,b', '--watchdog-timeout', '2s']);
      const standIn = join(folder, '{node}-watchdog.json');
      lab = await DaemonLab.create({
        nodes: 2,
        links: ['crossover'],
        serial: false,
        linkKind: 'udp-unicast',
        cliPath: builtCli,
        fencing: true,
        storageSection: { disk_fencing: { device: disk.device, watchdog_stand_in: standIn }, quorum_disk: { device: disk.device } },
      });
      const current = lab;
      for (const node of [0, 1]) harnesses.push(new WatchdogHarness({ path: standIn.replace('{node}', current.nodeName(node)), onReset: () => current.net.powerLoss(node) }).start());
      await lab.waitForFullView({ timeoutMs: 20_000 });
      // The lease is taken within a few loops of the start.
      const holderName = await eventually(
        async () => {
          const dump = JSON.parse(await runCommand(process.execPath, [builtCli, 'storage', 'disk-dump', (disk as LoopDisk).device, '--json'])) as { lease: { owner: string } | null };
          return dump.lease?.owner === 'a' || dump.lease?.owner === 'b' ? dump.lease.owner : undefined;
        },
        { what: 'a node holds the quorum lease', timeoutMs: 15_000, intervalMs: 250 },
      );
      await sleep(1000);
      const holder = holderName === 'a' ? 0 : 1;
      const loser = 1 - holder;

      await lab.cutAllLinks();
      await eventually(() => (daemonRunning(loser) ? undefined : true), {
        what: `run ${run + 1}: the node without the lease (${lab.nodeName(loser)}) is fenced`,
        timeoutMs: 30_000,
        intervalMs: 100,
        describe: () => `${existsSync(current.fenceLog) ? readFileSync(current.fenceLog, 'utf8') : 'no fence log'}\n${current.describeLogs(0, 20)}\n${current.describeLogs(1, 20)}`,
      });
      await sleep(3000);
      expect(daemonRunning(holder), `run ${run + 1}: the lease holder survives`).toBe(true);
      // The lease decided quorum: the holder kept it; the loser, if it saw the split before it was
      // fenced (the holder may fence it first), lost it and never held it.
      const decided = (node: number): unknown[] => current.logEvents(node).filter((event) => event['decidedBy'] === 'quorum disk').map((event) => event.msg);
      expect(decided(holder)).toContain('quorum held');
      expect(decided(loser)).not.toContain('quorum held');
      if (decided(loser).includes('no quorum')) lostQuorumSeen++;
      const fences = readFileSync(lab.fenceLog, 'utf8').split('\n').filter((line) => line.trim() !== '');
      expect(fences.length).toBeGreaterThan(0);
      for (const line of fences) expect(line, `run ${run + 1}: only the node without the lease is fenced`).toMatch(new RegExp(` ${lab.nodeName(loser)} rc=0$`));
      expect(harnesses[holder]?.reset, 'the holder was never reset by its watchdog').toBeUndefined();
      outcomes.push(`${lab.nodeName(holder)} held the lease and fenced ${lab.nodeName(loser)}`);
      for (const harness of harnesses.splice(0)) harness.stop();
      await lab.destroy();
      await disk.destroy();
      await rm(folder, { recursive: true, force: true });
      lab = undefined;
      disk = undefined;
      folder = undefined;
    }
    console.log(`quorum-disk split runs: ${outcomes.join('; ')}; the loser logged its loss of quorum in ${lostQuorumSeen} of ${RUNS}`);
    expect(outcomes).toHaveLength(RUNS);
  }, 90_000 * RUNS);
});
