/**
 * Waiting for something that happens over real time (a frame crossing a veth, a link coming back
 * after socat restarts, a daemon's view forming): poll a condition until it holds or a deadline
 * passes, then fail with a message that says what was awaited and, if given, the state that was
 * seen last. Used by the testbed itself and by the tests built on it.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface EventuallyOptions {
  /** What is awaited, for the failure message ("b receives on link0"). */
  readonly what: string;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Called on timeout; its text is appended to the failure message. */
  readonly describe?: () => string;
}

/**
 * Calls `attempt` every `intervalMs` (default 50) until it returns a value other than undefined,
 * and resolves with that value; rejects after `timeoutMs` (default 5000). `attempt` may also do
 * something each round (send one more frame), which is how heartbeat-like tests are written.
 */
export async function eventually<T>(attempt: () => T | undefined | Promise<T | undefined>, options: EventuallyOptions): Promise<T> {
  const deadline = performance.now() + (options.timeoutMs ?? 5000);
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (performance.now() > deadline) {
      const seen = options.describe === undefined ? '' : `\n${options.describe()}`;
      throw new Error(`timed out after ${options.timeoutMs ?? 5000} ms waiting until ${options.what}${seen}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}

export { sleep };
