import type { Millis, NodeId } from '../../lib/index.js';

const LOSS_WINDOW = 64;

/** One row of `heartline links`: the health of one link towards one peer. */
export interface LinkPeerHealth {
  readonly peer: NodeId;
  readonly link: string;
  readonly state: 'up' | 'down' | 'unknown';
  /** Milliseconds since a heartbeat last arrived on this link from this peer, or null if never. */
  readonly lastHeardAgoMs: number | null;
  /** Heartbeats lost over the last 64 the peer sent on this link, as a percentage. */
  readonly lossPercent: number;
  /** Smoothed round-trip time measured from echoed beats, or null before the first sample. */
  readonly rttMs: number | null;
}

export type LinkEvent =
  | { readonly kind: 'link-up'; readonly peer: NodeId; readonly link: string }
  | { readonly kind: 'link-down'; readonly peer: NodeId; readonly link: string; readonly silentMs: number };

interface PathState {
  state: 'up' | 'down' | 'unknown';
  lastHeard: number;
  incarnation: number;
  highestBeat: number;
  /** received[beat % LOSS_WINDOW] holds the beat number last received in that slot. */
  readonly received: number[];
  firstBeat: number;
  rttMs: number | null;
  /** The silence after which this path is down: deadtime, scaled up for a link the peer probes. */
  silenceLimitMs: number;
}

/**
 * LinkHealth: per peer and per link, whether heartbeats still arrive (down after deadtime of
 * silence on that link alone; on a link the peer probes, after the same number of its announced
 * intervals: deadtime x interval / keepalive, see link-rates.ts), the loss rate from gaps in the per-link beat counter, and the RTT
 * from beats the peer echoes back. It only observes: a peer is alive while any link is up, which is
 * the FailureDetector's business.
 */
export class LinkHealth {
  private readonly paths = new Map<string, PathState>();

  constructor(
    private readonly deadtimeMs: number,
    private readonly keepaliveMs: number,
    private readonly peers: readonly NodeId[],
    private readonly links: readonly string[],
  ) {}

  /** Records heartbeat `beat` from `peer` on `link`, whose sender promised the next one there within `intervalMs` (undefined: keepalive). */
  heard(peer: NodeId, link: string, incarnation: number, beat: number, now: Millis, intervalMs?: number): LinkEvent[] {
    const key = pathKey(peer, link);
    let path = this.paths.get(key);
    if (path === undefined || incarnation !== path.incarnation) {
      // A new path, or the peer restarted (a new incarnation) and its beat counter with it.
      const wasUp = path?.state === 'up';
      path = { state: wasUp ? 'up' : 'unknown', lastHeard: now, incarnation, highestBeat: beat, received: Array<number>(LOSS_WINDOW).fill(-1), firstBeat: beat, rttMs: path?.rttMs ?? null, silenceLimitMs: this.deadtimeMs };
      this.paths.set(key, path);
    }
    path.lastHeard = now;
    path.silenceLimitMs = intervalMs === undefined || intervalMs <= this.keepaliveMs ? this.deadtimeMs : Math.round((this.deadtimeMs * intervalMs) / this.keepaliveMs);
    // A late copy of a beat from before the window shows the link delivers, but its slot belongs to
    // a newer beat now (and within one incarnation the counter never goes back, so it is no reset).
    if (beat > path.highestBeat - LOSS_WINDOW) path.received[beat % LOSS_WINDOW] = beat;
    path.highestBeat = Math.max(path.highestBeat, beat);
    if (path.state !== 'up') {
      path.state = 'up';
      return [{ kind: 'link-up', peer, link }];
    }
    return [];
  }

  /** Records a round-trip sample (exponentially smoothed, like TCP's SRTT with gain 1/8). */
  rtt(peer: NodeId, link: string, sampleMs: number): void {
    const path = this.paths.get(pathKey(peer, link));
    if (path === undefined || sampleMs < 0) return;
    path.rttMs = path.rttMs === null ? sampleMs : path.rttMs + (sampleMs - path.rttMs) / 8;
  }

  check(now: Millis): LinkEvent[] {
    const events: LinkEvent[] = [];
    for (const [key, path] of this.paths) {
      const silentMs = now - path.lastHeard;
      if (path.state === 'up' && silentMs >= path.silenceLimitMs) {
        path.state = 'down';
        const [peer, link] = splitKey(key);
        events.push({ kind: 'link-down', peer, link, silentMs });
      }
    }
    return events;
  }

  nextDeadline(): Millis | undefined {
    let next = Number.POSITIVE_INFINITY;
    for (const path of this.paths.values()) if (path.state === 'up') next = Math.min(next, path.lastHeard + path.silenceLimitMs);
    return Number.isFinite(next) ? (next as Millis) : undefined;
  }

  isUp(peer: NodeId, link: string): boolean {
    return this.paths.get(pathKey(peer, link))?.state === 'up';
  }

  snapshot(now: Millis): LinkPeerHealth[] {
    const rows: LinkPeerHealth[] = [];
    for (const peer of this.peers) {
      for (const link of this.links) {
        const path = this.paths.get(pathKey(peer, link));
        if (path === undefined) {
          rows.push({ peer, link, state: 'unknown', lastHeardAgoMs: null, lossPercent: 0, rttMs: null });
          continue;
        }
        rows.push({ peer, link, state: path.state, lastHeardAgoMs: now - path.lastHeard, lossPercent: lossPercent(path), rttMs: path.rttMs === null ? null : Math.round(path.rttMs * 100) / 100 });
      }
    }
    return rows;
  }
}

function lossPercent(path: PathState): number {
  const span = Math.min(LOSS_WINDOW, path.highestBeat - path.firstBeat + 1);
  if (span <= 0) return 0;
  let received = 0;
  for (let beat = path.highestBeat - span + 1; beat <= path.highestBeat; beat++) if (path.received[beat % LOSS_WINDOW] === beat) received++;
  return Math.round((1 - received / span) * 1000) / 10;
}

function pathKey(peer: NodeId, link: string): string {
  return `${peer}\u0000${link}`;
}

function splitKey(key: string): [NodeId, string] {
  const at = key.indexOf('\u0000');
  return [Number(key.slice(0, at)) as NodeId, key.slice(at + 1)];
}
