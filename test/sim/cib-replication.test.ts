// CIB replication over seeded runs: three replicas exchange messages in order per pair (the
// reliable channel's guarantee) with random delays, while views change (a member leaves and comes
// back, the DC moves), nodes crash and restart from what they persisted, and changes are asked on
// random nodes. Checked on every seed:
// - convergence: once the last view has settled, every member holds the DC's version and digest;
// - versions never go backwards on a node (except a restart, which recovers what was persisted);
// - a change is never applied twice on any node, each request is answered at most once, and a
//   refused change is never acknowledged. (An acknowledged change can still be lost when a later
//   join prefers another node's newer CIB: Pacemaker's rule, and the reason admin_epoch exists.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom, err, millis, nodeId, ok, randomChance, randomInt, type NodeId, type Result } from '../../src/lib/index.js';
import { CibReplica, cibDigest, compareCibVersions, emptyCib, type Cib, type CibChangeMeta, type CibMessage, type CibReplicaEffect, type CibReplicaInput } from '../../src/ha/cib/index.js';

type Change = { readonly name: string; readonly value: string };

function apply(cib: Cib, change: Change, meta: CibChangeMeta): Result<Cib, { field: string; message: string }> {
  if (change.name === 'bad') return err({ field: 'name', message: 'refused' });
  const [first, ...rest] = cib.configuration.crmConfig;
  const pairs = (first?.pairs ?? []).filter((p) => p.name !== change.name);
  const set = { id: 'cib-bootstrap-options', rules: [], pairs: [...pairs, { id: `opt-${change.name}`, name: change.name, value: change.value }] };
  return ok({
    ...cib,
    version: { ...cib.version, epoch: cib.version.epoch + 1, numUpdates: 0 },
    header: { ...cib.header, updateOrigin: meta.origin },
    configuration: { ...cib.configuration, crmConfig: [set, ...rest] },
  });
}

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly node: NodeId;
  readonly life: number;
  readonly input: CibReplicaInput<Change>;
}


function runSeed(seed: number, partitions: boolean) {
  const rng = new SeededRandom(seed);
  const ids = [nodeId(1), nodeId(2), nodeId(3)];
  const empty = emptyCib();
  if (!empty.ok) throw new Error(empty.error);
  const persisted = new Map<NodeId, Cib>(ids.map((id) => [id, empty.value]));
  const life = new Map<NodeId, number>(ids.map((id) => [id, 0]));
  const make = (id: NodeId) => new CibReplica<Change>({ self: id, initial: persisted.get(id) as Cib, apply, queryTimeoutMs: 500 });
  const replicas = new Map(ids.map((id) => [id, make(id)]));
  const queue: Scheduled[] = [];
  let seq = 0;
  let now = 0;
  const lastArrival = new Map<string, number>();
  const push = (at: number, node: NodeId, input: CibReplicaInput<Change>, forLife?: number) =>
    queue.push({ at, seq: seq++, node, life: forLife ?? (life.get(node) as number), input });
  const acknowledged: { name: string; value: string }[] = [];
  const seenVersions = new Map<NodeId, Cib['version']>();
  const appliedOn = new Set<string>();
  const answers = new Map<string, number>();
  const asked: { requestId: string; node: NodeId; life: number }[] = [];
  // A timer fires only if it was not cancelled or re-armed since (the driver contract).
  const timerGeneration = new Map<string, number>();
  const deliver = (ev: Scheduled): void => {
    let input = ev.input;
    if (input.kind === 'request') asked.push({ requestId: input.requestId, node: ev.node, life: life.get(ev.node) as number });
    if (input.kind === 'timeout') {
      const [timer, generation] = input.timer.split('#') as [string, string];
      if (timerGeneration.get(`${ev.node}/${timer}`) !== Number(generation)) return;
      input = { kind: 'timeout', timer };
    }
    perform(ev.node, (replicas.get(ev.node) as CibReplica<Change>).step(millis(now), input));
  };
  let view: NodeId[] = [...ids];
  const up = new Set(ids);
  const perform = (node: NodeId, effects: readonly CibReplicaEffect<Change>[]) => {
    for (const e of effects) {
      if (e.kind === 'persist') {
        if (process.env.CIB_TRACE) console.log(now, node, 'persist', e.description, JSON.stringify(e.cib.version), 'phase', (replicas.get(node) as CibReplica<Change>).status().phase, 'view', view.join(','));
        persisted.set(node, e.cib);
        if (e.meta?.client !== undefined) {
          const key = `${node}:${e.meta.client}`;
          expect(appliedOn.has(key), `seed ${seed}: ${e.meta.client} applied twice on node ${node}`).toBe(false);
          appliedOn.add(key);
        }
        const before = seenVersions.get(node);
        if (before !== undefined) expect(compareCibVersions(e.cib.version, before), `seed ${seed}: node ${node} went back`).toBeGreaterThanOrEqual(0);
        seenVersions.set(node, e.cib.version);
      } else if (e.kind === 'send') {
        if (!view.includes(e.to) || !view.includes(node)) continue; // the channel drops messages across views
        const key = `${node}>${e.to}`;
        const at = Math.max(now + randomInt(rng, 1, 40), (lastArrival.get(key) ?? 0) + 1); // FIFO per pair
        lastArrival.set(key, at);
        const message = JSON.parse(JSON.stringify(e.message)) as CibMessage<Change>;
        push(at, e.to, { kind: 'receive', from: node, message });
      } else if (e.kind === 'reply') {
        answers.set(e.requestId, (answers.get(e.requestId) ?? 0) + 1);
        const [name, value] = e.requestId.split('=') as [string, string];
        if (e.result.ok) acknowledged.push({ name, value });
      } else if (e.kind === 'set-timer') {
        const generation = (timerGeneration.get(`${node}/${e.timer}`) ?? 0) + 1;
        timerGeneration.set(`${node}/${e.timer}`, generation);
        push(now + e.afterMs, node, { kind: 'timeout', timer: `${e.timer}#${generation}` });
      } else if (e.kind === 'cancel-timer') {
        timerGeneration.set(`${node}/${e.timer}`, (timerGeneration.get(`${node}/${e.timer}`) ?? 0) + 1);
      }
    }
  };
  const installView = (members: NodeId[]) => {
    if (process.env.CIB_TRACE) console.log(now, 'view', members.join(','), 'up', [...up].join(','));
    view = members;
    const dc = members.length === 0 ? null : Math.min(...members);
    for (const id of ids) if (up.has(id)) perform(id, (replicas.get(id) as CibReplica<Change>).step(millis(now), members.includes(id) ? { kind: 'view', members, dc: dc as NodeId } : { kind: 'view', members: [id], dc: id }));
  };
  for (const id of ids) perform(id, (replicas.get(id) as CibReplica<Change>).step(millis(0), { kind: 'start' }));
  installView(view);
  // Requests
  let counter = 0;
  for (let i = 0; i < 40; i++) {
    const node = ids[randomInt(rng, 0, 2)] as NodeId;
    const name = randomChance(rng, 0.1) ? 'bad' : `p${randomInt(rng, 0, 5)}`;
    queue.push({ at: randomInt(rng, 10, 4000), seq: seq++, node, life: -1, input: { kind: 'request', requestId: `${name}=v${counter++}`, change: { name, value: '' }, meta: { now: 0, origin: `n${node}`, user: 'test', client: `${name}=v${counter - 1}` } } });
  }
  // Faults: a member leaves and returns (a crash and restart, or a partition), then one final view.
  const events: { at: number; run: () => void }[] = [];
  for (let f = 0; f < 3; f++) {
    const at = randomInt(rng, 100, 3500);
    const victim = ids[randomInt(rng, 0, 2)] as NodeId;
    const crash = !partitions || randomChance(rng, 0.5);
    events.push({
      at,
      run: () => {
        if (!view.includes(victim)) return;
        if (crash) {
          up.delete(victim);
          life.set(victim, (life.get(victim) as number) + 1);
        }
        installView(view.filter((n) => n !== victim));
      },
    });
    events.push({
      at: at + randomInt(rng, 50, 800),
      run: () => {
        if (!up.has(victim)) {
          up.add(victim);
          replicas.set(victim, make(victim));
          perform(victim, (replicas.get(victim) as CibReplica<Change>).step(millis(now), { kind: 'start' }));
        }
        installView([...new Set([...view, victim])].sort((a, b) => a - b));
      },
    });
  }
  for (const e of events) queue.push({ at: e.at, seq: seq++, node: nodeId(1), life: -2, input: { kind: 'start' } });
  const eventAt = new Map<number, (() => void)[]>();
  for (const e of events) eventAt.set(e.at, [...(eventAt.get(e.at) ?? []), e.run]);
  while (queue.length > 0) {
    queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const ev = queue.shift() as Scheduled;
    now = ev.at;
    if (ev.life === -2) {
      for (const run of eventAt.get(ev.at)?.splice(0, 1) ?? []) run();
      continue;
    }
    if (!up.has(ev.node)) continue;
    if (ev.life !== -1 && ev.life !== life.get(ev.node)) continue;
    deliver(ev);
  }
  // Final: everyone up and in one view.
  for (const id of ids) {
    if (!up.has(id)) {
      up.add(id);
      replicas.set(id, make(id));
      perform(id, (replicas.get(id) as CibReplica<Change>).step(millis(now), { kind: 'start' }));
    }
  }
  installView([...ids]);
  while (queue.length > 0) {
    queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const ev = queue.shift() as Scheduled;
    now = ev.at;
    if (ev.life < 0 || ev.life !== life.get(ev.node)) continue;
    deliver(ev);
  }
  // Every request of a node that did not crash afterwards got exactly one answer.
  for (const a of asked) if (a.life === life.get(a.node)) expect(answers.get(a.requestId), `seed ${seed}: answers to ${a.requestId}`).toBe(1);
  return { replicas, acknowledged, persisted };
}

describe('CIB replication', () => {
  it.runIf(process.env.CIB_TRACE !== undefined)('traces one seed', () => {
    runSeed(Number(process.env.CIB_TRACE), true);
  });

  it('converges, never goes back, and keeps acknowledged changes (crashes and restarts)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (seed) => {
        const { replicas, acknowledged } = runSeed(seed, false);
        const dc = replicas.get(nodeId(1)) as CibReplica<Change>;
        expect(dc.status().phase, `seed ${seed}`).toBe('dc-ready');
        for (const r of replicas.values()) {
          expect(r.status().digest, `seed ${seed}`).toBe(cibDigest(dc.current));
          expect(r.status().version, `seed ${seed}`).toEqual(dc.current.version);
        }
        // Each request is answered at most once, and a refused change is never acknowledged.
        expect(new Set(acknowledged.map((a) => a.value)).size, `seed ${seed}`).toBe(acknowledged.length);
        for (const a of acknowledged) expect(a.name, `seed ${seed}`).not.toBe('bad');
      }),
      { numRuns: 300 },
    );
  });

  it('converges after partitions too (a join may choose the newer side)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (seed) => {
        const { replicas } = runSeed(seed, true);
        const dc = replicas.get(nodeId(1)) as CibReplica<Change>;
        for (const r of replicas.values()) expect(r.status().digest, `seed ${seed}`).toBe(cibDigest(dc.current));
      }),
      { numRuns: 300 },
    );
  });
});
