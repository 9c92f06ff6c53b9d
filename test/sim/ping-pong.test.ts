// Proves the simulator with its ping-pong protocol: a seed replays to the identical trace; a
// thousand and more random seeds of faults keep the protocol's safety and liveness; and the
// checkers do catch the two deliberately broken variants, with a replay command that reproduces
// the failure. Set SIM_SEEDS to sweep more seeds (SIM_SEEDS=100000 npm run test:sim).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runPingPong, type PingPongVariant } from '../../src/sim/index.js';

const seedCount = Number(process.env['SIM_SEEDS'] ?? 2000);

function failureReport(seed: number, variant: PingPongVariant = 'correct'): string | undefined {
  const run = runPingPong(seed, { variant });
  const v = run.result.violation;
  return v === undefined ? undefined : `seed ${seed} failed (${v.kind} at ${v.atMs} ms): ${v.message}\nreplay: ${run.replay}`;
}

describe('simulator replay', () => {
  it('gives the same trace hash, line for line, for two runs of one seed', () => {
    for (const seed of [0, 1, 12345, 2 ** 40 + 3]) {
      const first = runPingPong(seed, { keepTrace: true });
      const second = runPingPong(seed, { keepTrace: true });
      expect(second.result.traceHash).toBe(first.result.traceHash);
      expect(second.result.traceLines).toEqual(first.result.traceLines);
      expect(first.result.events).toBeGreaterThan(0);
    }
  });

  it('gives different traces for different seeds', () => {
    const hashes = new Set(Array.from({ length: 50 }, (_, seed) => runPingPong(seed).result.traceHash));
    expect(hashes.size).toBe(50);
  });

  it('exercises the faults it claims to: loss, duplication, crashes and restarts across seeds', () => {
    let lost = 0;
    let duplicated = 0;
    let blocked = 0;
    let restarts = 0;
    for (let seed = 0; seed < 200; seed++) {
      const run = runPingPong(seed, { keepTrace: true });
      lost += run.result.stats.lost;
      duplicated += run.result.stats.duplicated;
      blocked += run.result.stats.blocked;
      restarts += (run.result.traceLines ?? []).filter((l) => / restart n\d+$/.test(l) && !l.startsWith('000000000')).length;
    }
    expect(lost).toBeGreaterThan(0);
    expect(duplicated).toBeGreaterThan(0);
    expect(blocked).toBeGreaterThan(0);
    expect(restarts).toBeGreaterThan(0);
  });
});

describe('ping-pong under random faults', () => {
  it(`keeps safety and liveness on ${seedCount} random seeds`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 }), (seed) => {
        const report = failureReport(seed);
        if (report !== undefined) throw new Error(report);
      }),
      { numRuns: seedCount },
    );
  });
});

describe('the checkers can fail', () => {
  function firstFailure(variant: PingPongVariant, limit: number): { seed: number; report: string } | undefined {
    for (let seed = 0; seed < limit; seed++) {
      const report = failureReport(seed, variant);
      if (report !== undefined) return { seed, report };
    }
    return undefined;
  }

  it('catches a client that never retries (liveness) and prints the command that replays it', () => {
    const failure = firstFailure('no-retry', 200);
    expect(failure?.report).toMatch(/liveness/);
    expect(failure?.report).toContain(`--seed ${failure?.seed} --variant no-retry --trace`);
  });

  it('catches a client that accepts pongs from its previous incarnation (safety), reproducibly', () => {
    const failure = firstFailure('no-incarnation-check', 20_000);
    expect(failure?.report).toMatch(/correctness.*without a pong/);
    // The replay reproduces the same violation.
    expect(failureReport(failure?.seed ?? -1, 'no-incarnation-check')).toBe(failure?.report);
  });
});
