// Properties of the transition engine over random acyclic graphs and random result orders:
// - an action is dispatched only after every predecessor has succeeded, and at most once;
// - never more than batch-limit actions, and never two fences (without concurrent fencing), in flight;
// - actions marked not runnable, and everything after them, never run;
// - with every action succeeding the graph completes with every other action done; after a
//   failure nothing new is dispatched and the graph is reported failed exactly once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { millis } from '../../../src/lib/index.js';
import { TransitionEngine, type GraphAction, type TransitionEffect } from '../../../src/ha/transition/index.js';

const KINDS = ['start', 'stop', 'monitor', 'fence', 'pseudo', 'promote'] as const;

const graphArbitrary = fc
  .record({
    kinds: fc.array(fc.constantFrom(...KINDS), { minLength: 0, maxLength: 25 }),
    edges: fc.array(fc.tuple(fc.nat(24), fc.nat(24)), { maxLength: 40 }),
    blocked: fc.array(fc.nat(24), { maxLength: 3 }),
  })
  .map(({ kinds, edges, blocked }) => {
    const actions: GraphAction[] = kinds.map((kind, i) => ({ id: `a${i}`, kind, node: `n${i % 3}`, interval: 0, optional: false, runnable: !blocked.includes(i) }));
    // Only forward edges, so the graph is acyclic.
    const es = edges.filter(([x, y]) => x < y && y < kinds.length).map(([x, y]) => ({ before: `a${x}`, after: `a${y}` }));
    return { actions, edges: es };
  });

function unrunnableClosure(graph: { actions: readonly GraphAction[]; edges: readonly { before: string; after: string }[] }): Set<string> {
  const out = new Set(graph.actions.filter((a) => a.runnable === false).map((a) => a.id));
  for (const a of graph.actions) for (const e of graph.edges) if (e.after === a.id && out.has(e.before)) out.add(a.id);
  return out;
}

describe('TransitionEngine properties', () => {
  it('respects order, batch limit, fencing concurrency and runnable flags', () => {
    fc.assert(
      fc.property(graphArbitrary, fc.integer({ min: 0, max: 4 }), fc.array(fc.nat(1000), { minLength: 200, maxLength: 200 }), fc.option(fc.nat(30)), (graph, batchLimit, picks, failAt) => {
        const te = new TransitionEngine({ batchLimit, concurrentFencing: false, resultTimeout: () => millis(1000) });
        const done = new Set<string>();
        const started = new Set<string>();
        const inFlight: string[] = [];
        const completions: TransitionEffect[] = [];
        let failed = false;
        const before = new Map<string, string[]>();
        for (const e of graph.edges) before.set(e.after, [...(before.get(e.after) ?? []), e.before]);
        const pseudoDone = (id: string): boolean => graph.actions.find((a) => a.id === id)?.kind === 'pseudo';
        const absorb = (effects: readonly TransitionEffect[]): void => {
          for (const e of effects) {
            if (e.kind === 'transition-complete') completions.push(e);
            if (e.kind !== 'execute' && e.kind !== 'fence') continue;
            expect(failed).toBe(false);
            expect(started.has(e.action.id)).toBe(false);
            for (const b of before.get(e.action.id) ?? []) expect(done.has(b) || pseudoDone(b)).toBe(true);
            started.add(e.action.id);
            inFlight.push(e.action.id);
          }
          if (batchLimit > 0) expect(inFlight.length).toBeLessThanOrEqual(batchLimit);
          expect(inFlight.filter((id) => id.startsWith('a') && graph.actions.find((a) => a.id === id)?.kind === 'fence').length).toBeLessThanOrEqual(1);
        };
        absorb(te.step(millis(0), { kind: 'run', graphId: 1, graph }));
        let step = 0;
        while (inFlight.length > 0) {
          const [id] = inFlight.splice((picks[step % picks.length] as number) % inFlight.length, 1);
          const ok = failAt === null || step !== failAt;
          if (!ok) failed = true;
          if (ok) done.add(id as string);
          absorb(te.step(millis(step), { kind: 'action-result', graphId: 1, actionId: id as string, ok }));
          step++;
        }
        expect(completions).toHaveLength(1);
        const blocked = unrunnableClosure(graph);
        for (const id of blocked) expect(started.has(id)).toBe(false);
        const real = graph.actions.filter((a) => a.kind !== 'pseudo' && !blocked.has(a.id));
        if (!failed) {
          expect(completions[0]).toMatchObject({ status: 'complete' });
          for (const a of real) expect(started.has(a.id)).toBe(true);
        } else {
          expect(completions[0]).toMatchObject({ status: 'failed' });
        }
      }),
      { numRuns: 500 },
    );
  });
});
