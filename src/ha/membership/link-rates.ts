import type { Millis, NodeId } from '../../lib/index.js';
import { probingEnabled, type MembershipTiming } from './membership-config.js';

/** One heartbeat to send now: on `link`, promising the next one on that link within `intervalMs`. */
export interface PlannedBeat {
  readonly link: string;
  readonly intervalMs: number;
}

interface Confirmation {
  /** When the peer's last heartbeat on this link arrived. */
  at: number;
  /** How long the peer had heard nothing from this node on this link when it sent it (its echo's hold). */
  holdMs: number;
}

/**
 * LinkRates: how often each link carries this node's heartbeats (the sender's side; every sender
 * decides for itself, as knet pings links slower than it sends the token).
 *
 * The carrier is the first link, in configuration order, that every peer hears this node on and
 * this node hears every peer on: the peer's heartbeats on it arrived within 1.5 keepalives, and the
 * last one's echo says it had heard this node on that link within 1.5 keepalives. The carrier and
 * every link before it send every keepalive; the links after it only every `linkProbeIntervalMs`.
 * With no carrier (a peer not alive, no link confirmed both ways) every link sends every keepalive.
 *
 * Each heartbeat states the sender's interval on its link, so a receiver gives a probed link a
 * silence allowance that scales with it (LinkHealth) and does not call it down; a link slows down
 * only after deadtime / keepalive heartbeats at the full pace have announced it.
 *
 * Node liveness is what this must not change: a peer is lost only when no link hears it for
 * deadtime. When the carrier breaks, this node sees it either from the peer's echo (its hold grows
 * past 1.5 keepalives: then the very receive sends on every probed link at once) or from the peer's
 * own silence at the next tick; either way the probed links carry a heartbeat within three
 * keepalives of the last one the peer had on the carrier, which is why probing needs
 * deadtime >= 4 x keepalive (membership-config.ts). Links are probed only while all is well, so a
 * failure never waits for a probe.
 */
export class LinkRates {
  private readonly enabled: boolean;
  private readonly confirmMs: number;
  private readonly confirmations = new Map<string, Confirmation>();
  /**
   * Per link: the interval the last heartbeat announced, when the next one is due, and how many
   * heartbeats must still announce the probe interval at the full pace before the first gap.
   */
  private readonly sending = new Map<string, { intervalMs: number; dueAt: number; announceLeft: number }>();
  /**
   * Going slow is announced by deadtime / keepalive heartbeats at the full pace first: a receiver
   * that missed the one heartbeat announcing the probe interval would otherwise still expect one per
   * keepalive and call the link down in the first gap (the namespace test bed's 5 % loss did that).
   * Now that takes as many losses in a row as a full-rate link going down.
   */
  private readonly announceCount: number;

  constructor(
    private readonly timing: MembershipTiming,
    private readonly links: readonly string[],
    private readonly peers: readonly NodeId[],
  ) {
    this.enabled = probingEnabled(timing) && links.length > 1 && peers.length > 0;
    this.confirmMs = 1.5 * timing.keepaliveMs;
    this.announceCount = Math.ceil(timing.deadtimeMs / timing.keepaliveMs);
  }

  /** Records a heartbeat from `peer` on `link`; `holdMs` is its echo of this node (undefined: it echoed nothing). */
  heard(peer: NodeId, link: string, holdMs: number | undefined, now: Millis): void {
    if (!this.enabled) return;
    this.confirmations.set(`${peer}\u0000${link}`, { at: now, holdMs: holdMs ?? Number.POSITIVE_INFINITY });
  }

  /**
   * The index of the carrier link, or undefined when there is none (every link at the full rate).
   * `alive` says whether a peer is alive in its current incarnation.
   */
  carrier(now: Millis, alive: (peer: NodeId) => boolean): number | undefined {
    if (!this.enabled || !this.peers.every(alive)) return undefined;
    const index = this.links.findIndex((link) =>
      this.peers.every((peer) => {
        const c = this.confirmations.get(`${peer}\u0000${link}`);
        return c !== undefined && now - c.at <= this.confirmMs && c.holdMs <= this.confirmMs;
      }),
    );
    return index < 0 || index === this.links.length - 1 ? undefined : index;
  }

  /** The heartbeats a keepalive tick sends: every full-rate link, and each probed link whose probe is due. */
  atTick(now: Millis, alive: (peer: NodeId) => boolean): PlannedBeat[] {
    const carrier = this.carrier(now, alive);
    const beats: PlannedBeat[] = [];
    this.links.forEach((link, index) => {
      const full = carrier === undefined || index <= carrier;
      const state = this.sending.get(link);
      // Half a keepalive early rather than a whole one late: ticks drift by a few milliseconds.
      const due = (state?.dueAt ?? 0) - this.timing.keepaliveMs / 2;
      if (full || state === undefined || state.announceLeft > 0 || now >= due) beats.push(this.planned(link, full, now));
    });
    return beats;
  }

  /**
   * After a heartbeat arrived: the probed links that must go back to the full rate now (the carrier
   * was just seen to fail), each with a heartbeat at once rather than at the next tick.
   */
  afterReceive(now: Millis, alive: (peer: NodeId) => boolean): PlannedBeat[] {
    if (!this.enabled) return [];
    let probed = false;
    for (const state of this.sending.values()) if (state.intervalMs > this.timing.keepaliveMs) probed = true;
    if (!probed) return [];
    const carrier = this.carrier(now, alive);
    const beats: PlannedBeat[] = [];
    this.links.forEach((link, index) => {
      const state = this.sending.get(link);
      const full = carrier === undefined || index <= carrier;
      if (full && state !== undefined && state.intervalMs > this.timing.keepaliveMs) beats.push(this.planned(link, true, now));
    });
    return beats;
  }

  /** The interval each link announced last (for status). */
  intervals(): ReadonlyMap<string, number> {
    return new Map([...this.sending].map(([link, state]) => [link, state.intervalMs]));
  }

  private planned(link: string, full: boolean, now: Millis): PlannedBeat {
    if (full) {
      this.sending.set(link, { intervalMs: this.timing.keepaliveMs, dueAt: now + this.timing.keepaliveMs, announceLeft: this.announceCount });
      return { link, intervalMs: this.timing.keepaliveMs };
    }
    const probeMs = this.timing.linkProbeIntervalMs as number;
    const announceLeft = Math.max(0, (this.sending.get(link)?.announceLeft ?? this.announceCount) - 1);
    // While announcing, the next heartbeat still follows in a keepalive; after the last one, the gap.
    this.sending.set(link, { intervalMs: probeMs, dueAt: now + (announceLeft > 0 ? this.timing.keepaliveMs : probeMs), announceLeft });
    return { link, intervalMs: probeMs };
  }
}
