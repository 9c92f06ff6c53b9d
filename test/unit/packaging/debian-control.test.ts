// The text parts of the Debian package: versions, the control file, the /usr/bin wrapper, and
// the default configuration the package installs (valid, and recognisably a template).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { controlFile, debianVersion, wrapperScript } from '../../../src/packaging/debian-control.js';

describe('debianVersion', () => {
  it.each([
    ['0.1.0', '0.1.0'],
    ['1.2.3-rc.1', '1.2.3~rc.1'],
    ['1.2.3-beta-2', '1.2.3~beta.2'],
    ['1.2.3+build.7', '1.2.3+build.7'],
    ['1.2.3-rc.1+git.abc', '1.2.3~rc.1+git.abc'],
  ])('%s becomes %s', (semver, debian) => {
    expect(debianVersion(semver)).toEqual({ ok: true, value: debian });
  });

  it('sorts a pre-release before its release, as dpkg compares them', () => {
    const pre = debianVersion('1.0.0-rc.1');
    const release = debianVersion('1.0.0');
    if (!pre.ok || !release.ok) throw new Error('not versions');
    expect(spawnSync('dpkg', ['--compare-versions', pre.value, 'lt', release.value]).status).toBe(0);
  });

  it.each(['1.2', 'v1.2.3', '1.2.3-', ''])('refuses %j with a message naming package.json', (text) => {
    const result = debianVersion(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain('package.json');
  });
});

describe('controlFile', () => {
  const fields = {
    package: 'heartline',
    version: '0.1.0',
    architecture: 'amd64',
    maintainer: 'M <m@example.org>',
    installedSizeKib: 20480.4,
    depends: ['nodejs (>= 20)'],
    recommends: ['snmp', 'snmpd'],
    description: 'Synopsis line\n\nFirst paragraph\nstill first.\n\nSecond.',
  };

  it('writes one field per line, the extended description indented with " ." for blank lines', () => {
    expect(controlFile(fields)).toBe(
      [
        'Package: heartline',
        'Version: 0.1.0',
        'Architecture: amd64',
        'Maintainer: M <m@example.org>',
        'Installed-Size: 20481',
        'Section: admin',
        'Priority: optional',
        'Depends: nodejs (>= 20)',
        'Recommends: snmp, snmpd',
        'Description: Synopsis line',
        ' .',
        ' First paragraph',
        ' still first.',
        ' .',
        ' Second.',
        '',
      ].join('\n'),
    );
  });

  it('leaves out Depends when the Node.js dependency is relaxed to nothing', () => {
    expect(controlFile({ ...fields, depends: [''] })).not.toContain('Depends:');
  });
});

describe('wrapperScript', () => {
  function runWrapper(env: NodeJS.ProcessEnv, commit: string | null = 'abc123'): ReturnType<typeof spawnSync> {
    const dir = mkdtempSync(join(tmpdir(), 'heartline-wrapper-'));
    try {
      // A fake application that prints what it was run with.
      const app = join(dir, 'app');
      spawnSync('mkdir', ['-p', join(app, 'dist/cli')]);
      writeFileSync(join(app, 'dist/cli/main.js'), 'console.log(JSON.stringify({ args: process.argv.slice(2), commit: process.env.HEARTLINE_COMMIT ?? null, nodeFlags: process.execArgv }));\n');
      const wrapper = join(dir, 'heartline');
      writeFileSync(wrapper, wrapperScript({ appDir: app, commit }), { mode: 0o755 });
      return spawnSync(wrapper, ['version', '--json'], { encoding: 'utf8', env });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('runs the application with node from PATH, passing the arguments and the stamped commit', () => {
    const result = runWrapper({ PATH: process.env['PATH'] ?? '' });
    expect(result.status).toBe(0);
    expect(JSON.parse(String(result.stdout))).toEqual({ args: ['version', '--json'], commit: 'abc123', nodeFlags: [] });
  });

  it('uses HEARTLINE_NODE when set, and lets HEARTLINE_COMMIT override the stamp', () => {
    const result = runWrapper({ PATH: '/nonexistent', HEARTLINE_NODE: process.execPath, HEARTLINE_COMMIT: 'mine' });
    expect(result.status).toBe(0);
    expect(JSON.parse(String(result.stdout))).toEqual({ args: ['version', '--json'], commit: 'mine', nodeFlags: [] });
  });

  it('puts HEARTLINE_NODE_FLAGS on node\'s command line, one flag per word (the daemon unit sets the flags NODE_OPTIONS refuses)', () => {
    const result = runWrapper({ PATH: process.env['PATH'] ?? '', HEARTLINE_NODE_FLAGS: '--max-semi-space-size=1 --single-threaded' });
    expect(result.status).toBe(0);
    expect(JSON.parse(String(result.stdout))).toEqual({ args: ['version', '--json'], commit: 'abc123', nodeFlags: ['--max-semi-space-size=1', '--single-threaded'] });
  });

  it('says what to install when there is no Node.js, exit 127', () => {
    const result = runWrapper({ PATH: '/nonexistent' }, null);
    expect(result.status).toBe(127);
    expect(String(result.stderr)).toMatch(/Node\.js not found[\s\S]*hint: install Node\.js 20 or later/);
  });
});

describe('the default configuration the package installs', () => {
  const text = readFileSync(new URL('../../../packaging/deb/heartline.yaml', import.meta.url), 'utf8');

  it('is valid, so `heartline config check` passes on a fresh install', () => {
    const parsed = parseConfig(text, 'heartline.yaml');
    expect(parsed.ok ? [] : parsed.error).toEqual([]);
  });

  it('is recognisably a template: cluster "unconfigured", documentation addresses only', () => {
    const parsed = parseConfig(text, 'heartline.yaml');
    if (!parsed.ok) throw new Error('invalid');
    expect(parsed.value.cluster.name).toBe('unconfigured');
    expect(text).toContain('TEMPLATE');
    for (const address of text.match(/\b\d+\.\d+\.\d+\.\d+\b/g) ?? []) expect(address).toMatch(/^192\.0\.2\./);
  });
});
