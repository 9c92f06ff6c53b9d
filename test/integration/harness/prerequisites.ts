/**
 * Prerequisites of the real-parts tests: root (namespaces, privileged ports, iptables) and the
 * Debian tools of scripts/test-packages.txt, as src/testbed/requirements.ts checks them. On a
 * developer's machine a missing one skips the suite and says why; in CI (`CI` set) it fails, so
 * that a CI machine without socat can never pass by running nothing.
 */
import { describe, it } from 'vitest';
import { missingRequirements, type Requirement } from '../../../src/testbed/requirements.js';

/** What a suite can need (src/testbed/requirements.ts checks them). */
export type Prerequisite = Requirement;

/** The reasons, one per missing prerequisite; empty when all are met. */
export function missingPrerequisites(needs: readonly Prerequisite[]): string[] {
  return missingRequirements(needs);
}

/**
 * `describe(title, body)` when every prerequisite is met. Otherwise, with `CI` set, a suite with
 * one failing test that names what is missing; without it, a skipped suite whose title carries the
 * reason (vitest prints skipped titles with --reporter=verbose). `otherProblems` are reasons the
 * suite found itself (say, a machine state it must not disturb), treated the same way.
 */
export function describeWithPrerequisites(title: string, needs: readonly Prerequisite[], body: () => void, otherProblems: readonly string[] = []): void {
  const missing = [...missingPrerequisites(needs), ...otherProblems];
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
