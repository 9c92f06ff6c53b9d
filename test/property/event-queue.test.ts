// Property: whatever is pushed, the queue pops by time, and equal times in insertion order.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { EventQueue } from '../../src/sim/index.js';

describe('EventQueue (property)', () => {
  it('is a stable priority queue', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), (times) => {
        const queue = new EventQueue<number>();
        times.forEach((t, i) => queue.push(t, i));
        const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i);
        for (const { t, i } of expected) {
          const e = queue.pop();
          if (e === undefined || e.atMs !== t || e.value !== i) return false;
        }
        return queue.pop() === undefined;
      }),
      { numRuns: 500 },
    );
  });
});
