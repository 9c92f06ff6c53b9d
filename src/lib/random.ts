/**
 * Random: every source of randomness goes through this interface (election jitter, fence delays,
 * fault injection), so that the simulator can replace it with a seeded generator and replay a run.
 * Production uses crypto randomness (platform/crypto-random.ts).
 */
export interface Random {
  /** A uniformly distributed integer in [0, 2^32). */
  nextUint32(): number;
}

/** A float in [0, 1) with 32 bits of randomness. */
export function randomFloat(random: Random): number {
  return random.nextUint32() / 0x1_0000_0000;
}

/** An integer in [min, max], both inclusive. */
export function randomInt(random: Random, min: number, max: number): number {
  if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
    throw new RangeError(`randomInt: bad range [${min}, ${max}]`);
  }
  return min + Math.floor(randomFloat(random) * (max - min + 1));
}

/** True with probability `p` (p <= 0 never draws; p >= 1 always true without drawing). */
export function randomChance(random: Random, p: number): boolean {
  if (p <= 0) return false;
  if (p >= 1) return true;
  return randomFloat(random) < p;
}

/** One element of a non-empty array. */
export function randomPick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('randomPick: empty array');
  return items[randomInt(random, 0, items.length - 1)] as T;
}
