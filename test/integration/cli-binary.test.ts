// The built executable, as an operator runs it: `npm test` builds dist/ first. A missing build is a
// failure here, not a skip, so that CI can never pass without having run the real binary.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const binary = new URL('../../dist/cli/main.js', import.meta.url).pathname;

describe('heartline executable', () => {
  it('exists (run `npm run build` first)', () => {
    expect(existsSync(binary)).toBe(true);
  });

  it('prints help listing the commands', () => {
    const out = execFileSync(process.execPath, [binary, '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: heartline');
    expect(out).toMatch(/version .*print the version/);
  });

  it('prints the version and the git commit of this checkout', () => {
    const out = execFileSync(process.execPath, [binary, 'version', '--json'], { encoding: 'utf8' });
    const info = JSON.parse(out) as { commit: string | null };
    const inGit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: new URL('../..', import.meta.url).pathname }).status === 0;
    if (inGit) expect(info.commit).toMatch(/^[0-9a-f]{12}/);
  });

  it('replays a simulator seed to the same trace hash in two processes', () => {
    const run = (): string => (JSON.parse(execFileSync(process.execPath, [binary, 'sim', 'ping-pong', '--seed', '7', '--json'], { encoding: 'utf8' })) as { traceHash: string }).traceHash;
    expect(run()).toBe(run());
  });

  it('exits quietly when its reader closes the pipe early (heartline --help | head -1)', () => {
    const result = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${binary}" --help | head -1`], { encoding: 'utf8' });
    expect(result.stdout).toContain('Usage: heartline');
    expect(result.stderr).not.toContain('EPIPE');
  });

  it('exits 2 on bad usage', () => {
    const result = spawnSync(process.execPath, [binary, 'sim', 'ping-pong', '--seed', '-1'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
  });
});
