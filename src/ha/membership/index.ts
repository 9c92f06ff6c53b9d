// Membership (the CCM): failure detection over redundant links, agreed views with a DC, quorum.
// A pure core: the daemon's heartbeat worker and the simulator drive it.
export { chooseCandidate } from './connectivity.js';
export type { ConnectivityKnowledge } from './connectivity.js';
export { FailureDetector } from './failure-detector.js';
export type { DetectorEvent, NodeDownReason, PeerStatus } from './failure-detector.js';
export { LinkHealth } from './link-health.js';
export type { LinkEvent, LinkPeerHealth } from './link-health.js';
export { LinkRates } from './link-rates.js';
export type { PlannedBeat } from './link-rates.js';
export { PROBING_DEADTIME_KEEPALIVES_MIN, assertMembershipConfig, defaultLinkProbeIntervalMs, defaultTiming, probingEnabled } from './membership-config.js';
export type { MembershipConfig, MembershipTiming, QuorumConfig } from './membership-config.js';
export { Membership, chooseDc } from './membership.js';
export type { MembershipEffect, MembershipEvent, MembershipInput, MembershipStatus, PeerSummary } from './membership.js';
export { MAX_MEMBERS, decodeMembershipMessage, encodeMembershipMessage } from './message-codec.js';
export type { AckMessage, CommitMessage, Echo, HeartbeatMessage, LeaveMessage, MembershipMessage, ProposeMessage } from './messages.js';
export { evaluateQuorum } from './quorum.js';
export type { QuorumInputs, QuorumState } from './quorum.js';
export { compareViewIds, formatMembers, formatView, formatViewId, hasMember, sameMembers, sortMembers } from './view.js';
export type { Member, View, ViewId } from './view.js';
