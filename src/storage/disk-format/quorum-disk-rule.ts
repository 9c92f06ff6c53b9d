/**
 * The quorum disk's rule for a two-node cluster, pure so that the daemon, the simulator and the
 * tests apply the same one: with both nodes in the view, quorum is what membership says; with one
 * node alone in a two-node cluster (a full split, or the peer down), the node has quorum exactly
 * while it holds the lease. Only one node can hold the lease (quorum-lease.ts), so at most one side
 * of a split is quorate, and the other side neither runs resources nor fences (no quorum, no
 * fencing), so it never fences the lease holder. Clusters of more than two nodes keep their
 * majority rule (a quorum disk's vote for them is not implemented).
 */
export interface QuorumDiskInput {
  readonly configuredNodes: number;
  readonly members: number;
  readonly membershipQuorate: boolean;
  readonly holdsLease: boolean;
}

export function quorateWithQuorumDisk(input: QuorumDiskInput): boolean {
  if (input.configuredNodes !== 2) return input.membershipQuorate;
  if (input.members >= 2) return input.membershipQuorate;
  return input.holdsLease;
}
