import { Command, CommanderError } from 'commander';
import { ExitCode, printError, processTerminal, type Terminal } from './output.js';

type Registrar = (program: Command, terminal: Terminal) => void;

/**
 * Every top-level command and where its module is. Modules load on demand: `heartline daemon`
 * then never loads the simulator, the benchmarks or the conformance runner (their code would
 * stay in the daemon's memory for its whole life), and every command starts faster.
 */
const COMMANDS: readonly (readonly [name: string, load: () => Promise<Registrar>])[] = [
  ['version', async () => (await import('./commands/version.js')).registerVersionCommand],
  ['demo', async () => (await import('./commands/demo.js')).registerDemoCommand],
  ['daemon', async () => (await import('./commands/daemon.js')).registerDaemonCommand],
  ['status', async () => (await import('./commands/status.js')).registerStatusCommand],
  ['members', async () => (await import('./commands/members.js')).registerMembersCommand],
  ['links', async () => (await import('./commands/links.js')).registerLinksCommand],
  ['sim', async () => (await import('./commands/sim.js')).registerSimCommand],
  ['resource', async () => (await import('./commands/resource.js')).registerResourceCommand],
  ['constraint', async () => (await import('./commands/constraint.js')).registerConstraintCommand],
  ['node', async () => (await import('./commands/node.js')).registerNodeCommand],
  ['config', async () => (await import('./commands/config.js')).registerConfigCommand],
  ['import', async () => (await import('./commands/import.js')).registerImportCommand],
  ['simulate', async () => (await import('./commands/simulate.js')).registerSimulateCommand],
  ['conformance', async () => (await import('./commands/conformance.js')).registerConformanceCommand],
  ['profile', async () => (await import('./commands/profile.js')).registerProfileCommand],
  ['fence-device', async () => (await import('./commands/fence.js')).registerFenceDeviceCommand],
  ['fence', async () => (await import('./commands/fence.js')).registerFenceCommand],
  ['events', async () => (await import('./commands/availability.js')).registerEventsCommand],
  ['availability', async () => (await import('./commands/availability.js')).registerAvailabilityCommand],
  ['storage', async () => (await import('./commands/storage.js')).registerStorageCommand],
  ['snmp-agent', async () => (await import('./commands/snmp-agent.js')).registerSnmpAgentCommand],
  ['console', async () => (await import('./commands/console.js')).registerConsoleCommand],
];

const BENCH_COMMANDS: readonly (() => Promise<Registrar>)[] = [
  async () => (await import('./commands/bench-frames.js')).registerBenchFramesCommand,
  async () => (await import('./commands/bench-detect.js')).registerBenchDetectCommand,
  async () => (await import('./commands/bench-policy.js')).registerBenchPolicyCommand,
  async () => (await import('./commands/bench-failover.js')).registerBenchFailoverCommand,
  async () => (await import('./commands/bench-footprint.js')).registerBenchFootprintCommand,
];

/**
 * The command `argv` names (its first word that is not an option), when it is one of ours;
 * undefined for `heartline`, `heartline --help`, `heartline help X` and unknown words, which need
 * the whole tree (the help lists every command; commander suggests the closest for a typo).
 */
function namedCommand(argv: readonly string[]): string | undefined {
  const first = argv.find((word) => !word.startsWith('-'));
  return first === 'bench' || COMMANDS.some(([name]) => name === first) ? first : undefined;
}

/**
 * Builds the `heartline` command tree (only `only`'s branch when given). Every command registers itself from its own file under
 * commands/, follows the conventions of output.ts (`--json`, errors, exit codes) and has a
 * one-line summary (shown in `heartline --help`) and a full description with examples (shown in
 * `heartline help COMMAND`).
 */
export async function buildProgram(terminal: Terminal = processTerminal, only?: string): Promise<Command> {
  const program = new Command('heartline')
    .description(
      'Heartline: high-availability clustering for two-node (up to 16-node) appliances.\n\n' +
        'Redundant heartbeat links (Ethernet, crossover, serial) feed membership; the DC runs the ' +
        'policy engine over the cluster information base and keeps every resource running on ' +
        'exactly one healthy node, fencing nodes that stop answering.',
    )
    .showHelpAfterError('(run with --help for usage)')
    // Lets a command and its subcommands have options of the same name (`fence NODE --yes` and
    // `fence confirm NODE --yes`); the program itself has none.
    .enablePositionalOptions()
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
  for (const [name, load] of COMMANDS) if (only === undefined || only === name) (await load())(program, terminal);
  if (only === undefined || only === 'bench') {
    const bench = program
      .command('bench')
      .summary('measure speed and memory; every benchmark prints JSON with --json')
      .description('Benchmarks. Each prints its settings and results; with --json, one JSON document for scripts and CI dashboards.');
    for (const load of BENCH_COMMANDS) (await load())(bench, terminal);
  }
  return program;
}

/** Runs the CLI on argv and returns the exit code; never throws. */
export async function runCli(argv: readonly string[], terminal: Terminal = processTerminal): Promise<number> {
  let program: Command;
  try {
    program = await buildProgram(terminal, namedCommand(argv));
  } catch (error) {
    return printError(terminal, { json: argv.includes('--json') }, error);
  }
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
