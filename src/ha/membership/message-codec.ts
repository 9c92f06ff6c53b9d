import { assert, err, isNodeId, ok, type NodeId, type Result } from '../../lib/index.js';
import type { Echo, MembershipMessage } from './messages.js';
import type { Member, View, ViewId } from './view.js';

/**
 * The binary encoding of membership messages (the payload of a frame; the frame adds cluster id,
 * sender, sequence and the authentication tag). Big-endian, fixed-width fields:
 *
 *     u8 type (1 heartbeat, 2 propose, 3 ack, 4 commit, 5 leave) | u32 incarnation | body
 *     heartbeat: u32 beat | members hears | optional view | u8 n | n × (u16 node, u32 beat, u16 holdMs)
 *                | extensions until the end: u8 tag | u8 length | length bytes
 *     propose:   viewId | members
 *     ack:       viewId | u8 accepted | optional viewId (promised) | optional view
 *     commit:    view
 *     members:   u8 n | n × (u16 id, u32 incarnation)
 *     viewId:    u32 seq | u16 proposer | u32 proposer incarnation
 *     view:      viewId | u16 dc | members;  optional view: u8 0 | u8 1 view
 *
 * A 16-node heartbeat is about 330 bytes: one UDP datagram, one serial frame. Decoding never
 * throws: anything short, long, out of range or unknown is a `Result` error.
 *
 * Heartbeat extensions are how the heartbeat grows without a new frame version: a decoder skips
 * tags it does not know. Tag 1 is the sender's interval on the link (u32 ms, link-rates.ts), written
 * only on a probed link, so a full-rate heartbeat is byte for byte what builds before extensions
 * sent. Those builds refuse any trailing byte: during a rolling upgrade an old node counts a new
 * peer's probes as undecodable and shows that peer's probed links down, while the carrier (full
 * rate, no extension) keeps the peer alive; nothing else changes.
 */
export const MAX_MEMBERS = 64;

const TYPE_CODES = { heartbeat: 1, propose: 2, ack: 3, commit: 4, leave: 5 } as const;
const HEARTBEAT_EXTENSION = { intervalMs: 1 } as const;

class Writer {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const next = new Uint8Array(Math.max(this.buffer.length * 2, this.length + bytes));
    next.set(this.buffer);
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  u8(value: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, value);
    this.length += 1;
  }

  u16(value: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, value);
    this.length += 2;
  }

  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value);
    this.length += 4;
  }

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Thrown only inside this module, to unwind a decode; decodeMembershipMessage turns it into a value. */
class DecodeFailure extends Error {
  override readonly name = 'DecodeFailure';
  constructor(readonly reason: string) {
    super(reason);
  }
}

class Reader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(count: number): void {
    if (this.offset + count > this.bytes.length) throw new DecodeFailure(`truncated at byte ${this.offset}`);
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }

  u16(): number {
    this.need(2);
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  atEnd(): boolean {
    return this.offset === this.bytes.length;
  }

  skip(count: number): void {
    this.need(count);
    this.offset += count;
  }

  end(): void {
    if (this.offset !== this.bytes.length) throw new DecodeFailure(`${this.bytes.length - this.offset} trailing bytes`);
  }
}

function writeMembers(w: Writer, members: readonly Member[]): void {
  // Pair assertion with the decoder's limit: never put bytes on the wire that a peer must refuse.
  assert(members.length <= MAX_MEMBERS, `a membership message holds at most ${MAX_MEMBERS} members, got ${members.length}`);
  w.u8(members.length);
  for (const m of members) {
    w.u16(m.id);
    w.u32(m.incarnation);
  }
}

function writeViewId(w: Writer, id: ViewId): void {
  w.u32(id.seq);
  w.u16(id.proposer);
  w.u32(id.incarnation);
}

function writeView(w: Writer, view: View): void {
  writeViewId(w, view.id);
  w.u16(view.dc);
  writeMembers(w, view.members);
}

function writeOptionalView(w: Writer, view: View | null): void {
  if (view === null) {
    w.u8(0);
    return;
  }
  w.u8(1);
  writeView(w, view);
}

export function encodeMembershipMessage(message: MembershipMessage): Uint8Array {
  const w = new Writer();
  w.u8(TYPE_CODES[message.type]);
  w.u32(message.incarnation);
  switch (message.type) {
    case 'heartbeat':
      w.u32(message.beat);
      writeMembers(w, message.hears);
      writeOptionalView(w, message.view);
      assert(message.echoes.length <= MAX_MEMBERS, `a heartbeat holds at most ${MAX_MEMBERS} echoes, got ${message.echoes.length}`);
      w.u8(message.echoes.length);
      for (const e of message.echoes) {
        w.u16(e.node);
        w.u32(e.beat);
        w.u16(Math.min(0xffff, Math.max(0, Math.round(e.holdMs))));
      }
      if (message.intervalMs !== undefined) {
        assert(Number.isInteger(message.intervalMs) && message.intervalMs > 0 && message.intervalMs <= 0xffff_ffff, `a heartbeat interval is a positive u32 of ms, got ${message.intervalMs}`);
        w.u8(HEARTBEAT_EXTENSION.intervalMs);
        w.u8(4);
        w.u32(message.intervalMs);
      }
      break;
    case 'propose':
      writeViewId(w, message.viewId);
      writeMembers(w, message.members);
      break;
    case 'ack':
      writeViewId(w, message.viewId);
      w.u8(message.accepted ? 1 : 0);
      if (message.promised === null) {
        w.u8(0);
      } else {
        w.u8(1);
        writeViewId(w, message.promised);
      }
      writeOptionalView(w, message.current);
      break;
    case 'commit':
      writeView(w, message.view);
      break;
    case 'leave':
      break;
  }
  return w.bytes();
}

function readNodeId(r: Reader, what: string): NodeId {
  const id = r.u16();
  if (!isNodeId(id)) throw new DecodeFailure(`${what} ${id} is not a node id`);
  return id;
}

function readMembers(r: Reader): Member[] {
  const count = r.u8();
  if (count > MAX_MEMBERS) throw new DecodeFailure(`${count} members is over the limit of ${MAX_MEMBERS}`);
  const members: Member[] = [];
  for (let i = 0; i < count; i++) {
    const id = readNodeId(r, 'member');
    const incarnation = r.u32();
    const previous = members[i - 1];
    if (previous !== undefined && previous.id >= id) throw new DecodeFailure('members are not sorted by id or repeat');
    members.push({ id, incarnation });
  }
  return members;
}

function readViewId(r: Reader): ViewId {
  const seq = r.u32();
  const proposer = readNodeId(r, 'proposer');
  return { seq, proposer, incarnation: r.u32() };
}

function readView(r: Reader): View {
  const id = readViewId(r);
  const dc = readNodeId(r, 'dc');
  const members = readMembers(r);
  if (!members.some((m) => m.id === dc)) throw new DecodeFailure(`dc n${dc} is not a member of its view`);
  return { id, dc, members };
}

function readOptionalView(r: Reader): View | null {
  const flag = r.u8();
  if (flag === 0) return null;
  if (flag !== 1) throw new DecodeFailure(`bad view flag ${flag}`);
  return readView(r);
}

function readEchoes(r: Reader): Echo[] {
  const count = r.u8();
  if (count > MAX_MEMBERS) throw new DecodeFailure(`${count} echoes is over the limit of ${MAX_MEMBERS}`);
  const echoes: Echo[] = [];
  for (let i = 0; i < count; i++) echoes.push({ node: readNodeId(r, 'echo node'), beat: r.u32(), holdMs: r.u16() });
  return echoes;
}

/** Reads a heartbeat's extensions to the end of the message; returns the interval, if one was sent. */
function readHeartbeatExtensions(r: Reader): number | undefined {
  let intervalMs: number | undefined;
  while (!r.atEnd()) {
    const tag = r.u8();
    const length = r.u8();
    if (tag !== HEARTBEAT_EXTENSION.intervalMs) {
      r.skip(length); // a newer peer's extension: not ours to understand
      continue;
    }
    if (length !== 4) throw new DecodeFailure(`interval extension of ${length} bytes, expected 4`);
    const value = r.u32();
    if (value === 0) throw new DecodeFailure('interval extension of 0 ms');
    intervalMs = value;
  }
  return intervalMs;
}

/** Decodes one membership message; every malformed input is an error value naming the problem. */
export function decodeMembershipMessage(bytes: Uint8Array): Result<MembershipMessage, string> {
  try {
    const r = new Reader(bytes);
    const type = r.u8();
    const incarnation = r.u32();
    let message: MembershipMessage;
    switch (type) {
      case TYPE_CODES.heartbeat: {
        const beat = r.u32();
        const hears = readMembers(r);
        const view = readOptionalView(r);
        const echoes = readEchoes(r);
        const intervalMs = readHeartbeatExtensions(r);
        message = intervalMs === undefined ? { type: 'heartbeat', incarnation, beat, hears, view, echoes } : { type: 'heartbeat', incarnation, beat, hears, view, echoes, intervalMs };
        break;
      }
      case TYPE_CODES.propose:
        message = { type: 'propose', incarnation, viewId: readViewId(r), members: readMembers(r) };
        break;
      case TYPE_CODES.ack: {
        const viewId = readViewId(r);
        const accepted = r.u8();
        if (accepted > 1) throw new DecodeFailure(`bad accepted flag ${accepted}`);
        const promisedFlag = r.u8();
        if (promisedFlag > 1) throw new DecodeFailure(`bad promised flag ${promisedFlag}`);
        const promised = promisedFlag === 1 ? readViewId(r) : null;
        message = { type: 'ack', incarnation, viewId, accepted: accepted === 1, promised, current: readOptionalView(r) };
        break;
      }
      case TYPE_CODES.commit:
        message = { type: 'commit', incarnation, view: readView(r) };
        break;
      case TYPE_CODES.leave:
        message = { type: 'leave', incarnation };
        break;
      default:
        return err(`unknown message type ${type}`);
    }
    r.end();
    return ok(message);
  } catch (failure) {
    if (failure instanceof DecodeFailure) return err(failure.reason);
    throw failure;
  }
}
