// The simulated network's fault model: cuts are one-way, partitions two-way, heal undoes both, and
// per-link conditions decide loss and duplication.
import { describe, expect, it } from 'vitest';
import { SeededRandom, nodeId } from '../../../src/lib/index.js';
import { SimNetwork, perfectLink } from '../../../src/sim/index.js';

const [n1, n2, n3] = [nodeId(1), nodeId(2), nodeId(3)];

describe('SimNetwork', () => {
  it('delivers every packet on a perfect link exactly once', () => {
    const network = new SimNetwork(new SeededRandom(1), perfectLink);
    for (let i = 0; i < 100; i++) expect(network.transmit(n1, n2)).toEqual({ kind: 'delivered', delaysMs: [1] });
  });

  it('cuts one direction only', () => {
    const network = new SimNetwork(new SeededRandom(1), perfectLink);
    network.cut(n1, n2);
    expect(network.transmit(n1, n2).kind).toBe('blocked');
    expect(network.transmit(n2, n1).kind).toBe('delivered');
  });

  it('partitions both ways between groups but not within one, until healed', () => {
    const network = new SimNetwork(new SeededRandom(1), perfectLink);
    network.partition([[n1], [n2, n3]]);
    expect(network.transmit(n1, n2).kind).toBe('blocked');
    expect(network.transmit(n3, n1).kind).toBe('blocked');
    expect(network.transmit(n2, n3).kind).toBe('delivered');
    network.heal();
    expect(network.transmit(n1, n2).kind).toBe('delivered');
  });

  it('applies per-link loss and duplication in one direction only', () => {
    const network = new SimNetwork(new SeededRandom(1), perfectLink);
    network.setLink(n1, n2, { ...perfectLink, lossRate: 1 });
    network.setLink(n2, n1, { ...perfectLink, duplicateRate: 1 });
    expect(network.transmit(n1, n2).kind).toBe('lost');
    const back = network.transmit(n2, n1);
    expect(back.kind === 'delivered' && back.delaysMs.length).toBe(2);
  });

  it('draws delays within the link bounds, plus a hold-back when reordering', () => {
    const network = new SimNetwork(new SeededRandom(5), { ...perfectLink, delayMinMs: 10, delayMaxMs: 20, reorderRate: 0.5 });
    let heldBack = 0;
    for (let i = 0; i < 1000; i++) {
      const outcome = network.transmit(n1, n2);
      if (outcome.kind !== 'delivered') throw new Error('perfect loss rate lost a packet');
      const delay = outcome.delaysMs[0] ?? 0;
      expect(delay).toBeGreaterThanOrEqual(10);
      expect(delay).toBeLessThanOrEqual(20 + 41);
      if (delay > 20) heldBack++;
    }
    expect(heldBack).toBeGreaterThan(300);
  });
});
