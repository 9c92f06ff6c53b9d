/**
 * Result: the return type of an operation whose failure is routine (a malformed frame, an invalid
 * configuration field). Callers must look at `ok` before they can reach the value, so an expected
 * failure cannot be forgotten the way an exception can.
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
