// The replay window, as tables of frames offered in order and the verdict on each: duplicates,
// reordering inside the window, both edges of the window, big jumps, sequence numbers near 2^48,
// restarts (a new incarnation resets the window, an old one is stale) and senders kept apart.
import { describe, expect, it } from 'vitest';
import { nodeId } from '../../../src/lib/index.js';
import { REPLAY_WINDOW_SIZE, ReplayWindow } from '../../../src/links/replay-window.js';

type Verdict = 'new' | 'ok' | 'replay' | 'stale';
/** [incarnation, sequence, expected verdict]; 'new' is accepted and starts an incarnation. */
type Step = readonly [number, number, Verdict];

const W = REPLAY_WINDOW_SIZE;
const TOP = 2 ** 48 - 1;

const scenarios: readonly [string, readonly Step[]][] = [
  ['first frame of a sender starts its window', [[5, 100, 'new'], [5, 101, 'ok']]],
  ['a duplicate is a replay', [[1, 0, 'new'], [1, 0, 'replay'], [1, 1, 'ok'], [1, 1, 'replay'], [1, 0, 'replay']]],
  ['reordering inside the window is accepted once', [[1, 10, 'new'], [1, 13, 'ok'], [1, 11, 'ok'], [1, 12, 'ok'], [1, 12, 'replay'], [1, 14, 'ok']]],
  ['gaps are fine: missing numbers can still arrive', [[1, 0, 'new'], [1, 500, 'ok'], [1, 250, 'ok'], [1, 1, 'ok']]],
  ['the oldest number inside the window is accepted', [[1, W, 'new'], [1, 1, 'ok']]],
  ['one below the window is a replay', [[1, W, 'new'], [1, 0, 'replay']]],
  ['after a slide, numbers that fell out are replays even if unseen', [[1, 0, 'new'], [1, 5, 'ok'], [1, 5 + W, 'ok'], [1, 5, 'replay'], [1, 6, 'ok'], [1, 6, 'replay']]],
  ['a slot reused after sliding by exactly the window is fresh', [[1, 3, 'new'], [1, 3 + W, 'ok'], [1, 3 + W, 'replay'], [1, 4, 'ok']]],
  ['a jump of many windows clears everything', [[1, 0, 'new'], [1, 1, 'ok'], [1, 10 * W + 7, 'ok'], [1, 9 * W + 8, 'ok'], [1, 9 * W + 7, 'replay'], [1, 10 * W + 7, 'replay']]],
  ['sequence numbers near 2^48 (there is no wraparound)', [[1, TOP - 2, 'new'], [1, TOP, 'ok'], [1, TOP - 1, 'ok'], [1, TOP - 1, 'replay'], [1, TOP - W + 1, 'ok'], [1, TOP - W, 'replay']]],
  ['a newer incarnation resets the window', [[1, 900, 'new'], [2, 0, 'new'], [2, 1, 'ok'], [2, 0, 'replay'], [1, 901, 'stale'], [1, 0, 'stale']]],
  ['a restart may start anywhere, even below the old sequence', [[7, 5000, 'new'], [8, 3, 'new'], [8, 4, 'ok'], [8, 5000, 'ok']]],
  ['incarnations may skip (a crash loop) and reach u32 max', [[1, 0, 'new'], [4_000_000_000, 9, 'new'], [0xffff_ffff, 0, 'new'], [4_000_000_000, 10, 'stale']]],
];

describe('ReplayWindow', () => {
  for (const [name, steps] of scenarios) {
    it(name, () => {
      const window = new ReplayWindow();
      const sender = nodeId(2);
      const verdicts = steps.map(([incarnation, sequence]): Verdict => {
        const verdict = window.check(sender, incarnation, sequence);
        if (verdict.kind === 'accepted') return verdict.newIncarnation ? 'new' : 'ok';
        return verdict.kind === 'replay' ? 'replay' : 'stale';
      });
      expect(verdicts).toEqual(steps.map((step) => step[2]));
    });
  }

  it('keeps senders apart', () => {
    const window = new ReplayWindow();
    expect(window.check(nodeId(2), 3, 10).kind).toBe('accepted');
    expect(window.check(nodeId(3), 1, 10).kind).toBe('accepted');
    expect(window.check(nodeId(3), 1, 10).kind).toBe('replay');
    expect(window.check(nodeId(2), 2, 11).kind).toBe('stale-incarnation');
    expect(window.incarnationOf(nodeId(2))).toBe(3);
    expect(window.incarnationOf(nodeId(4))).toBeUndefined();
    expect(window.senderCount).toBe(2);
  });

  it('accepts every number of a shuffled window exactly once', () => {
    const window = new ReplayWindow();
    const sender = nodeId(9);
    window.check(sender, 1, W - 1);
    // A fixed permutation of 0..W-2 (multiplying by an odd number modulo a power of two).
    const order = Array.from({ length: W - 1 }, (_, i) => (i * 389) % W).filter((s) => s !== W - 1);
    expect(order.every((s) => window.check(sender, 1, s).kind === 'accepted')).toBe(true);
    expect(order.every((s) => window.check(sender, 1, s).kind === 'replay')).toBe(true);
  });
});
