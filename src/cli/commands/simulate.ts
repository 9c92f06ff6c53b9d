import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatCibImportError, formatScore, importCibXml, type Cib } from '../../ha/cib/index.js';
import { schedule, type PolicyResult } from '../../ha/policy/index.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';

interface SimulateOptions extends JsonOption {
  readonly showScores?: boolean;
}

/** Reads and imports a CIB XML file, or throws a CommandError that says what is wrong. */
export async function readCibFile(file: string): Promise<Cib> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CommandError('unreadable', `${file}: ${error instanceof Error ? error.message : String(error)}`, ExitCode.usage);
  }
  const imported = importCibXml(text);
  if (!imported.ok) throw new CommandError('bad-cib', `${file}: ${formatCibImportError(imported.error)}`, ExitCode.usage, 'give a Pacemaker CIB XML file (a <cib> with configuration and status)');
  return imported.value.cib;
}

/** "Now" for a CIB: its execution-date when it pins one, else the wall clock. */
export function nowFor(cib: Cib): number {
  return cib.header.executionDate ?? Math.floor(Date.now() / 1000);
}

/** The score lines as crm_simulate --show-scores prints them. */
export function formatScores(result: PolicyResult): string[] {
  return result.scores.map((s) => (s.kind === 'promotion' ? `${s.resource} promotion score on ${s.node}: ${formatScore(s.score)}` : `pcmk__primitive_assign: ${s.resource} allocation score on ${s.node}: ${formatScore(s.score)}`));
}

export function registerSimulateCommand(program: Command, terminal: Terminal): void {
  withJsonOption(
    program
      .command('simulate')
      .argument('<file>', 'a Pacemaker CIB XML file (configuration and status)')
      .summary("run the policy engine on a CIB and print crm_simulate's Transition Summary")
      .description(
        'Run the policy engine on the CIB in FILE and print what the cluster would do, in the format of ' +
          "Pacemaker's crm_simulate \"Transition Summary\" (Start, Stop, Move, Restart, Recover, Promote, Demote, Fence). " +
          'When the CIB has an execution-date, failure expiry counts from it; otherwise from now.',
      )
      .option('--show-scores', 'also print the allocation and promotion scores'),
  )
    .addHelpText('after', '\nExamples:\n  heartline simulate cib.xml\n  heartline simulate cib.xml --show-scores\n  heartline simulate cib.xml --json | jq .summary\n')
    .action(async (file: string, options: SimulateOptions) => {
      const cib = await readCibFile(file);
      const result = schedule(cib, { now: nowFor(cib) });
      const json = { ok: true, file, summary: result.summary.map((l) => l.trim()), graph: result.graph, decisions: result.decisions, ...(options.showScores === true ? { scores: result.scores } : {}) };
      printResult(terminal, options, json, () => {
        const lines: string[] = [];
        if (options.showScores === true) lines.push('Allocation scores:', ...formatScores(result), '');
        lines.push('Transition Summary:', ...result.summary);
        return lines.join('\n');
      });
    });
}
