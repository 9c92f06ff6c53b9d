// The event queue orders by time and, at equal times, by insertion: the tie rule is what makes a
// simulation replay identically.
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../src/sim/index.js';

describe('EventQueue', () => {
  it('pops in time order and breaks ties by insertion order', () => {
    const queue = new EventQueue<string>();
    queue.push(5, 'c');
    queue.push(1, 'a');
    queue.push(5, 'd');
    queue.push(3, 'b');
    queue.push(5, 'e');
    const order: string[] = [];
    for (let e = queue.pop(); e !== undefined; e = queue.pop()) order.push(e.value);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('reports its earliest time and size', () => {
    const queue = new EventQueue<number>();
    expect(queue.peekTime()).toBeUndefined();
    queue.push(10, 1);
    queue.push(2, 2);
    expect(queue.peekTime()).toBe(2);
    expect(queue.size).toBe(2);
  });

  it('refuses to grow past its capacity and non-finite times', () => {
    const queue = new EventQueue<number>(2);
    queue.push(1, 1);
    queue.push(1, 2);
    expect(() => queue.push(1, 3)).toThrow(/over its limit/);
    expect(() => new EventQueue<number>().push(Number.NaN, 1)).toThrow(/finite/);
  });
});
