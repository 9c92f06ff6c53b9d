// Goal: the shared-disk failover of issue 7 on three nodes, where quorum is a majority (no
// two_node rule): the group moves to one of the two others, the disk is never mounted on two of
// the three, and no acknowledged record is lost. Method: StorageCluster with three nodes on two
// switch links, an ext4 WITHOUT multi-mount protection (so only membership, quorum and fencing
// keep the disk single, and a power loss costs no MMP waits), each node's path to the disk a FUSE
// pass-through that its power loss stops (so the dead node writes nothing more), MountWatch over
// all three mount tables every 50 ms. Faults: a power loss of the active node (its disk path cut first),
// then the active node cut off from both others (every NIC down: the minority of one, without
// quorum, while the majority fences it and takes over).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../harness/eventually.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { STORAGE_CLUSTER_PREREQUISITES, StorageCluster } from './storage-cluster.js';

describeWithPrerequisites('shared storage on three nodes: Filesystem + RecordWriter on one loop disk, majority quorum', [...STORAGE_CLUSTER_PREREQUISITES, 'python3-fuse'], () => {
  let cluster: StorageCluster | undefined;
  const sc = (): StorageCluster => cluster as StorageCluster;

  beforeAll(async () => {
    cluster = await StorageCluster.create({ label: `hl3n${process.pid}`, nodes: 3, mmp: false, diskPath: 'fuse' });
  }, 150_000);

  afterAll(async () => {
    await cluster?.destroy();
  }, 60_000);

  it('runs the group on exactly one of the three nodes', async () => {
    const active = await sc().activeNode();
    await sc().waitAck({ since: Date.now(), node: sc().lab.nodeName(active) });
    expect(sc().watch.sample()).toEqual([sc().lab.nodeName(active)]);
    sc().expectNoDoubleMount();
  });

  it('power loss of the active node: one of the two others serves, every acknowledged record kept', async () => {
    const { lab } = sc();
    const active = await sc().activeNode();
    await sc().waitAck({ since: Date.now(), node: lab.nodeName(active) });
    const lostAt = await sc().powerLoss(active);
    const ackedBefore = sc().highestAck();
    const served = await sc().waitAck({ since: lostAt, notNode: lab.nodeName(active), timeoutMs: 90_000 });
    const survivor = await sc().activeNode();
    expect(survivor).not.toBe(active);
    const { problems, records } = await sc().recordProblems(survivor, ackedBefore);
    console.log(`three nodes, power loss of ${lab.nodeName(active)}: writes again on ${lab.nodeName(survivor)} after ${served.at - lostAt} ms; acknowledged before ${ackedBefore}, records ${records}`);
    expect(problems).toEqual([]);
    expect(sc().fenceLog()).toContainEqual(expect.stringMatching(new RegExp(`^(off|reboot) ${lab.nodeName(active)} rc=0$`)));
    sc().expectNoDoubleMount();
    await sc().powerOn(active);
    await lab.start(active);
    await lab.waitForFullView({ timeoutMs: 60_000 });
  }, 180_000);

  it('the active node cut off from both others: the majority fences it and takes over, never mounted twice', async () => {
    const { lab, watch } = sc();
    const active = await sc().activeNode();
    const daemon = lab.daemon(active);
    await sc().waitAck({ since: Date.now(), node: lab.nodeName(active) });
    const fencesBefore = sc().fenceLog().length;
    const cutAt = await lab.cutAllLinks(active);
    await daemon.exited;
    const ackedBefore = sc().highestAck();
    const served = await sc().waitAck({ since: cutAt, notNode: lab.nodeName(active), timeoutMs: 90_000 });
    const survivor = await sc().activeNode();
    expect(survivor).not.toBe(active);
    // Exactly one fence, of the isolated node (a node without quorum fences nobody).
    expect(await sc().fencesSince(fencesBefore)).toEqual([expect.stringMatching(new RegExp(`^(off|reboot) ${lab.nodeName(active)} rc=0$`))]);
    const { problems, records } = await sc().recordProblems(survivor, ackedBefore);
    console.log(`three nodes, ${lab.nodeName(active)} isolated: fenced, writes again on ${lab.nodeName(survivor)} after ${served.at - cutAt} ms; records ${records}; mount watch ${watch.samples} samples, double mounts ${watch.violations.length}`);
    expect(problems).toEqual([]);
    sc().expectNoDoubleMount();
    await lab.restoreAllLinks(active);
    await lab.start(active);
    await lab.waitForFullView({ timeoutMs: 60_000 });
    // The node back in the cluster does not take the group (stickiness), and nothing mounts it there.
    await sc().waitAck({ since: Date.now(), node: lab.nodeName(survivor) });
    await eventually(() => (watch.sample().length === 1 ? true : undefined), { what: 'the disk mounted on one node', timeoutMs: 10_000, intervalMs: 100 });
    expect(watch.sample()).toEqual([lab.nodeName(survivor)]);
  }, 180_000);

  it('after the group stops, the filesystem is clean (e2fsck -fn)', async () => {
    const survivor = await sc().activeNode();
    expect(await sc().stopAndCheck(survivor)).toMatch(/clean|files/);
    sc().expectNoDoubleMount();
  }, 120_000);
});
