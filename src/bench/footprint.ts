/**
 * The footprint benchmark behind `heartline bench footprint`: what an idle node costs. A DaemonLab
 * (two daemons in namespaces, a crossover and a switch link, as Corosync's two rings would be; lab
 * fencing configured) runs one
 * resource (ocf:heartline:Dummy with its 10 s monitor); once the view formed and the resource
 * started, the benchmark samples each daemon's /proc for `idleSeconds`: the resident set (VmRSS,
 * the whole process: main thread, heartbeat worker, V8 heaps, native modules) at the end and its
 * peak (VmHWM), and the CPU time (utime + stime, every thread) spent in the window, as a percentage
 * of one core. The agents' own processes (the monitor runs) are not the daemon's and are not
 * counted. Targets (issue 5): at most 80 MiB RSS and 1 % of a core per node at the default
 * keepalive.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TimingSettings } from '../config/index.js';
import { err, ok, type Result } from '../lib/index.js';
import { DaemonLab } from '../testbed/daemon-lab.js';
import { runCommand } from '../testbed/command.js';
import { eventually } from '../testbed/eventually.js';
import { labRequirementProblem } from '../testbed/requirements.js';

export interface FootprintBenchOptions {
  readonly idleSeconds: number;
  readonly cliPath?: string;
  readonly progress: (line: string) => void;
}

export interface NodeFootprint {
  readonly node: string;
  readonly pid: number;
  readonly rssMiB: number;
  readonly peakRssMiB: number;
  readonly cpuSeconds: number;
  readonly cpuPercentOfCore: number;
  readonly threads: number;
}

export interface FootprintBenchReport {
  readonly timing: TimingSettings;
  readonly idleSeconds: number;
  readonly resource: string;
  readonly nodes: readonly NodeFootprint[];
  readonly targets: { readonly rssMiB: number; readonly cpuPercentOfCore: number; readonly met: boolean };
}

export interface FootprintBenchError {
  readonly code: 'needs-root' | 'missing-tool' | 'lab-failed';
  readonly message: string;
  readonly hint?: string;
}

export const FOOTPRINT_TARGETS = { rssMiB: 80, cpuPercentOfCore: 1 } as const;

const RESOURCE = 'footprint-dummy';

export async function runFootprintBench(options: FootprintBenchOptions): Promise<Result<FootprintBenchReport, FootprintBenchError>> {
  const problem = labRequirementProblem('heartline bench footprint');
  if (problem !== undefined) return err(problem);
  let lab: DaemonLab | undefined;
  try {
    options.progress('building the lab (2 nodes, crossover + switch, lab fencing)');
    lab = await DaemonLab.create({ nodes: 2, links: ['crossover', 'switch'], serial: false, linkKind: 'udp-unicast', fencing: true, ...(options.cliPath === undefined ? {} : { cliPath: options.cliPath }), progress: (line) => options.progress(`  ${line}`) });
    await lab.waitForFullView({ timeoutMs: 60_000 });
    const cli = options.cliPath ?? new URL('../cli/main.js', import.meta.url).pathname;
    await runCommand(process.execPath, [cli, 'resource', 'create', RESOURCE, 'ocf:heartline:Dummy', '--socket', lab.socketPath(0)], { timeoutMs: 30_000 });
    const active = lab;
    await eventually(async () => ((await runCommand(process.execPath, [cli, 'status', '--json', '--socket', active.socketPath(0)])).includes('"Started"') ? true : undefined), { what: `${RESOURCE} is started`, timeoutMs: 60_000, intervalMs: 500 });
    options.progress(`idle for ${options.idleSeconds} s with ${RESOURCE} running`);
    const pids = Array.from({ length: lab.nodeCount }, (_, node) => active.daemon(node).pid);
    const before = await Promise.all(pids.map(cpuSeconds));
    const startedAt = performance.now();
    await sleep(options.idleSeconds * 1000);
    const elapsed = (performance.now() - startedAt) / 1000;
    const after = await Promise.all(pids.map(cpuSeconds));
    const nodes: NodeFootprint[] = [];
    for (let node = 0; node < pids.length; node++) {
      const status = await readFile(`/proc/${pids[node] as number}/status`, 'utf8');
      const used = (after[node] as number) - (before[node] as number);
      nodes.push({
        node: lab.nodeName(node),
        pid: pids[node] as number,
        rssMiB: round(statusKiB(status, 'VmRSS') / 1024),
        peakRssMiB: round(statusKiB(status, 'VmHWM') / 1024),
        cpuSeconds: round(used),
        cpuPercentOfCore: round((100 * used) / elapsed),
        threads: statusKiB(status, 'Threads'),
      });
    }
    const met = nodes.every((n) => n.rssMiB <= FOOTPRINT_TARGETS.rssMiB && n.cpuPercentOfCore <= FOOTPRINT_TARGETS.cpuPercentOfCore);
    return ok({ timing: { ...lab.timing }, idleSeconds: options.idleSeconds, resource: `${RESOURCE} (ocf:heartline:Dummy, monitor every 10 s)`, nodes, targets: { ...FOOTPRINT_TARGETS, met } });
  } catch (error) {
    return err({ code: 'lab-failed', message: error instanceof Error ? error.message : String(error), hint: 'the lab was removed; rerun, and run the cluster integration tests to see which part breaks' });
  } finally {
    await lab?.destroy();
  }
}

/** utime + stime of every thread of `pid`, in seconds (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is index 0: utime (14) is index 11, stime (15) index 12.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A `Name: value kB` field of /proc/PID/status, as a number. */
function statusKiB(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status);
  return match === null ? Number.NaN : Number(match[1]);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
