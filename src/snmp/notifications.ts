/**
 * Which HEARTLINE-MIB notifications a change calls for, and the values they carry. No I/O: the
 * agent hands in what it read since the last poll (new event log rows, the fence history, the
 * daemon's reports and the MIB values computed from them) and sends what comes out.
 *
 * Sources, so that nothing is missed between two polls and nothing is sent twice:
 * - node up/down, link up/down, quorum lost/regained and failovers come from the event log
 *   (events.sqlite), which the daemon writes at the moment of each change;
 * - fence results from the fence history's new rows (the node that fenced holds them);
 * - resource failures from the daemon's `status` (its failed operations: a new one is a failure).
 * Node, failure and failover notifications are sent by the DC only (the MIB's "sent by the DC"),
 * so a manager receives each once from a cluster; link and quorum ones by the node that saw them.
 * What happened before the agent started is history, not news: `seed` takes it in silently.
 */
import type { ClusterStatusReport } from '../daemon/cluster-status.js';
import type { LoggedEvent } from '../events/event-log.js';
import type { FenceHistoryEntry } from '../fence/fence-history.js';
import { columnInstanceOid, LINK_STATE, NOTIFICATIONS, NOTIFY_OBJECTS, oidOf, TRUTH, type MibType, type NotificationName, type TableName } from './heartline-mib.js';
import { display, failCountOf, unsigned, type ClusterLayout, type DaemonReports, type MibSnapshot, type MibValue } from './mib-values.js';

export interface NotificationVarbind {
  readonly oid: string;
  readonly type: MibType;
  readonly value: MibValue;
}

export interface Notification {
  readonly name: NotificationName;
  /** snmpTrapOID's value. */
  readonly oid: string;
  readonly varbinds: readonly NotificationVarbind[];
  /** One line for the agent's log. */
  readonly summary: string;
}

export interface Observation {
  /** Event log rows not seen before (any order). */
  readonly events: readonly LoggedEvent[];
  /** The fence history as it is now (new rows are those above the last sequence seen). */
  readonly fences: readonly FenceHistoryEntry[];
  /** The daemon's reports now; undefined while it does not answer. */
  readonly daemon: DaemonReports | undefined;
  /** The MIB's values now (the notifications carry the rows' current values). */
  readonly snapshot: MibSnapshot;
}

interface ServiceTrack {
  /** Where it last came up; undefined before it ever ran (as far as the log knows). */
  upNode?: string;
  /** When its current outage began; undefined while up or excluded. */
  downSinceMs?: number;
}

export class NotificationDeriver {
  private lastEventSequence = 0;
  private lastFenceSequence = 0;
  private failureKeys: Set<string> | undefined;
  private lastStatus: ClusterStatusReport | undefined;
  private readonly services = new Map<string, ServiceTrack>();

  constructor(
    private readonly root: string,
    private readonly layout: ClusterLayout,
  ) {}

  /** Takes in what happened before the agent started, without notifying. */
  seed(events: readonly LoggedEvent[], fences: readonly FenceHistoryEntry[]): void {
    for (const event of sortEvents(events)) this.track(event);
    this.lastEventSequence = Math.max(this.lastEventSequence, ...events.map((e) => e.sequence));
    this.lastFenceSequence = Math.max(this.lastFenceSequence, ...fences.map((f) => f.sequence));
  }

  /** The sequence of the newest event taken in (the agent reads on from there). */
  get eventSequence(): number {
    return this.lastEventSequence;
  }

  observe(observation: Observation): Notification[] {
    const out: Notification[] = [];
    if (observation.daemon !== undefined) this.lastStatus = observation.daemon.status;
    const isDc = this.lastStatus?.dc?.name === this.layout.localNodeName;
    const fresh = sortEvents(observation.events.filter((e) => e.sequence > this.lastEventSequence));
    const nodesDownNow = new Set(fresh.filter((e) => e.kind === 'node-down').map((e) => e.subject));
    const inView = observation.daemon?.members.view?.members.map((m) => m.name);
    for (const event of fresh) {
      this.lastEventSequence = Math.max(this.lastEventSequence, event.sequence);
      const failover = this.track(event);
      const made = this.fromEvent(event, observation.snapshot, { isDc, nodesDownNow, inView, failover });
      if (made !== undefined) out.push(made);
    }
    for (const fence of [...observation.fences].sort((a, b) => a.sequence - b.sequence)) {
      if (fence.sequence <= this.lastFenceSequence) continue;
      this.lastFenceSequence = fence.sequence;
      out.push(this.fenceNotification(fence, observation.snapshot));
    }
    out.push(...this.failures(observation.daemon?.status, isDc, observation.snapshot));
    return out;
  }

  /** Follows a resource's service state; returns the failover a `resource-up` ends. */
  private track(event: LoggedEvent): { readonly resource: string; readonly from: string; readonly to: string; readonly durationMs: number } | undefined {
    switch (event.kind) {
      case 'resource-down': {
        const track = this.services.get(event.subject) ?? {};
        // Only a resource that ran can fail over: the wait for a new resource's first start is no failover.
        if (track.downSinceMs === undefined && track.upNode !== undefined) track.downSinceMs = event.atMs;
        this.services.set(event.subject, track);
        return undefined;
      }
      case 'resource-up': {
        const track = this.services.get(event.subject) ?? {};
        const down = track.downSinceMs;
        const from = track.upNode ?? '';
        this.services.set(event.subject, { ...(event.node === undefined ? {} : { upNode: event.node }) });
        return down === undefined ? undefined : { resource: event.subject, from, to: event.node ?? '', durationMs: event.atMs - down };
      }
      case 'resource-excluded': {
        const track = this.services.get(event.subject);
        if (track !== undefined) delete track.downSinceMs;
        return undefined;
      }
      case 'daemon-start':
      case 'daemon-stop':
        // This node saw nothing in between: an outage across it is no failover it can time.
        for (const track of this.services.values()) delete track.downSinceMs;
        return undefined;
      case 'node-up':
      case 'node-down':
      case 'link-up':
      case 'link-down':
      case 'quorum-gained':
      case 'quorum-lost':
      case 'fence-ok':
      case 'fence-failed':
        return undefined;
    }
  }

  private fromEvent(
    event: LoggedEvent,
    snapshot: MibSnapshot,
    context: { readonly isDc: boolean; readonly nodesDownNow: ReadonlySet<string>; readonly inView: readonly string[] | undefined; readonly failover: ReturnType<NotificationDeriver['track']> },
  ): Notification | undefined {
    switch (event.kind) {
      case 'node-up':
      case 'node-down': {
        const id = this.nodeId(event.subject);
        if (!context.isDc || id === undefined || event.subject === this.layout.localNodeName) return undefined;
        const state = cell(snapshot, 'hlNodeTable', [id], 3) ?? 6;
        const reason = event.detail?.['reason'];
        const third: NotificationVarbind =
          event.kind === 'node-up'
            ? { oid: this.column('hlNodeTable', 'hlNodeIncarnation', [id]), type: 'unsigned', value: unsigned(Number(event.detail?.['incarnation'] ?? 0)) }
            : { oid: this.notifyOid('hlNotifyReason'), type: 'string', value: display(typeof reason === 'string' ? `${reason}${typeof event.detail?.['silentMs'] === 'number' ? ` (silent ${String(event.detail['silentMs'])} ms)` : ''}` : '') };
        return this.make(event.kind === 'node-up' ? 'hlNodeUp' : 'hlNodeDown', `${event.subject} ${event.kind === 'node-up' ? 'joined' : 'left'} the cluster`, [
          { oid: this.column('hlNodeTable', 'hlNodeName', [id]), type: 'string', value: display(event.subject, 253) },
          { oid: this.column('hlNodeTable', 'hlNodeState', [id]), type: 'integer', value: state },
          third,
        ]);
      }
      case 'link-up':
      case 'link-down': {
        const slash = event.subject.lastIndexOf('/');
        const peer = event.subject.slice(0, slash);
        const link = event.subject.slice(slash + 1);
        const id = this.nodeId(peer);
        const linkIndex = this.layout.links.findIndex((l) => l.name === link) + 1;
        if (id === undefined || linkIndex === 0) return undefined;
        // A peer lost altogether is hlNodeDown; hlLinkDown is a link lost while the peer is still heard.
        if (event.kind === 'link-down' && (context.nodesDownNow.has(peer) || (context.inView !== undefined && !context.inView.includes(peer)))) return undefined;
        const index = [id, linkIndex];
        const measure = event.kind === 'link-up' ? { column: 'hlLinkRttUsec', number: 7 } : { column: 'hlLinkLossPpm', number: 6 };
        return this.make(event.kind === 'link-up' ? 'hlLinkUp' : 'hlLinkDown', `link ${link} to ${peer} ${event.kind === 'link-up' ? 'up' : 'down'}`, [
          { oid: this.column('hlLinkTable', 'hlLinkName', index), type: 'string', value: display(link, 32) },
          { oid: this.column('hlLinkTable', 'hlLinkPeerName', index), type: 'string', value: display(peer, 253) },
          { oid: this.column('hlLinkTable', 'hlLinkState', index), type: 'integer', value: event.kind === 'link-up' ? LINK_STATE.up : LINK_STATE.down },
          { oid: this.column('hlLinkTable', measure.column, index), type: 'gauge', value: cell(snapshot, 'hlLinkTable', index, measure.number) ?? (event.kind === 'link-down' ? 1_000_000 : 0) },
        ]);
      }
      case 'quorum-lost':
      case 'quorum-gained':
        return this.make(event.kind === 'quorum-lost' ? 'hlQuorumLost' : 'hlQuorumRegained', event.kind === 'quorum-lost' ? 'quorum lost' : 'quorum regained', [
          { oid: oidOf(this.root, [1, 1, 1, 0]), type: 'string', value: display(this.layout.clusterName, 253) },
          { oid: oidOf(this.root, [1, 1, 5, 0]), type: 'integer', value: event.kind === 'quorum-lost' ? TRUTH.false : TRUTH.true },
          { oid: oidOf(this.root, [1, 1, 11, 0]), type: 'gauge', value: typeof snapshot.scalars['hlClusterNodesOnline'] === 'number' ? snapshot.scalars['hlClusterNodesOnline'] : 0 },
        ]);
      case 'resource-up': {
        const failover = context.failover;
        if (failover === undefined || !context.isDc) return undefined;
        return this.make('hlFailover', `${failover.resource} runs again on ${failover.to || '?'} after ${failover.durationMs} ms${failover.from === '' ? '' : ` (was on ${failover.from})`}`, [
          { oid: this.notifyOid('hlNotifyResourceId'), type: 'string', value: display(failover.resource, 64) },
          { oid: this.notifyOid('hlNotifyFromNode'), type: 'string', value: display(failover.from, 253) },
          { oid: this.notifyOid('hlNotifyToNode'), type: 'string', value: display(failover.to, 253) },
          { oid: this.notifyOid('hlNotifyDurationMs'), type: 'gauge', value: unsigned(failover.durationMs) },
        ]);
      }
      case 'resource-down':
      case 'resource-excluded':
      case 'daemon-start':
      case 'daemon-stop':
        return undefined;
      case 'fence-ok':
      case 'fence-failed':
        // The fence history's new row says more (devices, duration): see fenceNotification.
        return undefined;
    }
  }

  private fenceNotification(fence: FenceHistoryEntry, snapshot: MibSnapshot): Notification {
    const row = snapshot.tables.hlFenceTable.find((r) => r.index[0] === fence.sequence)?.values;
    const at = (i: number, fallback: MibValue): MibValue => row?.[i] ?? fallback;
    const index = [fence.sequence];
    return this.make('hlFenceResultNotification', `fence ${fence.action} of ${fence.target}: ${fence.ok ? 'done' : 'failed'}`, [
      { oid: this.column('hlFenceTable', 'hlFenceTarget', index), type: 'string', value: at(1, display(fence.target, 253)) },
      { oid: this.column('hlFenceTable', 'hlFenceDevice', index), type: 'string', value: at(2, display(fence.devices.join(' '))) },
      { oid: this.column('hlFenceTable', 'hlFenceAction', index), type: 'integer', value: at(3, 1) },
      { oid: this.column('hlFenceTable', 'hlFenceResult', index), type: 'integer', value: at(4, fence.ok ? 1 : 2) },
      { oid: this.column('hlFenceTable', 'hlFenceTime', index), type: 'string', value: at(5, '') },
      { oid: this.column('hlFenceTable', 'hlFenceReason', index), type: 'string', value: at(8, display(fence.reason)) },
    ]);
  }

  private failures(status: ClusterStatusReport | undefined, isDc: boolean, snapshot: MibSnapshot): Notification[] {
    if (status === undefined) return [];
    const keyed = status.failures.failedOperations.map((f) => ({ f, key: `${f.node}\u0000${f.resource}\u0000${f.operation}\u0000${f.interval}\u0000${f.lastRcChange ?? ''}\u0000${f.rc}` }));
    const known = this.failureKeys;
    this.failureKeys = new Set(keyed.map((k) => k.key));
    if (known === undefined || !isDc) return [];
    return keyed
      .filter(({ key }) => !known.has(key))
      .map(({ f }) => {
        const operation = f.interval > 0 ? `${f.operation} (every ${f.interval} ms)` : f.operation;
        const reason = `${f.exitReason ?? 'no reason given'} (rc ${f.rc}${f.opStatus === 0 ? '' : `, op-status ${f.opStatus}`})`;
        const failCount = cell(snapshot, 'hlResourceTable', [f.resource], 5) ?? failCountOf(status, f.resource);
        return this.make('hlResourceFailed', `${f.resource}: ${operation} failed on ${f.node}: ${reason}`, [
          { oid: this.notifyOid('hlNotifyResourceId'), type: 'string', value: display(f.resource, 64) },
          { oid: this.notifyOid('hlNotifyNodeName'), type: 'string', value: display(f.node, 253) },
          { oid: this.notifyOid('hlNotifyOperation'), type: 'string', value: display(operation, 64) },
          { oid: this.notifyOid('hlNotifyReason'), type: 'string', value: display(reason) },
          { oid: this.column('hlResourceTable', 'hlResourceFailCount', [f.resource]), type: 'unsigned', value: failCount },
        ]);
      });
  }

  private make(name: NotificationName, summary: string, varbinds: readonly NotificationVarbind[]): Notification {
    return { name, oid: oidOf(this.root, [0, NOTIFICATIONS[name]]), varbinds, summary };
  }

  private nodeId(name: string): number | undefined {
    return this.layout.nodes.find((n) => n.name === name)?.id;
  }

  private column(table: TableName, column: string, index: readonly (number | string)[]): string {
    return columnInstanceOid(this.root, table, column, index);
  }

  private notifyOid(name: string): string {
    const object = NOTIFY_OBJECTS.find((o) => o.name === name);
    if (object === undefined) throw new Error(`no notification object ${name}`);
    return oidOf(this.root, [...object.arc, 0]);
  }
}

function sortEvents(events: readonly LoggedEvent[]): LoggedEvent[] {
  return [...events].sort((a, b) => a.atMs - b.atMs || a.sequence - b.sequence);
}

/** A number in a row of the snapshot (column `number`, counted from 1), when the row exists. */
function cell(snapshot: MibSnapshot, table: TableName, index: readonly (string | number)[], number: number): number | undefined {
  const row = snapshot.tables[table].find((r) => r.index.length === index.length && r.index.every((part, i) => part === index[i]));
  // values hold the foreign index values first (hlLinkTable's hlNodeId), then the columns from 1.
  const offset = table === 'hlLinkTable' ? 1 : 0;
  const value = row?.values[offset + number - 1];
  return typeof value === 'number' ? value : undefined;
}
