/**
 * Durations in the configuration (operation interval, timeout, start-delay) as Pacemaker 2.1's
 * crm_get_msec and crm_parse_interval_spec read them, and their canonical spelling.
 */
import { millis, type Millis } from '../../lib/index.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  msec: 1,
  us: 0.001,
  usec: 0.001,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
};

/**
 * Parses a duration: a non-negative integer with an optional unit (ms, msec, us, usec, s, sec,
 * m, min, h, hr; any letter case; blanks allowed between number and unit). A bare number means
 * SECONDS, as in Pacemaker (`interval="10"` is ten seconds). An ISO 8601 duration (`PT10S`,
 * `P1DT2H`; years and months are refused because their length varies) is accepted too. Microsecond
 * values are rounded down to whole milliseconds. Returns undefined for anything else.
 */
export function parseDuration(text: string): Millis | undefined {
  const t = text.trim();
  if (/^P/i.test(t)) return parseIsoDuration(t);
  const m = /^(\d+)\s*([a-zA-Z]*)$/.exec(t);
  if (m === null) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const factor = unit === '' ? 1000 : UNIT_MS[unit];
  if (factor === undefined) return undefined;
  const value = Math.floor(Number(m[1]) * factor);
  return Number.isSafeInteger(value) ? millis(value) : undefined;
}

function parseIsoDuration(text: string): Millis | undefined {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(text);
  if (m === null || text.length <= 1 || /T$/i.test(text)) return undefined;
  const [weeks, days, hours, minutes, seconds] = [m[1], m[2], m[3], m[4], m[5]].map((x) => Number(x ?? 0)) as [number, number, number, number, number];
  const value = ((((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
  return Number.isSafeInteger(value) ? millis(value) : undefined;
}

/**
 * The canonical spelling of a duration: `0` for zero, whole seconds as `Ns`, anything else as
 * `Nms`. parseDuration(formatDuration(d)) === d for every non-negative integer d.
 */
export function formatDuration(duration: Millis): string {
  if (duration === 0) return '0';
  return duration % 1000 === 0 ? `${duration / 1000}s` : `${duration}ms`;
}
