// Goal: the lab's power loss is faithful on the disk's side. Through SharedDisk's `fuse` path, a
// node whose path was cut writes nothing more to the shared disk, even when its last process dies
// and its kernel tears the mounted filesystem down (over a plain loop device that teardown writes
// the kernel's newest metadata into the shared file: docs/STORAGE.md); and the other node recovers
// the journal and finds every record that was synced before the cut.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { runCommand } from '../../../src/testbed/command.js';
import { SharedDisk } from '../../../src/testbed/shared-disk.js';
import { eventually } from '../harness/eventually.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

// Appends numbered lines with fdatasync after each, printing each number once it is synced.
const WRITER = [
  'import os, sys, time',
  'fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND)',
  'i = 0',
  'while True:',
  '    try:',
  "        os.write(fd, b'%08d record\\n' % (i + 1))",
  '        os.fdatasync(fd)',
  '        i += 1',
  '        print(i, flush=True)',
  '    except OSError:',
  '        time.sleep(0.2)',
].join('\n');

describeWithPrerequisites('SharedDisk through FUSE: a cut node writes nothing more', ['root', 'losetup', 'mkfs.ext4', 'e2fsck', 'unshare', 'python3-fuse'], () => {
  let disk: SharedDisk | undefined;
  const d = (): SharedDisk => disk as SharedDisk;

  beforeAll(async () => {
    disk = await SharedDisk.create({ nodes: 2, label: `hlfuse${process.pid}`, path: 'fuse', mmp: false, sizeMiB: 32 });
  }, 60_000);

  afterAll(async () => {
    await disk?.destroy();
  }, 60_000);

  it('after the cut and the teardown the backing file is unchanged; the other node recovers every synced record', async () => {
    const mountPoint = join(d().dir, 'mnt-a');
    const synced: number[] = [];
    const writer = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', 'mkdir -p "$2" && mount "$1" "$2" && exec python3 -u -c "$3" "$2/records"', 'writer', d().loopDevices[0] ?? '', mountPoint, WRITER], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      writer.stdout.on('data', (chunk: Buffer) => synced.push(...chunk.toString().split('\n').filter((line) => line !== '').map(Number)));
      await eventually(() => (synced.length >= 20 ? true : undefined), { what: '20 synced records', timeoutMs: 20_000, intervalMs: 50 });
      d().cutNode(0);
      const lastSynced = synced.at(-1) ?? 0;
      // Let what was in flight at the cut fail, then copy the disk: the state the power loss left.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const atCut = readFileSync(d().imagePath);
      writer.kill('SIGKILL');
      await new Promise((resolve) => writer.once('exit', resolve));
      // The namespace is gone: its kernel has torn the filesystem down (and failed to write).
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(readFileSync(d().imagePath).equals(atCut), 'the dead node wrote to the disk after the cut').toBe(true);
      const fsck = await runCommand('e2fsck', ['-p', d().loopDevices[1] ?? ''], { timeoutMs: 60_000 }).catch((error: Error) => error.message);
      expect(fsck).toMatch(/recovering journal/);
      const records = (await runCommand('debugfs', ['-R', 'cat /records', d().imagePath])).split('\n').filter((line) => line !== '');
      const onDisk = records.map((line) => Number(line.slice(0, 8)));
      expect(onDisk.slice(0, lastSynced)).toEqual(Array.from({ length: lastSynced }, (_, i) => i + 1));
    } finally {
      if (writer.exitCode === null && writer.signalCode === null) writer.kill('SIGKILL');
    }
  }, 90_000);
});
