/**
 * ReliableChannel: exactly-once, in-order delivery of application messages (CIB updates, LRM
 * requests and results) between cluster nodes over the lossy heartbeat links. A pure state
 * machine (lib/node-core.ts): the driver feeds peer lifecycle from membership, received channel
 * messages and timer expiries, and performs `transmit`, `deliver` and timer effects.
 *
 * - A session is one (own incarnation, peer incarnation) pair, learned from membership's
 *   `peer-up`. Messages of another session are dropped, so nothing from before a restart is
 *   delivered after it. When membership declares the peer down, what was not acknowledged is
 *   reported `undelivered` (the layers above resynchronise on membership change anyway) and the
 *   next sends to it form a new stream, numbered from 1; the receiver follows the sender's stream
 *   numbers, never its own view of the peer, so the two ends cannot disagree about where a stream
 *   starts even when only one of them declared the other down.
 * - Large messages are cut into chunks of `chunkBytes`; at most `window` chunks are unacknowledged
 *   at once. The receiver acknowledges cumulatively and buffers chunks that arrive early.
 * - The first transmission goes on the driver's preferred link; a retransmission (after `rtoMs`,
 *   doubling up to `maxRtoMs`) on every link, so one dead link cannot stall the channel.
 * - A message to oneself is delivered at once, so callers need no special case for the local node.
 */
import type { Millis, NodeCore, NodeId } from '../../lib/index.js';
import type { ChannelMessage } from './channel-message.js';

export interface ReliableChannelConfig {
  readonly self: NodeId;
  readonly incarnation: number;
  readonly chunkBytes: number;
  readonly window: number;
  readonly rtoMs: number;
  readonly maxRtoMs: number;
}

export const DEFAULT_CHANNEL_CONFIG = { chunkBytes: 16 * 1024, window: 32, rtoMs: 200, maxRtoMs: 2000 } as const;

export type ChannelInput =
  | { readonly kind: 'start' }
  | { readonly kind: 'send'; readonly to: NodeId; readonly payload: Uint8Array }
  | { readonly kind: 'peer-up'; readonly node: NodeId; readonly incarnation: number }
  | { readonly kind: 'peer-down'; readonly node: NodeId }
  | { readonly kind: 'receive'; readonly from: NodeId; readonly message: ChannelMessage }
  | { readonly kind: 'timeout'; readonly timer: string };

export type ChannelEffect =
  | { readonly kind: 'transmit'; readonly to: NodeId; readonly message: ChannelMessage; readonly retransmission: boolean }
  | { readonly kind: 'deliver'; readonly from: NodeId; readonly payload: Uint8Array }
  /** Messages that will never be delivered: the peer is down, restarted, or was never up. */
  | { readonly kind: 'undelivered'; readonly to: NodeId; readonly messages: number; readonly reason: string }
  | { readonly kind: 'set-timer'; readonly timer: string; readonly afterMs: Millis }
  | { readonly kind: 'cancel-timer'; readonly timer: string };

interface Chunk {
  readonly seq: number;
  readonly last: boolean;
  readonly payload: Uint8Array;
}

/** The sending half towards one peer: one stream, renumbered from 1 each time the peer comes back. */
interface SendStream {
  readonly stream: number;
  nextSeq: number;
  /** Chunks sent and not yet acknowledged, in seq order. */
  readonly inFlight: Chunk[];
  /** Chunks waiting for room in the window. */
  readonly queued: Chunk[];
  rto: number;
}

/** The receiving half from one peer: follows the peer's stream numbers. */
interface ReceiveStream {
  stream: number;
  /** Highest seq received in order. */
  received: number;
  /** Chunks received ahead of order, by seq. */
  early: Map<number, Chunk>;
  /** Chunks of the application message being reassembled. */
  partial: Uint8Array[];
}

interface Peer {
  readonly incarnation: number;
  /** Whether membership says the peer is up; only then does this node send to it. */
  up: boolean;
  send: SendStream;
  readonly receive: ReceiveStream;
  retransmissions: number;
}

export interface ChannelPeerStatus {
  readonly node: NodeId;
  readonly peerIncarnation: number;
  readonly up: boolean;
  readonly unacknowledged: number;
  readonly queued: number;
  readonly retransmissions: number;
}

export class ReliableChannel implements NodeCore<ChannelInput, ChannelEffect> {
  private readonly peers = new Map<NodeId, Peer>();
  private dropped = 0;

  constructor(private readonly config: ReliableChannelConfig) {}

  status(): { readonly peers: readonly ChannelPeerStatus[]; readonly dropped: number } {
    return {
      peers: [...this.peers].map(([node, p]) => ({ node, peerIncarnation: p.incarnation, up: p.up, unacknowledged: p.send.inFlight.length, queued: p.send.queued.length, retransmissions: p.retransmissions })),
      dropped: this.dropped,
    };
  }

  step(_now: Millis, input: ChannelInput): readonly ChannelEffect[] {
    const out: ChannelEffect[] = [];
    switch (input.kind) {
      case 'start':
        break;
      case 'send':
        this.send(input.to, input.payload, out);
        break;
      case 'peer-up': {
        const p = this.peers.get(input.node);
        if (p === undefined || p.incarnation !== input.incarnation) {
          // A new life of the peer: both halves start over.
          if (p?.up === true) this.endStream(input.node, p, 'peer restarted', out);
          this.peers.set(input.node, { incarnation: input.incarnation, up: true, send: this.newStream(1), receive: { stream: 0, received: 0, early: new Map(), partial: [] }, retransmissions: 0 });
        } else if (!p.up) {
          // Back after being declared down: a new sending stream; what the peer sent is still in order.
          p.up = true;
          p.send = this.newStream(p.send.stream + 1);
        }
        break;
      }
      case 'peer-down': {
        const p = this.peers.get(input.node);
        if (p?.up !== true) break;
        this.endStream(input.node, p, 'peer down', out);
        p.up = false;
        break;
      }
      case 'receive':
        this.receive(input.from, input.message, out);
        break;
      case 'timeout':
        this.retransmit(input.timer, out);
        break;
    }
    return out;
  }

  private newStream(stream: number): SendStream {
    return { stream, nextSeq: 1, inFlight: [], queued: [], rto: this.config.rtoMs };
  }

  private send(to: NodeId, payload: Uint8Array, out: ChannelEffect[]): void {
    if (to === this.config.self) {
      out.push({ kind: 'deliver', from: to, payload });
      return;
    }
    const p = this.peers.get(to);
    if (p?.up !== true) {
      out.push({ kind: 'undelivered', to, messages: 1, reason: 'peer is not up' });
      return;
    }
    const s = p.send;
    const size = this.config.chunkBytes;
    const count = Math.max(1, Math.ceil(payload.length / size));
    for (let i = 0; i < count; i++) {
      s.queued.push({ seq: s.nextSeq++, last: i === count - 1, payload: payload.subarray(i * size, Math.min(payload.length, (i + 1) * size)) });
    }
    this.fill(to, p, out);
  }

  /** Moves queued chunks into the window and transmits them. */
  private fill(to: NodeId, p: Peer, out: ChannelEffect[]): void {
    const s = p.send;
    const wasIdle = s.inFlight.length === 0;
    while (s.inFlight.length < this.config.window && s.queued.length > 0) {
      const chunk = s.queued.shift() as Chunk;
      s.inFlight.push(chunk);
      out.push({ kind: 'transmit', to, message: this.data(p, chunk), retransmission: false });
    }
    if (wasIdle && s.inFlight.length > 0) out.push({ kind: 'set-timer', timer: timerOf(to), afterMs: s.rto as Millis });
  }

  private receive(from: NodeId, m: ChannelMessage, out: ChannelEffect[]): void {
    const p = this.peers.get(from);
    // Only the current session counts: the peer's incarnation as membership knows it, addressed to ours.
    if (p === undefined || m.from !== p.incarnation || m.to !== this.config.incarnation) {
      this.dropped++;
      return;
    }
    if (m.kind === 'ack') {
      if (p.up && m.stream === p.send.stream) this.acknowledge(from, p, m.seq, out);
      return;
    }
    const r = p.receive;
    if (m.stream < r.stream) {
      this.dropped++;
      return;
    }
    if (m.stream > r.stream) {
      // The peer gave up on this node and started a new stream: what was partial of the old one is gone.
      r.stream = m.stream;
      r.received = 0;
      r.early = new Map();
      r.partial = [];
    }
    // A chunk far beyond the sender's window is not buffered: an honest sender never sends it.
    if (m.seq > r.received + EARLY_LIMIT) {
      this.dropped++;
      return;
    }
    if (m.seq > r.received && !r.early.has(m.seq)) r.early.set(m.seq, { seq: m.seq, last: m.last, payload: m.payload });
    for (let next = r.early.get(r.received + 1); next !== undefined; next = r.early.get(r.received + 1)) {
      r.early.delete(next.seq);
      r.received = next.seq;
      r.partial.push(next.payload);
      if (next.last) {
        out.push({ kind: 'deliver', from, payload: concat(r.partial) });
        r.partial = [];
      }
    }
    // Acknowledge every data message, duplicates too: the ack for the original may have been lost.
    out.push({ kind: 'transmit', to: from, message: { kind: 'ack', from: this.config.incarnation, to: p.incarnation, stream: r.stream, seq: r.received }, retransmission: false });
  }

  private acknowledge(to: NodeId, p: Peer, seq: number, out: ChannelEffect[]): void {
    const s = p.send;
    let progressed = false;
    while (s.inFlight.length > 0 && (s.inFlight[0] as Chunk).seq <= seq) {
      s.inFlight.shift();
      progressed = true;
    }
    if (!progressed) return;
    s.rto = this.config.rtoMs;
    out.push({ kind: 'cancel-timer', timer: timerOf(to) });
    this.fill(to, p, out);
    if (s.inFlight.length > 0) out.push({ kind: 'set-timer', timer: timerOf(to), afterMs: s.rto as Millis });
  }

  private retransmit(timer: string, out: ChannelEffect[]): void {
    if (!timer.startsWith(TIMER_PREFIX)) return;
    const to = Number(timer.slice(TIMER_PREFIX.length)) as NodeId;
    const p = this.peers.get(to);
    if (p?.up !== true || p.send.inFlight.length === 0) return;
    const s = p.send;
    for (const chunk of s.inFlight) out.push({ kind: 'transmit', to, message: this.data(p, chunk), retransmission: true });
    p.retransmissions += s.inFlight.length;
    s.rto = Math.min(this.config.maxRtoMs, s.rto * 2);
    out.push({ kind: 'set-timer', timer: timerOf(to), afterMs: s.rto as Millis });
  }

  /** Gives up on what was sent to the peer and not acknowledged. */
  private endStream(node: NodeId, p: Peer, reason: string, out: ChannelEffect[]): void {
    const s = p.send;
    const messages = [...s.inFlight, ...s.queued].filter((c) => c.last).length;
    if (messages > 0) out.push({ kind: 'undelivered', to: node, messages, reason });
    if (s.inFlight.length > 0) out.push({ kind: 'cancel-timer', timer: timerOf(node) });
    s.inFlight.length = 0;
    s.queued.length = 0;
  }

  private data(p: Peer, chunk: Chunk): ChannelMessage {
    return { kind: 'data', from: this.config.incarnation, to: p.incarnation, stream: p.send.stream, seq: chunk.seq, last: chunk.last, payload: chunk.payload };
  }
}

const TIMER_PREFIX = 'channel-rto:';
const EARLY_LIMIT = 4096;

function timerOf(node: NodeId): string {
  return `${TIMER_PREFIX}${node}`;
}


function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
