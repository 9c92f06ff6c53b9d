import { InvalidArgumentError, type Command } from 'commander';
import { runFailoverBench, type FailoverBenchReport } from '../../bench/failover.js';
import type { ServiceLabFencing, ServiceLabResource } from '../../testbed/service-lab.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';

interface BenchFailoverOptions extends JsonOption {
  readonly runs: number;
  readonly fencing: ServiceLabFencing;
  readonly resource: ServiceLabResource;
  readonly mmp?: true;
  readonly diskPath: 'loop' | 'fuse';
}

const RUNS_MAX = 200;

/**
 * `heartline bench failover`: power loss of the serving node to the service answering on the
 * survivor, fencing included (src/bench/failover.ts has the method). Exits 1 when the median
 * misses the target.
 */
export function registerBenchFailoverCommand(bench: Command, terminal: Terminal): void {
  withJsonOption(
    bench
      .command('failover')
      .summary('measure a takeover: power loss of the active node to the service answering on the survivor (root)')
      .description(
        "Builds the demo's two-node cluster in network namespaces (crossover, switch and serial links; fencing through " +
          'the heartline-testbed hardware profile with a simulated BMC per node, OpenIPMI ipmi_sim driven by ipmitool -I ' +
          "lanplus, whose power-off kills the node's processes; the group `demo` of ocf:heartbeat:IPaddr2 and ocf:heartline:WebDemo) with a " +
          'client on the switch asking the service every 50 ms. Then N times: the node that serves loses its power ' +
          '(every process killed, every link down at once), and the time from that moment to the first answer from the ' +
          'survivor is one sample, split into detection (the survivor logs "peer declared dead"), fencing (it logs ' +
          '"fence finished" for the lost node) and recovery (the rest). Between runs the lost node is powered on and ' +
          'rejoins. Prints min/median/max of the total and of each phase. The bench and its lab (the BMC simulators, ' +
          'the client, the power cut: stand-ins for other machines) run under SCHED_RR, as the daemons do.\n\n' +
          '--resource filesystem serves a shared disk instead: one backing file seen by both nodes through a loop ' +
          'device each (two hosts, one LUN), each daemon in a mount namespace of its own, and the group `demo` of ' +
          'ocf:heartline:Filesystem (ext4), ocf:heartbeat:IPaddr2 and ocf:heartline:RecordWriter, which acknowledges a ' +
          'record only after fdatasync; the client appends a record every 20 ms. A power loss first stops the disk ' +
          'without flushing its journal (EXT4_IOC_SHUTDOWN), as a real one does, and the time runs from then to the ' +
          "first record the survivor acknowledges: detection, fencing, the journal's recovery, the mount, the address " +
          "and the writer. After each takeover the survivor's file must hold every record acknowledged before the " +
          'power loss (samples[].durability; the bench exits 1 when one is missing). The ext4 has no multi-mount protection unless --mmp is given (fencing is then the only ' +
          'guard against a double mount); with MMP a takeover after a power loss waits at least 22 s for it.\n\n' +
          'Target: median under 2 s with the default timing (3 s with --resource filesystem); exits 1 when missed. Needs ' +
          'root, ip, iptables, socat, setpriv, resource-agents, and with --fencing bmc ipmi_sim (openipmi) and ipmitool; ' +
          'with --resource filesystem also losetup, mkfs.ext4, e2fsck, unshare, nsenter, fuser and python3. Everything ' +
          'is removed at the end. Progress goes to stderr.',
      )
      .option('--runs <n>', 'how many power losses', parseRuns, 10)
      .option('--fencing <method>', "bmc: simulated BMCs through the hardware profile; command: the lab's fence program that kills the namespace", parseFencing, 'bmc')
      .option('--resource <service>', 'web: the demo web page; filesystem: a writer on a shared disk (ext4)', parseResource, 'web')
      .option('--mmp', 'with --resource filesystem: ext4 multi-mount protection on, required by the agent')
      .option(
        '--disk-path <path>',
        "with --resource filesystem: loop: each node's loop device straight over the disk file (the power loss shuts the filesystem down with EXT4_IOC_SHUTDOWN, but the dead node's kernel still writes its metadata at teardown); fuse: each over a FUSE pass-through that the power loss stops, so the dead node writes nothing more (needs python3-fuse)",
        parseDiskPath,
        'loop',
      ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  sudo heartline bench failover --runs 10 --json | jq .totalMs.median\n  sudo heartline bench failover --resource filesystem --json\n\nJSON: {timing, fencing, resource, mmp?, diskPath?, realtimePriority, runs, totalMs: {min, median, max, samples}, phasesMs: {detection, fencing, recovery}, samples, target, acknowledgedRecordsLost?}\n',
    )
    .action(async (options: BenchFailoverOptions) => {
      if (options.mmp === true && options.resource !== 'filesystem') throw new CommandError('usage', '--mmp applies only with --resource filesystem', ExitCode.usage);
      if (options.diskPath !== 'loop' && options.resource !== 'filesystem') throw new CommandError('usage', '--disk-path applies only with --resource filesystem', ExitCode.usage);
      const outcome = await runFailoverBench({
        runs: options.runs,
        fencing: options.fencing,
        resource: options.resource,
        mmp: options.mmp === true,
        ...(options.resource === 'filesystem' ? { diskPath: options.diskPath } : {}),
        progress: (line) => terminal.err(`bench failover: ${line}`),
      });
      if (!outcome.ok) throw new CommandError(outcome.error.code, outcome.error.message, ExitCode.failed, outcome.error.hint);
      const report = outcome.value;
      printResult(terminal, options, report, () => renderText(report));
      if ((report.acknowledgedRecordsLost ?? 0) > 0) {
        terminal.err(`heartline: error: ${report.acknowledgedRecordsLost} acknowledged records were missing on the survivor (see samples[].durability)`);
        process.exitCode = ExitCode.failed;
      }
      if (!report.target.met) {
        terminal.err(`heartline: error: target missed: median ${report.totalMs.median} ms (target < ${report.target.medianMs} ms)`);
        process.exitCode = ExitCode.failed;
      }
    });
}

function parseRuns(value: string): number {
  const runs = Number(value);
  if (!/^\d+$/.test(value) || runs < 1 || runs > RUNS_MAX) throw new InvalidArgumentError(`expected a whole number from 1 to ${RUNS_MAX}, got '${value}'`);
  return runs;
}

function parseFencing(value: string): ServiceLabFencing {
  if (value !== 'bmc' && value !== 'command') throw new InvalidArgumentError(`expected bmc or command, got '${value}'`);
  return value;
}

function parseDiskPath(value: string): 'loop' | 'fuse' {
  if (value !== 'loop' && value !== 'fuse') throw new InvalidArgumentError(`expected loop or fuse, got '${value}'`);
  return value;
}

function parseResource(value: string): ServiceLabResource {
  if (value !== 'web' && value !== 'filesystem') throw new InvalidArgumentError(`expected web or filesystem, got '${value}'`);
  return value;
}

function renderText(report: FailoverBenchReport): string {
  const line = (name: string, s: { min: number; median: number; max: number }): string => `${name.padEnd(10)} min ${s.min} ms, median ${s.median} ms, max ${s.max} ms`;
  const t = report.timing;
  return [
    `timing: keepalive ${t.keepaliveMs} ms, deadtime ${t.deadtimeMs} ms; fencing ${report.fencing === 'bmc' ? 'simulated BMC (ipmitool lanplus)' : 'lab fence program'}; ${report.resource === 'filesystem' ? `a writer on a shared ext4 (${report.mmp === true ? 'MMP' : 'no MMP'}${report.diskPath === 'fuse' ? ', disks through FUSE' : ''})` : 'the demo web page'}; ${report.runs} runs`,
    line('total', report.totalMs),
    line('detection', report.phasesMs.detection),
    line('fencing', report.phasesMs.fencing),
    line('recovery', report.phasesMs.recovery),
    ...(report.acknowledgedRecordsLost === undefined ? [] : [`acknowledged records lost: ${report.acknowledgedRecordsLost} (records acknowledged before each power loss, checked in the survivor's file)`]),
    `target: median < ${report.target.medianMs} ms: ${report.target.met ? 'met' : 'MISSED'}`,
  ].join('\n');
}
