/**
 * Schema migrations of Heartline's SQLite files (the CIB store, the fence history), versioned by
 * SQLite's `user_version`: `migrations[n]` moves a file from version n to n + 1 inside one
 * transaction, so that a crash during a migration leaves the previous version. Refusing a file
 * newer than the program is the caller's (it knows what to tell the operator).
 */
import type Database from 'better-sqlite3';
import { err, ok, type Result } from '../lib/index.js';

/** Brings `db` from its user_version up to `migrations.length`; the error says which step failed and why. */
export function applySqliteMigrations(db: Database.Database, migrations: readonly string[]): Result<number, string> {
  const found = db.pragma('user_version', { simple: true }) as number;
  for (let version = found; version < migrations.length; version++) {
    try {
      db.transaction(() => {
        db.exec(migrations[version] ?? '');
        db.pragma(`user_version = ${version + 1}`);
      }).immediate();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return err(`its schema could not be brought from version ${version} to ${version + 1} (${reason}); it may be another program's database`);
    }
  }
  return ok(Math.max(found, migrations.length));
}
