/**
 * The frame fuzzer: feeds a FrameReceiver a seeded mix of genuine traffic and every kind of bad
 * input a network or an attacker can produce, and checks the receiver's promises: it never throws,
 * it never accepts a forged, tampered or replayed frame, and it accepts every genuinely new frame
 * and delivers every message, fragmented or not. Used by `test/sim/frame-fuzz.test.ts` and
 * `heartline bench frames`.
 *
 * The same seed always yields the same inputs and the same report (timing aside): keys, payloads,
 * choices and orderings all come from SeededRandom. Genuine frames are sometimes held back and
 * delivered up to HOLD_STEPS_MAX inputs later, which exercises reordering inside the replay window;
 * a peer occasionally restarts with a new incarnation, which turns its old frames stale.
 */
import { assert, millis, nodeId, randomChance, randomInt, randomPick, SeededRandom, type NodeId } from '../lib/index.js';
import { parseAuthKey, type AuthKeyFile } from './auth-key.js';
import { FRAME_HEADER_BYTES, MessageType } from './frame-codec.js';
import { createFrameKeyring, type FrameKeyring } from './frame-keyring.js';
import { FrameReceiver, type ReceiverDropReason } from './frame-receiver.js';
import { FrameSender, type FrameShape } from './frame-sender.js';

/** The kinds of input the fuzzer feeds, one counter each in the report. */
export const FUZZ_INPUT_KINDS = [
  'valid',
  'replay',
  'own-frame',
  'bit-flip',
  'truncated',
  'random-bytes',
  'forged',
  'mutated-header',
] as const;
export type FuzzInputKind = (typeof FUZZ_INPUT_KINDS)[number];

export interface FrameFuzzOptions {
  /** How many inputs to feed at least; a final fragmented message and held frames may add a few. */
  readonly count: number;
  readonly seed: number;
  /**
   * A monotonic clock in milliseconds (e.g. `performance.now`). When given, the report's
   * `acceptMs` is the time spent inside `FrameReceiver.accept`; the harness reads nothing else.
   */
  readonly now?: () => number;
}

export interface FrameFuzzReport {
  readonly seed: number;
  /** Inputs fed to the receiver, in total and by kind. */
  readonly inputs: number;
  readonly inputsByKind: Readonly<Record<FuzzInputKind, number>>;
  /** Frames whose tag verified (including replays and own frames, dropped afterwards). */
  readonly decoded: number;
  /** Exceptions thrown by the receiver: must be 0. */
  readonly exceptions: number;
  readonly firstException?: string;
  /** Forged, tampered, truncated or random inputs accepted: must be 0. */
  readonly forgedAccepted: number;
  /** Replayed or looped-back genuine frames accepted: must be 0. */
  readonly replaysAccepted: number;
  /** Genuinely new valid frames fed, and how many of them were accepted: must be equal. */
  readonly validExpected: number;
  readonly validAccepted: number;
  /** Messages whose every frame was fed, and messages delivered: must be equal. */
  readonly messagesExpected: number;
  readonly messagesDelivered: number;
  readonly drops: Readonly<Record<ReceiverDropReason, number>>;
  /** True when every promise above held. */
  readonly ok: boolean;
  /** Milliseconds spent inside the receiver, when FrameFuzzOptions.now was given. */
  readonly acceptMs?: number;
}

const HOLD_STEPS_MAX = 50;
const RECENT_FRAMES = 256;
const LOCAL_NODE = nodeId(1);
const PEERS: readonly NodeId[] = [nodeId(2), nodeId(3), nodeId(65_535)];
// UDP and serial frame sizes, each plain and encrypted.
const SHAPES: readonly FrameShape[] = [
  { maxFrameBytes: 1400, encrypted: false },
  { maxFrameBytes: 1400, encrypted: true },
  { maxFrameBytes: 512, encrypted: false },
  { maxFrameBytes: 512, encrypted: true },
];
const UDP_SHAPES: readonly FrameShape[] = SHAPES.filter((shape) => shape.maxFrameBytes === 1400);
// Out of 100: the mix of inputs. Genuine frames are a minority so that every drop path gets traffic.
const KIND_WEIGHTS: Readonly<Record<FuzzInputKind, number>> = {
  valid: 40,
  replay: 12,
  'own-frame': 3,
  'bit-flip': 12,
  truncated: 8,
  'random-bytes': 10,
  forged: 7,
  'mutated-header': 8,
};
const REJECTED_AS_REPLAY: ReadonlySet<FuzzInputKind> = new Set(['replay', 'own-frame']);

interface HeldFrame {
  readonly bytes: Uint8Array;
  readonly dueAt: number;
  readonly sender: NodeId;
}

/**
 * Runs the fuzzer for `options.count` inputs and returns the report. Never throws on account of
 * the receiver (its exceptions are counted); `count` must be a positive integer (asserted).
 */
export function fuzzFrames(options: FrameFuzzOptions): FrameFuzzReport {
  assert(Number.isInteger(options.count) && options.count >= 1, `fuzz count must be a positive integer, got ${options.count}`);
  return new FrameFuzzRun(options).run();
}

class FrameFuzzRun {
  private readonly random: SeededRandom;
  private readonly pool: Uint8Array;
  private readonly clusterId: number;
  private readonly keyrings: readonly FrameKeyring[];
  private readonly forgedKeyrings: readonly FrameKeyring[];
  private readonly receiver: FrameReceiver;
  private readonly peers = new Map<NodeId, FrameSender>();
  private readonly local: FrameSender;
  private readonly recent: Uint8Array[] = [];
  private recentNext = 0;
  private held: HeldFrame[] = [];
  private fed = 0;
  private readonly byKind = counters(FUZZ_INPUT_KINDS);
  private readonly acceptedByKind = counters(FUZZ_INPUT_KINDS);
  private messagesExpected = 0;
  private exceptions = 0;
  private firstException: string | undefined;
  private acceptMs = 0;
  private readonly kindTable: FuzzInputKind[] = [];

  constructor(private readonly options: FrameFuzzOptions) {
    this.random = new SeededRandom(options.seed);
    this.pool = randomBytes(this.random, 128 * 1024);
    this.clusterId = this.random.nextUint32();
    const secretA = hex(randomBytes(this.random, 32));
    const secretB = hex(randomBytes(this.random, 32));
    // Two keys listed, either active: peers sign with either, as during a rotation.
    this.keyrings = [1, 2].map((active) => createFrameKeyring(authKeys(`auth ${active}\n1 sha256 ${secretA}\n2 sha256 ${secretB}\n`), this.clusterId));
    // Right structure, wrong secret under a listed id; and a key id the receiver has never heard of.
    const forgedSecret = hex(randomBytes(this.random, 32));
    this.forgedKeyrings = [
      createFrameKeyring(authKeys(`auth 1\n1 sha256 ${forgedSecret}\n`), this.clusterId),
      createFrameKeyring(authKeys(`auth 2\n2 sha256 ${forgedSecret}\n`), this.clusterId),
      createFrameKeyring(authKeys(`auth 9\n9 sha256 ${forgedSecret}\n`), this.clusterId),
    ];
    const receiverKeyring = this.keyrings[0];
    assert(receiverKeyring !== undefined, 'fuzz keyrings exist');
    // Room for many overlapping fragmented messages, so that no eviction blurs the accounting.
    this.receiver = new FrameReceiver({ keyring: receiverKeyring, localNodeId: LOCAL_NODE, reassembly: { messageBytesMax: 1 << 20, perSenderMax: 64, totalBytesMax: 64 << 20, idleTimeoutMs: millis(1_000_000) } });
    for (const peer of PEERS) this.peers.set(peer, this.newSender(peer, randomInt(this.random, 0, 1000)));
    this.local = this.newSender(LOCAL_NODE, 1);
    for (const kind of FUZZ_INPUT_KINDS) for (let i = 0; i < KIND_WEIGHTS[kind]; i++) this.kindTable.push(kind);
  }

  run(): FrameFuzzReport {
    // Prime the pool of recent genuine frames, so that replays and mutations have material.
    this.sendValid();
    while (this.fed < this.options.count) {
      this.feedDueHeldFrames();
      const kind = randomPick(this.random, this.kindTable);
      if (kind === 'valid' || this.recent.length === 0) this.sendValid();
      else this.sendInvalid(kind);
    }
    for (const frame of this.held) this.feed(frame.bytes, 'valid');
    this.held = [];
    const counters = this.receiver.counters();
    const forgedAccepted = FUZZ_INPUT_KINDS.filter((kind) => kind !== 'valid' && !REJECTED_AS_REPLAY.has(kind)).reduce((sum, kind) => sum + this.acceptedByKind[kind], 0);
    const replaysAccepted = [...REJECTED_AS_REPLAY].reduce((sum, kind) => sum + this.acceptedByKind[kind], 0);
    const validExpected = this.byKind.valid;
    const validAccepted = this.acceptedByKind.valid;
    return {
      seed: this.options.seed,
      inputs: this.fed,
      inputsByKind: { ...this.byKind },
      decoded: counters.framesAuthenticated,
      exceptions: this.exceptions,
      ...(this.firstException === undefined ? {} : { firstException: this.firstException }),
      forgedAccepted,
      replaysAccepted,
      validExpected,
      validAccepted,
      messagesExpected: this.messagesExpected,
      messagesDelivered: counters.messagesDelivered,
      drops: counters.drops,
      ok: this.exceptions === 0 && forgedAccepted === 0 && replaysAccepted === 0 && validAccepted === validExpected && counters.messagesDelivered === this.messagesExpected,
      ...(this.options.now === undefined ? {} : { acceptMs: this.acceptMs }),
    };
  }

  /** One genuine message from a random peer: fed at once, or some of its frames held back. */
  private sendValid(): void {
    const peer = randomPick(this.random, PEERS);
    if (randomChance(this.random, 0.0005)) this.restart(peer);
    const sender = this.peers.get(peer);
    assert(sender !== undefined, 'every peer has a sender');
    const fragmented = randomChance(this.random, 0.02);
    const frames = sender.encodeMessage(randomChance(this.random, 0.5) ? MessageType.heartbeat : MessageType.membership, this.payload(fragmented ? randomInt(this.random, 600, 6000) : randomInt(this.random, 0, 300)), randomPick(this.random, SHAPES));
    this.messagesExpected += 1;
    for (const bytes of frames) {
      if (randomChance(this.random, 0.1)) this.held.push({ bytes, dueAt: this.fed + randomInt(this.random, 1, HOLD_STEPS_MAX), sender: peer });
      else this.feed(bytes, 'valid');
    }
  }

  /** A peer restarts: its held frames go out first (they are still new), then a new incarnation. */
  private restart(peer: NodeId): void {
    const stillHeld: HeldFrame[] = [];
    for (const frame of this.held) {
      if (frame.sender === peer) this.feed(frame.bytes, 'valid');
      else stillHeld.push(frame);
    }
    this.held = stillHeld;
    const previous = this.peers.get(peer);
    assert(previous !== undefined, 'every peer has a sender');
    this.peers.set(peer, this.newSender(peer, previous.incarnation + 1));
  }

  private sendInvalid(kind: Exclude<FuzzInputKind, 'valid'>): void {
    switch (kind) {
      case 'replay':
        this.feed(this.recentFrame(), kind);
        return;
      case 'own-frame':
        this.feed(this.firstFrame(this.local, this.payload(randomInt(this.random, 0, 200))), kind);
        return;
      case 'bit-flip': {
        const bytes = new Uint8Array(this.recentFrame());
        const flips = randomInt(this.random, 1, 3);
        // Distinct positions, so that two flips never cancel out into the genuine frame.
        const positions = new Set<number>();
        while (positions.size < flips) positions.add(randomInt(this.random, 0, bytes.length * 8 - 1));
        for (const bit of positions) bytes[bit >>> 3] = (bytes[bit >>> 3] ?? 0) ^ (1 << (bit & 7));
        this.feed(bytes, kind);
        return;
      }
      case 'truncated': {
        const bytes = this.recentFrame();
        if (randomChance(this.random, 0.8)) {
          this.feed(bytes.subarray(0, randomInt(this.random, 0, bytes.length - 1)), kind);
        } else {
          // Trailing garbage: the genuine frame with bytes appended.
          const longer = new Uint8Array(bytes.length + randomInt(this.random, 1, 64));
          longer.set(bytes);
          longer.set(this.payload(longer.length - bytes.length), bytes.length);
          this.feed(longer, kind);
        }
        return;
      }
      case 'random-bytes':
        this.feed(this.randomInput(), kind);
        return;
      case 'forged': {
        const peer = randomPick(this.random, [...PEERS, LOCAL_NODE]);
        const forger = new FrameSender({ keyring: randomPick(this.random, this.forgedKeyrings), sender: peer, incarnation: randomInt(this.random, 0, 0xffff_ffff), firstSequence: randomInt(this.random, 0, 2 ** 40) });
        this.feed(this.firstFrame(forger, this.payload(randomInt(this.random, 0, 300))), kind);
        return;
      }
      case 'mutated-header': {
        const sender = this.peers.get(randomPick(this.random, PEERS));
        assert(sender !== undefined, 'every peer has a sender');
        // A fresh genuine frame, never fed, with one header field changed and the tag left as it was.
        const bytes = this.firstFrame(sender, this.payload(randomInt(this.random, 0, 300)));
        mutateHeader(bytes, this.random);
        this.feed(bytes, kind);
        return;
      }
      default:
        kind satisfies never;
    }
  }

  private feed(bytes: Uint8Array, kind: FuzzInputKind): void {
    const before = this.receiver.framesAccepted;
    const startedAt = this.options.now?.();
    try {
      this.receiver.accept(bytes, millis(this.fed));
    } catch (error) {
      this.exceptions += 1;
      this.firstException ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    if (startedAt !== undefined && this.options.now !== undefined) this.acceptMs += this.options.now() - startedAt;
    this.fed += 1;
    this.byKind[kind] += 1;
    this.acceptedByKind[kind] += this.receiver.framesAccepted - before;
    if (kind === 'valid') {
      if (this.recent.length < RECENT_FRAMES) this.recent.push(bytes);
      else this.recent[this.recentNext] = bytes;
      this.recentNext = (this.recentNext + 1) % RECENT_FRAMES;
    }
  }

  private feedDueHeldFrames(): void {
    if (this.held.length === 0) return;
    const due = this.held.filter((frame) => frame.dueAt <= this.fed);
    if (due.length === 0) return;
    this.held = this.held.filter((frame) => frame.dueAt > this.fed);
    for (const frame of due) this.feed(frame.bytes, 'valid');
  }

  private recentFrame(): Uint8Array {
    return randomPick(this.random, this.recent);
  }

  /** A frame from `sender` carrying `payload`, unfragmented on a UDP-sized frame. */
  private firstFrame(sender: FrameSender, payload: Uint8Array): Uint8Array {
    const frames = sender.encodeMessage(MessageType.heartbeat, payload, randomPick(this.random, UDP_SHAPES));
    const frame = frames[0];
    assert(frames.length === 1 && frame !== undefined, 'a short message is one frame');
    return frame;
  }

  /** Random bytes of random length; some start like a frame of our cluster so they get further. */
  private randomInput(): Uint8Array {
    if (randomChance(this.random, 0.002)) return this.payload(randomInt(this.random, 65_000, 70_000));
    const bytes = new Uint8Array(this.payload(randomInt(this.random, 0, 1500)));
    if (bytes.length >= FRAME_HEADER_BYTES && randomChance(this.random, 0.5)) {
      const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      view.writeUInt16BE(0x484c, 0);
      view.writeUInt8(1, 2);
      if (randomChance(this.random, 0.5)) view.writeUInt8(randomInt(this.random, 0, 1), 3);
      view.writeUInt32BE(this.clusterId, 6);
    }
    return bytes;
  }

  /** `length` random bytes, a view into the pool: read only. */
  private payload(length: number): Uint8Array {
    const start = randomInt(this.random, 0, this.pool.length - length);
    return this.pool.subarray(start, start + length);
  }

  private newSender(peer: NodeId, incarnation: number): FrameSender {
    return new FrameSender({ keyring: randomPick(this.random, this.keyrings), sender: peer, incarnation });
  }
}

/** Changes one header field of an encoded frame to a different value, leaving the tag alone. */
function mutateHeader(bytes: Uint8Array, random: SeededRandom): void {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // [offset, width in bytes] of magic, version, flags, key id, type, cluster, sender, incarnation, sequence, length.
  const fields: readonly (readonly [number, number])[] = [[0, 2], [2, 1], [3, 1], [4, 1], [5, 1], [6, 4], [10, 2], [12, 4], [16, 6], [22, 4]];
  const [offset, width] = randomPick(random, fields);
  const old = view.readUIntBE(offset, width);
  const span = 2 ** (8 * width);
  // Small steps (a neighbouring sequence, the other key id) and far jumps (a huge length) alike.
  const delta = randomChance(random, 0.5) ? randomInt(random, 1, 3) : 1 + Math.floor((random.nextUint32() / 0x1_0000_0000) * (span - 1));
  view.writeUIntBE((old + delta) % span, offset, width);
}

function counters<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

function randomBytes(random: SeededRandom, length: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(length / 4));
  for (let i = 0; i < words.length; i++) words[i] = random.nextUint32();
  return new Uint8Array(words.buffer, 0, length);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function authKeys(text: string): AuthKeyFile {
  const parsed = parseAuthKey(text, 'fuzz keys');
  assert(parsed.ok, 'the fuzzer writes valid key files');
  return parsed.value;
}
