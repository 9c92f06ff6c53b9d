/**
 * Durations in heartline.yaml: a number is milliseconds (`500`), a string carries its unit
 * (`'500ms'`, `'2s'`, `'1.5s'`). The result is a whole number of milliseconds, because every timer
 * in Heartline (and in the simulator) counts whole milliseconds; `'0.5ms'` is refused rather than
 * rounded, so what the file says is exactly what runs.
 */
import { err, millis, ok, type Millis, type Result } from '../lib/index.js';

/** The longest duration a configuration may name: one day. Longer is a typo (a number meant as seconds). */
export const DURATION_MAX_MS = 24 * 60 * 60 * 1000;

const DURATION_TEXT = /^(\d+(?:\.\d+)?)\s*(ms|s)$/;

/**
 * Parses a configuration duration. Returns the milliseconds, or a sentence saying what is wrong
 * and how to write it instead (the caller adds the field's name).
 */
export function parseDuration(value: number | string): Result<Millis, string> {
  let ms: number;
  if (typeof value === 'number') {
    ms = value;
  } else {
    const match = DURATION_TEXT.exec(value.trim());
    if (match === null) {
      return err(`'${value}' is not a duration: write milliseconds as a number (500) or text with a unit, ms or s ('500ms', '2s')`);
    }
    const amount = Number(match[1]);
    ms = match[2] === 's' ? amount * 1000 : amount;
    // 1.0005s is 1000.5 ms; floating point may also turn 0.3s into 300.00000000000006 ms.
    const rounded = Math.round(ms);
    if (Math.abs(ms - rounded) > 1e-6) return err(`'${value}' is not a whole number of milliseconds: Heartline's timers count whole milliseconds`);
    ms = rounded;
  }
  if (!Number.isFinite(ms) || !Number.isInteger(ms)) return err(`${value} is not a whole number of milliseconds`);
  if (ms < 0) return err(`${value} is negative: a duration is 0 or more`);
  if (ms > DURATION_MAX_MS) return err(`${formatDuration(millis(ms))} is longer than the maximum of one day (a bare number is milliseconds, not seconds)`);
  return ok(millis(ms));
}

/** Formats milliseconds the way a person would write them in heartline.yaml: `2s`, `1500ms`. */
export function formatDuration(ms: Millis): string {
  return ms !== 0 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
