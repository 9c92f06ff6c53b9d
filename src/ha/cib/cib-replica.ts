/**
 * CibReplica: one node's copy of the CIB and its part in replication, a pure state machine
 * (lib/node-core.ts). Only the DC changes the CIB; every other member holds a replica.
 *
 * - A change asked on any node goes to the DC (`cib-request`), which applies it atomically with
 *   the pure `apply` function, persists the result, then sends the change to every member
 *   (`cib-update`, with the base version, the new version and the digest) and answers the node that
 *   asked. Members apply the same change to the same base, so each update costs one change on the
 *   wire, not a whole CIB; a member whose version is not the base, or whose result has another
 *   digest, asks for the whole CIB instead (`cib-sync-request`, `cib-full`).
 * - When a view is installed, its DC asks every member for its version (`cib-query`), takes the
 *   highest (admin_epoch, epoch, num_updates), as Pacemaker does, fetching it from the member
 *   that holds it, and sends it whole to every member that differs. Until then it queues changes.
 * - A request in flight when the DC changes is answered with an error, never re-sent: the old DC
 *   may have applied it, and a change applied twice would be worse than one retried by a person.
 */
import { err, ok, type Millis, type NodeCore, type NodeId, type Result } from '../../lib/index.js';
import { cibDigest } from './canonical.js';
import { compareCibVersions, formatCibVersion, type Cib, type CibVersion } from './cib.js';
import type { CibChangeMeta } from './cib-change.js';
import { CIB_PROTOCOL, type CibMessage } from './cib-messages.js';
import { exportCibXml } from './xml/export-cib.js';
import { importCibXml } from './xml/import-cib.js';
import { formatCibImportError } from './xml/import-diagnostics.js';

export interface CibChangeRejection {
  readonly field: string;
  readonly message: string;
}

export type CibRequestResult = { readonly ok: true; readonly version: CibVersion } | { readonly ok: false; readonly field: string; readonly message: string };

export interface CibReplicaOptions<Change> {
  readonly self: NodeId;
  /** The CIB recovered from disk, or an empty one on a first start. */
  readonly initial: Cib;
  /** Applies one change (pure, deterministic): every replica computes the same result. */
  readonly apply: (cib: Cib, change: Change, meta: CibChangeMeta) => Result<Cib, CibChangeRejection>;
  /** How long a new DC waits for members' versions before going on without the silent ones. */
  readonly queryTimeoutMs: number;
}

export type CibReplicaInput<Change> =
  | { readonly kind: 'start' }
  /** The installed membership view (members and DC), or null when this node is in none. */
  | { readonly kind: 'view'; readonly members: readonly NodeId[]; readonly dc: NodeId | null }
  /**
   * A change asked on this node (CLI, or the DC's own controller writing status). `dcOnly`: apply
   * it only while this node is the DC, never forward it (a controller's status write is only true
   * of the view it was made in).
   */
  | { readonly kind: 'request'; readonly requestId: string; readonly change: Change; readonly meta: CibChangeMeta; readonly dcOnly?: boolean }
  | { readonly kind: 'receive'; readonly from: NodeId; readonly message: CibMessage<Change> }
  | { readonly kind: 'timeout'; readonly timer: string };

export type CibReplicaEffect<Change> =
  /** Write the CIB to disk before anything that follows is sent. */
  | { readonly kind: 'persist'; readonly cib: Cib; readonly description: string; readonly meta?: CibChangeMeta }
  | { readonly kind: 'send'; readonly to: NodeId; readonly message: CibMessage<Change> }
  | { readonly kind: 'reply'; readonly requestId: string; readonly result: CibRequestResult }
  /** The CIB changed; `authoritative` is true on a DC whose join is complete (it may schedule). */
  | { readonly kind: 'cib-changed'; readonly cib: Cib; readonly authoritative: boolean }
  /** Something a person should see in the log (a peer's CIB that does not import, ...). */
  | { readonly kind: 'problem'; readonly message: string }
  | { readonly kind: 'set-timer'; readonly timer: string; readonly afterMs: Millis }
  | { readonly kind: 'cancel-timer'; readonly timer: string };

type Phase = 'no-view' | 'member' | 'dc-collecting' | 'dc-fetching' | 'dc-ready';

interface QueuedRequest<Change> {
  readonly from: NodeId;
  readonly requestId: string;
  readonly change: Change;
  readonly meta: CibChangeMeta;
  readonly dcOnly?: boolean;
}

const QUERY_TIMER = 'cib-query';

export class CibReplica<Change> implements NodeCore<CibReplicaInput<Change>, CibReplicaEffect<Change>> {
  private cib: Cib;
  private digest: string;
  private phase: Phase = 'no-view';
  private members: readonly NodeId[] = [];
  private dc: NodeId | null = null;
  private round = 0;
  private reports = new Map<NodeId, { readonly version: CibVersion | null; readonly digest: string | null }>();
  private fetchingFrom: NodeId | null = null;
  private readonly queued: QueuedRequest<Change>[] = [];
  /** Requests of this node forwarded to the DC, by id, with the DC they went to. */
  private readonly forwarded = new Map<string, NodeId>();
  /** A member waiting for the DC's whole CIB ignores updates meanwhile. */
  private resyncing = false;
  /** Members that asked this DC for the whole CIB while it was still choosing it: they get it when it is chosen. */
  private syncWanted = new Set<NodeId>();
  private dropped = 0;

  constructor(private readonly options: CibReplicaOptions<Change>) {
    this.cib = options.initial;
    this.digest = cibDigest(options.initial);
  }

  get current(): Cib {
    return this.cib;
  }

  status(): { readonly phase: Phase; readonly version: CibVersion; readonly digest: string; readonly dc: NodeId | null; readonly queued: number; readonly dropped: number } {
    return { phase: this.phase, version: this.cib.version, digest: this.digest, dc: this.dc, queued: this.queued.length, dropped: this.dropped };
  }

  step(_now: Millis, input: CibReplicaInput<Change>): readonly CibReplicaEffect<Change>[] {
    const out: CibReplicaEffect<Change>[] = [];
    switch (input.kind) {
      case 'start':
        out.push({ kind: 'cib-changed', cib: this.cib, authoritative: false });
        break;
      case 'view':
        this.onView(input.members, input.dc, out);
        break;
      case 'request':
        if (input.dcOnly === true && this.phase !== 'dc-ready' && this.phase !== 'dc-collecting' && this.phase !== 'dc-fetching') {
          out.push({ kind: 'reply', requestId: input.requestId, result: { ok: false, field: 'dc', message: 'this node is not the DC' } });
          break;
        }
        this.onRequest(this.options.self, input.requestId, input.change, input.meta, out, input.dcOnly === true);
        break;
      case 'receive':
        if (input.message.v !== CIB_PROTOCOL) {
          this.dropped++;
          break;
        }
        this.onMessage(input.from, input.message, out);
        break;
      case 'timeout':
        if (input.timer === QUERY_TIMER && this.phase === 'dc-collecting') this.chooseNewest(out);
        break;
    }
    return out;
  }

  private onView(members: readonly NodeId[], dc: NodeId | null, out: CibReplicaEffect<Change>[]): void {
    const self = this.options.self;
    const previousDc = this.dc;
    this.members = members;
    this.dc = dc;
    if (previousDc !== dc) {
      for (const [requestId, sentTo] of this.forwarded) {
        if (sentTo === dc) continue;
        this.forwarded.delete(requestId);
        out.push({ kind: 'reply', requestId, result: { ok: false, field: 'dc', message: 'the DC changed while the request was in flight; check `heartline config history` and retry if it is not there' } });
      }
    }
    if (this.phase === 'dc-collecting') out.push({ kind: 'cancel-timer', timer: QUERY_TIMER });
    this.resyncing = false;
    this.syncWanted.clear();
    this.fetchingFrom = null;
    if (dc === null || !members.includes(self)) {
      this.phase = 'no-view';
      this.rejectQueued('this node is in no cluster view now; wait until it has joined (heartline members) and retry', out);
      return;
    }
    if (dc !== self) {
      this.phase = 'member';
      // Requests queued while this node was DC were never applied: this node's own go to the new
      // DC; other nodes' are refused (their nodes see the DC change and tell their callers).
      for (const q of this.queued.splice(0)) {
        if (q.from === self && q.dcOnly !== true) this.onRequest(self, q.requestId, q.change, q.meta, out);
        else this.answer(q.from, q.requestId, { ok: false, field: 'dc', message: 'the DC changed before the request was applied; retry' }, out);
      }
      return;
    }
    // This node is the DC of a new view: find the newest CIB among the members first.
    this.phase = 'dc-collecting';
    this.round++;
    this.reports = new Map([[self, { version: this.cib.version, digest: this.digest }]]);
    for (const m of members) if (m !== self) out.push({ kind: 'send', to: m, message: { type: 'cib-query', v: CIB_PROTOCOL, round: this.round } });
    if (members.length === 1) this.chooseNewest(out);
    else out.push({ kind: 'set-timer', timer: QUERY_TIMER, afterMs: this.options.queryTimeoutMs as Millis });
  }

  private onRequest(from: NodeId, requestId: string, change: Change, meta: CibChangeMeta, out: CibReplicaEffect<Change>[], dcOnly = false): void {
    const self = this.options.self;
    if (this.phase === 'dc-ready') {
      this.applyAsDc(from, requestId, change, meta, out);
      return;
    }
    if (this.phase === 'dc-collecting' || this.phase === 'dc-fetching') {
      this.queued.push({ from, requestId, change, meta, dcOnly });
      return;
    }
    if (from !== self) {
      out.push({ kind: 'send', to: from, message: { type: 'cib-reply', v: CIB_PROTOCOL, requestId, ok: false, version: this.cib.version, field: 'dc', message: 'this node is not the DC; retry' } });
      return;
    }
    if (this.phase === 'member' && this.dc !== null) {
      this.forwarded.set(requestId, this.dc);
      out.push({ kind: 'send', to: this.dc, message: { type: 'cib-request', v: CIB_PROTOCOL, requestId, change, meta } });
      return;
    }
    out.push({ kind: 'reply', requestId, result: { ok: false, field: 'dc', message: 'this node is in no cluster view now; wait until it has joined (heartline members) and retry' } });
  }

  private applyAsDc(from: NodeId, requestId: string, change: Change, meta: CibChangeMeta, out: CibReplicaEffect<Change>[]): void {
    const base = this.cib.version;
    const applied = this.options.apply(this.cib, change, meta);
    if (!applied.ok) {
      this.answer(from, requestId, { ok: false, field: applied.error.field, message: applied.error.message }, out);
      return;
    }
    if (applied.value === this.cib) {
      // Nothing changed (the change language returns the same snapshot): nothing to replicate.
      this.answer(from, requestId, { ok: true, version: this.cib.version }, out);
      return;
    }
    this.adopt(applied.value, changeDescription(meta), out, meta);
    for (const m of this.members) {
      if (m === this.options.self) continue;
      out.push({ kind: 'send', to: m, message: { type: 'cib-update', v: CIB_PROTOCOL, base, change, meta, version: this.cib.version, digest: this.digest } });
    }
    this.answer(from, requestId, { ok: true, version: this.cib.version }, out);
  }

  private answer(from: NodeId, requestId: string, result: CibRequestResult, out: CibReplicaEffect<Change>[]): void {
    if (from === this.options.self) {
      out.push({ kind: 'reply', requestId, result });
      return;
    }
    const message: CibMessage<Change> = result.ok
      ? { type: 'cib-reply', v: CIB_PROTOCOL, requestId, ok: true, version: result.version }
      : { type: 'cib-reply', v: CIB_PROTOCOL, requestId, ok: false, version: this.cib.version, field: result.field, message: result.message };
    out.push({ kind: 'send', to: from, message });
  }

  private onMessage(from: NodeId, m: CibMessage<Change>, out: CibReplicaEffect<Change>[]): void {
    switch (m.type) {
      case 'cib-request':
        this.onRequest(from, m.requestId, m.change, m.meta, out);
        return;
      case 'cib-reply': {
        if (!this.forwarded.has(m.requestId)) return;
        this.forwarded.delete(m.requestId);
        const result: CibRequestResult = m.ok ? { ok: true, version: m.version } : { ok: false, field: m.field ?? 'request', message: m.message ?? 'refused by the DC' };
        out.push({ kind: 'reply', requestId: m.requestId, result });
        return;
      }
      case 'cib-update':
        this.onUpdate(from, m, out);
        return;
      case 'cib-query':
        if (from !== this.dc) return;
        out.push({ kind: 'send', to: from, message: { type: 'cib-report', v: CIB_PROTOCOL, round: m.round, version: this.cib.version, digest: this.digest } });
        return;
      case 'cib-report':
        if (m.round !== this.round || !this.members.includes(from)) return;
        if (this.phase === 'dc-ready') {
          // A report that missed the deadline: a newer CIB still wins, so fetch it now.
          this.reports.set(from, { version: m.version, digest: m.digest });
          if (m.version !== null && compareCibVersions(m.version, this.cib.version) > 0) this.chooseNewest(out);
          return;
        }
        if (this.phase !== 'dc-collecting') return;
        this.reports.set(from, { version: m.version, digest: m.digest });
        if (this.members.every((n) => this.reports.has(n))) {
          out.push({ kind: 'cancel-timer', timer: QUERY_TIMER });
          this.chooseNewest(out);
        }
        return;
      case 'cib-sync-request':
        // The DC sends its CIB to any member that asks; a member sends it only to its DC. A DC
        // still choosing the CIB answers when it has chosen: a member that asked is waiting for it
        // and ignores every update until it comes.
        if (this.phase === 'dc-ready' || from === this.dc) out.push({ kind: 'send', to: from, message: { type: 'cib-full', v: CIB_PROTOCOL, round: m.round, xml: exportCibXml(this.cib) } });
        else if ((this.phase === 'dc-collecting' || this.phase === 'dc-fetching') && this.members.includes(from)) this.syncWanted.add(from);
        return;
      case 'cib-full':
        this.onFull(from, m, out);
        return;
    }
  }

  private onUpdate(from: NodeId, m: Extract<CibMessage<Change>, { type: 'cib-update' }>, out: CibReplicaEffect<Change>[]): void {
    if (this.phase !== 'member' || from !== this.dc || this.resyncing) return;
    // An update this node's CIB already contains (it came late, after a whole CIB that included
    // it) is old news, not a gap: fetching the whole CIB for it would be wasted at best.
    if (compareCibVersions(m.version, this.cib.version) <= 0) return;
    if (compareCibVersions(this.cib.version, m.base) === 0) {
      const applied = this.options.apply(this.cib, m.change, m.meta);
      if (applied.ok) {
        const digest = cibDigest(applied.value);
        if (digest === m.digest) {
          this.adopt(applied.value, changeDescription(m.meta), out, m.meta, digest);
          return;
        }
        out.push({ kind: 'problem', message: `CIB ${formatCibVersion(m.version)} from the DC has another digest here; fetching the whole CIB` });
      } else {
        out.push({ kind: 'problem', message: `a change the DC applied failed here (${applied.error.field}: ${applied.error.message}); fetching the whole CIB` });
      }
    }
    this.resyncing = true;
    out.push({ kind: 'send', to: from, message: { type: 'cib-sync-request', v: CIB_PROTOCOL, round: 0 } });
  }

  private onFull(from: NodeId, m: Extract<CibMessage<Change>, { type: 'cib-full' }>, out: CibReplicaEffect<Change>[]): void {
    const fetching = this.phase === 'dc-fetching' && from === this.fetchingFrom && m.round === this.round;
    const fromDc = this.phase === 'member' && from === this.dc;
    if (!fetching && !fromDc) return;
    const imported = importCibXml(m.xml);
    if (!imported.ok) {
      out.push({ kind: 'problem', message: `the CIB sent by node ${from} does not import: ${formatCibImportError(imported.error)}` });
      if (fetching) this.finishJoin(out);
      return;
    }
    this.adopt(imported.value.cib, `whole CIB from node ${from}`, out);
    if (fromDc) this.resyncing = false;
    if (fetching) this.finishJoin(out);
  }

  /** The DC has every member's version (or gave up waiting): fetch the newest if it is not ours. */
  private chooseNewest(out: CibReplicaEffect<Change>[]): void {
    let best: NodeId = this.options.self;
    let bestVersion = this.cib.version;
    for (const [node, r] of [...this.reports].sort(([a], [b]) => a - b)) {
      if (r.version !== null && compareCibVersions(r.version, bestVersion) > 0) {
        best = node;
        bestVersion = r.version;
      }
    }
    if (best === this.options.self) {
      this.finishJoin(out);
      return;
    }
    this.phase = 'dc-fetching';
    this.fetchingFrom = best;
    out.push({ kind: 'send', to: best, message: { type: 'cib-sync-request', v: CIB_PROTOCOL, round: this.round } });
  }

  /** Sends the CIB to every member that holds another, then serves the queued requests. */
  private finishJoin(out: CibReplicaEffect<Change>[]): void {
    this.phase = 'dc-ready';
    this.fetchingFrom = null;
    let xml: string | undefined;
    for (const m of this.members) {
      if (m === this.options.self || (this.reports.get(m)?.digest === this.digest && !this.syncWanted.has(m))) continue;
      xml ??= exportCibXml(this.cib);
      out.push({ kind: 'send', to: m, message: { type: 'cib-full', v: CIB_PROTOCOL, round: this.round, xml } });
    }
    this.syncWanted.clear();
    out.push({ kind: 'cib-changed', cib: this.cib, authoritative: true });
    for (const q of this.queued.splice(0)) this.applyAsDc(q.from, q.requestId, q.change, q.meta, out);
  }

  private adopt(cib: Cib, description: string, out: CibReplicaEffect<Change>[], meta?: CibChangeMeta, digest?: string): void {
    this.cib = cib;
    this.digest = digest ?? cibDigest(cib);
    out.push({ kind: 'persist', cib, description, ...(meta === undefined ? {} : { meta }) });
    out.push({ kind: 'cib-changed', cib, authoritative: this.phase === 'dc-ready' });
  }

  private rejectQueued(message: string, out: CibReplicaEffect<Change>[]): void {
    for (const q of this.queued.splice(0)) this.answer(q.from, q.requestId, { ok: false, field: 'dc', message }, out);
  }
}

/** The CIB of a node that has never had one: version 0.0.0, nothing configured. */
export function emptyCib(): Result<Cib, string> {
  const imported = importCibXml('<cib admin_epoch="0" epoch="0" num_updates="0" validate-with="pacemaker-3.0"><configuration><crm_config/><nodes/><resources/><constraints/></configuration><status/></cib>');
  return imported.ok ? ok(imported.value.cib) : err(formatCibImportError(imported.error));
}

/** The history's one line for a change: the asker's description, else who asked from where. */
function changeDescription(meta: CibChangeMeta): string {
  return meta.description ?? `change from ${meta.origin} by ${meta.user}`;
}
