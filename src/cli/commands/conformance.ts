import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { importCibXml } from '../../ha/cib/index.js';
import { normalizeSummaryLine, parseTransitionSummary, schedule } from '../../ha/policy/index.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';

/** The outcome of one case: lines expected but missing, and lines produced but not expected. */
export interface ConformanceCase {
  readonly name: string;
  readonly passed: boolean;
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  readonly error?: string;
}

export interface ConformanceReport {
  readonly dir: string;
  readonly passed: number;
  readonly failed: number;
  readonly cases: readonly ConformanceCase[];
}

function multisetDiff(a: readonly string[], b: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = counts.get(x) ?? 0;
    if (n > 0) counts.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

/** Runs one case: schedules NAME.xml and compares the normalised summary lines with NAME.summary. */
export function runConformanceCase(name: string, xml: string, expectedText: string): ConformanceCase {
  const expected = parseTransitionSummary(expectedText).sort();
  const imported = importCibXml(xml);
  if (!imported.ok) return { name, passed: false, missing: expected, unexpected: [], error: 'the CIB does not import' };
  const cib = imported.value.cib;
  let actual: string[];
  try {
    actual = schedule(cib, { now: cib.header.executionDate ?? Math.floor(Date.now() / 1000) })
      .summary.map(normalizeSummaryLine)
      .sort();
  } catch (error) {
    return { name, passed: false, missing: expected, unexpected: [], error: error instanceof Error ? error.message : String(error) };
  }
  const missing = multisetDiff(expected, actual);
  const unexpected = multisetDiff(actual, expected);
  return { name, passed: missing.length === 0 && unexpected.length === 0, missing, unexpected };
}

/** Runs every NAME.xml in `dir` that has a NAME.summary next to it, in name order. */
export async function runConformance(dir: string): Promise<ConformanceReport> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new CommandError('unreadable', `${dir}: ${error instanceof Error ? error.message : String(error)}`, ExitCode.usage);
  }
  const names = entries.filter((f) => f.endsWith('.xml') && entries.includes(`${f.slice(0, -4)}.summary`)).map((f) => f.slice(0, -4)).sort();
  const cases: ConformanceCase[] = [];
  for (const name of names) {
    const [xml, summary] = await Promise.all([readFile(join(dir, `${name}.xml`), 'utf8'), readFile(join(dir, `${name}.summary`), 'utf8')]);
    cases.push(runConformanceCase(name, xml, summary));
  }
  const passed = cases.filter((c) => c.passed).length;
  return { dir, passed, failed: cases.length - passed, cases };
}

function formatReport(report: ConformanceReport): string {
  const lines: string[] = [];
  for (const c of report.cases) {
    if (c.passed) continue;
    lines.push(`FAIL ${c.name}${c.error === undefined ? '' : ` (${c.error})`}`);
    for (const l of c.missing) lines.push(`  - ${l}`);
    for (const l of c.unexpected) lines.push(`  + ${l}`);
  }
  lines.push(`${report.passed} passed, ${report.failed} failed`);
  return lines.join('\n');
}

export function registerConformanceCommand(program: Command, terminal: Terminal): void {
  withJsonOption(
    program
      .command('conformance')
      .argument('<dir>', 'a folder of NAME.xml / NAME.summary pairs, laid out like Pacemaker\'s scheduler regression cases')
      .summary("check the policy engine against Pacemaker's scheduler cases")
      .description(
        'For every NAME.xml in DIR with a NAME.summary next to it, run the policy engine and compare its Transition Summary ' +
          'with the one in NAME.summary (crm_simulate output), as sets of lines with runs of blanks collapsed. Prints a diff ' +
          '(- expected but missing, + produced but not expected) for each failing case and ends with "N passed, M failed". ' +
          'Exits 1 when a case fails.',
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline conformance ../shared/conformance/pacemaker-scheduler\n  heartline conformance cases/ --json | jq \'.cases[] | select(.passed | not) | .name\'\n')
    .action(async (dir: string, options: JsonOption) => {
      const report = await runConformance(dir);
      printResult(terminal, options, { ok: report.failed === 0, ...report }, () => formatReport(report));
      if (report.failed > 0) process.exitCode = ExitCode.failed;
    });
}
