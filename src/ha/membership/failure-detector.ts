import type { Millis, NodeId } from '../../lib/index.js';
import type { MembershipTiming } from './membership-config.js';

export type PeerStatus = 'unknown' | 'alive' | 'dead';

export type NodeDownReason = 'deadtime' | 'initdead' | 'restarted' | 'left';

/** What the detector concluded from an input. */
export type DetectorEvent =
  | { readonly kind: 'node-up'; readonly node: NodeId; readonly incarnation: number }
  | { readonly kind: 'node-down'; readonly node: NodeId; readonly incarnation: number; readonly reason: NodeDownReason; readonly silentMs: number }
  | { readonly kind: 'peer-late'; readonly node: NodeId; readonly silentMs: number };

interface PeerState {
  status: PeerStatus;
  incarnation: number;
  lastHeard: number;
  /** False until the first message: lastHeard is then the detector's start, not a real hearing. */
  heardOnce: boolean;
  warned: boolean;
  /** The current incarnation sent a leave: it sends nothing more, so later messages of it are stale. */
  left: boolean;
}

/**
 * FailureDetector: Heartbeat's timing rules over every link at once. A peer is alive while any
 * message from its current incarnation arrived within deadtime on any link; late after warntime;
 * dead after deadtime. A peer never heard since this node started gets initdead instead of
 * deadtime. A message from a newer incarnation means the peer restarted: it goes down (reason
 * `restarted`) and comes up again as the new incarnation; messages from older incarnations are
 * stale and ignored.
 *
 * Pure: the caller passes `now` and asks for `nextDeadline()` to set its timer, so the detector
 * declares a peer dead at the exact millisecond its deadtime runs out, not at the next tick.
 */
export class FailureDetector {
  private readonly peers = new Map<NodeId, PeerState>();

  constructor(
    private readonly timing: MembershipTiming,
    peers: readonly NodeId[],
    private readonly startedAt: Millis,
  ) {
    for (const id of peers) this.peers.set(id, { status: 'unknown', incarnation: 0, lastHeard: startedAt, heardOnce: false, warned: false, left: false });
  }

  /**
   * Whether `incarnation` is current or newer for this peer. Older ones are stale and must be
   * ignored, and so is the current one once it has left (anything of it arriving later was sent
   * before the leave and overtaken by it).
   */
  isCurrent(node: NodeId, incarnation: number): boolean {
    const peer = this.peers.get(node);
    return peer !== undefined && (incarnation > peer.incarnation || (incarnation === peer.incarnation && !peer.left));
  }

  /** Records a message from `node` in `incarnation`; returns the up/down events it implies. */
  heard(node: NodeId, incarnation: number, now: Millis): DetectorEvent[] {
    const peer = this.peers.get(node);
    if (peer === undefined || !this.isCurrent(node, incarnation)) return [];
    const events: DetectorEvent[] = [];
    if (incarnation > peer.incarnation && peer.status === 'alive') {
      events.push({ kind: 'node-down', node, incarnation: peer.incarnation, reason: 'restarted', silentMs: now - peer.lastHeard });
      peer.status = 'dead';
    }
    peer.incarnation = incarnation;
    peer.lastHeard = now;
    peer.heardOnce = true;
    peer.warned = false;
    peer.left = false;
    if (peer.status !== 'alive') {
      peer.status = 'alive';
      events.push({ kind: 'node-up', node, incarnation });
    }
    return events;
  }

  /** A peer said it is leaving (clean shutdown): it is dead now, without waiting for deadtime. */
  left(node: NodeId, incarnation: number, now: Millis): DetectorEvent[] {
    const peer = this.peers.get(node);
    if (peer === undefined || incarnation !== peer.incarnation || peer.status !== 'alive') return [];
    peer.status = 'dead';
    peer.left = true;
    return [{ kind: 'node-down', node, incarnation, reason: 'left', silentMs: now - peer.lastHeard }];
  }

  /** Applies the deadlines that have passed by `now`. */
  check(now: Millis): DetectorEvent[] {
    const events: DetectorEvent[] = [];
    for (const [node, peer] of this.peers) {
      const silentMs = now - peer.lastHeard;
      if (peer.status === 'alive') {
        if (silentMs >= this.timing.deadtimeMs) {
          peer.status = 'dead';
          events.push({ kind: 'node-down', node, incarnation: peer.incarnation, reason: 'deadtime', silentMs });
        } else if (!peer.warned && silentMs >= this.timing.warntimeMs) {
          peer.warned = true;
          events.push({ kind: 'peer-late', node, silentMs });
        }
      } else if (peer.status === 'unknown' && now - this.startedAt >= this.timing.initdeadMs) {
        peer.status = 'dead';
        events.push({ kind: 'node-down', node, incarnation: 0, reason: 'initdead', silentMs });
      }
    }
    return events;
  }

  /** The earliest time at which `check` could change something, or undefined when nothing is pending. */
  nextDeadline(): Millis | undefined {
    let next = Number.POSITIVE_INFINITY;
    for (const peer of this.peers.values()) {
      if (peer.status === 'alive') next = Math.min(next, peer.lastHeard + (peer.warned ? this.timing.deadtimeMs : this.timing.warntimeMs));
      else if (peer.status === 'unknown') next = Math.min(next, this.startedAt + this.timing.initdeadMs);
    }
    return Number.isFinite(next) ? (next as Millis) : undefined;
  }

  status(node: NodeId): PeerStatus {
    return this.peers.get(node)?.status ?? 'dead';
  }

  incarnation(node: NodeId): number {
    return this.peers.get(node)?.incarnation ?? 0;
  }

  lastHeard(node: NodeId): number | undefined {
    const peer = this.peers.get(node);
    return peer === undefined || !peer.heardOnce ? undefined : peer.lastHeard;
  }

  /** True once every peer has been heard or given up on (the boot grace is over for all). */
  settled(): boolean {
    for (const peer of this.peers.values()) if (peer.status === 'unknown') return false;
    return true;
  }
}
