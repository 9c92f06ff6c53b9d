/**
 * Prerequisites of the real-parts tests: root (namespaces, privileged ports, iptables) and the
 * Debian tools of scripts/test-packages.txt. On a developer's machine a missing one skips the
 * suite and says why; in CI (`CI` set) it fails, so that a CI machine without socat can never pass
 * by running nothing.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

/** What a suite can need. The tools are named as the commands the harness runs. */
export type Prerequisite = 'root' | 'ip' | 'socat' | 'iptables' | 'setpriv';

const installHint = 'install with ./scripts/install-test-deps';

/** Why `prerequisite` is not met here, or undefined when it is. */
export function whyMissing(prerequisite: Prerequisite): string | undefined {
  if (prerequisite === 'root') {
    return process.getuid?.() === 0 ? undefined : 'not running as root (network namespaces, port 694 and iptables need it)';
  }
  return findExecutable(prerequisite) === undefined ? `\`${prerequisite}\` not found on PATH or in /usr/sbin, /sbin (${installHint})` : undefined;
}

/** The reasons, one per missing prerequisite; empty when all are met. */
export function missingPrerequisites(needs: readonly Prerequisite[]): string[] {
  return needs.map(whyMissing).filter((reason): reason is string => reason !== undefined);
}

/**
 * `describe(title, body)` when every prerequisite is met. Otherwise, with `CI` set, a suite with
 * one failing test that names what is missing; without it, a skipped suite whose title carries the
 * reason (vitest prints skipped titles with --reporter=verbose).
 */
export function describeWithPrerequisites(title: string, needs: readonly Prerequisite[], body: () => void): void {
  const missing = missingPrerequisites(needs);
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  const reason = missing.join('; ');
  if (process.env['CI'] !== undefined && process.env['CI'] !== '') {
    describe(title, () => {
      it('has its prerequisites', () => {
        throw new Error(`missing prerequisites in CI: ${reason}`);
      });
    });
    return;
  }
  describe.skip(`${title} (skipped: ${reason})`, body);
}

/** The absolute path of an executable named `name`, searching PATH and then the sbin directories (a non-root PATH often lacks them). */
export function findExecutable(name: string): string | undefined {
  const directories = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const directory of directories) {
    if (directory === '') continue;
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory: keep looking.
    }
  }
  return undefined;
}
