/**
 * Simulated nodes for ocf:heartline:LVMActivate's tests: each node is an AgentClassRunner with its
 * own cluster name and its own PATH, whose first folder (NODE/bin) holds that node's LVM commands
 * (wrappers pointing the real LVM at the node's own lvm.conf, or the fake-lvm fixture) and a
 * `heartline` that runs the BUILT CLI. The CLI's `members --json` is answered by MembersServer, a
 * control socket serving a membersReport the test sets: the agent's whole path to the cluster's
 * view (CLI, control protocol, JSON, its parser) is the production one, only the daemon is not.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { AgentClassRunner, DEFAULT_AGENT_DIRECTORIES } from '../../../src/ha/agents/index.js';
import type { membersReport } from '../../../src/daemon/index.js';
import type { PeerStatus } from '../../../src/ha/membership/index.js';
import { ChildProcessRunner, type AgentAction, type OperationResult, type ResourceDefinition } from '../../../src/ha/lrm/index.js';
import type { Millis, NodeId } from '../../../src/lib/index.js';
import { SystemClock } from '../../../src/platform/index.js';
import { builtCli } from '../harness/fixture-program.js';

export type MembersReport = ReturnType<typeof membersReport>;
export type PeerState = PeerStatus;

/**
 * `heartline members --json` as node `self` would print it: `self` is local and in the view, each
 * other node of `peers` has its state (alive nodes are in the view, the others are not).
 */
export function membersView(self: string, peers: Readonly<Record<string, PeerState>>): MembersReport {
  const names = [self, ...Object.keys(peers)];
  const inView = names.filter((name) => name === self || peers[name] === 'alive');
  const id = (name: string): NodeId => (names.indexOf(name) + 1) as NodeId;
  return {
    cluster: { name: 'lvm-test', id: 7 },
    self: { id: id(self), name: self, incarnation: 1 },
    view: { id: '1.1.1', members: inView.map((name) => ({ id: id(name), name, incarnation: 1 })), dc: { id: id(self), name: self } },
    quorum: { quorate: true, votes: inView.length, expectedVotes: names.length, needed: 1, reason: null, twoNode: names.length === 2, waitForAll: false },
    nodes: [
      { id: id(self), name: self, status: 'local', incarnation: 1, lastHeardAgoMs: null, inView: true },
      ...Object.entries(peers).map(([name, status]) => ({ id: id(name), name, status, incarnation: 1, lastHeardAgoMs: status === 'alive' ? 100 : null, inView: inView.includes(name) })),
    ],
  };
}

/** A control socket that answers `members` with the report the test set (and nothing else). */
export class MembersServer {
  private report: MembersReport | undefined;
  private readonly server: Server;

  private constructor(readonly socketPath: string) {
    this.server = createServer((connection) => {
      let buffered = '';
      connection.setEncoding('utf8');
      connection.on('data', (chunk: string) => {
        buffered += chunk;
        const newline = buffered.indexOf('\n');
        if (newline < 0) return;
        const request = JSON.parse(buffered.slice(0, newline)) as { id: number; command: string };
        const answer =
          request.command === 'members' && this.report !== undefined
            ? { id: request.id, ok: true, result: this.report }
            : { id: request.id, ok: false, error: { code: 'unsupported', message: `the test's control socket answers only members (asked ${request.command})` } };
        connection.end(`${JSON.stringify(answer)}\n`);
      });
      connection.on('error', () => {});
    });
  }

  static async listen(socketPath: string): Promise<MembersServer> {
    const server = new MembersServer(socketPath);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(socketPath, resolve);
    });
    return server;
  }

  set(report: MembersReport): void {
    this.report = report;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const ms = (n: number): Millis => n as Millis;

/** One simulated node: its folder, its runner, and calls of the agent on it. */
export class LvmTestNode {
  readonly bin: string;
  readonly runner: AgentClassRunner;

  private constructor(
    readonly name: string,
    readonly dir: string,
  ) {
    this.bin = join(dir, 'bin');
    const clock = new SystemClock();
    this.runner = new AgentClassRunner({
      processes: new ChildProcessRunner({ clock }),
      clock,
      directories: { rscTmpDirectory: dir, path: `${this.bin}:${DEFAULT_AGENT_DIRECTORIES.path}` },
      nodeName: name,
    });
  }

  /** Makes DIR/bin with `heartline` (the built CLI); the caller adds the LVM commands. */
  static async create(name: string, dir: string): Promise<LvmTestNode> {
    if (!existsSync(builtCli)) throw new Error(`dist/ is not built (missing ${builtCli}): run \`npm run build\` first (npm test does)`);
    const node = new LvmTestNode(name, dir);
    await mkdir(node.bin, { recursive: true });
    await node.script('heartline', `exec '${process.execPath}' '${builtCli}' "$@"`);
    return node;
  }

  /** Writes an executable sh script NAME into the node's bin. */
  async script(name: string, body: string): Promise<void> {
    const file = join(this.bin, name);
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
  }

  run(resource: ResourceDefinition, action: AgentAction, options: { readonly intervalMs?: number; readonly timeoutMs?: number } = {}): Promise<OperationResult> {
    return this.runner.run({ resource, action, intervalMs: ms(options.intervalMs ?? 0), timeoutMs: ms(options.timeoutMs ?? 60_000) });
  }
}

/** The resource of the tests: ocf:heartline:LVMActivate with `params`. */
export function lvmResource(id: string, params: Readonly<Record<string, string>>, meta: Readonly<Record<string, string>> = {}): ResourceDefinition {
  return { id, agent: { standard: 'ocf', provider: 'heartline', type: 'LVMActivate' }, params, meta };
}
