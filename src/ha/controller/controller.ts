/**
 * Controller: Heartline's pacemaker-controld, a pure state machine (lib/node-core.ts) on every
 * node. On every node it runs the operations the DC asks of the local LRM and reports their
 * results to the DC. On the DC it also records membership and results in the CIB status, runs
 * the policy engine and executes its transition graph (TransitionEngine).
 *
 * The DC plans only from a CIB that holds every result it has been sent: it waits until its own
 * status writes have come back from the CIB replica before it schedules. It schedules again when
 * the configuration changes, membership changes, an unexpected result arrives (a failed monitor,
 * a probe that finds a resource running, a result of an older graph), or a transition ends having
 * done something; a transition that had nothing to run ends the loop until the next event.
 */
import type { Millis, NodeCore, NodeId } from '../../lib/index.js';
import type { Cib } from '../cib/index.js';
import type { PolicyResult } from '../policy/index.js';
import { TransitionEngine, type GraphAction, type TransitionEffect, type TransitionEngineConfig } from '../transition/index.js';
import { CONTROLLER_PROTOCOL, type ControllerMessage } from './controller-messages.js';
import { FencedMembers } from './fenced-members.js';
import { resultMatches, type LrmRequest, type LrmResult } from './lrm-protocol.js';
import { ResourceCatalog } from './resource-catalog.js';

export interface ControllerNode {
  readonly id: NodeId;
  readonly name: string;
}

/** A member of the membership view: a restart shows as a new incarnation of the same id. */
export interface ViewMember {
  readonly id: NodeId;
  readonly incarnation: number;
}

/** The CIB changes the controller writes, built by the CIB layer's change language. */
export interface StatusChanges<Change> {
  /** A node is a member of the view (in_ccm, controller online, join member, expected member). */
  member(node: string): Change;
  /** A node left the view without saying goodbye: it stays expected, so the policy fences it. */
  lost(node: string): Change;
  /** A node was fenced: it is cleanly down and nothing runs there. */
  fenced(node: string): Change;
  /** An operation result for the node's history (and fail counts when it failed). */
  operation(result: LrmResult): Change;
  /** A node's whole history, as it reports it when it joins: replaces what the CIB held. */
  history(node: string, results: readonly LrmResult[]): Change;
  /** Whether the partition has quorum, and the DC's node id. */
  cluster(haveQuorum: boolean, dcId: string): Change;
}

export interface ControllerOptions<Change> {
  readonly self: NodeId;
  readonly nodes: readonly ControllerNode[];
  readonly changes: StatusChanges<Change>;
  /** The policy engine (pure): `now` is seconds since the epoch. */
  readonly schedule: (cib: Cib, now: number) => PolicyResult;
  readonly transition: Omit<TransitionEngineConfig, 'resultTimeout'>;
  /** Added to an operation's own timeout before the transition engine gives up on its result. */
  readonly resultGraceMs: number;
  /** Wall-clock seconds since the epoch at monotonic `now` (the driver's clock mapping). */
  readonly wallClock: (now: Millis) => number;
  /**
   * Membership's initdead: for this long after start, a DC whose view lacks a configured node does
   * not plan (Heartbeat's initdead). Without it a majority that forms first fences a node booting a
   * moment later (startup fencing), and nodes of an appliance powered on together fence each other.
   * Default 0: plan at once.
   */
  readonly startupGraceMs?: Millis;
}

export type ControllerInput =
  | { readonly kind: 'start' }
  | { readonly kind: 'view'; readonly members: readonly ViewMember[]; readonly dc: NodeId | null; readonly quorate: boolean }
  | { readonly kind: 'cib-changed'; readonly cib: Cib; readonly authoritative: boolean }
  | { readonly kind: 'cib-reply'; readonly requestId: string; readonly ok: boolean; readonly message?: string }
  | { readonly kind: 'receive'; readonly from: NodeId; readonly message: ControllerMessage }
  | { readonly kind: 'lrm-result'; readonly result: LrmResult }
  | { readonly kind: 'fence-result'; readonly requestId: string; readonly target: string; readonly ok: boolean; readonly reason?: string }
  /**
   * `target` is known to be off though no fence action of this controller did it: another member
   * fenced it (its broadcast outcome), an operator fenced it, or a person confirmed it is off
   * (`heartline fence confirm`). The DC records it as fenced, and a fence action of the running
   * transition waiting for it succeeds. Every node remembers a target that is still a member
   * (FencedMembers), so that whoever is DC when membership loses it does not fence it again.
   */
  | { readonly kind: 'node-fenced'; readonly target: string; readonly by: string }
  | { readonly kind: 'timeout'; readonly timer: string };

export type ControllerEvent =
  | { readonly kind: 'transition-started'; readonly graphId: number; readonly actions: number; readonly summary: readonly string[] }
  | { readonly kind: 'transition-finished'; readonly graphId: number; readonly status: string; readonly reason?: string }
  | { readonly kind: 'problem'; readonly message: string };

export type ControllerEffect<Change> =
  | { readonly kind: 'send'; readonly to: NodeId; readonly message: ControllerMessage }
  /** A change for the local CIB replica (the DC's status writes). */
  | { readonly kind: 'cib-request'; readonly requestId: string; readonly change: Change }
  /** Run an operation on this node's LRM. */
  | { readonly kind: 'lrm-execute'; readonly request: LrmRequest }
  /** Ask the fencer to fence a node. */
  | { readonly kind: 'fence'; readonly requestId: string; readonly target: string; readonly action: string }
  | { readonly kind: 'set-timer'; readonly timer: string; readonly afterMs: Millis }
  | { readonly kind: 'cancel-timer'; readonly timer: string }
  | ControllerEvent;

export class Controller<Change> implements NodeCore<ControllerInput, ControllerEffect<Change>> {
  private readonly te: TransitionEngine;
  private readonly names: ReadonlyMap<NodeId, string>;
  private readonly ids: ReadonlyMap<string, NodeId>;
  private members = new Map<NodeId, number>();
  /** Nodes fenced while members of the view: down, whatever the view still says. */
  private readonly fencedMembers = new FencedMembers();
  private joinRound = 0;
  /** Members whose history the DC is waiting for before it plans. */
  private readonly pendingJoin = new Set<NodeId>();
  private dc: NodeId | null = null;
  private quorate = false;
  private cib: Cib | undefined;
  private authoritative = false;
  private lastEpoch: string | undefined;
  private dirty = false;
  private graphId = 0;
  private writeSeq = 0;
  private readonly pendingWrites = new Set<string>();
  private readonly pendingFences = new Map<string, { readonly graphId: number; readonly actionId: string; readonly target: string }>();
  /** Operations of the running graph sent to a node whose result has not come in, by graph/action. */
  private readonly dispatched = new Map<string, { readonly graphId: number; readonly actionId: string; readonly node: NodeId }>();
  /** The last result of every operation on this node, for a new DC. */
  private readonly localResults = new Map<string, LrmResult>();
  /** Operations handed to the local LRM that have not answered yet. */
  private readonly localInFlight = new Map<string, LrmRequest>();
  /** A join offer this node answers once its LRM is idle (so the DC sees a settled history). */
  private pendingOffer: { readonly from: NodeId; readonly round: number } | undefined;
  /** The DC whose join offer reached this node since its last view change: only its requests are run. */
  private offeredBy: NodeId | undefined;
  /**
   * A join offer made in a view this node has not installed yet (the DC installs first and may
   * offer before a member catches up): taken when that view arrives here. Taken at once instead, the
   * view change that followed cleared it, the node then ignored every request of the DC, which
   * believed it joined (`sim cluster --seed 148531721989967`: no recovery after the faults).
   */
  private earlyOffer: { readonly from: NodeId; readonly round: number; readonly members: readonly ViewMember[] } | undefined;
  private now: Millis = 0 as Millis;
  /** Until when (monotonic) the DC waits for every configured node before it plans; see startupGraceMs. */
  private startupGraceUntil: Millis | undefined;
  /** Nodes in some view since this controller started (the grace waits only for the others). */
  private readonly seenSinceStart = new Set<NodeId>();
  /** Whether the running graph had anything to run (see maybeSchedule). */
  private currentHadWork = false;
  /** Resource definitions of the CIB the running graph was planned from. */
  private catalog: ResourceCatalog | undefined;

  constructor(private readonly options: ControllerOptions<Change>) {
    this.names = new Map(options.nodes.map((n) => [n.id, n.name]));
    this.ids = new Map(options.nodes.map((n) => [n.name, n.id]));
    this.te = new TransitionEngine({ ...options.transition, resultTimeout: (a) => this.resultTimeout(a) });
  }

  private get isDc(): boolean {
    return this.dc === this.options.self;
  }

  status(): {
    readonly dc: NodeId | null;
    readonly graphId: number;
    readonly transition: TransitionEngine['active'];
    readonly pendingWrites: number;
    readonly pendingJoin: readonly NodeId[];
    readonly authoritative: boolean;
    readonly dirty: boolean;
    readonly inFlight: number;
  } {
    return {
      dc: this.dc,
      graphId: this.graphId,
      transition: this.te.active,
      pendingWrites: this.pendingWrites.size,
      pendingJoin: [...this.pendingJoin],
      authoritative: this.authoritative,
      dirty: this.dirty,
      inFlight: this.localInFlight.size,
    };
  }

  step(now: Millis, input: ControllerInput): readonly ControllerEffect<Change>[] {
    this.now = now;
    const out: ControllerEffect<Change>[] = [];
    switch (input.kind) {
      case 'start':
        if ((this.options.startupGraceMs ?? 0) > 0) {
          this.startupGraceUntil = (now + (this.options.startupGraceMs as number)) as Millis;
          out.push({ kind: 'set-timer', timer: STARTUP_GRACE_TIMER, afterMs: this.options.startupGraceMs as Millis });
        }
        break;
      case 'view':
        this.onView(input.members, input.dc, input.quorate, out);
        break;
      case 'cib-changed':
        this.onCib(input.cib, input.authoritative, out);
        break;
      case 'cib-reply':
        if (this.pendingWrites.delete(input.requestId) && !input.ok) out.push({ kind: 'problem', message: `status write ${input.requestId} refused: ${input.message ?? 'no reason given'}` });
        break;
      case 'receive':
        if (input.message.v === CONTROLLER_PROTOCOL) this.onMessage(input.from, input.message, out);
        break;
      case 'lrm-result':
        this.onLocalResult(input.result, out);
        break;
      case 'fence-result':
        this.onFenceResult(input.requestId, input.ok, input.reason, out);
        break;
      case 'node-fenced':
        this.onNodeFenced(input.target, input.by, out);
        break;
      case 'timeout':
        if (input.timer === JOIN_RETRY_TIMER) this.offerJoin(out);
        else if (input.timer === STARTUP_GRACE_TIMER) this.startupGraceUntil = undefined;
        else this.perform(this.te.step(now, { kind: 'timeout', timer: input.timer }), out);
        break;
    }
    this.maybeSchedule(out);
    return out;
  }

  private onView(members: readonly ViewMember[], dc: NodeId | null, quorate: boolean, out: ControllerEffect<Change>[]): void {
    const previousDc = this.dc;
    this.members = new Map(members.map((m) => [m.id, m.incarnation]));
    for (const m of members) this.seenSinceStart.add(m.id);
    this.offeredBy = undefined;
    this.fencedMembers.onView(this.members);
    this.dc = dc;
    this.quorate = quorate;
    const early = this.earlyOffer;
    this.earlyOffer = undefined;
    if (early !== undefined && early.from === dc && this.inView(early.members)) this.takeOffer(early.from, early.round, out);
    // The CIB replica starts a join on every view this node is DC of; until it has chosen the
    // CIB, nothing this controller knows of the cluster's status is to be trusted.
    this.authoritative = false;
    if (dc !== previousDc && previousDc === this.options.self) {
      // What this node planned as DC is no longer its business; the new DC re-learns it all.
      this.perform(this.te.step(this.now, { kind: 'abort', reason: 'no longer the DC' }), out);
      this.pendingWrites.clear();
      this.pendingJoin.clear();
    }
    if (this.isDc) {
      this.invalidate('membership changed', out);
      this.failActionsOnLostNodes(out);
    }
  }

  /**
   * Operations sent to a node that has left the view will never answer: they fail now, so that
   * the aborted graph ends and the DC plans the recovery (with the fence) at once, instead of
   * waiting out each operation's timeout (Pacemaker fails them too when the node is lost).
   */
  private failActionsOnLostNodes(out: ControllerEffect<Change>[]): void {
    for (const [key, sent] of [...this.dispatched]) {
      if (this.members.has(sent.node)) continue;
      this.dispatched.delete(key);
      this.perform(this.te.step(this.now, { kind: 'action-result', graphId: sent.graphId, actionId: sent.actionId, ok: false, reason: `node ${this.nameOf(sent.node)} left the cluster` }), out);
    }
  }

  private onCib(cib: Cib, authoritative: boolean, out: ControllerEffect<Change>[]): void {
    const previous = this.cib;
    this.cib = cib;
    // A node asked to shut down, or an operator changed a transient node attribute: status-only
    // writes that change what the policy decides (Pacemaker aborts the transition on them too).
    if (this.isDc && previous !== undefined && nodeRequests(previous) !== nodeRequests(cib)) this.invalidate('node state changed', out);
    // A cleanup (or a forgotten node) removed operation history or fail counts: the policy must
    // probe again and may use a node it had banned (Pacemaker aborts on deleted lrm_rsc_op too).
    // Not for a node that is down (fenced: its history forgotten by the DC's own write): nothing
    // runs there and it is probed when it joins, so the running transition goes on.
    else if (this.isDc && previous !== undefined) {
      const down = downNodes(cib);
      if (historySize(cib, down) < historySize(previous, down)) this.invalidate('operation history cleared', out);
    }
    const epoch = `${cib.version.adminEpoch}.${cib.version.epoch}`;
    const termStarts = authoritative && !this.authoritative && this.isDc;
    this.authoritative = authoritative;
    if (termStarts) this.startTerm(cib, out);
    if (epoch !== this.lastEpoch) {
      this.lastEpoch = epoch;
      if (this.isDc) this.invalidate('configuration changed', out);
    }
  }

  /**
   * The DC's join, once its CIB replica has chosen the CIB of this view: the status in that CIB
   * may be another partition's, so the DC writes what it knows itself (quorum, who is a member,
   * who left) and replaces every member's history with what the member reports (join offers).
   */
  private startTerm(cib: Cib, out: ControllerEffect<Change>[]): void {
    const self = this.options.self;
    // Operations asked of other members in the last view may never run (a member drops requests
    // that come before this term's join offer): their actions end now, so that the aborted graph
    // does not wait out their timeouts; the join's histories say what was done.
    for (const [key, sent] of [...this.dispatched]) {
      if (sent.node === self) continue;
      this.dispatched.delete(key);
      this.perform(this.te.step(this.now, { kind: 'action-result', graphId: sent.graphId, actionId: sent.actionId, ok: false, reason: `superseded by the join of a new view (node ${this.nameOf(sent.node)})` }), out);
    }
    this.write(this.options.changes.cluster(this.quorate, String(self)), out);
    for (const state of cib.status.nodes) {
      const id = state.uname === undefined ? undefined : this.ids.get(state.uname);
      if (id === undefined || state.inCcm !== true || this.members.has(id)) continue;
      // Left without saying goodbye: unclean, so the policy fences it; unless it was fenced
      // while still a member, and then it is down already and its resources can be recovered.
      const name = state.uname as string;
      this.write(this.fencedMembers.isFenced(id, undefined) ? this.options.changes.fenced(name) : this.options.changes.lost(name), out);
    }
    this.joinRound++;
    this.pendingJoin.clear();
    for (const n of [...this.members.keys()].sort((a, b) => a - b)) {
      // Fenced, but membership has not noticed yet: down, and it would never answer the join.
      if (this.fencedMembers.isFenced(n, this.members.get(n))) {
        this.write(this.options.changes.fenced(this.nameOf(n)), out);
        continue;
      }
      this.write(this.options.changes.member(this.nameOf(n)), out);
      this.pendingJoin.add(n);
    }
    // The DC's own history, once its LRM has finished what an earlier term asked of it.
    this.answerOwnJoin(out);
    this.offerJoin(out);
    this.invalidate('new DC term', out);
  }

  private onMessage(from: NodeId, m: ControllerMessage, out: ControllerEffect<Change>[]): void {
    switch (m.type) {
      case 'lrm-request':
        // Only the DC of this node's view may ask for operations.
        if (from !== this.dc) {
          out.push({ kind: 'problem', message: `operation request from node ${from}, which is not the DC, ignored` });
          return;
        }
        // A request the DC sent in an earlier view (held by the channel through a partition) comes
        // before the DC's join offer of this view: it belongs to a plan made on an old picture (this
        // node may have stopped the resource since), so it is dropped; the DC plans anew after the join.
        if (from !== this.options.self && this.offeredBy !== from) {
          out.push({ kind: 'problem', message: `operation request from the DC (node ${from}) sent before its join offer of this view, ignored: ${m.request.resource} ${m.request.operation}` });
          return;
        }
        this.localInFlight.set(requestKey(m.request), m.request);
        out.push({ kind: 'lrm-execute', request: m.request });
        return;
      case 'lrm-result':
        if (this.isDc) this.onResultAtDc(m.result, out);
        return;
      case 'join-offer':
        if (m.members !== undefined && !this.inView(m.members)) {
          this.earlyOffer = { from, round: m.round, members: m.members.map((x) => ({ id: x.id as NodeId, incarnation: x.incarnation })) };
          return;
        }
        if (from !== this.dc) return;
        this.takeOffer(from, m.round, out);
        return;
      case 'lrm-state':
        if (!this.isDc || !this.pendingJoin.has(from) || m.round !== this.joinRound) return;
        this.pendingJoin.delete(from);
        this.write(this.options.changes.history(this.nameOf(from), m.results), out);
        this.invalidate(`node ${this.nameOf(from)} joined`, out);
        return;
    }
  }

  private onLocalResult(result: LrmResult, out: ControllerEffect<Change>[]): void {
    const r = result.request;
    this.localResults.set(requestKey(r), result);
    this.localInFlight.delete(requestKey(r));
    if (r.operation === 'stop' && resultMatches(result)) {
      // A stopped resource's recurring monitors end with it; their last results are history.
      for (const [key, old] of this.localResults) if (old.request.resource === r.resource && old.request.interval > 0) this.localResults.delete(key);
    }
    if (this.dc !== null) out.push({ kind: 'send', to: this.dc, message: { type: 'lrm-result', v: CONTROLLER_PROTOCOL, result } });
    this.answerOffer(out);
    this.answerOwnJoin(out);
  }

  /**
   * Offers the join to every member whose history has not come in, and again every second until
   * it has: an offer can be lost with a stream the channel gave up on while the view still holds.
   */
  private offerJoin(out: ControllerEffect<Change>[]): void {
    if (!this.isDc) return;
    const waiting = [...this.pendingJoin].filter((n) => n !== this.options.self);
    const members = [...this.members].map(([id, incarnation]) => ({ id, incarnation }));
    for (const n of waiting) out.push({ kind: 'send', to: n, message: { type: 'join-offer', v: CONTROLLER_PROTOCOL, round: this.joinRound, members } });
    if (waiting.length > 0) out.push({ kind: 'set-timer', timer: JOIN_RETRY_TIMER, afterMs: JOIN_RETRY_MS as Millis });
  }

  private takeOffer(from: NodeId, round: number, out: ControllerEffect<Change>[]): void {
    this.offeredBy = from;
    this.pendingOffer = { from, round };
    this.answerOffer(out);
  }

  /** Whether `members` is this node's current view (same ids, same incarnations). */
  private inView(members: readonly { readonly id: number; readonly incarnation: number }[]): boolean {
    return members.length === this.members.size && members.every((m) => this.members.get(m.id as NodeId) === m.incarnation);
  }

  /** Answers the DC's join offer with this node's history, once nothing is in flight here. */
  private answerOffer(out: ControllerEffect<Change>[]): void {
    const offer = this.pendingOffer;
    if (offer === undefined || this.localInFlight.size > 0) return;
    this.pendingOffer = undefined;
    if (offer.from !== this.dc) return;
    out.push({ kind: 'send', to: offer.from, message: { type: 'lrm-state', v: CONTROLLER_PROTOCOL, round: offer.round, results: [...this.localResults.values()] } });
  }

  /** The DC's own part of its join, likewise once its LRM is idle. */
  private answerOwnJoin(out: ControllerEffect<Change>[]): void {
    const self = this.options.self;
    if (!this.isDc || !this.pendingJoin.has(self) || this.localInFlight.size > 0) return;
    this.pendingJoin.delete(self);
    this.write(this.options.changes.history(this.nameOf(self), [...this.localResults.values()]), out);
    this.invalidate('own history written', out);
  }

  private onResultAtDc(result: LrmResult, out: ControllerEffect<Change>[]): void {
    this.write(this.options.changes.operation(result), out);
    const graph = result.request.graph;
    const probe = result.request.operation === 'monitor' && result.request.interval === 0;
    // A probe succeeds as an action whatever it finds; finding something running is news.
    const ok = probe ? result.opStatus === 0 && [0, 7, 8].includes(result.rc) : resultMatches(result);
    const expected = ok && (!probe || result.rc === result.request.expectedRc);
    const active = this.te.active;
    if (graph !== undefined) this.dispatched.delete(`${graph.graphId}/${graph.actionId}`);
    if (graph !== undefined && active?.graphId === graph.graphId) {
      // Abort before the result is fed: what waited for this action must not be dispatched when
      // the result says the plan was made on a wrong picture (a probe that finds it running).
      if (!expected) this.invalidate(`unexpected result: ${describeFailure(result)}`, out);
      this.perform(this.te.step(this.now, { kind: 'action-result', graphId: graph.graphId, actionId: graph.actionId, ok, ...(ok ? {} : { reason: describeFailure(result) }) }), out);
      return;
    }
    if (!expected || graph !== undefined) this.invalidate(`result outside the transition: ${result.request.resource} ${result.request.operation} on ${result.node}`, out);
  }

  private onFenceResult(requestId: string, ok: boolean, reason: string | undefined, out: ControllerEffect<Change>[]): void {
    const pending = this.pendingFences.get(requestId);
    if (pending === undefined) return;
    this.pendingFences.delete(requestId);
    if (ok) {
      this.rememberFence(pending.target);
      this.write(this.options.changes.fenced(pending.target), out);
    }
    this.perform(this.te.step(this.now, { kind: 'action-result', graphId: pending.graphId, actionId: pending.actionId, ok, ...(reason === undefined ? {} : { reason }) }), out);
  }

  private onNodeFenced(target: string, by: string, out: ControllerEffect<Change>[]): void {
    if (!this.ids.has(target)) return;
    // Every node remembers it: the target may be the DC, and the next DC must know too.
    this.rememberFence(target);
    if (!this.isDc) return;
    this.write(this.options.changes.fenced(target), out);
    for (const [requestId, pending] of [...this.pendingFences]) {
      if (pending.target !== target) continue;
      this.pendingFences.delete(requestId);
      this.perform(this.te.step(this.now, { kind: 'action-result', graphId: pending.graphId, actionId: pending.actionId, ok: true }), out);
    }
    this.invalidate(`node ${target} fenced by ${by}`, out);
  }

  /** A fence of `target` succeeded: remember it while the target is still a member. */
  private rememberFence(target: string): void {
    const id = this.ids.get(target);
    if (id !== undefined && id !== this.options.self) this.fencedMembers.recordFence(id, this.members.get(id));
  }

  /** Something changed: abort what is running and plan again once it has stopped. */
  private invalidate(reason: string, out: ControllerEffect<Change>[]): void {
    this.dirty = true;
    if (this.te.active !== undefined) this.perform(this.te.step(this.now, { kind: 'abort', reason }), out);
  }

  private maybeSchedule(out: ControllerEffect<Change>[]): void {
    if (!this.isDc || !this.authoritative || !this.dirty || this.cib === undefined) return;
    if (this.te.active !== undefined || this.pendingWrites.size > 0 || this.pendingFences.size > 0 || this.pendingJoin.size > 0) return;
    if (this.waitingForNodesAtStartup()) return;
    this.dirty = false;
    const result = this.options.schedule(this.cib, this.options.wallClock(this.now));
    const runnable = result.graph.actions.filter((a) => a.kind !== 'pseudo' && (a).runnable !== false).length;
    this.graphId++;
    out.push({ kind: 'transition-started', graphId: this.graphId, actions: runnable, summary: result.summary });
    this.currentHadWork = runnable > 0;
    this.catalog = new ResourceCatalog(this.cib);
    this.dispatched.clear();
    this.perform(this.te.step(this.now, { kind: 'run', graphId: this.graphId, graph: result.graph }), out);
  }

  /**
   * Within the startup grace, with a configured node never seen in a view since start (the grace
   * timer ends it). A node seen once and lost since is a lost node like any other.
   */
  private waitingForNodesAtStartup(): boolean {
    if (this.startupGraceUntil === undefined) return false;
    if (this.now >= this.startupGraceUntil) {
      this.startupGraceUntil = undefined;
      return false;
    }
    if (this.options.nodes.every((n) => this.seenSinceStart.has(n.id))) {
      this.startupGraceUntil = undefined;
      return false;
    }
    return true;
  }

  private perform(effects: readonly TransitionEffect[], out: ControllerEffect<Change>[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case 'execute':
          this.execute(e.graphId, e.action, out);
          break;
        case 'fence': {
          const target = e.action.node ?? '';
          const requestId = `fence-${e.graphId}-${e.action.id}`;
          this.pendingFences.set(requestId, { graphId: e.graphId, actionId: e.action.id, target });
          out.push({ kind: 'fence', requestId, target, action: fenceAction(e.action.id) });
          break;
        }
        case 'set-timer':
        case 'cancel-timer':
          out.push(e);
          break;
        case 'transition-complete':
          out.push({ kind: 'transition-finished', graphId: e.graphId, status: e.status, ...(e.reason === undefined ? {} : { reason: e.reason }) });
          // A transition that did something may have made room for more; one that did nothing
          // ends the loop, so a graph of blocked actions is not planned again and again.
          if (e.status !== 'complete' || this.currentHadWork) this.dirty = true;
          break;
        case 'run-refused':
          out.push({ kind: 'problem', message: `transition ${e.graphId} refused while ${e.busyWith} runs` });
          break;
        case 'action-finished':
        case 'stale-result':
        case 'send':
        case 'broadcast':
          break;
      }
    }
  }

  private execute(graphId: number, action: GraphAction, out: ControllerEffect<Change>[]): void {
    const node = action.node === undefined ? undefined : this.ids.get(action.node);
    const request = this.catalog?.request(action, { graphId, actionId: action.id });
    if (node === undefined || request === undefined || !request.ok) {
      const why = node === undefined ? `node ${action.node ?? '(none)'} is not configured` : request?.ok === false ? request.message : 'no catalog';
      this.perform(this.te.step(this.now, { kind: 'action-result', graphId, actionId: action.id, ok: false, reason: why }), out);
      return;
    }
    this.dispatched.set(`${graphId}/${action.id}`, { graphId, actionId: action.id, node });
    out.push({ kind: 'send', to: node, message: { type: 'lrm-request', v: CONTROLLER_PROTOCOL, request: request.request } });
  }

  private write(change: Change, out: ControllerEffect<Change>[]): void {
    const requestId = `status-${this.options.self}-${++this.writeSeq}`;
    this.pendingWrites.add(requestId);
    out.push({ kind: 'cib-request', requestId, change });
  }

  private resultTimeout(action: GraphAction): Millis {
    const request = this.catalog?.request(action);
    const own = request?.ok === true ? request.request.timeout : 60_000;
    return (own + this.options.resultGraceMs) as Millis;
  }

  private nameOf(id: NodeId): string {
    return this.names.get(id) ?? `node${id}`;
  }
}

/**
 * The parts of the status that are requests to the policy engine rather than history: each node's
 * shutdown request and transient attributes other than fail counts (which come with the results
 * the DC reacts to anyway). One string, so that two CIBs compare cheaply.
 */
function nodeRequests(cib: Cib): string {
  const parts: string[] = [];
  for (const state of cib.status.nodes) {
    const attributes = (state.transientAttributes?.sets ?? []).flatMap((set) => set.pairs.filter((p) => !p.name.startsWith('fail-count-') && !p.name.startsWith('last-failure-')).map((p) => `${p.name}=${p.value ?? ''}`));
    if ((state.shutdown ?? 0) === 0 && attributes.length === 0) continue;
    parts.push(`${state.uname ?? state.id ?? ''}:${state.shutdown ?? 0}:${attributes.join(',')}`);
  }
  return parts.join(';');
}

/**
 * How much failure and operation history the status holds: resources with history on each node
 * plus fail-count and last-failure attributes, without the `except` nodes. Results only add to
 * it; a smaller number means something was cleared. A count, not a set, because the DC sees every
 * status write.
 */
function historySize(cib: Cib, except: ReadonlySet<string>): number {
  let size = 0;
  for (const state of cib.status.nodes) {
    if (except.has(nodeKey(state))) continue;
    size += state.lrm?.resources.length ?? 0;
    for (const set of state.transientAttributes?.sets ?? []) size += set.pairs.filter((p) => p.name.startsWith('fail-count-') || p.name.startsWith('last-failure-')).length;
  }
  return size;
}

/** Nodes that are cleanly down (fenced or shut down: out of the membership, expected down). */
function downNodes(cib: Cib): Set<string> {
  return new Set(cib.status.nodes.filter((state) => state.inCcm !== true && state.expected === 'down').map(nodeKey));
}

function nodeKey(state: Cib['status']['nodes'][number]): string {
  return state.uname ?? state.id ?? '';
}

const JOIN_RETRY_TIMER = 'join-retry';
const STARTUP_GRACE_TIMER = 'startup-grace';
const JOIN_RETRY_MS = 1000;

function requestKey(r: LrmRequest): string {
  return `${r.resource}_${r.operation}_${r.interval}`;
}

function describeFailure(result: LrmResult): string {
  const r = result.request;
  return `${r.resource} ${r.operation}${r.interval > 0 ? `_${r.interval}` : ''} on ${result.node}: rc=${result.rc} status=${result.opStatus}${result.exitReason === undefined ? '' : ` (${result.exitReason})`}`;
}

/** `fence-reboot@node` -> reboot. */
function fenceAction(actionId: string): string {
  const m = /^fence-([a-z]+)@/.exec(actionId);
  return m?.[1] ?? 'reboot';
}
