// The CIB store: a node's CIB and its configuration history on disk (SQLite through
// better-sqlite3). An adapter of the shell, not part of the pure core: the CIB replication core
// asks for persistence with an effect, and the driver performs it here.
export { CibStore, DEFAULT_HISTORY_LIMIT } from './cib-store.js';
export type { CibHistoryEntry, CibSaveOutcome, CibStoreError, CibStoreOptions, CibWriteRecord, ConfigurationVersion } from './cib-store.js';
export { CIB_STORE_SCHEMA_VERSION } from './cib-store-schema.js';
