import { randomChance, randomInt, type NodeId, type Random } from '../lib/index.js';

/**
 * The conditions of one direction of one simulated link. Loss, duplication and delay are drawn per
 * packet; reordering comes from delay jitter plus, with `reorderRate`, an extra hold-back that lets
 * later packets overtake.
 */
export interface LinkConditions {
  readonly lossRate: number;
  readonly duplicateRate: number;
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
  readonly reorderRate: number;
}

export const perfectLink: LinkConditions = {
  lossRate: 0,
  duplicateRate: 0,
  delayMinMs: 1,
  delayMaxMs: 1,
  reorderRate: 0,
};

/** What happened to one packet: the delays (ms from now) of each copy that will arrive. */
export type TransmitOutcome =
  | { readonly kind: 'blocked' }
  | { readonly kind: 'lost' }
  | { readonly kind: 'delivered'; readonly delaysMs: readonly number[] };

/**
 * SimNetwork: the simulated wire between N nodes. It decides each packet's fate from the per-link
 * conditions, the partitions and the asymmetric cuts currently in force, using its own Random so
 * that a protocol's draws never shift the network's. Timing is the Simulation's job.
 */
export class SimNetwork {
  private readonly overrides = new Map<string, LinkConditions>();
  private readonly cuts = new Set<string>();

  constructor(
    private readonly random: Random,
    private defaults: LinkConditions,
  ) {}

  /** Sets the conditions of every link that has no override. */
  setDefaults(conditions: LinkConditions): void {
    this.defaults = conditions;
  }

  /**
   * Sets the conditions of the one direction from → to (asymmetric loss, a slow path), on one
   * named link or, without `link`, on every link of that pair.
   */
  setLink(from: NodeId, to: NodeId, conditions: LinkConditions, link?: string): void {
    this.overrides.set(key(from, to, link), conditions);
  }

  /** Blocks every packet from → to (on one link, or on all) until healed; the other direction is untouched. */
  cut(from: NodeId, to: NodeId, link?: string): void {
    this.cuts.add(key(from, to, link));
  }

  /** Splits the nodes into groups that hear only their own group (on one link, or on all). */
  partition(groups: readonly (readonly NodeId[])[], link?: string): void {
    for (const a of groups) {
      for (const b of groups) {
        if (a === b) continue;
        for (const from of a) for (const to of b) this.cuts.add(key(from, to, link));
      }
    }
  }

  /** Removes every cut, partition and per-link override. */
  heal(): void {
    this.cuts.clear();
    this.overrides.clear();
  }

  conditions(from: NodeId, to: NodeId, link?: string): LinkConditions {
    return (link === undefined ? undefined : this.overrides.get(key(from, to, link))) ?? this.overrides.get(key(from, to)) ?? this.defaults;
  }

  isCut(from: NodeId, to: NodeId, link?: string): boolean {
    return this.cuts.has(key(from, to)) || (link !== undefined && this.cuts.has(key(from, to, link)));
  }

  /** Decides the fate of one packet from → to on `link` (or on the pair's only path when links are not modelled). */
  transmit(from: NodeId, to: NodeId, linkName?: string): TransmitOutcome {
    if (this.isCut(from, to, linkName)) return { kind: 'blocked' };
    const link = this.conditions(from, to, linkName);
    if (randomChance(this.random, link.lossRate)) return { kind: 'lost' };
    const copies = randomChance(this.random, link.duplicateRate) ? 2 : 1;
    const delaysMs: number[] = [];
    for (let i = 0; i < copies; i++) {
      let delay = randomInt(this.random, link.delayMinMs, link.delayMaxMs);
      if (randomChance(this.random, link.reorderRate)) delay += randomInt(this.random, 1, 2 * link.delayMaxMs + 1);
      delaysMs.push(delay);
    }
    return { kind: 'delivered', delaysMs };
  }
}

function key(from: NodeId, to: NodeId, link?: string): string {
  return link === undefined ? `${from}>${to}` : `${from}>${to}@${link}`;
}
