/**
 * The heartbeat wire format: one frame per link datagram, authenticated with HMAC-SHA256 and
 * optionally encrypted with AES-256-GCM. Every byte a link delivers goes through `decodeFrame`,
 * which never throws: whatever the bytes, the answer is a frame or a drop reason from a closed set,
 * so a bad packet is counted, never thrown through the event loop. `encodeFrame` asserts its input,
 * because a frame our own code cannot encode is a bug.
 *
 * Layout (big-endian; offsets in bytes):
 *
 *     0  magic 'H' 'L'       2  version (1)        3  flags (bit 0: payload encrypted; others 0)
 *     4  key id (1..255)     5  message type        6  cluster id (u32)
 *    10  sender node id (u16, 1..65535)            12  sender incarnation (u32)
 *    16  sequence (u48)                            22  payload length (u32)
 *    26  payload (plaintext, or ciphertext followed by its 16-byte GCM tag)
 *   26+n HMAC-SHA256 of bytes [0, 26+n), truncated to 16 bytes
 *
 * Invariants: the HMAC covers every byte before it, header included, so no field can change
 * unnoticed; bytes 10..21 (sender, incarnation, sequence) are also the GCM nonce, unique per
 * encryption key as long as each sender's incarnation grows at every start (the daemon's contract)
 * and its sequence grows within an incarnation (FrameSender's).
 *
 * Why a derived nonce rather than 12 random bytes: it costs nothing on the wire (the fields are in
 * the header anyway), it never repeats under one key by construction instead of by birthday odds
 * (random 96-bit nonces are limited to 2^32 messages per key), and it rests on the same promise the
 * anti-replay already needs: a daemon that reused an incarnation would be dropped by its peers as
 * `replay` regardless. The encryption key is derived per cluster id (frame-keyring.ts), so two
 * clusters that were given the same secret still never share a nonce space.
 *
 * Why both a GCM tag and the HMAC on encrypted frames: the HMAC is always checked first, so a
 * forgery is rejected before any decryption, and unencrypted and encrypted frames share one
 * authentication path; GCM cannot be used without its tag in node:crypto, and it costs 16 bytes
 * only on the links that choose encryption.
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { assert, err, isNodeId, ok, type NodeId, type Result } from '../lib/index.js';
import type { FrameKey, FrameKeyring } from './frame-keyring.js';

/** The first two bytes of every frame, "HL": cheap rejection of traffic that is not Heartline's. */
export const FRAME_MAGIC = 0x484c;
/** The wire format version this code speaks. A frame of another version is dropped as `bad-version`. */
export const FRAME_VERSION = 1;
export const FRAME_HEADER_BYTES = 26;
/**
 * The HMAC-SHA256 tag is truncated to 16 bytes, as IPsec does (RFC 4868, HMAC-SHA-256-128): a
 * forger must guess online, one datagram per try, and 2^-128 per try is far beyond reach, while
 * the 16 bytes saved matter on a 512-byte serial frame sent every second on every link.
 */
export const FRAME_TAG_BYTES = 16;
/** The GCM authentication tag appended to an encrypted payload. */
export const FRAME_GCM_TAG_BYTES = 16;
/** The bytes a frame adds to its payload: header and HMAC tag (plus the GCM tag when encrypted). */
export const FRAME_OVERHEAD_BYTES = FRAME_HEADER_BYTES + FRAME_TAG_BYTES;
/** The largest frame: the largest UDP payload over IPv4. Anything longer is `too-large` unread. */
export const FRAME_BYTES_MAX = 65_507;
/** The largest payload as carried (ciphertext and GCM tag included), so that a frame fits FRAME_BYTES_MAX. */
export const FRAME_PAYLOAD_BYTES_MAX = FRAME_BYTES_MAX - FRAME_OVERHEAD_BYTES;
/** Sequence numbers are 48 bits: at 10,000 frames a second they last 890 years, so they never wrap. */
export const FRAME_SEQUENCE_MAX = 2 ** 48 - 1;
export const FRAME_INCARNATION_MAX = 0xffff_ffff;
export const FRAME_CLUSTER_ID_MAX = 0xffff_ffff;

const FLAG_ENCRYPTED = 0x01;
const NONCE_OFFSET = 10;
const NONCE_BYTES = 12;
assert(NONCE_OFFSET + NONCE_BYTES === 22, 'the GCM nonce is exactly sender + incarnation + sequence');
assert(FRAME_OVERHEAD_BYTES + FRAME_GCM_TAG_BYTES < 512 / 4, 'frame overhead leaves most of a serial frame for payload');

/**
 * What a frame carries. Values are 1 byte on the wire; 0 is never used, and 5..255 are free for
 * later layers. A decoder that meets a type it does not know drops the frame as `unknown-type`
 * (after authenticating it), which is what an older node does with a newer peer's message.
 */
export const MessageType = {
  heartbeat: 1,
  membership: 2,
  fragment: 3,
  /** A reliable-channel message (src/ha/messaging/channel-message.ts): CIB and controller traffic. */
  channel: 4,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

const messageTypeNames = new Map<number, string>(Object.entries(MessageType).map(([name, value]) => [value, name]));

/** True for a byte value that names a MessageType this build knows. */
export function isMessageType(value: number): value is MessageType {
  return messageTypeNames.has(value);
}

/** The name of a message type, for logs and the CLI. */
export function messageTypeName(type: MessageType): string {
  return messageTypeNames.get(type) ?? `type-${type}`;
}

/**
 * Why a frame was dropped: the closed set the receiver counts and the CLI shows. The codec
 * produces all but `replay` and `stale-incarnation`, which the replay window decides.
 * - `malformed`: wrong magic, reserved flag bits set, sender 0, truncated, trailing bytes;
 * - `bad-version`: a wire format version this build does not speak;
 * - `unknown-cluster`: a frame of another cluster on the same network;
 * - `unknown-key`: a key id that is not in our key file (a key rotation half done);
 * - `bad-tag`: the HMAC does not match: corruption or forgery;
 * - `unknown-type`: authentic, but a message type this build does not know (a newer peer);
 * - `too-large`: longer than FRAME_BYTES_MAX, or a payload length field beyond it;
 * - `decrypt-failed`: authentic, but the GCM tag does not verify (a key holder sent garbage);
 * - `replay`: a sequence number already seen, or older than the replay window;
 * - `stale-incarnation`: from an incarnation of the sender older than one already heard.
 */
export const FRAME_DROP_REASONS = [
  'malformed',
  'bad-version',
  'unknown-cluster',
  'unknown-key',
  'bad-tag',
  'unknown-type',
  'too-large',
  'decrypt-failed',
  'replay',
  'stale-incarnation',
] as const;
export type FrameDropReason = (typeof FRAME_DROP_REASONS)[number];

/** A frame's fields, as encoded. */
export interface Frame {
  /** Which cluster the frame belongs to (u32); it must be the cluster of the key that encodes it. */
  readonly clusterId: number;
  readonly sender: NodeId;
  /** The sender's boot generation (u32), persisted and increased by the daemon at every start. */
  readonly incarnation: number;
  /** Increases by at least one for every frame of one (sender, incarnation); 0..2^48-1. */
  readonly sequence: number;
  readonly type: MessageType;
  /** Whether the payload travels AES-256-GCM encrypted. The flag itself is authenticated. */
  readonly encrypted: boolean;
  readonly payload: Uint8Array;
}

/** A frame as decoded: its fields and the id of the key that authenticated it. */
export interface DecodedFrame extends Frame {
  readonly keyId: number;
}

/**
 * Encodes `frame` with `key` (normally the keyring's active key). The result is a fresh buffer the
 * caller owns; `frame.payload` is only read.
 *
 * Preconditions (asserted, a violation is a bug in the caller): every field within its range,
 * `frame.clusterId` equal to the key's cluster, and the encoded frame at most FRAME_BYTES_MAX
 * bytes. Whether it also fits a link's `maxFrameBytes` is the caller's business (fragmentation.ts).
 */
export function encodeFrame(frame: Frame, key: FrameKey): Uint8Array {
  assert(frame.clusterId === key.clusterId, `frame of cluster ${frame.clusterId} encoded with a key of cluster ${key.clusterId}`);
  assert(Number.isInteger(frame.clusterId) && frame.clusterId >= 0 && frame.clusterId <= FRAME_CLUSTER_ID_MAX, `cluster id out of range: ${frame.clusterId}`);
  assert(isNodeId(frame.sender), `sender out of range: ${frame.sender}`);
  assert(Number.isInteger(frame.incarnation) && frame.incarnation >= 0 && frame.incarnation <= FRAME_INCARNATION_MAX, `incarnation out of range: ${frame.incarnation}`);
  assert(Number.isInteger(frame.sequence) && frame.sequence >= 0 && frame.sequence <= FRAME_SEQUENCE_MAX, `sequence out of range: ${frame.sequence}`);
  assert(isMessageType(frame.type), `unknown message type: ${frame.type}`);
  const payloadBytes = frame.payload.length + (frame.encrypted ? FRAME_GCM_TAG_BYTES : 0);
  assert(payloadBytes <= FRAME_PAYLOAD_BYTES_MAX, `payload of ${frame.payload.length} bytes exceeds the frame limit`);

  const bytes = Buffer.allocUnsafe(FRAME_OVERHEAD_BYTES + payloadBytes);
  bytes.writeUInt16BE(FRAME_MAGIC, 0);
  bytes.writeUInt8(FRAME_VERSION, 2);
  bytes.writeUInt8(frame.encrypted ? FLAG_ENCRYPTED : 0, 3);
  bytes.writeUInt8(key.id, 4);
  bytes.writeUInt8(frame.type, 5);
  bytes.writeUInt32BE(frame.clusterId, 6);
  bytes.writeUInt16BE(frame.sender, 10);
  bytes.writeUInt32BE(frame.incarnation, 12);
  bytes.writeUIntBE(frame.sequence, 16, 6);
  bytes.writeUInt32BE(payloadBytes, 22);

  const payloadEnd = FRAME_HEADER_BYTES + payloadBytes;
  if (frame.encrypted) {
    const cipher = createCipheriv('aes-256-gcm', key.encryptionKey, bytes.subarray(NONCE_OFFSET, NONCE_OFFSET + NONCE_BYTES), { authTagLength: FRAME_GCM_TAG_BYTES });
    cipher.setAAD(bytes.subarray(0, FRAME_HEADER_BYTES));
    const ciphertext = cipher.update(frame.payload);
    const rest = cipher.final();
    // GCM is a stream mode: ciphertext and plaintext have the same length, normally all from update().
    bytes.set(ciphertext, FRAME_HEADER_BYTES);
    bytes.set(rest, FRAME_HEADER_BYTES + ciphertext.length);
    bytes.set(cipher.getAuthTag(), payloadEnd - FRAME_GCM_TAG_BYTES);
  } else {
    bytes.set(frame.payload, FRAME_HEADER_BYTES);
  }
  const tag = createHmac('sha256', key.macKey).update(bytes.subarray(0, payloadEnd)).digest();
  tag.copy(bytes, payloadEnd, 0, FRAME_TAG_BYTES);
  return bytes;
}

/**
 * Decodes and authenticates one received frame against `keyring` (whose cluster is the only one
 * accepted). Never throws, whatever `bytes` holds: a frame that fails a check comes back as
 * `err(reason)`. Checks run cheapest first, and nothing after the tag check is trusted before it.
 *
 * Ownership: `bytes` is only read. The decoded payload of an unencrypted frame is a view into
 * `bytes` (no copy, for speed): a caller that keeps it must not reuse the buffer. An encrypted
 * frame's payload is a fresh buffer.
 *
 * It does not decide replays: sequence and incarnation go through the ReplayWindow afterwards.
 */
export function decodeFrame(bytes: Uint8Array, keyring: FrameKeyring): Result<DecodedFrame, FrameDropReason> {
  if (bytes.length > FRAME_BYTES_MAX) return err('too-large');
  if (bytes.length < FRAME_OVERHEAD_BYTES) return err('malformed');
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.readUInt16BE(0) !== FRAME_MAGIC) return err('malformed');
  if (view.readUInt8(2) !== FRAME_VERSION) return err('bad-version');
  const flags = view.readUInt8(3);
  if ((flags & ~FLAG_ENCRYPTED) !== 0) return err('malformed');
  const clusterId = view.readUInt32BE(6);
  if (clusterId !== keyring.clusterId) return err('unknown-cluster');
  const sender = view.readUInt16BE(10);
  if (!isNodeId(sender)) return err('malformed');
  const payloadBytes = view.readUInt32BE(22);
  if (payloadBytes > FRAME_PAYLOAD_BYTES_MAX) return err('too-large');
  if (FRAME_OVERHEAD_BYTES + payloadBytes !== bytes.length) return err('malformed');
  const encrypted = (flags & FLAG_ENCRYPTED) !== 0;
  if (encrypted && payloadBytes < FRAME_GCM_TAG_BYTES) return err('malformed');
  const keyId = view.readUInt8(4);
  const key = keyring.byId(keyId);
  if (key === undefined) return err('unknown-key');

  const payloadEnd = FRAME_HEADER_BYTES + payloadBytes;
  const expectedTag = createHmac('sha256', key.macKey).update(view.subarray(0, payloadEnd)).digest();
  if (!timingSafeEqual(expectedTag.subarray(0, FRAME_TAG_BYTES), view.subarray(payloadEnd))) return err('bad-tag');

  // Authentic from here on: every field is what a key holder of this cluster wrote.
  const type = view.readUInt8(5);
  if (!isMessageType(type)) return err('unknown-type');
  const incarnation = view.readUInt32BE(12);
  const sequence = view.readUIntBE(16, 6);
  let payload: Uint8Array;
  if (encrypted) {
    const decrypted = decryptPayload(view, payloadEnd, key);
    if (decrypted === undefined) return err('decrypt-failed');
    payload = decrypted;
  } else {
    payload = new Uint8Array(bytes.buffer, bytes.byteOffset + FRAME_HEADER_BYTES, payloadBytes);
  }
  return ok({ clusterId, sender, incarnation, sequence, type, encrypted, payload, keyId });
}

/** The plaintext of an authenticated encrypted frame, or undefined when GCM rejects it. */
function decryptPayload(view: Buffer, payloadEnd: number, key: FrameKey): Uint8Array | undefined {
  const decipher = createDecipheriv('aes-256-gcm', key.encryptionKey, view.subarray(NONCE_OFFSET, NONCE_OFFSET + NONCE_BYTES), { authTagLength: FRAME_GCM_TAG_BYTES });
  decipher.setAAD(view.subarray(0, FRAME_HEADER_BYTES));
  decipher.setAuthTag(view.subarray(payloadEnd - FRAME_GCM_TAG_BYTES, payloadEnd));
  const plaintext = decipher.update(view.subarray(FRAME_HEADER_BYTES, payloadEnd - FRAME_GCM_TAG_BYTES));
  try {
    const rest = decipher.final();
    const whole = rest.length === 0 ? plaintext : Buffer.concat([plaintext, rest]);
    return new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength);
  } catch {
    // final() throws exactly when the GCM tag does not verify: that is the expected failure we
    // convert to a drop reason, not a bug.
    return undefined;
  }
}
