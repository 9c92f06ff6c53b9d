// The idle heap trim: a full collection once per interval when `gc` is exposed, nothing otherwise.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HEAP_TRIM_INTERVAL_MS, startHeapTrim } from '../../../src/daemon/heap-trim.js';
import { DAEMON_NODE_OPTIONS } from '../../../src/daemon/node-options.js';

const global = globalThis as { gc?: () => void };
const original = global.gc;

afterEach(() => {
  vi.clearAllTimers();
  vi.useRealTimers();
  if (original === undefined) delete global.gc;
  else global.gc = original;
});

describe('startHeapTrim', () => {
  it('does nothing without an exposed gc', () => {
    delete global.gc;
    expect(startHeapTrim()).toBe(false);
  });

  it('collects once per interval, not before', () => {
    vi.useFakeTimers();
    const gc = vi.fn();
    global.gc = gc;
    expect(startHeapTrim()).toBe(true);
    vi.advanceTimersByTime(HEAP_TRIM_INTERVAL_MS - 1);
    expect(gc).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(gc).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(2 * HEAP_TRIM_INTERVAL_MS);
    expect(gc).toHaveBeenCalledTimes(3);
  });

  it('the daemon is started with gc exposed', () => {
    expect(DAEMON_NODE_OPTIONS).toContain('--expose-gc');
  });
});
