/**
 * SharedDisk: a shared SAN/DAS disk for a lab on one machine. One backing file holds an ext4
 * filesystem (with multi-mount protection unless told otherwise); every node gets its own loop
 * device over that file, as every host of a real cluster sees the LUN through its own HBA, and
 * sees it at one common path (`devicePath`) inside its own mount namespace.
 *
 * Why a loop device per node, not one for all: one kernel keeps one superblock per block device,
 * so a second mount of the same loop device in another namespace would share the first mount's
 * filesystem instead of being a second, independent one; a double mount would then be harmless
 * and MMP could never refuse it. Two loop devices over one file are two block devices with the
 * same contents (their reads and writes meet in the file's page cache), as two hosts see one disk.
 *
 * With `path: 'fuse'` each node's loop device sits over its own FUSE pass-through to the file
 * (DiskHba) instead of the file itself, and `cutNode` stops that path as a power loss stops a host:
 * a plain loop device cannot be stopped, and the "dead" node's kernel writes its metadata into the
 * file when its filesystem is torn down, which a host without power never does.
 *
 * Contract:
 * - `daemonCommandPrefix(node)` runs the node's daemon in a mount namespace of its own (private
 *   propagation: nothing it mounts is seen by the host or the other nodes) in which
 *   `devicePath` is a bind mount of the node's loop device; everything the daemon starts (agents,
 *   services) lives in that namespace;
 * - every name is unique per lab (the temporary folder, the loop devices `losetup --find` gives);
 * - `destroy()` detaches the loop devices and removes the folder, even after a failure; call it
 *   after the lab's processes are gone (a loop device still mounted somewhere is detached by the
 *   kernel once its last user goes: autoclear). A last-resort exit hook does the same.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runCommand, runCommandSync } from './command.js';
import { DiskHba } from './disk-hba.js';
import { registerLastResortCleanup } from './last-resort-cleanup.js';

export interface SharedDiskOptions {
  /** How many nodes see the disk (one loop device each). */
  readonly nodes: number;
  /** Size of the disk in MiB; default 64. */
  readonly sizeMiB?: number;
  /** The filesystem's label; default `hl-shared`. */
  readonly label?: string;
  /** Create the ext4 with multi-mount protection (`-O mmp`, update interval 1 s); default true. */
  readonly mmp?: boolean;
  /**
   * How each node reaches the backing file: `loop` (default), a loop device straight over it; `fuse`,
   * a loop device over the node's own FUSE pass-through (DiskHba), which `cutNode` stops, so that a
   * powered-off node's kernel cannot write to the disk any more (a plain loop device lets it).
   */
  readonly path?: 'loop' | 'fuse';
}

export class SharedDisk {
  private readonly unregister: () => void;
  private destroyed = false;

  private constructor(
    /** One FUSE pass-through per node with `path: 'fuse'`, else empty. */
    private readonly hbas: readonly DiskHba[],
    /** The private folder: the backing file, the common device path, mount points. */
    readonly dir: string,
    /** The backing file (the disk's contents). */
    readonly imagePath: string,
    /** Node `n`'s loop device is `loopDevices[n]`. */
    readonly loopDevices: readonly string[],
    /** `major:minor` of each loop device, as /proc/PID/mountinfo shows a mount of it. */
    readonly deviceNumbers: readonly string[],
    readonly label: string,
  ) {
    this.unregister = registerLastResortCleanup(`shared disk ${imagePath}`, () => {
      for (const device of loopDevices) runCommandSync('losetup', ['-d', device]);
      for (const hba of hbas) {
        runCommandSync('umount', [hba.mountPoint]);
        if (hba.pid !== undefined) process.kill(hba.pid, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    });
  }

  /** Makes the backing file and its filesystem and attaches one loop device per node. Removes what it made on failure. */
  static async create(options: SharedDiskOptions): Promise<SharedDisk> {
    const dir = await mkdtemp(join(tmpdir(), 'heartline-disk-'));
    const imagePath = join(dir, 'disk.img');
    const label = options.label ?? 'hl-shared';
    const loops: string[] = [];
    const hbas: DiskHba[] = [];
    try {
      await runCommand('truncate', ['-s', `${options.sizeMiB ?? 64}M`, imagePath]);
      const mmp = options.mmp === false ? [] : ['-O', 'mmp', '-E', 'mmp_update_interval=1'];
      await runCommand('mkfs.ext4', ['-q', '-F', '-L', label, ...mmp, imagePath]);
      if (options.path === 'fuse') for (let node = 0; node < options.nodes; node++) hbas.push(await DiskHba.start(imagePath, join(dir, `hba-${node}`)));
      for (let node = 0; node < options.nodes; node++) loops.push((await runCommand('losetup', ['--find', '--show', hbas[node]?.file ?? imagePath])).trim());
      // A loop device keeps a read-only mark (`blockdev --setro`) across detach and attach: one
      // left by an earlier user would make every mount and fsck of this lab fail.
      for (const device of loops) await runCommand('blockdev', ['--setrw', device]);
      const numbers = await Promise.all(loops.map(deviceNumber));
      // The common path each node's namespace binds its own loop device on.
      writeFileSync(join(dir, 'disk'), '', { mode: 0o600 });
      return new SharedDisk(hbas, dir, imagePath, loops, numbers, label);
    } catch (error) {
      for (const device of loops) await runCommand('losetup', ['-d', device]).catch(() => {});
      for (const hba of hbas) await hba.stop();
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The path at which every node sees the disk inside its own mount namespace. */
  get devicePath(): string {
    return join(this.dir, 'disk');
  }

  /** A folder for mount points (exists on the host; each node mounts over it in its own namespace). */
  get mountDir(): string {
    return join(this.dir, 'mnt');
  }

  /**
   * The command prefix for node `node`'s daemon (DaemonLabOptions.daemonCommandPrefix): a mount
   * namespace of its own with `devicePath` bound to the node's loop device, then exec of the rest.
   */
  daemonCommandPrefix(node: number): string[] {
    const device = this.loopDevices[node];
    if (device === undefined) throw new RangeError(`the shared disk has no loop device for node ${node}`);
    return ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount --bind "$1" "$2" && shift 2 && exec "$@"', 'shared-disk', device, this.devicePath];
  }

  /**
   * Readies a power cut of the disk for the node whose process `pid` lives in its mount namespace:
   * a small program there holds the filesystem mounted at `mountPoint` open and, when `cut()` is
   * called, makes the disk stop taking writes at once (EXT4_IOC_SHUTDOWN with
   * EXT4_GOING_FLAGS_NOLOGFLUSH: the journal is not flushed, the next mount must recover it).
   * `cut()` resolves with the wall-clock time of the cut. Readied in advance so that the cut and
   * the kill of the node's processes that follows are milliseconds apart, as in one power loss:
   * without the cut, the death of the node's last process would let the kernel unmount cleanly,
   * which a node that lost its power never does. The program is not in the node's network
   * namespace: the power loss does not kill it, it exits after the cut.
   */
  async readyCutOff(pid: number, mountPoint: string): Promise<{ cut(): Promise<number> }> {
    const child = spawn('nsenter', ['-t', String(pid), '-m', 'python3', '-u', '-c', CUT_OFF_PROGRAM, mountPoint], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async (): Promise<string> => {
      const line = await lines.next();
      if (line.done === true) throw new Error(`the disk cut-off program in the mount namespace of ${pid} ended: ${stderr.trim() || 'no message'}`);
      return line.value;
    };
    try {
      const ready = await next();
      if (ready !== 'ready') throw new Error(`the disk cut-off program said ${JSON.stringify(ready)}: ${stderr.trim()}`);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    return {
      cut: async () => {
        child.stdin.end('cut\n');
        const answer = await next();
        const at = Number(answer.replace(/^cut /, ''));
        if (!answer.startsWith('cut ') || !Number.isFinite(at)) throw new Error(`the disk cut-off failed: ${answer} ${stderr.trim()}`);
        return at;
      },
    };
  }

  /**
   * With `path: 'fuse'`: node `node`'s path to the disk stops (every later read, write and sync of
   * its loop device fails), as when the host loses its power; resolves with the wall-clock time.
   */
  cutNode(node: number): number {
    const hba = this.hbas[node];
    if (hba === undefined) throw new Error(`the shared disk of node ${node} is a plain loop device: create it with path 'fuse' to cut it`);
    const at = Date.now();
    hba.cut();
    return at;
  }

  /** Undoes `cutNode(node)` (the host is powered on again). */
  restoreNode(node: number): void {
    this.hbas[node]?.restore();
  }

  /** Whether each node reaches the disk through a FUSE pass-through that `cutNode` can stop. */
  get cuttable(): boolean {
    return this.hbas.length > 0;
  }

  /** Detaches the loop devices and removes the folder. Idempotent; rejects with what failed, after trying everything. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const failures: string[] = [];
    for (const device of this.loopDevices) {
      try {
        await runCommand('losetup', ['-d', device]);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    for (const hba of this.hbas) await hba.stop();
    await rm(this.dir, { recursive: true, force: true });
    this.unregister();
    if (failures.length > 0) throw new Error(`shared disk ${this.imagePath}: cleanup failed: ${failures.join('; ')}`);
  }
}

/**
 * The cut-off program (Python: one ioctl, no compiler needed): opens the mount point, says ready,
 * waits for a line, then EXT4_IOC_SHUTDOWN (_IOR('X', 125, __u32)) with
 * EXT4_GOING_FLAGS_NOLOGFLUSH (2), and prints the wall-clock time in ms.
 */
const CUT_OFF_PROGRAM = [
  'import fcntl, os, struct, sys, time',
  'fd = os.open(sys.argv[1], os.O_RDONLY)',
  "print('ready')",
  'sys.stdin.readline()',
  "fcntl.ioctl(fd, 0x8004587d, struct.pack('I', 2))",
  "print('cut %d' % (time.time_ns() // 1000000))",
].join('\n');

/** `major:minor` of a block device, in decimal (as mountinfo writes it). */
async function deviceNumber(device: string): Promise<string> {
  const rdev = (await stat(device)).rdev;
  // Linux dev_t: major in bits 8-19 (and 32+), minor in bits 0-7 and 20-31.
  const major = (rdev >> 8) & 0xfff;
  const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
  return `${major}:${minor}`;
}
