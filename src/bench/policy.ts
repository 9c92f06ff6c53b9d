/**
 * The policy engine benchmark behind `heartline bench policy`: how long `schedule()` takes on
 * large synthetic clusters (src/bench/policy-cluster-generator.ts), and how much memory a process
 * needs for it.
 *
 * Each case (nodes x resources) runs in a fresh child process (policy-worker.ts), so that one
 * case's heap never inflates another's peak memory. The worker generates the CIB, writes it as
 * Pacemaker XML (the same text `--emit-xml` saves for crm_simulate), imports that XML back — the
 * import is timed on its own — and schedules the imported CIB `runs` times. The reported time is
 * the median of those runs, each started on a freshly collected heap (wall clock; their CPU time is reported too, because on a shared machine
 * the difference is time spent waiting for a core): parsing is not in it. Peak memory is the worker's maxRSS
 * (process.resourceUsage), which covers generation, XML and the engine together, and the V8 heap
 * in use right after the last schedule.
 */
import { fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { exportCibXml, importCibXml, formatCibImportError, type Cib } from '../ha/cib/index.js';
import { schedule } from '../ha/policy/index.js';
import { err, ok, type Result } from '../lib/index.js';
import { DEFAULT_POLICY_CLUSTER_SEED, generatePolicyCluster, type PolicyCluster, type PolicyClusterShape } from './policy-cluster-generator.js';

export interface PolicyBenchCase {
  readonly nodes: number;
  readonly resources: number;
}

export interface PolicyCaseOptions extends PolicyBenchCase {
  readonly runs: number;
  readonly seed: number;
  /** Write the generated CIB to DIR/policy-<nodes>x<resources>.xml. */
  readonly emitXmlDir?: string;
}

export interface TimingSummary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

/** One case's measurements. Times in ms, sizes in MiB. */
export interface PolicyCaseReport extends PolicyBenchCase {
  readonly shape: PolicyClusterShape;
  readonly xmlBytes: number;
  readonly xmlFile?: string;
  readonly generateMs: number;
  readonly exportMs: number;
  /** importCibXml of the generated XML (parse and model building). */
  readonly importMs: number;
  /** schedule() on the imported CIB, `runs` times: wall-clock time. */
  readonly scheduleMs: TimingSummary;
  /** The same runs' CPU time (user + system, all threads of the process: GC helpers included); on a shared machine it shows how much of the wall time was waiting for a core. */
  readonly scheduleCpuMs: TimingSummary;
  /** What the engine decided (the same on every run). */
  readonly result: { readonly instances: number; readonly placed: number; readonly unplaced: number; readonly actions: number; readonly edges: number; readonly summaryLines: number };
  /** The process's peak resident set size: the whole case (generation, XML, engine). */
  readonly maxRssMiB: number;
  /** V8 heap in use right after the last schedule (before a collection). */
  readonly heapUsedMiB: number;
  /** True when the case ran in a process of its own (maxRSS is this case's alone). */
  readonly isolated: boolean;
}

export interface PolicyBenchOptions {
  readonly cases: readonly PolicyBenchCase[];
  readonly runs: number;
  readonly seed?: number;
  readonly emitXmlDir?: string;
  /** Run every case in this process instead of one child each (peak memory then accumulates). */
  readonly inProcess?: boolean;
  readonly progress: (line: string) => void;
}

export interface PolicyBenchReport {
  readonly seed: number;
  readonly runs: number;
  readonly node: string;
  readonly cases: readonly PolicyCaseReport[];
}

export interface PolicyBenchError {
  readonly code: 'worker-failed' | 'bad-cib' | 'emit-failed';
  readonly message: string;
  readonly hint?: string;
}

const MIB = 1024 * 1024;
const round1 = (x: number): number => Math.round(x * 10) / 10;

export function summarizeTimings(samples: readonly number[]): TimingSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length === 0 ? 0 : sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median: round1(median), min: round1(sorted[0] ?? 0), max: round1(sorted.at(-1) ?? 0), samples: samples.map(round1) };
}

export function xmlFileName(c: PolicyBenchCase): string {
  return `policy-${c.nodes}x${c.resources}.xml`;
}

/** The generated CIB through XML: export (and --emit-xml), then import. The XML text stays in here. */
async function throughXml(options: PolicyCaseOptions, cluster: PolicyCluster, label: string): Promise<Result<{ cib: Cib; xmlBytes: number; xmlFile?: string; exportMs: number; importMs: number }, PolicyBenchError>> {
  let t = performance.now();
  const xml = exportCibXml(cluster.cib);
  const exportMs = performance.now() - t;
  let xmlFile: string | undefined;
  if (options.emitXmlDir !== undefined) {
    xmlFile = join(options.emitXmlDir, xmlFileName(options));
    try {
      await mkdir(options.emitXmlDir, { recursive: true });
      await writeFile(xmlFile, xml);
    } catch (error) {
      return err({ code: 'emit-failed', message: `cannot write ${xmlFile}: ${error instanceof Error ? error.message : String(error)}`, hint: 'give --emit-xml a directory you can write to' });
    }
  }
  t = performance.now();
  const imported = importCibXml(xml);
  const importMs = performance.now() - t;
  if (!imported.ok) return err({ code: 'bad-cib', message: `${label}: the generated CIB does not import: ${formatCibImportError(imported.error)}`, hint: 'this is a bug in the cluster generator (src/bench/policy-cluster-generator.ts)' });
  return ok({ cib: imported.value.cib, xmlBytes: xml.length, ...(xmlFile === undefined ? {} : { xmlFile }), exportMs, importMs });
}

/** Runs one case in this process. */
export async function runPolicyCase(options: PolicyCaseOptions, progress: (line: string) => void): Promise<Result<PolicyCaseReport, PolicyBenchError>> {
  const label = `${options.nodes} nodes x ${options.resources.toLocaleString('en-US')} resources`;
  let t = performance.now();
  const cluster = generatePolicyCluster({ nodes: options.nodes, resources: options.resources, seed: options.seed });
  const generateMs = performance.now() - t;
  const prepared = await throughXml(options, cluster, label);
  if (!prepared.ok) return prepared;
  const { cib, xmlBytes, xmlFile, exportMs, importMs } = prepared.value;
  // Each run starts on a collected heap (the worker runs with --expose-gc), so that no run pays
  // for the garbage of the XML import or of the run before.
  const collect = (globalThis as { gc?: () => void }).gc;
  progress(`${label}: generated (${Math.round(generateMs)} ms), ${(xmlBytes / MIB).toFixed(1)} MiB of XML, imported in ${Math.round(importMs)} ms${xmlFile === undefined ? '' : `, written to ${xmlFile}`}`);
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  let last: ReturnType<typeof schedule> | undefined;
  for (let run = 0; run < options.runs; run++) {
    collect?.();
    t = performance.now();
    const cpu = process.cpuUsage();
    // The running cluster's path: the DC plans without keeping scores.
    last = schedule(cib, { now: cluster.now, recordScores: false });
    samples.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    cpuSamples.push((used.user + used.system) / 1000);
    progress(`${label}: schedule run ${run + 1}/${options.runs}: ${Math.round(samples.at(-1) ?? 0)} ms (CPU ${Math.round(cpuSamples.at(-1) ?? 0)} ms)`);
  }
  const heapUsedMiB = round1(getHeapStatistics().used_heap_size / MIB);
  const decisions = last?.decisions ?? [];
  const placed = decisions.filter((d) => d.next !== undefined).length;
  return ok({
    nodes: options.nodes,
    resources: options.resources,
    shape: cluster.shape,
    xmlBytes,
    ...(xmlFile === undefined ? {} : { xmlFile }),
    generateMs: Math.round(generateMs),
    exportMs: Math.round(exportMs),
    importMs: Math.round(importMs),
    scheduleMs: summarizeTimings(samples),
    scheduleCpuMs: summarizeTimings(cpuSamples),
    result: { instances: decisions.length, placed, unplaced: decisions.length - placed, actions: last?.graph.actions.length ?? 0, edges: last?.graph.edges.length ?? 0, summaryLines: last?.summary.length ?? 0 },
    maxRssMiB: round1((process.resourceUsage().maxRSS * 1024) / MIB),
    heapUsedMiB,
    isolated: false,
  });
}

/** Messages from the worker to the parent. */
export type PolicyWorkerMessage = { readonly kind: 'progress'; readonly line: string } | { readonly kind: 'done'; readonly result: Result<PolicyCaseReport, PolicyBenchError> };

/** Runs one case in a fresh child process (policy-worker.js next to this module). */
function runCaseInWorker(options: PolicyCaseOptions, progress: (line: string) => void): Promise<Result<PolicyCaseReport, PolicyBenchError>> {
  return new Promise((resolve) => {
    // A large heap limit: the 50,000-resource cases hold the CIB, its XML and the engine's model at once.
    const child = fork(new URL('./policy-worker.js', import.meta.url), [JSON.stringify(options)], { execArgv: ['--max-old-space-size=8192', '--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let result: Result<PolicyCaseReport, PolicyBenchError> | undefined;
    child.on('message', (message: PolicyWorkerMessage) => {
      if (message.kind === 'progress') progress(message.line);
      else result = message.result;
    });
    child.on('error', (error) => resolve(err({ code: 'worker-failed', message: `the benchmark worker could not run: ${error.message}` })));
    child.on('exit', (code, signal) => {
      if (result !== undefined) resolve(result.ok ? ok({ ...result.value, isolated: true }) : result);
      else resolve(err({ code: 'worker-failed', message: `the benchmark worker for ${options.nodes} x ${options.resources} ended (${signal ?? `exit code ${code}`}) without a result`, hint: 'a crash with "heap out of memory" means the case does not fit this machine: leave it out with --sizes' }));
    });
  });
}

/** Runs every case, each in its own process unless `inProcess`. */
export async function runPolicyBench(options: PolicyBenchOptions): Promise<Result<PolicyBenchReport, PolicyBenchError>> {
  const seed = options.seed ?? DEFAULT_POLICY_CLUSTER_SEED;
  const cases: PolicyCaseReport[] = [];
  for (const c of options.cases) {
    const caseOptions: PolicyCaseOptions = { nodes: c.nodes, resources: c.resources, runs: options.runs, seed, ...(options.emitXmlDir === undefined ? {} : { emitXmlDir: options.emitXmlDir }) };
    const outcome = options.inProcess === true ? await runPolicyCase(caseOptions, options.progress) : await runCaseInWorker(caseOptions, options.progress);
    if (!outcome.ok) return outcome;
    const r = outcome.value;
    options.progress(`${c.nodes} nodes x ${c.resources.toLocaleString('en-US')} resources: median ${r.scheduleMs.median} ms, peak RSS ${r.maxRssMiB} MiB`);
    cases.push(r);
  }
  return ok({ seed, runs: options.runs, node: process.version, cases });
}
