import { assert, type Millis, type NodeId } from '../../lib/index.js';

/**
 * Failure-detector timing, as in Heartbeat's ha.cf:
 * - keepalive: how often a heartbeat goes out on every link;
 * - warntime: silence after which a peer is logged as late (an early warning; nothing changes);
 * - deadtime: silence after which a peer is declared dead;
 * - initdead: how long after start a node waits for peers it has never heard before it declares
 *   them dead and forms a view without them (networks and switches take time to come up at boot);
 * - linkProbeIntervalMs: how often a link after the carrier (the first link every peer hears this
 *   node on, both ways) carries a heartbeat; absent or not above keepalive: every link carries one
 *   every keepalive. See link-rates.ts.
 */
export interface MembershipTiming {
  readonly keepaliveMs: Millis;
  readonly warntimeMs: Millis;
  readonly deadtimeMs: Millis;
  readonly initdeadMs: Millis;
  readonly linkProbeIntervalMs?: Millis;
}

/**
 * A sender whose carrier link breaks goes back to the full rate on every link within three
 * keepalives of the last heartbeat the peer had from it (link-rates.ts), so probing is safe only
 * when deadtime leaves at least one keepalive beyond that: deadtime >= 4 x keepalive.
 */
export const PROBING_DEADTIME_KEEPALIVES_MIN = 4;

/** Whether the timing slows the links after the carrier (assertMembershipConfig checks deadtime then). */
export function probingEnabled(t: MembershipTiming): boolean {
  return t.linkProbeIntervalMs !== undefined && t.linkProbeIntervalMs > t.keepaliveMs;
}

/** Quorum rules; see quorum.ts. */
export interface QuorumConfig {
  /** Votes needed in total for a strict majority to mean anything; defaults to the sum of all votes. */
  readonly expectedVotes: number;
  /** Two-node mode: a lone survivor of a two-node cluster keeps quorum (fencing settles the split). */
  readonly twoNode: boolean;
  /** No quorum until every configured node has been in one view with this node since it started. */
  readonly waitForAll: boolean;
  /** Ping targets are configured: quorum also needs at least one of them reachable. */
  readonly pingTargets: boolean;
}

export interface MembershipConfig {
  readonly self: NodeId;
  /** Every configured node, this one included, with its votes (usually 1). */
  readonly nodes: readonly { readonly id: NodeId; readonly votes: number }[];
  /** The names of this node's heartbeat links. */
  readonly links: readonly string[];
  readonly timing: MembershipTiming;
  readonly quorum: QuorumConfig;
}

/**
 * Defaults chosen by experiment (docs/MEMBERSHIP.md): 100 ms heartbeats and a 500 ms deadtime
 * detect a dead peer in at most ~0.5 s while the false-positive runs (5 % loss on every link, both
 * CPUs saturated) showed none.
 */
export const defaultTiming: MembershipTiming = {
  keepaliveMs: 100 as Millis,
  warntimeMs: 300 as Millis,
  deadtimeMs: 500 as Millis,
  initdeadMs: 2000 as Millis,
  linkProbeIntervalMs: 500 as Millis,
};

/** The default probe interval for a keepalive: five keepalives, off when deadtime is too short to probe safely. */
export function defaultLinkProbeIntervalMs(keepaliveMs: Millis, deadtimeMs: Millis): Millis {
  return (deadtimeMs >= PROBING_DEADTIME_KEEPALIVES_MIN * keepaliveMs ? 5 * keepaliveMs : keepaliveMs) as Millis;
}

/** Asserts the relations between the settings that the protocol depends on. */
export function assertMembershipConfig(config: MembershipConfig): void {
  const t = config.timing;
  assert(t.keepaliveMs > 0 && t.keepaliveMs < t.warntimeMs && t.warntimeMs < t.deadtimeMs && t.deadtimeMs <= t.initdeadMs, `timing must satisfy 0 < keepalive < warntime < deadtime <= initdead, got ${t.keepaliveMs}/${t.warntimeMs}/${t.deadtimeMs}/${t.initdeadMs}`);
  if (t.linkProbeIntervalMs !== undefined && t.linkProbeIntervalMs > t.keepaliveMs) {
    assert(t.deadtimeMs >= PROBING_DEADTIME_KEEPALIVES_MIN * t.keepaliveMs, `probing secondary links needs deadtime >= ${PROBING_DEADTIME_KEEPALIVES_MIN} x keepalive, got ${t.deadtimeMs}/${t.keepaliveMs}`);
  }
  assert(config.nodes.some((n) => n.id === config.self), `node n${config.self} is not among the configured nodes`);
  assert(new Set(config.nodes.map((n) => n.id)).size === config.nodes.length, 'node ids must be unique');
  assert(config.links.length > 0, 'at least one link is needed');
  assert(config.quorum.expectedVotes >= 1, 'expected votes must be at least 1');
}
