// The mapping from the daemon's reports, the fence history and the availability report to
// HEARTLINE-MIB's values (src/snmp/mib-values.ts): every table's rows and index order, the enums,
// the units, and what the agent serves while the daemon does not answer.
import { describe, expect, it } from 'vitest';
import { dateAndTime, mibSnapshot, type AvailabilityFigures, type MibInputs } from '../../../src/snmp/mib-values.js';
import { fence, layout, reports } from './fixtures.js';

const noAvailability: AvailabilityFigures = { fromMs: Date.UTC(2026, 0, 1), toMs: Date.UTC(2026, 0, 2), resources: [] };
const inputs = (over: Partial<MibInputs> = {}): MibInputs => ({ layout, daemon: reports(), fences: [], availability: noAvailability, ...over });

describe('mibSnapshot', () => {
  it('fills the cluster scalars from status and members', () => {
    const s = mibSnapshot(inputs({ daemon: reports({ cib: '1.12.4', viewId: '5.1.3' }) })).scalars;
    expect(s).toMatchObject({
      hlClusterName: 'shop',
      hlClusterId: 7,
      hlClusterLocalNodeName: 'alpha',
      hlClusterDcName: 'alpha',
      hlClusterQuorate: 1,
      hlClusterViewSequence: 5,
      hlClusterViewId: '5.1.3',
      hlClusterCibVersion: '1.12.4',
      hlClusterCibEpoch: 12,
      hlClusterNodesConfigured: 2,
      hlClusterNodesOnline: 2,
      hlClusterDaemonReachable: 1,
    });
  });

  it('orders node rows by id, with the state enum, the DC flag and the incarnation', () => {
    const rows = mibSnapshot(inputs({ daemon: reports({ dc: 'beta', nodes: { alpha: 'standby', beta: 'unclean' } }) })).tables.hlNodeTable;
    expect(rows).toEqual([
      { index: [1], values: [1, 'alpha', 2, 2, 3] },
      { index: [2], values: [2, 'beta', 7, 1, 9] },
    ]);
  });

  it('maps links per peer and link position, loss in ppm, RTT in µs, never heard as the maximum', () => {
    const daemon = reports({
      links: [
        { peer: 2, peerName: 'beta', link: 'serial0', state: 'down', lastHeardAgoMs: null, lossPercent: 100, rttMs: null },
        { peer: 2, peerName: 'beta', link: 'lan', state: 'up', lastHeardAgoMs: 120.4, lossPercent: 1.5625, rttMs: 0.25 },
      ],
    });
    expect(mibSnapshot(inputs({ daemon })).tables.hlLinkTable).toEqual([
      { index: [2, 1], values: [2, 1, 'lan', 'beta', 1, 1, 15625, 250, 120] },
      { index: [2, 2], values: [2, 2, 'serial0', 'beta', 4, 2, 1_000_000, 0, 4294967295] },
    ]);
  });

  it('maps resources: roles, nodes, fail counts summed (INFINITY = 1000000), managed, ordered as SNMP orders string indexes', () => {
    const daemon = reports({
      resources: [
        { id: 'web', agent: 'ocf:heartbeat:IPaddr2', state: 'started', active: [{ node: 'alpha', role: 'Started', failed: false }] },
        { id: 'db', agent: 'systemd:postgresql', state: 'failed', active: [{ node: 'beta', role: 'Started', failed: true }], managed: false },
        { id: 'ms:0', agent: 'ocf:pacemaker:Stateful', state: 'started', active: [{ node: 'alpha', role: 'Promoted', failed: false }] },
        { id: 'both', state: 'multiply-active', active: [{ node: 'alpha', role: 'Started', failed: false }, { node: 'beta', role: 'Started', failed: false }] },
        { id: 'idle', state: 'stopped', active: [] },
      ],
      failCounts: [
        { node: 'beta', resource: 'db', operation: 'monitor_10000', count: '2' },
        { node: 'alpha', resource: 'db', operation: 'start_0', count: '1' },
        { node: 'alpha', resource: 'web', operation: 'start_0', count: 'INFINITY' },
      ],
    });
    const rows = mibSnapshot(inputs({ daemon })).tables.hlResourceTable;
    // String indexes sort by length first: db, web, both, idle, ms:0.
    expect(rows.map((r) => r.index[0])).toEqual(['db', 'web', 'both', 'idle', 'ms:0']);
    expect(rows.map((r) => r.values)).toEqual([
      ['db', 'systemd:postgresql', 5, 'beta', 3, 2],
      ['web', 'ocf:heartbeat:IPaddr2', 2, 'alpha', 1_000_000, 1],
      ['both', '', 6, 'alpha beta', 0, 1],
      ['idle', '', 1, '', 0, 1],
      ['ms:0', 'ocf:pacemaker:Stateful', 4, 'alpha', 0, 1],
    ]);
  });

  it('maps the fence history: result, devices, DateAndTime of the end, duration, reason with the failure', () => {
    const fences = [
      fence(4, { ok: false, devices: ['bmc-beta', 'pdu'], failureReason: 'bmc-beta: timeout; pdu: refused', action: 'reboot' }),
      fence(3),
      fence(5, { devices: [], note: 'confirmed by root@alpha, not by a fence device', requester: 'root@alpha' }),
    ];
    const rows = mibSnapshot(inputs({ fences })).tables.hlFenceTable;
    expect(rows.map((r) => r.index)).toEqual([[3], [4], [5]]);
    expect(rows[0]?.values).toEqual([3, 'beta', 'bmc-beta', 1, 1, dateAndTime(Date.UTC(2026, 10, 28, 12, 0, 2, 500)), 2500, 'alpha', 'beta was lost']);
    expect(rows[1]?.values.slice(2, 5)).toEqual(['bmc-beta pdu', 3, 2]);
    expect(rows[1]?.values[8]).toBe('beta was lost; failed: bmc-beta: timeout; pdu: refused');
    expect(rows[2]?.values.slice(2, 5)).toEqual(['operator', 1, 3]);
  });

  it('encodes DateAndTime as 11 octets in UTC', () => {
    expect([...dateAndTime(Date.UTC(2026, 10, 28, 18, 7, 53, 480))]).toEqual([0x07, 0xea, 11, 28, 18, 7, 53, 4, 0x2b, 0, 0]);
  });

  it('maps availability: window, lowest ppm, outages, and per resource downtime s, MTTR ms, MTTF s, ppm, text', () => {
    const fromMs = Date.UTC(2026, 0, 1);
    const toMs = fromMs + 10_000_000;
    const availability: AvailabilityFigures = {
      fromMs,
      toMs,
      resources: [
        { resource: 'web', fromMs, toMs, uptimeMs: 9_999_000, downtimeMs: 1000, excludedMs: 0, outages: 2, downNow: false, mttrMs: 500, mttfMs: 4_999_500, availability: 0.9999, nines: 4, downtimePerYearMs: 3_155_760 },
        { resource: 'db', fromMs, toMs, uptimeMs: 10_000_000, downtimeMs: 0, excludedMs: 0, outages: 0, downNow: false, mttrMs: null, mttfMs: null, availability: 1, nines: null, downtimePerYearMs: 0 },
        { resource: 'old', fromMs, toMs, uptimeMs: 0, downtimeMs: 0, excludedMs: 10_000_000, outages: 0, downNow: false, mttrMs: null, mttfMs: null, availability: null, nines: null, downtimePerYearMs: null },
      ],
    };
    const snapshot = mibSnapshot(inputs({ availability }));
    expect(snapshot.scalars).toMatchObject({ hlAvailabilityWindowSeconds: 10_000, hlAvailabilityLowestPpm: 999_900, hlAvailabilityOutages: 2 });
    expect(snapshot.scalars['hlAvailabilityWindowStart']).toEqual(dateAndTime(fromMs));
    expect(snapshot.tables.hlAvailabilityTable.map((r) => r.values)).toEqual([
      ['db', 0, 0, 0, 10_000, 1_000_000, '100.000 % (no downtime)'],
      ['old', 0, 0, 0, 0, 0, 'n/a (never due in the period)'],
      ['web', 1, 2, 500, 5000, 999_900, '99.990 % (4.0 nines, 52.6 min downtime per year)'],
    ]);
  });

  it('keeps answering while the daemon is unreachable: names from heartline.yaml, offline, unknown links and roles', () => {
    const last = reports({ resources: [{ id: 'web', agent: 'ocf:heartbeat:IPaddr2', state: 'started', active: [{ node: 'alpha', role: 'Started', failed: false }] }] });
    const snapshot = mibSnapshot(inputs({ daemon: undefined, lastDaemon: last }));
    expect(snapshot.scalars).toMatchObject({ hlClusterName: 'shop', hlClusterDcName: '', hlClusterQuorate: 2, hlClusterViewSequence: 0, hlClusterNodesOnline: 0, hlClusterDaemonReachable: 2, hlClusterCibVersion: '0.12.4' });
    expect(snapshot.tables.hlNodeTable.map((r) => r.values[2])).toEqual([6, 6]);
    expect(snapshot.tables.hlLinkTable.map((r) => r.values.slice(5))).toEqual([[3, 0, 0, 4294967295]]);
    expect(snapshot.tables.hlResourceTable.map((r) => r.values)).toEqual([['web', 'ocf:heartbeat:IPaddr2', 7, '', 0, 1]]);
    // Never reached at all: one link row per peer and configured link.
    const never = mibSnapshot(inputs({ daemon: undefined }));
    expect(never.tables.hlLinkTable.map((r) => r.index)).toEqual([
      [2, 1],
      [2, 2],
    ]);
    expect(never.scalars['hlClusterCibVersion']).toBe('0.0.0');
    expect(never.tables.hlResourceTable).toEqual([]);
  });

  it('cuts text to the MIB sizes and keeps it ASCII', () => {
    const daemon = reports({ resources: [{ id: 'web', agent: `ocf:x:${'é'.repeat(200)}`, state: 'stopped', active: [] }] });
    const agent = mibSnapshot(inputs({ daemon })).tables.hlResourceTable[0]?.values[1] as string;
    expect(agent.length).toBe(128);
    expect(agent).toMatch(/^ocf:x:\?+\.\.\.$/);
  });
});
