// Goal: the parts of ocf:heartline:LVMActivate this machine cannot run for real: a successful
// activation (the kernel has no device-mapper targets) and shared activation through lvmlockd (no
// lvmlockd, dlm or sanlock here). Exclusive (system ID): start activates with lvchange -aey and
// monitor sees the volumes; another live node is refused while the owner has the VG; a clean stop
// deactivates, keeps the system ID and releases the VG, and the other node then takes it over;
// a power loss of the owner lets the survivor take over; monitor fails when the VG is taken away
// while its volumes are active; lvname activates one LV. Shared (lvmlockd, a clone): lockstart
// and lvchange -asy on every node, lockstop after the last volume goes, an exclusive activation
// refused while another node holds a shared lock, and the configuration errors. Method: the agent
// through the production AgentClassRunner, each node with test/fixtures/lvm/fake-lvm (lvm, vgs,
// lvchange, dmsetup, pgrep, ...) first on its PATH: a model of the VG metadata on the shared disk
// and of each node's device-mapper table and lvmlockd locks, with the texts of lvm2 2.03.16
// recorded where this machine can run them (the fixture's header says which). The real LVM side
// (system ID ownership on a loop device) is lvm-activate-agent.test.ts.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OcfRc } from '../../../src/ha/lrm/index.js';
import { LvmTestNode, MembersServer, lvmResource, membersView } from './lvm-test-nodes.js';

const fakeLvm = fileURLToPath(new URL('../../fixtures/lvm/fake-lvm', import.meta.url));
const FAKED = ['lvm', 'lvmconfig', 'vgs', 'lvs', 'vgchange', 'lvchange', 'dmsetup', 'pgrep'] as const;

describe('ocf:heartline:LVMActivate against recorded LVM fixtures (activation, lvmlockd)', () => {
  let dir: string;
  let members: MembersServer;
  const nodes = new Map<string, LvmTestNode>();

  const disk = (file: string): string => join(dir, 'disk', file);
  const nodeFile = (node: string, file: string): string => join(dir, node, file);
  const read = (file: string): Promise<string> => readFile(file, 'utf8').catch(() => '');
  const node = (name: string): LvmTestNode => {
    const found = nodes.get(name);
    if (found === undefined) throw new Error(`no test node ${name}`);
    return found;
  };
  /** The commands the fake LVM ran on `name` since the last call. */
  const calls = async (name: string): Promise<string[]> => {
    const lines = (await read(nodeFile(name, 'calls.log'))).split('\n').filter((line) => line !== '');
    await writeFile(nodeFile(name, 'calls.log'), '');
    return lines;
  };
  /** A VG on the shared disk: its LVs, system ID and lock type. */
  const makeVg = async (vg: string, lvs: readonly string[], systemId: string, lockType = ''): Promise<void> => {
    await writeFile(disk(`${vg}.lvs`), `${lvs.join('\n')}\n`);
    await writeFile(disk(`${vg}.systemid`), systemId);
    await writeFile(disk(`${vg}.tags`), '');
    await writeFile(disk(`${vg}.locktype`), lockType);
  };
  const exclusive = (vg: string, params: Record<string, string> = {}) => lvmResource(`lvm-${vg}`, { vgname: vg, vg_access_mode: 'system_id', socket: members.socketPath, ...params });
  const shared = (vg: string, params: Record<string, string> = {}) =>
    lvmResource(`lvm-${vg}:0`, { vgname: vg, vg_access_mode: 'lvmlockd', activation_mode: 'shared', ...params }, { 'clone-max': '2', 'clone-node-max': '1' });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heartline-lvm-fixtures-'));
    await mkdir(join(dir, 'disk'));
    members = await MembersServer.listen(join(dir, 'heartline.sock'));
    for (const name of ['nodeA', 'nodeB']) {
      const created = await LvmTestNode.create(name, join(dir, name));
      for (const command of FAKED) await symlink(fakeLvm, join(created.bin, command));
      await writeFile(nodeFile(name, 'system_id'), name);
      await writeFile(nodeFile(name, 'system_id_source'), 'lvmlocal');
      await writeFile(nodeFile(name, 'dm'), '');
      nodes.set(name, created);
    }
  });

  afterAll(async () => {
    await members?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  describe('vg_access_mode=system_id (exclusive)', () => {
    it('activates on its owner, refuses a live other node, and moves after a clean stop', async () => {
      await makeVg('vgx', ['data', 'logs'], '');
      await calls('nodeA');
      members.set(membersView('nodeA', { nodeB: 'alive' }));
      expect((await node('nodeA').run(exclusive('vgx'), 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
      const started = await node('nodeA').run(exclusive('vgx'), 'start');
      expect(started.rc, started.exitReason).toBe(OcfRc.SUCCESS);
      expect(await calls('nodeA')).toEqual(expect.arrayContaining(['vgchange -y --systemid nodeA vgx', 'vgchange --setautoactivation n vgx', 'lvchange -aey vgx']));
      expect(await read(disk('vgx.systemid'))).toBe('nodeA');
      expect(await read(nodeFile('nodeA', 'active'))).toBe('vgx data\nvgx logs\n');
      expect((await node('nodeA').run(exclusive('vgx'), 'monitor', { intervalMs: 30_000 })).rc).toBe(OcfRc.SUCCESS);
      expect((await node('nodeA').run(exclusive('vgx'), 'start')).rc).toBe(OcfRc.SUCCESS);

      members.set(membersView('nodeB', { nodeA: 'alive' }));
      const refused = await node('nodeB').run(exclusive('vgx'), 'start');
      expect(refused.rc).toBe(OcfRc.ERR_GENERIC);
      expect(refused.exitReason).toContain('it is owned by nodeA, a live member of the cluster');
      expect(await read(nodeFile('nodeB', 'active'))).toBe('');

      const stopped = await node('nodeA').run(exclusive('vgx'), 'stop');
      expect(stopped.rc, stopped.exitReason).toBe(OcfRc.SUCCESS);
      expect(await read(nodeFile('nodeA', 'active'))).toBe('');
      expect(await read(disk('vgx.systemid'))).toBe('nodeA');
      expect(await read(disk('vgx.tags'))).toBe('heartline_released');
      const after = await node('nodeA').run(exclusive('vgx'), 'monitor', { intervalMs: 30_000 });
      expect(after.rc).toBe(OcfRc.NOT_RUNNING);
      expect(after.exitReason).toBe('vgx is not active on this node');

      const moved = await node('nodeB').run(exclusive('vgx'), 'start');
      expect(moved.rc, moved.exitReason).toBe(OcfRc.SUCCESS);
      expect(moved.stderr).toContain('taking volume group vgx over from nodeA: nodeA released it when it stopped');
      expect(await calls('nodeB')).toEqual(expect.arrayContaining(['vgchange -y --config local/extra_system_ids=["nodeA"] --systemid nodeB vgx', 'vgchange --deltag heartline_released vgx', 'lvchange -aey vgx']));
      expect(await read(disk('vgx.systemid'))).toBe('nodeB');
      expect(await read(disk('vgx.tags'))).toBe('');
      expect((await node('nodeB').run(exclusive('vgx'), 'monitor', { intervalMs: 30_000 })).rc).toBe(OcfRc.SUCCESS);

    });

    it('after a power loss of the owner (not a live member any more) the survivor takes over', async () => {
      // nodeB owns vgx with its volumes active (the test before) and loses its power: its device-mapper
      // table dies with it, the VG on the disk still says nodeB, and it never released it.
      await writeFile(nodeFile('nodeB', 'active'), '');
      members.set(membersView('nodeA', { nodeB: 'dead' }));
      const started = await node('nodeA').run(exclusive('vgx'), 'start');
      expect(started.rc, started.exitReason).toBe(OcfRc.SUCCESS);
      expect(started.stderr).toContain('its owner nodeB is not a live member of the cluster (status dead, not in view): fenced or down');
      expect(await read(disk('vgx.systemid'))).toBe('nodeA');
      expect(await read(nodeFile('nodeA', 'active'))).toBe('vgx data\nvgx logs\n');
    });

    it('monitor fails when the VG is taken from this node while its volumes are active', async () => {
      await writeFile(disk('vgx.systemid'), 'nodeB');
      const monitored = await node('nodeA').run(exclusive('vgx'), 'monitor', { intervalMs: 30_000 });
      expect(monitored.rc).toBe(OcfRc.ERR_GENERIC);
      expect(monitored.exitReason).toBe("vgx is active here but volume group vgx is now owned by 'nodeB', not by this node (nodeA)");
      await writeFile(disk('vgx.systemid'), 'nodeA');
      expect((await node('nodeA').run(exclusive('vgx'), 'stop')).rc).toBe(OcfRc.SUCCESS);
    });

    it('lvname activates and deactivates that LV only; the VG is released when none of its LVs stays active', async () => {
      await makeVg('vgl', ['data', 'logs'], 'nodeA');
      const one = exclusive('vgl', { lvname: 'logs' });
      expect((await node('nodeA').run(one, 'start')).rc).toBe(OcfRc.SUCCESS);
      expect(await read(nodeFile('nodeA', 'active'))).toBe('vgl logs\n');
      expect((await node('nodeA').run(exclusive('vgl', { lvname: 'data' }), 'monitor', { intervalMs: 30_000 })).rc).toBe(OcfRc.NOT_RUNNING);
      expect((await node('nodeA').run(one, 'monitor', { intervalMs: 30_000 })).rc).toBe(OcfRc.SUCCESS);
      expect((await node('nodeA').run(exclusive('vgl', { lvname: 'nope' }), 'start')).exitReason).toBe('logical volume nope is not in volume group vgl');
      expect((await node('nodeA').run(one, 'stop')).rc).toBe(OcfRc.SUCCESS);
      expect(await read(nodeFile('nodeA', 'active'))).toBe('');
      expect(await read(disk('vgl.tags'))).toBe('heartline_released');
    });

    it('refuses what a system ID cannot do: a clone, shared activation, a shared VG; a missing VG is not running in a probe', async () => {
      const clone = await node('nodeA').run(lvmResource('c', { vgname: 'vgl', vg_access_mode: 'system_id' }, { 'clone-max': '2' }), 'start');
      expect(clone.rc).toBe(OcfRc.ERR_CONFIGURED);
      expect(clone.exitReason).toContain('run it as a primitive');
      const sharedMode = await node('nodeA').run(exclusive('vgl', { activation_mode: 'shared' }), 'start');
      expect(sharedMode.rc).toBe(OcfRc.ERR_CONFIGURED);
      expect(sharedMode.exitReason).toContain('activation_mode=shared needs vg_access_mode=lvmlockd');
      await makeVg('vgd', ['data'], '', 'dlm');
      const sharedVg = await node('nodeA').run(exclusive('vgd'), 'start');
      expect(sharedVg.rc).toBe(OcfRc.ERR_CONFIGURED);
      expect(sharedVg.exitReason).toBe('volume group vgd is a shared VG (lock type dlm): use vg_access_mode=lvmlockd');
      expect((await node('nodeA').run(exclusive('nothere'), 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
      const missing = await node('nodeA').run(exclusive('nothere'), 'start');
      expect(missing.rc).toBe(OcfRc.ERR_GENERIC);
      expect(missing.exitReason).toBe('volume group nothere is not visible on this node (vgs --foreign nothere found nothing)');
      expect((await node('nodeA').run(exclusive('nothere'), 'stop')).rc).toBe(OcfRc.SUCCESS);
    });
  });

  describe('vg_access_mode=lvmlockd (shared, a clone)', () => {
    beforeAll(async () => {
      await makeVg('vgs', ['gfs'], '', 'dlm');
      for (const name of ['nodeA', 'nodeB']) {
        await writeFile(nodeFile(name, 'use_lvmlockd'), '1');
        await writeFile(nodeFile(name, 'lvmlockd'), '');
        await calls(name);
      }
    });

    it('every instance starts the lockspace and activates shared; the last one out stops the lockspace', async () => {
      for (const name of ['nodeA', 'nodeB']) {
        const started = await node(name).run(shared('vgs'), 'start');
        expect(started.rc, `${name}: ${started.exitReason}`).toBe(OcfRc.SUCCESS);
        expect(await calls(name)).toEqual(expect.arrayContaining(['vgchange --lockstart vgs', 'lvchange -asy vgs']));
        expect(await read(nodeFile(name, 'active'))).toBe('vgs gfs\n');
        expect((await node(name).run(shared('vgs'), 'monitor', { intervalMs: 30_000 })).rc).toBe(OcfRc.SUCCESS);
      }
      expect(await read(disk('vgs.locks'))).toBe('nodeA gfs sh\nnodeB gfs sh\n');

      expect((await node('nodeB').run(shared('vgs'), 'stop')).rc).toBe(OcfRc.SUCCESS);
      expect(await calls('nodeB')).toEqual(expect.arrayContaining(['lvchange -an vgs', 'vgchange --lockstop vgs']));
      expect(await read(nodeFile('nodeB', 'lockstarted'))).toBe('');

      // An exclusive activation while nodeA holds the LV shared is refused by the lock manager.
      const exclusiveStart = await node('nodeB').run(shared('vgs', { activation_mode: 'exclusive' }), 'start');
      expect(exclusiveStart.rc).toBe(OcfRc.ERR_GENERIC);
      expect(exclusiveStart.exitReason).toContain('lvchange -aey vgs failed (exit 5): Failed to lock logical volume vgs/gfs.');
      expect((await node('nodeA').run(shared('vgs'), 'stop')).rc).toBe(OcfRc.SUCCESS);
      expect(await read(disk('vgs.locks'))).toBe('');
    });

    it('lvmlockd not running: start fails naming the order to fix, a probe says not running', async () => {
      await rm(nodeFile('nodeB', 'lvmlockd'));
      const started = await node('nodeB').run(shared('vgs'), 'start');
      expect(started.rc).toBe(OcfRc.ERR_GENERIC);
      expect(started.exitReason).toBe('lvmlockd is not running: order this resource after the lvmlockd (and dlm) clones');
      expect((await node('nodeB').run(shared('vgs'), 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
      await writeFile(nodeFile('nodeB', 'lvmlockd'), '');
    });

    it('a VG that is not shared, or lvm.conf without use_lvmlockd, is a configuration error', async () => {
      const notShared = await node('nodeA').run(shared('vgl'), 'start');
      expect(notShared.rc).toBe(OcfRc.ERR_CONFIGURED);
      expect(notShared.exitReason).toContain("volume group vgl is not a shared (lvmlockd) VG: its lock type is 'none'");
      await writeFile(nodeFile('nodeA', 'use_lvmlockd'), '0');
      const noLockd = await node('nodeA').run(shared('vgs'), 'start');
      expect(noLockd.rc).toBe(OcfRc.ERR_CONFIGURED);
      expect(noLockd.exitReason).toBe("vg_access_mode=lvmlockd needs global/use_lvmlockd=1 in lvm.conf (it is '0')");
      await writeFile(nodeFile('nodeA', 'use_lvmlockd'), '1');
    });
  });
});
