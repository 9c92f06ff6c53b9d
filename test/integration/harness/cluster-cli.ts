/**
 * Driving a DaemonLab cluster the way an operator does: the BUILT `heartline` CLI run against one
 * node's control socket (`runCli`), and the checks the cluster tests share on `status --json`
 * (where each resource runs, as every asked node sees it; the configuration version). Nothing here
 * decides an outcome: the tests assert on what the commands printed and what the agents left.
 */
import { spawn } from 'node:child_process';
import type { ClusterStatusReport } from '../../../src/daemon/index.js';
import type { DaemonLab } from '../../../src/testbed/daemon-lab.js';
import { eventually } from './eventually.js';
import { builtCli } from './fixture-program.js';

/** What one CLI run left: its exit code and its two output streams. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/cli/main.js ARGS... --socket SOCK` against node `node` and resolves with how it ended (never rejects on a non-zero exit). */
export function runCli(lab: DaemonLab, node: number, args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli, ...args, '--socket', lab.socketPath(node)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI and requires exit 0; rejects with the command and its output otherwise. */
export async function cliOk(lab: DaemonLab, node: number, args: readonly string[]): Promise<CliRun> {
  const run = await runCli(lab, node, args);
  if (run.code !== 0) throw new Error(`heartline ${args.join(' ')} (node ${lab.nodeName(node)}) exited ${String(run.code)}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return run;
}

/** `heartline status --json` on node `node`. */
export async function statusOf(lab: DaemonLab, node: number): Promise<ClusterStatusReport> {
  return JSON.parse((await cliOk(lab, node, ['status', '--json'])).stdout) as ClusterStatusReport;
}

/**
 * The same report over the control socket (the `status` request `heartline status --json` prints):
 * for polling, where a Node process per look would cost more than the wait itself.
 */
export async function statusOverSocket(lab: DaemonLab, node: number): Promise<ClusterStatusReport> {
  const answer = await lab.request(node, 'status');
  if (!answer.ok) throw new Error(`status on node ${lab.nodeName(node)}: ${answer.error.message}`);
  return answer.result as ClusterStatusReport;
}

/** The configuration part of the CIB version, `ADMIN_EPOCH.EPOCH` (num_updates moves with every status write). */
export function configurationVersion(report: ClusterStatusReport): string {
  return report.cib.version.split('.').slice(0, 2).join('.');
}

/** Where resource `id` runs as one status report says: the node name when started on exactly one node, 'stopped', or undefined (anything else). */
export function placementIn(report: ClusterStatusReport, id: string): string | undefined {
  const resource = report.resources.find((r) => r.id === id);
  if (resource === undefined || resource.state === 'stopped') return 'stopped';
  if (resource.state !== 'started' || resource.active.length !== 1) return undefined;
  return resource.active[0]?.node;
}

/**
 * Waits until every node of `nodes` (default: all) reports resource `id` as `expected` (a node
 * name, 'stopped', or any single node when undefined) in its status (read over the socket), and
 * resolves with the placement. A resource the status does not list counts as 'stopped'.
 */
export function waitForPlacement(lab: DaemonLab, id: string, expected: string | undefined, options: { readonly nodes?: readonly number[]; readonly timeoutMs?: number } = {}): Promise<string> {
  const nodes = options.nodes ?? Array.from({ length: lab.nodeCount }, (_, node) => node);
  let last: unknown;
  return eventually(
    async () => {
      const reports = await Promise.all(nodes.map((node) => statusOverSocket(lab, node)));
      last = reports.map((r) => ({ self: r.self.name, dc: r.dc?.name, cib: r.cib.version, resource: r.resources.find((x) => x.id === id), transition: r.lastTransition?.status, problems: r.problems.slice(-3) }));
      const seen = reports.map((r) => placementIn(r, id));
      const first = seen[0];
      if (first === undefined || !seen.every((s) => s === first)) return undefined;
      if (expected !== undefined ? first !== expected : first === 'stopped') return undefined;
      return first;
    },
    {
      what: `${id} ${expected === undefined ? 'started on one node' : expected === 'stopped' ? 'stopped' : `started on ${expected}`}, as ${nodes.map((n) => lab.nodeName(n)).join(' and ')} see it`,
      timeoutMs: options.timeoutMs ?? 30_000,
      intervalMs: 250,
      describe: () => `${JSON.stringify(last, null, 1)}\n${nodes.map((n) => lab.describeLogs(n, 15)).join('\n')}`,
    },
  );
}
