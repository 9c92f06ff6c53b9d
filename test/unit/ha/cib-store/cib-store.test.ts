// CibStore on a real SQLite file in a temporary folder (removed after each test): a save and load
// round trip, recovery of the latest CIB by a reopened store, history rows only for configuration
// changes (not for status updates), retention, the rollback source, and clear errors for a file
// that is not a database, a tampered CIB, a schema from a newer program and a missing folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AssertionError } from '../../../../src/lib/index.js';
import { applyCibChange, cibDigest, configurationDigest, importCibXml, type Cib, type CibChange } from '../../../../src/ha/cib/index.js';
import { CIB_STORE_SCHEMA_VERSION, CibStore, type CibStoreOptions, type CibWriteRecord } from '../../../../src/ha/cib-store/index.js';

const START = ((): Cib => {
  const imported = importCibXml(`<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.0">
    <configuration><crm_config/><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes><resources/><constraints/></configuration>
    <status><node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/></status>
  </cib>`);
  if (!imported.ok) throw new Error(JSON.stringify(imported.error));
  return imported.value.cib;
})();

let folder: string;
let path: string;
const opened: CibStore[] = [];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'heartline-cib-store-'));
  path = join(folder, 'cib.sqlite');
});

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  rmSync(folder, { recursive: true, force: true });
});

function open(options: CibStoreOptions = {}): CibStore {
  const result = CibStore.open(path, options);
  if (!result.ok) expect.fail(`open failed: ${result.error.kind}: ${result.error.message}`);
  opened.push(result.value);
  return result.value;
}

function record(description: string, atMs = 1_800_000_000_000): CibWriteRecord {
  return { description, atMs, origin: 'n1', user: 'root', client: 'test' };
}

function change(cib: Cib, c: CibChange): Cib {
  const result = applyCibChange(cib, c, { now: 1_800_000_000, origin: 'n1', user: 'root' });
  if (!result.ok) expect.fail(`${result.error.field}: ${result.error.message}`);
  return result.value;
}

const addResource = (cib: Cib, id: string): Cib =>
  change(cib, { op: 'put-resource', resource: { kind: 'primitive', id, class: 'ocf', provider: 'heartbeat', type: 'Dummy', instanceAttributes: [], metaAttributes: [] } });

function saveOk(store: CibStore, cib: Cib, description: string, atMs?: number): { written: boolean; historyRecorded: boolean } {
  const result = store.save(cib, record(description, atMs));
  if (!result.ok) expect.fail(result.error.message);
  return result.value;
}

describe('CibStore', () => {
  it('starts empty, then saves and loads a CIB; a reopened store recovers the latest one', () => {
    const store = open();
    expect(store.load()).toBeUndefined();
    expect(store.history()).toEqual([]);
    const first = addResource(START, 'r1');
    const second = change(first, { op: 'set-node-attribute', node: 'n1', name: 'pingd', value: '5', lifetime: 'transient' });
    expect(saveOk(store, first, 'resource create r1')).toEqual({ written: true, historyRecorded: true });
    expect(saveOk(store, second, 'status')).toEqual({ written: true, historyRecorded: false });
    expect(store.load()).toBe(second);
    store.close();

    const reopened = open();
    expect(reopened.load()).toStrictEqual(second);
    expect(Object.isFrozen(reopened.load())).toBe(true);
    expect(reopened.history().map((h) => h.description)).toEqual(['resource create r1']);
  });

  it('uses WAL journaling and synchronous=FULL', () => {
    const store = open();
    // synchronous is a setting of the connection, so it is read from the store's own one.
    expect((store as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true })).toBe(2);
    const other = new Database(path, { readonly: true });
    try {
      expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(other.pragma('user_version', { simple: true })).toBe(CIB_STORE_SCHEMA_VERSION);
    } finally {
      other.close();
    }
  });

  it('writes nothing for the CIB it already holds', () => {
    const store = open();
    saveOk(store, START, 'initial');
    expect(saveOk(store, START, 'again')).toEqual({ written: false, historyRecorded: false });
    expect(store.history()).toHaveLength(1);
  });

  it('records who changed the configuration, when and how, newest first; status updates add no row', () => {
    const store = open();
    let cib = START;
    saveOk(store, cib, 'initial', 1000);
    for (let i = 1; i <= 3; i++) {
      cib = addResource(cib, `r${i}`);
      saveOk(store, cib, `resource create r${i}\n(from the CLI)`, 1000 + i);
      cib = change(cib, { op: 'set-node-state', node: 'n1', state: { crmd: i % 2 === 0 ? 'online' : 'offline' } });
      expect(saveOk(store, cib, 'status').historyRecorded).toBe(false);
    }
    const history = store.history();
    expect(history.map((h) => [h.version, h.description, h.atMs])).toEqual([
      [{ adminEpoch: 0, epoch: 4 }, 'resource create r3 (from the CLI)', 1003],
      [{ adminEpoch: 0, epoch: 3 }, 'resource create r2 (from the CLI)', 1002],
      [{ adminEpoch: 0, epoch: 2 }, 'resource create r1 (from the CLI)', 1001],
      [{ adminEpoch: 0, epoch: 1 }, 'initial', 1000],
    ]);
    expect(history[0]).toMatchObject({ origin: 'n1', user: 'root', client: 'test', digest: configurationDigest(cib.configuration) });
    expect(store.history({ limit: 2 }).map((h) => h.version.epoch)).toEqual([4, 3]);
    expect(store.load()).toBe(cib);
  });

  it('stores the digests the pure core computes (cibDigest, configurationDigest)', () => {
    const store = open();
    const cib = addResource(START, 'r1');
    saveOk(store, cib, 'resource create r1');
    const other = new Database(path, { readonly: true });
    try {
      expect(other.prepare('SELECT digest FROM current_cib').pluck().get()).toBe(cibDigest(cib));
      expect(other.prepare('SELECT digest FROM configuration_history').pluck().get()).toBe(configurationDigest(cib.configuration));
    } finally {
      other.close();
    }
  });

  it('keeps only the newest versions, and says which it keeps when asked for an older one', () => {
    const store = open({ historyLimit: 3 });
    let cib = START;
    saveOk(store, cib, 'initial');
    for (let i = 1; i <= 5; i++) {
      cib = addResource(cib, `r${i}`);
      saveOk(store, cib, `resource create r${i}`);
    }
    expect(store.history().map((h) => h.version.epoch)).toEqual([6, 5, 4]);
    const gone = store.configurationAt({ adminEpoch: 0, epoch: 2 });
    expect(gone).toEqual({ ok: false, error: { kind: 'not-found', message: "there is no configuration version 0.2 (the history keeps 3 versions, from 0.4 to 0.6); see 'heartline config history'" } });
  });

  it('gives the configuration of a version as the source of a rollback', () => {
    const store = open();
    let cib = START;
    saveOk(store, cib, 'initial');
    cib = addResource(cib, 'r1');
    saveOk(store, cib, 'resource create r1');
    const atTwo = cib.configuration;
    cib = change(cib, { op: 'delete-resource', id: 'r1' });
    saveOk(store, cib, 'resource delete r1');

    const source = store.configurationAt({ adminEpoch: 0, epoch: 2 });
    if (!source.ok) expect.fail(source.error.message);
    expect(source.value).toStrictEqual(atTwo);
    const rolledBack = change(cib, { op: 'replace-configuration', configuration: source.value });
    expect(rolledBack.version).toEqual({ adminEpoch: 0, epoch: 4, numUpdates: 0 });
    expect(rolledBack.configuration).toStrictEqual(atTwo);
    expect(saveOk(store, rolledBack, 'rollback to 0.2').historyRecorded).toBe(true);
  });

  it('refuses a file that is not a database, naming it and what to do', () => {
    writeFileSync(path, 'this is not an SQLite database, it is a text file that is long enough to have a header'.repeat(20));
    const result = CibStore.open(path);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('corrupt');
    expect(result.error.message).toContain(path);
    expect(result.error.message).toMatch(/not an SQLite database.*Move it away/);
  });

  it('refuses a store whose CIB was tampered with', () => {
    const store = open();
    saveOk(store, addResource(START, 'r1'), 'resource create r1');
    store.close();
    const other = new Database(path);
    other.prepare("UPDATE current_cib SET cib_xml = replace(cib_xml, 'Dummy', 'Dumber')").run();
    other.close();
    const result = CibStore.open(path);
    expect(result.ok ? 'opened' : result.error).toEqual({ kind: 'corrupt', message: expect.stringMatching(/the stored CIB 0\.2\.0 does not match its digest/) as unknown });
  });

  it('refuses a schema newer than this program', () => {
    const other = new Database(path);
    other.pragma('user_version = 99');
    other.close();
    const result = CibStore.open(path);
    expect(result.ok ? 'opened' : result.error.kind).toBe('newer-schema');
    expect(result.ok ? '' : result.error.message).toMatch(/newer Heartline \(schema 99; this one reads up to 1\)/);
  });

  it("refuses another program's database", () => {
    const other = new Database(path);
    other.exec('CREATE TABLE current_cib (x TEXT)');
    other.close();
    const result = CibStore.open(path);
    expect(result.ok ? 'opened' : result.error.kind).toBe('corrupt');
    expect(result.ok ? '' : result.error.message).toMatch(/another program's database/);
  });

  it('reports a missing folder as unreadable', () => {
    const result = CibStore.open(join(folder, 'missing', 'cib.sqlite'));
    expect(result.ok ? 'opened' : result.error.kind).toBe('unreadable');
    expect(result.ok ? '' : result.error.message).toMatch(/the folder must exist/);
  });

  it('close is idempotent, and use after close is a programming error', () => {
    const store = open();
    store.close();
    store.close();
    expect(() => store.load()).toThrow(AssertionError);
  });
});
