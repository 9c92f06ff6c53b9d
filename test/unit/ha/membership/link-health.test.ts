// Link health per (peer, link): up on the first beat, down after deadtime of silence on that link
// alone, loss from gaps in the per-link beat counter (tables of which beats arrive, with the
// percentage expected), counters reset by a restart of the peer, and TCP-style RTT smoothing. The
// beats are fed by hand with explicit times.
import { describe, expect, it } from 'vitest';
import { millis, nodeId, type Millis, type NodeId } from '../../../../src/lib/index.js';
import { LinkHealth, type LinkPeerHealth } from '../../../../src/ha/membership/index.js';

const n2 = nodeId(2);
const n3 = nodeId(3);
const DEADTIME = 500;
const KEEPALIVE = 100;

function health(): LinkHealth {
  return new LinkHealth(DEADTIME, KEEPALIVE, [n2, n3], ['eth0', 'ttyS0']);
}

function row(h: LinkHealth, now: Millis, peer: NodeId, link: string): LinkPeerHealth {
  const found = h.snapshot(now).find((r) => r.peer === peer && r.link === link);
  if (found === undefined) throw new Error(`no row for n${peer} ${link}`);
  return found;
}

/** Feeds beats 1..last except those in `missing`, 100 ms apart, and returns the loss percentage. */
function lossOf(beats: readonly number[]): number {
  const h = health();
  for (const beat of beats) h.heard(n2, 'eth0', 1, beat, millis(beat * 100));
  return row(h, millis(100_000), n2, 'eth0').lossPercent;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('LinkHealth: up and down', () => {
  it('starts unknown on every (peer, link) and goes up on the first beat, once', () => {
    const h = health();
    expect(h.snapshot(millis(0))).toEqual([
      { peer: n2, link: 'eth0', state: 'unknown', lastHeardAgoMs: null, lossPercent: 0, rttMs: null },
      { peer: n2, link: 'ttyS0', state: 'unknown', lastHeardAgoMs: null, lossPercent: 0, rttMs: null },
      { peer: n3, link: 'eth0', state: 'unknown', lastHeardAgoMs: null, lossPercent: 0, rttMs: null },
      { peer: n3, link: 'ttyS0', state: 'unknown', lastHeardAgoMs: null, lossPercent: 0, rttMs: null },
    ]);
    expect(h.heard(n2, 'eth0', 1, 1, millis(10))).toEqual([{ kind: 'link-up', peer: n2, link: 'eth0' }]);
    expect(h.heard(n2, 'eth0', 1, 2, millis(110))).toEqual([]);
    expect(h.isUp(n2, 'eth0')).toBe(true);
    expect(h.isUp(n2, 'ttyS0')).toBe(false);
    expect(row(h, millis(150), n2, 'eth0')).toMatchObject({ state: 'up', lastHeardAgoMs: 40 });
    expect(row(h, millis(150), n2, 'ttyS0').state).toBe('unknown');
  });

  it('goes down exactly deadtime after the last beat on that link, while the other link stays up', () => {
    const h = health();
    h.heard(n2, 'eth0', 1, 1, millis(0));
    h.heard(n2, 'ttyS0', 1, 1, millis(0));
    for (let t = 100; t <= 1000; t += 100) h.heard(n2, 'ttyS0', 1, t / 100 + 1, millis(t));
    expect(h.nextDeadline()).toBe(millis(500));
    expect(h.check(millis(499))).toEqual([]);
    expect(h.check(millis(500))).toEqual([{ kind: 'link-down', peer: n2, link: 'eth0', silentMs: 500 }]);
    expect(h.isUp(n2, 'eth0')).toBe(false);
    expect(h.isUp(n2, 'ttyS0')).toBe(true);
    expect(h.check(millis(1000))).toEqual([]);
    expect(h.nextDeadline()).toBe(millis(1500));
    expect(row(h, millis(1000), n2, 'eth0')).toMatchObject({ state: 'down', lastHeardAgoMs: 1000 });
  });

  it('a down link comes back up on its next beat', () => {
    const h = health();
    h.heard(n3, 'eth0', 1, 1, millis(0));
    h.check(millis(500));
    expect(h.heard(n3, 'eth0', 1, 9, millis(900))).toEqual([{ kind: 'link-up', peer: n3, link: 'eth0' }]);
    expect(h.nextDeadline()).toBe(millis(1400));
  });

  it('has no deadline before any beat or after every link is down', () => {
    const h = health();
    expect(h.nextDeadline()).toBeUndefined();
    h.heard(n2, 'eth0', 1, 1, millis(0));
    h.check(millis(500));
    expect(h.nextDeadline()).toBeUndefined();
  });
});

describe('LinkHealth: loss', () => {
  const every4thMissing = range(1, 67).filter((b) => b % 4 !== 0);
  const cases: readonly [string, readonly number[], number][] = [
    ['no gaps', range(1, 20), 0],
    ['a single beat', [1], 0],
    ['every 4th beat missing over a full window (16 of 64)', every4thMissing, 25],
    ['every other beat missing over a full window', range(1, 128).filter((b) => b % 2 === 1), 50],
    ['one missing of 10', [1, 2, 3, 4, 5, 6, 8, 9, 10, 11], 9.1],
    ['joining mid-stream: beats before the first one heard are not lost', range(500, 519), 0],
    ['reordered beats inside the window count once', [1, 2, 4, 3, 5, 7, 6, 8], 0],
    ['duplicated beats count once', [1, 2, 2, 3, 3, 3, 4], 0],
    ['only the last 64 beats count: old losses age out', [1, ...range(3, 80)], 0],
    ['a burst of 32 lost in the last 64', [...range(1, 36), ...range(69, 100)], 50],
  ];
  for (const [name, beats, expected] of cases) {
    it(name, () => {
      expect(lossOf(beats)).toBe(expected);
    });
  }

  // A copy of an old beat can arrive very late (a slow serial link, a reordering network). It
  // shows the link delivers, but it must neither take the slot of a newer beat nor reset the counters.
  const late: readonly [string, readonly number[], number][] = [
    ['64 behind, sharing the slot of the newest beat', [...range(1, 100), 36], 0],
    ['64 behind, then more beats', [...range(1, 100), 36, ...range(101, 110)], 0],
    ['65 behind, then the next beat', [...range(1, 100), 35, 101], 0],
    ['far behind, with real losses in the window', [...range(1, 100).filter((b) => b % 4 !== 0), 2, 101], 25],
  ];
  for (const [name, beats, expected] of late) {
    it(`a late beat from before the window: ${name}`, () => {
      expect(lossOf(beats)).toBe(expected);
    });
  }

  it('a late beat from before the window still counts as hearing the link', () => {
    const h = health();
    for (const beat of range(1, 100)) h.heard(n2, 'eth0', 1, beat, millis(beat * 10));
    expect(h.heard(n2, 'eth0', 1, 3, millis(1400))).toEqual([]);
    expect(h.nextDeadline()).toBe(millis(1900));
  });

  it('keeps the counters of each peer and link apart', () => {
    const h = health();
    for (const beat of range(1, 10)) {
      h.heard(n2, 'eth0', 1, beat, millis(beat * 100));
      if (beat % 2 === 0) h.heard(n2, 'ttyS0', 1, beat, millis(beat * 100));
      h.heard(n3, 'eth0', 1, beat * 2, millis(beat * 100));
    }
    const now = millis(1000);
    expect(row(h, now, n2, 'eth0').lossPercent).toBe(0);
    expect(row(h, now, n2, 'ttyS0').lossPercent).toBe(44.4); // 4 of 9 (beats 2..10)
    expect(row(h, now, n3, 'eth0').lossPercent).toBe(47.4); // 9 of 19 (beats 2..20)
  });

  it('a restart of the peer (new incarnation, beat counter from 1) resets the loss counters and keeps the link up', () => {
    const h = health();
    for (const beat of range(1, 40).filter((b) => b % 2 === 0)) h.heard(n2, 'eth0', 1, beat, millis(beat * 10));
    expect(row(h, millis(400), n2, 'eth0').lossPercent).toBe(48.7); // 19 of 39
    expect(h.heard(n2, 'eth0', 2, 1, millis(450))).toEqual([]);
    for (const beat of range(2, 10)) h.heard(n2, 'eth0', 2, beat, millis(450 + beat * 10));
    expect(row(h, millis(600), n2, 'eth0')).toMatchObject({ state: 'up', lossPercent: 0, lastHeardAgoMs: 50 });
  });

  it('a restart whose counter starts above the old one is still a reset', () => {
    const h = health();
    h.heard(n2, 'eth0', 1, 1, millis(0));
    h.heard(n2, 'eth0', 1, 3, millis(200));
    expect(row(h, millis(200), n2, 'eth0').lossPercent).toBe(33.3);
    h.heard(n2, 'eth0', 2, 10, millis(300));
    h.heard(n2, 'eth0', 2, 11, millis(400));
    expect(row(h, millis(400), n2, 'eth0').lossPercent).toBe(0);
  });

  it('a restarted peer on a link that had gone down brings it up again', () => {
    const h = health();
    h.heard(n2, 'eth0', 1, 1, millis(0));
    h.check(millis(500));
    expect(h.heard(n2, 'eth0', 2, 1, millis(700))).toEqual([{ kind: 'link-up', peer: n2, link: 'eth0' }]);
  });
});

describe('LinkHealth: RTT', () => {
  it('takes the first sample as is, then smooths with gain 1/8', () => {
    const h = health();
    h.heard(n2, 'eth0', 1, 1, millis(0));
    expect(row(h, millis(0), n2, 'eth0').rttMs).toBeNull();
    h.rtt(n2, 'eth0', 8);
    expect(row(h, millis(0), n2, 'eth0').rttMs).toBe(8);
    h.rtt(n2, 'eth0', 16);
    expect(row(h, millis(0), n2, 'eth0').rttMs).toBe(9);
    h.rtt(n2, 'eth0', 1);
    expect(row(h, millis(0), n2, 'eth0').rttMs).toBe(8);
    h.rtt(n2, 'eth0', 0);
    expect(row(h, millis(0), n2, 'eth0').rttMs).toBe(7);
  });

  it('converges on a steady RTT and rounds to hundredths', () => {
    const h = health();
    h.heard(n2, 'eth0', 1, 1, millis(0));
    h.rtt(n2, 'eth0', 100);
    for (let i = 0; i < 200; i++) h.rtt(n2, 'eth0', 2);
    expect(row(h, millis(0), n2, 'eth0').rttMs).toBe(2);
    h.rtt(n2, 'eth0', 3);
    expect(row(h, millis(0), n2, 'eth0').rttMs).toBe(2.13); // 2 + 1/8 = 2.125
  });

  it('ignores negative samples and samples for a path never heard', () => {
    const h = health();
    h.rtt(n2, 'eth0', 5);
    h.heard(n2, 'eth0', 1, 1, millis(0));
    expect(row(h, millis(0), n2, 'eth0').rttMs).toBeNull();
    h.rtt(n2, 'eth0', -3);
    expect(row(h, millis(0), n2, 'eth0').rttMs).toBeNull();
    h.rtt(n2, 'eth0', 4);
    expect(row(h, millis(0), n2, 'eth0').rttMs).toBe(4);
    expect(row(h, millis(0), n2, 'ttyS0').rttMs).toBeNull();
  });
});
