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
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TIMING } from '../config/config-defaults.js';
import type { TimingSettings } from '../config/index.js';
import { err, ok, type Millis, type Result } from '../lib/index.js';
import { DaemonLab } from '../testbed/daemon-lab.js';
import { NetnsLab } from '../testbed/netns.js';
import { runCommand } from '../testbed/command.js';
import { eventually } from '../testbed/eventually.js';
import { labRequirementProblem } from '../testbed/requirements.js';

export interface FootprintBenchOptions {
  readonly idleSeconds: number;
  /**
   * Idle this long before the window (default 0: the first minute after the resource started).
   * The first minute is not the steady state: an idle daemon's RSS grows for about 25 minutes
   * before it levels off (docs/ARCHITECTURE.md).
   */
  readonly warmupSeconds?: number;
  /** Keepalive in ms instead of the default; warntime, deadtime and initdead keep the default ratios to it. */
  readonly keepaliveMs?: number;
  /** The link probe interval instead of the default for the keepalive (the keepalive itself: no probing, every link at full rate). */
  readonly linkProbeIntervalMs?: number;
  /** Also measure the heartbeat floor (heartbeat-floor.ts) on the same links at the same keepalive. */
  readonly baseline?: boolean;
  /** Enable the metrics endpoint (heartline.yaml `metrics: {}`) and scrape every node every METRICS_SCRAPE_MS from inside its namespace, as Prometheus would. */
  readonly metrics?: boolean;
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
  /** CPU seconds in the window per thread name (node's main thread, the heartbeat worker, V8's and libuv's helpers). */
  readonly cpuSecondsByThread: Readonly<Record<string, number>>;
}

/** What a bare Node.js process exchanging heartbeat-sized frames at the same rate costs (heartbeat-floor.ts). */
export interface HeartbeatFloor {
  readonly program: string;
  readonly framesPerSecondPerNode: number;
  readonly nodes: readonly { readonly node: string; readonly rssMiB: number; readonly cpuPercentOfCore: number }[];
}

export interface FootprintBenchReport {
  readonly timing: TimingSettings;
  readonly idleSeconds: number;
  readonly warmupSeconds: number;
  readonly resource: string;
  readonly nodes: readonly NodeFootprint[];
  readonly baseline?: HeartbeatFloor;
  /** With --metrics: how often each node was scraped and how many scrapes it answered in the window. */
  readonly metrics?: { readonly scrapeIntervalSeconds: number; readonly scrapesPerNode: number };
  readonly targets: { readonly rssMiB: number; readonly cpuPercentOfCore: number; readonly met: boolean };
}

export interface FootprintBenchError {
  readonly code: 'needs-root' | 'missing-tool' | 'lab-failed';
  readonly message: string;
  readonly hint?: string;
}

export const FOOTPRINT_TARGETS = { rssMiB: 80, cpuPercentOfCore: 1 } as const;

const RESOURCE = 'footprint-dummy';
const LINKS = ['crossover', 'switch'] as const;
/** A heartbeat frame between two nodes: 42 bytes of frame header and tag, about 50 of message. */
const HEARTBEAT_FRAME_BYTES = 96;
const FLOOR_PORT = 5405;
/** Prometheus's default scrape interval. */
const METRICS_SCRAPE_MS = 15_000;
const SCRAPE_PROGRAM = `fetch('http://127.0.0.1:9664/metrics').then(async (r) => { if (!r.ok) process.exit(1); await r.text(); }).catch(() => process.exit(1));`;

/** The default timing scaled to another keepalive (the ratios warntime 3x, deadtime 5x, initdead 20x, link probe interval 5x). */
export function timingForKeepalive(keepaliveMs: number): TimingSettings {
  const scale = keepaliveMs / DEFAULT_TIMING.keepaliveMs;
  return {
    keepaliveMs: keepaliveMs as Millis,
    warntimeMs: Math.round(DEFAULT_TIMING.warntimeMs * scale) as Millis,
    deadtimeMs: Math.round(DEFAULT_TIMING.deadtimeMs * scale) as Millis,
    initdeadMs: Math.round(DEFAULT_TIMING.initdeadMs * scale) as Millis,
    linkProbeIntervalMs: Math.round(DEFAULT_TIMING.linkProbeIntervalMs * scale) as Millis,
  };
}

export async function runFootprintBench(options: FootprintBenchOptions): Promise<Result<FootprintBenchReport, FootprintBenchError>> {
  const problem = labRequirementProblem('heartline bench footprint');
  if (problem !== undefined) return err(problem);
  let lab: DaemonLab | undefined;
  let floor: RunningFloor | undefined;
  try {
    options.progress('building the lab (2 nodes, crossover + switch, lab fencing)');
    const scaled = options.keepaliveMs === undefined ? undefined : timingForKeepalive(options.keepaliveMs);
    const timing = options.linkProbeIntervalMs === undefined ? scaled : { ...(scaled ?? DEFAULT_TIMING), linkProbeIntervalMs: options.linkProbeIntervalMs as Millis };
    lab = await DaemonLab.create({ nodes: 2, links: LINKS, serial: false, linkKind: 'udp-unicast', fencing: true, ...(options.metrics === true ? { metricsSection: {} } : {}), ...(timing === undefined ? {} : { timing }), ...(options.cliPath === undefined ? {} : { cliPath: options.cliPath }), progress: (line) => options.progress(`  ${line}`) });
    await lab.waitForFullView({ timeoutMs: 60_000 });
    const cli = options.cliPath ?? new URL('../cli/main.js', import.meta.url).pathname;
    await runCommand(process.execPath, [cli, 'resource', 'create', RESOURCE, 'ocf:heartline:Dummy', '--socket', lab.socketPath(0)], { timeoutMs: 30_000 });
    const active = lab;
    await eventually(async () => ((await runCommand(process.execPath, [cli, 'status', '--json', '--socket', active.socketPath(0)])).includes('"Started"') ? true : undefined), { what: `${RESOURCE} is started`, timeoutMs: 60_000, intervalMs: 500 });
    // The floor runs in the same window as the daemons: on a shared machine the cost of a wake-up
    // swings by 2x from one minute to the next, so only figures from the same window compare.
    if (options.baseline === true) {
      options.progress('baseline: a bare Node.js heartbeat exchange on the same kind of links, in the same window');
      floor = await startHeartbeatFloor(lab.timing);
    }
    const warmupSeconds = options.warmupSeconds ?? 0;
    if (warmupSeconds > 0) {
      options.progress(`warming up: idle for ${warmupSeconds} s before the window`);
      await sleep(warmupSeconds * 1000);
    }
    options.progress(`idle for ${options.idleSeconds} s with ${RESOURCE} running`);
    const floorBefore = floor === undefined ? undefined : await Promise.all(floor.pids.map(cpuSeconds));
    const pids = Array.from({ length: lab.nodeCount }, (_, node) => active.daemon(node).pid);
    const before = await Promise.all(pids.map(cpuSeconds));
    const threadsBefore = await Promise.all(pids.map(threadCpuSeconds));
    const startedAt = performance.now();
    let scrapes = 0;
    if (options.metrics === true) {
      // One scrape per node at 0, 15, 30, ... s of the window, from a process in the node's
      // namespace (its CPU is not the daemon's); a slow scrape does not shift the schedule.
      const windowMs = options.idleSeconds * 1000;
      for (let at = 0; at < windowMs; at += METRICS_SCRAPE_MS) {
        await sleep(Math.max(0, at - (performance.now() - startedAt)));
        await Promise.all(pids.map((_, node) => active.net.exec(node, process.execPath, ['-e', SCRAPE_PROGRAM])));
        scrapes++;
      }
      await sleep(Math.max(0, windowMs - (performance.now() - startedAt)));
    } else {
      await sleep(options.idleSeconds * 1000);
    }
    const elapsed = (performance.now() - startedAt) / 1000;
    const after = await Promise.all(pids.map(cpuSeconds));
    const threadsAfter = await Promise.all(pids.map(threadCpuSeconds));
    const baseline = floor === undefined || floorBefore === undefined ? undefined : await readHeartbeatFloor(floor, floorBefore, elapsed);
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
        cpuSecondsByThread: threadDelta(threadsBefore[node] as Map<string, number>, threadsAfter[node] as Map<string, number>),
      });
    }
    const met = nodes.every((n) => n.rssMiB <= FOOTPRINT_TARGETS.rssMiB && n.cpuPercentOfCore <= FOOTPRINT_TARGETS.cpuPercentOfCore);
    const report = { timing: { ...lab.timing }, idleSeconds: options.idleSeconds, warmupSeconds, resource: `${RESOURCE} (ocf:heartline:Dummy, monitor every 10 s)`, nodes, ...(options.metrics === true ? { metrics: { scrapeIntervalSeconds: METRICS_SCRAPE_MS / 1000, scrapesPerNode: scrapes } } : {}), targets: { ...FOOTPRINT_TARGETS, met }, ...(baseline === undefined ? {} : { baseline }) };
    return ok(report);
  } catch (error) {
    return err({ code: 'lab-failed', message: error instanceof Error ? error.message : String(error), hint: 'the lab was removed; rerun, and run the cluster integration tests to see which part breaks' });
  } finally {
    await floor?.net.destroy();
    await lab?.destroy();
  }
}

interface RunningFloor {
  readonly net: NetnsLab;
  readonly pids: readonly number[];
  /** Frames sent plus frames received per second, per node. */
  readonly framesPerSecond: number;
}

/** Starts heartbeat-floor.js in two namespaces of its own, linked as the daemons are, and lets it warm up. */
async function startHeartbeatFloor(timing: TimingSettings): Promise<RunningFloor> {
  const keepaliveMs = timing.keepaliveMs;
  // The daemon's traffic: the first link every keepalive, the others every probe interval.
  const intervals = LINKS.map((_, link) => (link === 0 ? keepaliveMs : Math.max(keepaliveMs, timing.linkProbeIntervalMs)));
  const program = fileURLToPath(new URL('./heartbeat-floor.js', import.meta.url));
  const net = await NetnsLab.create({ nodes: 2, links: LINKS });
  try {
    const processes = await Promise.all(
      [0, 1].map((node) => {
        const pairs = LINKS.map((_, link) => `${net.address(node, link)}:${net.address(1 - node, link)}:${intervals[link] as number}`);
        return net.spawn(node, { name: `heartbeat floor ${net.nodeLetter(node)}`, argv: [process.execPath, program, String(keepaliveMs), String(HEARTBEAT_FRAME_BYTES), String(FLOOR_PORT), ...pairs] });
      }),
    );
    // Past start-up, as the daemons are.
    await sleep(3000);
    return { net, pids: processes.map((p) => p.pid), framesPerSecond: intervals.reduce((sum, ms) => sum + (2 * 1000) / ms, 0) };
  } catch (error) {
    await net.destroy();
    throw error;
  }
}

/** The floor's RSS now and its CPU since `before`, over `elapsed` seconds. */
async function readHeartbeatFloor(floor: RunningFloor, before: readonly number[], elapsed: number): Promise<HeartbeatFloor> {
  const after = await Promise.all(floor.pids.map(cpuSeconds));
  const nodes = await Promise.all(
    floor.pids.map(async (pid, node) => ({
      node: floor.net.nodeLetter(node),
      rssMiB: round(statusKiB(await readFile(`/proc/${pid}/status`, 'utf8'), 'VmRSS') / 1024),
      cpuPercentOfCore: round((100 * ((after[node] as number) - (before[node] as number))) / elapsed),
    })),
  );
  return { program: 'src/bench/heartbeat-floor.ts: one UDP socket per link, a 96-byte HMAC-SHA256 frame on the first link every keepalive and on the second every link probe interval (the daemon\'s heartbeat traffic), every frame received verified; run in the same window as the daemons', framesPerSecondPerNode: round(floor.framesPerSecond), nodes };
}

/** utime + stime of every thread of `pid`, in seconds. */
async function cpuSeconds(pid: number): Promise<number> {
  return statCpuSeconds(await readFile(`/proc/${pid}/stat`, 'utf8'));
}

/** utime + stime of a /proc stat line (fields 14 and 15, in clock ticks of 1/100 s). */
function statCpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is index 0: utime (14) is index 11, stime (15) index 12.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds per thread name of `pid` (threads of one name, like V8's helpers, are summed). */
async function threadCpuSeconds(pid: number): Promise<Map<string, number>> {
  const byName = new Map<string, number>();
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    try {
      const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Node names its worker threads like its main thread: the main thread is told apart by its id.
      const name = tid === String(pid) ? 'main' : `${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}#${tid}`;
      byName.set(name, (byName.get(name) ?? 0) + statCpuSeconds(stat));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return byName;
}

function threadDelta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, seconds] of after) {
    const used = round(seconds - (before.get(name) ?? 0));
    if (used > 0) delta[name] = used;
  }
  return delta;
}

/** A `Name: value kB` field of /proc/PID/status, as a number. */
function statusKiB(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status);
  return match === null ? Number.NaN : Number(match[1]);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
