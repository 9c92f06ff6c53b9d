// Which notifications a change calls for (src/snmp/notifications.ts), with the values they carry:
// from the event log (node, link, quorum, failover with its duration), the fence history's new
// rows and the daemon's failed operations; node, failure and failover ones only from the DC;
// nothing for what happened before the agent started, nothing twice.
import { describe, expect, it } from 'vitest';
import type { EventKind, LoggedEvent } from '../../../src/events/event-log.js';
import { mibSnapshot, type DaemonReports } from '../../../src/snmp/mib-values.js';
import { NotificationDeriver, type Notification } from '../../../src/snmp/notifications.js';
import { fence, layout, reports } from './fixtures.js';

const ROOT = '1.3.6.1.3.694';
let sequence = 0;
const event = (atMs: number, kind: EventKind, subject: string, extra: Partial<LoggedEvent> = {}): LoggedEvent => ({ sequence: ++sequence, atMs, kind, subject, ...extra });
const availability = { fromMs: 0, toMs: 1, resources: [] };

function observe(deriver: NotificationDeriver, events: LoggedEvent[], daemon: DaemonReports | undefined = reports(), fences = [fence(1)]): Notification[] {
  const snapshot = mibSnapshot({ layout, daemon, fences, availability });
  return deriver.observe({ events, fences, daemon, snapshot });
}

const values = (n: Notification | undefined): Record<string, unknown> => Object.fromEntries((n?.varbinds ?? []).map((v) => [v.oid.slice(ROOT.length + 1), v.value]));

describe('NotificationDeriver', () => {
  it('says nothing about what the log held before the agent started', () => {
    const deriver = new NotificationDeriver(ROOT, layout);
    deriver.seed([event(1, 'node-down', 'beta'), event(2, 'resource-down', 'web'), event(3, 'quorum-lost', 'cluster')], [fence(1)]);
    expect(observe(deriver, [])).toEqual([]);
  });

  it('node down and up, from the DC, with the row index of the node', () => {
    const deriver = new NotificationDeriver(ROOT, layout);
    deriver.seed([], [fence(1)]);
    const [down] = observe(deriver, [event(10, 'node-down', 'beta', { detail: { reason: 'silent on every link', silentMs: 4000 } })], reports({ nodes: { alpha: 'online', beta: 'unclean' }, members: ['alpha'] }));
    expect(down?.oid).toBe(`${ROOT}.0.1`);
    expect(values(down)).toEqual({ '1.2.1.2.2': 'beta', '1.2.1.3.2': 7, '1.8.6.0': 'silent on every link (silent 4000 ms)' });
    const [up] = observe(deriver, [event(20, 'node-up', 'beta', { detail: { incarnation: 10 } })]);
    expect(up?.oid).toBe(`${ROOT}.0.2`);
    expect(values(up)).toEqual({ '1.2.1.2.2': 'beta', '1.2.1.3.2': 1, '1.2.1.5.2': 10 });
    // The same events seen again (the reader overlaps) are not news.
    expect(observe(deriver, [])).toEqual([]);
  });

  it('leaves node notifications to the DC', () => {
    const deriver = new NotificationDeriver(ROOT, layout);
    deriver.seed([], [fence(1)]);
    expect(observe(deriver, [event(10, 'node-down', 'beta')], reports({ dc: 'beta' }))).toEqual([]);
  });

  it('link down while the peer is still heard, and link up; a lost peer is a node down, not a link down', () => {
    const deriver = new NotificationDeriver(ROOT, layout);
    deriver.seed([], [fence(1)]);
    const daemon = reports({ links: [{ peer: 2, peerName: 'beta', link: 'serial0', state: 'down', lastHeardAgoMs: 5000, lossPercent: 50, rttMs: null }] });
    const [down] = observe(deriver, [event(10, 'link-down', 'beta/serial0')], daemon);
    expect(down?.oid).toBe(`${ROOT}.0.3`);
    expect(values(down)).toEqual({ '1.3.1.2.2.2': 'serial0', '1.3.1.3.2.2': 'beta', '1.3.1.5.2.2': 2, '1.3.1.6.2.2': 500_000 });
    const [up] = observe(deriver, [event(11, 'link-up', 'beta/lan')]);
    expect(up?.oid).toBe(`${ROOT}.0.4`);
    expect(values(up)).toEqual({ '1.3.1.2.2.1': 'lan', '1.3.1.3.2.1': 'beta', '1.3.1.5.2.1': 1, '1.3.1.7.2.1': 250 });
    expect(observe(deriver, [event(20, 'link-down', 'beta/lan'), event(20, 'node-down', 'beta')], reports({ members: ['alpha'] })).map((n) => n.name)).toEqual(['hlNodeDown']);
  });

  it('quorum lost and regained, on every node', () => {
    const deriver = new NotificationDeriver(ROOT, layout);
    deriver.seed([], [fence(1)]);
    const [lost] = observe(deriver, [event(10, 'quorum-lost', 'cluster')], reports({ dc: 'beta', quorate: false, members: ['alpha'] }));
    expect(lost?.oid).toBe(`${ROOT}.0.5`);
    expect(values(lost)).toEqual({ '1.1.1.0': 'shop', '1.1.5.0': 2, '1.1.11.0': 1 });
    expect(observe(deriver, [event(11, 'quorum-gained', 'cluster')], reports({ dc: 'beta' })).map((n) => [n.name, values(n)['1.1.5.0']])).toEqual([['hlQuorumRegained', 1]]);
  });

  it('a failover: a resource down because of a failure running again, timed from the outage to the start', () => {
    const deriver = new NotificationDeriver(ROOT, layout);
    deriver.seed([event(1, 'resource-up', 'web', { node: 'beta' })], [fence(1)]);
    expect(observe(deriver, [event(1000, 'resource-down', 'web'), event(1500, 'resource-down', 'web')])).toEqual([]);
    const [failover] = observe(deriver, [event(4250, 'resource-up', 'web', { node: 'alpha' })]);
    expect(failover?.oid).toBe(`${ROOT}.0.8`);
    expect(values(failover)).toEqual({ '1.8.7.0': 'web', '1.8.2.0': 'beta', '1.8.3.0': 'alpha', '1.8.4.0': 3250 });
  });

  it('no failover for a new resource waiting for its first start', () => {
    const deriver = new NotificationDeriver(ROOT, layout);
    deriver.seed([], [fence(1)]);
    expect(observe(deriver, [event(10, 'resource-down', 'fresh'), event(180, 'resource-up', 'fresh', { node: 'alpha' })])).toEqual([]);
    // Once it ran, an outage is one.
    expect(observe(deriver, [event(500, 'resource-down', 'fresh'), event(900, 'resource-up', 'fresh', { node: 'beta' })]).map((n) => n.name)).toEqual(['hlFailover']);
  });

  it('no failover for a planned stop (excluded) or across a restart of this daemon', () => {
    const deriver = new NotificationDeriver(ROOT, layout);
    deriver.seed([event(1, 'resource-up', 'web', { node: 'beta' })], [fence(1)]);
    expect(observe(deriver, [event(10, 'resource-down', 'web'), event(11, 'resource-excluded', 'web'), event(20, 'resource-up', 'web', { node: 'alpha' })])).toEqual([]);
    expect(observe(deriver, [event(30, 'resource-down', 'web'), event(31, 'daemon-stop', 'alpha'), event(40, 'daemon-start', 'alpha'), event(45, 'resource-up', 'web', { node: 'alpha' })])).toEqual([]);
  });

  it('a fence result for each new row of the fence history, carrying that row', () => {
    const deriver = new NotificationDeriver(ROOT, layout);
    deriver.seed([], [fence(1)]);
    const fences = [fence(1), fence(2, { ok: false, failureReason: 'bmc-beta: timeout' })];
    const made = observe(deriver, [], reports(), fences);
    expect(made.map((n) => n.name)).toEqual(['hlFenceResultNotification']);
    const v = values(made[0]);
    expect(v['1.5.1.2.2']).toBe('beta');
    expect(v['1.5.1.3.2']).toBe('bmc-beta');
    expect(v['1.5.1.4.2']).toBe(1);
    expect(v['1.5.1.5.2']).toBe(2);
    expect(Buffer.isBuffer(v['1.5.1.6.2'])).toBe(true);
    expect(v['1.5.1.9.2']).toBe('beta was lost; failed: bmc-beta: timeout');
    expect(observe(deriver, [], reports(), fences)).toEqual([]);
  });

  it('a resource failure for each new failed operation, from the DC, once', () => {
    const deriver = new NotificationDeriver(ROOT, layout);
    deriver.seed([], [fence(1)]);
    const failed = (lastRcChange: number): DaemonReports =>
      reports({
        resources: [{ id: 'web', state: 'started', active: [{ node: 'alpha', role: 'Started', failed: false }] }],
        failCounts: [{ node: 'beta', resource: 'web', operation: 'monitor_2000', count: '1' }],
        failedOperations: [{ node: 'beta', resource: 'web', operation: 'monitor', interval: 2000, rc: 7, opStatus: 0, exitReason: 'not running', lastRcChange }],
      });
    // The first status is the baseline: failures already there are not news.
    expect(observe(deriver, [], failed(100))).toEqual([]);
    expect(observe(deriver, [], failed(100))).toEqual([]);
    const [made] = observe(deriver, [], failed(200));
    expect(made?.oid).toBe(`${ROOT}.0.7`);
    expect(values(made)).toEqual({ '1.8.7.0': 'web', '1.8.1.0': 'beta', '1.8.5.0': 'monitor (every 2000 ms)', '1.8.6.0': 'not running (rc 7)', '1.4.1.5.3.119.101.98': 1 });
  });
});
