import { randomInt } from 'node:crypto';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { runMembership, runPingPong, type PingPongVariant, type SimulationResult } from '../../sim/index.js';
import { runCluster } from '../../sim/cluster/cluster-scenario.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';

interface SimOptions extends JsonOption {
  readonly seed?: number;
  readonly runs?: number;
  readonly trace?: boolean;
}

/** What every scenario's run returns, whatever its protocol. */
interface ScenarioRun {
  readonly options: object;
  readonly result: SimulationResult;
  readonly replay: string;
}

export function parseSeed(value: string): number {
  const seed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(seed)) {
    throw new InvalidArgumentError(`a seed is a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got '${value}'`);
  }
  return seed;
}

export function parseCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1 || count > 10_000_000) throw new InvalidArgumentError(`expected a whole number from 1 to 10000000, got '${value}'`);
  return count;
}

function summarize(run: ScenarioRun): Record<string, unknown> {
  const { result } = run;
  return {
    seed: result.seed,
    protocol: result.protocol,
    ok: result.violation === undefined,
    violation: result.violation ?? null,
    events: result.events,
    endMs: result.endMs,
    traceHash: result.traceHash,
    stats: result.stats,
    options: run.options,
    replay: run.replay,
  };
}

export function registerSimCommand(program: Command, terminal: Terminal): void {
  const sim = program
    .command('sim')
    .summary('run the deterministic simulator: replay a seed or sweep many')
    .description(
      'Run a scenario of the deterministic cluster simulator under virtual time. A run is fully ' +
        'determined by its seed: the same seed always gives the same trace (and trace hash), so a ' +
        'seed that failed in CI replays here exactly.',
    );

  withRunOptions(
    sim
      .command('ping-pong')
      .summary('the simulator\'s proving protocol: ping-pong with retries under faults')
      .description(
        'Run the ping-pong protocol (a client pings every server and retries until all answer, for a ' +
          'number of rounds) on 2-5 simulated nodes under a random fault schedule drawn from the seed: ' +
          'loss, delay, duplication, reordering, partitions, one-way cuts, crashes and restarts. ' +
          'Checks safety on every step and liveness after the faults heal. Exits 1 when a run fails.',
      )
      .addOption(new Option('--variant <name>', 'protocol variant; the two buggy ones exist to prove the checkers').choices(['correct', 'no-retry', 'no-incarnation-check']).default('correct')),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  heartline sim ping-pong --seed 42 --trace      replay seed 42 and print its trace\n' +
        '  heartline sim ping-pong --seed 0 --runs 1000   check seeds 0..999\n',
    )
    .action((options: SimOptions & { variant: PingPongVariant }) => {
      runScenario(terminal, options, (seed, keepTrace) => runPingPong(seed, { variant: options.variant, keepTrace }));
    });

  withRunOptions(
    sim
      .command('membership')
      .summary('membership over redundant links: failure detection, views, DC, quorum under faults')
      .description(
        'Run the membership layer (the same code the daemon runs) on 2, 3, 5 or 16 simulated nodes with one to ' +
          'three heartbeat links each, under a random fault schedule drawn from the seed: loss, delay, duplication, ' +
          'reordering, partitions and one-way cuts of single links or whole paths, crashes and restarts. Every step is ' +
          'checked for agreement (one content per view id) and integrity; after the faults heal, all nodes must ' +
          'converge on one view with every live node, one DC and quorum. Exits 1 when a run fails.',
      )
      .addOption(new Option('--nodes <n>', 'cluster size instead of the one drawn from the seed').choices(['2', '3', '5', '16'])),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  heartline sim membership --seed 7 --trace          replay seed 7 and print its trace\n' +
        '  heartline sim membership --seed 0 --runs 1000      check seeds 0..999\n' +
        '  heartline sim membership --nodes 16 --runs 50      fifty 16-node runs from a random seed\n',
    )
    .action((options: SimOptions & { nodes?: string }) => {
      const nodeCount = options.nodes === undefined ? undefined : Number(options.nodes);
      runScenario(terminal, options, (seed, keepTrace) => runMembership(seed, { keepTrace, ...(nodeCount === undefined ? {} : { nodeCount }) }));
    });

  withRunOptions(
    sim
      .command('cluster')
      .summary('the whole stack: membership, CIB replication, policy, transitions, LRM and fencing under faults')
      .description(
        'Run the whole stack of every node (membership, reliable channel, CIB replica, controller with the policy and ' +
          'transition engines, the same code the daemon runs) on 2 or 3 simulated nodes with a simulated LRM and ' +
          'fence device, under a random fault schedule drawn from the seed: network loss, partitions, daemon crashes ' +
          'and freezes (their resources keep running), resources dying under their agents, agents failing or hanging. ' +
          'Every step is checked that no resource is active on two powered nodes; after the faults stop, every node ' +
          'must be up and every resource that never failed to start must run exactly once. Exits 1 when a run fails.',
      )
      .addOption(new Option('--nodes <n>', 'cluster size instead of the one drawn from the seed').choices(['2', '3'])),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  heartline sim cluster --seed 7 --trace          replay seed 7 and print its trace\n' +
        '  heartline sim cluster --seed 0 --runs 500       check seeds 0..499\n',
    )
    .action((options: SimOptions & { nodes?: string }) => {
      const nodeCount = options.nodes === undefined ? undefined : Number(options.nodes);
      runScenario(terminal, options, (seed, keepTrace) => runCluster(seed, { keepTrace, ...(nodeCount === undefined ? {} : { nodeCount }) }));
    });
}

/** The options every scenario takes: --seed, --runs, --trace and --json. */
function withRunOptions(command: Command): Command {
  return withJsonOption(
    command
      .option('--seed <n>', 'the seed of the (first) run; random when omitted', parseSeed)
      .option('--runs <n>', 'run this many consecutive seeds and summarize', parseCount)
      .option('--trace', 'print the full trace of a single run, one line per event'),
  );
}

/** Runs one seed (optionally printing its trace) or a sweep of consecutive seeds, and reports. */
function runScenario(terminal: Terminal, options: SimOptions, runSeed: (seed: number, keepTrace: boolean) => ScenarioRun): void {
  const firstSeed = options.seed ?? randomInt(0, 2 ** 31);
  if (options.runs !== undefined && options.trace === true) {
    throw new CommandError('usage', '--trace prints one run: use it with --seed alone, not with --runs', ExitCode.usage);
  }
  if (options.runs === undefined) {
    const run = runSeed(firstSeed, options.trace === true);
    const { result } = run;
    printResult(terminal, options, summarize(run), () =>
      [
        ...(options.trace === true ? (result.traceLines ?? []) : []),
        `seed ${result.seed}: ${result.violation === undefined ? 'ok' : `FAILED (${result.violation.kind} at ${result.violation.atMs} ms): ${result.violation.message}`}`,
        `  ${result.events} events, ${result.endMs} ms simulated, trace ${result.traceHash.slice(0, 16)}`,
        `  ${Object.entries(run.options)
          .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
          .join(' ')}`,
        ...(result.violation === undefined ? [] : [`  replay: ${run.replay}`]),
      ].join('\n'),
    );
    if (result.violation !== undefined) process.exitCode = ExitCode.failed;
    return;
  }
  const failures: ScenarioRun[] = [];
  const progressEvery = Math.max(1, Math.floor(options.runs / 10));
  for (let i = 0; i < options.runs; i++) {
    const run = runSeed(firstSeed + i, false);
    if (run.result.violation !== undefined) failures.push(run);
    if (options.json !== true && process.stderr.isTTY && (i + 1) % progressEvery === 0) terminal.err(`  ${i + 1}/${options.runs} runs, ${failures.length} failed`);
  }
  const passed = options.runs - failures.length;
  printResult(
    terminal,
    options,
    { firstSeed, runs: options.runs, passed, failed: failures.length, failures: failures.map(summarize) },
    () =>
      [
        ...failures.slice(0, 10).map((f) => `seed ${f.result.seed}: ${f.result.violation?.kind}: ${f.result.violation?.message}\n  replay: ${f.replay}`),
        `${passed} passed, ${failures.length} failed`,
      ].join('\n'),
  );
  if (failures.length > 0) process.exitCode = ExitCode.failed;
}
