/**
 * Serial framing: how a serial link turns its byte stream into frames and back. A null-modem cable
 * has no message boundaries and no checksum, and a cable that is unplugged mid-frame, a peer that
 * reboots, or line noise leaves garbage in the stream; so every frame is HDLC-like:
 *
 *     0x7E | stuffed(payload ++ CRC-32(payload) little-endian) | 0x7E
 *
 * where stuffing replaces 0x7E and 0x7D in the body by 0x7D followed by the byte XOR 0x20, so 0x7E
 * appears only as a delimiter. The decoder's invariants: any 0x7E starts a new frame from scratch
 * (that is how it resynchronises after garbage or a truncated frame); bytes before the first
 * delimiter (at start, after a reopen) are skipped uncounted, as in HDLC's hunt state; a frame whose CRC does not
 * match, that is too short, too long or badly stuffed is dropped and counted, never thrown; and its
 * buffer never grows beyond the largest legal frame. Pure: no I/O, no time, no Buffer.
 */
import { assert } from '../lib/index.js';

/** The frame delimiter (HDLC flag sequence). */
export const SERIAL_FRAME_FLAG = 0x7e;
/** The stuffing escape: the next byte is XORed with SERIAL_FRAME_ESCAPE_XOR. */
export const SERIAL_FRAME_ESCAPE = 0x7d;
export const SERIAL_FRAME_ESCAPE_XOR = 0x20;
/** Bytes of CRC-32 after the payload, before stuffing. */
export const SERIAL_FRAME_CRC_BYTES = 4;
/**
 * The default payload limit. 512 bytes is a heartbeat plus membership detail with room to spare,
 * and at 19200 baud (the slowest cable we support) a worst-case stuffed frame still takes about
 * half a second, well under any deadtime.
 */
export const SERIAL_FRAME_PAYLOAD_BYTES_MAX = 512;

const crcTable = buildCrc32Table();

/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320, as zlib and Ethernet): an unsigned 32-bit value. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (crc >>> 8) ^ (crcTable[(crc ^ byte) & 0xff] as number);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Encodes one payload as a complete frame, with a delimiter at both ends (the leading one ends any
 * garbage the receiver may hold). The payload must be 1..payloadBytesMax bytes: a larger one is a
 * programming error of the caller (assert). The result is a new array; the input is not kept.
 */
export function encodeSerialFrame(payload: Uint8Array, payloadBytesMax = SERIAL_FRAME_PAYLOAD_BYTES_MAX): Uint8Array {
  assert(payload.length >= 1, 'serial frame payload must not be empty');
  assert(payload.length <= payloadBytesMax, `serial frame payload of ${payload.length} bytes exceeds ${payloadBytesMax}`);
  const crc = crc32(payload);
  const body = new Uint8Array(payload.length + SERIAL_FRAME_CRC_BYTES);
  body.set(payload);
  body[payload.length] = crc & 0xff;
  body[payload.length + 1] = (crc >>> 8) & 0xff;
  body[payload.length + 2] = (crc >>> 16) & 0xff;
  body[payload.length + 3] = (crc >>> 24) & 0xff;
  let escapes = 0;
  for (const byte of body) if (byte === SERIAL_FRAME_FLAG || byte === SERIAL_FRAME_ESCAPE) escapes++;
  const frame = new Uint8Array(body.length + escapes + 2);
  let at = 0;
  frame[at++] = SERIAL_FRAME_FLAG;
  for (const byte of body) {
    if (byte === SERIAL_FRAME_FLAG || byte === SERIAL_FRAME_ESCAPE) {
      frame[at++] = SERIAL_FRAME_ESCAPE;
      frame[at++] = byte ^ SERIAL_FRAME_ESCAPE_XOR;
    } else {
      frame[at++] = byte;
    }
  }
  frame[at++] = SERIAL_FRAME_FLAG;
  assert(at === frame.length, 'serial frame length mismatch');
  return frame;
}

/** What a decoder has seen since it was made. Dropped frames are the sum of the error counts. */
export interface SerialFrameDecoderStats {
  /** Frames delivered intact. */
  readonly framesDecoded: number;
  /** Frames whose CRC did not match (noise, garbage between frames, a frame cut by a reopen). */
  readonly crcErrors: number;
  /** Bodies too short to hold a CRC and one byte of payload (a truncated frame). */
  readonly shortFrames: number;
  /** Bodies longer than the largest legal frame; the rest up to the next delimiter was skipped. */
  readonly oversizeFrames: number;
  /** Bad stuffing: 0x7D followed by a byte that is not an escaped 0x7E/0x7D, or by a delimiter (an abort). */
  readonly escapeErrors: number;
  /** crcErrors + shortFrames + oversizeFrames + escapeErrors. */
  readonly framesDropped: number;
}

/**
 * SerialFrameDecoder: the receiving half, fed the byte stream in chunks of any size (a frame may
 * span chunks, a chunk may hold many frames). Owned by one serial link; not shared. Memory is
 * bounded by `payloadBytesMax + 4` bytes whatever arrives.
 */
export class SerialFrameDecoder {
  private readonly buffer: Uint8Array;
  private length = 0;
  private escaped = false;
  /**
   * Hunting for a delimiter: at the start and after reset() (bytes before the first delimiter are
   * the tail of a frame we never saw the start of, so they are not counted), and after an error
   * inside a frame (everything up to the next delimiter belongs to the frame already counted).
   */
  private discarding = true;
  private counts = { framesDecoded: 0, crcErrors: 0, shortFrames: 0, oversizeFrames: 0, escapeErrors: 0 };

  constructor(readonly payloadBytesMax = SERIAL_FRAME_PAYLOAD_BYTES_MAX) {
    assert(Number.isInteger(payloadBytesMax) && payloadBytesMax >= 1, 'payloadBytesMax must be a positive integer');
    this.buffer = new Uint8Array(payloadBytesMax + SERIAL_FRAME_CRC_BYTES);
  }

  /**
   * Consumes `chunk` and returns the payloads of the frames it completed, in order (each a new
   * array the caller owns). Never throws on any input.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    for (const byte of chunk) {
      if (byte === SERIAL_FRAME_FLAG) {
        const frame = this.endFrame();
        if (frame !== undefined) frames.push(frame);
      } else if (this.discarding) {
        continue;
      } else if (this.escaped) {
        this.escaped = false;
        const value = byte ^ SERIAL_FRAME_ESCAPE_XOR;
        if (value !== SERIAL_FRAME_FLAG && value !== SERIAL_FRAME_ESCAPE) this.drop('escapeErrors');
        else this.append(value);
      } else if (byte === SERIAL_FRAME_ESCAPE) {
        this.escaped = true;
      } else {
        this.append(byte);
      }
    }
    return frames;
  }

  /**
   * Forgets a partial frame without counting it and hunts for the next delimiter: the device was
   * reopened, and what arrives first may be the tail of a frame whose start went with the old stream.
   */
  reset(): void {
    this.length = 0;
    this.escaped = false;
    this.discarding = true;
  }

  stats(): SerialFrameDecoderStats {
    const c = this.counts;
    return { ...c, framesDropped: c.crcErrors + c.shortFrames + c.oversizeFrames + c.escapeErrors };
  }

  private append(byte: number): void {
    if (this.length === this.buffer.length) {
      this.drop('oversizeFrames');
      return;
    }
    this.buffer[this.length++] = byte;
  }

  private drop(reason: 'crcErrors' | 'shortFrames' | 'oversizeFrames' | 'escapeErrors'): void {
    this.counts[reason]++;
    this.length = 0;
    this.escaped = false;
    this.discarding = true;
  }

  /** A delimiter arrived: close whatever was being collected and start afresh. */
  private endFrame(): Uint8Array | undefined {
    const { length, escaped, discarding } = this;
    this.length = 0;
    this.escaped = false;
    this.discarding = false;
    if (discarding) return undefined;
    if (escaped) {
      this.counts.escapeErrors++;
      return undefined;
    }
    // Back-to-back delimiters (the end of one frame and the start of the next) are idle, not errors.
    if (length === 0) return undefined;
    if (length < SERIAL_FRAME_CRC_BYTES + 1) {
      this.counts.shortFrames++;
      return undefined;
    }
    const payloadLength = length - SERIAL_FRAME_CRC_BYTES;
    const payload = this.buffer.slice(0, payloadLength);
    const b = this.buffer;
    const received = ((b[payloadLength] as number) | ((b[payloadLength + 1] as number) << 8) | ((b[payloadLength + 2] as number) << 16) | ((b[payloadLength + 3] as number) << 24)) >>> 0;
    if (received !== crc32(payload)) {
      this.counts.crcErrors++;
      return undefined;
    }
    this.counts.framesDecoded++;
    return payload;
  }
}

function buildCrc32Table(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}
