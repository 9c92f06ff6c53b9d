/**
 * DiskHba: one node's path to the shared disk (its "host bus adapter") as a FUSE pass-through file,
 * so that a power loss can stop it. The node's loop device is attached to `file`, a file of a small
 * FUSE filesystem whose reads and writes go straight (direct_io, no page cache of its own) to the
 * shared backing file; `cut()` makes every later read, write and sync fail with EIO, as a host that
 * lost its power reads and writes nothing; `restore()` undoes it (the host is powered on).
 *
 * Why: with a plain loop device over the backing file, the "dead" node's kernel lives on, and when
 * the node's last process dies it tears the filesystem down and writes its newest in-memory
 * metadata into the shared file (measured: superblock, bitmaps, inode table, directory blocks,
 * docs/STORAGE.md). A real dead host writes nothing after the power goes.
 *
 * The FUSE server is Debian's python3-fuse (libfuse 2) under /usr/bin/python3, run as root in the
 * host's mount namespace; it is ended by PID (after `fusermount -u`) in `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './command.js';
import { eventually } from './eventually.js';

/** The FUSE server: one file, `disk`, passed through to IMAGE; SIGUSR1 cuts it, SIGUSR2 restores it. */
const HBA_PROGRAM = [
  'import errno, os, signal, stat, sys',
  'import fuse',
  'fuse.fuse_python_api = (0, 2)',
  'image = sys.argv.pop(1)',
  'fd = os.open(image, os.O_RDWR)',
  "state = {'cut': False}",
  "signal.signal(signal.SIGUSR1, lambda s, f: state.update(cut=True))",
  "signal.signal(signal.SIGUSR2, lambda s, f: state.update(cut=False))",
  'class Hba(fuse.Fuse):',
  '    def getattr(self, path):',
  '        st = fuse.Stat()',
  "        if path == '/':",
  '            st.st_mode = stat.S_IFDIR | 0o755',
  '            st.st_nlink = 2',
  '            return st',
  "        if path != '/disk':",
  '            return -errno.ENOENT',
  '        st.st_mode = stat.S_IFREG | 0o600',
  '        st.st_nlink = 1',
  '        st.st_size = os.fstat(fd).st_size',
  '        return st',
  '    def readdir(self, path, offset):',
  "        for name in ('.', '..', 'disk'):",
  '            yield fuse.Direntry(name)',
  '    def open(self, path, flags):',
  "        return 0 if path == '/disk' else -errno.ENOENT",
  '    def read(self, path, size, offset):',
  "        return -errno.EIO if state['cut'] else os.pread(fd, size, offset)",
  '    def write(self, path, buf, offset):',
  "        return -errno.EIO if state['cut'] else os.pwrite(fd, buf, offset)",
  '    def fsync(self, path, isfsyncfile):',
  "        if state['cut']:",
  '            return -errno.EIO',
  '        os.fdatasync(fd)',
  '        return 0',
  '    def flush(self, path):',
  '        return 0',
  '    def truncate(self, path, size):',
  '        return -errno.EPERM',
  'server = Hba()',
  'server.multithreaded = False',
  'server.parse(errex=1)',
  'server.main()',
].join('\n');

export class DiskHba {
  private exited = false;

  private constructor(
    /** The FUSE mount point. */
    readonly mountPoint: string,
    private readonly child: ChildProcess,
  ) {
    child.once('exit', () => (this.exited = true));
  }

  /** The pass-through file to attach the node's loop device to. */
  get file(): string {
    return join(this.mountPoint, 'disk');
  }

  /** Starts the FUSE server for `image` on a new folder `mountPoint`; resolves once its file is there. */
  static async start(image: string, mountPoint: string): Promise<DiskHba> {
    mkdirSync(mountPoint, { recursive: true });
    const child = spawn('/usr/bin/python3', ['-c', HBA_PROGRAM, image, mountPoint, '-f', '-o', 'direct_io'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const hba = new DiskHba(mountPoint, child);
    try {
      await eventually(() => (hba.exited ? Promise.reject(new Error(`the disk's FUSE server ended: ${stderr.trim() || 'no message'} (needs /usr/bin/python3 with python3-fuse, and /dev/fuse)`)) : existsSync(hba.file) ? true : undefined), {
        what: `the FUSE pass-through file ${hba.file}`,
        timeoutMs: 10_000,
        intervalMs: 50,
      });
    } catch (error) {
      await hba.stop().catch(() => {});
      throw error;
    }
    return hba;
  }

  /** The power goes: every later I/O through this node's path fails. */
  cut(): void {
    this.child.kill('SIGUSR1');
  }

  /** The power is back. */
  restore(): void {
    this.child.kill('SIGUSR2');
  }

  /** Unmounts the FUSE filesystem and ends its server by PID (detach the loop device first). */
  async stop(): Promise<void> {
    if (!this.exited) await runCommand('umount', [this.mountPoint]).catch(() => {});
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** For a last-resort exit hook: the server's PID, or undefined once it has exited. */
  get pid(): number | undefined {
    return this.exited ? undefined : this.child.pid;
  }
}
