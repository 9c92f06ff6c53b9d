// CommandFencing runs heartline.yaml's fencing command as `COMMAND ACTION TARGET`: exit 0 is a
// fence, anything else a failure with the reason (exit status, timeout, missing program, its last
// line of output), answered no sooner than the minimum failure delay.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandFencing, NoFencing } from '../../../src/daemon/command-fencing.js';
import { ChildProcessRunner } from '../../../src/ha/lrm/index.js';
import { silentLogger, type Millis } from '../../../src/lib/index.js';
import { SystemClock } from '../../../src/platform/index.js';

const dir = mkdtempSync(join(tmpdir(), 'heartline-fencing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function program(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o700);
  return path;
}

function fencing(command: string, timeoutMs = 5000, minFailureMs = 0): CommandFencing {
  const clock = new SystemClock();
  return new CommandFencing({ command, timeoutMs: timeoutMs as Millis, processes: new ChildProcessRunner({ clock, killGraceMs: 200 as Millis }), clock, logger: silentLogger, path: '/usr/bin:/bin', minFailureMs });
}

const request = { target: 'beta', action: 'reboot' as const, reason: 'peer lost', requester: 'alpha' };

describe('CommandFencing', () => {
  it('passes ACTION TARGET and the reason, and exit 0 is a fence', async () => {
    const log = join(dir, 'calls');
    const result = await fencing(program('ok', `echo "$1 $2 $HEARTLINE_FENCE_REASON" >> ${log}; exit 0`)).fence(request);
    expect(result.ok).toBe(true);
    expect(readFileSync(log, 'utf8')).toBe('reboot beta peer lost\n');
  });

  it('a non-zero exit is a failure naming the status and the last line of output', async () => {
    const result = await fencing(program('no', 'echo "switch said no" >&2; exit 3')).fence(request);
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.reason).toMatch(/reboot beta exited with status 3: switch said no/);
  });

  it('a program that hangs is killed after the timeout', async () => {
    const result = await fencing(program('hang', 'sleep 30'), 300).fence(request);
    expect(!result.ok && result.reason).toMatch(/did not finish within 300 ms \(fencing.timeout\)/);
  });

  it('a missing program is a failure, reported no sooner than the minimum delay', async () => {
    const started = performance.now();
    const result = await fencing(join(dir, 'missing'), 5000, 300).fence(request);
    expect(!result.ok && result.reason).toMatch(/could not be started \(ENOENT/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('without a fencing section every request fails with a hint', async () => {
    const result = await new NoFencing().fence(request);
    expect(!result.ok && result.reason).toMatch(/no fencing section/);
  });
});
