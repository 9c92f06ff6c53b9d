/**
 * Opening one of the daemon's small SQLite state files (the CIB store, the fence history, the event log) the same
 * way every time: WAL journal and synchronous=FULL for the writer (a row is on disk when its
 * transaction returns), a quick integrity check, the schema brought up to date by migrations, and
 * a file from a newer program refused. A reader (the CLI) never creates or migrates anything and
 * may read while the daemon writes.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { err, ok, type Result } from '../lib/index.js';
import { applySqliteMigrations } from './sqlite-migrations.js';

export interface StateDatabaseError {
  /** unreadable: cannot open (folder, permissions, missing for a reader); corrupt; newer-schema. */
  readonly kind: 'unreadable' | 'corrupt' | 'newer-schema';
  readonly message: string;
}

export interface StateDatabaseOptions {
  /** What the file is, for messages: "the event log". */
  readonly what: string;
  readonly migrations: readonly string[];
  readonly readOnly: boolean;
  /** For a reader whose file is missing: who creates it, or what to pass instead. */
  readonly missingHint: string;
  /** What to do with a corrupt file; default "Move it away: the daemon starts a new one". */
  readonly corruptAdvice?: string;
  /** What to do with a file from a newer program; default "run the newer version, or move the file away". */
  readonly newerSchemaAdvice?: string;
}

export function openStateDatabase(path: string, options: StateDatabaseOptions): Result<Database.Database, StateDatabaseError> {
  const { what } = options;
  if (options.readOnly && !existsSync(path)) return err({ kind: 'unreadable', message: `there is no ${what.replace(/^the /, '')} at ${path} (${options.missingHint})` });
  let db: Database.Database;
  try {
    db = options.readOnly ? new Database(path, { readonly: true, fileMustExist: true }) : new Database(path);
  } catch (error) {
    return err({ kind: 'unreadable', message: `cannot open ${what} ${path}: ${describe(error)} (${options.readOnly ? 'check its permissions' : 'the folder must exist and be writable by the daemon'})` });
  }
  const prepared = prepare(db, path, options);
  if (!prepared.ok) db.close();
  return prepared;
}

function prepare(db: Database.Database, path: string, options: StateDatabaseOptions): Result<Database.Database, StateDatabaseError> {
  const { what } = options;
  const corrupt = (reason: string): Result<never, StateDatabaseError> => err({ kind: 'corrupt', message: `${path} is not a usable ${what.replace(/^the /, '')}: ${reason}. ${options.corruptAdvice ?? 'Move it away: the daemon starts a new one'}` });
  let found: number;
  try {
    if (!options.readOnly) {
      // The first read of the file: a file that is not a database fails here.
      const mode: unknown = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') return corrupt(`the journal mode could not be set to WAL (it is ${String(mode)})`);
      db.pragma('synchronous = FULL');
    }
    db.pragma('busy_timeout = 5000');
    const check: unknown = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') return corrupt(`the integrity check failed (${String(check)})`);
    found = db.pragma('user_version', { simple: true }) as number;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return corrupt(`the file is not an SQLite database or is damaged (${describe(error)})`);
    return err({ kind: 'unreadable', message: `cannot read ${what} ${path}: ${describe(error)} (check its permissions and the disk)` });
  }
  const version = options.migrations.length;
  if (found > version) return err({ kind: 'newer-schema', message: `${path} was written by a newer Heartline (schema ${found}; this one reads up to ${version}): ${options.newerSchemaAdvice ?? 'run the newer version, or move the file away'}` });
  if (options.readOnly) {
    if (found !== version) return corrupt(found === 0 ? `it holds no ${what.replace(/^the /, '')}` : `its schema is version ${found}: let the daemon open it once to bring it up to date`);
    return ok(db);
  }
  const migrated = applySqliteMigrations(db, options.migrations);
  if (!migrated.ok) return corrupt(migrated.error);
  return ok(db);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
