/**
 * ReliableChannel: exactly-once, in-order delivery of application messages (CIB updates, LRM
 * requests and results) between cluster nodes over the lossy heartbeat links. A pure state
 * machine (lib/node-core.ts): the driver feeds peer lifecycle from membership, received channel
 * messages and timer expiries, and performs `transmit`, `deliver` and timer effects.
 *
 * - A session is one (own incarnation, peer incarnation) pair, learned from membership's
 *   `peer-up`. Messages of another session are dropped, so nothing from before a restart is
 *   delivered after it; a peer's restart or loss ends the session and reports what was not
 *   acknowledged as `undelivered` (the layers above resynchronise on membership change anyway).
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

interface Session {
  readonly peerIncarnation: number;
  /** Next sequence number to assign. Sequence numbers start at 1. */
  nextSeq: number;
  /** Chunks sent and not yet acknowledged, in seq order. */
  readonly inFlight: Chunk[];
  /** Chunks waiting for room in the window. */
  readonly queued: Chunk[];
  rto: number;
  /** Highest seq received in order. */
  received: number;
  /** Chunks received ahead of order, by seq. */
  readonly early: Map<number, Chunk>;
  /** Chunks of the application message being reassembled. */
  partial: Uint8Array[];
  /** Counters for status displays. */
  retransmissions: number;
}

export interface ChannelPeerStatus {
  readonly node: NodeId;
  readonly peerIncarnation: number;
  readonly unacknowledged: number;
  readonly queued: number;
  readonly retransmissions: number;
}

export class ReliableChannel implements NodeCore<ChannelInput, ChannelEffect> {
  private readonly sessions = new Map<NodeId, Session>();
  private dropped = 0;

  constructor(private readonly config: ReliableChannelConfig) {}

  status(): { readonly peers: readonly ChannelPeerStatus[]; readonly dropped: number } {
    return {
      peers: [...this.sessions].map(([node, s]) => ({ node, peerIncarnation: s.peerIncarnation, unacknowledged: s.inFlight.length, queued: s.queued.length, retransmissions: s.retransmissions })),
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
        const s = this.sessions.get(input.node);
        if (s?.peerIncarnation === input.incarnation) break;
        if (s !== undefined) this.end(input.node, s, 'peer restarted', out);
        this.sessions.set(input.node, newSession(input.incarnation, this.config.rtoMs));
        break;
      }
      case 'peer-down': {
        const s = this.sessions.get(input.node);
        if (s !== undefined) this.end(input.node, s, 'peer down', out);
        this.sessions.delete(input.node);
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

  private send(to: NodeId, payload: Uint8Array, out: ChannelEffect[]): void {
    if (to === this.config.self) {
      out.push({ kind: 'deliver', from: to, payload });
      return;
    }
    const s = this.sessions.get(to);
    if (s === undefined) {
      out.push({ kind: 'undelivered', to, messages: 1, reason: 'peer is not up' });
      return;
    }
    const size = this.config.chunkBytes;
    const count = Math.max(1, Math.ceil(payload.length / size));
    for (let i = 0; i < count; i++) {
      s.queued.push({ seq: s.nextSeq++, last: i === count - 1, payload: payload.subarray(i * size, Math.min(payload.length, (i + 1) * size)) });
    }
    this.fill(to, s, out);
  }

  /** Moves queued chunks into the window and transmits them. */
  private fill(to: NodeId, s: Session, out: ChannelEffect[]): void {
    const wasIdle = s.inFlight.length === 0;
    while (s.inFlight.length < this.config.window && s.queued.length > 0) {
      const chunk = s.queued.shift() as Chunk;
      s.inFlight.push(chunk);
      out.push({ kind: 'transmit', to, message: this.data(s, chunk), retransmission: false });
    }
    if (wasIdle && s.inFlight.length > 0) out.push({ kind: 'set-timer', timer: timerOf(to), afterMs: s.rto as Millis });
  }

  private receive(from: NodeId, m: ChannelMessage, out: ChannelEffect[]): void {
    const s = this.sessions.get(from);
    // Only the current session counts: the peer's incarnation as membership knows it, addressed to ours.
    if (s === undefined || m.from !== s.peerIncarnation || m.to !== this.config.incarnation) {
      this.dropped++;
      return;
    }
    if (m.kind === 'ack') {
      this.acknowledge(from, s, m.seq, out);
      return;
    }
    // A chunk far beyond the sender's window is not buffered: an honest sender never sends it.
    if (m.seq > s.received + EARLY_LIMIT) {
      this.dropped++;
      return;
    }
    if (m.seq > s.received && !s.early.has(m.seq)) s.early.set(m.seq, { seq: m.seq, last: m.last, payload: m.payload });
    for (let next = s.early.get(s.received + 1); next !== undefined; next = s.early.get(s.received + 1)) {
      s.early.delete(next.seq);
      s.received = next.seq;
      s.partial.push(next.payload);
      if (next.last) {
        out.push({ kind: 'deliver', from, payload: concat(s.partial) });
        s.partial = [];
      }
    }
    // Acknowledge every data message, duplicates too: the ack for the original may have been lost.
    out.push({ kind: 'transmit', to: from, message: { kind: 'ack', from: this.config.incarnation, to: s.peerIncarnation, seq: s.received }, retransmission: false });
  }

  private acknowledge(to: NodeId, s: Session, seq: number, out: ChannelEffect[]): void {
    let progressed = false;
    while (s.inFlight.length > 0 && (s.inFlight[0] as Chunk).seq <= seq) {
      s.inFlight.shift();
      progressed = true;
    }
    if (!progressed) return;
    s.rto = this.config.rtoMs;
    out.push({ kind: 'cancel-timer', timer: timerOf(to) });
    this.fill(to, s, out);
    if (s.inFlight.length > 0) out.push({ kind: 'set-timer', timer: timerOf(to), afterMs: s.rto as Millis });
  }

  private retransmit(timer: string, out: ChannelEffect[]): void {
    if (!timer.startsWith(TIMER_PREFIX)) return;
    const to = Number(timer.slice(TIMER_PREFIX.length)) as NodeId;
    const s = this.sessions.get(to);
    if (s === undefined || s.inFlight.length === 0) return;
    for (const chunk of s.inFlight) out.push({ kind: 'transmit', to, message: this.data(s, chunk), retransmission: true });
    s.retransmissions += s.inFlight.length;
    s.rto = Math.min(this.config.maxRtoMs, s.rto * 2);
    out.push({ kind: 'set-timer', timer: timerOf(to), afterMs: s.rto as Millis });
  }

  private end(node: NodeId, s: Session, reason: string, out: ChannelEffect[]): void {
    const chunks = [...s.inFlight, ...s.queued];
    const messages = chunks.filter((c) => c.last).length;
    if (messages > 0) out.push({ kind: 'undelivered', to: node, messages, reason });
    if (s.inFlight.length > 0) out.push({ kind: 'cancel-timer', timer: timerOf(node) });
  }

  private data(s: Session, chunk: Chunk): ChannelMessage {
    return { kind: 'data', from: this.config.incarnation, to: s.peerIncarnation, seq: chunk.seq, last: chunk.last, payload: chunk.payload };
  }
}

const TIMER_PREFIX = 'channel-rto:';
const EARLY_LIMIT = 4096;

function timerOf(node: NodeId): string {
  return `${TIMER_PREFIX}${node}`;
}

function newSession(peerIncarnation: number, rto: number): Session {
  return { peerIncarnation, nextSeq: 1, inFlight: [], queued: [], rto, received: 0, early: new Map(), partial: [], retransmissions: 0 };
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
