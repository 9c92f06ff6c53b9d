/**
 * What the fence device simulators (IpmiSimulator, SnmpPduSimulator) share: a scratch folder that
 * is removed even when the test process dies, a UDP port chosen at run time and proven to be
 * ours (the listener's PID is checked, because another snmpd on a shared machine may hold a port),
 * hook scripts that run a test's command when the simulated power goes off, and a watcher that
 * turns the simulator's event log into callbacks.
 */
import { rmSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { runCommand } from './command.js';
import { sleep } from './eventually.js';
import { registerLastResortCleanup } from './last-resort-cleanup.js';

/** A temporary folder `/tmp/heartline-fencesim-<label>-XXXXXX`, removed by `remove()` or at process exit. */
export interface ScratchFolder {
  readonly path: string;
  remove(): Promise<void>;
}

export async function scratchFolder(label: string): Promise<ScratchFolder> {
  const path = await mkdtemp(join(tmpdir(), `heartline-fencesim-${label}-`));
  const unregister = registerLastResortCleanup(`simulator folder ${path}`, () => rmSync(path, { recursive: true, force: true }));
  return {
    path,
    async remove() {
      await rm(path, { recursive: true, force: true });
      unregister();
    },
  };
}

/**
 * A UDP port that nothing listens on now, from 20000..32767 (below Linux's ephemeral range, so a
 * client's source port does not take it meanwhile). The caller still proves the listener is its
 * own after starting (waitForOwnUdpListener) and retries with another port if not.
 */
export async function unusedUdpPort(namespace?: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = randomInt(20000, 32768);
    const listeners = await ss(['-Hlun', `sport = :${port}`], namespace);
    if (listeners.trim() === '') return port;
  }
  throw new Error('no unused UDP port found in 20 tries');
}

/** Waits until process `pid` listens on UDP `port`; false if it exits or another process holds the port. */
export async function waitForOwnUdpListener(port: number, pid: number, isRunning: () => boolean, namespace?: string, timeoutMs = 10_000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (!isRunning()) return false;
    const listeners = await ss(['-Hlunp', `sport = :${port}`], namespace);
    if (listeners.includes(`pid=${pid},`)) return true;
    await sleep(50);
  }
  return false;
}

async function ss(args: readonly string[], namespace: string | undefined): Promise<string> {
  return namespace === undefined ? runCommand('ss', args) : runCommand('ip', ['netns', 'exec', namespace, 'ss', ...args]);
}

/** Writes an executable /bin/sh script at `path` that execs `argv` with the script's own arguments appended. */
export async function writeHookScript(path: string, argv: readonly string[]): Promise<void> {
  if (argv.length === 0) throw new RangeError('a hook needs a command');
  await writeFile(path, `#!/bin/sh\nexec ${argv.map(shellQuote).join(' ')} "$@"\n`);
  await chmod(path, 0o755);
}

export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One line of a simulator's events.log: "<epoch ms> <words...>". */
export interface SimulatorEvent {
  readonly atMs: number;
  readonly words: readonly string[];
  readonly line: string;
}

export function parseEventLog(text: string): SimulatorEvent[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [at = '0', ...words] = line.trim().split(/\s+/);
      return { atMs: Number(at), words, line };
    });
}

export async function readEventLog(path: string): Promise<SimulatorEvent[]> {
  try {
    return parseEventLog(await readFile(path, 'utf8'));
  } catch {
    return [];
  }
}

/** Polls an event log and hands every new event to `onEvent`; `stop()` ends it. */
export function watchEventLog(path: string, onEvent: (event: SimulatorEvent) => void, intervalMs = 25): { stop(): void } {
  let seen = 0;
  let stopped = false;
  const poll = async (): Promise<void> => {
    while (!stopped) {
      const events = await readEventLog(path);
      for (const event of events.slice(seen)) onEvent(event);
      seen = Math.max(seen, events.length);
      await sleep(intervalMs);
    }
  };
  void poll();
  return {
    stop() {
      stopped = true;
    },
  };
}
