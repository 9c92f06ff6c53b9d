// The CLI's conventions, run in-process: help lists every command with its summary, --json gives
// one parseable document, and usage errors exit 2 with a message that names the bad value.
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli-in-process.js';


describe('heartline CLI', () => {
  it('--help lists each command with a one-line description and the conventions', async () => {
    const { code, out } = await cli('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/^\s+version \[options\]\s+print the version/m);
    expect(out).toMatch(/^\s+sim\s+run the deterministic simulator/m);
    expect(out).toContain('--json');
    expect(out).toContain('exit codes');
    // The help loads every command's module (transformed from source here): slow on a loaded machine.
  }, 60_000);

  it('version --json prints one JSON document with the version and commit', async () => {
    const { code, out } = await cli('version', '--json');
    expect(code).toBe(0);
    const info = JSON.parse(out) as { name: string; version: string; commit: string | null };
    expect(info.name).toBe('heartline');
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.commit === null || /^[0-9a-f]{12}(-dirty)?$/.test(info.commit)).toBe(true);
  });

  it('rejects a bad seed with exit code 2 and names the problem', async () => {
    const { code, err } = await cli('sim', 'ping-pong', '--seed', 'abc');
    expect(code).toBe(2);
    expect(err).toContain("a seed is a whole number");
  });

  it('rejects an unknown command with exit code 2', async () => {
    const { code, err } = await cli('frobnicate');
    expect(code).toBe(2);
    expect(err).toContain("unknown command 'frobnicate'");
  });

  it('reports a command error as text and, with --json, as a JSON document', async () => {
    const { code, out, err } = await cli('sim', 'ping-pong', '--runs', '2', '--trace', '--json');
    expect(code).toBe(2);
    expect(err).toContain('heartline: error: --trace prints one run');
    expect(JSON.parse(out)).toMatchObject({ ok: false, error: { code: 'usage' } });
  });

  it('sweeps seeds and ends with the plain summary line', async () => {
    const { code, out } = await cli('sim', 'ping-pong', '--seed', '0', '--runs', '20');
    expect(code).toBe(0);
    expect(out.trim().split('\n').at(-1)).toBe('20 passed, 0 failed');
  });

  it('exits 1 and prints the replay command when a run fails', async () => {
    const { code, out } = await cli('sim', 'ping-pong', '--seed', '0', '--runs', '50', '--variant', 'no-retry');
    expect(code).toBe(1);
    expect(out).toMatch(/replay: .*sim ping-pong --seed \d+ --variant no-retry --trace/);
  });
});
