/**
 * LoopDisk: a shared disk for tests and demos, made of a sparse file in a fresh temporary folder
 * attached to the first free loop device. Every node of a NetnsLab sees the same /dev/loopN (network
 * namespaces do not hide devices), as every node of an appliance sees the SAN LUN.
 *
 * Contract: `create` attaches and registers a last-resort cleanup at once; `destroy()` detaches
 * exactly the loop device it attached (by its path, after checking it is still backed by our
 * file) and removes the folder; both run even if the test failed. Nothing else is touched.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, runCommandSync } from './command.js';
import { registerLastResortCleanup } from './last-resort-cleanup.js';

export class LoopDisk {
  private destroyed = false;

  private constructor(
    /** The loop device, e.g. /dev/loop4. */
    readonly device: string,
    readonly backingFile: string,
    private readonly folder: string,
    private readonly unregister: () => void,
  ) {}

  /** A new disk of `sizeBytes` (sparse), attached to a free loop device. */
  static async create(sizeBytes: number): Promise<LoopDisk> {
    const folder = await mkdtemp(join(tmpdir(), 'heartline-loopdisk-'));
    const backingFile = join(folder, 'disk.img');
    await writeFile(backingFile, '');
    await truncate(backingFile, sizeBytes);
    let device: string;
    try {
      device = (await runCommand('losetup', ['--find', '--show', backingFile])).trim();
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
    const unregister = registerLastResortCleanup(`loop device ${device} (${backingFile})`, () => {
      detachSync(device, backingFile);
      rmSync(folder, { recursive: true, force: true });
    });
    return new LoopDisk(device, backingFile, folder, unregister);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    if (await isOurs(this.device, this.backingFile)) await runCommand('losetup', ['--detach', this.device]);
    await rm(this.folder, { recursive: true, force: true });
    this.unregister();
  }
}

async function isOurs(device: string, backingFile: string): Promise<boolean> {
  try {
    return (await runCommand('losetup', ['--noheadings', '--output', 'BACK-FILE', device])).trim() === backingFile;
  } catch {
    return false;
  }
}

function detachSync(device: string, backingFile: string): void {
  // At exit only: check the backing file first, so that a reused device number is never detached.
  runCommandSync('sh', ['-c', `[ "$(losetup --noheadings --output BACK-FILE ${device})" = "${backingFile}" ] && losetup --detach ${device}`]);
}
