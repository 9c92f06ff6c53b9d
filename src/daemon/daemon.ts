import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { Worker } from 'node:worker_threads';
import { formatConfigIssue, loadConfigFile, nodeView, type ConfigFileError, type HeartlineConfig } from '../config/index.js';
import { formatViewId, type MembershipStatus } from '../ha/membership/index.js';
import type { Logger, NodeId } from '../lib/index.js';
import { checkAuthKeyPermissions, readAuthKeyFile } from '../links/auth-key.js';
import { ControlServer } from './control-server.js';
import type { ControlRequest } from './control-protocol.js';
import type { FromHeartbeatWorker, HeartbeatWorkerData, ToHeartbeatWorker } from './heartbeat-worker-protocol.js';
import { nextIncarnation } from './incarnation-store.js';
import { SerialRelay } from './serial-relay.js';
import { applyRealtimeScheduling } from './realtime-scheduling.js';
import { SystemClock } from '../platform/index.js';
import type { DriverStatus } from './membership-driver.js';

export const DEFAULT_STATE_DIR = '/var/lib/heartline';

export interface DaemonOptions {
  readonly configPath: string;
  /** This node's name in the configuration; defaults to the short host name. */
  readonly nodeName?: string;
  readonly socketPath: string;
  readonly stateDir: string;
  readonly logLevel: HeartbeatWorkerData['logLevel'];
  /** SCHED_RR priority for every thread (1..99), or 0 for the normal policy. */
  readonly realtimePriority: number;
  readonly logger: Logger;
}

/** A startup failure with the message an operator needs (printed by `heartline daemon`). */
export class DaemonStartError extends Error {
  override readonly name = 'DaemonStartError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * The daemon's main thread: checks the configuration, the key file and the state directory,
 * increases the incarnation, starts the heartbeat worker (links + membership) and serves the
 * control socket until SIGTERM or SIGINT, when it leaves the cluster cleanly. Resolves with the
 * exit code once stopped; rejects with DaemonStartError when it cannot start.
 */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  const log = options.logger;
  const loaded = await loadConfigFile(options.configPath);
  if (!loaded.ok) throw new DaemonStartError(describeConfigError(loaded.error), `check it with: heartline config check ${options.configPath}`);
  const config = loaded.value;
  const nodeName = options.nodeName ?? hostname().split('.')[0] ?? '';
  const view = nodeView(config, nodeName);
  if (!view.ok) throw new DaemonStartError(view.error);
  const permissions = await checkAuthKeyPermissions(config.cluster.authkeyPath);
  if (!permissions.ok) throw new DaemonStartError(permissions.error.message);
  const keys = await readAuthKeyFile(config.cluster.authkeyPath);
  if (!keys.ok) throw new DaemonStartError(keys.error.message);
  if (config.quorum.pingTargets.length > 0 && spawnSync('ping', ['-V'], { stdio: 'ignore' }).error !== undefined) {
    throw new DaemonStartError('quorum.ping_targets are configured but there is no `ping` command on this node', 'install it (apt-get install iputils-ping), or remove ping_targets');
  }
  const incarnation = await nextIncarnation(options.stateDir);
  if (!incarnation.ok) throw new DaemonStartError(incarnation.error);

  // Before the worker starts, so that its thread inherits the policy.
  applyRealtimeScheduling(options.realtimePriority, log);
  const workerData: HeartbeatWorkerData = { config, nodeName, incarnation: incarnation.value, authKeys: keys.value, logLevel: options.logLevel };
  const worker = new Worker(new URL('./heartbeat-worker.js', import.meta.url), { workerData });
  const relay = new SerialRelay((message) => worker.postMessage(message), new SystemClock(), log.child('links'));
  worker.on('message', (message: FromHeartbeatWorker) => {
    if (message.type === 'link-open' || message.type === 'link-send' || message.type === 'link-close') relay.handle(message, config, nodeName);
  });
  const heartbeat = new HeartbeatWorkerHandle(worker);
  await heartbeat.ready();
  log.info('daemon started', { node: nodeName, nodeId: view.value.self.id, incarnation: incarnation.value, links: view.value.links.map((l) => l.name), socket: options.socketPath });

  const names = new Map<NodeId, string>(config.nodes.map((n) => [n.id, n.name]));
  const server = new ControlServer(options.socketPath, (request) => handleRequest(request, heartbeat, config, names), log.child('control'));
  try {
    await server.listen();
  } catch (error) {
    await heartbeat.stop();
    throw new DaemonStartError(error instanceof Error ? error.message : String(error));
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info('daemon stopping', { signal });
      void (async () => {
        await heartbeat.stop();
        await relay.closeAll();
        await server.close();
        resolve(0);
      })();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    worker.once('exit', (code) => {
      if (stopping) return;
      log.error('heartbeat worker exited; the daemon stops so that systemd restarts it', { code });
      void server.close().then(() => resolve(1));
    });
  });
}

function describeConfigError(error: ConfigFileError): string {
  if (error.code !== 'invalid') return `${error.message} (${error.hint})`;
  return [error.message, ...error.issues.map((issue) => `  ${formatConfigIssue(issue)}`)].join('\n');
}

async function handleRequest(request: ControlRequest, heartbeat: HeartbeatWorkerHandle, config: HeartlineConfig, names: ReadonlyMap<NodeId, string>): Promise<unknown> {
  switch (request.command) {
    case 'status':
    case 'members':
      return membersReport(await heartbeat.status(), config, names);
    case 'links':
      return linksReport(await heartbeat.status(), names);
    case 'block-main': {
      if (process.env['HEARTLINE_TEST_HOOKS'] !== '1') throw Object.assign(new Error('test hooks are off: start the daemon with HEARTLINE_TEST_HOOKS=1'), { code: 'forbidden' });
      // Deliberately starve the main thread: heartbeats live in the worker and must not notice.
      const until = performance.now() + request.ms;
      while (performance.now() < until) {
        /* busy */
      }
      return { blockedMs: request.ms };
    }
    case 'cib-change':
    case 'cib-query':
    case 'cib-history':
    case 'cib-configuration-at':
      throw Object.assign(new Error('the cluster resource manager is not wired into the daemon yet (issue 5)'), { code: 'not-implemented' });
  }
}

/** The shape of `heartline members --json`. */
export function membersReport(status: DriverStatus, config: HeartlineConfig, names: ReadonlyMap<NodeId, string>) {
  const m: MembershipStatus = status.membership;
  const name = (id: NodeId): string => names.get(id) ?? `node${id}`;
  return {
    cluster: { name: config.cluster.name, id: config.cluster.id },
    self: { id: m.self.id, name: name(m.self.id), incarnation: m.self.incarnation },
    view: m.view === null ? null : { id: formatViewId(m.view.id), members: m.view.members.map((x) => ({ id: x.id, name: name(x.id), incarnation: x.incarnation })), dc: { id: m.view.dc, name: name(m.view.dc) } },
    quorum: { ...m.quorum, twoNode: config.quorum.twoNode, waitForAll: config.quorum.waitForAll },
    nodes: [
      { id: m.self.id, name: name(m.self.id), status: 'local', incarnation: m.self.incarnation, lastHeardAgoMs: null, inView: m.view !== null },
      ...m.peers.map((p) => ({ id: p.id, name: name(p.id), status: p.status, incarnation: p.incarnation, lastHeardAgoMs: p.lastHeardAgoMs === null ? null : Math.round(p.lastHeardAgoMs), inView: m.view?.members.some((x) => x.id === p.id) ?? false })),
    ],
  };
}

/** The shape of `heartline links --json`. */
export function linksReport(status: DriverStatus, names: ReadonlyMap<NodeId, string>) {
  return {
    peers: status.membership.links.map((row) => ({ peer: row.peer, peerName: names.get(row.peer) ?? `node${row.peer}`, link: row.link, state: row.state, lastHeardAgoMs: row.lastHeardAgoMs === null ? null : Math.round(row.lastHeardAgoMs), lossPercent: row.lossPercent, rttMs: row.rttMs })),
    local: status.localLinks,
    frames: { accepted: status.frames.framesAccepted, delivered: status.frames.messagesDelivered, dropped: status.frames.drops, undecodable: status.undecodable },
    membershipDropped: status.membership.dropped,
  };
}

/** The main thread's handle on the heartbeat worker: request/response over its message port. */
class HeartbeatWorkerHandle {
  private nextId = 1;
  private readonly pending = new Map<number, (status: DriverStatus) => void>();
  private readonly started: Promise<void>;
  private stopped: Promise<void> | undefined;

  constructor(private readonly worker: Worker) {
    this.started = new Promise((resolve, reject) => {
      worker.on('message', (message: FromHeartbeatWorker) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'fatal') reject(new DaemonStartError(message.message));
        else if (message.type === 'status') {
          this.pending.get(message.id)?.(message.status);
          this.pending.delete(message.id);
        }
      });
      worker.once('error', (error) => reject(new DaemonStartError(`the heartbeat worker failed: ${error.message}`)));
      worker.once('exit', (code) => reject(new DaemonStartError(`the heartbeat worker exited with code ${code} before it was ready`)));
    });
  }

  ready(): Promise<void> {
    return this.started;
  }

  status(): Promise<DriverStatus> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('the heartbeat worker did not answer within 2 s'));
      }, 2000);
      this.pending.set(id, (status) => {
        clearTimeout(timer);
        resolve(status);
      });
      this.post({ type: 'status', id });
    });
  }

  /** Asks the worker to leave the cluster and close its links; terminates it if it takes over 2 s. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate().then(() => resolve()), 2000);
      this.worker.on('message', (message: FromHeartbeatWorker) => {
        if (message.type !== 'stopped') return;
        clearTimeout(timer);
        void this.worker.terminate().then(() => resolve());
      });
      this.post({ type: 'stop' });
    });
    return this.stopped;
  }

  private post(message: ToHeartbeatWorker): void {
    this.worker.postMessage(message);
  }
}
