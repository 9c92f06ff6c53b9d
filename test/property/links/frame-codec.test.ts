// Properties of the frame codec and receiver, over arbitrary frames and arbitrary bytes:
// decoding an encoded frame gives it back; flipping any single bit of an encoded frame gets it
// rejected; and no byte string, random or frame-like, makes the decoder or the receiver throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { millis, nodeId } from '../../../src/lib/index.js';
import { decodeFrame, encodeFrame, FRAME_HEADER_BYTES, MessageType, type Frame } from '../../../src/links/frame-codec.js';
import { FrameReceiver } from '../../../src/links/frame-receiver.js';
import { TEST_CLUSTER_ID, testKeyring } from '../../unit/links/test-keyring.js';

const keyrings = [testKeyring({ ids: [1, 2], active: 1 }), testKeyring({ ids: [1, 2], active: 2 })];
const receiverKeyring = testKeyring({ ids: [1, 2] });

// fc.integer stops at 2^31 - 1: wider fields come from bigints, with the bounds made likely.
const unsigned = (bits: number): fc.Arbitrary<number> => {
  const max = 2n ** BigInt(bits) - 1n;
  return fc.oneof(fc.constantFrom(0, Number(max)), fc.bigInt({ min: 0n, max }).map(Number));
};

const frameArbitrary: fc.Arbitrary<Frame> = fc.record({
  clusterId: fc.constant(TEST_CLUSTER_ID),
  sender: fc.integer({ min: 1, max: 0xffff }).map(nodeId),
  incarnation: unsigned(32),
  sequence: unsigned(48),
  type: fc.constantFrom(MessageType.heartbeat, MessageType.membership, MessageType.fragment),
  encrypted: fc.boolean(),
  payload: fc.uint8Array({ maxLength: 1500 }),
});

describe('frame codec (property)', () => {
  it('decode(encode(frame)) is the frame, under either key', () => {
    fc.assert(
      fc.property(frameArbitrary, fc.constantFrom(...keyrings), (frame, keyring) => {
        const result = decodeFrame(encodeFrame(frame, keyring.active), receiverKeyring);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const { payload, keyId, ...fields } = result.value;
        expect(keyId).toBe(keyring.active.id);
        expect(fields).toEqual({ ...frame, payload: undefined });
        expect(Buffer.from(payload).equals(frame.payload)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects any single bit flip anywhere in a frame', () => {
    fc.assert(
      fc.property(frameArbitrary, fc.nat(), (frame, position) => {
        const bytes = new Uint8Array(encodeFrame(frame, receiverKeyring.active));
        const bit = position % (bytes.length * 8);
        bytes[bit >>> 3] = (bytes[bit >>> 3] ?? 0) ^ (1 << (bit & 7));
        expect(decodeFrame(bytes, receiverKeyring).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on random bytes, and never accepts them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        expect(decodeFrame(bytes, receiverKeyring).ok).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on frame-like bytes (right magic, version and cluster, random rest) fed to the receiver', () => {
    const receiver = new FrameReceiver({ keyring: receiverKeyring, localNodeId: nodeId(1) });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: FRAME_HEADER_BYTES, maxLength: 2000 }), fc.nat(0xff), fc.boolean(), (bytes, flags, fixLength) => {
        const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        view.writeUInt16BE(0x484c, 0);
        view.writeUInt8(1, 2);
        view.writeUInt8(flags & 0x81, 3);
        view.writeUInt32BE(TEST_CLUSTER_ID, 6);
        // Half the time the length field is consistent, so the input reaches the tag check.
        if (fixLength && bytes.length >= 42) view.writeUInt32BE(bytes.length - 42, 22);
        const before = receiver.framesAccepted;
        expect(receiver.accept(bytes, millis(0))).toBeUndefined();
        expect(receiver.framesAccepted).toBe(before);
      }),
      { numRuns: 3000 },
    );
  });
});
