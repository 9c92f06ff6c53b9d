import { err, ok, type Result } from '../../lib/index.js';

/**
 * The wire messages of the reliable channel (the payload of a frame of type `message`; the frame
 * adds cluster id, sender, authentication and fragmentation). Big-endian:
 *
 *     u8 kind (1 data, 2 ack) | u32 sender incarnation | u32 receiver incarnation | u32 stream | body
 *     data: u32 seq | u8 flags (bit 0: last chunk of an application message) | payload bytes
 *     ack:  u32 cumulative seq (every seq up to it has been received)
 *
 * Both incarnations name the session: a message from or to an earlier life of either node is
 * recognised and dropped, so nothing sent before a restart is delivered after it. `stream` numbers
 * the data sender's streams to that peer within one session (a new stream, numbered from seq 1,
 * starts each time the sender gave up on the peer); an ack carries the stream it acknowledges.
 */
export type ChannelMessage =
  | { readonly kind: 'data'; readonly from: number; readonly to: number; readonly stream: number; readonly seq: number; readonly last: boolean; readonly payload: Uint8Array }
  | { readonly kind: 'ack'; readonly from: number; readonly to: number; readonly stream: number; readonly seq: number };

const HEADER = 1 + 4 + 4 + 4 + 4;

export function encodeChannelMessage(m: ChannelMessage): Uint8Array {
  const size = HEADER + (m.kind === 'data' ? 1 + m.payload.length : 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint8(0, m.kind === 'data' ? 1 : 2);
  view.setUint32(1, m.from);
  view.setUint32(5, m.to);
  view.setUint32(9, m.stream);
  view.setUint32(13, m.seq);
  if (m.kind === 'data') {
    view.setUint8(17, m.last ? 1 : 0);
    out.set(m.payload, 18);
  }
  return out;
}

/** Never throws: anything short, long or unknown is an error value. */
export function decodeChannelMessage(bytes: Uint8Array): Result<ChannelMessage, string> {
  if (bytes.length < HEADER) return err(`channel message too short (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = view.getUint8(0);
  const from = view.getUint32(1);
  const to = view.getUint32(5);
  const stream = view.getUint32(9);
  const seq = view.getUint32(13);
  if (kind === 2) {
    if (bytes.length !== HEADER) return err('ack with trailing bytes');
    return ok({ kind: 'ack', from, to, stream, seq });
  }
  if (kind !== 1) return err(`unknown channel message kind ${kind}`);
  if (bytes.length < HEADER + 1) return err('data message without flags');
  const flags = view.getUint8(17);
  if ((flags & ~1) !== 0) return err(`reserved data flags set (${flags})`);
  return ok({ kind: 'data', from, to, stream, seq, last: (flags & 1) === 1, payload: bytes.slice(18) });
}
