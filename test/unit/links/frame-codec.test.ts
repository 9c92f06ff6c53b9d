// The frame codec: every field round-trips at its bounds, plain and encrypted, under rotated keys;
// the bytes sit where the documented layout says; and each drop reason the codec owns comes from a
// frame crafted to hit exactly that check (re-signed where the check sits behind the tag).
import { describe, expect, it } from 'vitest';
import { AssertionError, nodeId } from '../../../src/lib/index.js';
import {
  decodeFrame,
  encodeFrame,
  FRAME_BYTES_MAX,
  FRAME_GCM_TAG_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_OVERHEAD_BYTES,
  FRAME_PAYLOAD_BYTES_MAX,
  FRAME_SEQUENCE_MAX,
  MessageType,
  messageTypeName,
  type Frame,
  type FrameDropReason,
} from '../../../src/links/frame-codec.js';
import { plain, resign, TEST_CLUSTER_ID, testKeyring } from './test-keyring.js';

const keyring = testKeyring();
const key = keyring.active;

function frame(overrides: Partial<Frame> = {}): Frame {
  return {
    clusterId: TEST_CLUSTER_ID,
    sender: nodeId(2),
    incarnation: 7,
    sequence: 42,
    type: MessageType.heartbeat,
    encrypted: false,
    payload: new Uint8Array([1, 2, 3, 4]),
    ...overrides,
  };
}

function decoded(bytes: Uint8Array, ring = keyring): Frame & { keyId: number } {
  const result = decodeFrame(bytes, ring);
  if (!result.ok) throw new Error(`expected a frame, got drop '${result.error}'`);
  return { ...result.value, payload: plain(result.value.payload) };
}

function dropOf(bytes: Uint8Array, ring = keyring): FrameDropReason | 'ok' {
  const result = decodeFrame(bytes, ring);
  return result.ok ? 'ok' : result.error;
}

const boundaryCases: readonly [string, Partial<Frame>][] = [
  ['smallest values', { clusterId: 0, sender: nodeId(1), incarnation: 0, sequence: 0, payload: new Uint8Array(0) }],
  ['largest values', { clusterId: 0xffff_ffff, sender: nodeId(65_535), incarnation: 0xffff_ffff, sequence: FRAME_SEQUENCE_MAX }],
  ['sequence above 2^32', { sequence: 2 ** 32 + 5 }],
  ['membership type', { type: MessageType.membership }],
  ['fragment type', { type: MessageType.fragment }],
  ['one-byte payload', { payload: new Uint8Array([0xff]) }],
  ['largest plain payload', { payload: new Uint8Array(FRAME_PAYLOAD_BYTES_MAX).fill(0x5a) }],
];

describe('encodeFrame / decodeFrame round trip', () => {
  for (const encrypted of [false, true]) {
    for (const [name, overrides] of boundaryCases) {
      it(`${name}, ${encrypted ? 'encrypted' : 'plain'}`, () => {
        let input = frame({ ...overrides, encrypted });
        // An encrypted payload carries its GCM tag too, so its largest plaintext is 16 bytes smaller.
        if (encrypted && input.payload.length === FRAME_PAYLOAD_BYTES_MAX) input = { ...input, payload: input.payload.subarray(FRAME_GCM_TAG_BYTES) };
        const ring = testKeyring({ clusterId: input.clusterId });
        const bytes = encodeFrame(input, ring.active);
        expect(bytes.length).toBe(FRAME_OVERHEAD_BYTES + input.payload.length + (encrypted ? FRAME_GCM_TAG_BYTES : 0));
        expect(bytes.length).toBeLessThanOrEqual(FRAME_BYTES_MAX);
        const { payload, ...fields } = decoded(bytes, ring);
        // Buffer.equals, not toEqual: a deep comparison of 64 KiB element by element takes a second.
        expect(Buffer.from(payload).equals(input.payload)).toBe(true);
        expect(fields).toEqual({ ...input, payload: undefined, keyId: 1 });
      });
    }
  }

  it('accepts a frame signed with any listed key and reports which (key rotation)', () => {
    const oldRing = testKeyring({ ids: [1] });
    const newRing = testKeyring({ ids: [1, 2], active: 2 });
    const receiver = testKeyring({ ids: [1, 2], active: 1 });
    expect(decoded(encodeFrame(frame(), oldRing.active), receiver).keyId).toBe(1);
    expect(decoded(encodeFrame(frame({ encrypted: true }), newRing.active), receiver).keyId).toBe(2);
    // After the rotation completes and key 1 is removed, its frames are unknown.
    expect(dropOf(encodeFrame(frame(), oldRing.active), testKeyring({ ids: [2] }))).toBe('unknown-key');
  });

  it('encodes the same frame to the same bytes: the nonce is derived, not drawn', () => {
    expect(plain(encodeFrame(frame({ encrypted: true }), key))).toEqual(plain(encodeFrame(frame({ encrypted: true }), key)));
  });

  it('hides an encrypted payload and changes the ciphertext with the sequence', () => {
    const payload = new TextEncoder().encode('the CIB says: resource db runs on node 2');
    const first = Buffer.from(encodeFrame(frame({ encrypted: true, payload }), key));
    const second = Buffer.from(encodeFrame(frame({ encrypted: true, payload, sequence: 43 }), key));
    expect(first.includes(Buffer.from('resource'))).toBe(false);
    expect(first.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + payload.length).equals(second.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + payload.length))).toBe(false);
  });

  it('returns a plain payload as a view into the input and an encrypted one as a fresh buffer', () => {
    const plainBytes = encodeFrame(frame(), key);
    const plainResult = decodeFrame(plainBytes, keyring);
    expect(plainResult.ok && plainResult.value.payload.buffer).toBe(plainBytes.buffer);
    const encryptedBytes = encodeFrame(frame({ encrypted: true }), key);
    const encryptedResult = decodeFrame(encryptedBytes, keyring);
    expect(encryptedResult.ok && encryptedResult.value.payload.buffer !== encryptedBytes.buffer).toBe(true);
  });

  it('decodes a frame that sits at an offset inside a larger buffer', () => {
    const bytes = encodeFrame(frame(), key);
    const container = new Uint8Array(bytes.length + 10);
    container.set(bytes, 7);
    expect(decoded(container.subarray(7, 7 + bytes.length))).toEqual({ ...frame(), payload: plain(frame().payload), keyId: 1 });
  });
});

describe('frame layout', () => {
  it('puts every field at its documented offset, big-endian', () => {
    const bytes = Buffer.from(encodeFrame(frame({ clusterId: 0x01020304, sender: nodeId(0x0506), incarnation: 0x0708090a, sequence: 0x0b0c0d0e0f10, type: MessageType.membership }), testKeyring({ clusterId: 0x01020304, ids: [9] }).active));
    expect(bytes.subarray(0, FRAME_HEADER_BYTES).toString('hex')).toBe(
      ['484c', '01', '00', '09', '02', '01020304', '0506', '0708090a', '0b0c0d0e0f10', '00000004'].join(''),
    );
    expect(bytes.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + 4).toString('hex')).toBe('01020304');
    expect(bytes.length).toBe(FRAME_HEADER_BYTES + 4 + 16);
  });

  it('sets flag bit 0 for an encrypted payload and counts the GCM tag in the length', () => {
    const bytes = Buffer.from(encodeFrame(frame({ encrypted: true }), key));
    expect(bytes[3]).toBe(1);
    expect(bytes.readUInt32BE(22)).toBe(4 + FRAME_GCM_TAG_BYTES);
  });

  it('names message types for logs', () => {
    expect(messageTypeName(MessageType.fragment)).toBe('fragment');
  });
});

describe('encodeFrame preconditions', () => {
  const cases: readonly [string, Partial<Frame>][] = [
    ['cluster id of another key', { clusterId: TEST_CLUSTER_ID + 1 }],
    ['sender 0', { sender: 0 as never }],
    ['incarnation above u32', { incarnation: 2 ** 32 }],
    ['negative sequence', { sequence: -1 }],
    ['sequence above u48', { sequence: 2 ** 48 }],
    ['unknown type', { type: 99 as never }],
    ['payload beyond the frame limit', { payload: new Uint8Array(FRAME_PAYLOAD_BYTES_MAX + 1) }],
    ['encrypted payload beyond the frame limit', { payload: new Uint8Array(FRAME_PAYLOAD_BYTES_MAX), encrypted: true }],
  ];
  for (const [name, overrides] of cases) {
    it(`asserts on ${name}`, () => {
      expect(() => encodeFrame(frame(overrides), key)).toThrow(AssertionError);
    });
  }
});

/** A genuine frame's bytes, changed by `edit`, optionally re-signed as a key holder would. */
function crafted(edit: (bytes: Buffer) => void, options: { resign?: boolean; encrypted?: boolean } = {}): Buffer {
  const bytes = Buffer.from(encodeFrame(frame({ encrypted: options.encrypted ?? false }), key));
  edit(bytes);
  if (options.resign === true) resign(bytes, key);
  return bytes;
}

describe('decodeFrame drop reasons', () => {
  const cases: readonly [string, FrameDropReason, () => Uint8Array][] = [
    ['empty input', 'malformed', () => new Uint8Array(0)],
    ['shorter than header and tag', 'malformed', () => crafted(() => {}).subarray(0, FRAME_OVERHEAD_BYTES - 1)],
    ['truncated payload', 'malformed', () => crafted(() => {}).subarray(0, FRAME_OVERHEAD_BYTES + 2)],
    ['trailing byte', 'malformed', () => Buffer.concat([crafted(() => {}), Buffer.from([0])])],
    ['wrong magic', 'malformed', () => crafted((b) => b.writeUInt16BE(0x4849, 0))],
    ['reserved flag bit', 'malformed', () => crafted((b) => b.writeUInt8(0x80, 3), { resign: true })],
    ['sender 0', 'malformed', () => crafted((b) => b.writeUInt16BE(0, 10), { resign: true })],
    ['payload length short by one', 'malformed', () => crafted((b) => b.writeUInt32BE(3, 22))],
    ['encrypted payload shorter than the GCM tag', 'malformed', () => crafted((b) => b.writeUInt8(1, 3), { resign: true })],
    ['version 2', 'bad-version', () => crafted((b) => b.writeUInt8(2, 2), { resign: true })],
    ['version 0', 'bad-version', () => crafted((b) => b.writeUInt8(0, 2))],
    ['another cluster', 'unknown-cluster', () => crafted((b) => b.writeUInt32BE(TEST_CLUSTER_ID + 1, 6), { resign: true })],
    ['key id not listed', 'unknown-key', () => crafted((b) => b.writeUInt8(3, 4))],
    ['key id 0', 'unknown-key', () => crafted((b) => b.writeUInt8(0, 4))],
    ['flipped payload bit', 'bad-tag', () => crafted((b) => b.writeUInt8((b[FRAME_HEADER_BYTES] ?? 0) ^ 1, FRAME_HEADER_BYTES))],
    ['flipped tag bit', 'bad-tag', () => crafted((b) => b.writeUInt8((b[b.length - 1] ?? 0) ^ 0x80, b.length - 1))],
    ['changed sequence', 'bad-tag', () => crafted((b) => b.writeUIntBE(43, 16, 6))],
    ['signed by a forger under a listed key id', 'bad-tag', () => encodeFrame(frame(), testKeyring({ forged: true }).active)],
    ['unknown message type, authentic', 'unknown-type', () => crafted((b) => b.writeUInt8(200, 5), { resign: true })],
    ['message type 0, authentic', 'unknown-type', () => crafted((b) => b.writeUInt8(0, 5), { resign: true })],
    ['longer than any datagram', 'too-large', () => new Uint8Array(FRAME_BYTES_MAX + 1)],
    ['huge payload length field', 'too-large', () => crafted((b) => b.writeUInt32BE(0xffff_ffff, 22))],
    ['ciphertext changed and re-signed', 'decrypt-failed', () => crafted((b) => b.writeUInt8((b[FRAME_HEADER_BYTES] ?? 0) ^ 1, FRAME_HEADER_BYTES), { encrypted: true, resign: true })],
    ['GCM tag changed and re-signed', 'decrypt-failed', () => crafted((b) => b.writeUInt8((b[FRAME_HEADER_BYTES + 4] ?? 0) ^ 1, FRAME_HEADER_BYTES + 4), { encrypted: true, resign: true })],
  ];
  for (const [name, reason, make] of cases) {
    it(`${name} → ${reason}`, () => {
      expect(dropOf(make())).toBe(reason);
    });
  }

  it('checks the encryption-flag case against a payload long enough to be encrypted', () => {
    // The same flip on a payload of 16+ bytes reaches the tag check and fails there.
    const bytes = Buffer.from(encodeFrame(frame({ payload: new Uint8Array(20) }), key));
    bytes.writeUInt8(1, 3);
    expect(dropOf(bytes)).toBe('bad-tag');
  });
});
