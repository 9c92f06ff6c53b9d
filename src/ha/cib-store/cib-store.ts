/**
 * CibStore: a node's CIB on disk, in one SQLite file (better-sqlite3 12; WAL journal,
 * synchronous=FULL, so a committed write survives a power loss). It holds the current CIB as
 * Pacemaker XML with its version and digest, and a bounded history of configuration versions
 * (the configuration as XML, who changed it, when, and a one-line description), from which
 * `heartline config history` reads and `heartline config rollback` takes its source.
 *
 * Contract:
 * - `open` checks the file (not a database, failed integrity check, a schema newer than this
 *   program, a current CIB that does not import or whose digest does not match) and refuses it
 *   with an error that says what to do; it creates the schema in a new file. One process opens a
 *   store at a time (the daemon); the store is synchronous and not shared between threads.
 * - `save` writes the current CIB and, when the configuration version (admin_epoch, epoch)
 *   moved, a history row, in one transaction: after a crash the file holds the CIB before or after
 *   the save, never a mix. A status update (only num_updates moved) replaces the current row and
 *   writes no history. The caller persists BEFORE it sends the CIB to peers or acts on it.
 * - The store does not judge versions: the replication core decides which CIB wins; the store
 *   keeps what it is given.
 * - History keeps the `historyLimit` newest configuration versions; older ones are deleted in
 *   the transaction that adds a version.
 * - Snapshots returned are deeply frozen (they come from the importer).
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { assert, err, ok, type Result } from '../../lib/index.js';
import {
  canonicalCibText,
  canonicalJson,
  exportCibXml,
  formatCibImportError,
  formatCibVersion,
  importCibXml,
  type Cib,
  type Configuration,
} from '../cib/index.js';
import { CIB_STORE_MIGRATIONS } from './cib-store-schema.js';
import { openStateDatabase } from '../../platform/state-database.js';

/** Why the store could not do what was asked. `message` names the file and what to do. */
export interface CibStoreError {
  /**
   * unreadable: the file cannot be opened (missing folder, permissions); corrupt: it is not a
   * CIB store, or its content fails a check; newer-schema: written by a newer Heartline;
   * write-failed: a save did not commit (disk full, read-only file): the CIB on disk is the one
   * before the save; not-found: no such configuration version in the history.
   */
  readonly kind: 'unreadable' | 'corrupt' | 'newer-schema' | 'write-failed' | 'not-found';
  readonly message: string;
}

/** Options of CibStore.open. */
export interface CibStoreOptions {
  /** How many configuration versions the history keeps (the newest ones); at least 1. Default 200. */
  readonly historyLimit?: number;
}

export const DEFAULT_HISTORY_LIMIT = 200;

/** Who wrote a CIB, when and why: the history's record of a configuration change. */
export interface CibWriteRecord {
  /** One line saying what changed (`resource create db`, `rollback to 0.12`, `sync from node2`). */
  readonly description: string;
  /** Wall-clock milliseconds since the Unix epoch (the injected Clock's wallNow()). */
  readonly atMs: number;
  /** The node the change came from. */
  readonly origin: string;
  readonly user: string;
  readonly client?: string;
}

/** A configuration version: the part of the CIB version that configuration changes move. */
export interface ConfigurationVersion {
  readonly adminEpoch: number;
  readonly epoch: number;
}

/** One history row (without the configuration itself; see configurationAt). */
export interface CibHistoryEntry {
  /** Increases with every row ever written, including deleted ones. */
  readonly sequence: number;
  readonly version: ConfigurationVersion;
  /** configurationDigest of the configuration. */
  readonly digest: string;
  readonly origin: string;
  readonly user: string;
  readonly client?: string;
  readonly atMs: number;
  readonly description: string;
}

/** What a save did. */
export interface CibSaveOutcome {
  /** False when the store already held this exact CIB (same digest): nothing was written. */
  readonly written: boolean;
  /** True when the configuration version moved and a history row was added. */
  readonly historyRecorded: boolean;
}

interface CurrentRow {
  admin_epoch: number;
  epoch: number;
  num_updates: number;
  digest: string;
  cib_xml: string;
}

interface HistoryRow {
  sequence: number;
  admin_epoch: number;
  epoch: number;
  digest: string;
  origin: string;
  user: string;
  client: string | null;
  changed_at_ms: number;
  description: string;
}

/**
 * cibDigest and configurationDigest, computed with node:crypto: the same SHA-256 over the same
 * canonical text (the tests check they are equal), about five times faster than the pure-core
 * implementation, which matters because every status update is saved.
 */
function fastCibDigest(cib: Cib): string {
  return createHash('sha256').update(canonicalCibText(cib)).digest('hex');
}

function fastConfigurationDigest(configuration: Configuration): string {
  return createHash('sha256').update(canonicalJson(configuration)).digest('hex');
}

/** The SQLite error code of a better-sqlite3 error (SQLITE_NOTADB, SQLITE_CANTOPEN, ...), if any. */
/** A store that cannot be used is moved away; the node then takes the CIB from the cluster. */
const CORRUPT_ADVICE =
  "Move it away and restart: the node then starts with an empty CIB and takes the cluster's when it joins (a lone node needs a configuration import or a backup)";

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class CibStore {
  private current: { readonly cib: Cib; readonly digest: string } | undefined;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly historyLimit: number,
  ) {}

  /**
   * Opens (or creates) the store at `path`, checks it and migrates its schema. The folder must
   * exist. Errors: unreadable, corrupt, newer-schema (see CibStoreError).
   */
  static open(path: string, options: CibStoreOptions = {}): Result<CibStore, CibStoreError> {
    const historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    assert(Number.isSafeInteger(historyLimit) && historyLimit >= 1, `CibStore: historyLimit must be a positive integer, not ${historyLimit}`);
    const opened = openStateDatabase(path, {
      what: 'the CIB store',
      migrations: CIB_STORE_MIGRATIONS,
      readOnly: false,
      missingHint: '',
      corruptAdvice: CORRUPT_ADVICE,
      newerSchemaAdvice: "run the newer version, or move the file away to start from the cluster's CIB",
    });
    if (!opened.ok) return opened;
    const db = opened.value;
    const store = new CibStore(db, path, historyLimit);
    const loaded = store.readCurrent();
    if (!loaded.ok) {
      db.close();
      return err({ kind: 'corrupt', message: `${path} is not a usable CIB store: ${loaded.error}. ${CORRUPT_ADVICE}` });
    }
    store.current = loaded.value;
    return ok(store);
  }

  private readCurrent(): Result<{ cib: Cib; digest: string } | undefined, string> {
    const row = this.db.prepare('SELECT admin_epoch, epoch, num_updates, digest, cib_xml FROM current_cib WHERE id = 1').get() as CurrentRow | undefined;
    if (row === undefined) return ok(undefined);
    const imported = importCibXml(row.cib_xml);
    if (!imported.ok) return err(`the stored CIB does not import (${formatCibImportError(imported.error)})`);
    const cib = imported.value.cib;
    const digest = fastCibDigest(cib);
    if (digest !== row.digest) return err(`the stored CIB ${formatCibVersion(cib.version)} does not match its digest`);
    const v = cib.version;
    if (v.adminEpoch !== row.admin_epoch || v.epoch !== row.epoch || v.numUpdates !== row.num_updates) {
      return err(`the stored CIB says version ${formatCibVersion(v)} but its row says ${row.admin_epoch}.${row.epoch}.${row.num_updates}`);
    }
    return ok({ cib, digest });
  }

  /** The current CIB (as last saved), or undefined for a new store. */
  load(): Cib | undefined {
    this.assertOpen();
    return this.current?.cib;
  }

  /**
   * Makes `cib` the current CIB, with a history row when its configuration version differs from
   * the current one (or there is none). See the file header for atomicity and ordering.
   */
  save(cib: Cib, record: CibWriteRecord): Result<CibSaveOutcome, CibStoreError> {
    this.assertOpen();
    const digest = fastCibDigest(cib);
    const previous = this.current;
    if (previous?.digest === digest) return ok({ written: false, historyRecorded: false });
    const v = cib.version;
    const configurationMoved = previous === undefined || previous.cib.version.adminEpoch !== v.adminEpoch || previous.cib.version.epoch !== v.epoch;
    const cibXml = exportCibXml(cib);
    const write = this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO current_cib (id, admin_epoch, epoch, num_updates, digest, cib_xml, written_at_ms) VALUES (1, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET admin_epoch = excluded.admin_epoch, epoch = excluded.epoch, num_updates = excluded.num_updates,
             digest = excluded.digest, cib_xml = excluded.cib_xml, written_at_ms = excluded.written_at_ms`,
        )
        .run(v.adminEpoch, v.epoch, v.numUpdates, digest, cibXml, record.atMs);
      if (!configurationMoved) return;
      this.db
        .prepare(
          `INSERT INTO configuration_history (admin_epoch, epoch, digest, configuration_xml, origin, user, client, changed_at_ms, description)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(v.adminEpoch, v.epoch, fastConfigurationDigest(cib.configuration), configurationXml(cib), record.origin, record.user, record.client ?? null, record.atMs, oneLine(record.description));
      this.db.prepare('DELETE FROM configuration_history WHERE sequence <= (SELECT MAX(sequence) FROM configuration_history) - ?').run(this.historyLimit);
    });
    try {
      write.immediate();
    } catch (error) {
      return err({
        kind: 'write-failed',
        message: `cannot write the CIB ${formatCibVersion(v)} to ${this.path}: ${describe(error)} (the store still holds ${previous === undefined ? 'no CIB' : formatCibVersion(previous.cib.version)}; check free space and permissions)`,
      });
    }
    this.current = { cib, digest };
    return ok({ written: true, historyRecorded: configurationMoved });
  }

  /** The newest history rows first, at most `limit` (default: all that are kept). */
  history(options: { readonly limit?: number } = {}): readonly CibHistoryEntry[] {
    this.assertOpen();
    const rows = this.db
      .prepare(
        `SELECT sequence, admin_epoch, epoch, digest, origin, user, client, changed_at_ms, description
         FROM configuration_history ORDER BY sequence DESC LIMIT ?`,
      )
      .all(options.limit ?? -1) as HistoryRow[];
    return rows.map((row) => ({
      sequence: row.sequence,
      version: { adminEpoch: row.admin_epoch, epoch: row.epoch },
      digest: row.digest,
      origin: row.origin,
      user: row.user,
      ...(row.client === null ? {} : { client: row.client }),
      atMs: row.changed_at_ms,
      description: row.description,
    }));
  }

  /**
   * The configuration as it was at `version` (the newest row of that version, if a split cluster
   * wrote two), for a rollback: apply it with a replace-configuration change, which gives it a new,
   * higher epoch. Errors: not-found (with the versions kept), corrupt (the row fails its digest).
   */
  configurationAt(version: ConfigurationVersion): Result<Configuration, CibStoreError> {
    this.assertOpen();
    const row = this.db
      .prepare('SELECT configuration_xml, digest FROM configuration_history WHERE admin_epoch = ? AND epoch = ? ORDER BY sequence DESC LIMIT 1')
      .get(version.adminEpoch, version.epoch) as { configuration_xml: string; digest: string } | undefined;
    const wanted = `${version.adminEpoch}.${version.epoch}`;
    if (row === undefined) {
      const range = this.db.prepare('SELECT COUNT(*) AS n, MIN(sequence) AS first, MAX(sequence) AS last FROM configuration_history').get() as { n: number; first: number | null; last: number | null };
      const oldest = this.db.prepare('SELECT admin_epoch, epoch FROM configuration_history WHERE sequence = ?').get(range.first) as { admin_epoch: number; epoch: number } | undefined;
      const newest = this.db.prepare('SELECT admin_epoch, epoch FROM configuration_history WHERE sequence = ?').get(range.last) as { admin_epoch: number; epoch: number } | undefined;
      const kept = oldest === undefined || newest === undefined ? 'the history is empty' : `the history keeps ${range.n} versions, from ${oldest.admin_epoch}.${oldest.epoch} to ${newest.admin_epoch}.${newest.epoch}`;
      return err({ kind: 'not-found', message: `there is no configuration version ${wanted} (${kept}); see 'heartline config history'` });
    }
    const imported = importCibXml(row.configuration_xml);
    if (!imported.ok) return err({ kind: 'corrupt', message: `configuration version ${wanted} in ${this.path} does not import: ${formatCibImportError(imported.error)}` });
    const configuration = imported.value.cib.configuration;
    if (fastConfigurationDigest(configuration) !== row.digest) return err({ kind: 'corrupt', message: `configuration version ${wanted} in ${this.path} does not match its digest` });
    return ok(configuration);
  }

  /** Closes the database (the WAL is checkpointed and its files removed). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    assert(!this.closed, `CibStore ${this.path} used after close`);
  }
}

/** The configuration alone, as a CIB document without status (what the history keeps). */
function configurationXml(cib: Cib): string {
  return exportCibXml({
    version: { adminEpoch: cib.version.adminEpoch, epoch: cib.version.epoch, numUpdates: 0 },
    header: cib.header.validateWith === undefined ? {} : { validateWith: cib.header.validateWith },
    configuration: cib.configuration,
    status: { nodes: [] },
  });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
