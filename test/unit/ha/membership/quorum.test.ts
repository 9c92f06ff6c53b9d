// evaluateQuorum as one table: each row is a quorum configuration, the view's members with their
// votes, whether every node has been seen and whether a ping target answers, and the expected
// verdict (quorate, votes, needed, and the reason in words when there is no quorum).
import { describe, expect, it } from 'vitest';
import { nodeId, type NodeId } from '../../../../src/lib/index.js';
import { evaluateQuorum, type QuorumConfig, type QuorumState } from '../../../../src/ha/membership/index.js';

const plain: QuorumConfig = { expectedVotes: 3, twoNode: false, waitForAll: false, pingTargets: false };

interface Row {
  readonly name: string;
  readonly config: Partial<QuorumConfig>;
  /** Member ids of the view, or null for no view. */
  readonly members: readonly number[] | null;
  /** Votes per node id; 1 when absent. */
  readonly votes?: Readonly<Record<number, number>>;
  readonly seenAll?: boolean;
  readonly ping?: boolean;
  readonly expected: Omit<QuorumState, 'expectedVotes'>;
}

const NOT_IN_VIEW = 'not a member of any view yet';
const WAIT = 'wait-for-all: every node must have been seen together once since start';
const NO_PING = 'no ping target reachable';

const rows: readonly Row[] = [
  { name: 'majority: 2 of 3', config: {}, members: [1, 2], expected: { quorate: true, votes: 2, needed: 2, reason: null } },
  { name: 'all 3 of 3', config: {}, members: [1, 2, 3], expected: { quorate: true, votes: 3, needed: 2, reason: null } },
  { name: 'minority: 1 of 3', config: {}, members: [1], expected: { quorate: false, votes: 1, needed: 2, reason: '1 of 3 votes present, 2 needed' } },
  { name: 'majority: 3 of 5', config: { expectedVotes: 5 }, members: [1, 3, 5], expected: { quorate: true, votes: 3, needed: 3, reason: null } },
  { name: 'minority: 2 of 5', config: { expectedVotes: 5 }, members: [4, 5], expected: { quorate: false, votes: 2, needed: 3, reason: '2 of 5 votes present, 3 needed' } },
  { name: 'even split 2 of 4 without two_node: no quorum', config: { expectedVotes: 4 }, members: [1, 2], expected: { quorate: false, votes: 2, needed: 3, reason: '2 of 4 votes present, 3 needed' } },
  { name: 'even split 1 of 2 without two_node: no quorum', config: { expectedVotes: 2 }, members: [1], expected: { quorate: false, votes: 1, needed: 2, reason: '1 of 2 votes present, 2 needed' } },
  { name: 'both of 2 without two_node', config: { expectedVotes: 2 }, members: [1, 2], expected: { quorate: true, votes: 2, needed: 2, reason: null } },
  { name: 'two_node: one vote suffices', config: { expectedVotes: 2, twoNode: true }, members: [2], expected: { quorate: true, votes: 1, needed: 1, reason: null } },
  { name: 'two_node: both', config: { expectedVotes: 2, twoNode: true }, members: [1, 2], expected: { quorate: true, votes: 2, needed: 1, reason: null } },
  { name: 'two_node + wait_for_all before seeing the peer: no quorum', config: { expectedVotes: 2, twoNode: true, waitForAll: true }, members: [1], seenAll: false, expected: { quorate: false, votes: 1, needed: 1, reason: WAIT } },
  { name: 'two_node + wait_for_all after seeing the peer: the survivor keeps quorum', config: { expectedVotes: 2, twoNode: true, waitForAll: true }, members: [1], seenAll: true, expected: { quorate: true, votes: 1, needed: 1, reason: null } },
  { name: 'wait_for_all with everyone present but not yet marked seen', config: { waitForAll: true }, members: [1, 2, 3], seenAll: false, expected: { quorate: false, votes: 3, needed: 2, reason: WAIT } },
  { name: 'wait_for_all after seenAll: plain majority', config: { waitForAll: true }, members: [1, 2], seenAll: true, expected: { quorate: true, votes: 2, needed: 2, reason: null } },
  { name: 'wait_for_all does not rescue a minority', config: { waitForAll: true }, members: [1], seenAll: true, expected: { quorate: false, votes: 1, needed: 2, reason: '1 of 3 votes present, 2 needed' } },
  { name: 'ping targets unknown (no answer yet): no quorum', config: { pingTargets: true }, members: [1, 2], expected: { quorate: false, votes: 2, needed: 2, reason: NO_PING } },
  { name: 'ping targets unreachable: no quorum', config: { pingTargets: true }, members: [1, 2, 3], ping: false, expected: { quorate: false, votes: 3, needed: 2, reason: NO_PING } },
  { name: 'ping targets reachable', config: { pingTargets: true }, members: [1, 2], ping: true, expected: { quorate: true, votes: 2, needed: 2, reason: null } },
  { name: 'ping targets reachable do not rescue a minority', config: { pingTargets: true }, members: [1], ping: true, expected: { quorate: false, votes: 1, needed: 2, reason: '1 of 3 votes present, 2 needed' } },
  { name: 'ping targets unreachable in two_node: the isolated survivor gives up', config: { expectedVotes: 2, twoNode: true, pingTargets: true }, members: [1], ping: false, expected: { quorate: false, votes: 1, needed: 1, reason: NO_PING } },
  { name: 'ping targets not configured: their state is ignored', config: {}, members: [1, 2], ping: false, expected: { quorate: true, votes: 2, needed: 2, reason: null } },
  { name: 'no view', config: {}, members: null, expected: { quorate: false, votes: 0, needed: 2, reason: NOT_IN_VIEW } },
  { name: 'no view in two_node', config: { expectedVotes: 2, twoNode: true }, members: null, seenAll: true, ping: true, expected: { quorate: false, votes: 0, needed: 1, reason: NOT_IN_VIEW } },
  { name: 'weighted votes: one heavy node is a majority', config: { expectedVotes: 5 }, members: [1], votes: { 1: 3 }, expected: { quorate: true, votes: 3, needed: 3, reason: null } },
  { name: 'weighted votes: zero-vote members add nothing', config: { expectedVotes: 3 }, members: [1, 2, 3], votes: { 2: 0, 3: 0 }, expected: { quorate: false, votes: 1, needed: 2, reason: '1 of 3 votes present, 2 needed' } },
  { name: 'expected votes 1', config: { expectedVotes: 1 }, members: [1], expected: { quorate: true, votes: 1, needed: 1, reason: null } },
];

describe('evaluateQuorum', () => {
  for (const row of rows) {
    it(row.name, () => {
      const config: QuorumConfig = { ...plain, ...row.config };
      const state = evaluateQuorum(config, {
        members: row.members === null ? null : row.members.map((id) => ({ id: nodeId(id), incarnation: 1 })),
        votesOf: (node: NodeId) => row.votes?.[node] ?? 1,
        seenAll: row.seenAll ?? false,
        pingTargetsReachable: row.ping,
      });
      expect(state).toEqual({ ...row.expected, expectedVotes: config.expectedVotes });
    });
  }
});
