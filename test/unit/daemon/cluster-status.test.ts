// The `status` report reads node states and placement with the policy engine's own rules, lists
// failures (fail counts, `*_last_failure_0` operations), and `heartline status` renders it like
// crm_mon -1.
import { describe, expect, it } from 'vitest';
import { renderStatus } from '../../../src/cli/commands/status.js';
import { clusterStatusReport } from '../../../src/daemon/cluster-status.js';
import type { NodeId } from '../../../src/lib/index.js';
import { buildCib, dummy, lrm, running } from '../ha/policy/cib-builder.js';

function report(cib: ReturnType<typeof buildCib>) {
  return clusterStatusReport({
    cluster: { name: 'shop', id: 7 },
    self: { id: 1 as NodeId, name: 'alpha' },
    names: new Map([[1 as NodeId, 'alpha'], [2 as NodeId, 'beta'], [3 as NodeId, 'gamma']]),
    view: { members: [{ id: 1 as NodeId, incarnation: 1 }, { id: 2 as NodeId, incarnation: 1 }], dc: 1 as NodeId, quorate: true },
    quorum: { quorate: true, votes: 2, expectedVotes: 3, needed: 2, reason: null },
    cib,
    authoritative: true,
    fencing: { configured: false, method: null },
    transition: { graphId: 3, actions: 2, summary: ['  * Start      web     ( alpha )'], startedAtMs: 0, status: 'complete', finishedAtMs: 10 },
    problems: [],
    now: 1_700_000_100,
  });
}

describe('cluster status report', () => {
  it('shows node states, where each resource runs, and the failures', () => {
    const cib = buildCib({
      nodes: [
        { name: 'alpha', lrm: running('web') + lrm('db', [['start', 1, 3]]), transient: { 'fail-count-db#start_0': 'INFINITY' } },
        { name: 'beta', state: 'standby' },
        { name: 'gamma', state: 'offline' },
      ],
      resources: dummy('web') + dummy('db') + dummy('idle', { 'target-role': 'Stopped' }),
    });
    const r = report(cib);
    expect(r.nodes.map((n) => [n.name, n.state, n.inView])).toEqual([['alpha', 'online', true], ['beta', 'standby', true], ['gamma', 'offline', false]]);
    expect(r.resources.find((x) => x.id === 'web')).toMatchObject({ agent: 'ocf:heartbeat:Dummy', state: 'started', active: [{ node: 'alpha', role: 'Started', failed: false }] });
    expect(r.resources.find((x) => x.id === 'idle')).toMatchObject({ state: 'stopped', active: [], targetRole: 'Stopped' });
    expect(r.failures.failCounts).toEqual([{ node: 'alpha', resource: 'db', operation: 'start_0', count: 'INFINITY' }]);
    expect(r.fencing).toEqual({ configured: false, method: null, inProgress: [], recent: [], stonithEnabled: false, deviceProblems: [] });
    expect(renderStatus({ ...r, fencing: { ...r.fencing, configured: true, method: 'cib', deviceProblems: ["resource 'fence-x': fence_x has no parameter 'y'"] } })).toContain("    fence device not usable: resource 'fence-x': fence_x has no parameter 'y'");
    const text = renderStatus(r);
    expect(text).toContain('Current DC: alpha - partition with quorum');
    expect(text).toContain('Online: [ alpha (DC) ]');
    expect(text).toContain('Node standby: [ beta ]');
    expect(text).toContain('OFFLINE: [ gamma ]');
    expect(text).toMatch(/\* web\s+\(ocf:heartbeat:Dummy\):\s+Started alpha/);
    expect(text).toMatch(/\* idle\s+\(ocf:heartbeat:Dummy\):\s+Stopped \(disabled\)/);
    expect(text).toContain('Node alpha: db: start_0 fail-count=INFINITY');
    expect(text).toContain('Fencing: NOT CONFIGURED');
  });

  it('lists a resource still active but gone from the configuration as ORPHANED, with what happens to it', () => {
    const nodes = [{ name: 'alpha', lrm: running('web') + running('gone') }, { name: 'beta' }];
    const r = report(buildCib({ nodes, resources: dummy('web') }));
    expect(r.resources.map((x) => [x.id, x.state])).toEqual([['web', 'started'], ['gone', 'orphaned']]);
    expect(r.resources.find((x) => x.id === 'gone')).toMatchObject({ agent: 'ocf:heartbeat:Dummy', active: [{ node: 'alpha', role: 'Started', failed: false }], nextRole: 'Stopped', orphan: 'no longer configured: being stopped' });
    const text = renderStatus(r);
    expect(text).toMatch(/\* gone\s+\(ocf:heartbeat:Dummy\):\s+ORPHANED Started alpha\n\s+no longer configured: being stopped/);
    // Configured instances are counted as before: the orphan is not one of them.
    expect(text).toContain('2 nodes configured; 1 resource instance configured');
    const kept = report(buildCib({ nodes, resources: dummy('web'), options: { 'stop-orphan-resources': 'false' } }));
    expect(kept.resources.find((x) => x.id === 'gone')).toMatchObject({ nextRole: 'Started', orphan: 'no longer configured: left running (stop-orphan-resources=false)' });
  });

  it('lists failed operations, but not a probe that found the resource active (as crm_mon)', () => {
    const op = (rsc: string, id: string, operation: string, interval: number, rc: number, expected: number): string =>
      `<lrm_rsc_op id="${id}" operation="${operation}" interval="${interval}" call-id="9" rc-code="${rc}" op-status="0" transition-key="1:1:${expected}:abc" transition-magic="0:${rc};1:1:${expected}:abc" last-rc-change="1700000000"/>`;
    const history = (rsc: string, ops: string): string => `<lrm_resource id="${rsc}" class="ocf" provider="heartbeat" type="Dummy">${ops}</lrm_resource>`;
    const cib = buildCib({
      nodes: [
        // web: started by someone else, the probe after a cleanup found it (rc 0, 7 expected).
        { name: 'alpha', lrm: history('web', op('web', 'web_last_0', 'monitor', 0, 0, 7) + op('web', 'web_last_failure_0', 'monitor', 0, 0, 7)) },
        // db: its recurring monitor failed (rc 7, 0 expected).
        { name: 'beta', lrm: history('db', op('db', 'db_last_0', 'start', 0, 0, 0) + op('db', 'db_last_failure_0', 'monitor', 10000, 7, 0)) },
      ],
      resources: dummy('web') + dummy('db'),
    });
    const r = report(cib);
    expect(r.failures.failedOperations.map((f) => [f.node, f.resource, f.operation, f.interval, f.rc])).toEqual([['beta', 'db', 'monitor', 10000, 7]]);
    expect(r.resources.find((x) => x.id === 'web')).toMatchObject({ state: 'started', active: [{ node: 'alpha' }] });
  });
});
