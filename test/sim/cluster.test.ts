// The whole stack under simulation (src/sim/cluster): membership, reliable channel, CIB
// replication, controller, policy and transition engines, simulated LRM and fence device, over
// random seeds with network faults, daemon crashes and freezes, dying resources and failing
// agents. Safety on every step; liveness at the end. A failing seed prints its replay command.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCluster } from '../../src/sim/cluster/cluster-scenario.js';

const SEEDS = Number(process.env.SIM_SEEDS ?? 500);

describe('cluster simulation', () => {
  it(`keeps every exclusive resource on at most one node, the shared disk mounted on at most one, and recovers (${SEEDS} seeds)`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 }), (seed) => {
        const run = runCluster(seed);
        expect(run.result.violation, `${run.replay}\n${JSON.stringify(run.options)}`).toBeUndefined();
      }),
      { numRuns: SEEDS },
    );
  });

  it('the shared-disk checker bites: a Filesystem stop that leaves the disk mounted (umount -l) is caught as a double mount', () => {
    // The same seeds with a broken agent: once the group moves, the old node still has the disk.
    const caught = Array.from({ length: 20 }, (_, seed) => runCluster(seed, { lazyUnmount: true }).result.violation?.message ?? '').filter((message) => /shared disk .* is mounted on n\d+ and n\d+/.test(message));
    expect(caught.length).toBeGreaterThan(0);
  });

  it('replays a seed exactly', () => {
    expect(runCluster(42).result.traceHash).toBe(runCluster(42).result.traceHash);
  });
});
