import { assert } from '../lib/index.js';

interface Entry<T> {
  readonly atMs: number;
  readonly seq: number;
  readonly value: T;
}

/**
 * EventQueue: the simulator's agenda, a binary min-heap ordered by (time, insertion order). Ties
 * break by insertion order, so two events due at the same virtual millisecond always run in the
 * order they were scheduled; that, with a seeded Random, is what makes a run replayable.
 */
export class EventQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private nextSeq = 0;

  constructor(private readonly capacity = 10_000_000) {}

  get size(): number {
    return this.heap.length;
  }

  push(atMs: number, value: T): void {
    assert(Number.isFinite(atMs), `event time must be finite, got ${atMs}`);
    assert(this.heap.length < this.capacity, `event queue over its limit of ${this.capacity}`);
    this.heap.push({ atMs, seq: this.nextSeq++, value });
    this.siftUp(this.heap.length - 1);
  }

  /** The time of the earliest event, or undefined when empty. */
  peekTime(): number | undefined {
    return this.heap[0]?.atMs;
  }

  pop(): { atMs: number; value: T } | undefined {
    const top = this.heap[0];
    if (top === undefined) return undefined;
    const last = this.heap.pop() as Entry<T>;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return { atMs: top.atMs, value: top.value };
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a] as Entry<T>;
    const y = this.heap[b] as Entry<T>;
    return x.atMs < y.atMs || (x.atMs === y.atMs && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const tmp = this.heap[a] as Entry<T>;
    this.heap[a] = this.heap[b] as Entry<T>;
    this.heap[b] = tmp;
  }

  private siftUp(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(index: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.heap.length && this.less(left, smallest)) smallest = left;
      if (right < this.heap.length && this.less(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
