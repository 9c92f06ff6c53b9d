// SeededRandom must be a pure function of (seed, stream): the simulator's replays depend on it.
import { describe, expect, it } from 'vitest';
import { SeededRandom, randomChance, randomInt, randomPick } from '../../../src/lib/index.js';

function draw(random: SeededRandom, count: number): number[] {
  return Array.from({ length: count }, () => random.nextUint32());
}

describe('SeededRandom', () => {
  it('gives the same sequence for the same seed and stream', () => {
    expect(draw(new SeededRandom(42), 100)).toEqual(draw(new SeededRandom(42), 100));
    expect(draw(new SeededRandom(2 ** 40 + 7, 3), 100)).toEqual(draw(new SeededRandom(2 ** 40 + 7, 3), 100));
  });

  it('gives different sequences for different seeds, streams and high seed bits', () => {
    expect(draw(new SeededRandom(1), 10)).not.toEqual(draw(new SeededRandom(2), 10));
    expect(draw(new SeededRandom(1, 0), 10)).not.toEqual(draw(new SeededRandom(1, 1), 10));
    expect(draw(new SeededRandom(5), 10)).not.toEqual(draw(new SeededRandom(5 + 2 ** 32), 10));
  });

  it('yields 32-bit unsigned integers spread over the whole range', () => {
    const values = draw(new SeededRandom(7), 10_000);
    for (const v of values) {
      expect(Number.isInteger(v) && v >= 0 && v < 2 ** 32).toBe(true);
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length / 2 ** 32;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });

  it('forks independent generators deterministically', () => {
    const a = new SeededRandom(9);
    const b = new SeededRandom(9);
    expect(draw(a.fork(), 5)).toEqual(draw(b.fork(), 5));
    expect(draw(a.fork(), 5)).not.toEqual(draw(a.fork(), 5));
  });
});

describe('random helpers', () => {
  it('randomInt stays within inclusive bounds and reaches both ends', () => {
    const random = new SeededRandom(3);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = randomInt(random, -2, 2);
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThanOrEqual(2);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([-1, -2, 0, 1, 2]);
  });

  it('randomInt rejects an empty range', () => {
    expect(() => randomInt(new SeededRandom(1), 3, 2)).toThrow(RangeError);
  });

  it('randomChance honours 0 and 1 without drawing and approximates p', () => {
    const random = new SeededRandom(11);
    expect(randomChance(random, 0)).toBe(false);
    expect(randomChance(random, 1)).toBe(true);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) if (randomChance(random, 0.3)) hits++;
    expect(hits / 10_000).toBeGreaterThan(0.27);
    expect(hits / 10_000).toBeLessThan(0.33);
  });

  it('randomPick refuses an empty array', () => {
    expect(() => randomPick(new SeededRandom(1), [])).toThrow(RangeError);
  });
});
