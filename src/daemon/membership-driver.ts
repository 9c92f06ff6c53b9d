import type { NodeView } from '../config/index.js';
import { Membership, decodeMembershipMessage, encodeMembershipMessage, type MembershipConfig, type MembershipEffect, type MembershipEvent, type MembershipInput, type MembershipMessage, type MembershipStatus } from '../ha/membership/index.js';
import { DEFAULT_CHANNEL_CONFIG, ReliableChannel, decodeChannelMessage, encodeChannelMessage, type ChannelEffect, type ChannelInput, type ChannelMessage, type ChannelPeerStatus } from '../ha/messaging/index.js';
import type { Clock, Logger, Millis, NodeId, TimerHandle } from '../lib/index.js';
import { FrameReceiver, type FrameReceiverCounters } from '../links/frame-receiver.js';
import { FrameSender } from '../links/frame-sender.js';
import { MessageType } from '../links/frame-codec.js';
import type { FrameKeyring } from '../links/frame-keyring.js';
import type { Link, LinkState } from '../links/link.js';

const CHANNEL_TIMER = 'channel:';

/** One link as the driver holds it, with the peers it reaches and its local state. */
interface DriverLink {
  readonly link: Link;
  /** Peers reachable on this link (all peers for UDP links, the one cable end for serial). */
  readonly peers: readonly NodeId[];
  /** Unicast links need one send per peer; the others reach every peer with one send. */
  readonly unicast: boolean;
  state: LinkState;
  openError: string | null;
}

export interface MembershipDriverOptions {
  readonly view: NodeView;
  readonly membership: MembershipConfig;
  readonly incarnation: number;
  readonly keyring: FrameKeyring;
  /** Encrypt every frame, and refuse clear-text ones (cluster.encryption). */
  readonly encryption: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Builds the adapter for one of this node's links (production: UDP or serial; tests may substitute). */
  readonly createLink: (link: NodeView['links'][number]) => Link;
  /** Called with every membership event, after it is logged. */
  readonly onEvent?: (event: MembershipEvent) => void;
  /**
   * Called once per fed input when the view or the quorum changed: the layers above see one view
   * with its quorum (a view change and the quorum change that follows it are one event to them).
   */
  readonly onView?: (view: ClusterView) => void;
  /** Called with every message the reliable channel delivers (from a peer, or sent to this node itself). */
  readonly onChannelDeliver?: (from: NodeId, payload: Uint8Array) => void;
}

/** A membership view as the layers above (HaStack) see it: members with incarnations, DC, quorum. */
export interface ClusterView {
  readonly members: readonly { readonly id: NodeId; readonly incarnation: number }[];
  readonly dc: NodeId | null;
  readonly quorate: boolean;
}

/** What `heartline links` and `heartline members` show, read from the running driver. */
export interface DriverStatus {
  readonly membership: MembershipStatus;
  readonly frames: FrameReceiverCounters;
  readonly localLinks: readonly { readonly name: string; readonly kind: string; readonly state: LinkState; readonly openError: string | null }[];
  readonly undecodable: number;
  readonly channel: { readonly peers: readonly ChannelPeerStatus[]; readonly dropped: number; readonly undelivered: number };
}

/**
 * MembershipDriver: the shell around the pure Membership core in a running daemon. It owns the
 * links, the frame sender and receiver (authentication, anti-replay, fragmentation), the timers
 * the core asks for, and the clock. It feeds the core one input at a time and performs the effects
 * in order: `send`/`broadcast` become authenticated frames on the named link or on every link,
 * timers become Clock timers whose expiry comes back as `timeout` inputs, and events go to the log
 * and the `onEvent` listener.
 *
 * It runs in the heartbeat worker thread, so that nothing the main thread does (a big CIB, an
 * agent's output, a GC pause) can delay a heartbeat.
 */
export class MembershipDriver {
  private readonly core: Membership;
  private readonly channel: ReliableChannel;
  private readonly sender: FrameSender;
  private readonly receiver: FrameReceiver;
  private readonly links: DriverLink[];
  private readonly timers = new Map<string, TimerHandle>();
  private undecodable = 0;
  private undelivered = 0;
  private stopped = false;
  private view: ClusterView = { members: [], dc: null, quorate: false };
  private viewDirty = false;
  /** `peer|link` pairs whose link health membership reports up: first transmissions prefer them. */
  private readonly peerLinksUp = new Set<string>();

  constructor(private readonly options: MembershipDriverOptions) {
    const self = options.view.self.id;
    this.core = new Membership(options.membership, options.incarnation);
    this.channel = new ReliableChannel({ self, incarnation: options.incarnation, ...DEFAULT_CHANNEL_CONFIG });
    this.sender = new FrameSender({ keyring: options.keyring, sender: self, incarnation: options.incarnation });
    this.receiver = new FrameReceiver({ keyring: options.keyring, localNodeId: self, requireEncryption: options.encryption });
    this.links = options.view.links.map((linkView) => ({
      link: options.createLink(linkView),
      peers: linkView.kind === 'serial' ? [linkView.peer.nodeId] : linkView.peers.map((p) => p.nodeId),
      unicast: linkView.kind === 'udp-unicast',
      state: { state: 'down', reason: 'not open' },
      openError: null,
    }));
  }

  /**
   * Opens every link, then starts the core. A link that fails to open is reported and left down
   * (the others carry the heartbeats); it is an error only when no link opens at all.
   */
  async start(): Promise<void> {
    const log = this.options.logger;
    await Promise.all(
      this.links.map(async (entry) => {
        entry.link.onState((state) => {
          if (state.state !== entry.state.state) log.info(state.state === 'up' ? 'local link up' : 'local link down', { link: entry.link.name, ...(state.state === 'down' ? { reason: state.reason } : {}) });
          entry.state = state;
        });
        entry.link.onReceive((datagram) => this.onDatagram(entry, datagram.bytes));
        try {
          await entry.link.open();
          entry.state = { state: 'up' };
        } catch (error) {
          entry.openError = error instanceof Error ? error.message : String(error);
          log.error('link failed to open', { link: entry.link.name, error: entry.openError });
        }
      }),
    );
    if (this.links.every((entry) => entry.openError !== null)) {
      throw new Error(`no heartbeat link could be opened: ${this.links.map((e) => `${e.link.name}: ${e.openError ?? ''}`).join('; ')}`);
    }
    this.feed({ kind: 'start' });
    this.feedChannel({ kind: 'start' });
  }

  /** Sends one application message to `to` over the reliable channel (to this node itself: delivered at once). */
  channelSend(to: NodeId, payload: Uint8Array): void {
    this.feedChannel({ kind: 'send', to, payload });
  }

  /** Leaves the cluster cleanly (peers drop this node at once instead of after deadtime) and closes the links. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.feed({ kind: 'leave' });
    this.stopped = true;
    for (const timer of this.timers.values()) this.options.clock.clearTimer(timer);
    this.timers.clear();
    await Promise.all(this.links.map((entry) => entry.link.close()));
  }

  /** Feeds the prober's verdict on the ping targets. */
  pingTargets(reachable: boolean): void {
    this.feed({ kind: 'ping-targets', reachable });
  }

  status(): DriverStatus {
    return {
      membership: this.core.status(this.options.clock.now()),
      frames: this.receiver.counters(),
      localLinks: this.links.map((e) => ({ name: e.link.name, kind: e.link.kind, state: e.state, openError: e.openError })),
      undecodable: this.undecodable,
      channel: { ...this.channel.status(), undelivered: this.undelivered },
    };
  }

  private onDatagram(entry: DriverLink, bytes: Uint8Array): void {
    if (this.stopped) return;
    const delivered = this.receiver.accept(bytes, this.options.clock.now());
    if (delivered === undefined) return;
    if (delivered.type === MessageType.channel) {
      const message = decodeChannelMessage(delivered.payload);
      if (!message.ok) {
        this.undecodable++;
        return;
      }
      this.feedChannel({ kind: 'receive', from: delivered.sender, message: message.value });
      return;
    }
    const decoded = decodeMembershipMessage(delivered.payload);
    if (!decoded.ok || decoded.value.incarnation !== delivered.incarnation) {
      // Authentic but not understood: a newer peer's message, or a bug. Counted, never thrown.
      this.undecodable++;
      return;
    }
    this.feed({ kind: 'receive', from: delivered.sender, message: decoded.value, link: entry.link.name, order: delivered.sequence });
  }

  private feed(input: MembershipInput): void {
    if (this.stopped) return;
    const effects = this.core.step(this.options.clock.now(), input);
    for (const effect of effects) this.perform(effect);
    if (this.viewDirty) {
      this.viewDirty = false;
      this.options.onView?.(this.view);
    }
  }

  private feedChannel(input: ChannelInput): void {
    if (this.stopped) return;
    for (const effect of this.channel.step(this.options.clock.now(), input)) this.performChannel(effect);
  }

  private performChannel(effect: ChannelEffect): void {
    switch (effect.kind) {
      case 'transmit':
        this.transmitChannel(effect.message, effect.to, effect.retransmission);
        return;
      case 'deliver':
        this.options.onChannelDeliver?.(effect.from, effect.payload);
        return;
      case 'undelivered':
        this.undelivered += effect.messages;
        this.options.logger.info('channel messages undelivered', { peer: effect.to, messages: effect.messages, reason: effect.reason });
        return;
      case 'set-timer':
        this.setTimer(CHANNEL_TIMER + effect.timer, effect.afterMs);
        return;
      case 'cancel-timer':
        this.cancelTimer(CHANNEL_TIMER + effect.timer);
        return;
    }
  }

  private setTimer(timer: string, afterMs: Millis): void {
    const previous = this.timers.get(timer);
    if (previous !== undefined) this.options.clock.clearTimer(previous);
    this.timers.set(
      timer,
      this.options.clock.setTimer(afterMs, () => {
        this.timers.delete(timer);
        if (timer.startsWith(CHANNEL_TIMER)) this.feedChannel({ kind: 'timeout', timer: timer.slice(CHANNEL_TIMER.length) });
        else this.feed({ kind: 'timeout', timer });
      }),
    );
  }

  private cancelTimer(timer: string): void {
    const handle = this.timers.get(timer);
    if (handle !== undefined) this.options.clock.clearTimer(handle);
    this.timers.delete(timer);
  }

  private perform(effect: MembershipEffect): void {
    switch (effect.kind) {
      case 'send':
        this.transmit(effect.message, effect.link, effect.to);
        return;
      case 'broadcast':
        this.transmit(effect.message, effect.link, undefined);
        return;
      case 'set-timer':
        this.setTimer(effect.timer, effect.afterMs);
        return;
      case 'cancel-timer':
        this.cancelTimer(effect.timer);
        return;
      case 'node-up':
        this.report(effect);
        this.feedChannel({ kind: 'peer-up', node: effect.node, incarnation: effect.incarnation });
        return;
      case 'node-down':
        this.report(effect);
        this.feedChannel({ kind: 'peer-down', node: effect.node });
        return;
      case 'link-up':
        this.peerLinksUp.add(`${effect.peer}|${effect.link}`);
        this.report(effect);
        return;
      case 'link-down':
        this.peerLinksUp.delete(`${effect.peer}|${effect.link}`);
        this.report(effect);
        return;
      case 'view-change':
        this.view = { ...this.view, members: effect.view === null ? [] : effect.view.members.map((m) => ({ id: m.id, incarnation: m.incarnation })), dc: effect.view === null ? null : effect.view.dc };
        this.viewDirty = true;
        this.report(effect);
        return;
      case 'quorum-change':
        this.view = { ...this.view, quorate: effect.quorum.quorate };
        this.viewDirty = true;
        this.report(effect);
        return;
      case 'peer-late':
        this.report(effect);
        return;
    }
  }

  /**
   * Channel messages go on UDP links only (a 16 KiB chunk would hold a serial link for seconds and
   * delay its heartbeats), unless a node has nothing but serial links. The first transmission
   * goes on the first link whose path to the peer membership reports up; a retransmission on every
   * link, so that one dead link cannot stall the channel.
   */
  private transmitChannel(message: ChannelMessage, to: NodeId, retransmission: boolean): void {
    const payload = encodeChannelMessage(message);
    const usable = this.links.filter((e) => e.openError === null && e.peers.includes(to));
    const udp = usable.filter((e) => e.link.kind !== 'serial');
    const carriers = udp.length > 0 ? udp : usable;
    const preferred = carriers.find((e) => this.peerLinksUp.has(`${to}|${e.link.name}`));
    for (const entry of retransmission || preferred === undefined ? carriers : [preferred]) {
      const frames = this.sender.encodeMessage(MessageType.channel, payload, { maxFrameBytes: entry.link.maxFrameBytes, encrypted: this.options.encryption });
      for (const frame of frames) entry.link.send(frame, to);
    }
  }

  /** Sends on the named link, or on every link; to one peer, or (to undefined) to every peer. */
  private transmit(message: MembershipMessage, linkName: string | undefined, to: NodeId | undefined): void {
    const payload = encodeMembershipMessage(message);
    const type = message.type === 'heartbeat' ? MessageType.heartbeat : MessageType.membership;
    for (const entry of this.links) {
      if (linkName !== undefined && entry.link.name !== linkName) continue;
      if (entry.openError !== null) continue;
      if (to !== undefined && !entry.peers.includes(to)) continue;
      const frames = this.sender.encodeMessage(type, payload, { maxFrameBytes: entry.link.maxFrameBytes, encrypted: this.options.encryption });
      const targets: readonly (NodeId | undefined)[] = to !== undefined ? [to] : entry.unicast ? entry.peers : [undefined];
      for (const target of targets) for (const frame of frames) entry.link.send(frame, target);
    }
  }

  private report(event: MembershipEvent): void {
    const log = this.options.logger;
    switch (event.kind) {
      case 'node-up':
        log.info('peer up', { peer: event.node, incarnation: event.incarnation });
        break;
      case 'node-down':
        log.warn('peer declared dead', { peer: event.node, incarnation: event.incarnation, reason: event.reason, silentMs: event.silentMs });
        break;
      case 'peer-late':
        log.warn('late heartbeat', { peer: event.node, silentMs: event.silentMs });
        break;
      case 'link-up':
        log.info('link to peer up', { peer: event.peer, link: event.link });
        break;
      case 'link-down':
        log.warn('link to peer down', { peer: event.peer, link: event.link, silentMs: event.silentMs });
        break;
      case 'view-change':
        log.info(event.reason === 'expelled' ? 'expelled from view' : 'view installed', { view: event.view, previous: event.previous?.id ?? null });
        break;
      case 'quorum-change':
        log.info(event.quorum.quorate ? 'quorum gained' : 'quorum lost', { ...event.quorum });
        break;
    }
    this.options.onEvent?.(event);
  }
}
