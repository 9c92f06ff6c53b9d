// Goal: ocf:heartline:Filesystem as an OCF agent, each behaviour on a real ext4: meta-data with
// the required parameters, device by LABEL= and UUID=, monitor depths 0/10/20, fsck of a
// filesystem that was not cleanly unmounted (and a fsck bounded in time), MMP required or
// enabled, and a stop that escalates to SIGKILL for a holder that ignores SIGTERM (or fails with
// the holder named when force_unmount=false). Method: the production AgentClassRunner and
// ChildProcessRunner, one loop device over a temporary file, mounted in the test's own mount
// namespace under a unique temporary folder; everything is unmounted, detached and removed at the
// end, also after a failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AgentClassRunner } from '../../../src/ha/agents/index.js';
import { ChildProcessRunner, OcfRc, type AgentAction, type ResourceDefinition } from '../../../src/ha/lrm/index.js';
import type { Millis } from '../../../src/lib/index.js';
import { SystemClock } from '../../../src/platform/index.js';
import { runCommand, runCommandSync } from '../../../src/testbed/command.js';
import { registerLastResortCleanup } from '../../../src/testbed/last-resort-cleanup.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

const ms = (n: number): Millis => n as Millis;

describeWithPrerequisites('ocf:heartline:Filesystem on a loop device', ['root', 'losetup', 'mkfs.ext4', 'e2fsck', 'fuser'], () => {
  const clock = new SystemClock();
  const label = `hlfs${process.pid}`;
  let dir: string;
  let loop: string;
  let mountPoint: string;
  let agents: AgentClassRunner;
  let unregister: () => void = () => {};
  const holders: ChildProcess[] = [];

  const fs = (params: Record<string, string>): ResourceDefinition => ({
    id: `fs-${process.pid}`,
    agent: { standard: 'ocf', provider: 'heartline', type: 'Filesystem' },
    params: { device: loop, directory: mountPoint, fstype: 'ext4', ...params },
  });
  const run = (resource: ResourceDefinition, action: AgentAction, options: { readonly depth?: number; readonly intervalMs?: number; readonly timeoutMs?: number } = {}) =>
    agents.run({ resource, action, intervalMs: ms(options.intervalMs ?? 0), timeoutMs: ms(options.timeoutMs ?? 60_000), ...(options.depth === undefined ? {} : { depth: options.depth }) });
  const superblock = (): Promise<string> => runCommand('dumpe2fs', ['-h', loop]);

  /** A process in the mount point that ignores SIGTERM. */
  const holdMountPoint = async (): Promise<ChildProcess> => {
    const child = spawn('setpriv', ['--pdeathsig', 'SIGKILL', 'sh', '-c', `trap '' TERM; cd '${mountPoint}' && exec sleep 600`], { stdio: 'ignore' });
    holders.push(child);
    await new Promise((resolve) => setTimeout(resolve, 300));
    return child;
  };
  const exited = (child: ChildProcess): Promise<NodeJS.Signals | null> =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.signalCode) : new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heartline-fs-agent-'));
    mountPoint = join(dir, 'mnt');
    const image = join(dir, 'disk.img');
    await runCommand('truncate', ['-s', '32M', image]);
    await runCommand('mkfs.ext4', ['-q', '-F', '-L', label, image]);
    loop = (await runCommand('losetup', ['--find', '--show', image])).trim();
    unregister = registerLastResortCleanup(`loop device ${loop} of ${image}`, () => {
      runCommandSync('umount', [mountPoint]);
      runCommandSync('losetup', ['-d', loop]);
    });
    agents = new AgentClassRunner({ processes: new ChildProcessRunner({ clock }), clock, directories: { rscTmpDirectory: dir }, nodeName: 'storage-node-a' });
  });

  afterAll(async () => {
    for (const child of holders) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (mountPoint !== undefined) await runCommand('umount', [mountPoint]).catch(() => {});
    if (loop !== undefined) await runCommand('losetup', ['-d', loop]);
    unregister();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('meta-data marks device, directory and fstype required', async () => {
    const metadata = await agents.metadata({ standard: 'ocf', provider: 'heartline', type: 'Filesystem' });
    expect(metadata.ok).toBe(true);
    if (!metadata.ok) return;
    expect(metadata.value.parameters.filter((p) => p.required).map((p) => p.name)).toEqual(['device', 'directory', 'fstype']);
    expect(metadata.value.parameters.find((p) => p.name === 'mmp')?.options).toEqual(['warn', 'require', 'enable', 'off']);
  });

  it('mounts by LABEL= and UUID=, monitors at depths 0, 10 and 20, and unmounts; start and stop are idempotent', async () => {
    const uuid = /Filesystem UUID:\s+(\S+)/.exec(await superblock())?.[1] ?? '';
    for (const device of [`LABEL=${label}`, `UUID=${uuid}`]) {
      const resource = fs({ device, mmp: 'off' });
      expect((await run(resource, 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
      const started = await run(resource, 'start');
      expect(started.rc, started.exitReason).toBe(OcfRc.SUCCESS);
      expect((await run(resource, 'start')).rc).toBe(OcfRc.SUCCESS);
      for (const depth of [0, 10, 20]) expect((await run(resource, 'monitor', { depth, intervalMs: 10_000 })).rc).toBe(OcfRc.SUCCESS);
      expect((await run(resource, 'stop', { depth: 20 })).rc).toBe(OcfRc.SUCCESS);
      expect((await run(resource, 'stop')).rc).toBe(OcfRc.SUCCESS);
      const after = await run(resource, 'monitor', { intervalMs: 10_000 });
      expect(after.rc).toBe(OcfRc.NOT_RUNNING);
      expect(after.exitReason).toContain('is not mounted');
    }
  });

  it('a device this node does not have is "not installed" here', async () => {
    const result = await run(fs({ device: `LABEL=no-such-${label}` }), 'start');
    expect(result.rc).toBe(OcfRc.ERR_INSTALLED);
    expect(result.exitReason).toContain('not found on this node');
  });

  it('checks a filesystem that was not cleanly unmounted before mounting it (run_fsck=auto), and not a clean one', async () => {
    const clean = await run(fs({ mmp: 'off' }), 'start');
    expect(clean.rc).toBe(OcfRc.SUCCESS);
    expect(clean.stderr).not.toContain('checking');
    expect((await run(fs({}), 'stop')).rc).toBe(OcfRc.SUCCESS);
    // The superblock's state "not clean", as after a crash of a filesystem without a journal.
    await runCommand('debugfs', ['-w', '-R', 'ssv state 0', loop]);
    expect(await superblock()).toMatch(/Filesystem state:\s+not clean/);
    const checked = await run(fs({ mmp: 'off' }), 'start');
    expect(checked.rc, checked.exitReason).toBe(OcfRc.SUCCESS);
    expect(checked.stderr).toMatch(/checking .* \(fsck -p, at most \d+s\)/);
    expect(checked.stderr).toMatch(/fsck of .*: exit [01]:/);
    expect((await run(fs({}), 'stop')).rc).toBe(OcfRc.SUCCESS);
    expect(await superblock()).toMatch(/Filesystem state:\s+clean/);
  });

  it('stop kills a holder that ignores SIGTERM (force_unmount=true and safe)', async () => {
    for (const force_unmount of ['true', 'safe']) {
      const resource = fs({ mmp: 'off', force_unmount, term_wait: '1' });
      expect((await run(resource, 'start')).rc).toBe(OcfRc.SUCCESS);
      const holder = await holdMountPoint();
      const stopped = await run(resource, 'stop', { timeoutMs: 30_000 });
      expect(stopped.rc, `${force_unmount}: ${stopped.exitReason}`).toBe(OcfRc.SUCCESS);
      expect(stopped.stderr).toContain('sending SIGTERM');
      expect(stopped.stderr).toContain('sending SIGKILL');
      expect(await exited(holder)).toBe('SIGKILL');
      expect((await run(resource, 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
    }
  });

  it('with force_unmount=false a busy stop fails, naming the holder', async () => {
    const resource = fs({ mmp: 'off', force_unmount: 'false' });
    expect((await run(resource, 'start')).rc).toBe(OcfRc.SUCCESS);
    const holder = await holdMountPoint();
    const stopped = await run(resource, 'stop', { timeoutMs: 12_000 });
    expect(stopped.rc).toBe(OcfRc.ERR_GENERIC);
    expect(stopped.exitReason).toContain(`held by ${String(holder.pid)}`);
    holder.kill('SIGKILL');
    await exited(holder);
    expect((await run(resource, 'stop')).rc).toBe(OcfRc.SUCCESS);
  }, 30_000);

  it('mmp=require refuses a filesystem without MMP; mmp=enable turns it on', async () => {
    const refused = await run(fs({ mmp: 'require' }), 'start');
    expect(refused.rc).toBe(OcfRc.ERR_CONFIGURED);
    expect(refused.exitReason).toContain('tune2fs -O mmp');
    const enabled = await run(fs({ mmp: 'enable' }), 'start');
    expect(enabled.rc, enabled.exitReason).toBe(OcfRc.SUCCESS);
    expect((await run(fs({ mmp: 'require' }), 'stop')).rc).toBe(OcfRc.SUCCESS);
    expect(await superblock()).toMatch(/Filesystem features:.*\bmmp\b/);
  });

  it('a fsck that runs past fsck_timeout fails the start and says so (MMP makes e2fsck wait at least 11 s)', async () => {
    const result = await run(fs({ mmp: 'require', run_fsck: 'force', fsck_timeout: '2' }), 'start');
    expect(result.rc).toBe(OcfRc.ERR_GENERIC);
    expect(result.exitReason).toContain('did not finish within 2s');
    expect((await run(fs({}), 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
  }, 30_000);
});
