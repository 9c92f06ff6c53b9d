// Fragmentation and reassembly: split and rejoin in order, out of order and with duplicates;
// every inconsistent header is refused; a message missing a fragment expires after the idle
// timeout (and one that keeps progressing does not); memory stays within the per-sender and total
// limits by evicting the least recently advanced message; a sender's restart abandons its old
// messages; and FrameSender's frames never exceed the link's frame size.
import { describe, expect, it } from 'vitest';
import { AssertionError, millis, nodeId, type Millis } from '../../../src/lib/index.js';
import { decodeFrame, MessageType } from '../../../src/links/frame-codec.js';
import { FRAME_BYTES_MIN, FrameSender, framePayloadCapacity } from '../../../src/links/frame-sender.js';
import { FRAGMENT_HEADER_BYTES, fragmentMessage, parseFragment, Reassembler, type ReassemblyLimits, type ReassemblyOutcome } from '../../../src/links/fragmentation.js';
import { testKeyring } from './test-keyring.js';

const A = nodeId(2);
const B = nodeId(3);

function message(length: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

function limits(overrides: Partial<ReassemblyLimits> = {}): ReassemblyLimits {
  return { messageBytesMax: 1 << 20, perSenderMax: 4, totalBytesMax: 4 << 20, idleTimeoutMs: millis(1000), ...overrides };
}

function feed(reassembler: Reassembler, fragments: readonly Uint8Array[], options: { sender?: typeof A; incarnation?: number; now?: Millis } = {}): ReassemblyOutcome[] {
  return fragments.map((fragment) => reassembler.accept(options.sender ?? A, options.incarnation ?? 1, fragment, options.now ?? millis(0)));
}

function completed(outcomes: readonly ReassemblyOutcome[]): Uint8Array[] {
  return outcomes.flatMap((outcome) => (outcome.kind === 'complete' ? [new Uint8Array(outcome.payload)] : []));
}

describe('fragmentMessage / parseFragment', () => {
  it('splits into equal chunks and a shorter last one, each with its header', () => {
    const fragments = fragmentMessage({ type: MessageType.membership, payload: message(25), messageId: 0xfedcba98 }, 10);
    expect(fragments.map((fragment) => fragment.length - FRAGMENT_HEADER_BYTES)).toEqual([10, 10, 5]);
    const parsed = fragments.map((fragment) => parseFragment(fragment));
    expect(parsed.map((p) => p.ok && p.value.header)).toEqual([0, 1, 2].map((index) => ({ innerType: MessageType.membership, messageId: 0xfedcba98, index, count: 3, totalBytes: 25, chunkBytes: 10 })));
  });

  it('makes one fragment when the message fits one chunk', () => {
    expect(fragmentMessage({ type: MessageType.heartbeat, payload: message(10), messageId: 0 }, 10)).toHaveLength(1);
  });

  it('asserts on what it cannot fragment', () => {
    expect(() => fragmentMessage({ type: MessageType.fragment, payload: message(5), messageId: 0 }, 2)).toThrow(AssertionError);
    expect(() => fragmentMessage({ type: MessageType.heartbeat, payload: message(0), messageId: 0 }, 2)).toThrow(AssertionError);
    expect(() => fragmentMessage({ type: MessageType.heartbeat, payload: message(5), messageId: 0 }, 0)).toThrow(AssertionError);
    expect(() => fragmentMessage({ type: MessageType.heartbeat, payload: message(70_000), messageId: 0 }, 1)).toThrow(AssertionError);
  });

  const good = (): Buffer => Buffer.from(fragmentMessage({ type: MessageType.heartbeat, payload: message(25), messageId: 7 }, 10)[1] ?? new Uint8Array(0));
  const malformed: readonly [string, (b: Buffer) => Uint8Array][] = [
    ['shorter than the header', (b) => b.subarray(0, FRAGMENT_HEADER_BYTES - 1)],
    ['inner type fragment', (b) => (b.writeUInt8(MessageType.fragment, 0), b)],
    ['unknown inner type', (b) => (b.writeUInt8(77, 0), b)],
    ['index equal to count', (b) => (b.writeUInt16BE(3, 5), b)],
    ['count 0', (b) => (b.writeUInt16BE(0, 7), b)],
    ['count inconsistent with sizes', (b) => (b.writeUInt16BE(4, 7), b)],
    ['total 0', (b) => (b.writeUInt32BE(0, 9), b)],
    ['chunk size 0', (b) => (b.writeUInt16BE(0, 13), b)],
    ['chunk one byte short', (b) => b.subarray(0, b.length - 1)],
    ['chunk one byte long', (b) => Buffer.concat([b, Buffer.from([0])])],
  ];
  for (const [name, edit] of malformed) {
    it(`refuses a fragment with ${name}`, () => {
      expect(parseFragment(edit(good())).ok).toBe(false);
    });
  }
});

describe('Reassembler', () => {
  const payload = message(1000);
  const fragments = fragmentMessage({ type: MessageType.membership, payload, messageId: 5 }, 64);

  it('reassembles fragments in order, then frees everything', () => {
    const reassembler = new Reassembler(limits());
    const outcomes = feed(reassembler, fragments);
    expect(outcomes.slice(0, -1).every((o) => o.kind === 'incomplete')).toBe(true);
    expect(outcomes.at(-1)).toMatchObject({ kind: 'complete', type: MessageType.membership, messageId: 5 });
    expect(completed(outcomes)).toEqual([payload]);
    expect(reassembler.activeCount).toBe(0);
    expect(reassembler.reservedBytes).toBe(0);
  });

  it('reassembles fragments in reverse and interleaved order', () => {
    const reassembler = new Reassembler(limits());
    expect(completed(feed(reassembler, [...fragments].reverse()))).toEqual([payload]);
    const even = fragments.filter((_, i) => i % 2 === 0);
    const odd = fragments.filter((_, i) => i % 2 === 1);
    expect(completed(feed(new Reassembler(limits()), [...odd, ...even]))).toEqual([payload]);
  });

  it('drops a duplicate fragment and counts it, still completing once', () => {
    const reassembler = new Reassembler(limits());
    const first = fragments[0] ?? new Uint8Array(0);
    const outcomes = feed(reassembler, [first, first, ...fragments.slice(1), first]);
    expect(outcomes[1]).toEqual({ kind: 'dropped', reason: 'fragment-duplicate' });
    expect(completed(outcomes)).toEqual([payload]);
    // The last copy arrives after completion: still a duplicate, not the start of a new message.
    expect(outcomes.at(-1)).toEqual({ kind: 'dropped', reason: 'fragment-duplicate' });
    expect(reassembler.drops()['fragment-duplicate']).toBe(2);
    expect(reassembler.activeCount).toBe(0);
  });

  it('keeps two senders and two messages of one sender apart', () => {
    const reassembler = new Reassembler(limits());
    const other = fragmentMessage({ type: MessageType.heartbeat, payload: message(300, 9), messageId: 6 }, 64);
    const sameIdFromB = fragmentMessage({ type: MessageType.heartbeat, payload: message(200, 4), messageId: 5 }, 64);
    const outcomes = [...feed(reassembler, fragments.slice(0, 3)), ...feed(reassembler, other), ...feed(reassembler, sameIdFromB, { sender: B }), ...feed(reassembler, fragments.slice(3))];
    expect(completed(outcomes)).toEqual([message(300, 9), message(200, 4), payload]);
  });

  it('refuses a fragment inconsistent with the message in progress', () => {
    const reassembler = new Reassembler(limits());
    feed(reassembler, fragments.slice(0, 1));
    const conflicting = fragmentMessage({ type: MessageType.membership, payload: message(2000), messageId: 5 }, 64)[1] ?? new Uint8Array(0);
    expect(feed(reassembler, [conflicting])).toEqual([{ kind: 'dropped', reason: 'fragment-malformed' }]);
  });

  it('expires a message missing a fragment after the idle timeout, and frees its memory', () => {
    const reassembler = new Reassembler(limits({ idleTimeoutMs: millis(1000) }));
    feed(reassembler, fragments.slice(0, -1), { now: millis(100) });
    expect(reassembler.reservedBytes).toBe(1000);
    expect(reassembler.expire(millis(1099))).toBe(0);
    expect(reassembler.expire(millis(1100))).toBe(1);
    expect(reassembler.reservedBytes).toBe(0);
    expect(reassembler.drops()['reassembly-expired']).toBe(1);
    // The last fragment, arriving late, cannot complete anything.
    expect(feed(reassembler, fragments.slice(-1), { now: millis(1200) })).toEqual([{ kind: 'incomplete' }]);
  });

  it('does not expire a slow message that keeps making progress', () => {
    const reassembler = new Reassembler(limits({ idleTimeoutMs: millis(1000) }));
    const outcomes = fragments.map((fragment, i) => reassembler.accept(A, 1, fragment, millis(i * 900)));
    expect(completed(outcomes)).toEqual([payload]);
    expect(reassembler.drops()['reassembly-expired']).toBe(0);
  });

  it('expires only the idle one of two messages', () => {
    const reassembler = new Reassembler(limits({ idleTimeoutMs: millis(1000) }));
    const other = fragmentMessage({ type: MessageType.heartbeat, payload: message(300), messageId: 6 }, 64);
    reassembler.accept(A, 1, fragments[0] ?? new Uint8Array(0), millis(0));
    reassembler.accept(A, 1, other[0] ?? new Uint8Array(0), millis(10));
    reassembler.accept(A, 1, fragments[1] ?? new Uint8Array(0), millis(500));
    expect(reassembler.expire(millis(1010))).toBe(1);
    expect(reassembler.reservedBytes).toBe(1000);
  });

  it('refuses a message larger than messageBytesMax, without reserving memory', () => {
    const reassembler = new Reassembler(limits({ messageBytesMax: 999 }));
    expect(feed(reassembler, fragments.slice(0, 1))).toEqual([{ kind: 'dropped', reason: 'message-too-large' }]);
    expect(reassembler.reservedBytes).toBe(0);
  });

  it('evicts the least recently advanced message of a sender beyond perSenderMax', () => {
    const reassembler = new Reassembler(limits({ perSenderMax: 2 }));
    const messages = [1, 2, 3].map((id) => fragmentMessage({ type: MessageType.heartbeat, payload: message(200, id), messageId: id }, 64));
    reassembler.accept(A, 1, messages[0]?.[0] ?? new Uint8Array(0), millis(0));
    reassembler.accept(A, 1, messages[1]?.[0] ?? new Uint8Array(0), millis(1));
    reassembler.accept(A, 1, messages[0]?.[1] ?? new Uint8Array(0), millis(2)); // message 1 advanced: message 2 is now the oldest
    reassembler.accept(B, 1, messages[2]?.[0] ?? new Uint8Array(0), millis(3)); // another sender has its own slots
    reassembler.accept(A, 1, messages[2]?.[0] ?? new Uint8Array(0), millis(4));
    expect(reassembler.drops()['reassembly-evicted']).toBe(1);
    expect(reassembler.activeCount).toBe(3);
    expect(completed(feed(reassembler, (messages[0] ?? []).slice(2)))).toEqual([message(200, 1)]);
    // Message 2 lost its first fragment with the eviction: the rest cannot complete it.
    expect(completed(feed(reassembler, (messages[1] ?? []).slice(1)))).toEqual([]);
  });

  it('keeps total reserved memory within totalBytesMax by evicting the oldest', () => {
    const reassembler = new Reassembler(limits({ messageBytesMax: 1000, totalBytesMax: 2500, perSenderMax: 10 }));
    for (let id = 0; id < 10; id++) {
      const sender = nodeId(10 + id);
      reassembler.accept(sender, 1, fragmentMessage({ type: MessageType.heartbeat, payload: message(1000), messageId: id }, 64)[0] ?? new Uint8Array(0), millis(id));
      expect(reassembler.reservedBytes).toBeLessThanOrEqual(2500);
    }
    expect(reassembler.activeCount).toBe(2);
    expect(reassembler.drops()['reassembly-evicted']).toBe(8);
  });

  it('abandons the messages of an incarnation once the sender restarts', () => {
    const reassembler = new Reassembler(limits());
    feed(reassembler, fragments.slice(0, 2), { incarnation: 1 });
    expect(feed(reassembler, fragments.slice(0, 1), { incarnation: 2 })).toEqual([{ kind: 'incomplete' }]);
    expect(reassembler.drops()['reassembly-abandoned']).toBe(1);
    expect(feed(reassembler, fragments.slice(2, 3), { incarnation: 1 })).toEqual([{ kind: 'dropped', reason: 'reassembly-abandoned' }]);
    expect(completed(feed(reassembler, fragments.slice(1), { incarnation: 2 }))).toEqual([payload]);
  });

  it('forgets completed message ids when the sender restarts, since ids start over', () => {
    const reassembler = new Reassembler(limits());
    expect(completed(feed(reassembler, fragments, { incarnation: 1 }))).toEqual([payload]);
    expect(completed(feed(reassembler, fragments, { incarnation: 2 }))).toEqual([payload]);
  });

  it('asserts on inconsistent limits', () => {
    expect(() => new Reassembler(limits({ messageBytesMax: 10, totalBytesMax: 5 }))).toThrow(AssertionError);
    expect(() => new Reassembler(limits({ perSenderMax: 0 }))).toThrow(AssertionError);
  });
});

describe('FrameSender', () => {
  const keyring = testKeyring();

  for (const maxFrameBytes of [FRAME_BYTES_MIN, 512, 1400]) {
    for (const encrypted of [false, true]) {
      it(`fills but never exceeds ${maxFrameBytes}-byte frames${encrypted ? ', encrypted' : ''}`, () => {
        const sender = new FrameSender({ keyring, sender: A, incarnation: 3 });
        const shape = { maxFrameBytes, encrypted };
        const capacity = framePayloadCapacity(shape);
        expect(sender.encodeMessage(MessageType.heartbeat, message(capacity), shape)).toHaveLength(1);
        const frames = sender.encodeMessage(MessageType.membership, message(capacity * 3), shape);
        expect(frames.length).toBeGreaterThan(3);
        expect(Math.max(...frames.map((frame) => frame.length))).toBe(maxFrameBytes);
        const decoded = frames.map((frame) => decodeFrame(frame, keyring));
        expect(decoded.map((d) => d.ok && [d.value.type, d.value.sequence])).toEqual(frames.map((_, i) => [MessageType.fragment, 1 + i]));
        const reassembler = new Reassembler(limits());
        expect(completed(decoded.map((d) => reassembler.accept(A, 3, d.ok ? d.value.payload : new Uint8Array(0), millis(0))))).toEqual([message(capacity * 3)]);
      });
    }
  }

  it('numbers frames from firstSequence and messages from 0', () => {
    const sender = new FrameSender({ keyring, sender: A, incarnation: 1, firstSequence: 2 ** 48 - 2 });
    sender.encodeMessage(MessageType.heartbeat, message(1), { maxFrameBytes: 512, encrypted: false });
    expect(sender.sequence).toBe(2 ** 48 - 1);
    sender.encodeMessage(MessageType.heartbeat, message(1), { maxFrameBytes: 512, encrypted: false });
    expect(() => sender.encodeMessage(MessageType.heartbeat, message(1), { maxFrameBytes: 512, encrypted: false })).toThrow(/exhausted/);
  });

  it('asserts on a frame too small to carry anything and on a fragment passed in', () => {
    const sender = new FrameSender({ keyring, sender: A, incarnation: 1 });
    expect(() => sender.encodeMessage(MessageType.heartbeat, message(1), { maxFrameBytes: FRAME_BYTES_MIN - 1, encrypted: false })).toThrow(AssertionError);
    expect(() => sender.encodeMessage(MessageType.fragment, message(1), { maxFrameBytes: 512, encrypted: false })).toThrow(AssertionError);
  });

  it('signs with the new active key after useKeyring', () => {
    const sender = new FrameSender({ keyring, sender: A, incarnation: 1 });
    sender.useKeyring(testKeyring({ ids: [1, 2], active: 2 }));
    const [frame] = sender.encodeMessage(MessageType.heartbeat, message(1), { maxFrameBytes: 512, encrypted: false });
    const decoded = decodeFrame(frame ?? new Uint8Array(0), testKeyring({ ids: [1, 2] }));
    expect(decoded.ok && decoded.value.keyId).toBe(2);
  });
});
