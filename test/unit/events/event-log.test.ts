// EventLog on a real SQLite file in a temporary folder: records and queries, retention by age and
// by count, a reader beside the writer, refused files; and serviceTimeline, which turns the log
// into the availability report's timeline (a stopped daemon saw nothing: that time is excluded).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog, serviceTimeline, type ClusterEvent } from '../../../src/events/index.js';
import { availabilityReport } from '../../../src/ha/availability/index.js';

const H = 3_600_000;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'heartline-events-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (options = {}): EventLog => {
  const opened = EventLog.open(join(dir, 'events.sqlite'), 10 * H, options);
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.value;
};

describe('EventLog', () => {
  it('keeps what it is given and lists it oldest first, filtered by time, kind and subject', () => {
    const log = open();
    const events: ClusterEvent[] = [
      { atMs: 3 * H, kind: 'resource-up', subject: 'db', node: 'a' },
      { atMs: 1 * H, kind: 'node-down', subject: 'b', detail: { reason: 'silent', silentMs: 512 } },
      { atMs: 2 * H, kind: 'fence-ok', subject: 'b', node: 'a', detail: { action: 'reboot' } },
    ];
    for (const e of events) expect(log.record(e).ok).toBe(true);
    expect(log.list().map((e) => e.kind)).toEqual(['node-down', 'fence-ok', 'resource-up']);
    expect(log.list()[0]).toMatchObject({ subject: 'b', detail: { reason: 'silent', silentMs: 512 } });
    expect(log.list({ sinceMs: 2 * H }).map((e) => e.kind)).toEqual(['fence-ok', 'resource-up']);
    expect(log.list({ kinds: ['fence-ok', 'node-down'], subject: 'b' })).toHaveLength(2);
    expect(log.list({ limit: 1 }).map((e) => e.kind)).toEqual(['resource-up']);
    const reader = EventLog.openReadOnly(join(dir, 'events.sqlite'));
    expect(reader.ok && reader.value.list()).toHaveLength(3);
    if (reader.ok) reader.value.close();
    log.close();
  });

  it('retention: events older than the retention go at open, and the newest maxEvents are kept', () => {
    const log = open();
    log.record({ atMs: 1, kind: 'daemon-start', subject: 'a' });
    log.record({ atMs: 9 * H, kind: 'daemon-stop', subject: 'a' });
    log.close();
    const again = EventLog.open(join(dir, 'events.sqlite'), 10 * H, { retentionMs: 2 * H });
    expect(again.ok && again.value.list().map((e) => e.kind)).toEqual(['daemon-stop']);
    if (again.ok) again.value.close();
    const small = EventLog.open(join(dir, 'small.sqlite'), 0, { maxEvents: 150 });
    if (!small.ok) throw new Error(small.error.message);
    for (let i = 0; i < 400; i++) small.value.record({ atMs: i, kind: 'link-up', subject: `b/link${i}` });
    // Pruned every 200 writes: never more than maxEvents + 200 rows, and the newest are there.
    const kept = small.value.list();
    expect(kept.length).toBeLessThanOrEqual(350);
    expect(kept.at(-1)?.subject).toBe('b/link399');
    small.value.close();
  });

  it('refuses a file that is not a database, and a missing file for a reader, saying what to do', () => {
    writeFileSync(join(dir, 'junk.sqlite'), 'not a database at all, just some text that is long enough');
    const junk = EventLog.open(join(dir, 'junk.sqlite'), 0);
    expect(junk.ok).toBe(false);
    if (!junk.ok) {
      expect(junk.error.kind).toBe('corrupt');
      expect(junk.error.message).toContain('Move it away');
    }
    const missing = EventLog.openReadOnly(join(dir, 'none.sqlite'));
    expect(!missing.ok && missing.error.message).toContain('--state-dir');
    expect(!missing.ok && missing.error.message).toContain(`there is no event log at ${join(dir, 'none.sqlite')} (`);
  });
});

describe('serviceTimeline', () => {
  it('a stopped daemon saw nothing: the time until its next start is excluded from the report', () => {
    const events: ClusterEvent[] = [
      { atMs: 0, kind: 'daemon-start', subject: 'a' },
      { atMs: 0, kind: 'resource-up', subject: 'db' },
      { atMs: 10 * H, kind: 'resource-down', subject: 'db' },
      { atMs: 11 * H, kind: 'resource-up', subject: 'db' },
      { atMs: 20 * H, kind: 'daemon-stop', subject: 'a' },
      { atMs: 30 * H, kind: 'daemon-start', subject: 'a' },
      { atMs: 30 * H, kind: 'resource-up', subject: 'db' },
      { atMs: 5 * H, kind: 'node-down', subject: 'b' },
    ];
    const [db] = availabilityReport(serviceTimeline(events), 0, 40 * H);
    expect(db).toMatchObject({ uptimeMs: 29 * H, downtimeMs: 1 * H, excludedMs: 10 * H, outages: 1, mttrMs: 1 * H, mttfMs: 29 * H });
  });
});
