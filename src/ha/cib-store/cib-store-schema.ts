/**
 * The CIB store's schema and its migrations, versioned by SQLite's `user_version`: 0 is a new
 * (empty) file, and each migration moves the file one version up inside a transaction, so that a
 * crash during a migration leaves the previous version. A file whose version is higher than
 * CIB_STORE_SCHEMA_VERSION was written by a newer program and is refused, never downgraded.
 */

/** CIB_STORE_MIGRATIONS[n] moves a file from version n to n + 1. */
export const CIB_STORE_MIGRATIONS: readonly string[] = [
  `
  -- The current CIB: one row, Pacemaker XML with the version and digest beside it, so that a
  -- reader can check the XML and tools can see the version without parsing.
  CREATE TABLE current_cib (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    admin_epoch INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    num_updates INTEGER NOT NULL,
    digest TEXT NOT NULL,
    cib_xml TEXT NOT NULL,
    written_at_ms INTEGER NOT NULL
  ) STRICT;
  -- Configuration versions, newest last; bounded by the store's history limit.
  CREATE TABLE configuration_history (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    admin_epoch INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    digest TEXT NOT NULL,
    configuration_xml TEXT NOT NULL,
    origin TEXT NOT NULL,
    user TEXT NOT NULL,
    client TEXT,
    changed_at_ms INTEGER NOT NULL,
    description TEXT NOT NULL
  ) STRICT;
  CREATE INDEX configuration_history_by_version ON configuration_history (admin_epoch, epoch);
  `,
];

/** The schema version this program writes and reads. */
export const CIB_STORE_SCHEMA_VERSION = CIB_STORE_MIGRATIONS.length;
