import { InvalidArgumentError, type Command } from 'commander';
import { runFootprintBench, type FootprintBenchReport } from '../../bench/footprint.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';

interface BenchFootprintOptions extends JsonOption {
  readonly idle: number;
}

/** `heartline bench footprint`: an idle node's memory and CPU (src/bench/footprint.ts has the method). */
export function registerBenchFootprintCommand(bench: Command, terminal: Terminal): void {
  withJsonOption(
    bench
      .command('footprint')
      .summary("measure an idle node's resident memory and CPU time (root)")
      .description(
        'Builds a two-node cluster in network namespaces (a crossover and a switch link, as two Corosync rings; lab ' +
          'fencing configured; ' +
          'default timing) running one resource (ocf:heartline:Dummy with a 10 s monitor), waits until it started, then ' +
          "leaves the cluster idle for --idle seconds and reads each daemon's /proc: resident memory at the end (VmRSS) " +
          'and its peak (VmHWM), and the CPU time of all its threads in the window as a percentage of one core. ' +
          "The agents' processes are not counted. A serial link adds about 8 MiB (the serialport module) and the " +
          'relay of its frames through the main thread.\n\n' +
          'Targets: at most 80 MiB RSS and 1 % of a core per node; exits 1 when one is missed. Needs root, ip, ' +
          'iptables, socat and setpriv. Everything is removed at the end. Progress goes to stderr.',
      )
      .option('--idle <seconds>', 'how long to measure', parseSeconds, 60),
  )
    .addHelpText('after', '\nExamples:\n  sudo heartline bench footprint --json\n  sudo heartline bench footprint --idle 300\n\nJSON: {timing, idleSeconds, resource, nodes: [{node, pid, rssMiB, peakRssMiB, cpuSeconds, cpuPercentOfCore, threads}], targets}\n')
    .action(async (options: BenchFootprintOptions) => {
      const outcome = await runFootprintBench({ idleSeconds: options.idle, progress: (line) => terminal.err(`bench footprint: ${line}`) });
      if (!outcome.ok) throw new CommandError(outcome.error.code, outcome.error.message, ExitCode.failed, outcome.error.hint);
      const report = outcome.value;
      printResult(terminal, options, report, () => renderText(report));
      if (!report.targets.met) {
        terminal.err(`heartline: error: target missed (at most ${report.targets.rssMiB} MiB RSS and ${report.targets.cpuPercentOfCore} % of a core per node)`);
        process.exitCode = ExitCode.failed;
      }
    });
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < 5 || seconds > 86_400) throw new InvalidArgumentError(`expected a whole number of seconds from 5 to 86400, got '${value}'`);
  return seconds;
}

function renderText(report: FootprintBenchReport): string {
  return [
    `idle ${report.idleSeconds} s with ${report.resource}; keepalive ${report.timing.keepaliveMs} ms`,
    ...report.nodes.map((n) => `node ${n.node}: RSS ${n.rssMiB} MiB (peak ${n.peakRssMiB} MiB), CPU ${n.cpuSeconds} s = ${n.cpuPercentOfCore} % of a core, ${n.threads} threads`),
    `targets: <= ${report.targets.rssMiB} MiB and <= ${report.targets.cpuPercentOfCore} % per node: ${report.targets.met ? 'met' : 'MISSED'}`,
  ].join('\n');
}
