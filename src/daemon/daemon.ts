import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { formatConfigIssue, loadConfigFile, nodeView, type ConfigFileError, type HeartlineConfig } from '../config/index.js';
import { formatViewId, type MembershipStatus } from '../ha/membership/index.js';
import { AgentClassRunner, checkChangeAgainstAgents, DEFAULT_AGENT_DIRECTORIES, type AgentDirectories, type AgentInspector } from '../ha/agents/index.js';
import { EVENT_LOG_FILE, EventLog, EventRecorder } from '../events/index.js';
import { formatCibVersion, type Cib, type CibChange } from '../ha/cib/index.js';
import { ChildProcessRunner } from '../ha/lrm/index.js';
import type { LrmResult } from '../ha/controller/index.js';
import type { NodeFencing } from '../fence/node-fencing.js';
import { ChildToolRunner, readFenceAgentMetadata, type FenceAgentMetadata } from '../fence/index.js';
import type { Logger, NodeId, Result } from '../lib/index.js';
import { checkAuthKeyPermissions, readAuthKeyFile } from '../links/auth-key.js';
import { ControlServer } from './control-server.js';
import type { ControlRequest } from './control-protocol.js';
import type { FromHeartbeatWorker, HeartbeatWorkerData, ToHeartbeatWorker } from './heartbeat-worker-protocol.js';
import { nextIncarnation } from './incarnation-store.js';
import { SerialRelay } from './serial-relay.js';
import { applyRealtimeScheduling } from './realtime-scheduling.js';
import { SystemClock } from '../platform/index.js';
import type { ClusterView, DriverStatus } from './membership-driver.js';
import type { ChangeCheck } from './change-check.js';
import { ClusterRuntime } from './cluster-runtime.js';
import { clusterStatusReport, type ClusterStatusReport } from './cluster-status.js';
import { buildDaemonFencing } from './daemon-fencing.js';
import { FenceDeviceAgentRunner } from './fence-device-agent.js';
import { startDaemonStorage } from './daemon-storage.js';
import { resourcePriorityPerNode } from './resource-priorities.js';
import { LrmBridge } from './lrm-bridge.js';
import { loadDaemonMetrics } from './daemon-metrics.js';
import { CONFIGURE_HINT, notConfiguredReason } from './not-configured.js';
import { SystemdNotifier } from './systemd-notify.js';
import { startHeapTrim } from './heap-trim.js';

export const DEFAULT_STATE_DIR = '/var/lib/heartline';
/** HA_RSCTMP of the agents: on a tmpfs, so that agents' state files (Dummy's) do not survive a reboot. */
export const DEFAULT_RSCTMP_DIR = '/run/heartline/rsctmp';
/** How long a leaving node waits for the reliable channel to deliver its shutdown request to the peers. */
const CHANNEL_SETTLE_MS = 2000;

/** How long a graceful shutdown waits for this node's resources to move before it leaves anyway. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 120_000;
/** The exit status after this node learned it was fenced; systemd/heartline.service does not restart on it. */
export const FENCED_EXIT_CODE = 100;

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
  /** HA_RSCTMP for the agents (created when missing); default DEFAULT_RSCTMP_DIR. */
  readonly rscTmpDir?: string;
  /** Bound of the graceful shutdown's wait for resources to move; default DEFAULT_SHUTDOWN_TIMEOUT_MS. */
  readonly shutdownTimeoutMs?: number;
  /** Checks a CIB change on this node before it is submitted (agent meta-data); default: accept. */
  readonly checkChange?: ChangeCheck;
  /** Where the agent classes look for agents (`--agent-dir`); each one left out keeps Debian's path (DEFAULT_AGENT_DIRECTORIES). */
  readonly agentDirectories?: Partial<Pick<AgentDirectories, 'ocfRoot' | 'ocfProviderDirectories' | 'initDirectory' | 'heartbeatResourceDirectory'>>;
}

/** A startup failure with the message an operator needs (printed by `heartline daemon`). */
export class DaemonStartError extends Error {
  override readonly name = 'DaemonStartError';
  constructor(
    message: string,
    readonly hint?: string,
    /** `not-configured`: no heartline.yaml or the package's template (exit NOT_CONFIGURED_EXIT_CODE, not restarted). */
    readonly reason: 'failed' | 'not-configured' = 'failed',
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
  const notConfigured = notConfiguredReason(options.configPath, loaded);
  if (notConfigured !== undefined) throw new DaemonStartError(notConfigured, CONFIGURE_HINT, 'not-configured');
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

  const rscTmpDir = options.rscTmpDir ?? DEFAULT_RSCTMP_DIR;
  try {
    await mkdir(rscTmpDir, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw new DaemonStartError(`cannot create the agents' HA_RSCTMP folder ${rscTmpDir}: ${error instanceof Error ? error.message : String(error)}`, 'give another one with --rsctmp, or run as root');
  }
  // Only with a metrics section: prom-client is loaded by a dynamic import (the idle footprint).
  const metrics = await loadDaemonMetrics(config.metrics, log.child('metrics'));
  const clock = new SystemClock();
  const selfId = view.value.self.id;
  const names = new Map<NodeId, string>(config.nodes.map((n) => [n.id, n.name]));
  const processes = new ChildProcessRunner({ clock, logger: log.child('lrm') });
  // Late-bound: the runtime (whose CIB gives the priorities) and the stop need the fencing first.
  const late: { runtime?: ClusterRuntime; stopSelf?: (reason: string) => void } = {};
  const builtFencing = await buildDaemonFencing({
    config,
    nodeName,
    stateDir: options.stateDir,
    processes,
    clock,
    logger: log.child('fence'),
    path: DEFAULT_AGENT_DIRECTORIES.path,
    priorities: () => (late.runtime === undefined ? {} : resourcePriorityPerNode(late.runtime.current().cib, config.nodes.map((n) => n.name), Date.now() / 1000)),
    onStopSelf: (reason) => late.stopSelf?.(reason),
  });
  if (!builtFencing.ok) throw new DaemonStartError(builtFencing.error.message, builtFencing.error.hint);
  const fencing: NodeFencing = builtFencing.value.fencing;
  const fencingDescription = builtFencing.value.description;
  const eventLog = EventLog.open(join(options.stateDir, EVENT_LOG_FILE), Date.now(), config.events ?? {});
  if (!eventLog.ok) {
    await fencing.close();
    throw new DaemonStartError(eventLog.error.message);
  }
  const events = new EventRecorder({
    log: eventLog.value,
    clock,
    logger: log.child('events'),
    selfName: nodeName,
    names,
    snapshot: () => {
      const runtime = late.runtime;
      if (runtime === undefined) return undefined;
      const report = runtimeStatus(runtime, nodeName);
      if (report === undefined) return undefined;
      const members = new Set(runtime.currentView().members.map((m) => names.get(m.id) ?? `node${m.id}`));
      return { resources: report.resources, members };
    },
    ...(metrics === undefined ? {} : { onServiceChange: (change) => metrics.serviceChange(change) }),
  });
  events.started();
  // The runtime is made before the worker (which it sends through) so that no view is missed.
  const workerPort: { post?: (message: ToHeartbeatWorker) => void } = {};
  let fatal: ((message: string) => void) | undefined;
  const opened = ClusterRuntime.open({
    self: selfId,
    selfName: nodeName,
    nodes: config.nodes.map((n) => ({ id: n.id, name: n.name })),
    stateDir: options.stateDir,
    clock,
    logger: log.child('ha'),
    fencingConfigured: config.fencing !== undefined,
    startupGraceMs: config.timing.initdeadMs,
    fencing,
    channelSend: (to, payload) => workerPort.post?.({ type: 'channel-send', to, payload }),
    onFatal: (message) => fatal?.(message),
    onStopSelf: (reason) => late.stopSelf?.(reason),
    ...(builtFencing.value.devices === undefined ? {} : { onConfigurationChanged: (cib: Cib) => void builtFencing.value.devices?.applyCib(cib.configuration) }),
    onCibChanged: () => events.changed(),
    onFenceOutcome: (notice) => {
      events.fence(notice);
      metrics?.fence(notice);
    },
  });
  if (!opened.ok) {
    eventLog.value.close();
    await fencing.close();
    throw new DaemonStartError(opened.message, `move the file aside to start from the cluster's copy: mv ${join(options.stateDir, 'cib.sqlite')} ${join(options.stateDir, 'cib.sqlite.broken')}`);
  }
  const runtime = opened.runtime;
  late.runtime = runtime;
  // The CIB's fence devices from the stored CIB before anything can ask for a fence.
  await builtFencing.value.devices?.applyCib(runtime.current().cib.configuration);
  // Disk fencing and the quorum disk (storage section): before the first view, which the lease may change.
  let rawView: ClusterView | undefined;
  const startedStorage = startDaemonStorage({
    config,
    nodeName,
    clock,
    logger: log.child('storage'),
    onSelfFence: (reason) => late.stopSelf?.(`fencing disk: ${reason}`),
    onQuorumDiskChange: () => {
      if (rawView === undefined) return;
      runtime.onView(storage.adjustView(rawView));
      events.changed();
    },
  });
  if (!startedStorage.ok) {
    runtime.close();
    await fencing.close();
    throw new DaemonStartError(startedStorage.error.message, startedStorage.error.hint);
  }
  const storage = startedStorage.value;
  const agentDirectories = options.agentDirectories ?? {};
  const directories: Partial<AgentDirectories> = {
    ...agentDirectories,
    // Extra providers add to the defaults (heartline's own stays unless overridden).
    ocfProviderDirectories: { ...DEFAULT_AGENT_DIRECTORIES.ocfProviderDirectories, ...agentDirectories.ocfProviderDirectories },
    rscTmpDirectory: rscTmpDir,
  };
  const agents = new AgentClassRunner({ processes, clock, directories, logger: log.child('agents'), nodeName });
  const devices = builtFencing.value.devices;
  const runner = devices === undefined ? agents : new FenceDeviceAgentRunner(agents, devices, clock);
  const onLrmResult = (result: LrmResult): void => {
    metrics?.operation(result);
    runtime.onLrmResult(result);
  };
  const lrm = new LrmBridge({ nodeName, incarnation: incarnation.value, runner, clock, logger: log.child('lrm'), onResult: onLrmResult });
  runtime.attachLrm(lrm);
  runtime.start();
  const notifier = new SystemdNotifier(clock, log.child('systemd'));
  notifier.startWatchdog();
  let joined = false;
  const onView = (clusterView: ClusterView): void => {
    rawView = clusterView;
    runtime.onView(storage.adjustView(clusterView));
    events.changed();
    if (!joined && clusterView.members.some((m) => m.id === selfId)) {
      joined = true;
      notifier.ready(`member of the cluster ${config.cluster.name}; DC ${clusterView.dc === null ? 'none' : (names.get(clusterView.dc) ?? String(clusterView.dc))}`);
      log.info('joined the cluster', { members: clusterView.members.map((m) => m.id), dc: clusterView.dc, quorate: clusterView.quorate });
    }
  };

  // Before the worker starts, so that its thread inherits the policy.
  applyRealtimeScheduling(options.realtimePriority, log);
  const workerData: HeartbeatWorkerData = { config, nodeName, incarnation: incarnation.value, authKeys: keys.value, logLevel: options.logLevel };
  const worker = new Worker(new URL('./heartbeat-worker.js', import.meta.url), { workerData });
  startHeapTrim();
  const postToWorker = worker.postMessage.bind(worker);
  workerPort.post = (message) => worker.postMessage(message);
  const relay = new SerialRelay((message) => postToWorker(message), clock, log.child('links'));
  worker.on('message', (message: FromHeartbeatWorker) => {
    if (message.type === 'link-open' || message.type === 'link-send' || message.type === 'link-close') relay.handle(message, config, nodeName);
    else if (message.type === 'view') onView(message.view);
    else if (message.type === 'channel-deliver') runtime.onChannelDeliver(message.from, message.payload);
    else if (message.type === 'event') events.membership(message.event);
  });
  const heartbeat = new HeartbeatWorkerHandle(worker);
  try {
    await heartbeat.ready();
  } catch (error) {
    storage.close();
    runtime.close();
    throw error;
  }
  log.info('daemon started', { node: nodeName, nodeId: selfId, incarnation: incarnation.value, links: view.value.links.map((l) => l.name), socket: options.socketPath, fencing: fencingDescription, rscTmp: rscTmpDir, ...(options.agentDirectories === undefined ? {} : { agentDirectories: options.agentDirectories }) });

  // Fence agents' meta-data for stonith resources; cached, as the agent classes cache theirs.
  const fenceMetadata = new Map<string, Promise<Result<FenceAgentMetadata, string>>>();
  const toolRunner = new ChildToolRunner();
  const inspector: AgentInspector = {
    locate: (agent) => agents.locate(agent),
    metadata: (agent) => agents.metadata(agent),
    fenceAgentMetadata: (agent) => {
      let cached = fenceMetadata.get(agent);
      if (cached === undefined) {
        cached = readFenceAgentMetadata(agent, toolRunner);
        void cached.then((read) => {
          if (!read.ok) fenceMetadata.delete(agent); // installing the agent later must help
        });
        fenceMetadata.set(agent, cached);
      }
      return cached;
    },
  };
  const context: RequestContext = { heartbeat, config, names, runtime, nodeName, selfId, fencingDescription, fenceDeviceProblems: () => devices?.cibProblems() ?? [], checkChange: options.checkChange ?? ((change) => checkChangeAgainstAgents(change, runtime.current().cib, inspector)) };
  const server = new ControlServer(options.socketPath, (request) => handleRequest(request, context), log.child('control'));
  try {
    await server.listen();
  } catch (error) {
    await heartbeat.stop();
    storage.close();
    runtime.close();
    throw new DaemonStartError(error instanceof Error ? error.message : String(error));
  }
  await metrics?.listen(async () => {
    const driver = await heartbeat.status();
    return { membership: driver.membership, names, report: statusReport(context, driver) };
  });

  return new Promise<number>((resolve) => {
    let stopping = false;
    let forced: (() => void) | undefined;
    const finish = async (code: number): Promise<void> => {
      notifier.stopWatchdog();
      await within(lrm.close(), 30_000);
      await heartbeat.stop();
      await relay.closeAll();
      await fencing.close();
      storage.close();
      await server.close();
      await metrics?.close();
      runtime.close();
      events.stopped();
      events.close();
      eventLog.value.close();
      resolve(code);
    };
    const stop = (signal: string): void => {
      if (stopping) {
        log.warn('second stop signal: leaving now, without waiting for resources to move', { signal });
        forced?.();
        return;
      }
      stopping = true;
      log.info('daemon stopping', { signal });
      notifier.stopping();
      void (async () => {
        await new Promise<void>((done) => {
          forced = done;
          const channelSettled = async (): Promise<boolean> => {
            try {
              return (await heartbeat.status()).channel.peers.every((p) => !p.up || (p.unacknowledged === 0 && p.queued === 0));
            } catch {
              return true;
            }
          };
          void gracefulShutdown(runtime, nodeName, options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS, log, channelSettled).then(done);
        });
        await finish(0);
      })();
    };
    fatal = (message: string): void => {
      if (stopping) return;
      stopping = true;
      log.error('stopping: the CIB store failed', { error: message });
      void finish(1);
    };
    // Fenced while still running (the device did not cut this node, or a person confirmed it off
    // while it ran): the cluster believes nothing runs here and recovers its resources, so this
    // daemon stops at once and stays stopped (exit 100, which the systemd unit does not restart),
    // like Pacemaker's fence-reaction=stop. No graceful shutdown: the DC already wrote it down.
    late.stopSelf = (reason: string): void => {
      if (stopping) return;
      stopping = true;
      log.error('this node was fenced: the daemon stops and stays stopped', { reason });
      void finish(FENCED_EXIT_CODE);
    };
    // A second signal cuts the graceful wait short.
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    worker.once('exit', (code) => {
      if (stopping) return;
      stopping = true;
      log.error('heartbeat worker exited; the daemon stops so that systemd restarts it', { code });
      void (async () => {
        await within(lrm.close(), 5000);
        await server.close();
        await metrics?.close();
        // A daemon whose heartbeat died leaves its watchdog armed and unpetted: unless systemd's
        // restart pets it again in time, the node is reset, as with sbd.
        storage.abandon();
        runtime.close();
        resolve(1);
      })();
    });
  });
}

/**
 * The graceful part of a shutdown (Pacemaker's shutdown request): ask the DC to mark the node as
 * shutting down (node_state shutdown = now); the policy engine then moves its resources away (or
 * stops them when nowhere else can run them). Wait, bounded, until none is active here and every
 * resource the policy places is active somewhere, re-asking if a new DC term cleared the request.
 * Then the caller leaves the cluster, and the peers see a clean leave (not unclean: no fencing).
 * The request is made even when nothing runs here: without it a leaving node is a lost node to the
 * DC, which fences it. When this node is the DC, it waits (bounded) until the reliable channel has
 * delivered the change to the peers, so that the next DC knows of it.
 */
async function gracefulShutdown(runtime: ClusterRuntime, nodeName: string, timeoutMs: number, log: Logger, channelSettled: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + timeoutMs;
  let asked = false;
  for (;;) {
    const report = runtimeStatus(runtime, nodeName);
    if (report === undefined) return;
    const activeHere = report.resources.filter((r) => r.active.some((a) => a.node === nodeName));
    const self = report.nodes.find((n) => n.name === nodeName);
    const view = runtime.currentView();
    const alone = view.members.length <= 1;
    if (activeHere.length === 0 && !asked) {
      if (alone || view.dc === null || self === undefined) return;
      const answer = await runtime.request(shutdownRequest(nodeName), { origin: nodeName, user: 'hacluster', client: 'heartline-daemon' });
      if (!answer.ok) {
        log.warn('graceful shutdown: the DC did not take the shutdown request; peers may fence this node', { field: answer.field, message: answer.message });
        return;
      }
      log.info('graceful shutdown: the DC knows this node is leaving', { version: formatCibVersion(answer.version) });
      await waitUntil(channelSettled, Math.min(until, Date.now() + CHANNEL_SETTLE_MS));
      return;
    }
    if (activeHere.length === 0) {
      const placedButStopped = report.resources.filter((r) => r.next !== null && r.active.length === 0);
      if (placedButStopped.length === 0) {
        log.info('graceful shutdown: resources moved', {});
        return;
      }
    }
    if (Date.now() > until) {
      log.warn('graceful shutdown: resources did not move in time; leaving anyway', { activeHere: activeHere.map((r) => r.id), timeoutMs });
      return;
    }
    if (runtime.currentView().dc === null) {
      log.warn('graceful shutdown: no DC to ask; leaving with resources active here', { activeHere: activeHere.map((r) => r.id) });
      return;
    }
    if (self?.state !== 'shutting-down' && activeHere.length > 0) {
      asked = true;
      const answer = await runtime.request(shutdownRequest(nodeName), { origin: nodeName, user: 'hacluster', client: 'heartline-daemon' });
      if (!answer.ok) log.warn('graceful shutdown: the DC did not take the shutdown request', { field: answer.field, message: answer.message });
      else log.info('graceful shutdown: asked the DC to move this node\'s resources', { version: formatCibVersion(answer.version), activeHere: activeHere.map((r) => r.id) });
    }
    await sleep(250);
  }
}

function shutdownRequest(nodeName: string): CibChange {
  return { op: 'set-node-state', node: nodeName, state: { shutdown: Math.floor(Date.now() / 1000) } };
}

/** Polls `settled` every 50 ms until it holds or `until` (epoch ms) passes. */
async function waitUntil(settled: () => Promise<boolean>, until: number): Promise<void> {
  while (!(await settled()) && Date.now() < until) await sleep(50);
}

function runtimeStatus(runtime: ClusterRuntime, nodeName: string): { resources: { id: string; active: { node: string; failed: boolean }[]; next: string | null; targetRole: string | null; managed: boolean }[]; nodes: { name: string; state: string }[] } | undefined {
  try {
    const { cib, authoritative } = runtime.current();
    return clusterStatusReport({
      cluster: { name: '', id: 0 },
      self: { id: 0 as NodeId, name: nodeName },
      names: new Map(),
      view: runtime.currentView(),
      quorum: { quorate: runtime.currentView().quorate, votes: 0, expectedVotes: 0, needed: 0 },
      cib,
      authoritative,
      fencing: { configured: true, method: null },
      transition: undefined,
      problems: [],
      now: Date.now() / 1000,
    });
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `promise`, at most `ms`; the timer never keeps the process alive after the daemon stopped. */
async function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function describeConfigError(error: ConfigFileError): string {
  if (error.code !== 'invalid') return `${error.message} (${error.hint})`;
  return [error.message, ...error.issues.map((issue) => `  ${formatConfigIssue(issue)}`)].join('\n');
}

interface RequestContext {
  readonly heartbeat: HeartbeatWorkerHandle;
  readonly config: HeartlineConfig;
  readonly names: ReadonlyMap<NodeId, string>;
  readonly runtime: ClusterRuntime;
  readonly nodeName: string;
  readonly selfId: NodeId;
  readonly checkChange: ChangeCheck;
  readonly fencingDescription: string | null;
  /** What the CIB's fence devices could not use (fencing.cib), for status. */
  readonly fenceDeviceProblems: () => readonly string[];
}

/** An error the control server answers with this code. */
function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

async function handleRequest(request: ControlRequest, ctx: RequestContext): Promise<unknown> {
  const { heartbeat, config, names, runtime } = ctx;
  switch (request.command) {
    case 'status':
      return statusReport(ctx, await heartbeat.status());
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
    case 'cib-change': {
      // applyCibChange is total on any input: a malformed change is refused by the DC with the field named.
      const change = request.change as CibChange;
      const checked = await ctx.checkChange(change);
      if (!checked.ok && request.agentCheck !== 'warn') throw coded('rejected', checked.error);
      const result = await runtime.request(change, { origin: ctx.nodeName, user: request.user, client: request.client ?? 'heartline-cli', ...(request.description === undefined ? {} : { description: request.description }) });
      if (!result.ok) throw coded(result.field === 'dc' || result.field === 'daemon' ? 'unavailable' : 'rejected', `${result.field}: ${result.message}`);
      return { version: formatCibVersion(result.version), ...(checked.ok ? {} : { warnings: [checked.error] }) };
    }
    case 'fence':
    case 'fence-confirm': {
      const target = request.target;
      const configured = config.nodes.map((n) => n.name);
      if (!configured.includes(target)) throw coded('rejected', `target: ${target} is not a node of this cluster (its nodes: ${configured.join(', ')})`);
      const by = `${request.user}@${ctx.nodeName}`;
      if (request.command === 'fence-confirm') {
        const id = config.nodes.find((n) => n.name === target)?.id;
        if (runtime.currentView().members.some((m) => m.id === id)) {
          throw coded('rejected', `target: ${target} is a member of this node's view, so it is running: confirm only a node that is down (see heartline members)`);
        }
        runtime.confirmFenced(target, by);
        return { target, confirmedBy: by };
      }
      if (target === ctx.nodeName) throw coded('rejected', `target: ${target} is this node; a node does not fence itself through a power device: run the command on another node`);
      if (config.fencing === undefined) throw coded('rejected', 'fencing: heartline.yaml has no fencing section; configure fencing.command or fencing.profile (docs/CONFIGURATION.md)');
      const result = await runtime.fenceNode({ target, action: request.action, reason: `asked by ${by} with heartline fence`, requester: by });
      if (!result.ok) throw coded('fence-failed', result.reason);
      return { target, action: request.action, device: result.device, durationMs: Math.round(result.durationMs) };
    }
    case 'cib-query': {
      const { cib, authoritative } = runtime.current();
      return { version: formatCibVersion(cib.version), authoritative, cib };
    }
    case 'cib-history':
      return { entries: runtime.store.history(request.limit === undefined ? {} : { limit: request.limit }) };
    case 'cib-configuration-at': {
      const found = runtime.store.configurationAt({ adminEpoch: request.adminEpoch, epoch: request.epoch });
      if (!found.ok) throw coded(found.error.kind === 'not-found' ? 'not-found' : 'failed', found.error.message);
      return { version: `${request.adminEpoch}.${request.epoch}`, configuration: found.value };
    }
  }
}

/** `heartline status --json` (the `status` request), also read by the metrics at each scrape. */
function statusReport(ctx: RequestContext, driver: DriverStatus): ClusterStatusReport {
  const { config, runtime } = ctx;
  const { cib, authoritative } = runtime.current();
  return clusterStatusReport({
    cluster: { name: config.cluster.name, id: config.cluster.id },
    self: { id: ctx.selfId, name: ctx.nodeName },
    names: ctx.names,
    view: runtime.currentView(),
    quorum: driver.membership.quorum,
    cib,
    authoritative,
    fencing: { configured: config.fencing !== undefined, method: ctx.fencingDescription, activity: runtime.fenceActivity(), deviceProblems: ctx.fenceDeviceProblems() },
    transition: runtime.transition(),
    problems: runtime.recentProblems(),
    now: Date.now() / 1000,
  });
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
