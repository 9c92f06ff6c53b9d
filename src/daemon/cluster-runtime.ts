/**
 * ClusterRuntime: the daemon's main-thread driver of the HaStack (CIB replica + controller), wired
 * as the simulator's ClusterNode wires it (src/sim/cluster/cluster-node.ts), with real effects:
 *
 * - inputs come from the heartbeat worker (views with quorum, channel deliveries), the control
 *   socket (CIB change requests), the LRM (operation results), the fencer and timers; they are fed
 *   one at a time through a FIFO, so an effect that produces an input (a message to this node
 *   itself) never re-enters the core while its effects are being performed;
 * - effects are performed in array order: `persist` writes the CIB store synchronously BEFORE the
 *   effects after it (sending the CIB to peers, acting on it) are performed; a failed write stops
 *   the daemon (a node that cannot persist must not act: systemd restarts it, peers fence it if
 *   it held resources);
 * - `lrm-execute` runs on the LrmBridge, `fence` through NodeFencing, `channel-send` goes to the
 *   heartbeat worker (or straight back in for this node), timers are Clock timers.
 *
 * Fence outcomes go to every member of the view: a message `{"l":"fence","m":FenceNotice}` on the
 * reliable channel beside the HaStack's own envelopes, taken out before the stack sees it. A
 * member gives a notice to its NodeFencing (a success ends its own delayed request for the same
 * target) and to its controller (`node-fenced`: the DC records the node as fenced); a node that
 * learns it was fenced itself stops (`onStopSelf`). `heartline fence confirm` travels the same way.
 *
 * Without a `fencing` section the policy engine is given the CIB with stonith-enabled=false (the
 * configured CIB is not changed): nothing could fence, and a fence that can never succeed would
 * block every recovery. The daemon logs this at start and `status` shows it.
 */
import { join } from 'node:path';
import type { NodeFenceAction, NodeFenceRequest, NodeFenceResult, NodeFencing } from '../fence/node-fencing.js';
import { applyCibChange, emptyCib, formatCibVersion, importCibXml, type Cib, type CibChange, type CibChangeMeta, type CibRequestResult } from '../ha/cib/index.js';
import { CibStore } from '../ha/cib-store/index.js';
import { cibStatusChanges, type LrmResult } from '../ha/controller/index.js';
import { schedule } from '../ha/policy/index.js';
import { HaStack, type HaStackEffect, type HaStackInput } from '../ha/stack/index.js';
import type { Clock, Logger, Millis, NodeId, TimerHandle } from '../lib/index.js';
import type { ClusterView } from './membership-driver.js';
import type { LrmBridge } from './lrm-bridge.js';

export interface ClusterRuntimeOptions {
  readonly self: NodeId;
  readonly selfName: string;
  readonly nodes: readonly { readonly id: NodeId; readonly name: string }[];
  readonly stateDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Whether a fencing section is configured; without one the policy plans with stonith-enabled=false. */
  readonly fencingConfigured: boolean;
  /** heartline.yaml's initdead: at start, the DC waits this long for every node before it plans. */
  readonly startupGraceMs?: Millis;
  readonly fencing: NodeFencing;
  /** Sends an application message to a peer over the reliable channel (the heartbeat worker). */
  readonly channelSend: (to: NodeId, payload: Uint8Array) => void;
  /** Called when the CIB store cannot be written: the daemon must stop. */
  readonly onFatal: (message: string) => void;
  /** How long a CIB change request may wait for the DC's answer. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** A member told this node that it was fenced: the daemon must stop (it is no longer in the cluster's picture). */
  readonly onStopSelf?: (reason: string) => void;
  /** The CIB's configuration changed (the fencing that follows the CIB's stonith resources rebuilds its devices). */
  readonly onConfigurationChanged?: (cib: Cib) => void;
  /** The CIB changed (a new version, or it became authoritative): the event log takes a snapshot. */
  readonly onCibChanged?: () => void;
  /** A fence outcome this node ran or heard of (each once), for the event log. */
  readonly onFenceOutcome?: (notice: FenceNotice) => void;
}

/** A fence outcome as members tell each other (and a person's confirmation). */
export interface FenceNotice {
  readonly target: string;
  readonly action: NodeFenceAction;
  readonly ok: boolean;
  /** The node that fenced, or `user@node` for a confirmation. */
  readonly by: string;
  /** The device(s) that did it, or why it failed. */
  readonly detail: string;
  /** A person verified the node is off; no device was used. */
  readonly confirmed?: boolean;
}

/** What `status` shows of fencing: what is under way here, and the recent outcomes this node heard of. */
export interface FenceActivity {
  readonly inProgress: readonly { readonly target: string; readonly action: NodeFenceAction; readonly requester: string; readonly startedAtMs: number }[];
  readonly recent: readonly (FenceNotice & { readonly atMs: number })[];
}

const FENCE_ENVELOPE_PREFIX = '{"l":"fence",';
const RECENT_FENCES_KEPT = 20;

/** The last transition the DC ran, for `status`. */
export interface TransitionRecord {
  readonly graphId: number;
  readonly actions: number;
  readonly summary: readonly string[];
  readonly startedAtMs: number;
  readonly status?: string;
  readonly reason?: string;
  readonly finishedAtMs?: number;
}

export class ClusterRuntime {
  readonly stack: HaStack<CibChange>;
  readonly store: CibStore;
  private lrm: LrmBridge | undefined;
  private readonly queue: HaStackInput<CibChange>[] = [];
  private draining = false;
  private readonly timers = new Map<string, TimerHandle>();
  private readonly waiting = new Map<string, { resolve: (result: CibRequestResult) => void; timer: TimerHandle }>();
  private nextRequest = 1;
  private closed = false;
  private cib: Cib;
  private authoritative = false;
  private view: ClusterView = { members: [], dc: null, quorate: false };
  private lastTransition: TransitionRecord | undefined;
  private readonly problems: { readonly atMs: number; readonly message: string }[] = [];
  private readonly fencesInProgress = new Set<FenceActivity['inProgress'][number]>();
  /** Operators' fences (`heartline fence NODE`) under way on this node, by target. */
  private readonly operatorFences = new Map<string, Promise<NodeFenceResult>>();
  private readonly recentFences: (FenceNotice & { readonly atMs: number })[] = [];
  private stoppedSelf = false;
  /** Wall-clock milliseconds at monotonic 0 (the stack's wallClock maps its `now` with it). */
  private readonly wallOffsetMs: number;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  private constructor(
    private readonly options: ClusterRuntimeOptions,
    store: CibStore,
    initial: Cib,
  ) {
    this.store = store;
    this.cib = initial;
    this.wallOffsetMs = options.clock.wallNow() - options.clock.now();
    const fencingConfigured = options.fencingConfigured;
    this.stack = new HaStack<CibChange>({
      self: options.self,
      nodes: options.nodes,
      initialCib: initial,
      applyChange: applyCibChange,
      changes: cibStatusChanges,
      schedule: (cib, now) => schedule(fencingConfigured ? cib : withoutFencing(cib), { now, recordScores: false }),
      transition: { batchLimit: 0, concurrentFencing: false },
      resultGraceMs: 5000,
      queryTimeoutMs: 2000,
      wallClock: (now) => (this.wallOffsetMs + now) / 1000,
      ...(options.startupGraceMs === undefined ? {} : { startupGraceMs: options.startupGraceMs }),
    });
  }

  /**
   * Opens the CIB store in the state folder (`cib.sqlite`) and takes its CIB, or on a first start
   * an empty CIB listing heartline.yaml's nodes (version 0.0.0: every node computes the same one,
   * and any CIB a node has written wins over it).
   */
  static open(options: ClusterRuntimeOptions): { ok: true; runtime: ClusterRuntime } | { ok: false; message: string } {
    const path = join(options.stateDir, 'cib.sqlite');
    const store = CibStore.open(path);
    if (!store.ok) return { ok: false, message: store.error.message };
    const loaded = store.value.load();
    const initial = loaded ?? initialCib(options.nodes);
    if (initial === undefined) {
      store.value.close();
      return { ok: false, message: 'the empty CIB does not import (a bug)' };
    }
    options.logger.info(loaded === undefined ? 'no CIB on disk: starting from an empty one' : 'CIB recovered from disk', { path, version: formatCibVersion(initial.version) });
    return { ok: true, runtime: new ClusterRuntime(options, store.value, initial) };
  }

  /** Connects the LRM (created after the runtime, since its results feed the runtime). */
  attachLrm(lrm: LrmBridge): void {
    this.lrm = lrm;
  }

  start(): void {
    if (!this.options.fencingConfigured) {
      this.options.logger.warn('no fencing section in heartline.yaml: the cluster runs with stonith-enabled=false semantics (a lost node is not fenced before its resources are recovered elsewhere)');
    }
    this.feed({ kind: 'start' });
  }

  onView(view: ClusterView): void {
    this.view = view;
    this.feed({ kind: 'view', members: view.members, dc: view.dc, quorate: view.quorate });
  }

  onChannelDeliver(from: NodeId, payload: Uint8Array): void {
    const text = this.decoder.decode(payload);
    if (text.startsWith(FENCE_ENVELOPE_PREFIX)) this.onFenceNotice(from, text);
    else this.feed({ kind: 'deliver', from, text });
  }

  /**
   * Fences a node for an operator (`heartline fence NODE`) through this node's NodeFencing; the
   * outcome goes to every member, and a success tells the DC the node is down.
   */
  async fenceNode(request: NodeFenceRequest): Promise<NodeFenceResult> {
    const running = this.runFence(request);
    this.operatorFences.set(request.target, running);
    try {
      const result = await running;
      if (result.ok) this.feed({ kind: 'node-fenced', target: request.target, by: request.requester });
      return result;
    } finally {
      if (this.operatorFences.get(request.target) === running) this.operatorFences.delete(request.target);
    }
  }

  /**
   * A person verified that `target` is off (`heartline fence confirm`): the fencing here ends its
   * requests for it (and records the confirmation), every member is told, and the DC records the
   * node as fenced, so a fence action waiting for it succeeds and its resources are recovered.
   */
  confirmFenced(target: string, by: string): void {
    this.options.logger.warn('fence confirmed by a person', { target, by });
    this.feed({ kind: 'node-fenced', target, by });
    this.options.fencing.confirm?.(target, by);
    this.announce({ target, action: 'off', ok: true, by, detail: 'confirmed by a person', confirmed: true });
  }

  /** Fences under way on this node and the outcomes it heard of (newest last). */
  fenceActivity(): FenceActivity {
    return { inProgress: [...this.fencesInProgress], recent: [...this.recentFences] };
  }

  onLrmResult(result: LrmResult): void {
    this.feed({ kind: 'lrm-result', result });
  }

  /** Asks for a CIB change (forwarded to the DC by the replica); resolves with the DC's answer or a timeout error. */
  request(change: CibChange, meta: Omit<CibChangeMeta, 'now'>): Promise<CibRequestResult> {
    if (this.closed) return Promise.resolve({ ok: false, field: 'daemon', message: 'the daemon is shutting down' });
    const requestId = `client-${this.options.self}-${this.nextRequest++}`;
    const timeoutMs = this.options.requestTimeoutMs ?? 30_000;
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimer(timeoutMs as Millis, () => {
        this.waiting.delete(requestId);
        resolve({ ok: false, field: 'dc', message: `no answer from the DC within ${timeoutMs / 1000} s (is this node in a view with a DC? see heartline members); the change may still be applied: check heartline status before retrying` });
      });
      this.waiting.set(requestId, { resolve, timer });
      this.feed({ kind: 'request', requestId, change, meta: { ...meta, now: Math.floor(this.options.clock.wallNow() / 1000) } });
    });
  }

  /** The CIB this node holds now, and whether it is the one the DC chose for this view. */
  current(): { readonly cib: Cib; readonly authoritative: boolean } {
    return { cib: this.cib, authoritative: this.authoritative };
  }

  currentView(): ClusterView {
    return this.view;
  }

  transition(): TransitionRecord | undefined {
    return this.lastTransition;
  }

  recentProblems(): readonly { readonly atMs: number; readonly message: string }[] {
    return this.problems;
  }

  /** Stops timers and answers waiting requests; the store is closed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const handle of this.timers.values()) this.options.clock.clearTimer(handle);
    this.timers.clear();
    for (const [id, w] of this.waiting) {
      this.options.clock.clearTimer(w.timer);
      w.resolve({ ok: false, field: 'daemon', message: 'the daemon is shutting down' });
      this.waiting.delete(id);
    }
    this.store.close();
  }

  /** Runs one fence on this node's NodeFencing, shows it in status while it runs, and tells every member its outcome. */
  private async runFence(request: NodeFenceRequest): Promise<NodeFenceResult> {
    const entry = { target: request.target, action: request.action, requester: request.requester, startedAtMs: this.options.clock.wallNow() };
    this.fencesInProgress.add(entry);
    const result = await this.options.fencing.fence(request);
    this.fencesInProgress.delete(entry);
    if (!this.closed) this.announce({ target: request.target, action: request.action, ok: result.ok, by: this.options.selfName, detail: result.ok ? result.device : result.reason });
    return result;
  }

  /**
   * The policy engine's fence of `target`. When an operator's fence of the same node is under way
   * here (membership lost the node while its power was being cut), its outcome is awaited first:
   * a success answers this request too, so the node is not fenced twice (an operator's off is not
   * turned into a reboot that would power it on again). A failure leaves the request to run.
   */
  private async policyFence(target: string, action: 'off' | 'on' | 'reboot'): Promise<NodeFenceResult> {
    const operator = action === 'on' ? undefined : this.operatorFences.get(target);
    if (operator !== undefined) {
      this.options.logger.info('fence joins the operator\'s fence of the node under way', { target, action });
      const result = await operator;
      if (result.ok) return result;
    }
    return this.runFence({ target, action, reason: 'the policy engine asked for it (node lost or a stop failed)', requester: this.options.selfName });
  }

  /** Records an outcome for status and sends it to every other member of the view. */
  private announce(notice: FenceNotice): void {
    this.remember(notice);
    const text = JSON.stringify({ l: 'fence', m: notice });
    const payload = this.encoder.encode(text);
    for (const member of this.view.members) if (member.id !== this.options.self) this.options.channelSend(member.id, payload);
  }

  private remember(notice: FenceNotice): void {
    this.options.onFenceOutcome?.(notice);
    this.recentFences.push({ ...notice, atMs: this.options.clock.wallNow() });
    if (this.recentFences.length > RECENT_FENCES_KEPT) this.recentFences.shift();
  }

  private onFenceNotice(from: NodeId, text: string): void {
    const notice = parseFenceNotice(text);
    if (notice === undefined) {
      this.options.logger.warn('fence notice dropped: not understood', { from });
      return;
    }
    this.remember(notice);
    this.options.logger.info('fence outcome from a member', { from, ...notice });
    this.options.fencing.notice?.(notice.target, notice.action, notice.ok, notice.by);
    if (!notice.ok || notice.action === 'on') return;
    if (notice.target === this.options.selfName) {
      if (this.stoppedSelf) return;
      this.stoppedSelf = true;
      const reason = notice.confirmed === true ? `${notice.by} confirmed that this node is off` : `this node was fenced (${notice.action}) by ${notice.by}`;
      this.options.logger.error('this node was fenced: stopping', { reason });
      this.options.onStopSelf?.(reason);
      return;
    }
    this.feed({ kind: 'node-fenced', target: notice.target, by: notice.by });
  }

  private feed(input: HaStackInput<CibChange>): void {
    if (this.closed) return;
    this.queue.push(input);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.queue.shift(); next !== undefined && !this.closed; next = this.queue.shift()) {
        const effects = this.stack.step(this.options.clock.now(), next);
        for (const effect of effects) {
          if (this.closed) break;
          this.perform(effect);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private perform(e: HaStackEffect): void {
    const log = this.options.logger;
    switch (e.kind) {
      case 'channel-send':
        if (e.to === this.options.self) this.queue.push({ kind: 'deliver', from: e.to, text: e.text });
        else this.options.channelSend(e.to, this.encoder.encode(e.text));
        return;
      case 'persist': {
        const saved = this.store.save(e.cib, {
          description: e.description,
          atMs: this.options.clock.wallNow(),
          origin: e.meta?.origin ?? this.options.selfName,
          user: e.meta?.user ?? 'hacluster',
          ...(e.meta?.client === undefined ? {} : { client: e.meta.client }),
        });
        if (!saved.ok) {
          log.error('the CIB could not be written: stopping', { error: saved.error.message });
          this.closed = true;
          this.options.onFatal(saved.error.message);
        }
        return;
      }
      case 'reply': {
        const w = this.waiting.get(e.requestId);
        if (w === undefined) return;
        this.waiting.delete(e.requestId);
        this.options.clock.clearTimer(w.timer);
        w.resolve(e.result);
        return;
      }
      case 'lrm-execute':
        log.info('operation requested', { resource: e.request.resource, operation: e.request.operation, interval: e.request.interval, graph: e.request.graph?.graphId });
        if (this.lrm === undefined) throw new Error('ClusterRuntime: the LRM is not attached');
        this.lrm.execute(e.request);
        return;
      case 'fence': {
        const { requestId, target } = e;
        const action = e.action === 'off' || e.action === 'on' ? e.action : 'reboot';
        log.warn('fence requested', { target, action, requestId });
        void this.policyFence(target, action).then((result) => {
          // "fence finished" is what bench failover reads as the end of the fencing phase.
          if (result.ok) log.warn('fence finished', { target, action, ok: true, device: result.device, durationMs: result.durationMs });
          else log.error('fence finished', { target, action, ok: false, reason: result.reason, durationMs: result.durationMs });
          this.feed({ kind: 'fence-result', requestId, target, ok: result.ok, ...(result.ok ? {} : { reason: result.reason }) });
        });
        return;
      }
      case 'set-timer': {
        const previous = this.timers.get(e.timer);
        if (previous !== undefined) this.options.clock.clearTimer(previous);
        const timer = e.timer;
        this.timers.set(
          timer,
          this.options.clock.setTimer(e.afterMs, () => {
            this.timers.delete(timer);
            this.feed({ kind: 'timeout', timer });
          }),
        );
        return;
      }
      case 'cancel-timer': {
        const handle = this.timers.get(e.timer);
        if (handle !== undefined) this.options.clock.clearTimer(handle);
        this.timers.delete(e.timer);
        return;
      }
      case 'cib-changed':
        {
          const changed = e.cib.version !== this.cib.version || e.authoritative !== this.authoritative;
          if (changed) log.debug('CIB changed', { version: formatCibVersion(e.cib.version), authoritative: e.authoritative });
          const configurationChanged = e.cib.configuration !== this.cib.configuration;
          this.cib = e.cib;
          this.authoritative = e.authoritative;
          if (configurationChanged) this.options.onConfigurationChanged?.(e.cib);
          if (changed) this.options.onCibChanged?.();
        }
        return;
      case 'transition-started':
        // Status shows the last transition that did something (an empty one ends every busy spell).
        if (e.actions > 0) {
          this.lastTransition = { graphId: e.graphId, actions: e.actions, summary: e.summary, startedAtMs: this.options.clock.wallNow() };
          log.info('transition started', { graph: e.graphId, actions: e.actions, summary: e.summary });
        }
        return;
      case 'transition-finished':
        if (this.lastTransition?.graphId === e.graphId) {
          this.lastTransition = { ...this.lastTransition, status: e.status, finishedAtMs: this.options.clock.wallNow(), ...(e.reason === undefined ? {} : { reason: e.reason }) };
        }
        if (this.lastTransition?.graphId === e.graphId || e.status !== 'complete') log.info('transition finished', { graph: e.graphId, status: e.status, ...(e.reason === undefined ? {} : { reason: e.reason }) });
        return;
      case 'problem':
        log.warn('cluster problem', { message: e.message });
        this.problems.push({ atMs: this.options.clock.wallNow(), message: e.message });
        if (this.problems.length > 20) this.problems.shift();
        return;
    }
  }
}

/** The empty CIB with heartline.yaml's nodes (ids as strings, as Pacemaker's node ids are). */
function initialCib(nodes: readonly { readonly id: NodeId; readonly name: string }[]): Cib | undefined {
  const empty = emptyCib();
  if (!empty.ok) return undefined;
  const xml = `<cib admin_epoch="0" epoch="0" num_updates="0" validate-with="pacemaker-3.0"><configuration><crm_config/><nodes>${nodes.map((n) => `<node id="${n.id}" uname="${n.name}"/>`).join('')}</nodes><resources/><constraints/></configuration><status/></cib>`;
  const imported = importCibXml(xml);
  return imported.ok ? imported.value.cib : undefined;
}

/** The CIB as the policy engine sees it when nothing can fence: stonith-enabled=false. */
function withoutFencing(cib: Cib): Cib {
  const changed = applyCibChange(cib, { op: 'set-cluster-property', name: 'stonith-enabled', value: 'false' }, { now: 0, origin: 'daemon', user: 'hacluster' });
  return changed.ok ? changed.value : cib;
}

/** A fence notice from a member, checked field by field (a newer or broken peer must not crash us). */
function parseFenceNotice(text: string): FenceNotice | undefined {
  try {
    const value = (JSON.parse(text) as { m?: unknown }).m;
    if (typeof value !== 'object' || value === null) return undefined;
    const m = value as Record<string, unknown>;
    const action = m['action'];
    if (typeof m['target'] !== 'string' || (action !== 'off' && action !== 'reboot' && action !== 'on') || typeof m['ok'] !== 'boolean' || typeof m['by'] !== 'string' || typeof m['detail'] !== 'string') return undefined;
    return { target: m['target'], action, ok: m['ok'], by: m['by'], detail: m['detail'], ...(m['confirmed'] === true ? { confirmed: true } : {}) };
  } catch {
    return undefined;
  }
}
