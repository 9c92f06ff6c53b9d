// Properties of the policy engine over generated CIBs (1-4 nodes in random states, primitives
// running in random places, location, colocation and order constraints, one clone):
// - scheduling is deterministic: the same CIB gives the same result;
// - no exclusive resource (a primitive outside a clone) is placed on two nodes, and no two
//   instances of a clone share a node (clone-node-max is 1);
// - every mandatory start order between two starts in the graph is an edge of the graph.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCib, dummy, running, type CibSpec, type NodeSpec } from '../../unit/ha/policy/cib-builder.js';
import { schedule } from '../../../src/ha/policy/index.js';

const STATES = ['online', 'online', 'online', 'offline', 'unclean', 'standby'] as const;

const specArbitrary: fc.Arbitrary<CibSpec> = fc
  .record({
    nodeStates: fc.array(fc.constantFrom(...STATES), { minLength: 1, maxLength: 4 }),
    resourceCount: fc.integer({ min: 1, max: 5 }),
    placements: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 5, maxLength: 5 }),
    locations: fc.array(fc.record({ rsc: fc.integer({ min: 0, max: 4 }), node: fc.integer({ min: 0, max: 3 }), score: fc.constantFrom('INFINITY', '-INFINITY', '100', '-50') }), { maxLength: 4 }),
    colocations: fc.array(fc.record({ a: fc.integer({ min: 0, max: 4 }), b: fc.integer({ min: 0, max: 4 }), score: fc.constantFrom('INFINITY', '-INFINITY', '50') }), { maxLength: 3 }),
    orders: fc.array(fc.record({ a: fc.integer({ min: 0, max: 4 }), b: fc.integer({ min: 0, max: 4 }) }), { maxLength: 3 }),
    stonith: fc.boolean(),
    quorum: fc.boolean(),
  })
  .map((g) => {
    const names = Array.from({ length: g.resourceCount }, (_, i) => `r${i}`);
    const nodes: NodeSpec[] = g.nodeStates.map((state, i) => {
      const lrm = names.filter((_, r) => g.placements[r] === i).map(running).join('');
      return { name: `node${i}`, state, lrm: lrm + (state === 'online' ? running('c') : '') };
    });
    const ok = (i: number): boolean => i < g.resourceCount;
    const constraints =
      g.locations.filter((l) => ok(l.rsc) && l.node < nodes.length).map((l, i) => `<rsc_location id="l${i}" rsc="r${l.rsc}" node="node${l.node}" score="${l.score}"/>`).join('') +
      g.colocations.filter((c) => ok(c.a) && ok(c.b) && c.a !== c.b).map((c, i) => `<rsc_colocation id="c${i}" rsc="r${c.a}" with-rsc="r${c.b}" score="${c.score}"/>`).join('') +
      g.orders.filter((o) => ok(o.a) && ok(o.b) && o.a !== o.b).map((o, i) => `<rsc_order id="o${i}" first="r${o.a}" then="r${o.b}"/>`).join('');
    return {
      nodes,
      resources: names.map((n) => dummy(n)).join('') + `<clone id="cl">${dummy('c')}</clone>`,
      constraints,
      quorum: g.quorum,
      options: { 'stonith-enabled': String(g.stonith) },
    };
  });

describe('policy engine properties', () => {
  it('is deterministic', () => {
    fc.assert(
      fc.property(specArbitrary, (spec) => {
        const cib = buildCib(spec);
        expect(schedule(cib, { now: 1 })).toEqual(schedule(cib, { now: 1 }));
      }),
      { numRuns: 150 },
    );
  });

  it('never places an exclusive resource on two nodes, nor two clone instances on one node', () => {
    fc.assert(
      fc.property(specArbitrary, (spec) => {
        const result = schedule(buildCib(spec), { now: 1 });
        for (const d of result.decisions) {
          const starts = result.graph.actions.filter((a) => a.kind === 'start' && a.resource === d.resource);
          expect(starts.length).toBeLessThanOrEqual(1);
          if (starts[0] !== undefined) expect(starts[0].node).toBe(d.next);
        }
        const cloneNodes = result.decisions.filter((d) => d.resource.startsWith('c:') && d.next !== undefined).map((d) => d.next);
        expect(new Set(cloneNodes).size).toBe(cloneNodes.length);
      }),
      { numRuns: 150 },
    );
  });

  it('turns every mandatory order between two starts in the graph into an edge', () => {
    fc.assert(
      fc.property(specArbitrary, (spec) => {
        const result = schedule(buildCib(spec), { now: 1 });
        const orders = [...(spec.constraints ?? '').matchAll(/<rsc_order id="[^"]+" first="([^"]+)" then="([^"]+)"\/>/g)];
        for (const [, first, then] of orders) {
          const a = result.graph.actions.find((x) => x.kind === 'start' && x.resource === first);
          const b = result.graph.actions.find((x) => x.kind === 'start' && x.resource === then);
          if (a === undefined || b === undefined) continue;
          expect(result.graph.edges).toContainEqual({ before: a.id, after: b.id });
        }
      }),
      { numRuns: 150 },
    );
  });
});
