// Properties of the membership message codec over generated messages of every type: encoding then
// decoding gives the message back; arbitrary bytes (random, or behind a valid type byte) only ever
// decode to an error value or to a message that encodes back to exactly those bytes (the encoding
// is canonical, except that a heartbeat's unknown extensions are skipped, so a heartbeat is only
// re-encoded to its normal form); and a single flipped bit of a valid encoding either fails to
// decode or decodes to a message whose encoding is the flipped bytes (or their normal form).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeId, type NodeId } from '../../../src/lib/index.js';
import {
  decodeMembershipMessage,
  encodeMembershipMessage,
  MAX_MEMBERS,
  type AckMessage,
  type CommitMessage,
  type Echo,
  type HeartbeatMessage,
  type LeaveMessage,
  type Member,
  type MembershipMessage,
  type ProposeMessage,
  type View,
  type ViewId,
} from '../../../src/ha/membership/index.js';

const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const nodeIdArb: fc.Arbitrary<NodeId> = fc.oneof(fc.integer({ min: 1, max: 0xffff }), fc.constantFrom(1, 2, 0xfffe, 0xffff)).map(nodeId);

/** Sorted by id, no repeated ids, at most MAX_MEMBERS; small lists are the common case. */
const membersArb = (minLength: number): fc.Arbitrary<Member[]> =>
  fc
    .uniqueArray(fc.record({ id: nodeIdArb, incarnation: u32 }), { selector: (m) => m.id, minLength, maxLength: MAX_MEMBERS, size: 'medium' })
    .map((list) => [...list].sort((a, b) => a.id - b.id));

const viewIdArb: fc.Arbitrary<ViewId> = fc.record({ seq: u32, proposer: nodeIdArb, incarnation: u32 });

const viewArb: fc.Arbitrary<View> = fc
  .tuple(viewIdArb, membersArb(1), fc.nat())
  .map(([id, members, pick]) => ({ id, members, dc: (members[pick % members.length] as Member).id }));

const echoArb: fc.Arbitrary<Echo> = fc.record({ node: nodeIdArb, beat: u32, holdMs: fc.integer({ min: 0, max: 0xffff }) });

const heartbeatArb: fc.Arbitrary<HeartbeatMessage> = fc.record(
  {
    type: fc.constant('heartbeat' as const),
    incarnation: u32,
    beat: u32,
    hears: membersArb(0),
    view: fc.option(viewArb, { nil: null }),
    echoes: fc.array(echoArb, { maxLength: MAX_MEMBERS }),
    intervalMs: fc.integer({ min: 1, max: 0xffff_ffff }),
  },
  { requiredKeys: ['type', 'incarnation', 'beat', 'hears', 'view', 'echoes'] },
);

/** A heartbeat without its interval extension (what a cut just before the extension leaves). */
function withoutInterval(message: MembershipMessage): MembershipMessage {
  if (message.type !== 'heartbeat' || message.intervalMs === undefined) return message;
  const { intervalMs: _interval, ...rest } = message;
  return rest;
}

/** A decoded heartbeat may have skipped unknown extensions: compare its normal form instead of bytes. */
function expectReencodes(decoded: MembershipMessage, bytes: Uint8Array): void {
  if (decoded.type === 'heartbeat') expect(decodeChecked(encodeMembershipMessage(decoded))).toEqual(decoded);
  else expect(encodeMembershipMessage(decoded)).toEqual(bytes);
}

const proposeArb: fc.Arbitrary<ProposeMessage> = fc.record({ type: fc.constant('propose' as const), incarnation: u32, viewId: viewIdArb, members: membersArb(0) });

const ackArb: fc.Arbitrary<AckMessage> = fc.record({
  type: fc.constant('ack' as const),
  incarnation: u32,
  viewId: viewIdArb,
  accepted: fc.boolean(),
  promised: fc.option(viewIdArb, { nil: null }),
  current: fc.option(viewArb, { nil: null }),
});

const commitArb: fc.Arbitrary<CommitMessage> = fc.record({ type: fc.constant('commit' as const), incarnation: u32, view: viewArb });

const leaveArb: fc.Arbitrary<LeaveMessage> = fc.record({ type: fc.constant('leave' as const), incarnation: u32 });

const messageArb: fc.Arbitrary<MembershipMessage> = fc.oneof(heartbeatArb, proposeArb, ackArb, commitArb, leaveArb);

/** Decodes without letting an exception escape as anything but a test failure with the input. */
function decodeChecked(bytes: Uint8Array): MembershipMessage | undefined {
  const result = decodeMembershipMessage(bytes);
  if (result.ok) return result.value;
  expect(typeof result.error).toBe('string');
  expect(result.error.length).toBeGreaterThan(0);
  return undefined;
}

describe('membership message codec (property)', () => {
  for (const [name, arb] of [
    ['heartbeat', heartbeatArb],
    ['propose', proposeArb],
    ['ack', ackArb],
    ['commit', commitArb],
    ['leave', leaveArb],
  ] as const) {
    it(`decode(encode(m)) equals m: ${name}`, () => {
      fc.assert(
        fc.property(arb as fc.Arbitrary<MembershipMessage>, (message) => {
          const result = decodeMembershipMessage(encodeMembershipMessage(message));
          expect(result).toEqual({ ok: true, value: message });
        }),
        { numRuns: 400 },
      );
    });
  }

  it('random bytes never throw, and whatever decodes is canonical', () => {
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      // A valid type byte in front, so the body parsers see the noise and not just the type switch.
      fc.tuple(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 400 })).map(([type, rest]) => new Uint8Array([type, ...rest])),
    );
    fc.assert(
      fc.property(input, (bytes) => {
        const message = decodeChecked(bytes);
        if (message !== undefined) expectReencodes(message, bytes);
      }),
      { numRuns: 5000 },
    );
  });

  it('a truncated or extended valid encoding never throws and never decodes (but a heartbeat cut before its extension, or extended by one)', () => {
    fc.assert(
      fc.property(messageArb, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), (message, cut, extra) => {
        const encoded = encodeMembershipMessage(message);
        const length = cut % encoded.length;
        const truncated = decodeChecked(encoded.slice(0, length));
        if (truncated !== undefined) {
          expect(length).toBe(encoded.length - 6);
          expect(truncated).toEqual(withoutInterval(message));
        }
        const extended = decodeChecked(new Uint8Array([...encoded, ...extra]));
        if (message.type !== 'heartbeat') expect(extended).toBeUndefined();
        else if (extended !== undefined) expect(withoutInterval(extended)).toEqual(withoutInterval(message));
      }),
      { numRuns: 1000 },
    );
  });

  it('a single flipped bit either fails to decode or decodes to a message that re-encodes to the flipped bytes', () => {
    let decodedAfterFlip = 0;
    fc.assert(
      fc.property(messageArb, fc.nat(), (message, position) => {
        const flipped = encodeMembershipMessage(message);
        const bit = position % (flipped.length * 8);
        flipped[bit >>> 3] = (flipped[bit >>> 3] ?? 0) ^ (1 << (bit & 7));
        const decoded = decodeChecked(flipped);
        if (decoded === undefined) return;
        decodedAfterFlip++;
        expect(decoded).not.toEqual(message);
        expectReencodes(decoded, flipped);
      }),
      { numRuns: 3000 },
    );
    // Most bits are plain field bits (incarnations, beats, seqs), so most flips still decode: the
    // second half of the property is exercised, not only the failures.
    expect(decodedAfterFlip).toBeGreaterThan(300);
  });
});
