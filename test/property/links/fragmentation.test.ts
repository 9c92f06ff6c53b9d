// Properties of fragmentation: any message up to a few megabytes, split for any frame size,
// reassembles to exactly itself whatever the order of its fragments and however many are
// duplicated; and end to end through FrameSender and FrameReceiver (authentication, replay window,
// reassembly) over UDP- and serial-sized frames, plain or encrypted, shuffled and doubled.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { millis, nodeId, randomInt, SeededRandom } from '../../../src/lib/index.js';
import { MessageType } from '../../../src/links/frame-codec.js';
import { FrameReceiver } from '../../../src/links/frame-receiver.js';
import { FrameSender } from '../../../src/links/frame-sender.js';
import { fragmentMessage, Reassembler } from '../../../src/links/fragmentation.js';
import { testKeyring } from '../../unit/links/test-keyring.js';

/** A deterministic message of `length` bytes (fast to make even at megabytes). */
function message(length: number, seed: number): Uint8Array {
  const random = new SeededRandom(seed);
  const words = new Uint32Array(Math.ceil(length / 4));
  for (let i = 0; i < words.length; i++) words[i] = random.nextUint32();
  return new Uint8Array(words.buffer, 0, length);
}

/** The items in a seeded random order, with about `duplicateRate` of them repeated somewhere. */
function shuffleWithDuplicates<T>(items: readonly T[], seed: number, duplicateRate: number): T[] {
  const random = new SeededRandom(seed, 1);
  const out = [...items, ...items.filter(() => random.nextUint32() / 2 ** 32 < duplicateRate)];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(random, 0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const sizes = fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 5000, max: 4 * 1024 * 1024 }));

describe('fragmentation (property)', () => {
  it('reassembles any message in any order with duplicates, exactly once', () => {
    fc.assert(
      fc.property(sizes, fc.integer({ min: 1, max: 1400 }), fc.nat(), fc.double({ min: 0, max: 0.5, noNaN: true }), (length, chunkBytes, seed, duplicateRate) => {
        fc.pre(Math.ceil(length / chunkBytes) <= 0xffff);
        const payload = message(length, seed);
        const fragments = fragmentMessage({ type: MessageType.membership, payload, messageId: seed >>> 0 }, chunkBytes);
        const reassembler = new Reassembler();
        const completed: Uint8Array[] = [];
        const order = shuffleWithDuplicates(fragments, seed, duplicateRate);
        for (const [i, fragment] of order.entries()) {
          const outcome = reassembler.accept(nodeId(2), 1, fragment, millis(i));
          if (outcome.kind === 'complete') {
            expect(outcome.type).toBe(MessageType.membership);
            completed.push(outcome.payload);
          }
        }
        // A duplicate that arrives after completion is recognised too: nothing completes twice.
        expect(completed).toHaveLength(1);
        expect(reassembler.activeCount).toBe(0);
        expect(Buffer.from(completed[0] ?? new Uint8Array(0)).equals(payload)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('delivers any message end to end through sender and receiver, shuffled and doubled', () => {
    const keyring = testKeyring();
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 3000, max: 3 * 1024 * 1024 })),
        fc.constantFrom(512, 1400),
        fc.boolean(),
        fc.nat(),
        (length, maxFrameBytes, encrypted, seed) => {
          const payload = message(length, seed);
          const sender = new FrameSender({ keyring, sender: nodeId(7), incarnation: seed });
          const receiver = new FrameReceiver({ keyring, localNodeId: nodeId(1) });
          const frames = sender.encodeMessage(MessageType.membership, payload, { maxFrameBytes, encrypted });
          // Reordering stays inside the replay window only if it is local: shuffle within blocks.
          const order: Uint8Array[] = [];
          for (let start = 0; start < frames.length; start += 512) order.push(...shuffleWithDuplicates(frames.slice(start, start + 512), seed + start, 0.2));
          const delivered = order.map((frame, i) => receiver.accept(frame, millis(i))).filter((m) => m !== undefined);
          expect(delivered).toHaveLength(1);
          expect(Buffer.from(delivered[0]?.payload ?? new Uint8Array(0)).equals(payload)).toBe(true);
          expect(receiver.counters().drops.replay).toBe(order.length - frames.length);
        },
      ),
      { numRuns: 16 },
    );
  });
});
