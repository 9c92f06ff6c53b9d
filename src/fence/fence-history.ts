/**
 * FenceHistory: every fence request's outcome on one node, in one SQLite file (better-sqlite3 12;
 * WAL journal, synchronous=FULL, so a recorded outcome survives a power loss of the recorder).
 * One row per request: target, action, the devices that did it (or were tried), why, who asked,
 * start and end (wall clock), the result with the failure reason, and every device attempt.
 * `heartline fence history` reads it; the daemon's ProfileFencing writes it.
 *
 * Contract:
 * - `open` creates the schema in a new file and migrates an older one (user_version); a file that
 *   is not a database, fails its integrity check or comes from a newer program is refused with an
 *   error that says what to do. `openReadOnly` (the CLI) never creates or migrates anything and may
 *   read while the daemon writes (WAL).
 * - `record` is one transaction: the row is on disk when it returns ok. The history keeps the
 *   `rowLimit` newest rows; older ones go in the transaction that adds a row.
 * - The store is synchronous and belongs to one thread.
 */
import type Database from 'better-sqlite3';
import { assert, err, ok, type Result } from '../lib/index.js';
import { openStateDatabase } from '../platform/state-database.js';
import type { FenceAttempt, RequestedFenceAction } from './plan/index.js';


/** Rows kept by default: years of fencing on an appliance, a few hundred kilobytes. */
export const DEFAULT_FENCE_HISTORY_ROWS = 1000;

/** The history's file name in the daemon's state directory. */
export const FENCE_HISTORY_FILE = 'fence-history.sqlite';

/** MIGRATIONS[n] moves a file from version n to n + 1. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE fence_history (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('off', 'reboot', 'on')),
    -- Comma-separated device names: the level that succeeded, or every device tried.
    devices TEXT NOT NULL,
    level INTEGER,
    reason TEXT NOT NULL,
    requester TEXT NOT NULL,
    started_at_ms INTEGER NOT NULL,
    ended_at_ms INTEGER NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('ok', 'failed')),
    failure_reason TEXT,
    powered_off INTEGER NOT NULL CHECK (powered_off IN (0, 1)),
    note TEXT,
    attempts_json TEXT NOT NULL
  ) STRICT;
  CREATE INDEX fence_history_by_target ON fence_history (target, sequence);
  `,
];

/** The schema version this program writes and reads. */
export const FENCE_HISTORY_SCHEMA_VERSION = MIGRATIONS.length;

/** How the file is opened: the same as the daemon's other state files (src/platform). */
const STATE_DATABASE = {
  what: 'the fence history',
  migrations: MIGRATIONS,
  missingHint: 'a daemon that fences through a hardware profile creates it when it starts; give another file with --history',
  corruptAdvice: 'Move it away: the daemon starts a new one (the old outcomes stay in the file and in the logs)',
} as const;

/** Why the history could not do what was asked; `message` names the file and what to do. */
export interface FenceHistoryError {
  /** unreadable: cannot open (folder, permissions, missing for a reader); corrupt; newer-schema; write-failed. */
  readonly kind: 'unreadable' | 'corrupt' | 'newer-schema' | 'write-failed';
  readonly message: string;
}

/** One finished fence request, as recorded. */
export interface FenceHistoryRecord {
  readonly target: string;
  readonly action: RequestedFenceAction;
  /** The devices of the level that succeeded; on failure, every device tried (in order, once each). */
  readonly devices: readonly string[];
  /** The level that succeeded. */
  readonly level?: number;
  /** Why the fence was asked for. */
  readonly reason: string;
  /** A node name, or `user@node` for an operator. */
  readonly requester: string;
  /** Wall-clock milliseconds since the Unix epoch. */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly ok: boolean;
  /** Why it failed (every attempt in words), when it failed. */
  readonly failureReason?: string;
  /** True when the target's power was proven cut: a successful off or reboot, or a failed reboot whose off half was verified. */
  readonly poweredOff: boolean;
  readonly note?: string;
  readonly attempts: readonly FenceAttempt[];
}

export interface FenceHistoryEntry extends FenceHistoryRecord {
  /** Increases with every row ever written, deleted ones included. */
  readonly sequence: number;
}

export interface FenceHistoryQuery {
  readonly target?: string;
  /** The newest `limit` rows (default: all kept). */
  readonly limit?: number;
}

interface Row {
  sequence: number;
  target: string;
  action: string;
  devices: string;
  level: number | null;
  reason: string;
  requester: string;
  started_at_ms: number;
  ended_at_ms: number;
  result: string;
  failure_reason: string | null;
  powered_off: number;
  note: string | null;
  attempts_json: string;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class FenceHistory {
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    private readonly rowLimit: number,
  ) {}

  /** Opens (or creates) the history at `path` for writing. The folder must exist. */
  static open(path: string, options: { readonly rowLimit?: number } = {}): Result<FenceHistory, FenceHistoryError> {
    const rowLimit = options.rowLimit ?? DEFAULT_FENCE_HISTORY_ROWS;
    assert(Number.isSafeInteger(rowLimit) && rowLimit >= 1, `FenceHistory: rowLimit must be a positive integer, not ${rowLimit}`);
    const opened = openStateDatabase(path, { ...STATE_DATABASE, readOnly: false });
    return opened.ok ? ok(new FenceHistory(opened.value, path, rowLimit)) : opened;
  }

  /** Opens an existing history for reading only (the CLI, possibly while the daemon writes). */
  static openReadOnly(path: string): Result<FenceHistory, FenceHistoryError> {
    const opened = openStateDatabase(path, { ...STATE_DATABASE, readOnly: true });
    return opened.ok ? ok(new FenceHistory(opened.value, path, DEFAULT_FENCE_HISTORY_ROWS)) : opened;
  }

  /** Adds one outcome; returns its sequence number. */
  record(entry: FenceHistoryRecord): Result<number, FenceHistoryError> {
    this.assertOpen();
    const write = this.db.transaction((): number => {
      const inserted = this.db
        .prepare(
          `INSERT INTO fence_history (target, action, devices, level, reason, requester, started_at_ms, ended_at_ms, result, failure_reason, powered_off, note, attempts_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          entry.target,
          entry.action,
          entry.devices.join(','),
          entry.level ?? null,
          oneLine(entry.reason),
          entry.requester,
          Math.round(entry.startedAtMs),
          Math.round(entry.endedAtMs),
          entry.ok ? 'ok' : 'failed',
          entry.failureReason === undefined ? null : oneLine(entry.failureReason),
          entry.poweredOff ? 1 : 0,
          entry.note ?? null,
          JSON.stringify(entry.attempts),
        );
      this.db.prepare('DELETE FROM fence_history WHERE sequence <= (SELECT MAX(sequence) FROM fence_history) - ?').run(this.rowLimit);
      return Number(inserted.lastInsertRowid);
    });
    try {
      return ok(write.immediate());
    } catch (error) {
      return err({ kind: 'write-failed', message: `cannot record the fence of ${entry.target} in ${this.path}: ${describe(error)} (check free space and permissions; the outcome is in the daemon's log)` });
    }
  }

  /** The newest rows first, optionally of one target, at most `limit`. */
  list(query: FenceHistoryQuery = {}): readonly FenceHistoryEntry[] {
    this.assertOpen();
    const limit = query.limit ?? -1;
    const rows = (
      query.target === undefined
        ? this.db.prepare('SELECT * FROM fence_history ORDER BY sequence DESC LIMIT ?').all(limit)
        : this.db.prepare('SELECT * FROM fence_history WHERE target = ? ORDER BY sequence DESC LIMIT ?').all(query.target, limit)
    ) as Row[];
    return rows.map(entryOf);
  }

  /** Closes the database. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    assert(!this.closed, `FenceHistory ${this.path} used after close`);
  }
}

function entryOf(row: Row): FenceHistoryEntry {
  let attempts: FenceAttempt[] = [];
  try {
    const parsed: unknown = JSON.parse(row.attempts_json);
    if (Array.isArray(parsed)) attempts = parsed as FenceAttempt[];
  } catch {
    // A damaged attempts column loses the details, not the row.
  }
  return {
    sequence: row.sequence,
    target: row.target,
    action: row.action as RequestedFenceAction,
    devices: row.devices === '' ? [] : row.devices.split(','),
    ...(row.level === null ? {} : { level: row.level }),
    reason: row.reason,
    requester: row.requester,
    startedAtMs: row.started_at_ms,
    endedAtMs: row.ended_at_ms,
    ok: row.result === 'ok',
    ...(row.failure_reason === null ? {} : { failureReason: row.failure_reason }),
    poweredOff: row.powered_off === 1,
    ...(row.note === null ? {} : { note: row.note }),
    attempts,
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
