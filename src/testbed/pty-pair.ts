/**
 * PtyPair: a serial null-modem cable made of two pseudo-terminals joined by socat, for tests of the
 * serial link. `pathA` and `pathB` are stable symlinks in a private temporary directory; socat
 * points them at fresh /dev/pts/N devices each time it starts. Killing socat is unplugging the
 * cable, `restart()` plugs it back in. What the serial link then sees (facts §1):
 *
 * - SIGTERM: both ports get 'close' (disconnected); socat removes the symlinks, so reopening fails
 *   with ENOENT until restart;
 * - SIGKILL: the same 'close', but the symlinks stay behind dangling (still ENOENT on open; see
 *   kill() for why the pair re-points them).
 *
 * Only the socat this object started is ever signalled, by its PID. socat also runs under
 * setpriv --pdeathsig SIGTERM, so it dies with the process that started it even if that is killed
 * outright.
 *
 * Usage:
 *
 *     const pty = await PtyPair.start();
 *     try {
 *       // open serial links on pty.pathA and pty.pathB ...
 *       await pty.inject('A', Buffer.from('noise'));  // raw bytes, as if from A's side of the line
 *       await pty.kill('SIGKILL');                    // unplug
 *       await pty.restart();                          // plug back in
 *     } finally {
 *       await pty.destroy();
 *     }
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { lstat, mkdtemp, open, realpath, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { eventually } from './eventually.js';
import { registerLastResortCleanup } from './last-resort-cleanup.js';

export class PtyPair {
  /** The symlink of end A; open it as a serial device. */
  readonly pathA: string;
  /** The symlink of end B. */
  readonly pathB: string;
  private socat: ChildProcess | undefined;
  private socatExited: Promise<void> = Promise.resolve();
  private stderr = '';
  private unregisterSocat: (() => void) | undefined;
  private readonly unregisterDir: () => void;
  private destroyed = false;

  private constructor(readonly dir: string) {
    this.pathA = join(dir, 'ttyA');
    this.pathB = join(dir, 'ttyB');
    this.unregisterDir = registerLastResortCleanup(`pty directory ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  }

  /** Makes the temporary directory and starts socat; resolves when both ends exist. */
  static async start(): Promise<PtyPair> {
    const pair = new PtyPair(await mkdtemp(join(tmpdir(), 'heartline-pty-')));
    try {
      await pair.restart();
    } catch (error) {
      await pair.destroy();
      throw error;
    }
    return pair;
  }

  /** The PID of the running socat, or undefined while the cable is unplugged. */
  get pid(): number | undefined {
    return this.socat?.pid;
  }

  /** Starts socat again (after kill) and resolves when both symlinks point at the new ptys. */
  async restart(): Promise<void> {
    if (this.destroyed) throw new Error('PtyPair: restart after destroy');
    if (this.socat !== undefined) throw new Error('PtyPair: socat is already running');
    this.stderr = '';
    const socat = spawn(
      'setpriv',
      ['--pdeathsig', 'SIGTERM', 'socat', '-d', '-d', `pty,raw,echo=0,link=${this.pathA}`, `pty,raw,echo=0,link=${this.pathB}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const pid = socat.pid;
    if (pid === undefined) {
      const error = await new Promise<Error>((resolve) => socat.once('error', resolve));
      throw new Error(`cannot start socat: ${error.message}`);
    }
    this.socat = socat;
    this.unregisterSocat = registerLastResortCleanup(`socat (pid ${pid})`, () => {
      if (this.socat === socat) killQuietly(pid, 'SIGKILL');
    });
    this.socatExited = new Promise((resolve) => {
      socat.once('exit', () => {
        if (this.socat === socat) {
          this.socat = undefined;
          this.unregisterSocat?.();
          this.unregisterSocat = undefined;
        }
        resolve();
      });
    });
    socat.stderr?.setEncoding('utf8');
    socat.stderr?.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-8000);
    });
    // socat logs the transfer loop once both ptys exist and the symlinks are in place; a stale
    // symlink from a SIGKILLed socat may still resolve, so the log line is the signal, not the link.
    await eventually(
      async () => {
        if (this.socat !== socat) throw new Error(`socat exited at start: ${this.stderr.trim()}`);
        if (!this.stderr.includes('starting data transfer loop')) return undefined;
        await realpath(this.pathA);
        await realpath(this.pathB);
        return true;
      },
      { what: 'socat has made both ptys', timeoutMs: 5000, intervalMs: 20, describe: () => `socat stderr: ${this.stderr.trim()}` },
    );
  }

  /**
   * Kills socat by PID with `signal` and resolves once it has exited: the cable is unplugged.
   * After SIGKILL the symlinks socat left behind are re-pointed at a path that never exists: they
   * still dangle (the link under test still meets ENOENT), but they can no longer resolve to a
   * /dev/pts/N that the kernel hands to someone else's terminal, which a link would then open.
   */
  async kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const socat = this.socat;
    if (socat?.pid === undefined) throw new Error('PtyPair: socat is not running');
    socat.kill(signal);
    await this.socatExited;
    if (signal === 'SIGKILL') {
      for (const path of [this.pathA, this.pathB]) {
        const isLink = await lstat(path).then(
          (stats) => stats.isSymbolicLink(),
          () => false,
        );
        if (!isLink) continue;
        // Replace atomically (rename over it), so the path never stops being a dangling link.
        await symlink(join(this.dir, 'unplugged'), `${path}.new`);
        await rename(`${path}.new`, path);
      }
    }
  }

  /**
   * Writes raw bytes into end `side`, as a second writer beside the link that holds it open: socat
   * carries them to the other end, so the link there sees them in its byte stream (line noise,
   * garbage, a half frame). Opened without becoming our controlling terminal.
   */
  async inject(side: 'A' | 'B', bytes: Uint8Array): Promise<void> {
    const handle = await open(side === 'A' ? this.pathA : this.pathB, constants.O_WRONLY | constants.O_NOCTTY);
    try {
      await handle.write(bytes);
    } finally {
      await handle.close();
    }
  }

  /** Kills socat (SIGTERM, then SIGKILL after 2 s) and removes the directory. Idempotent; never rejects. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const socat = this.socat;
    if (socat?.pid !== undefined) {
      socat.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (this.socat === socat) socat.kill('SIGKILL');
      }, 2000);
      await this.socatExited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
    this.unregisterDir();
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: it is gone already, which is what we wanted.
  }
}
