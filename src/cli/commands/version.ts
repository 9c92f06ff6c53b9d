import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';

export interface VersionInfo {
  readonly name: string;
  readonly version: string;
  /** The git commit the code was built from, or null when it cannot be known (no .git, no git). */
  readonly commit: string | null;
  readonly node: string;
}

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The version from package.json and the commit: `HEARTLINE_COMMIT` when the package build stamped
 * one, else `git rev-parse` in the source tree, else null.
 */
export function versionInfo(): VersionInfo {
  const manifest = JSON.parse(readFileSync(findPackageJson(), 'utf8')) as { name: string; version: string };
  return { name: manifest.name, version: manifest.version, commit: gitCommit(), node: process.version };
}

function findPackageJson(): string {
  // dist/cli/commands/version.js and src/cli/commands/version.ts are both three levels below the root.
  return join(packageRoot, 'package.json');
}

function gitCommit(): string | null {
  const stamped = process.env['HEARTLINE_COMMIT'];
  if (stamped !== undefined && stamped !== '') return stamped;
  try {
    const commit = execFileSync('git', ['-C', packageRoot, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (commit === '') return null;
    const dirty = execFileSync('git', ['-C', packageRoot, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty === '' ? commit : `${commit}-dirty`;
  } catch {
    return null;
  }
}

export function registerVersionCommand(program: Command, terminal: Terminal): void {
  withJsonOption(
    program
      .command('version')
      .summary('print the version and the git commit it was built from')
      .description('Print the Heartline version, the git commit it was built from (when known) and the Node.js version.'),
  ).action((options: JsonOption) => {
    const info = versionInfo();
    printResult(terminal, options, info, () => `${info.name} ${info.version} (commit ${info.commit ?? 'unknown'}, node ${info.node})`);
  });
}
