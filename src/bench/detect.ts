/**
 * The failure-detection benchmark behind `heartline bench detect`: how long a real two-node cluster
 * takes to declare a crashed peer dead, and whether a lossy network under full CPU load makes it
 * declare a live peer dead.
 *
 * Detection: a DaemonLab (two daemons in two namespaces, joined by a crossover veth, a veth
 * through a bridge and a socat serial null-modem, udp-unicast) forms a view; then, `runs` times,
 * the peer's daemon is SIGKILLed and the detection time is the surviving daemon's "peer declared
 * dead" log timestamp minus the kill time. Both are wall-clock milliseconds of the same machine:
 * the kill time is read just before `kill(2)`, the log time by the daemon's heartbeat worker at the
 * moment it decided. Between runs the peer is started again and the view re-forms. A kill lands
 * at a random point of the keepalive cycle (a random pause of up to one keepalive precedes it), so
 * the samples cover the whole range [deadtime - keepalive, deadtime] plus the timer's lateness.
 *
 * False positives: a second lab without the serial cable (iptables cannot drop bytes on a pty, and
 * a lossless serial line would carry every heartbeat) runs `minutes` with `lossPercent` random loss
 * on every link at both nodes while `burnersPerNode` busy loops per node saturate the CPUs. Every
 * "peer declared dead" in that time is spurious: both daemons are alive throughout.
 *
 * The targets are the issue's: median detection <= deadtime + keepalive, max <= deadtime +
 * 2 x keepalive, and no spurious node-down.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { TimingSettings } from '../config/index.js';
import { DEFAULT_REALTIME_PRIORITY } from '../daemon/index.js';
import { err, ok, type Result } from '../lib/index.js';
import { DaemonLab, type DaemonLabOptions, type LabFault } from '../testbed/daemon-lab.js';
import { formatLogEvent } from '../testbed/log-event.js';
import { labRequirementProblem } from '../testbed/requirements.js';

export interface DetectBenchOptions {
  /** How many kill-and-detect runs; 0 skips the detection part. */
  readonly runs: number;
  /** How long the false-positive part runs; 0 skips it. */
  readonly falsePositiveMinutes: number;
  /** The loss on every link during the false-positive part, in percent; default 5. */
  readonly lossPercent?: number;
  /** CPU burners per node during the false-positive part; default 2 (one per core of the usual 2-core test VM). */
  readonly burnersPerNode?: number;
  /** The built CLI the daemons run; default: the one next to this module (dist/cli/main.js). */
  readonly cliPath?: string;
  /** The daemons' --realtime-priority (0: normal scheduling); default: the daemon's own default, SCHED_RR. */
  readonly realtimePriority?: number;
  /** Progress lines (for stderr). */
  readonly progress: (line: string) => void;
}

export interface DetectionSummary {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  /** Every run's detection time in ms, in run order. */
  readonly samples: readonly number[];
}

export interface FalsePositiveReport {
  readonly minutes: number;
  readonly lossPercent: number;
  readonly cpuBurnersPerNode: number;
  readonly links: readonly string[];
  /** "peer declared dead" events while both daemons were alive: each one is a false positive. */
  readonly spuriousNodeDown: number;
  /**
   * The spurious events themselves (node, time, reason, silentMs) with `context`: both daemons' log
   * events from 1.5 s before to 0.3 s after, so that a report shows which side went quiet.
   */
  readonly spuriousEvents: readonly Record<string, unknown>[];
  /** Warnings that stayed below the threshold: "late heartbeat" (warntime) and "link to peer down". */
  readonly lateHeartbeats: number;
  readonly linkDownEvents: number;
}

export interface DetectBenchReport {
  readonly timing: TimingSettings;
  /** The daemons' scheduling: 'normal' (SCHED_OTHER, nice 0) or 'rr N' (SCHED_RR priority N, the daemon's default). */
  readonly scheduling: string;
  readonly setup: { readonly nodes: number; readonly links: readonly { readonly name: string; readonly kind: string }[] };
  readonly runs: number;
  /** Null when runs was 0. */
  readonly detectionMs: DetectionSummary | null;
  readonly falsePositive: FalsePositiveReport | null;
  readonly targets: {
    readonly medianMs: number;
    readonly maxMs: number;
    readonly spuriousNodeDown: 0;
    /** Whether each measured part met its target (null when the part did not run). */
    readonly detectionMet: boolean | null;
    readonly falsePositiveMet: boolean | null;
  };
}

/** Why the benchmark could not run or finish, with what to do about it. */
export interface DetectBenchError {
  readonly code: 'needs-root' | 'missing-tool' | 'lab-failed';
  readonly message: string;
  readonly hint?: string;
}

const LAB_BASE: Omit<DaemonLabOptions, 'serial'> = { nodes: 2, links: ['crossover', 'switch'], linkKind: 'udp-unicast' };

/** Runs the benchmark (see the file header). Never throws for an expected failure: those are error values. */
export async function runDetectBench(options: DetectBenchOptions): Promise<Result<DetectBenchReport, DetectBenchError>> {
  const problem = labRequirementProblem('heartline bench detect');
  if (problem !== undefined) return err(problem);

  const labOptions = {
    ...LAB_BASE,
    ...(options.cliPath === undefined ? {} : { cliPath: options.cliPath }),
    ...(options.realtimePriority === undefined ? {} : { realtimePriority: options.realtimePriority }),
    progress: (line: string) => options.progress(`  ${line}`) };
  let detection: { timing: TimingSettings; setup: DetectBenchReport['setup']; samples: number[] } | undefined;
  let falsePositive: { timing: TimingSettings; setup: DetectBenchReport['setup']; report: FalsePositiveReport } | undefined;
  try {
    if (options.runs > 0) detection = await measureDetection({ ...labOptions, serial: true }, options.runs, options.progress);
    if (options.falsePositiveMinutes > 0) {
      falsePositive = await countFalsePositives({ ...labOptions, serial: false }, options.falsePositiveMinutes, options.lossPercent ?? 5, options.burnersPerNode ?? 2, options.progress);
    }
  } catch (error) {
    return err({ code: 'lab-failed', message: error instanceof Error ? error.message : String(error), hint: 'the lab was removed; rerun, and if it fails again run the integration tests (npm run test:integration) to see which part breaks' });
  }
  const first = detection ?? falsePositive;
  if (first === undefined) return err({ code: 'lab-failed', message: 'nothing to measure: --runs is 0 and --false-positive-minutes is 0', hint: 'give --runs N (N >= 1) or --false-positive-minutes M' });
  const timing = first.timing;
  const medianTarget = timing.deadtimeMs + timing.keepaliveMs;
  const maxTarget = timing.deadtimeMs + 2 * timing.keepaliveMs;
  const summary = detection === undefined ? null : summarize(detection.samples);
  return ok({
    timing,
    scheduling: options.realtimePriority === undefined ? `rr ${DEFAULT_REALTIME_PRIORITY} (daemon default)` : options.realtimePriority === 0 ? 'normal' : `rr ${options.realtimePriority}`,
    setup: detection?.setup ?? first.setup,
    runs: options.runs,
    detectionMs: summary,
    falsePositive: falsePositive?.report ?? null,
    targets: {
      medianMs: medianTarget,
      maxMs: maxTarget,
      spuriousNodeDown: 0,
      detectionMet: summary === null ? null : summary.median <= medianTarget && summary.max <= maxTarget,
      falsePositiveMet: falsePositive === undefined ? null : falsePositive.report.spuriousNodeDown === 0,
    },
  });
}

/** min, median (the mean of the middle two for an even count) and max of the samples. */
export function summarize(samples: readonly number[]): DetectionSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { min: sorted[0] ?? Number.NaN, median, max: sorted[sorted.length - 1] ?? Number.NaN, samples: [...samples] };
}

function describeSetup(lab: DaemonLab): DetectBenchReport['setup'] {
  return { nodes: lab.nodeCount, links: lab.heartbeatLinks.map((link) => ({ name: link.name, kind: link.kind === 'serial' ? 'serial' : `${link.kind} (${link.netLink === 0 ? 'crossover' : 'switch'})` })) };
}

async function measureDetection(labOptions: DaemonLabOptions, runs: number, progress: (line: string) => void): Promise<{ timing: TimingSettings; setup: DetectBenchReport['setup']; samples: number[] }> {
  progress(`detection: building the lab (2 nodes, ${labOptions.links.join(' + ')} + serial)`);
  const lab = await DaemonLab.create(labOptions);
  try {
    const { deadtimeMs, keepaliveMs } = lab.timing;
    const survivor = 0;
    const victim = 1;
    const samples: number[] = [];
    for (let run = 1; run <= runs; run++) {
      const view = await lab.waitForFullView();
      // Land the kill at a random phase of the heartbeat cycle (see the file header).
      await sleep(Math.random() * keepaliveMs);
      const since = lab.cursor(survivor);
      const killedAt = await lab.kill(victim, 'SIGKILL');
      const dead = await lab.waitForLog(survivor, (event) => event.msg === 'peer declared dead' && event['peer'] === lab.nodeId(victim), {
        what: `peer ${lab.nodeId(victim)} declared dead after SIGKILL`,
        since,
        timeoutMs: 4 * deadtimeMs + 5000,
      });
      const sample = dead.time - killedAt;
      samples.push(sample);
      progress(`detection run ${run}/${runs}: ${sample} ms (reason ${String(dead['reason'])}, silent ${Math.round(Number(dead['silentMs']))} ms at the deadline)`);
      await lab.start(victim);
      await lab.waitForFullView({ newerThan: view });
    }
    return { timing: lab.timing, setup: describeSetup(lab), samples };
  } finally {
    await lab.destroy();
  }
}

async function countFalsePositives(labOptions: DaemonLabOptions, minutes: number, lossPercent: number, burnersPerNode: number, progress: (line: string) => void): Promise<{ timing: TimingSettings; setup: DetectBenchReport['setup']; report: FalsePositiveReport }> {
  progress(`false positives: building the lab (2 nodes, ${labOptions.links.join(' + ')}; no serial cable: iptables cannot drop its bytes)`);
  const lab = await DaemonLab.create(labOptions);
  const faults: LabFault[] = [];
  try {
    await lab.waitForFullView();
    for (const link of lab.heartbeatLinks) faults.push(await lab.randomLoss(link.name, lossPercent / 100));
    const burners = await lab.burnCpu(burnersPerNode);
    const since = Array.from({ length: lab.nodeCount }, (_, node) => lab.cursor(node));
    progress(`false positives: ${minutes} min with ${lossPercent} % loss on ${lab.heartbeatLinks.map((l) => l.name).join(', ')} and ${burnersPerNode} CPU burners per node (pids ${burners.pids.join(', ')})`);
    const startedAt = Date.now();
    const endAt = startedAt + minutes * 60_000;
    try {
      while (Date.now() < endAt) {
        await sleep(Math.min(30_000, endAt - Date.now()));
        for (let node = 0; node < lab.nodeCount; node++) lab.daemon(node); // throws if a daemon died: then nothing measured is valid
        const counts = countEvents(lab, since);
        progress(`false positives: ${((Date.now() - startedAt) / 60_000).toFixed(1)}/${minutes} min: ${counts.spurious.length} spurious node-down, ${counts.late} late heartbeats, ${counts.linkDowns} link-down events`);
      }
    } finally {
      await burners.stop();
      for (const fault of faults.splice(0)) await fault.remove();
    }
    const counts = countEvents(lab, since);
    return {
      timing: lab.timing,
      setup: describeSetup(lab),
      report: {
        minutes,
        lossPercent,
        cpuBurnersPerNode: burnersPerNode,
        links: lab.heartbeatLinks.map((link) => link.name),
        spuriousNodeDown: counts.spurious.length,
        spuriousEvents: counts.spurious,
        lateHeartbeats: counts.late,
        linkDownEvents: counts.linkDowns,
      },
    };
  } finally {
    await lab.destroy();
  }
}

function countEvents(lab: DaemonLab, since: readonly number[]): { spurious: Record<string, unknown>[]; late: number; linkDowns: number } {
  const spurious: Record<string, unknown>[] = [];
  let late = 0;
  let linkDowns = 0;
  for (let node = 0; node < lab.nodeCount; node++) {
    for (const event of lab.logEvents(node).slice(since[node] ?? 0)) {
      if (event.msg === 'peer declared dead') {
        spurious.push({ node: lab.nodeName(node), time: new Date(event.time).toISOString(), peer: event['peer'], reason: event['reason'], silentMs: event['silentMs'], context: contextOf(lab, event.time) });
      }
      else if (event.msg === 'late heartbeat') late++;
      else if (event.msg === 'link to peer down') linkDowns++;
    }
  }
  return { spurious, late, linkDowns };
}

/** Both daemons' log events around `time` (1.5 s before to 0.3 s after), as `node: line` strings. */
function contextOf(lab: DaemonLab, time: number): string[] {
  const lines: { time: number; text: string }[] = [];
  for (let node = 0; node < lab.nodeCount; node++) {
    for (const event of lab.logEvents(node)) {
      if (event.time >= time - 1500 && event.time <= time + 300) lines.push({ time: event.time, text: `${lab.nodeName(node)}: ${formatLogEvent(event)}` });
    }
  }
  return lines.sort((x, y) => x.time - y.time).map((line) => line.text);
}
