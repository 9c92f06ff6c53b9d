/**
 * SnmpAgentService: `heartline snmp-agent`. A process of its own beside the daemon (the daemon
 * stays lean, and the agent outlives a daemon restart), which every poll interval:
 * 1. asks the daemon for `status`, `members` and `links` over its control socket, reads the fence
 *    history and the new rows of the event log (read-only files in the state folder), and the
 *    availability report (recomputed when events arrive, and every AVAILABILITY_REFRESH_MS);
 * 2. maps them to HEARTLINE-MIB's values (mib-values.ts) and updates the served MIB, through
 *    snmpd as an AgentX subagent or as a standalone agent;
 * 3. derives the notifications (notifications.ts) and sends them to heartline.yaml's sinks (and,
 *    with `notify_via_snmpd`, to snmpd).
 * Polls never overlap: the next one is scheduled when one ends.
 */
import type { HeartlineConfig, SnmpSettings } from '../config/index.js';
import type { LoggedEvent } from '../events/event-log.js';
import type { Logger } from '../lib/index.js';
import { AgentxSubagent } from './agentx-subagent.js';
import { ClusterReader } from './cluster-reader.js';
import { mibSnapshot, type AvailabilityFigures, type ClusterLayout, type DaemonReports, type MibSnapshot } from './mib-values.js';
import { NotificationSinks } from './notification-sinks.js';
import { NotificationDeriver, type Notification } from './notifications.js';
import { StandaloneAgent } from './standalone-agent.js';

const AVAILABILITY_REFRESH_MS = 30_000;

export type SnmpAgentMode = { readonly kind: 'agentx'; readonly master: string } | { readonly kind: 'standalone'; readonly host: string; readonly port: number };

export interface SnmpAgentServiceOptions {
  readonly config: HeartlineConfig;
  readonly settings: SnmpSettings;
  readonly localNodeName: string;
  readonly mode: SnmpAgentMode;
  readonly socketPath: string;
  readonly eventsPath: string;
  readonly fenceHistoryPath: string;
  readonly logger: Logger;
}

export class SnmpAgentService {
  private readonly reader: ClusterReader;
  private readonly deriver: NotificationDeriver;
  private readonly sinks: NotificationSinks;
  private readonly layout: ClusterLayout;
  private subagent: AgentxSubagent | undefined;
  private standalone: StandaloneAgent | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastDaemon: DaemonReports | undefined;
  private daemonProblem: string | undefined | null = null;
  private events: LoggedEvent[] = [];
  private availability: AvailabilityFigures | undefined;
  private availabilityAtMs = 0;
  private readonly saidProblems = new Set<string>();
  private running: Promise<void> | undefined;
  /** The MIB values served now (tests and the log read them). */
  snapshot: MibSnapshot | undefined;

  constructor(private readonly options: SnmpAgentServiceOptions) {
    const { config, settings, logger } = options;
    this.layout = {
      clusterName: config.cluster.name,
      clusterId: config.cluster.id,
      localNodeName: options.localNodeName,
      nodes: config.nodes.map((n) => ({ id: n.id, name: n.name })),
      links: config.links.map((l) => ({ name: l.name, kind: l.kind })),
    };
    this.reader = new ClusterReader({ socketPath: options.socketPath, eventsPath: options.eventsPath, fenceHistoryPath: options.fenceHistoryPath, timeoutMs: Math.max(1000, Math.min(5000, settings.pollIntervalMs * 2)) });
    this.deriver = new NotificationDeriver(settings.rootOid, this.layout);
    this.sinks = new NotificationSinks(settings.sinks, logger.child('snmp:sinks'), settings.engineId);
  }

  async start(): Promise<void> {
    const { settings, mode, logger } = this.options;
    this.events = this.reader.allEvents();
    this.deriver.seed(this.events, this.reader.fenceHistory());
    await this.poll(false);
    if (mode.kind === 'agentx') {
      this.subagent = new AgentxSubagent({ master: mode.master, root: settings.rootOid, logger: logger.child('snmp:agentx') });
      if (this.snapshot !== undefined) this.subagent.apply(this.snapshot);
      this.subagent.start();
    } else {
      const standalone = settings.standalone;
      this.standalone = await StandaloneAgent.start({ host: mode.host, port: mode.port, root: settings.rootOid, communities: standalone?.communities ?? [], users: standalone?.users ?? [], ...(settings.engineId === undefined ? {} : { engineId: settings.engineId }), logger: logger.child('snmp:agent') });
      if (this.snapshot !== undefined) this.standalone.apply(this.snapshot);
    }
    logger.info('snmp agent started', { mode: mode.kind, ...(mode.kind === 'agentx' ? { master: mode.master } : { listen: `${mode.host}:${mode.port}` }), root: settings.rootOid, pollMs: settings.pollIntervalMs, sinks: settings.sinks.map((s) => `${s.kind} v${s.version} ${s.host}:${s.port}`) });
    this.schedule();
  }

  /** True while the subagent is registered with snmpd (AgentX mode). */
  get registered(): boolean {
    return this.subagent?.registered ?? false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
    this.subagent?.stop();
    await this.standalone?.stop();
    this.sinks.close();
    this.reader.close();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll(true).catch((error: unknown) => this.options.logger.error('snmp poll failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
      void this.running.finally(() => this.schedule());
    }, this.options.settings.pollIntervalMs);
  }

  private async poll(notify: boolean): Promise<void> {
    const { logger } = this.options;
    // The files before the daemon: the daemon logs a change at the moment it makes it, so a status
    // asked after reading the log already shows every change in it, and a notification never
    // carries news the MIB served beside it does not (a manager that walks on a trap sees it).
    const fresh = this.reader.recentEvents().filter((e) => e.sequence > this.deriver.eventSequence);
    const fences = this.reader.fenceHistory();
    const answer = await this.reader.daemon();
    const daemon = answer.ok ? answer.reports : undefined;
    if (daemon !== undefined) this.lastDaemon = daemon;
    const problem = answer.ok ? undefined : answer.reason;
    if (problem !== this.daemonProblem) {
      if (problem === undefined) logger.info('the daemon answers', { socket: this.options.socketPath });
      else logger.warn('the daemon does not answer: serving what heartline.yaml and the files say (hlClusterDaemonReachable false)', { reason: problem });
      this.daemonProblem = problem;
    }
    if (fresh.length > 0) this.events.push(...fresh);
    const now = Date.now();
    if (this.availability === undefined || fresh.length > 0 || now - this.availabilityAtMs >= AVAILABILITY_REFRESH_MS) {
      // Everything the log keeps: reread in full now and then (the daemon prunes it), else appended.
      if (now - this.availabilityAtMs >= AVAILABILITY_REFRESH_MS) this.events = this.reader.allEvents();
      this.availability = this.reader.availability(this.events, now);
      this.availabilityAtMs = now;
    }
    for (const said of this.reader.problems.splice(0)) {
      if (!this.saidProblems.has(said)) logger.warn('snmp agent cannot read a file', { problem: said });
      this.saidProblems.add(said);
    }
    const snapshot = mibSnapshot({ layout: this.layout, daemon, ...(this.lastDaemon === undefined ? {} : { lastDaemon: this.lastDaemon }), fences, availability: this.availability });
    this.snapshot = snapshot;
    this.subagent?.apply(snapshot);
    this.standalone?.apply(snapshot);
    const notifications = this.deriver.observe({ events: fresh, fences, daemon, snapshot });
    if (notify) await Promise.all(notifications.map((n) => this.send(n)));
  }

  private async send(notification: Notification): Promise<void> {
    this.options.logger.info('snmp notification', { notification: notification.name, summary: notification.summary, sinks: this.sinks.size });
    if (this.options.settings.notifyViaSnmpd) this.subagent?.notify(notification);
    await this.sinks.send(notification);
  }
}
