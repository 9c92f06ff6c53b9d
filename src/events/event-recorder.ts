/**
 * EventRecorder: what the daemon tells the event log. It turns membership events (from the
 * heartbeat worker), status snapshots (after CIB and view changes) and fence outcomes into
 * ClusterEvents, stamped with the wall clock of the moment they happened. Snapshots (the policy
 * engine's view of what runs where, as `status` computes it) are throttled: see `changed`.
 */
import { ServiceStateTracker, serviceStates, type ResourceSnapshot } from '../ha/availability/index.js';
import type { MembershipEvent } from '../ha/membership/index.js';
import type { Clock, Logger, Millis, NodeId, TimerHandle } from '../lib/index.js';
import type { ClusterEvent, EventLog } from './event-log.js';

/** After a snapshot, further changes are gathered this long (at least) into the next one. */
const SNAPSHOT_WINDOW_MS = 100;

export interface EventRecorderOptions {
  readonly log: EventLog;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly selfName: string;
  readonly names: ReadonlyMap<NodeId, string>;
  /** The resources as status shows them and the names of the view's members, now. */
  readonly snapshot: () => { readonly resources: readonly ResourceSnapshot[]; readonly members: ReadonlySet<string> } | undefined;
  /** Told every resource service-state change as it is recorded (the metrics' failover tracking), with the node of an `up`. */
  readonly onServiceChange?: (change: { readonly atMs: number; readonly resource: string; readonly state: 'up' | 'down' | 'excluded'; readonly node?: string }) => void;
}

export class EventRecorder {
  private readonly tracker = new ServiceStateTracker();
  private pendingSince: number | undefined;
  private timer: TimerHandle | undefined;
  private failedWrites = 0;
  private lastSnapshotMs = 0;

  constructor(private readonly options: EventRecorderOptions) {}

  started(): void {
    this.write({ atMs: this.options.clock.wallNow(), kind: 'daemon-start', subject: this.options.selfName });
  }

  /** Takes a last snapshot now, then records the stop. */
  stopped(): void {
    this.flush(this.pendingSince ?? this.options.clock.wallNow());
    this.pendingSince = undefined;
    this.write({ atMs: this.options.clock.wallNow(), kind: 'daemon-stop', subject: this.options.selfName });
  }

  membership(event: MembershipEvent): void {
    const atMs = this.options.clock.wallNow();
    const name = (id: NodeId): string => this.options.names.get(id) ?? `node${id}`;
    switch (event.kind) {
      case 'node-up':
        this.write({ atMs, kind: 'node-up', subject: name(event.node), detail: { incarnation: event.incarnation } });
        return;
      case 'node-down':
        this.write({ atMs, kind: 'node-down', subject: name(event.node), detail: { incarnation: event.incarnation, reason: event.reason, silentMs: Math.round(event.silentMs) } });
        return;
      case 'link-up':
        this.write({ atMs, kind: 'link-up', subject: `${name(event.peer)}/${event.link}` });
        return;
      case 'link-down':
        this.write({ atMs, kind: 'link-down', subject: `${name(event.peer)}/${event.link}`, detail: { silentMs: Math.round(event.silentMs) } });
        return;
      case 'quorum-change':
        this.write({ atMs, kind: event.quorum.quorate ? 'quorum-gained' : 'quorum-lost', subject: 'cluster', detail: { votes: event.quorum.votes, expectedVotes: event.quorum.expectedVotes, ...(event.quorum.reason === null ? {} : { reason: event.quorum.reason }) } });
        return;
      case 'peer-late':
      case 'view-change':
        // A late heartbeat is noise here; a view change is recorded through its resources' states.
        return;
    }
  }

  fence(outcome: { readonly target: string; readonly action: string; readonly ok: boolean; readonly by: string; readonly detail: string; readonly confirmed?: boolean }): void {
    this.write({ atMs: this.options.clock.wallNow(), kind: outcome.ok ? 'fence-ok' : 'fence-failed', subject: outcome.target, node: outcome.by, detail: { action: outcome.action, detail: outcome.detail, ...(outcome.confirmed === true ? { confirmed: true } : {}) } });
  }

  /**
   * The CIB or the view changed. The first change after a quiet spell is snapshotted at once (a
   * node loss shows as `down` at the moment of the loss, however fast the recovery that follows);
   * further changes within the window are gathered into one snapshot at its end, stamped with the
   * last of them. The window grows with the cost of a snapshot, so a large CIB does not keep the
   * main thread busy computing status.
   */
  changed(): void {
    if (this.timer !== undefined) {
      // The snapshot will show the state after the last change: stamped with it, a recovery is
      // never dated before the event it needed (a fence), and downtime errs long, not short.
      this.pendingSince = this.options.clock.wallNow();
      return;
    }
    this.flush(this.options.clock.wallNow());
    this.openWindow();
  }

  close(): void {
    if (this.timer !== undefined) this.options.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private openWindow(): void {
    const windowMs = Math.max(SNAPSHOT_WINDOW_MS, 5 * this.lastSnapshotMs) as Millis;
    this.timer = this.options.clock.setTimer(windowMs, () => {
      this.timer = undefined;
      const since = this.pendingSince;
      if (since === undefined) return;
      this.pendingSince = undefined;
      this.flush(since);
      this.openWindow();
    });
  }

  /** Takes a snapshot now and records what changed, stamped `atMs`. */
  private flush(atMs: number): void {
    const started = this.options.clock.now();
    const snapshot = this.options.snapshot();
    this.lastSnapshotMs = this.options.clock.now() - started;
    if (snapshot === undefined) return;
    const states = serviceStates(snapshot.resources, snapshot.members);
    for (const change of this.tracker.observe(atMs, states)) {
      const node = snapshot.resources.find((r) => r.id.replace(/:\d+$/, '') === change.resource)?.active.find((a) => !a.failed && snapshot.members.has(a.node))?.node;
      this.write({ atMs, kind: `resource-${change.state}`, subject: change.resource, ...(change.state === 'up' && node !== undefined ? { node } : {}) });
      this.options.onServiceChange?.({ ...change, ...(change.state === 'up' && node !== undefined ? { node } : {}) });
    }
  }

  private write(event: ClusterEvent): void {
    const written = this.options.log.record(event);
    if (written.ok) return;
    // The log is for reports; a full disk must not stop the cluster. Said once per 100 failures.
    if (this.failedWrites++ % 100 === 0) this.options.logger.warn('event not recorded', { error: written.error.message, kind: event.kind, subject: event.subject });
  }
}
