// The receiver end to end: genuine messages are delivered (single frames and fragmented ones);
// duplicates, stale incarnations, own looped-back frames and forgeries are dropped and counted by
// reason; a forgery cannot move the replay window; a restarted peer's half-sent message is
// abandoned; and garbage of any shape is counted, never thrown.
import { describe, expect, it } from 'vitest';
import { millis, nodeId } from '../../../src/lib/index.js';
import { MessageType } from '../../../src/links/frame-codec.js';
import { FrameReceiver, RECEIVER_DROP_REASONS, type ReceiverDropReason } from '../../../src/links/frame-receiver.js';
import { FrameSender, type FrameShape } from '../../../src/links/frame-sender.js';
import { resign, testKeyring } from './test-keyring.js';

const LOCAL = nodeId(1);
const PEER = nodeId(2);
const UDP: FrameShape = { maxFrameBytes: 1400, encrypted: false };
const SERIAL_ENCRYPTED: FrameShape = { maxFrameBytes: 512, encrypted: true };
const keyring = testKeyring({ ids: [1, 2] });

function setup(): { receiver: FrameReceiver; peer: FrameSender } {
  return { receiver: new FrameReceiver({ keyring, localNodeId: LOCAL }), peer: new FrameSender({ keyring, sender: PEER, incarnation: 1 }) };
}

function nonZeroDrops(receiver: FrameReceiver): Partial<Record<ReceiverDropReason, number>> {
  return Object.fromEntries(Object.entries(receiver.counters().drops).filter(([, count]) => count > 0));
}

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

describe('FrameReceiver', () => {
  it('delivers a heartbeat with its sender, incarnation, type and payload', () => {
    const { receiver, peer } = setup();
    const [frame] = peer.encodeMessage(MessageType.heartbeat, text('alive'), UDP);
    const delivered = receiver.accept(frame ?? new Uint8Array(0), millis(0));
    expect(delivered).toMatchObject({ sender: PEER, incarnation: 1, type: MessageType.heartbeat, keyId: 1, sequence: 0 });
    expect(new TextDecoder().decode(delivered?.payload)).toBe('alive');
    expect(receiver.counters()).toMatchObject({ framesAuthenticated: 1, framesAccepted: 1, messagesDelivered: 1 });
  });

  it('delivers a 100 kB message sent as encrypted serial fragments, out of order, once', () => {
    const { receiver, peer } = setup();
    const payload = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff);
    const frames = peer.encodeMessage(MessageType.membership, payload, SERIAL_ENCRYPTED);
    expect(frames.every((frame) => frame.length <= 512)).toBe(true);
    const shuffled = [...frames.filter((_, i) => i % 3 === 0), ...frames.filter((_, i) => i % 3 !== 0).reverse()];
    const delivered = [...shuffled, ...frames.slice(0, 5)].map((frame, i) => receiver.accept(frame, millis(i))).filter((m) => m !== undefined);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.type).toBe(MessageType.membership);
    expect(Buffer.from(delivered[0]?.payload ?? new Uint8Array(0)).equals(payload)).toBe(true);
    expect(nonZeroDrops(receiver)).toEqual({ replay: 5 });
    expect(receiver.counters()).toMatchObject({ reassembliesActive: 0, reassemblyBytesReserved: 0 });
  });

  it('drops the second copy of a frame heard on two links as replay', () => {
    const { receiver, peer } = setup();
    const [frame] = peer.encodeMessage(MessageType.heartbeat, text('x'), UDP);
    expect(receiver.accept(frame ?? new Uint8Array(0), millis(0))).toBeDefined();
    expect(receiver.accept(frame ?? new Uint8Array(0), millis(1))).toBeUndefined();
    expect(nonZeroDrops(receiver)).toEqual({ replay: 1 });
  });

  it("drops an old incarnation's frames once the peer restarted, and abandons its half-sent message", () => {
    const { receiver, peer } = setup();
    const oldFrames = peer.encodeMessage(MessageType.membership, new Uint8Array(5000), UDP);
    receiver.accept(oldFrames[0] ?? new Uint8Array(0), millis(0));
    const restarted = new FrameSender({ keyring, sender: PEER, incarnation: 2 });
    const [fresh] = restarted.encodeMessage(MessageType.heartbeat, text('back'), UDP);
    expect(receiver.accept(fresh ?? new Uint8Array(0), millis(1))).toMatchObject({ incarnation: 2 });
    expect(receiver.accept(oldFrames[1] ?? new Uint8Array(0), millis(2))).toBeUndefined();
    const restartedFragments = restarted.encodeMessage(MessageType.membership, new Uint8Array(3000), UDP);
    expect(restartedFragments.map((frame, i) => receiver.accept(frame, millis(3 + i))).filter((m) => m !== undefined)).toHaveLength(1);
    expect(nonZeroDrops(receiver)).toEqual({ 'stale-incarnation': 1, 'reassembly-abandoned': 1 });
  });

  it('with encryption required, drops authentic clear-text frames as not-encrypted and delivers encrypted ones', () => {
    const receiver = new FrameReceiver({ keyring, localNodeId: LOCAL, requireEncryption: true });
    const peer = new FrameSender({ keyring, sender: PEER, incarnation: 1 });
    const [clear] = peer.encodeMessage(MessageType.heartbeat, text('clear'), UDP);
    const [sealed] = peer.encodeMessage(MessageType.heartbeat, text('sealed'), { ...UDP, encrypted: true });
    expect(receiver.accept(clear ?? new Uint8Array(0), millis(0))).toBeUndefined();
    expect(new TextDecoder().decode(receiver.accept(sealed ?? new Uint8Array(0), millis(1))?.payload)).toBe('sealed');
    expect(nonZeroDrops(receiver)).toEqual({ 'not-encrypted': 1 });
  });

  it("drops this node's own frames looped back by a broadcast link", () => {
    const { receiver } = setup();
    const self = new FrameSender({ keyring, sender: LOCAL, incarnation: 4 });
    const [frame] = self.encodeMessage(MessageType.heartbeat, text('me'), UDP);
    expect(receiver.accept(frame ?? new Uint8Array(0), millis(0))).toBeUndefined();
    expect(nonZeroDrops(receiver)).toEqual({ 'own-frame': 1 });
  });

  it('never lets a forgery move the replay window', () => {
    const { receiver, peer } = setup();
    // A forger claims a huge sequence number for the peer; if it were believed, every genuine frame
    // after it would be dropped as too old.
    const forger = new FrameSender({ keyring: testKeyring({ forged: true }), sender: PEER, incarnation: 0xffff_ffff, firstSequence: 2 ** 47 });
    const [forged] = forger.encodeMessage(MessageType.heartbeat, text('evil'), UDP);
    expect(receiver.accept(forged ?? new Uint8Array(0), millis(0))).toBeUndefined();
    const [genuine] = peer.encodeMessage(MessageType.heartbeat, text('ok'), UDP);
    expect(receiver.accept(genuine ?? new Uint8Array(0), millis(1))).toBeDefined();
    expect(nonZeroDrops(receiver)).toEqual({ 'bad-tag': 1 });
  });

  it('counts an authentic fragment with a broken header as fragment-malformed', () => {
    const { receiver } = setup();
    const forger = new FrameSender({ keyring, sender: PEER, incarnation: 1 });
    const [frame] = forger.encodeMessage(MessageType.heartbeat, new Uint8Array(20), UDP);
    const bytes = Buffer.from(frame ?? new Uint8Array(0));
    bytes.writeUInt8(MessageType.fragment, 5);
    expect(receiver.accept(resign(bytes, keyring.active), millis(0))).toBeUndefined();
    expect(nonZeroDrops(receiver)).toEqual({ 'fragment-malformed': 1 });
  });

  it('counts garbage of every shape without throwing', () => {
    const { receiver } = setup();
    const inputs = [new Uint8Array(0), new Uint8Array(1), new Uint8Array(41), new Uint8Array(42), new Uint8Array(1400).fill(0xff), new Uint8Array(70_000), Buffer.from('HL\u0001 hello there, this is not a frame at all')];
    for (const [i, input] of inputs.entries()) expect(receiver.accept(input, millis(i))).toBeUndefined();
    expect(nonZeroDrops(receiver)).toEqual({ malformed: 6, 'too-large': 1 });
  });

  it('reports every drop reason, zero or not, in a fixed set', () => {
    expect(Object.keys(setup().receiver.counters().drops)).toEqual([...RECEIVER_DROP_REASONS]);
  });

  it('accepts the new key after useKeyring', () => {
    const receiver = new FrameReceiver({ keyring: testKeyring({ ids: [1] }), localNodeId: LOCAL });
    const peer = new FrameSender({ keyring: testKeyring({ ids: [1, 2], active: 2 }), sender: PEER, incarnation: 1 });
    const frames = [0, 1].map(() => peer.encodeMessage(MessageType.heartbeat, text('k2'), UDP)[0] ?? new Uint8Array(0));
    expect(receiver.accept(frames[0] ?? new Uint8Array(0), millis(0))).toBeUndefined();
    receiver.useKeyring(testKeyring({ ids: [1, 2] }));
    expect(receiver.accept(frames[1] ?? new Uint8Array(0), millis(1))).toMatchObject({ keyId: 2 });
    expect(nonZeroDrops(receiver)).toEqual({ 'unknown-key': 1 });
  });
});
