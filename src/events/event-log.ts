/**
 * EventLog: every state change one node saw, in one SQLite file in its state directory
 * (`events.sqlite`): nodes up and down, links to peers up and down, quorum gained and lost,
 * resources' service state (up, down, excluded: availability-report.ts), fence outcomes, and the
 * daemon's own start and stop (between a stop and the next start this node saw nothing, and the
 * report says so). `heartline events` lists it; `heartline availability` computes from it.
 *
 * Contract:
 * - one row per event, written in its own transaction (WAL, synchronous=FULL): on disk when
 *   `record` returns; events are rare (state changes), so this costs nothing at idle;
 * - retention is bounded: rows older than `retentionMs` and beyond the newest `maxEvents` go, at
 *   open and then every PRUNE_EVERY writes;
 * - the CLI opens it read-only while the daemon writes.
 */
import type Database from 'better-sqlite3';
import { assert, err, ok, type Result } from '../lib/index.js';
import { openStateDatabase, type StateDatabaseError } from '../platform/state-database.js';

export const EVENT_LOG_FILE = 'events.sqlite';

/** A year and a month: a yearly availability figure always has its whole year. */
export const DEFAULT_EVENT_RETENTION_MS = 400 * 24 * 3600 * 1000;
export const DEFAULT_MAX_EVENTS = 100_000;
const PRUNE_EVERY = 200;

export const EVENT_KINDS = [
  'daemon-start',
  'daemon-stop',
  'node-up',
  'node-down',
  'link-up',
  'link-down',
  'quorum-gained',
  'quorum-lost',
  'resource-up',
  'resource-down',
  'resource-excluded',
  'fence-ok',
  'fence-failed',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface ClusterEvent {
  /** Wall-clock ms since the epoch. */
  readonly atMs: number;
  readonly kind: EventKind;
  /** What changed: a node, `peer/link`, a resource id, the cluster (quorum), the daemon's node. */
  readonly subject: string;
  /** Where, when it matters: the node a resource runs on, the node that fenced. */
  readonly node?: string;
  /** More, in words or as a small object (the reason a node went down, a fence's device). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface LoggedEvent extends ClusterEvent {
  readonly sequence: number;
}

export interface EventQuery {
  readonly sinceMs?: number;
  readonly kinds?: readonly EventKind[];
  readonly subject?: string;
  /** The newest `limit` events (still returned oldest first). */
  readonly limit?: number;
}

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    node TEXT,
    detail_json TEXT
  ) STRICT;
  CREATE INDEX events_by_time ON events (at_ms);
  CREATE INDEX events_by_subject ON events (subject, at_ms);
  `,
];

interface Row {
  sequence: number;
  at_ms: number;
  kind: string;
  subject: string;
  node: string | null;
  detail_json: string | null;
}

export interface EventLogOptions {
  readonly retentionMs?: number;
  readonly maxEvents?: number;
}

export class EventLog {
  private writes = 0;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    private readonly retentionMs: number,
    private readonly maxEvents: number,
  ) {}

  /** Opens (or creates) the log for the daemon; prunes what retention no longer keeps. */
  static open(path: string, nowMs: number, options: EventLogOptions = {}): Result<EventLog, StateDatabaseError> {
    const retentionMs = options.retentionMs ?? DEFAULT_EVENT_RETENTION_MS;
    const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    assert(retentionMs > 0 && Number.isSafeInteger(maxEvents) && maxEvents >= 1, 'EventLog: retention and maxEvents must be positive');
    const opened = openStateDatabase(path, { what: 'the event log', migrations: MIGRATIONS, readOnly: false, missingHint: '' });
    if (!opened.ok) return opened;
    const log = new EventLog(opened.value, path, retentionMs, maxEvents);
    log.prune(nowMs);
    return ok(log);
  }

  /** Opens an existing log for reading (the CLI). */
  static openReadOnly(path: string): Result<EventLog, StateDatabaseError> {
    const opened = openStateDatabase(path, { what: 'the event log', migrations: MIGRATIONS, readOnly: true, missingHint: 'the daemon creates it in its state directory when it starts; give the file with --events, or the folder with --state-dir' });
    if (!opened.ok) return opened;
    return ok(new EventLog(opened.value, path, DEFAULT_EVENT_RETENTION_MS, DEFAULT_MAX_EVENTS));
  }

  /** Adds one event; returns its sequence number. */
  record(event: ClusterEvent): Result<number, { readonly kind: 'write-failed'; readonly message: string }> {
    assert(!this.closed, 'EventLog: record after close');
    try {
      const info = this.db.prepare('INSERT INTO events (at_ms, kind, subject, node, detail_json) VALUES (?, ?, ?, ?, ?)').run(Math.round(event.atMs), event.kind, event.subject, event.node ?? null, event.detail === undefined ? null : JSON.stringify(event.detail));
      if (++this.writes % PRUNE_EVERY === 0) this.prune(event.atMs);
      return ok(Number(info.lastInsertRowid));
    } catch (error) {
      return err({ kind: 'write-failed', message: `cannot write to the event log ${this.path}: ${error instanceof Error ? error.message : String(error)} (check the disk)` });
    }
  }

  /** Events matching `query`, oldest first. */
  list(query: EventQuery = {}): LoggedEvent[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.sinceMs !== undefined) {
      where.push('at_ms >= ?');
      args.push(query.sinceMs);
    }
    if (query.subject !== undefined) {
      where.push('subject = ?');
      args.push(query.subject);
    }
    if (query.kinds !== undefined && query.kinds.length > 0) {
      where.push(`kind IN (${query.kinds.map(() => '?').join(', ')})`);
      args.push(...query.kinds);
    }
    const filter = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    const rows = (query.limit === undefined
      ? this.db.prepare(`SELECT * FROM events ${filter} ORDER BY at_ms, sequence`).all(...args)
      : this.db.prepare(`SELECT * FROM (SELECT * FROM events ${filter} ORDER BY at_ms DESC, sequence DESC LIMIT ?) ORDER BY at_ms, sequence`).all(...args, query.limit)) as Row[];
    return rows.map(fromRow);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private prune(nowMs: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM events WHERE at_ms < ?').run(nowMs - this.retentionMs);
      this.db.prepare('DELETE FROM events WHERE sequence <= (SELECT sequence FROM events ORDER BY sequence DESC LIMIT 1 OFFSET ?)').run(this.maxEvents);
    })();
  }
}

function fromRow(row: Row): LoggedEvent {
  return {
    sequence: row.sequence,
    atMs: row.at_ms,
    kind: row.kind as EventKind,
    subject: row.subject,
    ...(row.node === null ? {} : { node: row.node }),
    ...(row.detail_json === null ? {} : { detail: JSON.parse(row.detail_json) as Record<string, unknown> }),
  };
}
