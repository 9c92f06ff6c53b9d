/**
 * ReplayWindow: anti-replay for authenticated frames, per sender, in the manner of IPsec's and
 * WireGuard's sliding windows. For each sender it keeps the highest incarnation heard and, within
 * it, the highest sequence number and a bitmap of the REPLAY_WINDOW_SIZE sequence numbers up to it.
 *
 * Rules, for a frame (sender, incarnation, sequence):
 * - an incarnation older than the highest heard is `stale-incarnation`: a process that has since
 *   restarted cannot speak any more;
 * - a newer incarnation resets the sender's window (it restarted) and is accepted;
 * - within the current incarnation, a sequence above the highest is accepted and slides the
 *   window; one inside the window is accepted once; one already seen, or below the window, is
 *   `replay`.
 *
 * Frames are reordered when they arrive over several links of different speed; the window lets a
 * frame up to REPLAY_WINDOW_SIZE - 1 behind the newest through. Duplicates are normal with
 * redundant links (the same frame sent on each), so a steady `replay` count is not an alarm.
 * Sequence numbers are 48 bits and never wrap (frame-codec.ts), so there is no wraparound case.
 *
 * Pure, no I/O. Feed it only frames whose tag verified: a forged frame must never move a window.
 * Memory is one small record per sender heard, at most one per node id.
 */
import type { NodeId } from '../lib/index.js';

/** How many sequence numbers behind the newest a frame may arrive and still be accepted. */
export const REPLAY_WINDOW_SIZE = 1024;
const WORD_BITS = 32;
const WINDOW_WORDS = REPLAY_WINDOW_SIZE / WORD_BITS;

/** The verdict on one frame: accepted (and whether it starts a new incarnation), or why not. */
export type ReplayVerdict =
  | { readonly kind: 'accepted'; readonly newIncarnation: boolean }
  | { readonly kind: 'replay' }
  | { readonly kind: 'stale-incarnation' };

interface SenderWindow {
  incarnation: number;
  highestSequence: number;
  /** Bit (s mod REPLAY_WINDOW_SIZE) is set when sequence s, within the window, was accepted. */
  readonly seen: Uint32Array;
}

const ACCEPTED_SAME: ReplayVerdict = { kind: 'accepted', newIncarnation: false };
const ACCEPTED_NEW: ReplayVerdict = { kind: 'accepted', newIncarnation: true };
const REPLAY: ReplayVerdict = { kind: 'replay' };
const STALE: ReplayVerdict = { kind: 'stale-incarnation' };

export class ReplayWindow {
  private readonly senders = new Map<NodeId, SenderWindow>();

  /**
   * Decides on one authenticated frame and, when it is accepted, records it: the same frame offered
   * twice is accepted the first time only. `incarnation` and `sequence` are non-negative integers
   * as decoded (u32 and u48).
   */
  check(sender: NodeId, incarnation: number, sequence: number): ReplayVerdict {
    const window = this.senders.get(sender);
    if (window === undefined) {
      this.senders.set(sender, startWindow(incarnation, sequence));
      return ACCEPTED_NEW;
    }
    if (incarnation < window.incarnation) return STALE;
    if (incarnation > window.incarnation) {
      window.incarnation = incarnation;
      window.highestSequence = sequence;
      window.seen.fill(0);
      markSeen(window.seen, sequence);
      return ACCEPTED_NEW;
    }
    if (sequence > window.highestSequence) {
      slideTo(window, sequence);
      markSeen(window.seen, sequence);
      return ACCEPTED_SAME;
    }
    if (window.highestSequence - sequence >= REPLAY_WINDOW_SIZE) return REPLAY;
    if (isSeen(window.seen, sequence)) return REPLAY;
    markSeen(window.seen, sequence);
    return ACCEPTED_SAME;
  }

  /** The highest incarnation heard from `sender`, or undefined if none was. For status displays. */
  incarnationOf(sender: NodeId): number | undefined {
    return this.senders.get(sender)?.incarnation;
  }

  /** How many senders have a window. */
  get senderCount(): number {
    return this.senders.size;
  }
}

function startWindow(incarnation: number, sequence: number): SenderWindow {
  const window: SenderWindow = { incarnation, highestSequence: sequence, seen: new Uint32Array(WINDOW_WORDS) };
  markSeen(window.seen, sequence);
  return window;
}

/** Moves the top of the window up to `sequence`, forgetting the numbers that fall out of it. */
function slideTo(window: SenderWindow, sequence: number): void {
  const distance = sequence - window.highestSequence;
  if (distance >= REPLAY_WINDOW_SIZE) {
    window.seen.fill(0);
  } else {
    // The slots of highest+1 .. sequence held numbers that are now below the window: clear them.
    for (let s = window.highestSequence + 1; s <= sequence; s++) clearSeen(window.seen, s);
  }
  window.highestSequence = sequence;
}

// Sequence numbers reach 2^48, beyond 32-bit operators: take the slot with % (exact on doubles).
function isSeen(seen: Uint32Array, sequence: number): boolean {
  const slot = sequence % REPLAY_WINDOW_SIZE;
  return ((seen[slot >>> 5] ?? 0) & (1 << (slot & 31))) !== 0;
}

function markSeen(seen: Uint32Array, sequence: number): void {
  const slot = sequence % REPLAY_WINDOW_SIZE;
  seen[slot >>> 5] = (seen[slot >>> 5] ?? 0) | (1 << (slot & 31));
}

function clearSeen(seen: Uint32Array, sequence: number): void {
  const slot = sequence % REPLAY_WINDOW_SIZE;
  seen[slot >>> 5] = (seen[slot >>> 5] ?? 0) & ~(1 << (slot & 31));
}
