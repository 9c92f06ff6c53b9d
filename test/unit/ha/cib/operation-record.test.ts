// recordOperation writes an operation result into the status as Pacemaker's controller does. Each
// case records one or more results into a small CIB and checks the lrm_rsc_op entries, the
// fail-count/last-failure attributes and num_updates; the last cases check that the policy engine
// reads the records back as the state they describe, and that the result survives an XML round trip.
import { describe, expect, it } from 'vitest';
import { millis } from '../../../../src/lib/index.js';
import { exportCibXml, importCibXml, recordOperation, resolveNvSets, type Cib, type LrmResource, type OperationResult } from '../../../../src/ha/cib/index.js';
import { normalizeSummaryLine, schedule } from '../../../../src/ha/policy/index.js';
import { buildCib, dummy, lrm } from '../policy/cib-builder.js';

const NOW = 1_700_000_000;

function cluster(options: { ops?: string; lrmNode1?: string; settings?: Record<string, string> } = {}): Cib {
  return buildCib({
    nodes: [{ name: 'node1', ...(options.lrmNode1 === undefined ? {} : { lrm: options.lrmNode1 }) }, { name: 'node2' }],
    resources: dummy('rsc', {}, options.ops ?? '<op id="rsc-mon" name="monitor" interval="10s"/>'),
    ...(options.settings === undefined ? {} : { options: options.settings }),
  });
}

const result = (over: Partial<OperationResult>): OperationResult => ({ node: 'node1', resource: 'rsc', operation: 'start', interval: millis(0), rcCode: 0, expectedRc: 0, now: NOW, ...over });

function lrmResource(cib: Cib, node: string, id: string): LrmResource | undefined {
  return cib.status.nodes.find((s) => s.uname === node)?.lrm?.resources.find((r) => r.id === id);
}

function attributes(cib: Cib, node: string): ReadonlyMap<string, string> {
  return resolveNvSets(cib.status.nodes.find((s) => s.uname === node)?.transientAttributes?.sets ?? []);
}

function summary(cib: Cib): string[] {
  return schedule(cib, { now: NOW + 1 }).summary.map(normalizeSummaryLine);
}

describe('recordOperation', () => {
  it('creates the lrm_resource from the configuration and writes RSC_last_0 for a start', () => {
    const before = cluster();
    const after = recordOperation(before, result({ transition: { actionId: 4, transitionId: 7, uuid: 'abc' }, execTime: millis(25) }));
    const entry = lrmResource(after, 'node1', 'rsc');
    expect(entry).toMatchObject({ id: 'rsc', class: 'ocf', provider: 'heartbeat', type: 'Dummy' });
    expect(entry?.ops).toEqual([
      expect.objectContaining({
        id: 'rsc_last_0',
        operation: 'start',
        operationKey: 'rsc_start_0',
        interval: 0,
        callId: 1,
        rcCode: 0,
        opStatus: 0,
        transitionKey: '4:7:0:abc',
        transitionMagic: '0:0;4:7:0:abc',
        lastRcChange: NOW,
        execTime: 25,
        onNode: 'node1',
      }),
    ]);
    expect(after.version.numUpdates).toBe(before.version.numUpdates + 1);
    expect(lrmResource(before, 'node1', 'rsc')).toBeUndefined();
    expect(Object.isFrozen(after.status.nodes)).toBe(true);
  });

  it('writes recurring monitors under RSC_monitor_INTERVAL and counts call ids per node', () => {
    const cib = recordOperation(recordOperation(cluster(), result({})), result({ operation: 'monitor', interval: millis(10_000) }));
    expect(lrmResource(cib, 'node1', 'rsc')?.ops.map((o) => [o.id, o.callId])).toEqual([
      ['rsc_last_0', 1],
      ['rsc_monitor_10000', 2],
    ]);
  });

  it('replaces RSC_last_0 with the latest one-shot operation (a probe is a monitor with interval 0)', () => {
    let cib = recordOperation(cluster(), result({ operation: 'monitor', rcCode: 7, expectedRc: 7 }));
    cib = recordOperation(cib, result({ operation: 'start' }));
    expect(lrmResource(cib, 'node1', 'rsc')?.ops.map((o) => [o.id, o.operation, o.callId])).toEqual([['rsc_last_0', 'start', 2]]);
  });

  it('continues the call ids after the highest one in the node history', () => {
    const cib = recordOperation(cluster({ lrmNode1: lrm('other', [['start', 0, 41]]) }), result({}));
    expect(lrmResource(cib, 'node1', 'rsc')?.ops[0]?.callId).toBe(42);
  });

  it('a failed recurring monitor writes RSC_last_failure_0, keeps the last good record, and counts failures', () => {
    let cib = recordOperation(cluster(), result({}));
    cib = recordOperation(cib, result({ operation: 'monitor', interval: millis(10_000) }));
    cib = recordOperation(cib, result({ operation: 'monitor', interval: millis(10_000), rcCode: 7, now: NOW + 5, exitReason: 'gone' }));
    const ops = lrmResource(cib, 'node1', 'rsc')?.ops ?? [];
    expect(ops.map((o) => [o.id, o.rcCode])).toEqual([
      ['rsc_last_0', 0],
      ['rsc_monitor_10000', 0],
      ['rsc_last_failure_0', 7],
    ]);
    expect(ops[2]?.exitReason).toBe('gone');
    expect(attributes(cib, 'node1').get('fail-count-rsc#monitor_10000')).toBe('1');
    expect(attributes(cib, 'node1').get('last-failure-rsc#monitor_10000')).toBe(String(NOW + 5));
    cib = recordOperation(cib, result({ operation: 'monitor', interval: millis(10_000), rcCode: 1, now: NOW + 9 }));
    expect(attributes(cib, 'node1').get('fail-count-rsc#monitor_10000')).toBe('2');
    expect(summary(cib)).toEqual(['* Recover rsc ( node1 )']);
  });

  it('a failed start writes both RSC_last_failure_0 and RSC_last_0 and sets the fail count to INFINITY', () => {
    const cib = recordOperation(cluster(), result({ rcCode: 1 }));
    expect(lrmResource(cib, 'node1', 'rsc')?.ops.map((o) => o.id)).toEqual(['rsc_last_failure_0', 'rsc_last_0']);
    expect(attributes(cib, 'node1').get('fail-count-rsc#start_0')).toBe('INFINITY');
    expect(summary(cib)).toEqual(['* Recover rsc ( node1 -> node2 )']);
  });

  it('with start-failure-is-fatal=false a failed start counts one failure', () => {
    const cib = recordOperation(cluster({ settings: { 'start-failure-is-fatal': 'false' } }), result({ rcCode: 1 }));
    expect(attributes(cib, 'node1').get('fail-count-rsc#start_0')).toBe('1');
  });

  it('a failed stop sets the fail count to INFINITY', () => {
    const cib = recordOperation(recordOperation(cluster(), result({})), result({ operation: 'stop', rcCode: 1 }));
    expect(attributes(cib, 'node1').get('fail-count-rsc#stop_0')).toBe('INFINITY');
  });

  it('an executor timeout is a failure even with the expected rc', () => {
    const cib = recordOperation(cluster(), result({ opStatus: 2 }));
    expect(lrmResource(cib, 'node1', 'rsc')?.ops.map((o) => o.id)).toEqual(['rsc_last_failure_0', 'rsc_last_0']);
  });

  it('on-fail=ignore records last-failure but no fail count', () => {
    const cib = recordOperation(cluster({ ops: '<op id="m" name="monitor" interval="10s" on-fail="ignore"/>' }), result({ operation: 'monitor', interval: millis(10_000), rcCode: 1 }));
    expect(attributes(cib, 'node1').has('fail-count-rsc#monitor_10000')).toBe(false);
    expect(attributes(cib, 'node1').get('last-failure-rsc#monitor_10000')).toBe(String(NOW));
  });

  it('a probe that finds the resource running is recorded as a failure but counts none', () => {
    const cib = recordOperation(cluster(), result({ operation: 'monitor', rcCode: 0, expectedRc: 7 }));
    expect(lrmResource(cib, 'node1', 'rsc')?.ops.map((o) => o.id)).toEqual(['rsc_last_failure_0', 'rsc_last_0']);
    expect(attributes(cib, 'node1').size).toBe(0);
    expect(summary(cib)).toEqual([]);
  });

  it('a stop erases the recurring monitor records (the executor cancelled them)', () => {
    let cib = recordOperation(cluster(), result({}));
    cib = recordOperation(cib, result({ operation: 'monitor', interval: millis(10_000) }));
    cib = recordOperation(cib, result({ operation: 'stop' }));
    expect(lrmResource(cib, 'node1', 'rsc')?.ops.map((o) => [o.id, o.operation])).toEqual([['rsc_last_0', 'stop']]);
  });

  it('a degraded rc (190) counts as success', () => {
    const cib = recordOperation(cluster(), result({ operation: 'monitor', interval: millis(10_000), rcCode: 190 }));
    expect(lrmResource(cib, 'node1', 'rsc')?.ops.map((o) => o.id)).toEqual(['rsc_monitor_10000']);
  });

  it('the policy engine reads a recorded start as running, and a recorded stop as stopped', () => {
    const started = recordOperation(cluster(), result({}));
    expect(summary(started)).toEqual([]);
    expect(schedule(started, { now: NOW }).decisions.find((d) => d.resource === 'rsc')?.current).toEqual([{ node: 'node1', role: 'Started', failed: false }]);
    const moved = recordOperation(recordOperation(started, result({ operation: 'stop' })), result({ node: 'node2' }));
    expect(schedule(moved, { now: NOW }).decisions.find((d) => d.resource === 'rsc')?.current).toEqual([{ node: 'node2', role: 'Started', failed: false }]);
  });

  it('survives an export to XML and an import', () => {
    let cib = recordOperation(cluster(), result({}));
    cib = recordOperation(cib, result({ operation: 'monitor', interval: millis(10_000), rcCode: 1 }));
    const imported = importCibXml(exportCibXml(cib));
    expect(imported.ok).toBe(true);
    if (imported.ok) expect(imported.value.cib).toEqual(cib);
  });

  it('refuses a node the CIB does not know', () => {
    expect(() => recordOperation(cluster(), result({ node: 'nowhere' }))).toThrow(/no node named nowhere/);
  });
});
