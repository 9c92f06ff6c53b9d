// Two CibReplica liveness rules, each found by the cluster simulation (seed 225959657905498): a
// member that receives an update its CIB already contains ignores it (it is late, not a gap), and
// a DC asked for the whole CIB while it is still choosing it answers once it has chosen. Before,
// the late update made the member ask, the choosing DC dropped the request, and the member ignored
// every later update while it waited: its CIB stayed behind for good.
// Method: two replicas driven by hand, messages passed between them in the order the test says.
import { describe, expect, it } from 'vitest';
import { err, millis, nodeId, ok, type NodeId, type Result } from '../../../../src/lib/index.js';
import { CibReplica, emptyCib, type Cib, type CibChangeMeta, type CibMessage, type CibReplicaEffect } from '../../../../src/ha/cib/index.js';

type Change = { readonly name: string; readonly value: string };
const N1 = nodeId(1);
const N2 = nodeId(2);
const META: CibChangeMeta = { origin: 'test', user: 'root' } as CibChangeMeta;

function apply(cib: Cib, change: Change): Result<Cib, { field: string; message: string }> {
  if (change.name === 'bad') return err({ field: 'name', message: 'refused' });
  const [first, ...rest] = cib.configuration.crmConfig;
  const pairs = (first?.pairs ?? []).filter((p) => p.name !== change.name);
  const set = { id: 'cib-bootstrap-options', rules: [], pairs: [...pairs, { id: `opt-${change.name}`, name: change.name, value: change.value }] };
  return ok({ ...cib, version: { ...cib.version, epoch: cib.version.epoch + 1, numUpdates: 0 }, configuration: { ...cib.configuration, crmConfig: [set, ...rest] } });
}

function replica(self: NodeId): CibReplica<Change> {
  const empty = emptyCib();
  if (!empty.ok) throw new Error(empty.error);
  const r = new CibReplica<Change>({ self, initial: empty.value, apply, queryTimeoutMs: 500 });
  r.step(millis(0), { kind: 'start' });
  return r;
}

const sent = (effects: readonly CibReplicaEffect<Change>[], to: NodeId): CibMessage<Change>[] => effects.flatMap((e) => (e.kind === 'send' && e.to === to ? [e.message] : []));
const deliver = (r: CibReplica<Change>, from: NodeId, messages: readonly CibMessage<Change>[]): CibReplicaEffect<Change>[] => messages.flatMap((message) => [...r.step(millis(0), { kind: 'receive', from, message })]);

/** A two-node view with N2 as DC, joined: both hold the same empty CIB. */
function joined(): { dc: CibReplica<Change>; member: CibReplica<Change> } {
  const dc = replica(N2);
  const member = replica(N1);
  member.step(millis(0), { kind: 'view', members: [N1, N2], dc: N2 });
  const queries = sent(dc.step(millis(0), { kind: 'view', members: [N1, N2], dc: N2 }), N1);
  const reports = sent(deliver(member, N2, queries), N2);
  deliver(dc, N1, reports);
  expect(dc.status().phase).toBe('dc-ready');
  return { dc, member };
}

describe('CibReplica', () => {
  it('a member ignores an update its CIB already contains, instead of asking for the whole CIB', () => {
    const { dc, member } = joined();
    const first = sent(dc.step(millis(0), { kind: 'request', requestId: 'r1', change: { name: 'a', value: '1' }, meta: META }), N1);
    const second = sent(dc.step(millis(0), { kind: 'request', requestId: 'r2', change: { name: 'b', value: '2' }, meta: META }), N1);
    deliver(member, N2, [...first, ...second]);
    expect(member.status().version).toEqual(dc.status().version);
    // The first update again, late (it was sent before a whole CIB that already contained it).
    const effects = deliver(member, N2, first);
    expect(sent(effects, N2)).toEqual([]);
    // And the member still takes the next update.
    deliver(member, N2, sent(dc.step(millis(0), { kind: 'request', requestId: 'r3', change: { name: 'c', value: '3' }, meta: META }), N1));
    expect(member.status()).toMatchObject({ version: dc.status().version, digest: dc.status().digest });
  });

  it('a DC asked for the whole CIB while choosing it sends it once it has chosen, even to a member whose version matches', () => {
    const { dc, member } = joined();
    deliver(member, N2, sent(dc.step(millis(0), { kind: 'request', requestId: 'r1', change: { name: 'a', value: '1' }, meta: META }), N1));
    expect(member.status().digest).toBe(dc.status().digest);
    // A new view starts on the DC: it collects versions again.
    const queries = sent(dc.step(millis(0), { kind: 'view', members: [N1, N2], dc: N2 }), N1);
    expect(dc.status().phase).toBe('dc-collecting');
    // The member asks for the whole CIB (it is waiting for it and ignores updates until it comes).
    const [query] = queries;
    if (query === undefined) throw new Error('no cib-query sent');
    const syncRequest: CibMessage<Change> = { type: 'cib-sync-request', v: query.v, round: 0 };
    expect(sent(deliver(dc, N1, [syncRequest]), N1)).toEqual([]);
    // Its report has the DC's digest; the DC still answers the request once it has chosen.
    const reports = sent(deliver(member, N2, queries), N2);
    const full = sent(deliver(dc, N1, reports), N1).filter((m) => m.type === 'cib-full');
    expect(full).toHaveLength(1);
    // Once answered, a later join does not send it again.
    const again = sent(dc.step(millis(0), { kind: 'view', members: [N1, N2], dc: N2 }), N1);
    expect(sent(deliver(dc, N1, sent(deliver(member, N2, again), N2)), N1).filter((m) => m.type === 'cib-full')).toEqual([]);
  });
});
