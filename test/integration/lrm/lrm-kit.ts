// Shared pieces of the LRM integration tests: where the fixtures are, temporary directories that
// are removed even when a test fails, and a look at /proc to tell whether a process group still
// has living members.
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));

/** A fresh directory under /tmp; `remove()` deletes it. */
export async function temporaryDirectory(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `heartline-lrm-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Copies fixture folders (e.g. 'init.d') into `directory`, keeping their modes. */
export async function copyFixtures(directory: string, folders: readonly string[]): Promise<void> {
  for (const folder of folders) await cp(join(FIXTURES, folder), join(directory, folder), { recursive: true });
}

/**
 * The pids of processes in process group `pgid` that are alive. Zombies do not count: they are
 * dead, only not yet reaped (this machine's PID 1 does not reap orphans promptly).
 */
export async function livingGroupMembers(pgid: number): Promise<number[]> {
  const living: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') living.push(Number(entry));
  }
  return living;
}

/** Whether `pid` is a living (not zombie) process. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}
