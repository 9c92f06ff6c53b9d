// The membership message codec: every message type round-trips at its field bounds (node ids 1 and
// 65535, u32 maxima, 16 and 64 members); the bytes follow the layout documented in
// message-codec.ts (checked against bytes written by hand); and every malformed input (truncation
// at each byte, trailing bytes, unknown type, unsorted or repeated members, a DC outside its view,
// node id 0, bad flags, too many members) is an error value naming the problem, never a throw.
import { describe, expect, it } from 'vitest';
import { nodeId } from '../../../../src/lib/index.js';
import { decodeMembershipMessage, encodeMembershipMessage, MAX_MEMBERS, type Member, type MembershipMessage, type View } from '../../../../src/ha/membership/index.js';

const U32_MAX = 0xffff_ffff;

// Hand-written big-endian fields, independent of the codec's writer.
const u8 = (v: number): number[] => [v & 0xff];
const u16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const bytes = (...parts: number[][]): Uint8Array => new Uint8Array(parts.flat());
const membersBytes = (members: readonly [number, number][]): number[] => [...u8(members.length), ...members.flatMap(([id, inc]) => [...u16(id), ...u32(inc)])];
const viewIdBytes = (seq: number, proposer: number, incarnation: number): number[] => [...u32(seq), ...u16(proposer), ...u32(incarnation)];

/** `count` members with ids spread over 1..65535 (first 1, last 65535) and varied incarnations. */
function members(count: number): Member[] {
  return Array.from({ length: count }, (_, i) => ({
    id: nodeId(count === 1 ? 1 : 1 + Math.round((i * (0xffff - 1)) / (count - 1))),
    incarnation: i % 2 === 0 ? U32_MAX - i : i,
  }));
}

function view(count: number, dcIndex = 0): View {
  const list = members(count);
  return { id: { seq: U32_MAX, proposer: nodeId(0xffff), incarnation: U32_MAX }, members: list, dc: (list[dcIndex] as Member).id };
}

const messages: readonly [string, MembershipMessage][] = [
  ['heartbeat, all zero and empty', { type: 'heartbeat', incarnation: 0, beat: 0, hears: [], view: null, echoes: [] }],
  [
    'heartbeat, 16 nodes',
    {
      type: 'heartbeat',
      incarnation: U32_MAX,
      beat: U32_MAX,
      hears: members(15),
      view: view(16, 15),
      echoes: members(15).map((m, i) => ({ node: m.id, beat: m.incarnation, holdMs: i * 4369 })),
    },
  ],
  [
    'heartbeat, 64 members everywhere',
    { type: 'heartbeat', incarnation: 1, beat: 1, hears: members(64), view: view(64, 63), echoes: members(64).map((m) => ({ node: m.id, beat: U32_MAX, holdMs: 0xffff })) },
  ],
  ['heartbeat, one member view with node id 1', { type: 'heartbeat', incarnation: 7, beat: 2, hears: [], view: { id: { seq: 0, proposer: nodeId(1), incarnation: 0 }, members: [{ id: nodeId(1), incarnation: 0 }], dc: nodeId(1) }, echoes: [{ node: nodeId(1), beat: 0, holdMs: 0 }] }],
  ['propose, 1 member', { type: 'propose', incarnation: 3, viewId: { seq: 1, proposer: nodeId(1), incarnation: 3 }, members: members(1) }],
  ['propose, 16 members at bounds', { type: 'propose', incarnation: U32_MAX, viewId: { seq: U32_MAX, proposer: nodeId(0xffff), incarnation: U32_MAX }, members: members(16) }],
  ['propose, 64 members', { type: 'propose', incarnation: 0, viewId: { seq: 0, proposer: nodeId(1), incarnation: 0 }, members: members(64) }],
  ['propose, no members', { type: 'propose', incarnation: 0, viewId: { seq: 5, proposer: nodeId(2), incarnation: 1 }, members: [] }],
  ['ack accepted, no current view', { type: 'ack', incarnation: U32_MAX, viewId: { seq: U32_MAX, proposer: nodeId(0xffff), incarnation: U32_MAX }, accepted: true, promised: null, current: null }],
  ['ack rejected, 16-member current view', { type: 'ack', incarnation: 1, viewId: { seq: 9, proposer: nodeId(1), incarnation: 1 }, accepted: false, promised: { seq: U32_MAX, proposer: nodeId(0xffff), incarnation: U32_MAX }, current: view(16, 7) }],
  ['ack accepted, 64-member current view', { type: 'ack', incarnation: 0, viewId: { seq: 0, proposer: nodeId(1), incarnation: 0 }, accepted: true, promised: { seq: 0, proposer: nodeId(1), incarnation: 0 }, current: view(64) }],
  ['commit, 16 members, DC 65535', { type: 'commit', incarnation: U32_MAX, view: view(16, 15) }],
  ['commit, 64 members, DC 1', { type: 'commit', incarnation: 0, view: view(64, 0) }],
  ['leave, incarnation 0', { type: 'leave', incarnation: 0 }],
  ['leave, incarnation 2^32-1', { type: 'leave', incarnation: U32_MAX }],
];

function decodeOk(data: Uint8Array): MembershipMessage {
  const result = decodeMembershipMessage(data);
  if (!result.ok) throw new Error(`expected a message, got error '${result.error}'`);
  return result.value;
}

function decodeError(data: Uint8Array): string {
  const result = decodeMembershipMessage(data);
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('message codec: round trip', () => {
  for (const [name, message] of messages) {
    it(name, () => {
      const encoded = encodeMembershipMessage(message);
      expect(decodeOk(encoded)).toEqual(message);
      expect(encodeMembershipMessage(decodeOk(encoded))).toEqual(encoded);
    });
  }

  it('decodes a message that sits at an offset inside a larger buffer', () => {
    const encoded = encodeMembershipMessage(messages[1]?.[1] as MembershipMessage);
    const buffer = new Uint8Array(encoded.length + 10).fill(0xee);
    buffer.set(encoded, 7);
    expect(decodeOk(buffer.subarray(7, 7 + encoded.length))).toEqual(messages[1]?.[1]);
  });

  it('rounds and clamps echo hold times to u16 milliseconds', () => {
    const message: MembershipMessage = {
      type: 'heartbeat',
      incarnation: 1,
      beat: 1,
      hears: [],
      view: null,
      echoes: [
        { node: nodeId(2), beat: 1, holdMs: 12.6 },
        { node: nodeId(3), beat: 1, holdMs: -4 },
        { node: nodeId(4), beat: 1, holdMs: 70_000 },
      ],
    };
    const decoded = decodeOk(encodeMembershipMessage(message));
    expect(decoded.type === 'heartbeat' ? decoded.echoes.map((e) => e.holdMs) : []).toEqual([13, 0, 0xffff]);
  });
});

describe('message codec: layout', () => {
  it('leave is type 5 and a big-endian u32 incarnation', () => {
    expect(encodeMembershipMessage({ type: 'leave', incarnation: 0x01020304 })).toEqual(bytes([5, 1, 2, 3, 4]));
  });

  it('propose: type 2, incarnation, view id, members', () => {
    const encoded = encodeMembershipMessage({ type: 'propose', incarnation: 9, viewId: { seq: 300, proposer: nodeId(2), incarnation: 9 }, members: [{ id: nodeId(2), incarnation: 9 }, { id: nodeId(258), incarnation: 1 }] });
    expect(encoded).toEqual(bytes(u8(2), u32(9), viewIdBytes(300, 2, 9), membersBytes([[2, 9], [258, 1]])));
  });

  it('ack: type 3, view id, accepted flag, optional promised view id (flag, id), optional view (flag, view id, dc, members)', () => {
    const current: View = { id: { seq: 4, proposer: nodeId(1), incarnation: 2 }, members: [{ id: nodeId(1), incarnation: 2 }], dc: nodeId(1) };
    const encoded = encodeMembershipMessage({ type: 'ack', incarnation: 5, viewId: { seq: 5, proposer: nodeId(1), incarnation: 2 }, accepted: true, promised: { seq: 5, proposer: nodeId(1), incarnation: 2 }, current });
    expect(encoded).toEqual(bytes(u8(3), u32(5), viewIdBytes(5, 1, 2), u8(1), u8(1), viewIdBytes(5, 1, 2), u8(1), viewIdBytes(4, 1, 2), u16(1), membersBytes([[1, 2]])));
    const withoutPromise = encodeMembershipMessage({ type: 'ack', incarnation: 5, viewId: { seq: 5, proposer: nodeId(1), incarnation: 2 }, accepted: false, promised: null, current: null });
    expect(withoutPromise).toEqual(bytes(u8(3), u32(5), viewIdBytes(5, 1, 2), u8(0), u8(0), u8(0)));
  });

  it('heartbeat: type 1, beat, hears, optional view, echoes (node, beat, hold)', () => {
    const encoded = encodeMembershipMessage({ type: 'heartbeat', incarnation: 1, beat: 77, hears: [{ id: nodeId(3), incarnation: 4 }], view: null, echoes: [{ node: nodeId(3), beat: 12, holdMs: 40 }] });
    expect(encoded).toEqual(bytes(u8(1), u32(1), u32(77), membersBytes([[3, 4]]), u8(0), u8(1), u16(3), u32(12), u16(40)));
  });

  it('heartbeat extensions: the interval is tag 1, length 4, u32 ms; unknown tags are skipped', () => {
    const base = { type: 'heartbeat', incarnation: 1, beat: 77, hears: [], view: null, echoes: [] } as const;
    const plain = bytes(u8(1), u32(1), u32(77), membersBytes([]), u8(0), u8(0));
    // Without an interval the heartbeat is what builds before extensions sent, byte for byte.
    expect(encodeMembershipMessage(base)).toEqual(plain);
    expect(encodeMembershipMessage({ ...base, intervalMs: 500 })).toEqual(bytes([...plain], u8(1), u8(4), u32(500)));
    expect(decodeOk(bytes([...plain], u8(9), u8(2), u16(7), u8(1), u8(4), u32(500), u8(200), u8(0)))).toEqual({ ...base, intervalMs: 500 });
    expect(decodeOk(bytes([...plain], u8(9), u8(0)))).toEqual(base);
  });

  it('a 16-node heartbeat (15 heard, a 16-member view, 15 echoes) is 331 bytes', () => {
    expect(encodeMembershipMessage(messages[1]?.[1] as MembershipMessage).length).toBe(331);
  });
});

describe('message codec: malformed input is an error value', () => {
  for (const [name, message] of messages) {
    it(`truncation at every byte: ${name}`, () => {
      const encoded = encodeMembershipMessage(message);
      for (let length = 0; length < encoded.length; length++) {
        const result = decodeMembershipMessage(encoded.slice(0, length));
        expect(result.ok, `length ${length} of ${encoded.length}`).toBe(false);
      }
    });
  }

  for (const [name, message] of messages) {
    it(`trailing bytes: ${name}`, () => {
      const encoded = encodeMembershipMessage(message);
      if (message.type === 'heartbeat') {
        // A heartbeat's trailing bytes are extensions, which must be whole.
        expect(decodeError(bytes([...encoded], [0]))).toMatch(/truncated at byte/);
        expect(decodeError(bytes([...encoded], [1, 2, 3]))).toBe('interval extension of 2 bytes, expected 4');
        expect(decodeError(bytes([...encoded], [1, 4, 0, 0, 0, 0]))).toBe('interval extension of 0 ms');
        return;
      }
      expect(decodeError(bytes([...encoded], [0]))).toBe('1 trailing bytes');
      expect(decodeError(bytes([...encoded], [1, 2, 3]))).toBe('3 trailing bytes');
    });
  }

  const leaveBody = u32(1);
  const member1 = membersBytes([[1, 1]]);
  const cases: readonly [string, Uint8Array, RegExp][] = [
    ['empty input', bytes(), /truncated at byte 0/],
    ['unknown type 0', bytes(u8(0), leaveBody), /unknown message type 0/],
    ['unknown type 6', bytes(u8(6), leaveBody), /unknown message type 6/],
    ['unknown type 255', bytes(u8(255), leaveBody), /unknown message type 255/],
    ['propose: members not sorted', bytes(u8(2), u32(1), viewIdBytes(1, 1, 1), membersBytes([[2, 1], [1, 1]])), /not sorted/],
    ['propose: a member repeated', bytes(u8(2), u32(1), viewIdBytes(1, 1, 1), membersBytes([[1, 1], [2, 1], [2, 1]])), /not sorted by id or repeat/],
    ['propose: the same id in two incarnations', bytes(u8(2), u32(1), viewIdBytes(1, 1, 1), membersBytes([[1, 1], [1, 2]])), /not sorted by id or repeat/],
    ['heartbeat: hears not sorted', bytes(u8(1), u32(1), u32(1), membersBytes([[3, 1], [2, 1]]), u8(0), u8(0)), /not sorted/],
    ['commit: view members repeated', bytes(u8(4), u32(1), viewIdBytes(1, 1, 1), u16(1), membersBytes([[1, 1], [1, 1]])), /not sorted/],
    ['commit: DC not a member', bytes(u8(4), u32(1), viewIdBytes(1, 1, 1), u16(3), membersBytes([[1, 1], [2, 1]])), /dc n3 is not a member/],
    ['commit: empty view', bytes(u8(4), u32(1), viewIdBytes(1, 1, 1), u16(1), membersBytes([])), /dc n1 is not a member/],
    ['heartbeat: DC of the gossiped view not a member', bytes(u8(1), u32(1), u32(1), membersBytes([]), u8(1), viewIdBytes(1, 1, 1), u16(2), member1, u8(0)), /dc n2 is not a member/],
    ['ack: DC of the current view not a member', bytes(u8(3), u32(1), viewIdBytes(1, 1, 1), u8(1), u8(0), u8(1), viewIdBytes(1, 1, 1), u16(2), member1), /dc n2 is not a member/],
    ['ack: promised flag 2', bytes(u8(3), u32(1), viewIdBytes(1, 1, 1), u8(1), u8(2)), /bad promised flag 2/],
    ['propose: member id 0', bytes(u8(2), u32(1), viewIdBytes(1, 1, 1), membersBytes([[0, 1]])), /member 0 is not a node id/],
    ['propose: proposer id 0', bytes(u8(2), u32(1), viewIdBytes(1, 0, 1), member1), /proposer 0 is not a node id/],
    ['commit: DC id 0', bytes(u8(4), u32(1), viewIdBytes(1, 1, 1), u16(0), member1), /dc 0 is not a node id/],
    ['heartbeat: echo node id 0', bytes(u8(1), u32(1), u32(1), membersBytes([]), u8(0), u8(1), u16(0), u32(1), u16(0)), /echo node 0 is not a node id/],
    ['heartbeat: view flag 2', bytes(u8(1), u32(1), u32(1), membersBytes([]), u8(2), u8(0)), /bad view flag 2/],
    ['heartbeat: view flag 255', bytes(u8(1), u32(1), u32(1), membersBytes([]), u8(255), u8(0)), /bad view flag 255/],
    ['ack: accepted flag 2', bytes(u8(3), u32(1), viewIdBytes(1, 1, 1), u8(2), u8(0)), /bad accepted flag 2/],
    ['ack: current view flag 2', bytes(u8(3), u32(1), viewIdBytes(1, 1, 1), u8(1), u8(0), u8(2)), /bad view flag 2/],
    [
      `propose: ${MAX_MEMBERS + 1} members`,
      bytes(u8(2), u32(1), viewIdBytes(1, 1, 1), membersBytes(Array.from({ length: MAX_MEMBERS + 1 }, (_, i): [number, number] => [i + 1, 1]))),
      /65 members is over the limit of 64/,
    ],
    ['heartbeat: 255 hears (count only)', bytes(u8(1), u32(1), u32(1), u8(255)), /255 members is over the limit/],
    [
      `heartbeat: ${MAX_MEMBERS + 1} echoes`,
      bytes(u8(1), u32(1), u32(1), membersBytes([]), u8(0), u8(MAX_MEMBERS + 1), ...Array.from({ length: MAX_MEMBERS + 1 }, (_, i) => [...u16(i + 1), ...u32(1), ...u16(0)])),
      /65 echoes is over the limit of 64/,
    ],
    ['leave with a body', bytes(u8(5), u32(1), u8(0)), /1 trailing bytes/],
  ];
  for (const [name, data, error] of cases) {
    it(name, () => {
      expect(decodeError(data)).toMatch(error);
    });
  }

  it('the hand-written bytes are otherwise valid: fixing the one bad field makes them decode', () => {
    expect(decodeOk(bytes(u8(2), u32(1), viewIdBytes(1, 1, 1), membersBytes([[1, 1], [2, 1]]))).type).toBe('propose');
    expect(decodeOk(bytes(u8(4), u32(1), viewIdBytes(1, 1, 1), u16(2), membersBytes([[1, 1], [2, 1]]))).type).toBe('commit');
    expect(decodeOk(bytes(u8(1), u32(1), u32(1), membersBytes([]), u8(1), viewIdBytes(1, 1, 1), u16(1), member1, u8(0))).type).toBe('heartbeat');
    expect(decodeOk(bytes(u8(3), u32(1), viewIdBytes(1, 1, 1), u8(1), u8(0), u8(1), viewIdBytes(1, 1, 1), u16(1), member1)).type).toBe('ack');
    expect(decodeOk(bytes(u8(3), u32(1), viewIdBytes(1, 1, 1), u8(1), u8(1), viewIdBytes(1, 1, 1), u8(0))).type).toBe('ack');
    expect(decodeOk(bytes(u8(1), u32(1), u32(1), membersBytes([]), u8(0), u8(1), u16(1), u32(1), u16(0))).type).toBe('heartbeat');
    expect(decodeOk(bytes(u8(2), u32(1), viewIdBytes(1, 1, 1), membersBytes(Array.from({ length: MAX_MEMBERS }, (_, i): [number, number] => [i + 1, 1])))).type).toBe('propose');
    expect(decodeOk(bytes(u8(5), u32(1))).type).toBe('leave');
  });
});
