import { InvalidArgumentError, type Command } from 'commander';
import { runFootprintBench, type FootprintBenchReport } from '../../bench/footprint.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';

interface BenchFootprintOptions extends JsonOption {
  readonly idle: number;
  readonly warmup: number;
  readonly keepalive?: number;
  readonly linkProbeInterval?: number;
  readonly baseline?: boolean;
  readonly metrics?: boolean;
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
          'The per-thread split (cpuSecondsByThread) names the main thread; the busiest other thread is the heartbeat ' +
          "worker, the small ones V8's helpers. --keepalive measures another timing (warntime, deadtime and initdead " +
          'keep their default ratios to it); --link-probe-interval sets how often the switch link (the second) carries a ' +
          'heartbeat while the crossover carries them both ways (the keepalive itself: every link at the full rate, ' +
          'as before probing existed). --baseline also runs a bare Node.js program (src/bench/heartbeat-floor.ts) in two ' +
          'namespaces of its own, exchanging heartbeat-sized HMAC-tagged frames at the daemon\'s rates (the first link every ' +
          'keepalive, the second every probe interval), in the same window as the daemons: the floor that Node itself ' +
          "costs at that packet rate on this machine, under the daemon's figure. On a shared machine the cost of a " +
          'wake-up swings by 2x from one minute to the next, so compare figures from one window, not across runs.\n\n' +
          'Targets: at most 80 MiB RSS and 1 % of a core per node; exits 1 when one is missed. Needs root, ip, ' +
          'iptables, socat and setpriv. Everything is removed at the end. Progress goes to stderr.',
      )
      .option('--idle <seconds>', 'how long to measure', wholeSeconds(5), 60)
      .option('--warmup <seconds>', 'stay idle this long before measuring (the first minute is not the steady state: RSS grows for about 25 minutes)', wholeSeconds(0), 0)
      .option('--keepalive <ms>', 'keepalive in milliseconds (default: the configuration default)', parseKeepalive)
      .option('--link-probe-interval <ms>', 'link probe interval in milliseconds (default: the configuration default, 5 keepalives)', parseKeepalive)
      .option('--baseline', 'also measure a bare Node.js heartbeat exchange at the same rates, in the same window')
      .option('--metrics', 'enable the metrics endpoint (heartline.yaml metrics: {}) and scrape each node every 15 s during the window, as Prometheus would'),
  )
    .addHelpText('after', '\nExamples:\n  sudo heartline bench footprint --json\n  sudo heartline bench footprint --idle 300\n  sudo heartline bench footprint --warmup 600 --baseline --json\n  sudo heartline bench footprint --keepalive 250 --baseline --json\n\nJSON: {timing, idleSeconds, warmupSeconds, resource, nodes: [{node, pid, rssMiB, peakRssMiB, cpuSeconds, cpuPercentOfCore, threads, cpuSecondsByThread}], baseline?: {program, framesPerSecondPerNode, nodes: [{node, rssMiB, cpuPercentOfCore}]}, metrics?: {scrapeIntervalSeconds, scrapesPerNode}, targets}\n')
    .action(async (options: BenchFootprintOptions) => {
      const outcome = await runFootprintBench({ idleSeconds: options.idle, warmupSeconds: options.warmup, ...(options.keepalive === undefined ? {} : { keepaliveMs: options.keepalive }), ...(options.linkProbeInterval === undefined ? {} : { linkProbeIntervalMs: options.linkProbeInterval }), baseline: options.baseline === true, metrics: options.metrics === true, progress: (line) => terminal.err(`bench footprint: ${line}`) });
      if (!outcome.ok) throw new CommandError(outcome.error.code, outcome.error.message, ExitCode.failed, outcome.error.hint);
      const report = outcome.value;
      printResult(terminal, options, report, () => renderText(report));
      if (!report.targets.met) {
        terminal.err(`heartline: error: target missed (at most ${report.targets.rssMiB} MiB RSS and ${report.targets.cpuPercentOfCore} % of a core per node)`);
        process.exitCode = ExitCode.failed;
      }
    });
}

/** A commander parser for a whole number of seconds from `min` to a day. */
function wholeSeconds(min: number): (value: string) => number {
  return (value) => {
    const seconds = Number(value);
    if (!/^\d+$/.test(value) || seconds < min || seconds > 86_400) throw new InvalidArgumentError(`expected a whole number of seconds from ${min} to 86400, got '${value}'`);
    return seconds;
  };
}

function parseKeepalive(value: string): number {
  const ms = Number(value);
  if (!/^\d+$/.test(value) || ms < 10 || ms > 10_000) throw new InvalidArgumentError(`expected a keepalive in whole milliseconds from 10 to 10000, got '${value}'`);
  return ms;
}

function renderText(report: FootprintBenchReport): string {
  return [
    `idle ${report.idleSeconds} s${report.warmupSeconds > 0 ? ` after ${report.warmupSeconds} s of warm-up` : ''} with ${report.resource}; keepalive ${report.timing.keepaliveMs} ms${report.metrics === undefined ? '' : `; metrics scraped every ${report.metrics.scrapeIntervalSeconds} s (${report.metrics.scrapesPerNode} scrapes per node)`}`,
    ...report.nodes.map((n) => `node ${n.node}: RSS ${n.rssMiB} MiB (peak ${n.peakRssMiB} MiB), CPU ${n.cpuSeconds} s = ${n.cpuPercentOfCore} % of a core, ${n.threads} threads`),
    ...(report.baseline === undefined ? [] : report.baseline.nodes.map((n) => `baseline ${n.node} (bare Node.js, ${report.baseline?.framesPerSecondPerNode ?? 0} frames/s): RSS ${n.rssMiB} MiB, CPU ${n.cpuPercentOfCore} % of a core`)),
    `targets: <= ${report.targets.rssMiB} MiB and <= ${report.targets.cpuPercentOfCore} % per node: ${report.targets.met ? 'met' : 'MISSED'}`,
  ].join('\n');
}
