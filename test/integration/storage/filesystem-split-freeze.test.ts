// Goal: the two faults in which a shared disk is most at risk of being mounted twice (issue 7): a
// full split of every heartbeat link (both nodes alive, each sure the other is gone) and a frozen
// active node (SIGSTOP of everything it runs: a hung machine that may wake up still believing it
// owns the disk). Method: StorageCluster (two nodes in namespaces, each daemon in its own mount
// namespace, one loop device per node over one ext4 + MMP, the group Filesystem + IPaddr2 +
// RecordWriter, a client appending every 20 ms through the floating address); MountWatch samples
// both nodes' mount tables every 50 ms for the whole file and any sample with the disk on both
// fails it. After every fault exactly one node has the disk mounted and the writer answers from
// it, and every acknowledged record (number and node) is in the file; at the end e2fsck -fn finds
// the filesystem clean. And MMP itself refuses a direct mount on the passive node.
//
// Split: the passive node's NICs go down (every heartbeat link, the client's switch among them).
// The lab's `fencing.command` has no race delay, so the lab's fence device delays fencing of the
// active node (pcmk_delay_base's role, see DaemonLab.setFenceDelay): the active node wins, fences
// the passive one and the service never moves. Freeze: SIGSTOP of every process of the active
// node's namespace (as powerLoss lists them), its links and mount staying; the survivor fences it
// (SIGKILL of its processes, which ends its mount namespace and so its mount) and takes over;
// then SIGCONT to every frozen PID.
// HEARTLINE_STORAGE_FAILOVER_RUNS (default 2 here: one of each fault; CI keeps it small) sets the
// number of splits and of freezes, alternating.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, sleep } from '../harness/eventually.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { STORAGE_CLUSTER_PREREQUISITES, StorageCluster } from './storage-cluster.js';

const RUNS = Number(process.env['HEARTLINE_STORAGE_FAILOVER_RUNS'] ?? '2');
/** The favoured node's fence delay in a split: longer than detection skew plus the lab's fence (a few hundred ms). */
const FENCE_DELAY_MS = 5000;
/** How long the test watches after a fault has settled (the frozen node resumed, the loser fenced) for a second mount. */
const SETTLE_MS = 3000;

describeWithPrerequisites('shared storage safety: a full split and a frozen active node never mount the disk twice', [...STORAGE_CLUSTER_PREREQUISITES], () => {
  let cluster: StorageCluster | undefined;
  const sc = (): StorageCluster => cluster as StorageCluster;

  beforeAll(async () => {
    cluster = await StorageCluster.create({ label: `hs${process.pid}` });
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
  }, 60_000);

  it('MMP refuses a direct mount in the passive node\'s mount namespace while the active node has the disk (EBUSY)', async () => {
    const { lab } = sc();
    const active = await sc().activeNode();
    const attempt = await sc().tryMount(1 - active);
    console.log(`MMP: mount on ${lab.nodeName(1 - active)} while ${lab.nodeName(active)} has the disk: exit ${attempt.code} after ${attempt.ms} ms: ${attempt.output}\nkernel: ${attempt.kernel}`);
    // mount(8) exit 32 is "mount failure"; the kernel's EBUSY reads "already mounted or mount point busy".
    expect(attempt.code, attempt.output).toBe(32);
    expect(attempt.output).toMatch(/already mounted or mount point busy/);
    expect(attempt.kernel).toMatch(/Device is already active on another node/);
    expect(sc().watch.sample()).toEqual([lab.nodeName(active)]);
    sc().expectNoDoubleMount();
  }, 90_000);

  it(`${RUNS} faults (full split / frozen active node, alternating): never mounted twice, then one node serves with every acknowledged record`, async () => {
    const { lab, watch } = sc();
    const report: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const kind = run % 2 === 0 ? 'full split' : 'frozen active node';
      const active = await sc().activeNode();
      const other = 1 - active;
      await sc().waitAck({ since: Date.now(), node: lab.nodeName(active) });
      const fencesBefore = sc().fenceLog().length;
      let line: string;
      if (kind === 'full split') {
        await lab.setFenceDelay(active, FENCE_DELAY_MS);
        // The passive node's NICs go down: every heartbeat link, and the client's switch with them,
        // so that the client keeps reaching the active node (cutting the active's is in STORAGE.md).
        const cutAt = await lab.cutAllLinks(other);
        await eventually(() => (sc().daemonRunning(other) ? undefined : true), {
          what: `run ${run + 1}: the passive node ${lab.nodeName(other)} is fenced in the split`,
          timeoutMs: 30_000,
          intervalMs: 50,
          describe: () => `${sc().fenceLog().join('\n')}\n${lab.describeLogs(0, 20)}\n${lab.describeLogs(1, 20)}`,
        });
        const fencedAfter = Date.now() - cutAt;
        await sleep(SETTLE_MS);
        expect(sc().daemonRunning(active), `run ${run + 1}: the active node survives the split`).toBe(true);
        expect(await sc().fencesSince(fencesBefore)).toEqual([expect.stringMatching(new RegExp(`^(off|reboot) ${lab.nodeName(other)} rc=0$`))]);
        // The disk stays where it was (a failed floating address may have stopped the writer, not the mount).
        expect(watch.sample().filter((node) => node !== lab.nodeName(active))).toEqual([]);
        expect(sc().acks.filter((a) => a.at >= cutAt && a.node === lab.nodeName(other))).toEqual([]);
        await lab.setFenceDelay(active, 0);
        const restoredAt = Date.now();
        await lab.restoreAllLinks(other);
        await lab.start(other);
        await lab.waitForFullView({ timeoutMs: 60_000 });
        // Exactly one node serves again, the active one, with every record acknowledged so far.
        const served = await sc().waitAck({ since: Date.now(), timeoutMs: 90_000 });
        const server = await sc().activeNode();
        const acksDuringSplit = sc().acks.filter((a) => a.at >= cutAt && a.at <= restoredAt && a.node === lab.nodeName(active)).length;
        const ackedBefore = sc().highestAck();
        const { problems, records } = await sc().recordProblems(server, ackedBefore);
        line = `run ${run + 1}/${RUNS} (full split, ${lab.nodeName(other)}'s NICs down, ${lab.nodeName(active)} active): ${lab.nodeName(other)} fenced ${fencedAfter} ms after the cut; ${acksDuringSplit} records acknowledged by ${lab.nodeName(active)} during the split; serving on ${lab.nodeName(server)} ${served.at - cutAt} ms after the cut (links back and the fenced node restarted after ${SETTLE_MS} ms); records ${records}; double mounts ${watch.violations.length}`;
        expect(problems, line).toEqual([]);
        expect(server, line).toBe(active);
      } else {
        const daemon = lab.daemon(active);
        const frozen = await lab.net.freeze(active);
        const ackedBefore = sc().highestAck();
        const served = await sc().waitAck({ since: frozen.atMs, node: lab.nodeName(other), timeoutMs: 150_000 });
        // The survivor fenced the frozen node before it mounted: the frozen processes are gone.
        await daemon.exited;
        expect(await sc().fencesSince(fencesBefore)).toEqual([expect.stringMatching(new RegExp(`^(off|reboot) ${lab.nodeName(active)} rc=0$`))]);
        const resumed = lab.net.thaw(frozen.pids);
        await sleep(SETTLE_MS);
        expect(watch.sample()).toEqual([lab.nodeName(other)]);
        // Nothing the frozen node had acknowledged is answered from it after the thaw.
        expect(sc().acks.filter((a) => a.at > served.at && a.node === lab.nodeName(active))).toEqual([]);
        const { problems, records } = await sc().recordProblems(other, ackedBefore);
        line = `run ${run + 1}/${RUNS} (frozen ${lab.nodeName(active)}: ${frozen.pids.length} processes stopped): writes again on ${lab.nodeName(other)} after ${served.at - frozen.atMs} ms; ${resumed.length} processes left to resume; acknowledged before ${ackedBefore}, first after ${String(served.ack)}, records ${records}; double mounts ${watch.violations.length}`;
        expect(resumed, line).toEqual([]);
        expect(problems, line).toEqual([]);
        expect(served.ack).toBeGreaterThan(ackedBefore);
        // Its power comes back as after a reboot: the floating address it had is gone.
        await lab.net.powerOn(active);
        await lab.start(active);
      }
      report.push(line);
      console.log(line);
      sc().expectNoDoubleMount();
      await lab.waitForFullView({ timeoutMs: 60_000 });
    }
    console.log(`mount watch: ${watch.samples} samples, mounted per node ${JSON.stringify(watch.mountedSamples)}, double mounts ${watch.violations.length}`);
    expect(report).toHaveLength(RUNS);
  }, RUNS * 180_000 + 60_000);

  it('after the group stops, the filesystem is clean (e2fsck -fn)', async () => {
    const survivor = await sc().activeNode();
    expect(await sc().stopAndCheck(survivor)).toMatch(/clean|files/);
    expect(sc().clientRunning).toBe(true);
    sc().expectNoDoubleMount();
  }, 120_000);
});
