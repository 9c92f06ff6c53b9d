import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { err, ok, type Result } from '../lib/index.js';

export const INCARNATION_MAX = 0xffff_ffff;

/**
 * The boot generation of this node, persisted in `STATE_DIR/incarnation` and increased before the
 * daemon sends anything: peers use it to tell a restarted node from a late packet of its previous
 * life, and the frame layer's replay window depends on it never repeating. The new value is written
 * to a temporary file, fsynced and renamed over the old one, then the folder is fsynced, so that a
 * power loss leaves either the old or the new number, never a torn one.
 */
export async function nextIncarnation(stateDir: string): Promise<Result<number, string>> {
  const path = join(stateDir, 'incarnation');
  let previous = 0;
  try {
    const text = (await readFile(path, 'utf8')).trim();
    if (!/^\d+$/.test(text) || Number(text) > INCARNATION_MAX) return err(`${path} holds '${text.slice(0, 40)}', not an incarnation number: remove the file to start again from 1`);
    previous = Number(text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return err(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (previous >= INCARNATION_MAX) return err(`${path} has reached the largest incarnation (${INCARNATION_MAX}): remove it, and restart every node of the cluster`);
  const next = previous + 1;
  try {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const temporary = `${path}.tmp`;
    const file = await open(temporary, 'w', 0o600);
    try {
      await file.writeFile(`${next}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
    const folder = await open(dirname(path), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch (error) {
    return err(`cannot write ${path}: ${(error as Error).message} (the state directory must be writable by the daemon; set it with --state-dir)`);
  }
  return ok(next);
}
