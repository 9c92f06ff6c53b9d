/**
 * An idle daemon's heap trim: a full garbage collection of the calling thread's isolate once a
 * minute. V8 grows its old generation's committed pages as it allocates and seldom gives them back
 * on its own in a process this quiet, so an idle node's RSS crept from 78 to 84-85 MiB over its
 * first 25 minutes. With this trim on both isolates (the main thread's and the heartbeat
 * worker's) it holds at 78-79.5 MiB, for 0.13-0.2 % of a core more (`bench footprint --warmup`,
 * labs side by side; docs/ARCHITECTURE.md). Trimming only one of the two isolates, or only after
 * V8's own committed-size figure grew by 1 MiB, kept almost none of the gain.
 *
 * It needs `gc` exposed (`--expose-gc`, in DAEMON_NODE_OPTIONS); without it, it does nothing.
 */
export const HEAP_TRIM_INTERVAL_MS = 60_000;

/** Starts the trim on this thread for the thread's lifetime (its timer never keeps the thread alive); false when `gc` is not exposed. */
export function startHeapTrim(intervalMs: number = HEAP_TRIM_INTERVAL_MS): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  setInterval(() => gc(), intervalMs).unref();
  return true;
}
