// Goal: ChildProcessRunner runs a command in its own process group, captures bounded output and
// exit reasons, turns every way of ending into a value, and on timeout ends the whole group (the
// agent and every child it started, even ones that ignore SIGTERM). Method: /bin/sh one-liners and
// the Hang fixture agent; after a timeout, /proc is searched for any living member of the group.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Millis } from '../../../src/lib/index.js';
import { ChildProcessRunner, OcfRc } from '../../../src/ha/lrm/index.js';
import { AgentClassRunner } from '../../../src/ha/agents/index.js';
import { SystemClock } from '../../../src/platform/index.js';
import { FIXTURES, isAlive, livingGroupMembers, temporaryDirectory } from './lrm-kit.js';

const ms = (n: number): Millis => n as Millis;
const clock = new SystemClock();
const runner = new ChildProcessRunner({ clock, killGraceMs: ms(300), drainMs: ms(200) });
const env = { PATH: '/usr/bin:/bin' };

function sh(script: string, timeoutMs = 10_000) {
  return runner.run({ executable: '/bin/sh', args: ['-c', script], env, timeoutMs: ms(timeoutMs) });
}

describe('ChildProcessRunner', () => {
  let scratch: { path: string; remove: () => Promise<void> };
  const leftovers: number[] = [];

  beforeAll(async () => {
    scratch = await temporaryDirectory('runner');
  });

  afterAll(async () => {
    // Processes this file started and meant to leave running; ended by their own pids.
    for (const pid of leftovers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await scratch?.remove();
  });

  it('returns the exit code, both outputs and the last exit reason', async () => {
    const outcome = await sh('echo out; echo "ocf-exit-reason:first" >&2; echo "ocf-exit-reason:the real reason" >&2; echo noise >&2; exit 6');
    expect(outcome.end).toEqual({ kind: 'exited', code: 6 });
    expect(outcome.stdout).toBe('out\n');
    expect(outcome.stderr).toContain('noise');
    expect(outcome.exitReason).toBe('the real reason');
    expect(outcome.durationMs).toBeGreaterThan(0);
  });

  it('passes exactly the given environment', async () => {
    const outcome = await runner.run({ executable: '/bin/sh', args: ['-c', 'env | sort'], env: { PATH: '/bin', OCF_ROOT: '/x' }, timeoutMs: ms(5000) });
    expect(outcome.stdout.trim().split('\n').filter((l) => !l.startsWith('PWD=') && !l.startsWith('SHLVL=') && !l.startsWith('_='))).toEqual(['OCF_ROOT=/x', 'PATH=/bin']);
  });

  it('runs the command as the leader of its own process group', async () => {
    const outcome = await sh('ps -o pgid= -p $$');
    expect(Number(outcome.stdout.trim())).toBe(outcome.pid);
    expect(outcome.pid).not.toBe(process.pid);
  });

  it('keeps output within its bounds: the head of stdout, the tail of stderr', async () => {
    const small = new ChildProcessRunner({ clock, stdoutLimitBytes: 1000, stderrLimitBytes: 1000 });
    const outcome = await small.run({
      executable: '/bin/sh',
      args: ['-c', 'echo START; head -c 3000000 /dev/zero | tr "\\0" a; echo "ocf-exit-reason:early" >&2; head -c 3000000 /dev/zero | tr "\\0" b >&2; echo END >&2'],
      env,
      timeoutMs: ms(20_000),
    });
    expect(outcome.end).toEqual({ kind: 'exited', code: 0 });
    expect(outcome.stdout.length).toBe(1000);
    expect(outcome.stdout.startsWith('START\naaa')).toBe(true);
    expect(outcome.stdoutTruncated).toBe(true);
    expect(outcome.stderr.length).toBe(1000);
    expect(outcome.stderr.endsWith('bbbEND\n')).toBe(true);
    expect(outcome.stderrTruncated).toBe(true);
    // The reason was seen as it streamed by, although the kept stderr no longer holds it.
    expect(outcome.exitReason).toBe('early');
  });

  it('reports a missing, a non-executable and a crashed command as values', async () => {
    const missing = await runner.run({ executable: join(scratch.path, 'nothing-here'), args: [], env, timeoutMs: ms(5000) });
    expect(missing.end).toMatchObject({ kind: 'spawn-failed', code: 'ENOENT' });
    const plain = join(scratch.path, 'not-executable');
    await writeFile(plain, '#!/bin/sh\nexit 0\n');
    await chmod(plain, 0o644);
    const denied = await runner.run({ executable: plain, args: [], env, timeoutMs: ms(5000) });
    expect(denied.end).toMatchObject({ kind: 'spawn-failed', code: 'EACCES' });
    const crashed = await sh('kill -SEGV $$');
    expect(crashed.end).toEqual({ kind: 'signaled', signal: 'SIGSEGV' });
    const badEnv = await runner.run({ executable: '/bin/true', args: [], env: { X: 'a\0b' }, timeoutMs: ms(5000) });
    expect(badEnv.end.kind).toBe('spawn-failed');
  });

  it('does not wait for, or kill, a background process that a finished command left holding its output', async () => {
    const outcome = await sh('sleep 30 & echo $!; exit 0');
    const child = Number(outcome.stdout.trim());
    leftovers.push(child);
    expect(outcome.end).toEqual({ kind: 'exited', code: 0 });
    expect(outcome.durationMs).toBeLessThan(5000);
    // A start action leaves its daemon behind in the group: that is the resource, not a leftover.
    expect(await isAlive(child)).toBe(true);
  });

  it('keeps what the command wrote before it exited while a background child still holds the pipes', async () => {
    const outcome = await sh('sleep 30 & echo $!; for i in 1 2 3; do echo line$i; done; echo "ocf-exit-reason:it is done" >&2; exit 1');
    const [child, ...lines] = outcome.stdout.trim().split('\n');
    leftovers.push(Number(child));
    expect(outcome.end).toEqual({ kind: 'exited', code: 1 });
    expect(lines).toEqual(['line1', 'line2', 'line3']);
    expect(outcome.exitReason).toBe('it is done');
  });

  it('on timeout ends the whole group, including children that ignore SIGTERM', async () => {
    const pidDirectory = scratch.path;
    const outcome = await runner.run({
      executable: join(FIXTURES, 'ocf/resource.d/heartline-test/Hang'),
      args: ['start'],
      env: { ...env, OCF_RESKEY_pid_dir: pidDirectory },
      timeoutMs: ms(700),
    });
    expect(outcome.end).toEqual({ kind: 'timed-out', reaped: true });
    const pids = (await readFile(join(pidDirectory, 'children'), 'utf8')).trim().split(' ').map(Number);
    expect(pids).toHaveLength(3);
    expect(pids[0]).toBe(outcome.pid);
    // The leader ignored SIGTERM, so the result waited for the SIGKILL after the grace period.
    expect(outcome.durationMs).toBeGreaterThanOrEqual(700 + 300 - 50);
    expect(await livingGroupMembers(outcome.pid ?? -1)).toEqual([]);
    for (const pid of pids) expect(await isAlive(pid)).toBe(false);
  });

  it('through the OCF class, a hanging agent is an operation with status timeout', async () => {
    const agents = new AgentClassRunner({ processes: runner, clock, directories: { ocfRoot: join(FIXTURES, 'ocf'), rscTmpDirectory: scratch.path } });
    const result = await agents.run({
      resource: { id: 'hang1', agent: { standard: 'ocf', provider: 'heartline-test', type: 'Hang' }, params: {} },
      action: 'stop',
      intervalMs: ms(0),
      timeoutMs: ms(500),
    });
    expect(result).toMatchObject({ rc: OcfRc.ERR_GENERIC, status: 'timeout', exitReason: 'stop of hang1 (ocf:heartline-test:Hang) timed out after 500 ms' });
    expect(result.stderr).toContain('hanging with children');
  });
});
