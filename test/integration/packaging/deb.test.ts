// The Debian package as an administrator meets it: build it from the built tree
// (dist/packaging/build-deb.js, what `npm run package:deb` runs after the build), install it with
// dpkg -i, run `heartline` from /usr/bin, check the installed units with systemd-analyze verify
// (it needs no running systemd), remove it (the configuration stays), purge it (it goes).
//
// The package is system-wide, so the suite does not run where it would disturb something: a
// heartline package already installed, or an /etc/heartline or /var/lib/heartline that the purge
// would delete. Whatever happens, the package is purged at the end.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { debianVersion } from '../../../src/packaging/debian-control.js';
import { findExecutable } from '../../../src/testbed/requirements.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const builder = join(root, 'dist/packaging/build-deb.js');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const packageName = manifest.name;

function sh(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  return spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
}

/** dpkg's status of the package ("install ok installed", "deinstall ok config-files"), or null when dpkg knows nothing of it. */
function packageStatus(): string | null {
  const result = sh('dpkg-query', ['-W', '-f=${Status}', packageName]);
  return result.status === 0 && result.stdout.trim() !== 'unknown ok not-installed' ? result.stdout.trim() : null;
}

/** dpkg with its lock: another apt or dpkg (a colleague's install) may hold it for a while; wait rather than fail. */
async function dpkg(...args: string[]): Promise<SpawnSyncReturns<string>> {
  for (let attempt = 0; ; attempt++) {
    const result = sh('dpkg', args);
    if (result.status === 0 || !/lock/i.test(result.stderr) || attempt >= 150) return result;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

/** Node.js 20+ from a Debian package satisfies the default Depends; otherwise the package is built without it (as the docs say to). */
function nodeFromDebianPackage(): boolean {
  const result = sh('dpkg-query', ['-W', '-f=${Version}', 'nodejs']);
  return result.status === 0 && Number(/^(?:\d+:)?(\d+)/.exec(result.stdout)?.[1] ?? 0) >= 20;
}

function problemsOfThisMachine(): string[] {
  const problems: string[] = [];
  const status = packageStatus();
  if (status !== null) problems.push(`the ${packageName} package is already on this machine (${status}); this test installs and purges it (dpkg -P ${packageName} to let it run)`);
  for (const path of ['/etc/heartline', '/var/lib/heartline']) if (existsSync(path)) problems.push(`${path} exists and purging the test's package would delete it`);
  return problems;
}

interface Built {
  readonly path: string;
  readonly version: string;
  readonly architecture: string;
}

describeWithPrerequisites(
  'Debian package (dpkg-deb, dpkg -i, systemd-analyze verify, dpkg -r, dpkg -P)',
  ['root', 'dpkg-deb', 'systemd-analyze'],
  () => {
    let outDir = '';
    let built: Built | undefined;
    const withNodeDependency = nodeFromDebianPackage();

    beforeAll(() => {
      outDir = mkdtempSync(join(tmpdir(), 'heartline-deb-test-'));
      const args = [builder, '--out-dir', outDir, '--console-tty', 'ttyS0', '--json', ...(withNodeDependency ? [] : ['--node-dependency', ''])];
      const result = sh(process.execPath, args);
      if (result.status !== 0) throw new Error(`building the package failed (is dist/ built? npm run build):\n${result.stderr}`);
      built = JSON.parse(result.stdout) as Built;
    });

    afterAll(async () => {
      if (packageStatus() !== null) {
        const purge = await dpkg('-P', packageName);
        if (purge.status !== 0) throw new Error(`cleanup: dpkg -P ${packageName} failed: ${purge.stderr}`);
      }
      if (outDir !== '') rmSync(outDir, { recursive: true, force: true });
    });

    function deb(): Built {
      if (built === undefined) throw new Error('the package was not built');
      return built;
    }

    it('builds heartline_<version>_<arch>.deb with the application, the units, the configuration, the MIB and the man pages', () => {
      const { path, version, architecture } = deb();
      const expectedVersion = debianVersion(manifest.version);
      expect(expectedVersion.ok && expectedVersion.value).toBe(version);
      expect(architecture).toBe(sh('dpkg', ['--print-architecture']).stdout.trim());
      expect(path).toBe(join(outDir, `${packageName}_${version}_${architecture}.deb`));

      const field = (name: string): string => sh('dpkg-deb', ['-f', path, name]).stdout.trim();
      expect(field('Package')).toBe(packageName);
      expect(field('Version')).toBe(version);
      if (withNodeDependency) expect(field('Depends')).toBe('nodejs (>= 20)');
      expect(field('Recommends')).toBe('resource-agents, fence-agents, ipmitool, snmp, snmpd');
      expect(sh('dpkg-deb', ['-I', path, 'conffiles']).stdout.trim().split('\n')).toEqual(['/etc/heartline/heartline.yaml', '/etc/default/heartline']);

      const listing = sh('dpkg-deb', ['-c', path]).stdout;
      const files = new Set(listing.split('\n').map((line) => line.split(/\s+/).slice(5).join(' ').replace(/^\./, '')));
      for (const file of [
        '/usr/bin/heartline',
        '/usr/lib/heartline/dist/cli/main.js',
        '/usr/lib/heartline/package.json',
        '/usr/lib/heartline/agents/ocf/heartline/WebDemo',
        '/usr/lib/heartline/hw-profiles/appliances/generic-2node-ipmi.yaml',
        '/usr/lib/heartline/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
        '/usr/lib/heartline/node_modules/zod/package.json',
        '/lib/systemd/system/heartline.service',
        '/lib/systemd/system/heartline-console@.service',
        '/lib/systemd/system/heartline-snmp.service',
        '/etc/heartline/heartline.yaml',
        '/usr/share/snmp/mibs/HEARTLINE-MIB.txt',
        '/usr/share/man/man8/heartline.8.gz',
        '/usr/share/man/man5/heartline.yaml.5.gz',
        '/usr/share/doc/heartline/copyright',
      ]) {
        expect(files.has(file), file).toBe(true);
      }
      // Production dependencies only, and no compiler leftovers.
      for (const devOnly of ['vitest', 'typescript', 'eslint', 'fast-check']) expect(files.has(`/usr/lib/heartline/node_modules/${devOnly}/`), devOnly).toBe(false);
      expect(listing).not.toMatch(/better-sqlite3\/(deps|build\/Release\/obj)/);
      // Owned by root whoever built it.
      expect(listing.split('\n').filter((line) => line !== '' && !line.includes(' root/root '))).toEqual([]);
    });

    it('installs with dpkg -i: heartline runs from /usr/bin, the daemon unit is enabled, the cluster users and state folder exist', async () => {
      const install = await dpkg('-i', deb().path);
      expect(install.stderr.split('\n').filter((line) => /error|warning/i.test(line))).toEqual([]);
      expect(install.status).toBe(0);
      expect(packageStatus()).toBe('install ok installed');

      const env: NodeJS.ProcessEnv = { ...process.env, PATH: `/usr/bin:/bin:${process.env['PATH'] ?? ''}` };
      delete env['HEARTLINE_COMMIT'];
      const version = sh('/usr/bin/heartline', ['version'], env);
      expect(version.stderr).toBe('');
      expect(version.status).toBe(0);
      expect(version.stdout).toContain(`heartline ${manifest.version} `);
      const json = JSON.parse(sh('/usr/bin/heartline', ['version', '--json'], env).stdout) as { version: string; commit: string | null };
      expect(json.version).toBe(manifest.version);
      // The installed tree has no .git: the commit is the one the wrapper was stamped with at build time.
      const gitHead = sh('git', ['-C', root, 'rev-parse', '--short=12', 'HEAD']);
      if (gitHead.status === 0) expect(json.commit).toMatch(new RegExp(`^${gitHead.stdout.trim()}`));

      // The template configuration is valid, and the manual pages are where man looks.
      expect(sh('/usr/bin/heartline', ['config', 'check', '/etc/heartline/heartline.yaml'], env).status).toBe(0);
      // ...and the daemon refuses it with exit status 6 ("not configured"), which the unit does not restart.
      const scratch = mkdtempSync(join(tmpdir(), 'heartline-unconfigured-'));
      try {
        const daemon = sh('/usr/bin/heartline', ['daemon', '--config', '/etc/heartline/heartline.yaml', '--node', 'node1', '--state-dir', join(scratch, 'state'), '--socket', join(scratch, 'heartline.sock'), '--realtime-priority', '0'], env);
        expect(daemon.status, daemon.stderr).toBe(6);
        expect(daemon.stderr).toMatch(/not configured: \/etc\/heartline\/heartline\.yaml is still the package's template/);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
      expect(readFileSync('/lib/systemd/system/heartline.service', 'utf8')).toMatch(/^RestartPreventExitStatus=.*\b6\b/m);
      expect(lstatSync('/etc/systemd/system/multi-user.target.wants/heartline.service').isSymbolicLink()).toBe(true);
      expect(lstatSync('/etc/systemd/system/getty.target.wants/heartline-console@ttyS0.service').isSymbolicLink()).toBe(true);
      expect(sh('getent', ['group', 'haclient']).status).toBe(0);
      expect(sh('getent', ['passwd', 'hacluster']).status).toBe(0);
      expect(statSync('/var/lib/heartline').mode & 0o777).toBe(0o750);

      // The native modules in the package load with this machine's Node.js.
      const sqlite = sh(process.execPath, ['-e', "const D = require('/usr/lib/heartline/node_modules/better-sqlite3'); console.log(new D(':memory:').prepare('select 41 + 1 as v').get().v)"]);
      expect(sqlite.stderr).toBe('');
      expect(sqlite.stdout.trim()).toBe('42');
      const serial = sh(process.execPath, ['-e', "const b = require('/usr/lib/heartline/node_modules/node-gyp-build')('/usr/lib/heartline/node_modules/@serialport/bindings-cpp'); console.log(typeof b.open)"]);
      expect(serial.stderr).toBe('');
      expect(serial.stdout.trim()).toBe('function');
    });

    it('passes systemd-analyze verify for the installed units (the check itself catches a broken unit)', () => {
      // With man, verify also checks that Documentation=man:heartline(8) resolves.
      const manOption = findExecutable('man') === undefined ? ['--man=no'] : [];
      const verify = sh('systemd-analyze', ['verify', ...manOption, 'heartline.service', 'heartline-console@ttyS0.service', 'heartline-snmp.service']);
      expect(`${verify.stdout}${verify.stderr}`.split('\n').filter((line) => line.includes('heartline'))).toEqual([]);
      expect(verify.status).toBe(0);

      const broken = mkdtempSync(join(tmpdir(), 'heartline-unit-'));
      try {
        mkdirSync(broken, { recursive: true });
        const unit = readFileSync('/lib/systemd/system/heartline.service', 'utf8').replace('ExecStart=/usr/bin/heartline', 'ExecStart=/usr/bin/heartline-missing');
        writeFileSync(join(broken, 'heartline.service'), unit);
        const failed = sh('systemd-analyze', ['verify', '--man=no', join(broken, 'heartline.service')]);
        expect(failed.status).not.toBe(0);
        expect(failed.stderr).toContain('heartline-missing');
      } finally {
        rmSync(broken, { recursive: true, force: true });
      }
    });

    it('dpkg -r removes the program and keeps the configuration and the state', async () => {
      const remove = await dpkg('-r', packageName);
      expect(remove.status).toBe(0);
      expect(packageStatus()).toBe('deinstall ok config-files');
      expect(existsSync('/usr/bin/heartline')).toBe(false);
      expect(existsSync('/usr/lib/heartline')).toBe(false);
      expect(existsSync('/etc/heartline/heartline.yaml')).toBe(true);
      expect(existsSync('/etc/default/heartline')).toBe(true);
      expect(existsSync('/var/lib/heartline')).toBe(true);
    });

    it('dpkg -P removes the configuration, the state and the units\' enablement', async () => {
      const purge = await dpkg('-P', packageName);
      expect(purge.status).toBe(0);
      expect(packageStatus()).toBeNull();
      for (const path of ['/etc/heartline', '/etc/default/heartline', '/var/lib/heartline', '/etc/systemd/system/multi-user.target.wants/heartline.service', '/etc/systemd/system/getty.target.wants/heartline-console@ttyS0.service', '/etc/systemd/system/heartline.service']) {
        expect(existsSync(path) || lstatExists(path), path).toBe(false);
      }
    });
  },
  problemsOfThisMachine(),
);

/** existsSync follows links; a dangling enablement link must count as present too. */
function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
