/**
 * The daemon's log as data. `heartline daemon` writes one JSON object per line (pino, see
 * src/platform/pino-logger.ts): `{"level":30,"time":"2026-11-28T10:00:00.123Z","pid":...,
 * "component":"ha:membership","msg":"peer declared dead","peer":2,...}`. Tests and benchmarks read
 * events from it rather than from timing of their own, because the daemon stamps each event with
 * the wall clock at the moment it decided, which is what a detection time is measured against.
 */

/** One log line: `time` as milliseconds since the epoch, `msg`, and every other field as logged. */
export interface LogEvent {
  /** When the daemon logged it: milliseconds since the epoch (Date.parse of pino's ISO time). */
  readonly time: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** pino's numeric levels, by name. */
export const LOG_LEVELS = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

/**
 * Parses one line of the daemon's stdout. A line that is not a JSON object with a `msg` (a stack
 * trace, a stray print) is kept as `{msg: '(not a log record)', line}` stamped with `receivedAt`,
 * so that it still shows up in failure messages instead of vanishing.
 */
export function parseLogLine(line: string, receivedAt: number): LogEvent {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return { time: receivedAt, msg: '(not a log record)', line };
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record) || typeof (record as { msg?: unknown }).msg !== 'string') {
    return { time: receivedAt, msg: '(not a log record)', line };
  }
  const fields = record as Record<string, unknown>;
  const stamped = typeof fields['time'] === 'string' ? Date.parse(fields['time']) : typeof fields['time'] === 'number' ? fields['time'] : Number.NaN;
  return { ...fields, time: Number.isFinite(stamped) ? stamped : receivedAt, msg: fields['msg'] as string };
}

/** A short one-line form for failure messages: `10:00:00.123 peer declared dead {"peer":2,...}`. */
export function formatLogEvent(event: LogEvent): string {
  const { time, msg, level: _level, pid: _pid, hostname: _hostname, name: _name, ...rest } = event;
  const clock = new Date(time).toISOString().slice(11, 23);
  return `${clock} ${msg} ${JSON.stringify(rest)}`;
}
