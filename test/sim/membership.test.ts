// The membership layer under simulation. First a swarm of random seeds (2, 3, 5 and 16 nodes, one
// to three links, loss, delay, duplication, reordering, partitions, one-way cuts, crashes, restarts
// and pauses) checked for agreement and integrity on every step and for convergence after the
// faults heal; then targeted scenarios that pin down the behaviour an operator relies on:
// detection within deadtime, one link's loss is not a node's loss, one-way connectivity resolves to
// consistent views, a restarted or frozen node leaves and rejoins. SIM_SEEDS sweeps more seeds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeId, type NodeId } from '../../src/lib/index.js';
import { defaultTiming, formatView, type MembershipEvent, type MembershipMessage, type View } from '../../src/ha/membership/index.js';
import { MembershipChecker, describeMembershipEvent, membershipOptions, runMembership, type ScheduledFault, type SimChecker, type StepRecord } from '../../src/sim/index.js';

const seedCount = Number(process.env['SIM_SEEDS'] ?? 1000);
const { keepaliveMs, deadtimeMs } = defaultTiming;

/** Records every membership event with its node and time, and each node's latest view. */
class EventLog implements SimChecker<MembershipMessage, MembershipEvent> {
  readonly events: { at: number; node: NodeId; incarnation: number; event: MembershipEvent }[] = [];
  readonly views = new Map<NodeId, View | null>();

  onStep(step: StepRecord<MembershipMessage, MembershipEvent>): undefined {
    for (const effect of step.effects) {
      if (effect.kind === 'send' || effect.kind === 'broadcast' || effect.kind === 'set-timer' || effect.kind === 'cancel-timer') continue;
      this.events.push({ at: step.nowMs, node: step.node, incarnation: step.incarnation, event: effect });
      if (effect.kind === 'view-change') this.views.set(step.node, effect.view);
    }
    return undefined;
  }

  of<K extends MembershipEvent['kind']>(kind: K): { at: number; node: NodeId; incarnation: number; event: Extract<MembershipEvent, { kind: K }> }[] {
    return this.events.filter((e) => e.event.kind === kind) as { at: number; node: NodeId; incarnation: number; event: Extract<MembershipEvent, { kind: K }> }[];
  }
}

const ids = (n: number): NodeId[] => Array.from({ length: n }, (_, i) => nodeId(i + 1));
const memberIds = (view: View | null | undefined): number[] => (view ?? { members: [] }).members.map((m) => m.id);

/** A scripted run (no random faults) on a clean network; the seed only picks links and dedupe. */
function scripted(nodeCount: number, faults: ScheduledFault[], endMs: number, seed = 1) {
  const log = new EventLog();
  const run = runMembership(seed, { nodeCount, faults, endMs, checkers: [log] });
  return { log, run };
}

describe('membership: random faults', () => {
  it(`keeps agreement and integrity, and converges after the faults, on ${seedCount} seeds`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 }), (seed) => {
        const run = runMembership(seed);
        const v = run.result.violation;
        if (v !== undefined) throw new Error(`seed ${seed} (${run.options.nodeCount} nodes, links ${run.options.links.join(',')}) failed: ${v.kind} at ${v.atMs} ms: ${v.message}\nreplay: ${run.replay}`);
      }),
      { numRuns: seedCount },
    );
  });

  // Seeds that once failed, kept as extra coverage. Their fault schedules have changed since
  // (the liveness phase became lossless), so they no longer replay the original runs:
  // - 235238581766101: 16 nodes; a proposer that could not hear a second proposer's promises kept
  //   proposing below them for ever (fixed: a rejection carries the promised view id).
  // - 98521699944001: 3 nodes, one link; residual loss in the liveness phase dropped five
  //   heartbeats in a row just before the end (fixed in the checker's premise: no loss after heal).
  it.each([235238581766101, 98521699944001])('passes seed %i, which once failed', (seed) => {
    const run = runMembership(seed);
    expect(run.result.violation, run.replay).toBeUndefined();
  });

  it('replays a seed to the same trace hash', () => {
    for (const seed of [3, 12, 99]) {
      expect(runMembership(seed).result.traceHash).toBe(runMembership(seed).result.traceHash);
    }
  });

  it('covers every cluster size, pauses, expulsions and restarts across seeds', () => {
    const sizes = new Set<number>();
    let expelled = 0;
    let restarted = 0;
    for (let seed = 0; seed < 150; seed++) {
      const log = new EventLog();
      const run = runMembership(seed, { checkers: [log] });
      sizes.add(run.options.nodeCount);
      expelled += log.of('view-change').filter((e) => e.event.reason === 'expelled').length;
      restarted += log.of('node-down').filter((e) => e.event.reason === 'restarted').length;
    }
    expect([...sizes].sort((a, b) => a - b)).toEqual([2, 3, 5, 16]);
    expect(expelled).toBeGreaterThan(0);
    expect(restarted).toBeGreaterThan(0);
  });
});

describe('membership: scripted scenarios', () => {
  it.each([2, 3, 5, 16])('forms one view with one DC and quorum on %i nodes', (n) => {
    const { log, run } = scripted(n, [], 3000);
    expect(run.result.violation).toBeUndefined();
    const finalViews = ids(n).map((id) => log.views.get(id));
    expect(new Set(finalViews.map((v) => formatView(v ?? null))).size).toBe(1);
    expect(memberIds(finalViews[0])).toEqual(ids(n));
    expect(log.of('quorum-change').filter((e) => e.event.quorum.quorate).map((e) => e.node).sort((a, b) => a - b)).toEqual(ids(n));
  });

  it.each([2, 3, 5, 16])('detects a crashed node within deadtime and removes it from every view (%i nodes)', (n) => {
    const victim = nodeId(n);
    const crashAt = 3000;
    const { log } = scripted(n, [{ atMs: crashAt, fault: { kind: 'crash', node: victim } }], 5000);
    const downs = log.of('node-down').filter((e) => e.event.node === victim);
    expect(downs.map((e) => e.node).sort((a, b) => a - b)).toEqual(ids(n - 1));
    for (const d of downs) {
      // The last heartbeat left at most one keepalive before the crash; deadtime runs from its arrival.
      expect(d.at - crashAt).toBeGreaterThanOrEqual(deadtimeMs - keepaliveMs);
      expect(d.at - crashAt).toBeLessThanOrEqual(deadtimeMs + 5);
      expect(d.event.reason).toBe('deadtime');
    }
    for (const id of ids(n - 1)) {
      const view = log.views.get(id);
      expect(memberIds(view)).toEqual(ids(n - 1));
      const change = log.of('view-change').filter((e) => e.node === id && e.at > crashAt)[0];
      expect((change?.at ?? Infinity) - crashAt).toBeLessThanOrEqual(deadtimeMs + 20);
    }
  });

  it('keeps a peer alive while any one link delivers, and shows the cut link down then up', () => {
    const [a, b] = ids(2) as [NodeId, NodeId];
    // Seed 5 gives two or three links; cut eth0 both ways for 2 s.
    const { log, run } = scripted(
      2,
      [
        { atMs: 2000, fault: { kind: 'cut', from: a, to: b, link: 'eth0' } },
        { atMs: 2000, fault: { kind: 'cut', from: b, to: a, link: 'eth0' } },
        { atMs: 4000, fault: { kind: 'heal' } },
      ],
      6000,
      7,
    );
    expect(run.options.links.length).toBeGreaterThan(1);
    expect(log.of('node-down')).toEqual([]);
    const linkDowns = log.of('link-down').filter((e) => e.event.link === 'eth0');
    expect(linkDowns.map((e) => e.node).sort()).toEqual([a, b]);
    for (const e of linkDowns) expect(e.at - 2000).toBeLessThanOrEqual(deadtimeMs + 5);
    const linkUps = log.of('link-up').filter((e) => e.event.link === 'eth0' && e.at > 4000);
    expect(linkUps.map((e) => e.node).sort()).toEqual([a, b]);
    for (const e of linkUps) expect(e.at - 4000).toBeLessThanOrEqual(keepaliveMs + 5);
  });

  it('declares the peer dead when every link is cut, within deadtime, and rejoins with a new view after repair', () => {
    const [a, b] = ids(2) as [NodeId, NodeId];
    const { log } = scripted(2, [{ atMs: 2000, fault: { kind: 'partition', groups: [[a], [b]] } }, { atMs: 4000, fault: { kind: 'heal' } }], 6000, 7);
    const downs = log.of('node-down');
    expect(downs.map((e) => e.node).sort()).toEqual([a, b]);
    for (const d of downs) expect(d.at - 2000).toBeLessThanOrEqual(deadtimeMs + 5);
    // Two-node mode: each side keeps quorum alone (fencing settles who survives).
    const viewsDuringSplit = log.of('view-change').filter((e) => e.at > 2000 && e.at < 4000);
    expect(viewsDuringSplit.map((e) => memberIds(e.event.view))).toEqual(expect.arrayContaining([[a], [b]]));
    expect(memberIds(log.views.get(a))).toEqual([a, b]);
    expect(log.views.get(a)?.id).toEqual(log.views.get(b)?.id);
  });

  it('resolves one-way connectivity to consistent views that never hold both ends', () => {
    const [a, b] = ids(3) as [NodeId, NodeId, NodeId];
    // n1 can no longer reach n2 on any link, but n2 still reaches n1, and n3 hears both.
    const { log } = scripted(3, [{ atMs: 2000, fault: { kind: 'cut', from: a, to: b } }], 6000);
    const finals = ids(3).map((id) => log.views.get(id) ?? null);
    for (const view of finals) {
      expect(view === null || !(memberIds(view).includes(a) && memberIds(view).includes(b))).toBe(true);
    }
    // Whoever is in a view agrees with every other member of it.
    for (const [i, view] of finals.entries()) {
      if (view === null) continue;
      for (const m of view.members) expect(formatView(finals[m.id - 1] ?? null)).toBe(formatView(view));
      expect(view.members.map((m) => m.id)).toContain(i + 1);
    }
    // The majority side (two of three nodes) has quorum.
    const majority = finals.find((v) => v !== null && v.members.length === 2);
    expect(majority).toBeDefined();
  });

  it('sees a node that restarts faster than deadtime leave and rejoin as a new incarnation', () => {
    const b = nodeId(2);
    const { log } = scripted(2, [{ atMs: 2000, fault: { kind: 'crash', node: b } }, { atMs: 2050, fault: { kind: 'restart', node: b } }], 5000);
    const down = log.of('node-down').find((e) => e.event.node === b);
    expect(down?.event.reason).toBe('restarted');
    const up = log.of('node-up').find((e) => e.event.node === b && e.at > 2000);
    expect(up?.event.incarnation).toBe(2);
    const final = log.views.get(nodeId(1));
    expect(final?.members).toEqual([
      { id: 1, incarnation: 1 },
      { id: 2, incarnation: 2 },
    ]);
  });

  it('expels a frozen node (SIGSTOP for 3 × deadtime), which learns it and rejoins in a new view', () => {
    const [a, b] = ids(2) as [NodeId, NodeId];
    const { log } = scripted(2, [{ atMs: 2000, fault: { kind: 'pause', node: b } }, { atMs: 2000 + 3 * deadtimeMs, fault: { kind: 'resume', node: b } }], 6000);
    const down = log.of('node-down').find((e) => e.node === a && e.event.node === b);
    expect((down?.at ?? Infinity) - 2000).toBeLessThanOrEqual(deadtimeMs + 5);
    // After it resumes, the frozen node leaves its stale view (declaring its peer dead or learning
    // it was expelled), then both meet again in a view newer than any before the freeze.
    const bViews = log.of('view-change').filter((e) => e.node === b && e.at >= 2000 + 3 * deadtimeMs);
    expect(bViews.length).toBeGreaterThanOrEqual(2);
    expect(memberIds(log.views.get(a))).toEqual([a, b]);
    expect(log.views.get(b)?.id).toEqual(log.views.get(a)?.id);
    const before = log.of('view-change').filter((e) => e.at < 2000).at(-1)?.event.view?.id.seq ?? 0;
    expect(log.views.get(a)?.id.seq).toBeGreaterThan(before);
  });

  it('with wait-for-all, a two-node cluster whose peer never came has no quorum, and gains it when the peer arrives', () => {
    const b = nodeId(2);
    const { log } = scripted(2, [{ atMs: 1, fault: { kind: 'crash', node: b } }, { atMs: 4000, fault: { kind: 'restart', node: b } }], 6000);
    const aQuorum = log.of('quorum-change').filter((e) => e.node === 1);
    expect(aQuorum.filter((e) => e.at < 4000).every((e) => !e.event.quorum.quorate)).toBe(true);
    expect(log.of('view-change').some((e) => e.node === 1 && e.at < 4000 && memberIds(e.event.view).join() === '1')).toBe(true);
    expect(aQuorum.at(-1)?.event.quorum.quorate).toBe(true);
  });
});

// Links after the first are probed (heartbeats every linkProbeIntervalMs) while the first carries
// heartbeats both ways (src/ha/membership/link-rates.ts). What that must not change, over random
// seeds, cluster sizes, link counts and fault times: a node stays alive while any one link delivers
// both ways, and a lost node is detected as fast as before; and what it costs: a probed link's
// failure is reported within its own bound, deadtime x probe interval / keepalive.
describe('membership: probed secondary links', () => {
  const probeMs = defaultTiming.linkProbeIntervalMs ?? keepaliveMs;
  const probedLinkDownMs = (deadtimeMs * probeMs) / keepaliveMs;
  const runs = Math.max(50, Math.floor(seedCount / 5));
  /** A seed and a node count whose run has at least two links (so something is probed). */
  const shapeArb = fc
    .tuple(fc.integer({ min: 0, max: 2 ** 48 }), fc.constantFrom(2, 2, 3, 5))
    .map(([seed, n]) => ({ seed, n, links: membershipOptions(seed, { nodeCount: n }).links }))
    .filter((shape) => shape.links.length >= 2);
  /** Every pair cut both ways on `link`. */
  const cutLink = (atMs: number, nodes: readonly NodeId[], link: string): ScheduledFault[] => [{ atMs, fault: { kind: 'partition', groups: nodes.map((n) => [n]), link } }];
  const fail = (seed: number, n: number, what: string, log: EventLog): never => {
    throw new Error(`seed ${seed}, ${n} nodes: ${what}\n${log.events.map((e) => `${e.at} n${e.node} ${describeMembershipEvent(e.event)}`).join('\n')}`);
  };

  it(`keeps every node alive while any one link delivers, whichever it is and whenever the others fail (${runs} runs)`, () => {
    fc.assert(
      fc.property(shapeArb, fc.nat(), fc.nat(), fc.integer({ min: 2500, max: 3500 }), fc.integer({ min: 0, max: 2000 }), ({ seed, n, links }, keepFirst, keepSecond, firstAt, gapMs) => {
        const nodes = ids(n);
        const survivorA = links[keepFirst % links.length] as string;
        const survivorB = links[keepSecond % links.length] as string;
        const secondAt = firstAt + gapMs;
        // All links but one fail; later they heal and all but a (maybe other) one fail.
        const faults: ScheduledFault[] = [
          ...links.filter((l) => l !== survivorA).flatMap((l) => cutLink(firstAt, nodes, l)),
          { atMs: secondAt, fault: { kind: 'heal' } },
          ...links.filter((l) => l !== survivorB).flatMap((l) => cutLink(secondAt, nodes, l)),
        ];
        const log = new EventLog();
        const run = runMembership(seed, { nodeCount: n, faults, endMs: secondAt + 3000, checkers: [log, new MembershipChecker()] });
        if (run.result.violation !== undefined) fail(seed, n, `${run.result.violation.kind}: ${run.result.violation.message}`, log);
        const downs = log.of('node-down').filter((e) => e.at > 2000);
        if (downs.length > 0) fail(seed, n, `a node was declared down while ${survivorA}, then ${survivorB}, delivered`, log);
      }),
      { numRuns: runs },
    );
  });

  it(`detects a crashed node within deadtime + keepalive, whichever link carried its heartbeats (${runs} runs)`, () => {
    fc.assert(
      fc.property(shapeArb, fc.boolean(), fc.integer({ min: 2500, max: 3000 }), fc.integer({ min: 500, max: 1500 }), ({ seed, n, links }, firstLinkCut, cutAt, crashAfterMs) => {
        const nodes = ids(n);
        const victim = nodeId(n);
        const crashAt = cutAt + crashAfterMs;
        const faults: ScheduledFault[] = [...(firstLinkCut ? cutLink(cutAt, nodes, links[0] as string) : []), { atMs: crashAt, fault: { kind: 'crash', node: victim } }];
        const log = new EventLog();
        runMembership(seed, { nodeCount: n, faults, endMs: crashAt + 2000, checkers: [log] });
        const downs = log.of('node-down').filter((e) => e.event.node === victim && e.at > 2000);
        if (downs.map((e) => e.node).sort((a, b) => a - b).join() !== ids(n - 1).join()) fail(seed, n, `not every survivor declared n${victim} down`, log);
        for (const d of downs) {
          if (d.at - crashAt > deadtimeMs + keepaliveMs || d.at - crashAt < deadtimeMs - keepaliveMs) fail(seed, n, `n${d.node} declared n${victim} down ${d.at - crashAt} ms after the crash`, log);
        }
      }),
      { numRuns: runs },
    );
  });

  it(`reports a probed link down within deadtime x probe interval / keepalive, and keeps its peers alive (${runs} runs)`, () => {
    fc.assert(
      fc.property(shapeArb, fc.nat(), fc.integer({ min: 2500, max: 3500 }), ({ seed, n, links }, pick, cutAt) => {
        const nodes = ids(n);
        const probed = links[1 + (pick % (links.length - 1))] as string;
        const log = new EventLog();
        runMembership(seed, { nodeCount: n, faults: cutLink(cutAt, nodes, probed), endMs: cutAt + probedLinkDownMs + 1000, checkers: [log] });
        if (log.of('node-down').some((e) => e.at > 2000)) fail(seed, n, 'a node was declared down', log);
        const linkDowns = log.of('link-down').filter((e) => e.at > cutAt);
        if (linkDowns.some((e) => e.event.link !== probed)) fail(seed, n, `a link other than ${probed} went down`, log);
        // Every node reports the link down towards every peer, no later than the bound after the cut.
        if (linkDowns.length !== n * (n - 1)) fail(seed, n, `${linkDowns.length} link-down events on ${probed}, expected ${n * (n - 1)}`, log);
        for (const e of linkDowns) if (e.at - cutAt > probedLinkDownMs + 5) fail(seed, n, `n${e.node} reported ${probed} to n${e.event.peer} down ${e.at - cutAt} ms after the cut`, log);
      }),
      { numRuns: runs },
    );
  });
});
