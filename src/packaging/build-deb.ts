/**
 * `npm run package:deb`: builds heartline_<version>_<arch>.deb with dpkg-deb from the built tree
 * (run `npm run build` first; the npm script does). What goes where:
 *
 *   /usr/lib/heartline/          dist/, agents/, hw-profiles/, package.json, and the production
 *                                node_modules: a copy of the installed ones pruned with
 *                                `npm prune --omit=dev --offline` (no registry needed), with the
 *                                native modules' build leftovers removed. better-sqlite3 and
 *                                serialport are native, so the package's architecture is this
 *                                machine's (`dpkg --print-architecture`).
 *   /usr/bin/heartline           a wrapper that finds Node.js and runs dist/cli/main.js
 *   /lib/systemd/system/         heartline.service, heartline-console@.service, heartline-snmp.service
 *   /etc/heartline/heartline.yaml, /etc/default/heartline   conffiles (a valid template)
 *   /usr/share/snmp/mibs/        HEARTLINE-MIB.txt
 *   /usr/share/man/              heartline(8) generated from the CLI's command tree,
 *                                heartline.yaml(5) from man/
 *   /usr/share/doc/heartline/    README, docs/*.md, the example configuration, copyright
 *   DEBIAN/                      control, conffiles, md5sums, postinst/prerm/postrm
 *                                (packaging/deb/)
 *
 * Files are owned by root (`dpkg-deb --root-owner-group`, no fakeroot needed). The staging
 * folder is a fresh temporary one, removed afterwards (`--keep-staging` keeps it to look at).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { controlFile, debianVersion, DEFAULT_MAINTAINER, DEFAULT_NODE_DEPENDENCY, RECOMMENDS, wrapperScript } from './debian-control.js';
import { heartlineManPage } from './man-page.js';

const APP_DIR = '/usr/lib/heartline';
const UNIT_DIR = '/lib/systemd/system';
const CONFFILES = ['/etc/heartline/heartline.yaml', '/etc/default/heartline'] as const;

export interface BuildDebOptions {
  /** The source tree: package.json, dist/, node_modules/, ... */
  readonly sourceDir: string;
  readonly outDir: string;
  /** Depends: on Node.js; '' for none (Node.js not from a Debian package). */
  readonly nodeDependency: string;
  /** A serial line (ttyS0) whose console unit postinst enables; undefined leaves the console off. */
  readonly consoleTty?: string;
  readonly keepStaging: boolean;
}

export interface BuiltPackage {
  readonly path: string;
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  readonly commit: string | null;
  readonly sizeBytes: number;
  readonly installedSizeKib: number;
  readonly staging: string | null;
}

/** A failure the person building can fix, with what to do. */
export class PackagingError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'PackagingError';
  }
}

function run(command: string, args: readonly string[], options: { cwd?: string } = {}): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...options });
  } catch (error) {
    const detail = error instanceof Error && 'stderr' in error ? String((error as { stderr: unknown }).stderr).trim() : String(error);
    throw new PackagingError(`${command} ${args.join(' ')} failed: ${detail}`, `run it by hand to see why${options.cwd === undefined ? '' : ` (in ${options.cwd})`}`);
  }
}

function writeFile(path: string, content: string | Buffer, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
}

function copyInto(root: string, source: string, target: string, mode = 0o644): void {
  mkdirSync(dirname(join(root, target)), { recursive: true });
  copyFileSync(source, join(root, target));
  chmodSync(join(root, target), mode);
}

/** The commit the tree was built from, with -dirty when tracked files changed; null outside git. */
function gitCommit(sourceDir: string): string | null {
  try {
    const commit = execFileSync('git', ['-C', sourceDir, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', sourceDir, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return commit === '' ? null : dirty === '' ? commit : `${commit}-dirty`;
  } catch {
    return null;
  }
}

/** The page date: SOURCE_DATE_EPOCH, else the commit's date, else today (so that rebuilds of one commit repeat). */
function buildDate(sourceDir: string): string {
  const epoch = process.env['SOURCE_DATE_EPOCH'];
  let seconds = epoch !== undefined && /^\d+$/.test(epoch) ? Number(epoch) : NaN;
  if (Number.isNaN(seconds)) {
    try {
      seconds = Number(execFileSync('git', ['-C', sourceDir, 'log', '-1', '--format=%ct'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    } catch {
      seconds = NaN;
    }
  }
  const date = Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date();
  return date.toISOString().slice(0, 10);
}

/**
 * Native modules compiled at install time keep their object files, static libraries and C
 * sources (better-sqlite3: 26 MiB of them): only `build/Release/*.node` is loaded at run time.
 */
function trimNativeBuilds(nodeModules: string): void {
  const packages = readdirSync(nodeModules, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('binding.gyp'))
    .map((path) => join(nodeModules, dirname(path)));
  for (const dir of packages) {
    const release = join(dir, 'build', 'Release');
    if (!existsSync(release) || !readdirSync(release).some((name) => name.endsWith('.node'))) continue;
    for (const entry of readdirSync(join(dir, 'build'))) if (entry !== 'Release') rmSync(join(dir, 'build', entry), { recursive: true, force: true });
    for (const entry of readdirSync(release)) if (!entry.endsWith('.node') || entry.startsWith('test_')) rmSync(join(release, entry), { recursive: true, force: true });
    rmSync(join(dir, 'deps'), { recursive: true, force: true });
  }
  // Prebuilt binaries for other systems (serialport ships Windows, macOS, Android and ARM ones):
  // node-gyp-build loads prebuilds/<platform>-<arch>[+...]/ only.
  for (const dir of readdirSync(nodeModules, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('/prebuilds') || path === 'prebuilds')) {
    const prebuilds = join(nodeModules, dir);
    if (!lstatSync(prebuilds).isDirectory()) continue;
    for (const target of readdirSync(prebuilds)) if (target.split('+')[0] !== `${process.platform}-${process.arch}`) rmSync(join(prebuilds, target), { recursive: true, force: true });
  }
}

/** npm prune leaves the folders of scopes whose packages it removed, and the .bin links nothing here runs. */
function removePruneLeftovers(nodeModules: string): void {
  rmSync(join(nodeModules, '.bin'), { recursive: true, force: true });
  for (const entry of readdirSync(nodeModules)) {
    const path = join(nodeModules, entry);
    if (entry.startsWith('@') && lstatSync(path).isDirectory() && readdirSync(path).length === 0) rmSync(path, { recursive: true });
  }
}

/** Every regular file under `dir`, as paths relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => lstatSync(join(dir, path)).isFile())
    .sort();
}

/** Installed-Size as dpkg-gencontrol counts it: KiB per file rounded up, 1 per directory or link. */
function installedSizeKib(root: string): number {
  let kib = 0;
  for (const path of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    if (path === 'DEBIAN' || path.startsWith('DEBIAN/')) continue;
    const stat = lstatSync(join(root, path));
    kib += stat.isFile() ? Math.ceil(stat.size / 1024) : 1;
  }
  return kib;
}

function md5sums(root: string): string {
  const conffiles = new Set<string>(CONFFILES.map((path) => path.slice(1)));
  return filesUnder(root)
    .filter((path) => !path.startsWith('DEBIAN/') && !conffiles.has(path))
    .map((path) => `${createHash('md5').update(readFileSync(join(root, path))).digest('hex')}  ${path}\n`)
    .join('');
}

const EXTENDED_DESCRIPTION = `
Heartline keeps services running on two-node (and up to 16-node) appliances: redundant
heartbeat links (Ethernet, crossover, serial) feed a membership layer, a designated
coordinator runs a policy engine with Pacemaker's semantics over the cluster information
base, and a node that stops answering is fenced through its PDU or BMC before its
services are taken over.

This package installs the heartline command and daemon, its systemd units (enabled, not
started: replace the template /etc/heartline/heartline.yaml first), the hardware profiles,
the SNMP MIB and the manual pages.`;

const DEFAULT_ENVIRONMENT = `# /etc/default/heartline: read by heartline.service and heartline-snmp.service.
#
# The Node.js executable, when \`node\` on the service's PATH is not Node.js 20 or later:
#HEARTLINE_NODE=/usr/local/bin/node
#
# Extra options for \`heartline daemon\`, e.g. this node's name when it is not the host name:
#HEARTLINE_DAEMON_OPTIONS="--node alpha"
#
# Extra options for \`heartline snmp-agent\` (heartline-snmp.service), e.g. the same --node:
#HEARTLINE_SNMP_OPTIONS="--node alpha"
`;

export async function buildDeb(options: BuildDebOptions): Promise<BuiltPackage> {
  const source = options.sourceDir;
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { name: string; version: string; description: string; homepage?: string };
  const version = debianVersion(manifest.version);
  if (!version.ok) throw new PackagingError(version.error, 'Debian versions come from package.json');
  if (!existsSync(join(source, 'dist', 'cli', 'main.js'))) throw new PackagingError(`${join(source, 'dist')} has no built CLI`, 'run `npm run build` first (`npm run package:deb` does)');
  if (!existsSync(join(source, 'node_modules'))) throw new PackagingError(`${join(source, 'node_modules')} is missing`, 'run `npm ci` first');
  if (options.consoleTty !== undefined && !/^[A-Za-z0-9_-]+$/.test(options.consoleTty)) {
    throw new PackagingError(`'${options.consoleTty}' is not a tty name`, 'give the device name without /dev/, e.g. --console-tty ttyS0');
  }
  const architecture = run('dpkg', ['--print-architecture']).trim();
  const commit = gitCommit(source);

  const staging = mkdtempSync(join(tmpdir(), 'heartline-deb-'));
  try {
    const root = join(staging, 'root');
    const app = join(root, APP_DIR.slice(1));
    mkdirSync(app, { recursive: true });

    // The application and its production dependencies.
    for (const dir of ['dist', 'agents', 'hw-profiles']) run('cp', ['-a', join(source, dir), join(app, dir)]);
    for (const file of ['package.json', 'package-lock.json']) copyInto(root, join(source, file), join(APP_DIR, file).slice(1));
    run('cp', ['-a', realpathSync(join(source, 'node_modules')), join(app, 'node_modules')]);
    run('npm', ['prune', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });
    trimNativeBuilds(join(app, 'node_modules'));
    removePruneLeftovers(join(app, 'node_modules'));

    // The command, the units, the configuration, the MIB.
    writeFile(join(root, 'usr/bin/heartline'), wrapperScript({ appDir: APP_DIR, commit }), 0o755);
    for (const unit of ['heartline.service', 'heartline-console@.service', 'heartline-snmp.service']) copyInto(root, join(source, 'systemd', unit), join(UNIT_DIR, unit).slice(1));
    copyInto(root, join(source, 'packaging/deb/heartline.yaml'), 'etc/heartline/heartline.yaml');
    writeFile(join(root, 'etc/default/heartline'), DEFAULT_ENVIRONMENT);
    copyInto(root, join(source, 'mibs/HEARTLINE-MIB.txt'), 'usr/share/snmp/mibs/HEARTLINE-MIB.txt');

    // Manual pages, generated from the command tree without this shell's HEARTLINE_* defaults.
    for (const name of Object.keys(process.env)) if (name.startsWith('HEARTLINE_')) delete process.env[name];
    const { buildProgram } = await import('../cli/program.js');
    const program = await buildProgram({ out: () => undefined, err: () => undefined });
    const page = heartlineManPage(program, { version: version.value, date: buildDate(source) });
    writeFile(join(root, 'usr/share/man/man8/heartline.8.gz'), gzipSync(page, { level: 9 }));
    writeFile(join(root, 'usr/share/man/man5/heartline.yaml.5.gz'), gzipSync(readFileSync(join(source, 'man/heartline.yaml.5')), { level: 9 }));

    // Documentation.
    const doc = 'usr/share/doc/heartline';
    copyInto(root, join(source, 'README.md'), `${doc}/README.md`);
    for (const file of readdirSync(join(source, 'docs')).filter((name) => name.endsWith('.md'))) copyInto(root, join(source, 'docs', file), `${doc}/${file}`);
    copyInto(root, join(source, 'docs/examples/heartline.yaml'), `${doc}/examples/heartline.yaml`);
    copyInto(root, join(source, 'packaging/deb/copyright'), `${doc}/copyright`);

    // Whatever the source tree's modes were: directories 755, files 644 or 755 (as they were executable).
    run('chmod', ['-R', 'u+rwX,go+rX,go-w', root]);

    // DEBIAN/.
    const control = join(root, 'DEBIAN');
    const consoleTty = options.consoleTty ?? '';
    for (const script of ['postinst', 'prerm', 'postrm']) {
      writeFile(join(control, script), readFileSync(join(source, 'packaging/deb', script), 'utf8').replaceAll('@CONSOLE_TTY@', consoleTty), 0o755);
    }
    writeFile(join(control, 'conffiles'), `${CONFFILES.join('\n')}\n`);
    writeFile(join(control, 'md5sums'), md5sums(root));
    const size = installedSizeKib(root);
    writeFile(
      join(control, 'control'),
      controlFile({
        package: manifest.name,
        version: version.value,
        architecture,
        maintainer: DEFAULT_MAINTAINER,
        installedSizeKib: size,
        depends: [options.nodeDependency],
        recommends: RECOMMENDS,
        description: `${manifest.description}\n${EXTENDED_DESCRIPTION}`,
        ...(manifest.homepage === undefined ? {} : { homepage: manifest.homepage }),
      }),
    );

    mkdirSync(options.outDir, { recursive: true });
    const path = join(options.outDir, `${manifest.name}_${version.value}_${architecture}.deb`);
    // gzip: xz takes several times longer on this package for ~25 % less; dpkg reads both.
    run('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z6', '--build', root, path]);
    return { path, package: manifest.name, version: version.value, architecture, commit, sizeBytes: statSync(path).size, installedSizeKib: size, staging: options.keepStaging ? staging : null };
  } finally {
    if (!options.keepStaging) rmSync(staging, { recursive: true, force: true });
  }
}

/** The command line of `node dist/packaging/build-deb.js` (what `npm run package:deb` runs). */
export async function main(argv: readonly string[]): Promise<number> {
  const sourceDir = fileURLToPath(new URL('../..', import.meta.url));
  const program = new Command('package-deb')
    .description('Build the Debian package heartline_<version>_<arch>.deb from the built tree (npm run build first).')
    .option('-o, --out-dir <dir>', 'where to write the .deb', join(sourceDir, 'dist-deb'))
    .option('--node-dependency <spec>', "the Depends entry for Node.js; '' when Node.js is not installed from a Debian package", DEFAULT_NODE_DEPENDENCY)
    .option('--console-tty <tty>', 'enable heartline-console@TTY.service on installation (appliance images), e.g. ttyS0')
    .option('--keep-staging', 'keep the staging folder and print its path', false)
    .option('--json', 'print the result as one JSON document', false)
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch {
    return 2;
  }
  const options = program.opts<{ outDir: string; nodeDependency: string; consoleTty?: string; keepStaging: boolean; json: boolean }>();
  try {
    const built = await buildDeb({
      sourceDir,
      outDir: options.outDir,
      nodeDependency: options.nodeDependency,
      keepStaging: options.keepStaging,
      ...(options.consoleTty === undefined ? {} : { consoleTty: options.consoleTty }),
    });
    const shownPath = relative(process.cwd(), built.path).startsWith('..') ? built.path : relative(process.cwd(), built.path);
    const summary = `${shownPath}: ${built.package} ${built.version} ${built.architecture} (commit ${built.commit ?? 'unknown'}), ${(built.sizeBytes / 1048576).toFixed(1)} MiB, ${(built.installedSizeKib / 1024).toFixed(1)} MiB installed${built.staging === null ? '' : `; staging kept in ${built.staging}`}`;
    process.stdout.write(options.json ? `${JSON.stringify(built)}\n` : `${summary}\n`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = error instanceof PackagingError ? `\nhint: ${error.hint}` : '';
    process.stderr.write(`package-deb: error: ${message}${hint}\n`);
    return 1;
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
