import type { NodeId } from '../../lib/index.js';
import type { QuorumConfig } from './membership-config.js';
import type { Member } from './view.js';

export interface QuorumState {
  readonly quorate: boolean;
  readonly votes: number;
  readonly expectedVotes: number;
  /** Votes needed: a strict majority of expected votes, or 1 in two-node mode. */
  readonly needed: number;
  /** Why there is no quorum, in words for `heartline members`; null when quorate. */
  readonly reason: string | null;
}

export interface QuorumInputs {
  readonly members: readonly Member[] | null;
  readonly votesOf: (node: NodeId) => number;
  /** Every configured node has been in one view with this node since it started. */
  readonly seenAll: boolean;
  /** At least one ping target answered recently; undefined before the first answer. */
  readonly pingTargetsReachable: boolean | undefined;
}

/**
 * Quorum, as votequorum defines it:
 * - a view is quorate when its members' votes reach a strict majority of the expected votes;
 * - two-node mode lowers that to one vote, so the survivor of a two-node split keeps running (the
 *   fence race decides which survivor that is), but with wait-for-all only after this node has
 *   seen its peer once since it started — a node that boots alone must not start services that
 *   may already run on a peer it cannot see;
 * - with ping targets configured, a node that reaches none of them gives up quorum (it is the one
 *   cut off from the network, so it should lose a split).
 */
export function evaluateQuorum(config: QuorumConfig, inputs: QuorumInputs): QuorumState {
  const votes = (inputs.members ?? []).reduce((sum, m) => sum + inputs.votesOf(m.id), 0);
  const needed = config.twoNode ? 1 : Math.floor(config.expectedVotes / 2) + 1;
  const state = (reason: string | null): QuorumState => ({ quorate: reason === null, votes, expectedVotes: config.expectedVotes, needed, reason });
  if (inputs.members === null) return state('not a member of any view yet');
  if (votes < needed) return state(`${votes} of ${config.expectedVotes} votes present, ${needed} needed`);
  if (config.waitForAll && !inputs.seenAll) return state('wait-for-all: every node must have been seen together once since start');
  if (config.pingTargets && inputs.pingTargetsReachable !== true) return state('no ping target reachable');
  return state(null);
}
