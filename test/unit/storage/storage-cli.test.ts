// `heartline storage disk-init|disk-dump|disk-message` run in-process on a fencing disk in a
// temporary file: text and --json output, the exit codes (2 for a blank disk with the fix, an
// unknown node, a disk already initialized without --force, timeouts that break the rules).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../cli/run-cli-in-process.js';

let dir: string;
let disk: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'heartline-storage-cli-'));
  disk = join(dir, 'fence.img');
  await writeFile(disk, new Uint8Array(64 * 1024));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('heartline storage disk-*', () => {
  it('initializes, dumps and writes messages; refuses what it must with exit 2', async () => {
    const blank = await cli('storage', 'disk-dump', disk);
    expect(blank.code).toBe(2);
    expect(blank.err).toMatch(/no fencing header \(it is blank\)/);

    const init = await cli('storage', 'disk-init', disk, '--nodes', 'a,b', '--watchdog-timeout', '2s', '--json');
    expect(init.code).toBe(0);
    expect(JSON.parse(init.out)).toMatchObject({ ok: true, header: { slotCount: 16, sectorSize: 512, watchdogTimeoutMs: 2000, msgwaitMs: 4000, loopMs: 400 }, nodes: ['a', 'b'] });
    const again = await cli('storage', 'disk-init', disk, '--nodes', 'a,b');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already holds a fencing layout[\s\S]*--force/);

    const sent = await cli('storage', 'disk-message', disk, 'b', 'poison');
    expect(sent.code).toBe(0);
    expect(sent.out).toMatch(/'poison' written for b \(sequence 1\): b fences itself within 800ms, or its watchdog resets it; it is gone at most 4s \(msgwait\)/);
    const dump = await cli('storage', 'disk-dump', disk, '--json');
    expect(JSON.parse(dump.out)).toMatchObject({ ok: true, lease: null, slots: [{ node: 'a', message: 'clear', heartbeat: null }, { node: 'b', message: 'poison', sequence: 1 }] });
    expect((await cli('storage', 'disk-dump', disk)).out).toMatch(/^1\s+b\s+poison\s+1\s+\S+@\S+\s+-\s+never/m);

    const stranger = await cli('storage', 'disk-message', disk, 'z', 'test');
    expect(stranger.code).toBe(2);
    expect(stranger.err).toMatch(/node 'z' has no slot .*\(slots: a, b\)/);
    expect((await cli('storage', 'disk-message', disk, 'b', 'explode')).code).toBe(2);
    const rules = await cli('storage', 'disk-init', disk, '--nodes', 'a,b', '--watchdog-timeout', '2s', '--msgwait', '2s', '--force');
    expect(rules.code).toBe(2);
    expect(rules.err).toMatch(/msgwait 2000 ms must be at least/);
  }, 30_000);
});
