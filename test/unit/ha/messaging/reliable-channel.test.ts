import { describe, expect, it } from 'vitest';
import { millis, nodeId } from '../../../../src/lib/index.js';
import { ReliableChannel, decodeChannelMessage, encodeChannelMessage, type ChannelEffect, type ChannelMessage } from '../../../../src/ha/messaging/index.js';

const T = millis(0);
const A = nodeId(1);
const B = nodeId(2);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function channel(self = A, incarnation = 5, chunkBytes = 4, window = 2): ReliableChannel {
  return new ReliableChannel({ self, incarnation, chunkBytes, window, rtoMs: 100, maxRtoMs: 400 });
}
const transmitted = (effects: readonly ChannelEffect[]): ChannelMessage[] => effects.flatMap((e) => (e.kind === 'transmit' ? [e.message] : []));

describe('channel message codec', () => {
  it.each<ChannelMessage>([
    { kind: 'data', from: 1, to: 2, stream: 1, seq: 3, last: true, payload: bytes('hello') },
    { kind: 'data', from: 4294967295, to: 0, stream: 7, seq: 1, last: false, payload: new Uint8Array() },
    { kind: 'ack', from: 7, to: 8, stream: 2, seq: 9 },
  ])('round-trips $kind', (m) => {
    expect(decodeChannelMessage(encodeChannelMessage(m))).toEqual({ ok: true, value: m });
  });

  it.each([
    ['short', new Uint8Array(5)],
    ['unknown kind', Uint8Array.of(9, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3)],
    ['ack with trailing bytes', Uint8Array.of(2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 0)],
    ['reserved flags', Uint8Array.of(1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 6)],
  ])('refuses %s without throwing', (_name, raw) => {
    expect(decodeChannelMessage(raw).ok).toBe(false);
  });
});

describe('ReliableChannel', () => {
  it('delivers a message to itself at once', () => {
    expect(channel().step(T, { kind: 'send', to: A, payload: bytes('x') })).toEqual([{ kind: 'deliver', from: A, payload: bytes('x') }]);
  });

  it('reports a message to a peer that is not up as undelivered', () => {
    expect(channel().step(T, { kind: 'send', to: B, payload: bytes('x') })).toEqual([{ kind: 'undelivered', to: B, messages: 1, reason: 'peer is not up' }]);
  });

  it('cuts a message into chunks, keeps at most `window` unacknowledged, and slides on acks', () => {
    const c = channel();
    c.step(T, { kind: 'peer-up', node: B, incarnation: 9 });
    const first = transmitted(c.step(T, { kind: 'send', to: B, payload: bytes('abcdefghij') }));
    expect(first.map((m) => m.seq)).toEqual([1, 2]);
    const next = transmitted(c.step(T, { kind: 'receive', from: B, message: { kind: 'ack', from: 9, to: 5, stream: 1, seq: 2 } }));
    expect(next.map((m) => (m.kind === 'data' ? [m.seq, m.last] : []))).toEqual([[3, true]]);
  });

  it('retransmits everything unacknowledged on the timer, with backoff', () => {
    const c = channel();
    c.step(T, { kind: 'peer-up', node: B, incarnation: 9 });
    c.step(T, { kind: 'send', to: B, payload: bytes('abc') });
    const effects = c.step(T, { kind: 'timeout', timer: 'channel-rto:2' });
    expect(effects).toContainEqual(expect.objectContaining({ kind: 'transmit', retransmission: true }));
    expect(effects).toContainEqual({ kind: 'set-timer', timer: 'channel-rto:2', afterMs: 200 });
  });

  it('reassembles in order, buffers early chunks, acknowledges duplicates', () => {
    const rx = channel(B, 9);
    rx.step(T, { kind: 'peer-up', node: A, incarnation: 5 });
    const data = (seq: number, last: boolean, p: string, stream = 1): ChannelMessage => ({ kind: 'data', from: 5, to: 9, stream, seq, last, payload: bytes(p) });
    expect(rx.step(T, { kind: 'receive', from: A, message: data(2, true, 'def') }).filter((e) => e.kind === 'deliver')).toEqual([]);
    const out = rx.step(T, { kind: 'receive', from: A, message: data(1, false, 'abc') });
    expect(out.flatMap((e) => (e.kind === 'deliver' ? [text(e.payload)] : []))).toEqual(['abcdef']);
    const dup = rx.step(T, { kind: 'receive', from: A, message: data(1, false, 'abc') });
    expect(dup).toEqual([{ kind: 'transmit', to: A, message: { kind: 'ack', from: 9, to: 5, stream: 1, seq: 2 }, retransmission: false }]);
    // The sender gave up on this node and came back with a new stream: numbering starts over.
    const fresh = rx.step(T, { kind: 'receive', from: A, message: data(1, true, 'new', 2) });
    expect(fresh.flatMap((e) => (e.kind === 'deliver' ? [text(e.payload)] : []))).toEqual(['new']);
    // ... and the old stream's stragglers are dropped.
    expect(rx.step(T, { kind: 'receive', from: A, message: data(3, true, 'old', 1) }).filter((e) => e.kind === 'deliver')).toEqual([]);
  });

  it.each([
    ['an earlier incarnation of the sender', { from: 4, to: 9 }],
    ['an earlier incarnation of the receiver', { from: 5, to: 8 }],
  ])('drops a message from %s', (_name, session) => {
    const rx = channel(B, 9);
    rx.step(T, { kind: 'peer-up', node: A, incarnation: 5 });
    expect(rx.step(T, { kind: 'receive', from: A, message: { kind: 'data', ...session, stream: 1, seq: 1, last: true, payload: bytes('x') } })).toEqual([]);
    expect(rx.status().dropped).toBe(1);
  });

  it('reports unacknowledged messages as undelivered when the peer goes down or restarts', () => {
    const c = channel();
    c.step(T, { kind: 'peer-up', node: B, incarnation: 9 });
    c.step(T, { kind: 'send', to: B, payload: bytes('one') });
    c.step(T, { kind: 'send', to: B, payload: bytes('two') });
    expect(c.step(T, { kind: 'peer-up', node: B, incarnation: 10 })).toContainEqual({ kind: 'undelivered', to: B, messages: 2, reason: 'peer restarted' });
    c.step(T, { kind: 'send', to: B, payload: bytes('three') });
    expect(c.step(T, { kind: 'peer-down', node: B })).toContainEqual({ kind: 'undelivered', to: B, messages: 1, reason: 'peer down' });
  });

  it('starts a new stream from seq 1 when the peer comes back after being declared down', () => {
    const c = channel();
    c.step(T, { kind: 'peer-up', node: B, incarnation: 9 });
    c.step(T, { kind: 'send', to: B, payload: bytes('one') });
    c.step(T, { kind: 'peer-down', node: B });
    c.step(T, { kind: 'peer-up', node: B, incarnation: 9 });
    const again = transmitted(c.step(T, { kind: 'send', to: B, payload: bytes('two') }));
    expect(again).toEqual([expect.objectContaining({ kind: 'data', stream: 2, seq: 1 })]);
  });
});
