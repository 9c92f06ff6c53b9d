// The availability report over simulated timelines whose outages are known, so every figure has an
// exact expected value: uptime, downtime, outages, MTTR, MTTF, availability, nines and downtime
// per year; and the tracker that turns status snapshots into the state changes the report reads.
import { describe, expect, it } from 'vitest';
import { availabilityReport, ServiceStateTracker, serviceStates, type ServiceStateChange } from '../../../../src/ha/availability/index.js';

const H = 3_600_000;
const at = (hours: number, resource: string, state: ServiceStateChange['state']): ServiceStateChange => ({ atMs: hours * H, resource, state });

describe('availabilityReport', () => {
  it('a known timeline: 3 outages of 1, 2 and 3 hours in 100 hours', () => {
    const changes = [at(0, 'db', 'up'), at(10, 'db', 'down'), at(11, 'db', 'up'), at(40, 'db', 'down'), at(42, 'db', 'up'), at(70, 'db', 'down'), at(73, 'db', 'up')];
    const [db] = availabilityReport(changes, 0, 100 * H);
    expect(db).toMatchObject({ resource: 'db', uptimeMs: 94 * H, downtimeMs: 6 * H, excludedMs: 0, outages: 3, downNow: false, mttrMs: 2 * H, mttfMs: (94 / 3) * H });
    expect(db?.availability).toBeCloseTo(0.94, 12);
    // MTTF / (MTTF + MTTR) is the same figure.
    expect(db?.availability).toBeCloseTo((94 / 3) / (94 / 3 + 2), 12);
    expect(db?.nines).toBe(1.22);
    expect(db?.downtimePerYearMs).toBeCloseTo(0.06 * 365.25 * 24 * H, 3);
  });

  it('three nines: 8.77 hours of downtime a year', () => {
    const changes = [at(0, 'web', 'up'), at(500, 'web', 'down'), at(501, 'web', 'up')];
    const [web] = availabilityReport(changes, 0, 1000 * H);
    expect(web?.availability).toBeCloseTo(0.999, 12);
    expect(web?.nines).toBe(3);
    expect((web?.downtimePerYearMs ?? 0) / H).toBeCloseTo(8.766, 3);
  });

  it('planned downtime (excluded) counts for neither side, and an outage still going counts up to the end', () => {
    const changes = [at(0, 'ip', 'up'), at(10, 'ip', 'excluded'), at(20, 'ip', 'up'), at(30, 'ip', 'down')];
    const [ip] = availabilityReport(changes, 0, 40 * H);
    expect(ip).toMatchObject({ uptimeMs: 20 * H, downtimeMs: 10 * H, excludedMs: 10 * H, outages: 1, downNow: true, mttrMs: 10 * H, mttfMs: 20 * H });
    expect(ip?.availability).toBeCloseTo(2 / 3, 12);
  });

  it('the window: the state at its start comes from earlier changes; later changes are ignored', () => {
    const changes = [at(0, 'db', 'up'), at(5, 'db', 'down'), at(15, 'db', 'up'), at(50, 'db', 'down')];
    const [db] = availabilityReport(changes, 10 * H, 30 * H);
    // Down from 10 to 15 (the outage that began at 5, counted once), up from 15 to 30.
    expect(db).toMatchObject({ fromMs: 10 * H, toMs: 30 * H, uptimeMs: 15 * H, downtimeMs: 5 * H, outages: 1, downNow: false });
  });

  it('no outage: availability 1, no MTTR or MTTF, no nines; never due: no availability at all', () => {
    const report = availabilityReport([at(0, 'a', 'up'), at(0, 'b', 'excluded')], 0, 10 * H, ['a', 'b', 'c']);
    expect(report.map((r) => r.resource)).toEqual(['a', 'b', 'c']);
    expect(report[0]).toMatchObject({ availability: 1, outages: 0, mttrMs: null, mttfMs: null, nines: null, downtimePerYearMs: 0 });
    expect(report[1]).toMatchObject({ availability: null, excludedMs: 10 * H, downtimePerYearMs: null });
    // Before its first record a resource is excluded: nothing is claimed about it.
    expect(report[2]).toMatchObject({ availability: null, excludedMs: 10 * H });
  });

  it('changes in any order give the same report; down after down is one outage', () => {
    const changes = [at(0, 'x', 'up'), at(2, 'x', 'down'), at(3, 'x', 'down'), at(4, 'x', 'up')];
    const forward = availabilityReport(changes, 0, 10 * H);
    expect(availabilityReport([...changes].reverse(), 0, 10 * H)).toEqual(forward);
    expect(forward[0]).toMatchObject({ outages: 1, downtimeMs: 2 * H });
  });
});

describe('serviceStates and ServiceStateTracker', () => {
  const members = new Set(['a', 'b']);
  it('up on a member, down when failed or on a node out of the view, excluded when disabled or unmanaged', () => {
    const states = serviceStates(
      [
        { id: 'up', targetRole: null, managed: true, active: [{ node: 'a', failed: false }] },
        { id: 'failed', targetRole: null, managed: true, active: [{ node: 'a', failed: true }] },
        { id: 'lost', targetRole: null, managed: true, active: [{ node: 'c', failed: false }] },
        { id: 'stopped', targetRole: null, managed: true, active: [] },
        { id: 'disabled', targetRole: 'Stopped', managed: true, active: [] },
        { id: 'unmanaged', targetRole: null, managed: false, active: [{ node: 'a', failed: false }] },
        { id: 'clone:0', targetRole: null, managed: true, active: [] },
        { id: 'clone:1', targetRole: null, managed: true, active: [{ node: 'b', failed: false }] },
      ],
      members,
    );
    expect(Object.fromEntries(states)).toEqual({ up: 'up', failed: 'down', lost: 'down', stopped: 'down', disabled: 'excluded', unmanaged: 'excluded', clone: 'up' });
  });

  it('reports only changes, stamped with the snapshot time; a deleted resource becomes excluded', () => {
    const tracker = new ServiceStateTracker();
    expect(tracker.observe(1, new Map([['db', 'up']]))).toEqual([{ atMs: 1, resource: 'db', state: 'up' }]);
    expect(tracker.observe(2, new Map([['db', 'up']]))).toEqual([]);
    expect(tracker.observe(3, new Map([['db', 'down']]))).toEqual([{ atMs: 3, resource: 'db', state: 'down' }]);
    expect(tracker.observe(4, new Map())).toEqual([{ atMs: 4, resource: 'db', state: 'excluded' }]);
  });
});
