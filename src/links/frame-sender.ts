/**
 * FrameSender: turns this node's outgoing messages into encoded frames for one link size, owning
 * the two counters the wire format depends on: the sequence number (strictly increasing within
 * this incarnation, which both the receivers' replay windows and the GCM nonce rely on) and the
 * message id of fragmented messages. One FrameSender per daemon process and incarnation, shared by
 * all links, so a sequence number is never used twice under one key.
 *
 * A message that fits one frame of the link goes as one frame of its own type; a larger one is
 * split into `fragment` frames (fragmentation.ts). Pure apart from the cryptography.
 */
import { assert, type NodeId } from '../lib/index.js';
import { encodeFrame, FRAME_BYTES_MAX, FRAME_GCM_TAG_BYTES, FRAME_OVERHEAD_BYTES, FRAME_SEQUENCE_MAX, MessageType } from './frame-codec.js';
import type { FrameKeyring } from './frame-keyring.js';
import { FRAGMENT_HEADER_BYTES, fragmentMessage } from './fragmentation.js';

export interface FrameSenderOptions {
  readonly keyring: FrameKeyring;
  readonly sender: NodeId;
  /** This process's incarnation (u32), persisted and increased by the daemon before it sends anything. */
  readonly incarnation: number;
  /** The first sequence number to use; 0 for a new incarnation. Tests start elsewhere to probe bounds. */
  readonly firstSequence?: number;
}

/** How to frame for one link: its frame size and whether it encrypts. */
export interface FrameShape {
  /** The link's `maxFrameBytes`; encoded frames are never longer. */
  readonly maxFrameBytes: number;
  readonly encrypted: boolean;
}

/** The smallest frame size that still carries a fragment with one byte of message. */
export const FRAME_BYTES_MIN = FRAME_OVERHEAD_BYTES + FRAME_GCM_TAG_BYTES + FRAGMENT_HEADER_BYTES + 1;

/** The most message bytes one frame of `shape` carries without fragmenting. */
export function framePayloadCapacity(shape: FrameShape): number {
  return Math.min(shape.maxFrameBytes, FRAME_BYTES_MAX) - FRAME_OVERHEAD_BYTES - (shape.encrypted ? FRAME_GCM_TAG_BYTES : 0);
}

export class FrameSender {
  private keyring: FrameKeyring;
  private nextSequence: number;
  private nextMessageId = 0;
  readonly sender: NodeId;
  readonly incarnation: number;

  constructor(options: FrameSenderOptions) {
    this.keyring = options.keyring;
    this.sender = options.sender;
    this.incarnation = options.incarnation;
    this.nextSequence = options.firstSequence ?? 0;
  }

  /** Switches to a reloaded keyring (key rotation); later frames are signed with its active key. */
  useKeyring(keyring: FrameKeyring): void {
    assert(keyring.clusterId === this.keyring.clusterId, 'a reloaded keyring belongs to the same cluster');
    this.keyring = keyring;
  }

  /**
   * Encodes one message as the frames to send, in order, over a link of `shape`; each frame is at
   * most `shape.maxFrameBytes` long and is a fresh buffer the caller owns. Every call consumes
   * sequence numbers, whether or not the frames are sent. Preconditions (asserted):
   * `shape.maxFrameBytes >= FRAME_BYTES_MIN`, a type other than `fragment`, and sequence numbers
   * left in this incarnation (2^48 of them: the daemon restarts long before).
   */
  encodeMessage(type: MessageType, payload: Uint8Array, shape: FrameShape): Uint8Array[] {
    assert(shape.maxFrameBytes >= FRAME_BYTES_MIN, `a link frame of ${shape.maxFrameBytes} bytes is too small to carry anything`);
    assert(type !== MessageType.fragment, 'fragments are made here, not passed in');
    const capacity = framePayloadCapacity(shape);
    if (payload.length <= capacity) return [this.encode(type, payload, shape.encrypted)];
    const fragments = fragmentMessage({ type, payload, messageId: this.nextMessageId }, capacity - FRAGMENT_HEADER_BYTES);
    this.nextMessageId = (this.nextMessageId + 1) % 0x1_0000_0000;
    return fragments.map((fragment) => this.encode(MessageType.fragment, fragment, shape.encrypted));
  }

  /** The sequence number the next frame will carry. */
  get sequence(): number {
    return this.nextSequence;
  }

  private encode(type: MessageType, payload: Uint8Array, encrypted: boolean): Uint8Array {
    assert(this.nextSequence <= FRAME_SEQUENCE_MAX, 'sequence numbers of this incarnation are exhausted: restart with a new incarnation');
    const frame = { clusterId: this.keyring.clusterId, sender: this.sender, incarnation: this.incarnation, sequence: this.nextSequence, type, encrypted, payload };
    this.nextSequence += 1;
    return encodeFrame(frame, this.keyring.active);
  }
}
