/**
 * One simulated cluster node: the real membership core, reliable channel and HaStack (CIB replica +
 * controller) of a daemon, wired as the daemon wires them, with a simulated LRM and fence device
 * in place of processes and power switches. It is one NodeCore to the Simulation: timers are
 * prefixed by the part they belong to, and messages on the wire are membership or channel messages.
 */
import { type BaseEffect, type BaseInput, type Millis, type NodeCore, type NodeId } from '../../lib/index.js';
import { Membership, type MembershipConfig, type MembershipEffect, type MembershipMessage } from '../../ha/membership/index.js';
import { DEFAULT_CHANNEL_CONFIG, ReliableChannel, type ChannelEffect, type ChannelMessage } from '../../ha/messaging/index.js';
import { HaStack, type HaStackEffect, type HaStackInput, type HaStackOptions } from '../../ha/stack/index.js';
import type { Cib, CibRequestResult } from '../../ha/cib/index.js';
import type { ViewMember } from '../../ha/controller/index.js';
import { LRM_TIMER, type SimLrm, type SimLrmEffect } from './sim-lrm.js';

export type ClusterWire = { readonly k: 'm'; readonly m: MembershipMessage } | { readonly k: 'c'; readonly m: ChannelMessage };

/** What the node reports for the trace and the checkers. */
export type ClusterNodeEvent =
  | { readonly kind: 'view'; readonly members: readonly ViewMember[]; readonly dc: NodeId | null; readonly quorate: boolean }
  | { readonly kind: 'transition'; readonly text: string }
  | { readonly kind: 'fence-request'; readonly target: string }
  | { readonly kind: 'problem'; readonly message: string }
  | { readonly kind: 'reply'; readonly requestId: string; readonly result: CibRequestResult };

/** How the node reaches the world outside its process: its disk and the fence device. */
export interface ClusterNodeEnvironment {
  /** Writes the CIB to this node's disk (it survives a crash and a power cycle). */
  persist(node: NodeId, cib: Cib): void;
  /** Fences `target` for `by` now; false when it could not (the requester has no power, ...). */
  fence(by: NodeId, target: string): boolean;
  /** How long the fence device takes. */
  fenceDelayMs(by: NodeId, target: string): number;
}

const MEMBERSHIP_TIMER = 'm:';
const CHANNEL_TIMER = 'c:';
const STACK_TIMER = 's:';
const FENCE_TIMER = 'f:';

type Out = BaseEffect<ClusterWire> | ClusterNodeEvent;

export class ClusterNode<Change> implements NodeCore<BaseInput<ClusterWire>, Out> {
  private readonly membership: Membership;
  private readonly channel: ReliableChannel;
  readonly stack: HaStack<Change>;
  private members: readonly ViewMember[] = [];
  private viewDirty = false;
  private dc: NodeId | null = null;
  private quorate = false;
  private readonly fences = new Map<string, string>();

  constructor(
    readonly id: NodeId,
    incarnation: number,
    membership: MembershipConfig,
    stack: HaStackOptions<Change>,
    private readonly lrm: SimLrm,
    private readonly env: ClusterNodeEnvironment,
  ) {
    this.membership = new Membership(membership, incarnation);
    this.channel = new ReliableChannel({ self: id, incarnation, ...DEFAULT_CHANNEL_CONFIG });
    this.stack = new HaStack<Change>(stack);
  }

  step(now: Millis, input: BaseInput<ClusterWire>): readonly Out[] {
    const out: Out[] = [];
    switch (input.kind) {
      case 'start':
        this.fromMembership(now, this.membership.step(now, { kind: 'start' }), out);
        this.fromChannel(now, this.channel.step(now, { kind: 'start' }), out);
        this.fromStack(now, this.stack.step(now, { kind: 'start' }), out);
        break;
      case 'receive':
        if (input.message.k === 'm') this.fromMembership(now, this.membership.step(now, { kind: 'receive', from: input.from, message: input.message.m, ...(input.link === undefined ? {} : { link: input.link }), ...(input.order === undefined ? {} : { order: input.order }) }), out);
        else this.fromChannel(now, this.channel.step(now, { kind: 'receive', from: input.from, message: input.message.m }), out);
        break;
      case 'timeout': {
        const t = input.timer;
        if (t.startsWith(MEMBERSHIP_TIMER)) this.fromMembership(now, this.membership.step(now, { kind: 'timeout', timer: t.slice(MEMBERSHIP_TIMER.length) }), out);
        else if (t.startsWith(CHANNEL_TIMER)) this.fromChannel(now, this.channel.step(now, { kind: 'timeout', timer: t.slice(CHANNEL_TIMER.length) }), out);
        else if (t.startsWith(STACK_TIMER)) this.fromStack(now, this.stack.step(now, { kind: 'timeout', timer: t.slice(STACK_TIMER.length) }), out);
        else if (t.startsWith(LRM_TIMER)) this.fromLrm(now, this.lrm.timeout(now, t), out);
        else if (t.startsWith(FENCE_TIMER)) this.fenceDone(now, t.slice(FENCE_TIMER.length), out);
        break;
      }
    }
    return out;
  }

  /** A change asked on this node (the scenario's operator). */
  request(now: Millis, input: Extract<HaStackInput<Change>, { kind: 'request' }>): readonly Out[] {
    const out: Out[] = [];
    this.fromStack(now, this.stack.step(now, input), out);
    return out;
  }

  private fromMembership(now: Millis, effects: readonly MembershipEffect[], out: Out[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case 'send':
          out.push({ kind: 'send', to: e.to, message: { k: 'm', m: e.message }, ...(e.link === undefined ? {} : { link: e.link }) });
          break;
        case 'broadcast':
          out.push({ kind: 'broadcast', message: { k: 'm', m: e.message }, ...(e.link === undefined ? {} : { link: e.link }) });
          break;
        case 'set-timer':
        case 'cancel-timer':
          out.push({ ...e, timer: MEMBERSHIP_TIMER + e.timer });
          break;
        case 'node-up':
          this.fromChannel(now, this.channel.step(now, { kind: 'peer-up', node: e.node, incarnation: e.incarnation }), out);
          break;
        case 'node-down':
          this.fromChannel(now, this.channel.step(now, { kind: 'peer-down', node: e.node }), out);
          break;
        case 'view-change':
          this.members = e.view === null ? [] : e.view.members.map((m) => ({ id: m.id, incarnation: m.incarnation }));
          this.dc = e.view === null ? null : e.view.dc;
          this.viewDirty = true;
          break;
        case 'quorum-change':
          this.quorate = e.quorum.quorate;
          this.viewDirty = true;
          break;
        case 'peer-late':
        case 'link-up':
        case 'link-down':
          break;
      }
    }
    // The layers above see one view per step, with its quorum: a view change and the quorum
    // change that follows it are one event to them (never a moment of stale quorum).
    if (this.viewDirty) {
      this.viewDirty = false;
      this.viewChanged(now, out);
    }
  }

  private viewChanged(now: Millis, out: Out[]): void {
    const view = { kind: 'view' as const, members: this.members, dc: this.dc, quorate: this.quorate };
    out.push(view);
    this.fromStack(now, this.stack.step(now, view), out);
  }

  private fromChannel(now: Millis, effects: readonly ChannelEffect[], out: Out[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case 'transmit':
          // First transmissions and retransmissions alike go on every link here; the daemon
          // prefers one link for first transmissions.
          out.push({ kind: 'send', to: e.to, message: { k: 'c', m: e.message } });
          break;
        case 'deliver':
          this.fromStack(now, this.stack.step(now, { kind: 'deliver', from: e.from, text: new TextDecoder().decode(e.payload) }), out);
          break;
        case 'undelivered':
          break;
        case 'set-timer':
        case 'cancel-timer':
          out.push({ ...e, timer: CHANNEL_TIMER + e.timer });
          break;
      }
    }
  }

  private fromStack(now: Millis, effects: readonly HaStackEffect[], out: Out[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case 'channel-send':
          this.fromChannel(now, this.channel.step(now, { kind: 'send', to: e.to, payload: new TextEncoder().encode(e.text) }), out);
          break;
        case 'persist':
          this.env.persist(this.id, e.cib);
          break;
        case 'lrm-execute':
          this.fromLrm(now, this.lrm.execute(now, e.request), out);
          break;
        case 'fence': {
          this.fences.set(e.requestId, e.target);
          out.push({ kind: 'fence-request', target: e.target });
          out.push({ kind: 'set-timer', timer: FENCE_TIMER + e.requestId, afterMs: this.env.fenceDelayMs(this.id, e.target) as Millis });
          break;
        }
        case 'set-timer':
        case 'cancel-timer':
          out.push({ ...e, timer: STACK_TIMER + e.timer });
          break;
        case 'reply':
          out.push(e);
          break;
        case 'transition-started':
          out.push({ kind: 'transition', text: `started ${e.graphId} actions=${e.actions} ${e.summary.join('; ')}` });
          break;
        case 'transition-finished':
          out.push({ kind: 'transition', text: `finished ${e.graphId} ${e.status}${e.reason === undefined ? '' : ` (${e.reason})`}` });
          break;
        case 'problem':
          out.push(e);
          break;
        case 'cib-changed':
          break;
      }
    }
  }

  private fromLrm(now: Millis, effects: readonly SimLrmEffect[], out: Out[]): void {
    for (const e of effects) {
      if (e.kind === 'set-timer') out.push(e);
      else this.fromStack(now, this.stack.step(now, { kind: 'lrm-result', result: e.result }), out);
    }
  }

  private fenceDone(now: Millis, requestId: string, out: Out[]): void {
    const target = this.fences.get(requestId);
    if (target === undefined) return;
    this.fences.delete(requestId);
    const ok = this.env.fence(this.id, target);
    this.fromStack(now, this.stack.step(now, { kind: 'fence-result', requestId, target, ok, ...(ok ? {} : { reason: 'the fence device refused' }) }), out);
  }
}
