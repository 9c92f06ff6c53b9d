/**
 * Fragmentation: a message larger than one link frame (a CIB of megabytes; a UDP link carries
 * about 1400 bytes a frame, a serial link 512) travels as `fragment` frames, each carrying a
 * fragment header and one chunk, and is reassembled on receipt. Every fragment is a frame of its
 * own, so each is authenticated and replay-checked before it gets here.
 *
 * Fragment payload layout (big-endian), inside a frame of type `fragment`:
 *
 *     0  inner message type (u8, never `fragment`)    1  message id (u32, per sender)
 *     5  index (u16, 0..count-1)    7  count (u16)    9  total message bytes (u32)
 *    13  chunk bytes (u16, the size of every chunk but the last)
 *    15  chunk
 *
 * Chunk i covers bytes [i*chunkBytes, ...) of the message, so a fragment's place is fixed by its
 * header alone and fragments may arrive in any order; the header is checked to be consistent
 * (count = ceil(total/chunkBytes), exact chunk lengths), so there are no gaps or overlaps.
 *
 * Reassembly is pure (the caller passes `now`) and bounded: at most `perSenderMax` messages in
 * progress per sender and `totalBytesMax` bytes reserved in all; a new message that would exceed
 * either evicts the least recently advanced ones, counted as `reassembly-evicted`. A message with
 * no new fragment for `idleTimeoutMs` expires (`reassembly-expired`), so a slow serial transfer that
 * keeps making progress is never cut off, while a dead one frees its memory. Each sender's last
 * few completed message ids are remembered, so a fragment re-sent after completion is a
 * `fragment-duplicate`, never a second delivery.
 */
import { assert, err, ok, type Millis, type NodeId, type Result } from '../lib/index.js';
import { isMessageType, MessageType } from './frame-codec.js';

export const FRAGMENT_HEADER_BYTES = 15;
/** The most fragments one message may have (the u16 count). */
export const FRAGMENT_COUNT_MAX = 0xffff;

/** Why a fragment or a partly reassembled message was dropped; the receiver counts these too. */
export const REASSEMBLY_DROP_REASONS = [
  'fragment-malformed',
  'fragment-duplicate',
  'message-too-large',
  'reassembly-expired',
  'reassembly-evicted',
  'reassembly-abandoned',
] as const;
export type ReassemblyDropReason = (typeof REASSEMBLY_DROP_REASONS)[number];

/** A fragment's header, as carried at the start of a `fragment` frame's payload. */
export interface FragmentHeader {
  /** The type of the whole message (heartbeat, membership, ...), never `fragment`. */
  readonly innerType: MessageType;
  readonly messageId: number;
  readonly index: number;
  readonly count: number;
  readonly totalBytes: number;
  readonly chunkBytes: number;
}

/** The message to split: its type, its bytes (read only) and its per-sender id (u32). */
export interface FragmentableMessage {
  readonly type: MessageType;
  readonly payload: Uint8Array;
  readonly messageId: number;
}

/**
 * Splits a message into fragment payloads (header + chunk), each `chunkBytes` of message at most,
 * to be sent as frames of type `fragment`, in any order. Each returned buffer is fresh and owned by
 * the caller. Preconditions (asserted): a non-empty payload, a chunk size of 1..65535, at most
 * FRAGMENT_COUNT_MAX fragments, a u32 message id and an inner type other than `fragment`.
 */
export function fragmentMessage(message: FragmentableMessage, chunkBytes: number): Uint8Array[] {
  const totalBytes = message.payload.length;
  assert(message.type !== MessageType.fragment && isMessageType(message.type), `cannot fragment a message of type ${message.type}`);
  assert(Number.isInteger(chunkBytes) && chunkBytes >= 1 && chunkBytes <= 0xffff, `chunk size out of range: ${chunkBytes}`);
  assert(totalBytes >= 1 && totalBytes <= 0xffff_ffff, `cannot fragment a message of ${totalBytes} bytes`);
  assert(Number.isInteger(message.messageId) && message.messageId >= 0 && message.messageId <= 0xffff_ffff, `message id out of range: ${message.messageId}`);
  const count = Math.ceil(totalBytes / chunkBytes);
  assert(count <= FRAGMENT_COUNT_MAX, `a message of ${totalBytes} bytes needs ${count} fragments of ${chunkBytes} bytes, more than ${FRAGMENT_COUNT_MAX}`);
  const fragments: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const chunk = message.payload.subarray(index * chunkBytes, Math.min(totalBytes, (index + 1) * chunkBytes));
    const fragment = Buffer.allocUnsafe(FRAGMENT_HEADER_BYTES + chunk.length);
    fragment.writeUInt8(message.type, 0);
    fragment.writeUInt32BE(message.messageId, 1);
    fragment.writeUInt16BE(index, 5);
    fragment.writeUInt16BE(count, 7);
    fragment.writeUInt32BE(totalBytes, 9);
    fragment.writeUInt16BE(chunkBytes, 13);
    fragment.set(chunk, FRAGMENT_HEADER_BYTES);
    fragments.push(fragment);
  }
  return fragments;
}

/**
 * Reads and checks a fragment payload. Never throws; an inconsistent header is
 * `fragment-malformed`. The chunk is a view into `payload`.
 */
export function parseFragment(payload: Uint8Array): Result<{ readonly header: FragmentHeader; readonly chunk: Uint8Array }, 'fragment-malformed'> {
  if (payload.length < FRAGMENT_HEADER_BYTES) return err('fragment-malformed');
  const view = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const innerType = view.readUInt8(0);
  const messageId = view.readUInt32BE(1);
  const index = view.readUInt16BE(5);
  const count = view.readUInt16BE(7);
  const totalBytes = view.readUInt32BE(9);
  const chunkBytes = view.readUInt16BE(13);
  if (!isMessageType(innerType) || innerType === MessageType.fragment) return err('fragment-malformed');
  if (chunkBytes === 0 || totalBytes === 0 || count === 0 || index >= count) return err('fragment-malformed');
  if (count !== Math.ceil(totalBytes / chunkBytes)) return err('fragment-malformed');
  const expectedChunk = index < count - 1 ? chunkBytes : totalBytes - (count - 1) * chunkBytes;
  if (payload.length - FRAGMENT_HEADER_BYTES !== expectedChunk) return err('fragment-malformed');
  return ok({
    header: { innerType, messageId, index, count, totalBytes, chunkBytes },
    chunk: new Uint8Array(payload.buffer, payload.byteOffset + FRAGMENT_HEADER_BYTES, expectedChunk),
  });
}

/** The limits of a Reassembler; see defaultReassemblyLimits for values that suit a CIB. */
export interface ReassemblyLimits {
  /** The largest message accepted; a larger one is `message-too-large`. At most totalBytesMax. */
  readonly messageBytesMax: number;
  /** The most messages in progress from one sender. */
  readonly perSenderMax: number;
  /** The most bytes reserved by all messages in progress together. */
  readonly totalBytesMax: number;
  /** A message with no new fragment for this long is dropped. */
  readonly idleTimeoutMs: Millis;
}

/**
 * Defaults: a CIB of a few megabytes fits with room to spare (16 MiB per message); four messages
 * in flight per sender allow a CIB update to overlap the next; 64 MiB in all bounds what a
 * 16-node cluster's peers can make us hold. 30 s of silence ends a reassembly: a 512-byte serial
 * frame at 9600 baud takes about half a second, so only a dead transfer is that quiet.
 */
export const defaultReassemblyLimits: ReassemblyLimits = {
  messageBytesMax: 16 * 1024 * 1024,
  perSenderMax: 4,
  totalBytesMax: 64 * 1024 * 1024,
  idleTimeoutMs: 30_000 as Millis,
};

/** What became of one fragment. */
export type ReassemblyOutcome =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'complete'; readonly type: MessageType; readonly messageId: number; readonly payload: Uint8Array }
  | { readonly kind: 'dropped'; readonly reason: ReassemblyDropReason };

interface Reassembly {
  readonly sender: NodeId;
  readonly header: FragmentHeader;
  readonly buffer: Uint8Array;
  readonly received: Uint8Array;
  receivedCount: number;
  lastProgressAt: Millis;
}

const INCOMPLETE: ReassemblyOutcome = { kind: 'incomplete' };
/** Enough to cover fragments re-sent for the last few messages; a few hundred bytes per sender. */
const COMPLETED_IDS_REMEMBERED = 32;

export class Reassembler {
  /**
   * Messages in progress, keyed by sender * 2^32 + message id, in order of last progress: a
   * fragment that advances a message moves it to the end, so the first entry is always the next
   * to expire and the first to evict.
   */
  private readonly inProgress = new Map<number, Reassembly>();
  private readonly latestIncarnation = new Map<NodeId, number>();
  /**
   * The ids of each sender's last COMPLETED_IDS_REMEMBERED completed messages (current incarnation),
   * so that a fragment re-sent after its message completed is a duplicate, not the start of a
   * second delivery (or of a reassembly that can only expire).
   */
  private readonly completedIds = new Map<NodeId, number[]>();
  private readonly perSender = new Map<NodeId, number>();
  private reserved = 0;
  private readonly dropCounts: Record<ReassemblyDropReason, number> = Object.fromEntries(REASSEMBLY_DROP_REASONS.map((reason) => [reason, 0])) as Record<ReassemblyDropReason, number>;

  /** `limits` are checked once (asserted): positive, and messageBytesMax <= totalBytesMax. */
  constructor(private readonly limits: ReassemblyLimits = defaultReassemblyLimits) {
    assert(limits.messageBytesMax >= 1 && limits.messageBytesMax <= limits.totalBytesMax, 'reassembly limits: 1 <= messageBytesMax <= totalBytesMax');
    assert(Number.isInteger(limits.perSenderMax) && limits.perSenderMax >= 1, 'reassembly limits: perSenderMax >= 1');
    assert(limits.idleTimeoutMs > 0, 'reassembly limits: idleTimeoutMs > 0');
  }

  /**
   * Takes the payload of one authenticated, replay-checked `fragment` frame from `sender` in
   * `incarnation`, at time `now` (monotonic, never decreasing between calls). Never throws.
   * Returns the whole message when this fragment completes it; the returned payload is a fresh
   * buffer the caller owns. The fragment is copied, so `payload` may be reused afterwards.
   */
  accept(sender: NodeId, incarnation: number, payload: Uint8Array, now: Millis): ReassemblyOutcome {
    this.expire(now);
    const parsed = parseFragment(payload);
    if (!parsed.ok) return this.drop('fragment-malformed');
    const { header, chunk } = parsed.value;

    // A restarted sender will never finish what its previous process started.
    const latest = this.latestIncarnation.get(sender);
    if (latest !== undefined && incarnation < latest) return this.drop('reassembly-abandoned');
    if (latest === undefined || incarnation > latest) {
      this.latestIncarnation.set(sender, incarnation);
      this.completedIds.delete(sender);
      if (latest !== undefined) this.removeSender(sender, 'reassembly-abandoned');
    }

    const key = sender * 0x1_0000_0000 + header.messageId;
    let reassembly = this.inProgress.get(key);
    if (reassembly === undefined) {
      if (this.completedIds.get(sender)?.includes(header.messageId) === true) return this.drop('fragment-duplicate');
      if (header.totalBytes > this.limits.messageBytesMax) return this.drop('message-too-large');
      this.makeRoom(sender, header.totalBytes);
      reassembly = {
        sender,
        header,
        buffer: new Uint8Array(header.totalBytes),
        received: new Uint8Array(header.count),
        receivedCount: 0,
        lastProgressAt: now,
      };
      this.inProgress.set(key, reassembly);
      this.perSender.set(sender, (this.perSender.get(sender) ?? 0) + 1);
      this.reserved += header.totalBytes;
    } else if (!sameMessage(reassembly.header, header)) {
      return this.drop('fragment-malformed');
    }
    if (reassembly.received[header.index] === 1) return this.drop('fragment-duplicate');

    reassembly.buffer.set(chunk, header.index * header.chunkBytes);
    reassembly.received[header.index] = 1;
    reassembly.receivedCount += 1;
    reassembly.lastProgressAt = now;
    this.inProgress.delete(key);
    if (reassembly.receivedCount === header.count) {
      this.release(reassembly);
      this.rememberCompleted(sender, header.messageId);
      return { kind: 'complete', type: header.innerType, messageId: header.messageId, payload: reassembly.buffer };
    }
    this.inProgress.set(key, reassembly);
    return INCOMPLETE;
  }

  /** Drops every message idle for idleTimeoutMs or more at `now`; returns how many. */
  expire(now: Millis): number {
    let expired = 0;
    for (const [key, reassembly] of this.inProgress) {
      if (now - reassembly.lastProgressAt < this.limits.idleTimeoutMs) break;
      this.inProgress.delete(key);
      this.release(reassembly);
      this.dropCounts['reassembly-expired'] += 1;
      expired += 1;
    }
    return expired;
  }

  /** Drops counted so far, by reason. A copy: the caller may keep it. */
  drops(): Record<ReassemblyDropReason, number> {
    return { ...this.dropCounts };
  }

  /** Messages in progress and the bytes they reserve, for status displays and memory checks. */
  get activeCount(): number {
    return this.inProgress.size;
  }

  get reservedBytes(): number {
    return this.reserved;
  }

  private drop(reason: ReassemblyDropReason): ReassemblyOutcome {
    this.dropCounts[reason] += 1;
    return { kind: 'dropped', reason };
  }

  /** Evicts least recently advanced messages until one more of `bytes` from `sender` fits the limits. */
  private makeRoom(sender: NodeId, bytes: number): void {
    if ((this.perSender.get(sender) ?? 0) >= this.limits.perSenderMax) {
      for (const [key, reassembly] of this.inProgress) {
        if (reassembly.sender !== sender) continue;
        this.evict(key, reassembly);
        break;
      }
    }
    for (const [key, reassembly] of this.inProgress) {
      if (this.reserved + bytes <= this.limits.totalBytesMax) break;
      this.evict(key, reassembly);
    }
    assert(this.reserved + bytes <= this.limits.totalBytesMax, 'reassembly: eviction freed enough memory');
    assert((this.perSender.get(sender) ?? 0) < this.limits.perSenderMax, 'reassembly: eviction freed a slot for the sender');
  }

  private rememberCompleted(sender: NodeId, messageId: number): void {
    const ids = this.completedIds.get(sender) ?? [];
    ids.push(messageId);
    if (ids.length > COMPLETED_IDS_REMEMBERED) ids.shift();
    this.completedIds.set(sender, ids);
  }

  private evict(key: number, reassembly: Reassembly): void {
    this.inProgress.delete(key);
    this.release(reassembly);
    this.dropCounts['reassembly-evicted'] += 1;
  }

  private removeSender(sender: NodeId, reason: ReassemblyDropReason): void {
    for (const [key, reassembly] of this.inProgress) {
      if (reassembly.sender !== sender) continue;
      this.inProgress.delete(key);
      this.release(reassembly);
      this.dropCounts[reason] += 1;
    }
  }

  /** Returns a finished or dropped message's reservation; it must already be out of inProgress. */
  private release(reassembly: Reassembly): void {
    this.reserved -= reassembly.header.totalBytes;
    const remaining = (this.perSender.get(reassembly.sender) ?? 0) - 1;
    if (remaining === 0) this.perSender.delete(reassembly.sender);
    else this.perSender.set(reassembly.sender, remaining);
  }
}

function sameMessage(a: FragmentHeader, b: FragmentHeader): boolean {
  return a.innerType === b.innerType && a.count === b.count && a.totalBytes === b.totalBytes && a.chunkBytes === b.chunkBytes;
}
