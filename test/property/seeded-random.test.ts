// Property: randomInt stays in range for any seed and range, and seeds replay.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { SeededRandom, randomInt } from '../../src/lib/index.js';

describe('SeededRandom (property)', () => {
  it('randomInt is within [min, max] and replays for every seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (seed, min, span) => {
        const a = new SeededRandom(seed);
        const b = new SeededRandom(seed);
        for (let i = 0; i < 20; i++) {
          const x = randomInt(a, min, min + span);
          if (x < min || x > min + span || x !== randomInt(b, min, min + span)) return false;
        }
        return true;
      }),
    );
  });
});
