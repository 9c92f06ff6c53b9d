// LinkRates, the sender's side of probed links, fed by hand: which link is the carrier (the first
// one confirmed both ways by every peer), which heartbeats a tick sends, and how a receive that
// shows the carrier failing brings the probed links back to the full rate at once.
import { describe, expect, it } from 'vitest';
import { millis, nodeId, type NodeId } from '../../../../src/lib/index.js';
import { LinkRates, defaultTiming, type MembershipTiming } from '../../../../src/ha/membership/index.js';

const n2 = nodeId(2);
const n3 = nodeId(3);
const LINKS = ['eth0', 'eth1', 'ttyS0'];
const timing: MembershipTiming = { ...defaultTiming, linkProbeIntervalMs: millis(500) };
const allAlive = (): boolean => true;

/** A LinkRates whose peers were all heard on `links` at `at` with an echo held `holdMs`. */
function confirmed(links: readonly string[], at: number, holdMs = 40, peers: readonly NodeId[] = [n2, n3]): LinkRates {
  const rates = new LinkRates(timing, LINKS, peers);
  for (const link of links) for (const peer of peers) rates.heard(peer, link, holdMs, millis(at));
  return rates;
}

const plan = (beats: readonly { link: string; intervalMs: number }[]): string[] => beats.map((b) => `${b.link}@${b.intervalMs}`);

describe('LinkRates: the carrier', () => {
  const cases: readonly [string, () => LinkRates, number, (peer: NodeId) => boolean, number | undefined][] = [
    ['every link confirmed: the first', () => confirmed(LINKS, 1000), 1050, allAlive, 0],
    ['the first not heard lately: the second', () => confirmed(['eth1', 'ttyS0'], 1000), 1050, allAlive, 1],
    ['an echo held past 1.5 keepalives: not confirmed', () => confirmed(['eth0'], 1000, 151), 1050, allAlive, undefined],
    ['an echo held 1.5 keepalives: confirmed', () => confirmed(['eth0'], 1000, 150), 1050, allAlive, 0],
    ['no echo at all: not confirmed', () => {
      const rates = new LinkRates(timing, LINKS, [n2]);
      rates.heard(n2, 'eth0', undefined, millis(1000));
      return rates;
    }, 1050, allAlive, undefined],
    ['the peer silent for more than 1.5 keepalives: not confirmed', () => confirmed(['eth0'], 1000), 1151, allAlive, undefined],
    ['one peer not confirmed on the first: the second', () => {
      const rates = confirmed(['eth1'], 1000);
      rates.heard(n2, 'eth0', 40, millis(1000));
      return rates;
    }, 1050, allAlive, 1],
    ['a peer not alive: none (every link at full rate)', () => confirmed(LINKS, 1000), 1050, (peer: NodeId) => peer !== n3, undefined],
    ['only the last link confirmed: none, nothing is after it', () => confirmed(['ttyS0'], 1000), 1050, allAlive, undefined],
  ];
  it.each(cases)('%s', (_name, make, now, alive, expected) => {
    expect(make().carrier(millis(now), alive)).toBe(expected);
  });

  it('never probes with a probe interval of keepalive, or with one link', () => {
    expect(new LinkRates({ ...timing, linkProbeIntervalMs: timing.keepaliveMs }, LINKS, [n2]).carrier(millis(0), allAlive)).toBeUndefined();
    const single = new LinkRates(timing, ['eth0'], [n2]);
    single.heard(n2, 'eth0', 10, millis(0));
    expect(single.carrier(millis(0), allAlive)).toBeUndefined();
  });
});

describe('LinkRates: what a tick sends', () => {
  it('the carrier and the links before it every tick; the links after it when their probe is due', () => {
    const rates = confirmed(['eth1'], 0);
    const sent: string[][] = [];
    for (let at = 0; at <= 1000; at += 100) {
      for (const peer of [n2, n3]) rates.heard(peer, 'eth1', 40, millis(at));
      sent.push(plan(rates.atTick(millis(at), allAlive)));
    }
    // ttyS0 first announces the probe interval at the full pace for deadtime (0-400 ms), then probes (900 ms).
    expect(sent.map((beats) => beats.includes('ttyS0@500'))).toEqual([true, true, true, true, true, false, false, false, false, true, false]);
    expect(sent.every((beats) => beats.includes('eth0@100') && beats.includes('eth1@100'))).toBe(true);
  });

  it('no carrier: every link every tick, announcing keepalive', () => {
    expect(plan(new LinkRates(timing, LINKS, [n2]).atTick(millis(0), allAlive))).toEqual(['eth0@100', 'eth1@100', 'ttyS0@100']);
  });
});

describe('LinkRates: a failing carrier', () => {
  it('a receive whose echo shows the carrier failing sends on every probed link at once, at the full rate', () => {
    const rates = confirmed(['eth0'], 0);
    // The probed links: their peers hear this node there only every probe interval.
    for (const link of ['eth1', 'ttyS0']) for (const peer of [n2, n3]) rates.heard(peer, link, 400, millis(0));
    expect(plan(rates.atTick(millis(0), allAlive))).toEqual(['eth0@100', 'eth1@500', 'ttyS0@500']);
    // n2's heartbeat on eth0: it has heard nothing from this node there for 160 ms.
    rates.heard(n2, 'eth0', 160, millis(60));
    expect(plan(rates.afterReceive(millis(60), allAlive))).toEqual(['eth1@100', 'ttyS0@100']);
    // Already at the full rate: a second such receive sends nothing extra.
    rates.heard(n3, 'eth0', 160, millis(70));
    expect(plan(rates.afterReceive(millis(70), allAlive))).toEqual([]);
  });

  it('a probed link still confirmed both ways becomes the carrier; the links after it stay probed', () => {
    const rates = confirmed(LINKS, 0);
    expect(plan(rates.atTick(millis(0), allAlive))).toEqual(['eth0@100', 'eth1@500', 'ttyS0@500']);
    rates.heard(n2, 'eth0', 160, millis(60));
    expect(plan(rates.afterReceive(millis(60), allAlive))).toEqual(['eth1@100']);
  });

  it('a receive that confirms the carrier sends nothing extra', () => {
    const rates = confirmed(LINKS, 0);
    rates.atTick(millis(0), allAlive);
    rates.heard(n2, 'eth0', 40, millis(60));
    expect(rates.afterReceive(millis(60), allAlive)).toEqual([]);
  });
});
