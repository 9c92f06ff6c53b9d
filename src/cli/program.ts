import { Command, CommanderError } from 'commander';
import { registerBenchDetectCommand } from './commands/bench-detect.js';
import { registerBenchFramesCommand } from './commands/bench-frames.js';
import { registerBenchPolicyCommand } from './commands/bench-policy.js';
import { registerConfigCommand } from './commands/config.js';
import { registerConformanceCommand } from './commands/conformance.js';
import { registerDaemonCommand } from './commands/daemon.js';
import { registerImportCommand } from './commands/import.js';
import { registerLinksCommand } from './commands/links.js';
import { registerMembersCommand } from './commands/members.js';
import { registerProfileCommand } from './commands/profile.js';
import { registerSimCommand } from './commands/sim.js';
import { registerSimulateCommand } from './commands/simulate.js';
import { registerStatusCommand } from './commands/status.js';
import { registerVersionCommand } from './commands/version.js';
import { ExitCode, printError, processTerminal, type Terminal } from './output.js';

/**
 * Builds the `heartline` command tree. Every command registers itself from its own file under
 * commands/, follows the conventions of output.ts (`--json`, errors, exit codes) and has a
 * one-line summary (shown in `heartline --help`) and a full description with examples (shown in
 * `heartline help COMMAND`).
 */
export function buildProgram(terminal: Terminal = processTerminal): Command {
  const program = new Command('heartline')
    .description(
      'Heartline: high-availability clustering for two-node (up to 16-node) appliances.\n\n' +
        'Redundant heartbeat links (Ethernet, crossover, serial) feed membership; the DC runs the ' +
        'policy engine over the cluster information base and keeps every resource running on ' +
        'exactly one healthy node, fencing nodes that stop answering.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => terminal.out(s), writeErr: (s) => terminal.err(s) })
    .exitOverride()
    .addHelpText(
      'after',
      '\nConventions:\n' +
        '  --json      every command that prints data takes --json and then prints one JSON document\n' +
        '  exit codes  0 ok, 1 the operation failed, 2 bad usage or input, 3 daemon unreachable\n' +
        '\nRun `heartline help COMMAND` for a command\'s details and examples.\n',
    );
  program.helpCommand('help [command]', 'show help for a command');
  registerVersionCommand(program, terminal);
  registerDaemonCommand(program, terminal);
  registerStatusCommand(program, terminal);
  registerMembersCommand(program, terminal);
  registerLinksCommand(program, terminal);
  registerSimCommand(program, terminal);
  registerConfigCommand(program, terminal);
  registerImportCommand(program, terminal);
  registerSimulateCommand(program, terminal);
  registerConformanceCommand(program, terminal);
  registerProfileCommand(program, terminal);
  const bench = program
    .command('bench')
    .summary('measure speed and memory; every benchmark prints JSON with --json')
    .description('Benchmarks. Each prints its settings and results; with --json, one JSON document for scripts and CI dashboards.');
  registerBenchFramesCommand(bench, terminal);
  registerBenchDetectCommand(bench, terminal);
  registerBenchPolicyCommand(bench, terminal);
  return program;
}

/** Runs the CLI on argv and returns the exit code; never throws. */
export async function runCli(argv: readonly string[], terminal: Terminal = processTerminal): Promise<number> {
  const program = buildProgram(terminal);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version output end through here with exit code 0; usage errors were already printed.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const json = argv.includes('--json');
    return printError(terminal, { json }, error);
  }
}
