import { type BaseEffect, type BaseInput, type Millis, type NodeCore, type NodeId } from '../../lib/index.js';
import { chooseCandidate } from './connectivity.js';
import { FailureDetector, type DetectorEvent, type PeerStatus } from './failure-detector.js';
import { LinkHealth, type LinkEvent, type LinkPeerHealth } from './link-health.js';
import { LinkRates, type PlannedBeat } from './link-rates.js';
import { assertMembershipConfig, type MembershipConfig } from './membership-config.js';
import type { AckMessage, CommitMessage, Echo, HeartbeatMessage, MembershipMessage, ProposeMessage } from './messages.js';
import { evaluateQuorum, type QuorumState } from './quorum.js';
import { compareViewIds, hasMember, sameMembers, sortMembers, type Member, type View, type ViewId } from './view.js';

export type MembershipInput =
  | BaseInput<MembershipMessage>
  /** Clean shutdown: tell the peers, then go quiet. */
  | { readonly kind: 'leave' }
  /** The driver's ping-target prober: whether any target answered recently. */
  | { readonly kind: 'ping-targets'; readonly reachable: boolean };

/** Events for the layers above (CIB, DC duties, CLI, SNMP) and for the log. */
export type MembershipEvent =
  | DetectorEvent
  | LinkEvent
  | { readonly kind: 'view-change'; readonly view: View | null; readonly previous: View | null; readonly reason: 'installed' | 'expelled' }
  | { readonly kind: 'quorum-change'; readonly quorum: QuorumState };

export type MembershipEffect = BaseEffect<MembershipMessage> | MembershipEvent;

export interface PeerSummary {
  readonly id: NodeId;
  readonly status: PeerStatus;
  readonly incarnation: number;
  readonly lastHeardAgoMs: number | null;
}

/** What `heartline members` and `heartline links` show. */
export interface MembershipStatus {
  readonly self: Member;
  readonly view: View | null;
  readonly quorum: QuorumState;
  readonly peers: readonly PeerSummary[];
  readonly links: readonly LinkPeerHealth[];
  readonly proposing: ViewId | null;
  readonly dropped: Readonly<Record<string, number>>;
}

interface Proposal {
  readonly id: ViewId;
  readonly members: readonly Member[];
  /** Each member's installed view as its ack reported it (the proposer's own included). */
  readonly acks: Map<NodeId, View | null>;
}

interface PeerGossip {
  readonly incarnation: number;
  readonly hears: readonly Member[];
  /** The send order of the heartbeat this came from, when the driver knows it. */
  order: number | undefined;
}

const SENT_BEATS_KEPT = 128;

/**
 * Membership: the CCM of Heartline, a pure state machine (see lib/node-core.ts for the driver
 * contract). It keeps a peer alive while any link delivers its messages (FailureDetector), watches
 * each link (LinkHealth), and agrees views with the other members:
 *
 * 1. Every keepalive, a heartbeat goes out on every link, carrying whom this node hears and its view.
 * 2. From that gossip each node computes its candidate: the largest set of nodes that all hear each
 *    other (connectivity.ts). The candidate's lowest node id is its proposer.
 * 3. When the proposer's candidate differs from its view, it proposes a new view id (higher than
 *    any it has seen) to the candidate's members. A member accepts if it is in the proposal in its
 *    current incarnation, hears every proposed member, has promised no higher view, and the
 *    proposer is the proposer of its own candidate (so that two proposers with different
 *    knowledge, at the two ends of a one-way link, cannot pull a member back and forth); it then
 *    promises this one.
 * 4. With every member's acceptance the proposer commits: it chooses the DC (the current DC of the
 *    largest previous view among the members, so that the DC moves only when it must) and sends
 *    the view. Members that miss the commit adopt the view from the proposer's next heartbeat,
 *    which is safe because a committed view containing them was accepted by them.
 * 5. A member that sees a peer of its own view move to a higher view without it has been expelled
 *    (it was frozen, or its links failed one way): it drops its view, and rejoins through 2-4.
 *
 * Safety (one content per view id; a node is always in its own view; view ids only grow in an
 * incarnation) does not depend on timing. Liveness needs the network to be quiet for a few
 * keepalives, which the simulator's second phase checks.
 */
export class Membership implements NodeCore<MembershipInput, MembershipEffect> {
  private readonly me: Member;
  private readonly peers: readonly NodeId[];
  private detector: FailureDetector | undefined;
  private readonly linkHealth: LinkHealth;
  private readonly linkRates: LinkRates;
  private readonly gossip = new Map<NodeId, PeerGossip>();
  private view: View | null = null;
  /**
   * The newest view this node has installed, kept when it is expelled: no older view is installed
   * again. Otherwise a node expelled from a view (a member moved on to a newer one) took the same
   * view straight back from another member's heartbeat, was expelled again by the next, and the
   * proposer, back in a view with the members it wanted, abandoned the proposal that would have
   * fixed it (`sim membership --seed 5551496`: no convergence in 6.5 s without faults).
   */
  private newestViewId: ViewId | null = null;
  private promised: ViewId | null = null;
  private maxSeq = 0;
  private proposal: Proposal | null = null;
  /** After a rejected proposal, wait a keepalive for gossip to settle before proposing again. */
  private backingOff = false;
  /** Something the candidate depends on changed since evaluate() last decided (gossip, liveness, view). */
  private dirty = true;
  private seenAll = false;
  private pingReachable: boolean | undefined = undefined;
  private quorum: QuorumState;
  private readonly beats = new Map<string, number>();
  private readonly sentAt = new Map<string, Map<number, number>>();
  private readonly lastBeatFrom = new Map<string, { beat: number; at: number }>();
  /** Per peer, the highest heartbeat number heard from its current incarnation (on any link): how long it has run. */
  private readonly roundsHeard = new Map<NodeId, { incarnation: number; beat: number }>();
  private detectArmedAt: number | undefined;
  /** When the 'tick' timer fires next: deadlines from then on are checked by the tick, not a timer of their own. */
  private nextTickAt: number | undefined;
  private leaving = false;
  private readonly dropped: Record<string, number> = { 'stale-incarnation': 0, 'unknown-sender': 0, 'before-start': 0 };

  constructor(
    private readonly config: MembershipConfig,
    incarnation: number,
  ) {
    assertMembershipConfig(config);
    this.me = { id: config.self, incarnation };
    this.peers = config.nodes.map((n) => n.id).filter((id) => id !== config.self);
    this.linkHealth = new LinkHealth(config.timing.deadtimeMs, config.timing.keepaliveMs, this.peers, config.links);
    this.linkRates = new LinkRates(config.timing, config.links, this.peers);
    this.quorum = this.evaluateQuorum();
  }

  step(now: Millis, input: MembershipInput): readonly MembershipEffect[] {
    const effects: MembershipEffect[] = [];
    if (this.leaving) return effects;
    if (input.kind === 'start') {
      const detector = new FailureDetector(this.config.timing, this.peers, now);
      this.detector = detector;
      this.sendHeartbeats(now, this.linkRates.atTick(now, this.isAlive(detector)), effects);
      this.armTick(now, effects);
    } else if (this.detector === undefined) {
      this.dropped['before-start'] = (this.dropped['before-start'] ?? 0) + 1;
      return effects;
    } else {
      this.dispatch(now, input, this.detector, effects);
    }
    if (!this.leaving) {
      this.evaluate(effects);
      this.armDetect(now, effects);
    }
    return effects;
  }

  /** A read-only picture for the CLI and SNMP. */
  status(now: Millis): MembershipStatus {
    const detector = this.detector;
    return {
      self: this.me,
      view: this.view,
      quorum: this.quorum,
      peers: this.peers.map((id) => {
        const lastHeard = detector?.lastHeard(id);
        return { id, status: detector?.status(id) ?? 'unknown', incarnation: detector?.incarnation(id) ?? 0, lastHeardAgoMs: lastHeard === undefined ? null : now - lastHeard };
      }),
      links: this.linkHealth.snapshot(now),
      proposing: this.proposal?.id ?? null,
      dropped: { ...this.dropped },
    };
  }

  private dispatch(now: Millis, input: MembershipInput, detector: FailureDetector, effects: MembershipEffect[]): void {
    switch (input.kind) {
      case 'start':
        return;
      case 'leave':
        for (const link of this.config.links) effects.push({ kind: 'broadcast', link, message: { type: 'leave', incarnation: this.me.incarnation } });
        effects.push({ kind: 'cancel-timer', timer: 'tick' }, { kind: 'cancel-timer', timer: 'detect' }, { kind: 'cancel-timer', timer: 'proposal' });
        this.nextTickAt = undefined;
        this.leaving = true;
        return;
      case 'ping-targets':
        this.pingReachable = input.reachable;
        this.updateQuorum(effects);
        return;
      case 'timeout':
        this.onTimeout(now, input.timer, detector, effects);
        return;
      case 'receive':
        this.onReceive(now, input.from, input.message, input.link, input.order, detector, effects);
        return;
    }
  }

  private onTimeout(now: Millis, timer: string, detector: FailureDetector, effects: MembershipEffect[]): void {
    switch (timer) {
      case 'tick':
        // Deadlines at or after this tick had no timer of their own (armDetect): check them first,
        // so that the heartbeat's gossip already leaves out a peer that just died.
        this.checkDeadlines(now, detector, effects);
        this.sendHeartbeats(now, this.linkRates.atTick(now, this.isAlive(detector)), effects);
        this.armTick(now, effects);
        return;
      case 'detect':
        this.detectArmedAt = undefined;
        this.checkDeadlines(now, detector, effects);
        return;
      case 'proposal':
        // The proposal (or the back-off after a rejected one) ran out; evaluate() decides afresh.
        this.proposal = null;
        this.backingOff = false;
        this.dirty = true;
        return;
    }
  }

  private onReceive(now: Millis, from: NodeId, message: MembershipMessage, link: string | undefined, order: number | undefined, detector: FailureDetector, effects: MembershipEffect[]): void {
    if (from === this.me.id || !this.peers.includes(from)) {
      this.dropped['unknown-sender'] = (this.dropped['unknown-sender'] ?? 0) + 1;
      return;
    }
    if (!detector.isCurrent(from, message.incarnation)) {
      this.dropped['stale-incarnation'] = (this.dropped['stale-incarnation'] ?? 0) + 1;
      return;
    }
    if (message.type === 'leave') {
      this.applyDetector(detector.left(from, message.incarnation, now), effects);
      return;
    }
    this.applyDetector(detector.heard(from, message.incarnation, now), effects);
    switch (message.type) {
      case 'heartbeat':
        this.onHeartbeat(now, from, message, link, order, effects);
        if (this.nextTickAt !== undefined && this.nextTickAt - now <= this.config.timing.keepaliveMs / 2) {
          // The tick is due soon: run it in this wake-up rather than waking again for it. Peers
          // then fall into step (each answers the first heartbeat of a round), and a node's
          // heartbeats stay between half a keepalive and a keepalive apart.
          this.onTimeout(now, 'tick', detector, effects);
          return;
        }
        // The carrier may just have been seen to fail: probed links go back to full rate at once.
        this.sendHeartbeats(now, this.linkRates.afterReceive(now, this.isAlive(detector)), effects);
        return;
      case 'propose':
        this.onPropose(from, message, detector, effects);
        return;
      case 'ack':
        this.onAck(from, message, effects);
        return;
      case 'commit':
        this.onCommit(message, effects);
        return;
    }
  }

  private onHeartbeat(now: Millis, from: NodeId, message: HeartbeatMessage, link: string | undefined, order: number | undefined, effects: MembershipEffect[]): void {
    const known = this.gossip.get(from);
    // A heartbeat overtaken on a slower link (a serial line) says whom the peer heard before its
    // newer heartbeats did: taking its `hears` would drop a node the peer already hears from this
    // node's candidate. A freshly restarted node once proposed a view of itself alone that way, a
    // few milliseconds after joining, and (two_node: quorate alone) fenced the healthy peer.
    const stale = order !== undefined && known !== undefined && known.incarnation === message.incarnation && known.order !== undefined && order < known.order;
    // A stale one still counts below, for liveness and link health: the peer did send it.
    if (!stale) {
      if (known === undefined || known.incarnation !== message.incarnation || !sameMembers(known.hears, message.hears)) {
        this.gossip.set(from, { incarnation: message.incarnation, hears: message.hears, order });
        this.dirty = true;
      } else {
        known.order = order;
      }
    }
    const rounds = this.roundsHeard.get(from);
    if (rounds === undefined) this.roundsHeard.set(from, { incarnation: message.incarnation, beat: message.beat });
    else if (rounds.incarnation !== message.incarnation) [rounds.incarnation, rounds.beat] = [message.incarnation, message.beat];
    else rounds.beat = Math.max(rounds.beat, message.beat);
    if (link !== undefined && this.config.links.includes(link)) {
      effects.push(...this.linkHealth.heard(from, link, message.incarnation, message.beat, now, message.intervalMs));
      this.lastBeatFrom.set(`${from}\u0000${link}`, { beat: message.beat, at: now });
      const echo = message.echoes.find((e) => e.node === this.me.id);
      this.linkRates.heard(from, link, echo?.holdMs, now);
      const sent = echo === undefined ? undefined : this.sentAt.get(link)?.get(echo.beat);
      if (echo !== undefined && sent !== undefined) this.linkHealth.rtt(from, link, now - sent - echo.holdMs);
    }
    const theirs = message.view;
    if (theirs === null) return;
    this.maxSeq = Math.max(this.maxSeq, theirs.id.seq);
    if (this.newestViewId !== null && compareViewIds(theirs.id, this.newestViewId) <= 0) return;
    if (hasMember(theirs.members, this.me)) {
      // A committed view with us in it: we accepted it, and missed (or have not yet had) the commit.
      this.install(theirs, effects);
    } else if (this.view !== null && this.view.members.some((m) => m.id === from && m.incarnation === message.incarnation)) {
      // A member of our view moved on without us: we were expelled.
      const previous = this.view;
      this.view = null;
      this.dirty = true;
      effects.push({ kind: 'view-change', view: null, previous, reason: 'expelled' });
      this.updateQuorum(effects);
    }
  }

  private onPropose(from: NodeId, message: ProposeMessage, detector: FailureDetector, effects: MembershipEffect[]): void {
    this.maxSeq = Math.max(this.maxSeq, message.viewId.seq);
    // A view id names one proposal, so a copy of the proposal we promised is accepted again.
    const again = this.promised !== null && compareViewIds(message.viewId, this.promised) === 0 && this.proposal === null;
    const accepted =
      again ||
      (hasMember(message.members, this.me) &&
      message.members.some((m) => m.id === from) &&
      this.candidate(detector)[0]?.id === from &&
      (this.promised === null || compareViewIds(message.viewId, this.promised) > 0) &&
      (this.view === null || compareViewIds(message.viewId, this.view.id) > 0) &&
      message.members.every((m) => m.id === this.me.id || (detector.status(m.id) === 'alive' && detector.incarnation(m.id) === m.incarnation)));
    if (accepted) {
      this.promised = message.viewId;
      if (this.proposal !== null && compareViewIds(this.proposal.id, message.viewId) < 0) this.abandonProposal(effects, 0);
    }
    effects.push({ kind: 'send', to: from, message: { type: 'ack', incarnation: this.me.incarnation, viewId: message.viewId, accepted, promised: this.promised, current: this.view } });
  }

  private onAck(from: NodeId, message: AckMessage, effects: MembershipEffect[]): void {
    if (message.promised !== null) this.maxSeq = Math.max(this.maxSeq, message.promised.seq);
    const proposal = this.proposal;
    if (proposal === null || compareViewIds(proposal.id, message.viewId) !== 0) return;
    if (!message.accepted) {
      this.abandonProposal(effects, this.config.timing.keepaliveMs);
      return;
    }
    proposal.acks.set(from, message.current);
    if (proposal.members.every((m) => proposal.acks.has(m.id))) this.commit(proposal, effects);
  }

  private onCommit(message: CommitMessage, effects: MembershipEffect[]): void {
    const view = message.view;
    this.maxSeq = Math.max(this.maxSeq, view.id.seq);
    if (!hasMember(view.members, this.me)) return;
    if (this.newestViewId !== null && compareViewIds(view.id, this.newestViewId) <= 0) return;
    this.install(view, effects);
  }

  private evaluate(effects: MembershipEffect[]): void {
    const detector = this.detector;
    if (!this.dirty || this.backingOff || detector === undefined || !detector.settled()) return;
    this.dirty = false;
    const candidate = this.candidate(detector);
    if (candidate[0]?.id !== this.me.id) return; // someone else proposes this candidate
    if (this.view !== null && sameMembers(this.view.members, candidate)) {
      if (this.proposal !== null) this.abandonProposal(effects, 0);
      return;
    }
    if (this.proposal !== null && sameMembers(this.proposal.members, candidate)) return;
    this.propose(candidate, effects);
  }

  /** The membership this node would propose now (see connectivity.ts); its lowest id is its proposer. */
  private candidate(detector: FailureDetector): Member[] {
    const alive = this.peers.filter((id) => detector.status(id) === 'alive').map((id) => ({ id, incarnation: detector.incarnation(id) }));
    return chooseCandidate({
      self: this.me,
      alive,
      hearsOf: (node) => {
        const gossip = this.gossip.get(node);
        return gossip !== undefined && gossip.incarnation === detector.incarnation(node) ? gossip.hears : undefined;
      },
      ...(this.view === null ? {} : { current: this.view.members }),
    });
  }

  private propose(members: Member[], effects: MembershipEffect[]): void {
    const seq = Math.max(this.maxSeq, this.view?.id.seq ?? 0, this.promised?.seq ?? 0) + 1;
    const id: ViewId = { seq, proposer: this.me.id, incarnation: this.me.incarnation };
    this.maxSeq = seq;
    this.promised = id;
    const proposal: Proposal = { id, members, acks: new Map([[this.me.id, this.view]]) };
    this.proposal = proposal;
    if (members.length === 1) {
      this.commit(proposal, effects);
      return;
    }
    for (const m of members) {
      if (m.id !== this.me.id) effects.push({ kind: 'send', to: m.id, message: { type: 'propose', incarnation: this.me.incarnation, viewId: id, members } });
    }
    effects.push({ kind: 'set-timer', timer: 'proposal', afterMs: (2 * this.config.timing.keepaliveMs) as Millis });
  }

  /** Heartbeat rounds `member` has sent in its incarnation, as far as this node knows (0: unknown). */
  private roundsRun(member: Member): number {
    if (member.id === this.me.id) return Math.max(0, ...this.beats.values());
    const heard = this.roundsHeard.get(member.id);
    return heard !== undefined && heard.incarnation === member.incarnation ? heard.beat : 0;
  }

  private abandonProposal(effects: MembershipEffect[], backoffMs: number): void {
    this.proposal = null;
    this.backingOff = backoffMs > 0;
    this.dirty = true;
    // The 'proposal' timer doubles as the end of the back-off.
    effects.push(backoffMs > 0 ? { kind: 'set-timer', timer: 'proposal', afterMs: backoffMs as Millis } : { kind: 'cancel-timer', timer: 'proposal' });
  }

  private commit(proposal: Proposal, effects: MembershipEffect[]): void {
    const view: View = { id: proposal.id, members: proposal.members, dc: chooseDc(proposal.members, [...proposal.acks.values()], (member) => this.roundsRun(member)) };
    for (const m of proposal.members) {
      if (m.id !== this.me.id) effects.push({ kind: 'send', to: m.id, message: { type: 'commit', incarnation: this.me.incarnation, view } });
    }
    this.install(view, effects);
  }

  private install(view: View, effects: MembershipEffect[]): void {
    const previous = this.view;
    this.view = view;
    this.newestViewId = view.id;
    this.dirty = true;
    this.maxSeq = Math.max(this.maxSeq, view.id.seq);
    if (this.promised === null || compareViewIds(this.promised, view.id) < 0) this.promised = view.id;
    if (this.proposal !== null && compareViewIds(this.proposal.id, view.id) <= 0) {
      this.proposal = null;
      effects.push({ kind: 'cancel-timer', timer: 'proposal' });
    }
    if (this.config.nodes.every((n) => view.members.some((m) => m.id === n.id))) this.seenAll = true;
    effects.push({ kind: 'view-change', view, previous, reason: 'installed' });
    this.updateQuorum(effects);
  }

  private applyDetector(events: DetectorEvent[], effects: MembershipEffect[]): void {
    for (const event of events) {
      effects.push(event);
      if (event.kind === 'node-down') this.gossip.delete(event.node);
      if (event.kind !== 'peer-late') this.dirty = true;
    }
  }

  private updateQuorum(effects: MembershipEffect[]): void {
    const next = this.evaluateQuorum();
    if (next.quorate !== this.quorum.quorate || next.votes !== this.quorum.votes || next.reason !== this.quorum.reason) {
      this.quorum = next;
      effects.push({ kind: 'quorum-change', quorum: next });
    }
  }

  private evaluateQuorum(): QuorumState {
    return evaluateQuorum(this.config.quorum, {
      members: this.view?.members ?? null,
      votesOf: (id) => this.config.nodes.find((n) => n.id === id)?.votes ?? 0,
      seenAll: this.seenAll,
      pingTargetsReachable: this.pingReachable,
    });
  }

  private isAlive(detector: FailureDetector): (peer: NodeId) => boolean {
    return (peer) => detector.status(peer) === 'alive';
  }

  private checkDeadlines(now: Millis, detector: FailureDetector, effects: MembershipEffect[]): void {
    this.applyDetector(detector.check(now), effects);
    effects.push(...this.linkHealth.check(now));
  }

  private armTick(now: Millis, effects: MembershipEffect[]): void {
    this.nextTickAt = now + this.config.timing.keepaliveMs;
    effects.push({ kind: 'set-timer', timer: 'tick', afterMs: this.config.timing.keepaliveMs });
  }

  private sendHeartbeats(now: Millis, planned: readonly PlannedBeat[], effects: MembershipEffect[]): void {
    if (planned.length === 0) return;
    const detector = this.detector;
    const hears = detector === undefined ? [] : sortMembers(this.peers.filter((id) => detector.status(id) === 'alive').map((id) => ({ id, incarnation: detector.incarnation(id) })));
    for (const { link, intervalMs } of planned) {
      const beat = (this.beats.get(link) ?? 0) + 1;
      this.beats.set(link, beat);
      let sent = this.sentAt.get(link);
      if (sent === undefined) {
        sent = new Map();
        this.sentAt.set(link, sent);
      }
      sent.set(beat, now);
      sent.delete(beat - SENT_BEATS_KEPT);
      const echoes: Echo[] = [];
      for (const peer of this.peers) {
        const last = this.lastBeatFrom.get(`${peer}\u0000${link}`);
        if (last !== undefined && now - last.at < this.config.timing.deadtimeMs) echoes.push({ node: peer, beat: last.beat, holdMs: now - last.at });
      }
      const message: HeartbeatMessage = { type: 'heartbeat', incarnation: this.me.incarnation, beat, hears, view: this.view, echoes };
      effects.push({ kind: 'broadcast', link, message: intervalMs > this.config.timing.keepaliveMs ? { ...message, intervalMs } : message });
    }
  }

  private armDetect(now: Millis, effects: MembershipEffect[]): void {
    const deadlines = [this.detector?.nextDeadline(), this.linkHealth.nextDeadline()].filter((d): d is Millis => d !== undefined);
    if (deadlines.length === 0) return;
    const next = Math.min(...deadlines);
    // A deadline at or after the next tick is checked by that tick: no wake-up of its own. In a
    // quiet cluster every deadline (warntime and deadtime after the last heartbeat) is, so the
    // detector costs no timer at all; a deadline between ticks still gets its exact timer.
    if (this.nextTickAt !== undefined && next >= this.nextTickAt) {
      if (this.detectArmedAt !== undefined) {
        this.detectArmedAt = undefined;
        effects.push({ kind: 'cancel-timer', timer: 'detect' });
      }
      return;
    }
    // Deadlines only move later as messages arrive; a timer set for an earlier one fires, finds
    // nothing due and re-arms for the new earliest. So re-arm only when something became earlier.
    if (this.detectArmedAt !== undefined && this.detectArmedAt <= next) return;
    this.detectArmedAt = next;
    effects.push({ kind: 'set-timer', timer: 'detect', afterMs: Math.max(0, next - now) as Millis });
  }
}

/**
 * The DC of a new view: the DC of the largest previous view among the members, if that DC is a
 * member in the same incarnation; otherwise the member with the lowest id. Keeping the DC where it
 * is avoids a needless hand-over when a node joins. Among views of one size the DC that has run
 * longest wins (`rounds`: heartbeat rounds sent in its incarnation, as the proposer heard them; the
 * longest uptime, as Pacemaker's election), then the newer view, then the lower id. Without the
 * uptime, a node fenced and booted again took the DC back from the survivor: it installs a view of
 * itself alone before the survivor hears it, and that view is newer than the survivor's.
 */
export function chooseDc(members: readonly Member[], previousViews: readonly (View | null)[], rounds: (member: Member) => number = () => 0): NodeId {
  let best: DcScore | undefined;
  for (const view of previousViews) {
    if (view === null) continue;
    const dcMember = view.members.find((m) => m.id === view.dc);
    if (dcMember === undefined || !hasMember(members, dcMember)) continue;
    const score = { dc: view.dc, size: view.members.length, rounds: rounds(dcMember), seq: view.id.seq };
    if (best === undefined || compareDcScores(score, best) > 0) best = score;
  }
  return best?.dc ?? (members[0] as Member).id;
}

interface DcScore {
  readonly dc: NodeId;
  readonly size: number;
  readonly rounds: number;
  readonly seq: number;
}

function compareDcScores(a: DcScore, b: DcScore): number {
  return a.size - b.size || a.rounds - b.rounds || a.seq - b.seq || b.dc - a.dc;
}
