// The frame fuzzer at full size: a million seeded inputs (genuine frames, reordered and across
// restarts, mixed with random bytes, truncations, bit flips, forgeries, tampered headers, replays
// and looped-back frames) through one FrameReceiver. Nothing may throw, no forged or replayed frame
// may get through, and every genuine frame and message must. Set FRAME_FUZZ_COUNT to change the
// size and FRAME_FUZZ_SEED to replay a seed; the counts are printed for the record.
import { describe, expect, it } from 'vitest';
import { fuzzFrames } from '../../src/links/frame-fuzz.js';

const count = Number(process.env['FRAME_FUZZ_COUNT'] ?? 1_000_000);
const seed = Number(process.env['FRAME_FUZZ_SEED'] ?? 20_240_601);

describe('frame fuzzer', () => {
  it(`keeps every promise over ${count.toLocaleString('en-US')} inputs (seed ${seed})`, () => {
    const startedAt = performance.now();
    const report = fuzzFrames({ count, seed, now: () => performance.now() });
    const elapsedMs = performance.now() - startedAt;
    const { drops, inputsByKind, ...totals } = report;
    console.log(
      [
        `frame fuzz: seed ${seed}, ${report.inputs} inputs in ${(elapsedMs / 1000).toFixed(1)} s ` +
          `(${Math.round((report.inputs / (report.acceptMs ?? elapsedMs)) * 1000)} frames/s through the receiver)`,
        `  totals: ${JSON.stringify({ ...totals, acceptMs: Math.round(report.acceptMs ?? 0) })}`,
        `  inputs: ${JSON.stringify(inputsByKind)}`,
        `  drops:  ${JSON.stringify(drops)}`,
      ].join('\n'),
    );
    expect(report.exceptions, report.firstException).toBe(0);
    expect(report.forgedAccepted).toBe(0);
    expect(report.replaysAccepted).toBe(0);
    expect(report.validAccepted).toBe(report.validExpected);
    expect(report.messagesDelivered).toBe(report.messagesExpected);
    expect(report.ok).toBe(true);
    // Every kind of input was exercised, and the main drop paths were reached.
    expect(Object.values(inputsByKind).every((n) => n > 0)).toBe(true);
    for (const reason of ['malformed', 'bad-version', 'unknown-cluster', 'unknown-key', 'bad-tag', 'too-large', 'replay', 'stale-incarnation', 'own-frame'] as const) {
      expect(drops[reason], reason).toBeGreaterThan(0);
    }
  });

  it('gives the same report for the same seed', () => {
    expect(fuzzFrames({ count: 20_000, seed: 3 })).toEqual(fuzzFrames({ count: 20_000, seed: 3 }));
    expect(fuzzFrames({ count: 20_000, seed: 4 })).not.toEqual(fuzzFrames({ count: 20_000, seed: 3 }));
  });
});
