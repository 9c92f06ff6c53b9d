/**
 * Assertions for programming errors. They stay on in production: a broken invariant means this
 * node's state can no longer be trusted, so the daemon exits, systemd restarts it and the peers see
 * a node failure, which the cluster already knows how to survive. Expected failures (bad input from
 * the network, a failed agent, a silent PDU) are never asserted: they are values (see result.ts).
 */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

/** Throws AssertionError when `condition` is false. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Marks a branch the type system proves unreachable; throws if it is reached anyway. */
export function unreachable(value: never, what = 'value'): never {
  throw new AssertionError(`unreachable: unexpected ${what} ${JSON.stringify(value)}`);
}
