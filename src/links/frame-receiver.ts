/**
 * FrameReceiver: the one door every received link datagram goes through. It decodes and
 * authenticates (frame-codec.ts), drops this node's own frames looped back by broadcast links,
 * checks for replays (replay-window.ts), reassembles fragments (fragmentation.ts), and counts every
 * drop by reason for `heartline status` and the bench. It never throws on any input: bad bytes are
 * counted, never thrown through the event loop.
 *
 * Order matters for safety: nothing touches the replay window or the reassembly memory before the
 * frame's tag has verified, so forged traffic can only raise drop counters.
 *
 * Pure apart from the cryptography: the caller passes `now`, and one receiver serves all links of
 * a node (a frame heard on two links is one frame; the second copy counts as `replay`).
 */
import { assert, type Millis, type NodeId } from '../lib/index.js';
import { decodeFrame, FRAME_DROP_REASONS, MessageType, type FrameDropReason } from './frame-codec.js';
import type { FrameKeyring } from './frame-keyring.js';
import { defaultReassemblyLimits, Reassembler, REASSEMBLY_DROP_REASONS, type ReassemblyDropReason, type ReassemblyLimits } from './fragmentation.js';
import { ReplayWindow } from './replay-window.js';

/** Every reason the receiver counts: the codec's and window's, its own, and reassembly's. */
export const RECEIVER_DROP_REASONS = [...FRAME_DROP_REASONS, 'own-frame', 'not-encrypted', ...REASSEMBLY_DROP_REASONS] as const;
/**
 * `own-frame`: an authentic frame sent by this very node, heard back on a broadcast link.
 * `not-encrypted`: an authentic frame in clear text while the cluster requires encryption (a peer
 * whose configuration lags behind).
 */
export type ReceiverDropReason = FrameDropReason | 'own-frame' | 'not-encrypted' | ReassemblyDropReason;

export interface FrameReceiverOptions {
  readonly keyring: FrameKeyring;
  /** This node's id: its own frames, looped back by broadcast links, are dropped as `own-frame`. */
  readonly localNodeId: NodeId;
  readonly reassembly?: ReassemblyLimits;
  /** Refuse authentic frames whose payload is not encrypted (the cluster is configured for encryption). */
  readonly requireEncryption?: boolean;
}

/** A whole message from a peer, authenticated, fresh and reassembled. The payload is the caller's. */
export interface DeliveredMessage {
  readonly sender: NodeId;
  readonly incarnation: number;
  readonly type: MessageType;
  readonly payload: Uint8Array;
  /** The key that authenticated it (the last fragment's, for a fragmented message). */
  readonly keyId: number;
  /** Sequence number of the frame that completed the message. */
  readonly sequence: number;
}

/** The receiver's counters, as the CLI shows them. A snapshot: later frames do not change it. */
export interface FrameReceiverCounters {
  /** Frames whose tag verified (before the replay check). */
  readonly framesAuthenticated: number;
  /** Frames that passed every check: authentic, not our own, fresh. */
  readonly framesAccepted: number;
  readonly messagesDelivered: number;
  readonly drops: Readonly<Record<ReceiverDropReason, number>>;
  readonly reassembliesActive: number;
  readonly reassemblyBytesReserved: number;
}

export class FrameReceiver {
  private keyring: FrameKeyring;
  private readonly localNodeId: NodeId;
  private readonly replayWindow = new ReplayWindow();
  private readonly reassembler: Reassembler;
  private readonly frameDrops: Record<FrameDropReason | 'own-frame' | 'not-encrypted', number>;
  private readonly requireEncryption: boolean;
  private authenticated = 0;
  private accepted = 0;
  private delivered = 0;

  constructor(options: FrameReceiverOptions) {
    this.keyring = options.keyring;
    this.localNodeId = options.localNodeId;
    this.reassembler = new Reassembler(options.reassembly ?? defaultReassemblyLimits);
    this.frameDrops = Object.fromEntries([...FRAME_DROP_REASONS, 'own-frame', 'not-encrypted'].map((reason) => [reason, 0])) as Record<FrameDropReason | 'own-frame' | 'not-encrypted', number>;
    this.requireEncryption = options.requireEncryption ?? false;
  }

  /**
   * Takes one received datagram at monotonic time `now` (never decreasing between calls) and
   * returns the message it completes, or undefined when it was dropped (and counted) or is one
   * fragment of a message still incomplete. Never throws. `bytes` may be reused by the caller
   * after the call: everything delivered or kept is copied or decrypted into fresh buffers, except
   * the payload of a delivered unfragmented unencrypted frame, which is a view into `bytes`.
   */
  accept(bytes: Uint8Array, now: Millis): DeliveredMessage | undefined {
    this.reassembler.expire(now);
    const decoded = decodeFrame(bytes, this.keyring);
    if (!decoded.ok) {
      this.frameDrops[decoded.error] += 1;
      return undefined;
    }
    const frame = decoded.value;
    this.authenticated += 1;
    if (frame.sender === this.localNodeId) {
      this.frameDrops['own-frame'] += 1;
      return undefined;
    }
    if (this.requireEncryption && !frame.encrypted) {
      this.frameDrops['not-encrypted'] += 1;
      return undefined;
    }
    const verdict = this.replayWindow.check(frame.sender, frame.incarnation, frame.sequence);
    if (verdict.kind !== 'accepted') {
      this.frameDrops[verdict.kind] += 1;
      return undefined;
    }
    this.accepted += 1;
    if (frame.type !== MessageType.fragment) {
      this.delivered += 1;
      return { sender: frame.sender, incarnation: frame.incarnation, type: frame.type, payload: frame.payload, keyId: frame.keyId, sequence: frame.sequence };
    }
    const outcome = this.reassembler.accept(frame.sender, frame.incarnation, frame.payload, now);
    if (outcome.kind !== 'complete') return undefined;
    this.delivered += 1;
    return { sender: frame.sender, incarnation: frame.incarnation, type: outcome.type, payload: outcome.payload, keyId: frame.keyId, sequence: frame.sequence };
  }

  /** Switches to a reloaded key file's keyring (key rotation); later frames are checked against it. */
  useKeyring(keyring: FrameKeyring): void {
    assert(keyring.clusterId === this.keyring.clusterId, 'a reloaded keyring belongs to the same cluster');
    this.keyring = keyring;
  }

  /** Frames accepted so far; cheap, for callers that watch it per datagram (the fuzz harness). */
  get framesAccepted(): number {
    return this.accepted;
  }

  /** A snapshot of every counter. */
  counters(): FrameReceiverCounters {
    return {
      framesAuthenticated: this.authenticated,
      framesAccepted: this.accepted,
      messagesDelivered: this.delivered,
      drops: { ...this.frameDrops, ...this.reassembler.drops() },
      reassembliesActive: this.reassembler.activeCount,
      reassemblyBytesReserved: this.reassembler.reservedBytes,
    };
  }
}
