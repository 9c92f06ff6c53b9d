// Goal: the serial framing delivers every intact frame exactly once, whatever the chunking, and
// drops and counts everything else (bad CRC, bad stuffing, truncation, oversize) without ever
// throwing or growing its buffer, resynchronising at the next delimiter.
// Method: table-driven cases over hand-built byte streams, plus seeded random streams (the
// project's SeededRandom, so a failure replays) of frames with garbage between them.
import { describe, expect, it } from 'vitest';
import { AssertionError, randomInt, SeededRandom } from '../../../src/lib/index.js';
import {
  crc32,
  encodeSerialFrame,
  SERIAL_FRAME_ESCAPE,
  SERIAL_FRAME_FLAG,
  SERIAL_FRAME_PAYLOAD_BYTES_MAX,
  SerialFrameDecoder,
} from '../../../src/links/serial-framing.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const concat = (...parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

describe('crc32', () => {
  it.each([
    ['', 0x00000000],
    ['a', 0xe8b7be43],
    ['123456789', 0xcbf43926],
    ['The quick brown fox jumps over the lazy dog', 0x414fa339],
  ])('crc32(%j) = %i (IEEE check values)', (input, expected) => {
    expect(crc32(text(input))).toBe(expected);
  });
});

describe('encodeSerialFrame', () => {
  it('delimits, appends the CRC little-endian and stuffs 0x7E and 0x7D', () => {
    const payload = Uint8Array.from([0x41, SERIAL_FRAME_FLAG, 0x42, SERIAL_FRAME_ESCAPE]);
    const crc = crc32(payload);
    const crcBytes = [crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24];
    const stuffedCrc = crcBytes.flatMap((byte) => (byte === 0x7e || byte === 0x7d ? [0x7d, byte ^ 0x20] : [byte]));
    expect([...encodeSerialFrame(payload)]).toEqual([0x7e, 0x41, 0x7d, 0x5e, 0x42, 0x7d, 0x5d, ...stuffedCrc, 0x7e]);
  });

  it('never puts a delimiter inside a frame, even for a payload of delimiters', () => {
    const frame = encodeSerialFrame(new Uint8Array(100).fill(SERIAL_FRAME_FLAG));
    expect(frame[0]).toBe(SERIAL_FRAME_FLAG);
    expect(frame.at(-1)).toBe(SERIAL_FRAME_FLAG);
    expect(frame.subarray(1, -1).includes(SERIAL_FRAME_FLAG)).toBe(false);
  });

  it('refuses an empty payload and one above the limit (programming errors)', () => {
    expect(() => encodeSerialFrame(new Uint8Array(0))).toThrow(AssertionError);
    expect(() => encodeSerialFrame(new Uint8Array(SERIAL_FRAME_PAYLOAD_BYTES_MAX + 1))).toThrow(AssertionError);
    expect(() => encodeSerialFrame(new Uint8Array(11), 10)).toThrow(AssertionError);
    expect(encodeSerialFrame(new Uint8Array(SERIAL_FRAME_PAYLOAD_BYTES_MAX)).length).toBeGreaterThan(SERIAL_FRAME_PAYLOAD_BYTES_MAX);
  });
});

describe('SerialFrameDecoder round trip', () => {
  const payloads: readonly (readonly [string, Uint8Array])[] = [
    ['one byte', Uint8Array.of(0x00)],
    ['text', text('heartbeat from node 1')],
    ['all delimiters', new Uint8Array(64).fill(SERIAL_FRAME_FLAG)],
    ['all escapes', new Uint8Array(64).fill(SERIAL_FRAME_ESCAPE)],
    ['every byte value', Uint8Array.from({ length: 256 }, (_, i) => i)],
    ['the largest payload, all delimiters', new Uint8Array(SERIAL_FRAME_PAYLOAD_BYTES_MAX).fill(SERIAL_FRAME_FLAG)],
  ];

  it.each(payloads)('%s: whole, and byte by byte', (_, payload) => {
    const frame = encodeSerialFrame(payload);
    const whole = new SerialFrameDecoder();
    expect(whole.push(frame)).toEqual([payload]);
    const bytewise = new SerialFrameDecoder();
    const frames = [...frame].flatMap((byte) => bytewise.push(Uint8Array.of(byte)));
    expect(frames).toEqual([payload]);
    expect(bytewise.stats()).toMatchObject({ framesDecoded: 1, framesDropped: 0 });
  });

  it('decodes many frames from one chunk, in order, with no errors', () => {
    const decoder = new SerialFrameDecoder();
    const stream = concat(...payloads.map(([, payload]) => encodeSerialFrame(payload)));
    expect(decoder.push(stream)).toEqual(payloads.map(([, payload]) => payload));
    expect(decoder.stats()).toEqual({ framesDecoded: payloads.length, crcErrors: 0, shortFrames: 0, oversizeFrames: 0, escapeErrors: 0, framesDropped: 0 });
  });

  it('returns payloads the caller owns (later input does not change them)', () => {
    const decoder = new SerialFrameDecoder();
    const [first] = decoder.push(encodeSerialFrame(text('first')));
    decoder.push(encodeSerialFrame(text('second')));
    expect(first).toEqual(text('first'));
  });
});

describe('SerialFrameDecoder drops, counts and resynchronises', () => {
  const good = encodeSerialFrame(text('good frame'));
  const flipped = (() => {
    const frame = encodeSerialFrame(text('corrupted frame'));
    frame[3] = (frame[3] as number) ^ 0x01;
    return frame;
  })();
  const cases: readonly { readonly name: string; readonly before: Uint8Array; readonly counted: Record<string, number> }[] = [
    { name: 'a bit flipped in the body fails the CRC', before: flipped, counted: { crcErrors: 1 } },
    { name: 'noise between frames fails the CRC', before: Uint8Array.of(0x7e, 1, 2, 3, 4, 5, 6, 7, 8), counted: { crcErrors: 1 } },
    { name: 'noise with no delimiter before the frame', before: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), counted: { crcErrors: 1 } },
    { name: 'a truncated frame (cable pulled mid-frame)', before: good.subarray(0, 6), counted: { crcErrors: 1 } },
    { name: 'a body too short for a CRC', before: Uint8Array.of(0x7e, 1, 2, 3), counted: { shortFrames: 1 } },
    { name: 'an escape followed by a delimiter (abort)', before: Uint8Array.of(0x7e, 1, 2, 0x7d), counted: { escapeErrors: 1 } },
    { name: 'an escape of a byte that needs none', before: Uint8Array.of(0x7e, 1, 0x7d, 0x41, 2, 3, 4, 5, 6), counted: { escapeErrors: 1 } },
    { name: 'a body longer than the largest frame', before: concat(Uint8Array.of(0x7e), new Uint8Array(SERIAL_FRAME_PAYLOAD_BYTES_MAX + 5).fill(0x41)), counted: { oversizeFrames: 1 } },
    { name: 'a megabyte of garbage without a delimiter', before: new Uint8Array(1 << 20).fill(0x42), counted: { oversizeFrames: 1 } },
  ];

  it.each(cases)('$name, and the next frame gets through', ({ before, counted }) => {
    const decoder = new SerialFrameDecoder();
    // One good frame first, so that the decoder is in step with the stream when the damage comes.
    expect(decoder.push(concat(good, before, good))).toEqual([text('good frame'), text('good frame')]);
    const total = Object.values(counted).reduce((sum, n) => sum + n, 0);
    expect(decoder.stats()).toMatchObject({ ...counted, framesDecoded: 2, framesDropped: total });
  });

  it('skips bytes before the first delimiter without counting them (hunting, as after a reopen)', () => {
    const decoder = new SerialFrameDecoder();
    expect(decoder.push(concat(good.subarray(4, -1), new Uint8Array(2000).fill(0x43), good))).toEqual([text('good frame')]);
    expect(decoder.stats().framesDropped).toBe(0);
  });

  it('idle delimiters between frames are not errors', () => {
    const decoder = new SerialFrameDecoder();
    expect(decoder.push(concat(Uint8Array.of(0x7e, 0x7e, 0x7e), good, Uint8Array.of(0x7e, 0x7e), good))).toHaveLength(2);
    expect(decoder.stats().framesDropped).toBe(0);
  });

  it('reset() forgets a partial frame without counting it, and hunts for the next delimiter', () => {
    const decoder = new SerialFrameDecoder();
    decoder.push(good.subarray(0, 5));
    decoder.reset();
    expect(decoder.push(good.subarray(5))).toEqual([]);
    expect(decoder.stats()).toMatchObject({ framesDecoded: 0, crcErrors: 0 });
    expect(decoder.push(good)).toEqual([text('good frame')]);
  });

  it('honours a smaller payload limit at both ends', () => {
    const decoder = new SerialFrameDecoder(16);
    expect(decoder.push(concat(encodeSerialFrame(new Uint8Array(17).fill(1), 17), encodeSerialFrame(new Uint8Array(16).fill(2), 16)))).toEqual([
      new Uint8Array(16).fill(2),
    ]);
    expect(decoder.stats().oversizeFrames).toBe(1);
  });
});

describe('SerialFrameDecoder on random streams (seeded)', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: every frame survives random garbage between frames and random chunking', (seed) => {
    const random = new SeededRandom(seed);
    const payloads: Uint8Array[] = [];
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      const payload = Uint8Array.from({ length: randomInt(random, 1, 300) }, () => randomInt(random, 0, 255));
      payloads.push(payload);
      // Garbage of any bytes, delimiters included, sits between one frame's closing delimiter and
      // the next one's opening delimiter, so it can never damage a frame.
      if (randomInt(random, 0, 3) === 0) parts.push(Uint8Array.from({ length: randomInt(random, 1, 700) }, () => randomInt(random, 0, 255)));
      parts.push(encodeSerialFrame(payload));
    }
    const stream = concat(...parts);
    const decoder = new SerialFrameDecoder();
    const decoded: Uint8Array[] = [];
    for (let at = 0; at < stream.length; ) {
      const size = randomInt(random, 1, 64);
      decoded.push(...decoder.push(stream.subarray(at, at + size)));
      at += size;
    }
    expect(decoded).toEqual(payloads);
  });
});
