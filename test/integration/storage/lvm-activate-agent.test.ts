// Goal: ocf:heartline:LVMActivate's system-ID ownership rule against the REAL LVM tools on a real
// (loop) disk: a VG without a system ID gets the starting node's; a VG owned by a live node that
// did not release it is refused, also when the cluster cannot be asked or the owner is no cluster
// node; a VG whose owner is not live (fenced, down), or which its owner released at stop, is taken
// over; stop keeps the system ID; lvm.conf without a system ID source is a configuration error.
// This kernel has no device-mapper, so every start ends at activation with OCF_ERR_INSTALLED and
// "device-mapper is not available" (asserted): the activation half is tested against recorded
// fixtures in lvm-activate-fixtures.test.ts. Method: one loop device over a temporary file; two
// (three) nodes are AgentClassRunners with their own cluster name and PATH, whose LVM commands are
// wrappers setting LVM_SYSTEM_DIR to the node's own lvm.conf (its local/system_id; scanning only
// the loop device; locks, backups, udev off or in the test's folder), so LVM never looks at the
// host's disks; `heartline members --json` is the built CLI against a test control socket. The
// loop device is wiped and detached and the folder removed at the end, also after a failure.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OcfRc, type OperationResult } from '../../../src/ha/lrm/index.js';
import { runCommand, runCommandSync } from '../../../src/testbed/command.js';
import { registerLastResortCleanup } from '../../../src/testbed/last-resort-cleanup.js';
import { findExecutable } from '../../../src/testbed/requirements.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { LvmTestNode, MembersServer, lvmResource, membersView } from './lvm-test-nodes.js';

const LVM_COMMANDS = ['lvm', 'lvmconfig', 'vgs', 'lvs', 'pvs', 'vgchange', 'lvchange', 'pvcreate', 'vgcreate', 'lvcreate', 'vgremove'] as const;
/**
 * Whether this kernel has a device-mapper driver. The machine this was written on has none (every
 * start then ends in OCF_ERR_INSTALLED); on one that has, the same steps really activate, and the
 * assertions follow (the ownership ones are the same either way).
 */
const dmPresent = runCommandSync('dmsetup', ['version']) === undefined;
const startRc = dmPresent ? OcfRc.SUCCESS : OcfRc.ERR_INSTALLED;
const missingLvm = LVM_COMMANDS.some((name) => findExecutable(name) === undefined) ? ['the LVM tools are not installed (lvm2; install with ./scripts/install-test-deps)'] : [];

describeWithPrerequisites(
  'ocf:heartline:LVMActivate: system-ID ownership with the real LVM on a loop device',
  ['root', 'losetup'],
  () => {
    const vg = `hlvg${process.pid}`;
    let dir: string;
    let loop: string | undefined;
    let unregister: () => void = () => {};
    let members: MembersServer;
    const nodes: Record<string, LvmTestNode> = {};

    /** Runs an LVM command as node `node` (its lvm.conf); resolves with stdout, rejects on failure. */
    const lvmAs = (node: string, command: string, args: readonly string[]): Promise<string> =>
      new Promise((resolve, reject) => {
        execFile(findExecutable(command) ?? command, [...args], { env: { ...process.env, LVM_SYSTEM_DIR: join(dir, node, 'lvm'), LVM_SUPPRESS_FD_WARNINGS: '1' }, encoding: 'utf8' }, (error, stdout, stderr) =>
          error === null ? resolve(stdout) : reject(new Error(`${command} ${args.join(' ')} as ${node}: ${stderr}`)),
        );
      });
    const vgField = async (field: string): Promise<string> => (await lvmAs('nodeA', 'vgs', ['--foreign', '--noheadings', '-o', field, vg])).trim();
    /** What a start's result says about activation: done, or refused for want of device-mapper. */
    const expectActivationOutcome = (result: OperationResult): void => {
      expect(result.rc, result.exitReason).toBe(startRc);
      if (!dmPresent) expect(result.exitReason).toContain('device-mapper is not available in this kernel');
    };
    const resource = (params: Record<string, string> = {}) => lvmResource(`lvm-${process.pid}`, { vgname: vg, vg_access_mode: 'system_id', socket: members.socketPath, ...params });

    /** A node: LVM_SYSTEM_DIR with its lvm.conf, and wrappers that point the real LVM at it. */
    const addNode = async (name: string, source: 'lvmlocal' | 'none', systemId: string): Promise<void> => {
      const lvmDir = join(dir, name, 'lvm');
      await mkdir(lvmDir, { recursive: true });
      await writeFile(
        join(lvmDir, 'lvm.conf'),
        [
          // Only the test's loop device is ever scanned, never the host's disks.
          `devices {\n  filter = [ "a|^${loop ?? ''}$|", "r|.*|" ]\n  global_filter = [ "a|^${loop ?? ''}$|", "r|.*|" ]\n  use_devicesfile = 0\n  obtain_device_list_from_udev = 0\n  hints = "none"\n}`,
          `global {\n  system_id_source = "${source}"\n  use_lvmlockd = 0\n  event_activation = 0\n  locking_dir = "${join(dir, 'lock')}"\n}`,
          `local {\n  system_id = "${systemId}"\n}`,
          `activation {\n  udev_sync = 0\n  udev_rules = 0\n  monitoring = 0\n}`,
          `backup {\n  backup = 0\n  archive = 0\n}`,
        ].join('\n'),
      );
      const node = await LvmTestNode.create(name, join(dir, name));
      for (const command of LVM_COMMANDS) {
        await node.script(command, `LVM_SYSTEM_DIR='${lvmDir}' LVM_SUPPRESS_FD_WARNINGS=1 exec '${findExecutable(command) ?? command}' "$@"`);
      }
      nodes[name] = node;
    };
    const node = (name: string): LvmTestNode => {
      const found = nodes[name];
      if (found === undefined) throw new Error(`no test node ${name}`);
      return found;
    };

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'heartline-lvm-agent-'));
      await mkdir(join(dir, 'lock'));
      const image = join(dir, 'pv.img');
      await runCommand('truncate', ['-s', '16M', image]);
      loop = (await runCommand('losetup', ['--find', '--show', image])).trim();
      const device = loop;
      unregister = registerLastResortCleanup(`loop device ${device} of ${image}`, () => {
        if (dmPresent) runCommandSync('sh', ['-c', `dmsetup info -c --noheadings -o name -S vg_name=${vg} | grep -v 'No devices' | xargs -r -n1 dmsetup remove`]);
        runCommandSync('wipefs', ['-a', '-q', device]);
        runCommandSync('losetup', ['-d', device]);
      });
      await addNode('nodeA', 'lvmlocal', 'nodeA');
      await addNode('nodeB', 'lvmlocal', 'nodeB');
      await addNode('nodeC', 'none', 'nodeC');
      members = await MembersServer.listen(join(dir, 'heartline.sock'));
      // A VG with no system ID and one LV; lvcreate needs --driverloaded n without device-mapper.
      await lvmAs('nodeA', 'pvcreate', ['-q', device]);
      await lvmAs('nodeA', 'vgcreate', ['-q', '-y', '--systemid', '', vg, device]);
      await lvmAs('nodeA', 'lvcreate', ['-q', '--driverloaded', 'n', '-an', '-Zn', '-L', '4M', '-n', 'data', vg]);
    });

    afterAll(async () => {
      await members?.close();
      if (loop !== undefined) {
        // A kernel with device-mapper may still have volumes of a failed test active.
        if (dmPresent) await runCommand('sh', ['-c', `dmsetup info -c --noheadings -o name -S vg_name=${vg} | grep -v 'No devices' | xargs -r -n1 dmsetup remove`]).catch(() => {});
        await runCommand('wipefs', ['-a', '-q', loop]).catch(() => {});
        await runCommand('losetup', ['-d', loop]);
      }
      unregister();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('meta-data: vgname and vg_access_mode are required; the access modes are system_id and lvmlockd', async () => {
      const metadata = await node('nodeA').runner.metadata({ standard: 'ocf', provider: 'heartline', type: 'LVMActivate' });
      expect(metadata.ok).toBe(true);
      if (!metadata.ok) return;
      expect(metadata.value.parameters.filter((p) => p.required).map((p) => p.name)).toEqual(['vgname', 'vg_access_mode']);
      expect(metadata.value.parameters.find((p) => p.name === 'vg_access_mode')?.options).toEqual(['system_id', 'lvmlockd']);
      expect(metadata.value.parameters.find((p) => p.name === 'activation_mode')?.options).toEqual(['exclusive', 'shared']);
    });

    it('a node whose lvm.conf has system_id_source="none" is a configuration error, and nothing is changed', async () => {
      const result = await node('nodeC').run(resource(), 'start');
      expect(result.rc).toBe(OcfRc.ERR_CONFIGURED);
      expect(result.exitReason).toContain('global/system_id_source="none"');
      expect(result.exitReason).toContain('set it to "uname", or to "lvmlocal"');
      expect(await vgField('systemid')).toBe('');
    });

    it('start on a VG without a system ID sets this node\'s, then fails at activation: no device-mapper here; stop keeps the system ID', async () => {
      expect((await node('nodeA').run(resource(), 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
      const started = await node('nodeA').run(resource(), 'start');
      expectActivationOutcome(started);
      expect(started.stderr).toContain(`volume group ${vg} has no system ID: setting this node's (nodeA)`);
      expect(await vgField('systemid')).toBe('nodeA');
      // Released only when nothing stayed active; autoactivation (at boot) is off either way.
      expect(await vgField('tags')).toBe(dmPresent ? '' : 'heartline_released');
      expect(await vgField('autoactivation')).toBe('');
      const monitored = await node('nodeA').run(resource(), 'monitor', { intervalMs: 30_000 });
      expect(monitored.rc).toBe(dmPresent ? OcfRc.SUCCESS : OcfRc.NOT_RUNNING);
      if (!dmPresent) expect(monitored.exitReason).toBe(`${vg} is not active on this node`);
      expect((await node('nodeA').run(resource(), 'stop')).rc).toBe(OcfRc.SUCCESS);
      expect(await vgField('systemid')).toBe('nodeA');
      expect(await vgField('tags')).toBe('heartline_released');
    });

    it('a VG owned by a live node that did not release it is refused: owner alive, the cluster not answering, an owner outside the cluster', async () => {
      // As nodeA's successful start leaves it: nodeA's system ID, no release tag.
      await lvmAs('nodeA', 'vgchange', ['-q', '--deltag', 'heartline_released', vg]);
      members.set(membersView('nodeB', { nodeA: 'alive' }));
      const refused = await node('nodeB').run(resource(), 'start');
      expect(refused.rc).toBe(OcfRc.ERR_GENERIC);
      expect(refused.exitReason).toBe(`refusing to activate volume group ${vg}: it is owned by nodeA, a live member of the cluster (status alive, in view: true) that did not release it: it may have the volumes active`);

      const unasked = await node('nodeB').run(resource({ socket: join(dir, 'no-daemon.sock') }), 'start');
      expect(unasked.rc).toBe(OcfRc.ERR_GENERIC);
      expect(unasked.exitReason).toContain('the cluster could not be asked whether nodeA is alive');
      expect(unasked.exitReason).toContain('cannot reach the heartline daemon');

      members.set(membersView('nodeB', { nodeD: 'alive' }));
      const stranger = await node('nodeB').run(resource(), 'start');
      expect(stranger.rc).toBe(OcfRc.ERR_GENERIC);
      expect(stranger.exitReason).toContain("it is owned by 'nodeA', which is not a node of this cluster");
      expect(stranger.exitReason).toContain(`vgchange --config 'local/extra_system_ids=["nodeA"]' --systemid nodeB ${vg}`);

      expect(await vgField('systemid')).toBe('nodeA');
      expect(await vgField('tags')).toBe('');
      // Its stop changes nothing either: the VG is not this node's.
      expect((await node('nodeB').run(resource(), 'stop')).rc).toBe(OcfRc.SUCCESS);
      expect(await vgField('systemid')).toBe('nodeA');
    });

    it('a VG whose owner is not a live member (fenced, down) is taken over; stop keeps the new system ID', async () => {
      members.set(membersView('nodeB', { nodeA: 'dead' }));
      const started = await node('nodeB').run(resource(), 'start');
      expectActivationOutcome(started);
      expect(started.stderr).toContain(`taking volume group ${vg} over from nodeA: its owner nodeA is not a live member of the cluster (status dead, not in view): fenced or down`);
      expect(await vgField('systemid')).toBe('nodeB');
      expect((await node('nodeB').run(resource(), 'stop')).rc).toBe(OcfRc.SUCCESS);
      expect(await vgField('systemid')).toBe('nodeB');
      expect(await vgField('tags')).toBe('heartline_released');
    });

    it('a VG its live owner released (a clean stop) is taken over: the normal move of the resource', async () => {
      members.set(membersView('nodeA', { nodeB: 'alive' }));
      const started = await node('nodeA').run(resource(), 'start');
      expectActivationOutcome(started);
      expect(started.stderr).toContain(`taking volume group ${vg} over from nodeB: nodeB released it when it stopped (tag heartline_released)`);
      expect(await vgField('systemid')).toBe('nodeA');
      expect((await node('nodeA').run(resource(), 'stop')).rc).toBe(OcfRc.SUCCESS);
      expect(await vgField('systemid')).toBe('nodeA');
    });

    it("this node's system ID must be its cluster name", async () => {
      // nodeA's commands and lvm.conf, but the cluster calls this node alpha.
      const alpha = await LvmTestNode.create('alpha', join(dir, 'nodeA'));
      const other = await alpha.run(resource(), 'start');
      expect(other.rc).toBe(OcfRc.ERR_CONFIGURED);
      expect(other.exitReason).toContain("this node's LVM system ID is 'nodeA', not its cluster name 'alpha'");
    });
  },
  missingLvm,
);
