// FenceHistory on a real SQLite file in a temporary folder (removed after each test): rows round
// trip with their attempts, newest first, filtered by target and limited; the row bound drops the
// oldest; a reopened file keeps its rows and a read-only reader sees what the writer wrote
// (WAL); clear errors for a missing file (reader), a file that is not a database, a newer schema
// and a missing folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FENCE_HISTORY_SCHEMA_VERSION, FenceHistory, type FenceHistoryRecord } from '../../../src/fence/index.js';

let folder: string;
let path: string;
const opened: FenceHistory[] = [];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'heartline-fence-history-'));
  path = join(folder, 'fence-history.sqlite');
});

afterEach(() => {
  for (const history of opened.splice(0)) history.close();
  rmSync(folder, { recursive: true, force: true });
});

function open(rowLimit?: number): FenceHistory {
  const result = FenceHistory.open(path, rowLimit === undefined ? {} : { rowLimit });
  if (!result.ok) expect.fail(`open failed: ${result.error.kind}: ${result.error.message}`);
  opened.push(result.value);
  return result.value;
}

const T0 = 1_800_000_000_000;

function success(target: string, at: number): FenceHistoryRecord {
  return {
    target,
    action: 'off',
    devices: ['bmc-a'],
    level: 1,
    reason: 'peer lost',
    requester: 'b',
    startedAtMs: at,
    endedAtMs: at + 850,
    ok: true,
    poweredOff: true,
    attempts: [{ level: 1, device: 'bmc-a', action: 'off', ok: true }],
  };
}

const FAILURE: FenceHistoryRecord = {
  target: 'a',
  action: 'reboot',
  devices: ['bmc-a', 'pdu'],
  reason: 'stop failed\n  for db',
  requester: 'root@b',
  startedAtMs: T0 + 10_000,
  endedAtMs: T0 + 31_000,
  ok: false,
  failureReason: 'every fence level for a failed: level 1 bmc-a reboot: no answer; level 2 pdu:1 reboot: no answer',
  poweredOff: false,
  attempts: [
    { level: 1, device: 'bmc-a', action: 'off', ok: false, code: 'unreachable', reason: 'no answer' },
    { level: 2, device: 'pdu', port: '1', action: 'off', ok: false, code: 'unreachable', reason: 'no answer' },
  ],
};

describe('FenceHistory', () => {
  it('records rows and lists them newest first, with their attempts, by target and limited', () => {
    const history = open();
    const first = history.record(success('a', T0));
    const second = history.record(FAILURE);
    const third = history.record(success('b', T0 + 40_000));
    expect([first.ok, second.ok, third.ok]).toEqual([true, true, true]);
    const all = history.list();
    expect(all.map((entry) => `${entry.sequence} ${entry.target} ${entry.ok ? 'ok' : 'failed'}`)).toEqual(['3 b ok', '2 a failed', '1 a ok']);
    expect(all[1]).toEqual({ ...FAILURE, sequence: 2, reason: 'stop failed for db' });
    expect(all[2]).toEqual({ ...success('a', T0), sequence: 1 });
    expect(history.list({ target: 'a' }).map((entry) => entry.sequence)).toEqual([2, 1]);
    expect(history.list({ target: 'a', limit: 1 }).map((entry) => entry.sequence)).toEqual([2]);
    expect(history.list({ target: 'c' })).toEqual([]);
  });

  it('keeps only the newest rowLimit rows; sequence numbers keep increasing', () => {
    const history = open(3);
    for (let i = 0; i < 5; i++) history.record(success(`n${i}`, T0 + i));
    expect(history.list().map((entry) => `${entry.sequence} ${entry.target}`)).toEqual(['5 n4', '4 n3', '3 n2']);
  });

  it('a reopened file keeps its rows; a read-only reader sees rows the writer adds while both are open', () => {
    const writer = open();
    writer.record(success('a', T0));
    writer.close();
    const again = open();
    expect(again.list()).toHaveLength(1);
    const reader = FenceHistory.openReadOnly(path);
    if (!reader.ok) expect.fail(reader.error.message);
    opened.push(reader.value);
    again.record(FAILURE);
    expect(reader.value.list().map((entry) => entry.sequence)).toEqual([2, 1]);
  });

  it('a read-only reader of a cleanly closed file (no WAL files left) reads it', () => {
    const writer = open();
    writer.record(success('a', T0));
    writer.close();
    const reader = FenceHistory.openReadOnly(path);
    if (!reader.ok) expect.fail(reader.error.message);
    opened.push(reader.value);
    expect(reader.value.list()).toHaveLength(1);
  });

  it('refuses a missing file for reading, naming it and --history', () => {
    const reader = FenceHistory.openReadOnly(join(folder, 'none.sqlite'));
    expect(reader.ok).toBe(false);
    if (!reader.ok) {
      expect(reader.error.kind).toBe('unreadable');
      expect(reader.error.message).toContain(`there is no fence history at ${join(folder, 'none.sqlite')}`);
      expect(reader.error.message).toContain('--history');
    }
  });

  it('refuses a file that is not a database, a newer schema, another program\'s database and a missing folder', () => {
    writeFileSync(path, 'this is not sqlite, just text long enough to be read as a header......................................');
    const notDb = FenceHistory.open(path);
    expect(notDb.ok ? 'ok' : notDb.error.kind).toBe('corrupt');
    if (!notDb.ok) expect(notDb.error.message).toContain('Move it away');
    rmSync(path);

    const db = new Database(path);
    db.pragma(`user_version = ${FENCE_HISTORY_SCHEMA_VERSION + 1}`);
    db.close();
    const newer = FenceHistory.open(path);
    expect(newer.ok ? 'ok' : newer.error.kind).toBe('newer-schema');
    expect(FenceHistory.openReadOnly(path).ok).toBe(false);
    rmSync(path);

    const other = new Database(path);
    other.exec('CREATE TABLE fence_history (x INTEGER)');
    other.close();
    const clash = FenceHistory.open(path);
    expect(clash.ok ? 'ok' : clash.error.kind).toBe('corrupt');
    if (!clash.ok) expect(clash.error.message).toContain("another program's database");

    const missingFolder = FenceHistory.open(join(folder, 'no', 'such', 'history.sqlite'));
    expect(missingFolder.ok ? 'ok' : missingFolder.error.kind).toBe('unreadable');
    if (!missingFolder.ok) expect(missingFolder.error.message).toContain('the folder must exist');
  });
});
