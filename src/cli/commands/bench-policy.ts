import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { runPolicyBench, type PolicyBenchCase, type PolicyBenchReport } from '../../bench/policy.js';
import { DEFAULT_POLICY_CLUSTER_SEED } from '../../bench/policy-cluster-generator.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';
import { table } from '../table.js';
import { parseSeed } from './sim.js';

interface BenchPolicyOptions extends JsonOption {
  readonly runs: number;
  readonly sizes: readonly PolicyBenchCase[];
  readonly seed: number;
  readonly emitXml?: string;
  readonly inProcess?: boolean;
}

const DEFAULT_SIZES: readonly PolicyBenchCase[] = [2, 16].flatMap((nodes) => [100, 1_000, 10_000, 50_000].map((resources) => ({ nodes, resources })));
const DEFAULT_RUNS = 5;
const RUNS_MAX = 100;
const NODES_MAX = 32;
const RESOURCES_MAX = 200_000;

/** The issue's acceptance targets: the median schedule time of these cases. */
const TARGETS: readonly { readonly nodes: number; readonly resources: number; readonly medianMs: number }[] = [
  { nodes: 16, resources: 10_000, medianMs: 1_000 },
  { nodes: 16, resources: 50_000, medianMs: 10_000 },
];

/**
 * `heartline bench policy`: times the policy engine on generated clusters of 2 and 16 nodes with
 * 100 to 50,000 resources (src/bench/policy.ts has the method) and reports the median schedule
 * time and peak memory per case. Exits 1 when a case with a target (16 x 10,000 under 1 s,
 * 16 x 50,000 under 10 s) misses it.
 */
export function registerBenchPolicyCommand(bench: Command, terminal: Terminal): void {
  withJsonOption(
    bench
      .command('policy')
      .summary('time the policy engine on generated clusters of up to 16 nodes x 50,000 resources')
      .description(
        'Generate clusters of NODES x RESOURCES (default: 2 and 16 nodes with 100, 1,000, 10,000 and 50,000 ' +
          'resources) and time the policy engine on each. Half of the resources are members of groups of 4-5, about ' +
          '1 % are clones (one in four promotable), the rest stand alone, with location (by node and by rule), ' +
          'colocation and order constraints and ordered sets mixed in; the status section shows most of them ' +
          'running with their operation history, some failed, some stopped and some new. Generation is seeded: the ' +
          'same seed gives the same clusters everywhere.\n\n' +
          'Every case runs in a fresh child process: it writes the cluster as Pacemaker CIB XML, imports it back ' +
          '(timed separately: "import") and schedules the imported CIB --runs times. Prints the median, min and ' +
          'max schedule time (parsing excluded) with the median CPU time of the same runs, what the engine decided, and the peak memory of the process ' +
          '(maxRSS, generation and XML included) and the V8 heap in use after scheduling.\n\n' +
          'With --emit-xml DIR the CIBs are also saved as DIR/policy-NODESxRESOURCES.xml, to run the same inputs ' +
          'through Pacemaker\'s crm_simulate. Targets: 16 x 10,000 under 1 s and 16 x 50,000 under 10 s (median); ' +
          'the command exits 1 when a measured case misses its target. Progress goes to stderr.',
      )
      .option('--runs <n>', 'schedule runs per case; the median is reported', parseRuns, DEFAULT_RUNS)
      .addOption(new Option('--sizes <list>', 'the cases, as comma-separated NODESxRESOURCES').argParser(parseSizes).default(DEFAULT_SIZES, DEFAULT_SIZES.map((c) => `${c.nodes}x${c.resources}`).join(',')))
      .option('--seed <n>', "the generator's seed", parseSeed, DEFAULT_POLICY_CLUSTER_SEED)
      .option('--emit-xml <dir>', 'also write each generated CIB to DIR/policy-NODESxRESOURCES.xml (for crm_simulate)')
      .option('--in-process', 'run the cases in this process instead of one child each (peak memory then accumulates over the cases)'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  heartline bench policy                                 all 8 cases, 5 runs each, a table\n' +
        '  heartline bench policy --sizes 16x10000 --runs 11      one case, more runs\n' +
        '  heartline bench policy --sizes 2x100,16x1000 --emit-xml /tmp/cibs\n' +
        '      then: crm_simulate -x /tmp/cibs/policy-16x1000.xml -S\n' +
        '  heartline bench policy --json | jq \'.cases[] | {nodes, resources, ms: .scheduleMs.median, rss: .maxRssMiB}\'\n' +
        '\nJSON: {seed, runs, node, cases: [{nodes, resources, shape, xmlBytes, generateMs, exportMs, importMs,\n' +
        '       scheduleMs: {median, min, max, samples}, scheduleCpuMs, result, maxRssMiB, heapUsedMiB, isolated}], targets}\n',
    )
    .action(async (options: BenchPolicyOptions) => {
      const outcome = await runPolicyBench({
        cases: options.sizes,
        runs: options.runs,
        seed: options.seed,
        ...(options.emitXml === undefined ? {} : { emitXmlDir: resolve(options.emitXml) }),
        inProcess: options.inProcess === true,
        progress: (line) => terminal.err(`bench policy: ${line}`),
      });
      if (!outcome.ok) throw new CommandError(outcome.error.code, outcome.error.message, ExitCode.failed, outcome.error.hint);
      const report = outcome.value;
      const targets = TARGETS.flatMap((t) => {
        const c = report.cases.find((x) => x.nodes === t.nodes && x.resources === t.resources);
        return c === undefined ? [] : [{ ...t, measuredMs: c.scheduleMs.median, met: c.scheduleMs.median < t.medianMs }];
      });
      printResult(terminal, options, { ...report, targets }, () => renderText(report, targets));
      const missed = targets.filter((t) => !t.met);
      if (missed.length > 0) {
        terminal.err(`heartline: error: target missed: ${missed.map((t) => `${t.nodes} x ${t.resources}: median ${t.measuredMs} ms (target < ${t.medianMs} ms)`).join('; ')}`);
        terminal.err('heartline: hint: other load on this machine slows the engine; profile one case with node --cpu-prof dist/cli/main.js bench policy --sizes 16x10000 --runs 1 --in-process');
        process.exitCode = ExitCode.failed;
      }
    });
}

function renderText(report: PolicyBenchReport, targets: readonly { nodes: number; resources: number; medianMs: number; met: boolean }[]): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const rows = report.cases.map((c) => [
    String(c.nodes),
    n(c.resources),
    n(c.result.instances),
    n(c.scheduleMs.median),
    `${n(c.scheduleMs.min)}-${n(c.scheduleMs.max)}`,
    n(c.scheduleCpuMs.median),
    n(c.importMs),
    n(c.maxRssMiB),
    n(c.heapUsedMiB),
    `${n(c.result.placed)}/${n(c.result.instances)}`,
    n(c.result.actions),
  ]);
  return [
    `seed ${report.seed}, ${report.runs} runs per case, Node ${report.node}${report.cases.every((c) => c.isolated) ? ', one process per case' : ', all cases in one process'}`,
    table(['nodes', 'resources', 'instances', 'median ms', 'min-max ms', 'CPU ms', 'import ms', 'peak RSS MiB', 'heap MiB', 'placed', 'actions'], rows),
    ...targets.map((t) => `target ${t.nodes} x ${n(t.resources)} < ${n(t.medianMs)} ms: ${t.met ? 'met' : 'MISSED'}`),
  ].join('\n');
}

function parseRuns(value: string): number {
  const runs = Number(value);
  if (!/^\d+$/.test(value) || runs < 1 || runs > RUNS_MAX) throw new InvalidArgumentError(`expected a whole number from 1 to ${RUNS_MAX}, got '${value}'`);
  return runs;
}

function parseSizes(value: string): PolicyBenchCase[] {
  return value.split(',').map((item) => {
    const m = /^\s*(\d+)x(\d+)\s*$/i.exec(item);
    const nodes = Number(m?.[1]);
    const resources = Number(m?.[2]);
    if (m === null || nodes < 1 || nodes > NODES_MAX || resources < 1 || resources > RESOURCES_MAX) {
      throw new InvalidArgumentError(`expected NODESxRESOURCES with 1-${NODES_MAX} nodes and 1-${RESOURCES_MAX} resources (e.g. 16x10000), got '${item}'`);
    }
    return { nodes, resources };
  });
}
