// Goal: NFS through ocf:heartline:Filesystem: the exact mount options built from nfs_version,
// nfs_mount, nfs_timeo and nfs_retrans (and a conflicting value in options refused), no fsck, MMP,
// flushbufs or block device for a network filesystem, monitor depth 10 as a bounded stat of the
// mount point, a stop of a hung mount that goes on to umount -f (never -l), and a start on this
// kernel, which has no NFS client, refused as "not installed" with the reason. Method: the
// production AgentClassRunner runs the real agent with fakes of mount, umount, modprobe, stat and
// the block-device tools first on its PATH (test/fixtures/nfs/fake-tool, which records every call);
// the fake mount mounts a small tmpfs named after the NFS source, so /proc/self/mountinfo shows the
// source on the mount point as a real NFS mount would. Everything is unmounted and removed at the
// end, also after a failure.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { AgentClassRunner } from '../../../src/ha/agents/index.js';
import { ChildProcessRunner, OcfRc, type AgentAction, type ResourceDefinition } from '../../../src/ha/lrm/index.js';
import type { Millis } from '../../../src/lib/index.js';
import { SystemClock } from '../../../src/platform/index.js';
import { runCommand, runCommandSync } from '../../../src/testbed/command.js';
import { registerLastResortCleanup } from '../../../src/testbed/last-resort-cleanup.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

const ms = (n: number): Millis => n as Millis;
const FAKE = fileURLToPath(new URL('../../fixtures/nfs/fake-tool', import.meta.url));
const TOOLS = ['mount', 'umount', 'modprobe', 'mount.nfs', 'stat', 'blockdev', 'fsck', 'e2fsck', 'dumpe2fs', 'tune2fs'];
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const EXPORT = 'nfs.example:/srv/export';

const kernelHasNfs = /\bnfs4?\b/.test(readFileSync('/proc/filesystems', 'utf8'));
const kernelProblems = kernelHasNfs ? ['this kernel has an NFS client: the suite asserts the refusal of a kernel without one'] : [];

describeWithPrerequisites('ocf:heartline:Filesystem with NFS, against recorded mount tools', ['root'], () => {
  const clock = new SystemClock();
  const cases: { readonly dir: string; readonly mountPoint: string }[] = [];
  const unregister = registerLastResortCleanup('NFS fixture mounts', () => {
    for (const c of cases) {
      runCommandSync('umount', [c.mountPoint]);
      runCommandSync('rm', ['-rf', c.dir]);
    }
  });

  /** One test's fake tools, mount point and runner (the tests run concurrently, each on its own). */
  const setup = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'heartline-nfs-'));
    const bin = join(dir, 'bin');
    const state = join(bin, 'state');
    const mountPoint = join(dir, 'mnt');
    cases.push({ dir, mountPoint });
    await mkdir(state, { recursive: true });
    for (const tool of TOOLS) await symlink(FAKE, join(bin, tool));
    const agents = new AgentClassRunner({ processes: new ChildProcessRunner({ clock }), clock, directories: { rscTmpDirectory: dir, path: `${bin}:${SYSTEM_PATH}` }, nodeName: 'storage-node-a' });
    const resource = (params: Record<string, string> = {}): ResourceDefinition => ({
      id: 'nfs',
      agent: { standard: 'ocf', provider: 'heartline', type: 'Filesystem' },
      params: { device: EXPORT, directory: mountPoint, fstype: 'nfs', network_timeout: '2', ...params },
    });
    const run = (r: ResourceDefinition, action: AgentAction, options: { readonly depth?: number; readonly intervalMs?: number } = {}) =>
      agents.run({ resource: r, action, intervalMs: ms(options.intervalMs ?? 0), timeoutMs: ms(30_000), ...(options.depth === undefined ? {} : { depth: options.depth }) });
    const calls = async (): Promise<string[]> => (await readFile(join(state, 'calls'), 'utf8').catch(() => '')).split('\n').filter((line) => line !== '');
    const setState = (name: string, content = ''): Promise<void> => writeFile(join(state, name), content);
    // On this kernel modprobe cannot load nfs; the fake stands for a node where it can, unless told otherwise.
    return { dir, mountPoint, resource, run, calls, setState };
  };

  afterAll(async () => {
    for (const c of cases) {
      await runCommand('umount', [c.mountPoint]).catch(() => {});
      await rm(c.dir, { recursive: true, force: true });
    }
    unregister();
  });

  it.concurrent('builds the exact mount options from the NFS parameters; no fsck, MMP, flushbufs or block device; monitors 0/10/20; start and stop are idempotent', async () => {
    const { mountPoint, resource, run, calls } = await setup();
    const r = resource({ nfs_version: '4.1', nfs_timeo: '600', nfs_retrans: '2', options: 'noatime' });
    const started = await run(r, 'start');
    expect(started.rc, started.exitReason).toBe(OcfRc.SUCCESS);
    expect(await calls()).toEqual([`modprobe -q nfs`, `mount -t nfs -o noatime,vers=4.1,hard,timeo=600,retrans=2 ${EXPORT} ${mountPoint}`]);
    expect((await run(r, 'start')).rc).toBe(OcfRc.SUCCESS);
    for (const depth of [0, 10, 20]) {
      const monitored = await run(r, 'monitor', { depth, intervalMs: 20_000 });
      expect(monitored.rc, `depth ${String(depth)}: ${monitored.exitReason ?? ''}`).toBe(OcfRc.SUCCESS);
    }
    expect((await calls()).filter((call) => call.startsWith('stat '))).toEqual([`stat -f ${mountPoint}`, `stat -f ${mountPoint}`]);
    expect((await run(r, 'stop')).rc).toBe(OcfRc.SUCCESS);
    expect((await run(r, 'stop')).rc).toBe(OcfRc.SUCCESS);
    const all = await calls();
    expect(all.filter((call) => call.startsWith('mount '))).toHaveLength(1);
    expect(all.filter((call) => call.startsWith('umount '))).toEqual([`umount ${mountPoint}`]);
    expect(all.filter((call) => /^(blockdev|fsck|e2fsck|dumpe2fs|tune2fs) /.test(call))).toEqual([]);
    expect((await run(r, 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
  });

  it.concurrent('defaults: nfs4 with only "hard" added; a mount from another source is a failure', async () => {
    const { mountPoint, resource, run, calls } = await setup();
    const r = resource({ fstype: 'nfs4' });
    expect((await run(r, 'start')).rc).toBe(OcfRc.SUCCESS);
    expect((await calls()).filter((call) => call.startsWith('mount '))).toEqual([`mount -t nfs4 -o hard ${EXPORT} ${mountPoint}`]);
    const other = await run(resource({ fstype: 'nfs4', device: 'nfs.example:/srv/other' }), 'monitor', { intervalMs: 20_000 });
    expect(other.rc).toBe(OcfRc.ERR_GENERIC);
    expect(other.exitReason).toBe(`${mountPoint} is mounted from ${EXPORT}, not from nfs.example:/srv/other`);
    expect((await run(r, 'stop')).rc).toBe(OcfRc.SUCCESS);
  });

  it.concurrent('refuses a value in options that an NFS parameter sets differently, and malformed NFS parameters', async () => {
    const { resource, run, calls } = await setup();
    for (const [params, reason] of [
      [{ options: 'soft' }, 'options has soft but nfs_mount=hard: set nfs_mount=soft instead'],
      [{ options: 'hard', nfs_mount: 'soft' }, 'options has hard but nfs_mount=soft: set nfs_mount=hard instead'],
      [{ options: 'vers=3', nfs_version: '4.2' }, 'options has vers=3 but nfs_version=4.2: set the version in one place'],
      [{ options: 'rw,nfsvers=4', nfs_version: '3' }, 'options has nfsvers=4 but nfs_version=3'],
      [{ options: 'timeo=100', nfs_timeo: '600' }, 'options has timeo=100 but nfs_timeo=600: set it in one place'],
      [{ options: 'retrans=5', nfs_retrans: '2' }, 'options has retrans=5 but nfs_retrans=2'],
      [{ fstype: 'nfs4', nfs_version: '3' }, 'fstype nfs4 cannot mount NFS version 3'],
      [{ nfs_version: '5' }, 'nfs_version must be 3, 4, 4.0, 4.1 or 4.2'],
      [{ nfs_mount: 'firm' }, 'nfs_mount must be hard or soft'],
      [{ nfs_timeo: 'long' }, 'nfs_timeo and nfs_retrans must be whole numbers'],
      [{ device: 'nfs.example/srv/export' }, 'an NFS device is HOST:/export'],
    ] as const) {
      const result = await run(resource(params), 'start');
      expect(result.rc, JSON.stringify(params)).toBe(OcfRc.ERR_CONFIGURED);
      expect(result.exitReason).toContain(reason);
    }
    // The same value in both places is not a conflict.
    const same = await run(resource({ options: 'hard,vers=4.2,timeo=600', nfs_version: '4.2', nfs_timeo: '600' }), 'start');
    expect(same.rc, same.exitReason).toBe(OcfRc.SUCCESS);
    expect((await calls()).filter((call) => call.startsWith('mount '))[0]).toContain('-o hard,vers=4.2,timeo=600 ');
    expect((await run(resource(), 'stop')).rc).toBe(OcfRc.SUCCESS);
  });

  it.concurrent('stop of a hung mount (dead server): the bounded umount gives way to umount -f, never -l', async () => {
    const { mountPoint, resource, run, calls, setState } = await setup();
    expect((await run(resource(), 'start')).rc).toBe(OcfRc.SUCCESS);
    await setState('umount.hang');
    const stopped = await run(resource(), 'stop');
    expect(stopped.rc, stopped.exitReason).toBe(OcfRc.SUCCESS);
    expect(stopped.stderr).toContain(`umount of ${mountPoint} failed or did not finish within 2s: umount -f`);
    const umounts = (await calls()).filter((call) => call.startsWith('umount '));
    expect(umounts).toEqual([`umount ${mountPoint}`, `umount -f ${mountPoint}`]);
    expect((await run(resource(), 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
  });

  it.concurrent('monitor depth 10 of a mount whose server does not answer fails within network_timeout, saying so; depth 0 does not look', async () => {
    const { mountPoint, resource, run, setState } = await setup();
    expect((await run(resource(), 'start')).rc).toBe(OcfRc.SUCCESS);
    await setState('stat.hang');
    const deep = await run(resource(), 'monitor', { depth: 10, intervalMs: 20_000 });
    expect(deep.status).toBe('done');
    expect(deep.rc).toBe(OcfRc.ERR_GENERIC);
    expect(deep.exitReason).toBe(`the NFS server of ${EXPORT} does not answer: stat of ${mountPoint} did not finish within 2s`);
    expect((await run(resource(), 'monitor', { depth: 0, intervalMs: 20_000 })).rc).toBe(OcfRc.SUCCESS);
    await rm(join(mountPoint, '..', 'bin', 'state', 'stat.hang'));
    expect((await run(resource(), 'stop')).rc).toBe(OcfRc.SUCCESS);
  });

  it.concurrent('a refused mount fails the start with mount.nfs\'s reason', async () => {
    const { mountPoint, resource, run, setState } = await setup();
    await setState('mount.fail', 'mount.nfs: Connection timed out\n');
    const result = await run(resource(), 'start');
    expect(result.rc).toBe(OcfRc.ERR_GENERIC);
    expect(result.exitReason).toBe(`cannot mount ${EXPORT} on ${mountPoint}: mount.nfs: Connection timed out`);
  });

  it.concurrent('on this kernel (no nfs in /proc/filesystems) a start is "not installed", naming the missing NFS client', async () => {
    const { resource, run, calls, setState } = await setup();
    expect(kernelHasNfs).toBe(false);
    await setState('modprobe.fail');
    const result = await run(resource(), 'start');
    expect(result.rc).toBe(OcfRc.ERR_INSTALLED);
    expect(result.exitReason).toBe(`this kernel has no NFS client: 'nfs' is not in /proc/filesystems and modprobe nfs failed; cannot mount ${EXPORT}`);
    expect((await calls()).some((call) => call.startsWith('mount '))).toBe(false);
  });
}, kernelProblems);
