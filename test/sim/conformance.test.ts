// The policy engine against Pacemaker's own scheduler regression cases (../shared/conformance/
// pacemaker-scheduler, or PACEMAKER_CONFORMANCE_DIR): each case's Transition Summary must equal
// crm_simulate's as a set of normalised lines. Skipped with a message when the folder is absent
// (a fresh clone); in CI the folder must be there.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runConformance } from '../../src/cli/commands/conformance.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = process.env['PACEMAKER_CONFORMANCE_DIR'] ?? join(repoRoot, '..', 'shared', 'conformance', 'pacemaker-scheduler');
const present = existsSync(dir);
const inCi = process.env['CI'] !== undefined && process.env['CI'] !== '';

// A ratchet: the number of passing cases may only go up, toward the 95 % the issue asks for.
// Raise it whenever the engine passes more cases; never lower it.
const PASSING_CASES_MIN = 249;

describe('Pacemaker scheduler conformance', () => {
  if (!present && !inCi) {
    it.skip(`skipped: no conformance folder at ${dir} (set PACEMAKER_CONFORMANCE_DIR)`, () => undefined);
    return;
  }
  it('has the conformance folder (required in CI)', () => {
    expect(present, `no conformance folder at ${dir}`).toBe(true);
  });
  it(`passes at least ${PASSING_CASES_MIN} cases`, async () => {
    if (!present) return;
    const report = await runConformance(dir);
    expect(report.passed + report.failed).toBeGreaterThan(0);
    expect(report.passed).toBeGreaterThanOrEqual(PASSING_CASES_MIN);
  });
});
