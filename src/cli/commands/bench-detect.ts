import { InvalidArgumentError, type Command } from 'commander';
import { runDetectBench, type DetectBenchReport } from '../../bench/detect.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';

interface BenchDetectOptions extends JsonOption {
  readonly runs: number;
  readonly falsePositiveMinutes: number;
  readonly rtPriority?: number;
}

const DEFAULT_RUNS = 10;
const RUNS_MAX = 1000;
const MINUTES_MAX = 24 * 60;

/**
 * `heartline bench detect`: measures failure detection on a real two-node cluster built in network
 * namespaces (src/bench/detect.ts has the method). Prints min/median/max detection time with the
 * timing settings, and with --false-positive-minutes the spurious node-downs under loss and CPU
 * load. Exits 1 when a target is missed, so that CI can gate on it.
 */
export function registerBenchDetectCommand(bench: Command, terminal: Terminal): void {
  withJsonOption(
    bench
      .command('detect')
      .summary('measure how fast a crashed peer is declared dead, and count false alarms (root)')
      .description(
        'Build a two-node cluster on this machine (two network namespaces joined by a crossover veth, a veth ' +
          'through a bridge and a socat serial null-modem; one `heartline daemon` per node, default timing), ' +
          "then SIGKILL the peer's daemon N times, restarting it and waiting for the view to re-form between runs. " +
          'Detection time is the surviving daemon\'s "peer declared dead" log timestamp minus the moment of the kill, ' +
          'both on the wall clock. Prints min, median and max in ms with the timing settings.\n\n' +
          'With --false-positive-minutes M it also runs M minutes with 5 % random loss on every link (iptables, at ' +
          'both nodes; the serial cable is left out of that part because its bytes cannot be dropped) while two busy ' +
          'loops per node saturate the CPUs, and counts "peer declared dead" events: every one is a false alarm.\n\n' +
          'Targets: median <= deadtime + keepalive, max <= deadtime + 2 x keepalive, 0 false alarms; the command ' +
          'exits 1 when one is missed. Needs root, ip, iptables, socat and setpriv. Everything it builds has a ' +
          'unique name and is removed at the end, on an error and on Ctrl-C. Progress goes to stderr.',
      )
      .option('--runs <n>', 'how many kill-and-detect runs, 0 to skip them', parseRuns, DEFAULT_RUNS)
      .option('--false-positive-minutes <m>', 'also run M minutes of loss and CPU load and count false alarms (0: skip)', parseMinutes, 0)
      .option('--rt-priority <n>', 'the daemons\' --realtime-priority: SCHED_RR priority N, or 0 for normal scheduling; default: the daemon\'s default (real-time)', parsePriority),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  sudo heartline bench detect                                10 runs, text summary\n' +
        '  sudo heartline bench detect --runs 50 --json | jq .detectionMs\n' +
        '  sudo heartline bench detect --runs 0 --false-positive-minutes 5 --json\n' +
        '  sudo heartline bench detect --false-positive-minutes 5 --rt-priority 0    the same with normally scheduled daemons\n' +
        '\nJSON: {timing, scheduling, setup, runs, detectionMs: {min, median, max, samples}, falsePositive, targets}\n' +
        'falsePositive.spuriousEvents[].context holds both daemons\' log lines around each false alarm.\n',
    )
    .action(async (options: BenchDetectOptions) => {
      const outcome = await runDetectBench({
        runs: options.runs,
        falsePositiveMinutes: options.falsePositiveMinutes,
        ...(options.rtPriority === undefined ? {} : { realtimePriority: options.rtPriority }),
        progress: (line) => terminal.err(`bench detect: ${line}`),
      });
      if (!outcome.ok) throw new CommandError(outcome.error.code, outcome.error.message, ExitCode.failed, outcome.error.hint);
      const report = outcome.value;
      printResult(terminal, options, report, () => renderText(report));
      const { targets } = report;
      if (targets.detectionMet === false || targets.falsePositiveMet === false) {
        const missed = [
          ...(targets.detectionMet === false ? [`detection median/max ${report.detectionMs?.median ?? '?'}/${report.detectionMs?.max ?? '?'} ms (targets ${targets.medianMs}/${targets.maxMs} ms)`] : []),
          ...(targets.falsePositiveMet === false ? [`${report.falsePositive?.spuriousNodeDown ?? '?'} false node-down`] : []),
        ];
        terminal.err(`heartline: error: target missed: ${missed.join('; ')}`);
        terminal.err(
          'heartline: hint: other load on this machine delays the daemons (the samples and falsePositive.spuriousEvents[].context show which side went quiet); check that the daemons run real-time (their log says "real-time scheduling on")',
        );
        process.exitCode = ExitCode.failed;
      }
    });
}

function parseRuns(value: string): number {
  const runs = Number(value);
  if (!/^\d+$/.test(value) || runs > RUNS_MAX) throw new InvalidArgumentError(`expected a whole number from 0 to ${RUNS_MAX}, got '${value}'`);
  return runs;
}

function parsePriority(value: string): number {
  const priority = Number(value);
  if (!/^\d+$/.test(value) || priority > 99) throw new InvalidArgumentError(`expected a SCHED_RR priority from 1 to 99, or 0 for normal scheduling, got '${value}'`);
  return priority;
}

function parseMinutes(value: string): number {
  const minutes = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || minutes > MINUTES_MAX) throw new InvalidArgumentError(`expected a number of minutes from 0 to ${MINUTES_MAX} (fractions allowed, e.g. 0.5), got '${value}'`);
  return minutes;
}

function renderText(report: DetectBenchReport): string {
  const t = report.timing;
  const mark = (met: boolean | null): string => (met === null ? '' : met ? 'met' : 'MISSED');
  const lines = [
    `setup: ${report.setup.nodes} nodes; links ${report.setup.links.map((link) => `${link.name} ${link.kind}`).join(', ')}`,
    `timing: keepalive ${t.keepaliveMs} ms, warntime ${t.warntimeMs} ms, deadtime ${t.deadtimeMs} ms, initdead ${t.initdeadMs} ms; daemons scheduled ${report.scheduling}`,
  ];
  const d = report.detectionMs;
  if (d !== null) {
    lines.push(
      `detection (SIGKILL -> "peer declared dead"), ${report.runs} runs: min ${d.min} ms, median ${d.median} ms, max ${d.max} ms`,
      `  targets: median <= ${report.targets.medianMs} ms, max <= ${report.targets.maxMs} ms: ${mark(report.targets.detectionMet)}`,
      `  samples: ${d.samples.join(', ')}`,
    );
  }
  const f = report.falsePositive;
  if (f !== null) {
    lines.push(
      `false positives: ${f.minutes} min with ${f.lossPercent} % loss on ${f.links.join(', ')} and ${f.cpuBurnersPerNode} CPU burners per node: ${f.spuriousNodeDown} spurious node-down (target 0: ${mark(report.targets.falsePositiveMet)})`,
      `  below the threshold: ${f.lateHeartbeats} late heartbeats, ${f.linkDownEvents} link-down events`,
      ...f.spuriousEvents.flatMap((event) => {
        const { context, ...rest } = event;
        return [`  spurious: ${JSON.stringify(rest)}`, ...(Array.isArray(context) ? context.map((line) => `    ${String(line)}`) : [])];
      }),
    );
  }
  return lines.join('\n');
}
