import type { NodeId } from '../../lib/index.js';
import type { Member, View, ViewId } from './view.js';

/**
 * The messages of the membership protocol. Each carries its sender's incarnation, so that a
 * message from before a restart is recognised and ignored.
 *
 * - heartbeat: sent on every link every keepalive (links after the carrier: every probe interval). Besides "I am alive" it gossips what the sender
 *   hears (so receivers can tell mutual from one-way connectivity), its installed view (so a member
 *   that missed a commit, or was expelled, finds out within one keepalive) and, per peer, the last
 *   beat it received on this link with how long it held it (so the peer can measure the RTT).
 * - propose / ack / commit: the two-phase creation of a new view by its proposer.
 * - leave: a node shutting down cleanly, so peers need not wait deadtime.
 */
export interface Echo {
  readonly node: NodeId;
  readonly beat: number;
  readonly holdMs: number;
}

export interface HeartbeatMessage {
  readonly type: 'heartbeat';
  readonly incarnation: number;
  /** Per (sender, link) counter: gaps measure loss on that link. */
  readonly beat: number;
  readonly hears: readonly Member[];
  readonly view: View | null;
  readonly echoes: readonly Echo[];
  /**
   * The sender's promise: its next heartbeat on this link leaves within this many milliseconds.
   * Absent means keepalive; present only on a link the sender probes (link-rates.ts), so that a
   * full-rate heartbeat is encoded exactly as before this field existed.
   */
  readonly intervalMs?: number;
}

export interface ProposeMessage {
  readonly type: 'propose';
  readonly incarnation: number;
  readonly viewId: ViewId;
  readonly members: readonly Member[];
}

export interface AckMessage {
  readonly type: 'ack';
  readonly incarnation: number;
  readonly viewId: ViewId;
  readonly accepted: boolean;
  /**
   * The highest view id the acking node has promised. On a rejection it tells the proposer which seq
   * to beat: without it, a proposer whose proposals lose to a higher promise it never saw (made to
   * another proposer it cannot hear) would propose too low for ever.
   */
  readonly promised: ViewId | null;
  /** The acking node's installed view, so the proposer can keep the current DC. */
  readonly current: View | null;
}

export interface CommitMessage {
  readonly type: 'commit';
  readonly incarnation: number;
  readonly view: View;
}

export interface LeaveMessage {
  readonly type: 'leave';
  readonly incarnation: number;
}

export type MembershipMessage = HeartbeatMessage | ProposeMessage | AckMessage | CommitMessage | LeaveMessage;
