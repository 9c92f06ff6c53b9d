// The failure detector's timing rules, each checked at the exact millisecond it applies and one
// millisecond before: warntime (peer-late, once), deadtime (node-down, at the time nextDeadline()
// names), initdead for peers never heard, restarts (newer incarnation: down then up; older one:
// stale), clean leaves (current incarnation only) and settled(). Time is passed in by hand.
import { describe, expect, it } from 'vitest';
import { millis, nodeId, type Millis } from '../../../../src/lib/index.js';
import { FailureDetector, type DetectorEvent, type MembershipTiming } from '../../../../src/ha/membership/index.js';

const timing: MembershipTiming = { keepaliveMs: millis(100), warntimeMs: millis(300), deadtimeMs: millis(500), initdeadMs: millis(2000) };
const n2 = nodeId(2);
const n3 = nodeId(3);
const START = 10_000;
const at = (ms: number): Millis => millis(START + ms);

function detector(peers = [n2, n3]): FailureDetector {
  return new FailureDetector(timing, peers, at(0));
}

describe('FailureDetector: deadtime and warntime', () => {
  it('declares a peer dead exactly deadtime after it was last heard, and nextDeadline() names that millisecond', () => {
    const fd = detector([n2]);
    expect(fd.heard(n2, 1, at(100))).toEqual([{ kind: 'node-up', node: n2, incarnation: 1 }]);
    expect(fd.nextDeadline()).toBe(at(100 + 300));
    expect(fd.check(at(399))).toEqual([]);
    expect(fd.check(at(400))).toEqual([{ kind: 'peer-late', node: n2, silentMs: 300 }]);
    expect(fd.nextDeadline()).toBe(at(100 + 500));
    expect(fd.check(at(599))).toEqual([]);
    expect(fd.status(n2)).toBe('alive');
    expect(fd.check(at(600))).toEqual([{ kind: 'node-down', node: n2, incarnation: 1, reason: 'deadtime', silentMs: 500 }]);
    expect(fd.status(n2)).toBe('dead');
    expect(fd.nextDeadline()).toBeUndefined();
    expect(fd.check(at(5000))).toEqual([]);
  });

  it('a check that skips warntime goes straight to node-down at deadtime, without a peer-late', () => {
    const fd = detector([n2]);
    fd.heard(n2, 1, at(0));
    expect(fd.check(at(500))).toEqual([{ kind: 'node-down', node: n2, incarnation: 1, reason: 'deadtime', silentMs: 500 }]);
  });

  it('reports peer-late once per silence, and again after the peer spoke and fell silent again', () => {
    const fd = detector([n2]);
    fd.heard(n2, 1, at(0));
    expect(fd.check(at(300))).toEqual([{ kind: 'peer-late', node: n2, silentMs: 300 }]);
    expect(fd.check(at(350))).toEqual([]);
    expect(fd.check(at(499))).toEqual([]);
    fd.heard(n2, 1, at(450));
    expect(fd.nextDeadline()).toBe(at(750));
    expect(fd.check(at(749))).toEqual([]);
    expect(fd.check(at(750))).toEqual([{ kind: 'peer-late', node: n2, silentMs: 300 }]);
    expect(fd.check(at(760))).toEqual([]);
  });

  it('a message before deadtime moves the deadline: any link, any message type counts', () => {
    const fd = detector([n2]);
    fd.heard(n2, 1, at(0));
    for (let t = 100; t <= 2000; t += 100) {
      expect(fd.heard(n2, 1, at(t))).toEqual([]);
      expect(fd.check(at(t + 299))).toEqual([]);
    }
    expect(fd.nextDeadline()).toBe(at(2300));
    expect(fd.lastHeard(n2)).toBe(at(2000));
  });

  it('a dead peer that speaks again in the same incarnation comes back up', () => {
    const fd = detector([n2]);
    fd.heard(n2, 4, at(0));
    fd.check(at(500));
    expect(fd.heard(n2, 4, at(900))).toEqual([{ kind: 'node-up', node: n2, incarnation: 4 }]);
    expect(fd.status(n2)).toBe('alive');
  });

  it('keeps each peer on its own clock and reports the earliest deadline', () => {
    const fd = detector([n2, n3]);
    fd.heard(n2, 1, at(0));
    fd.heard(n3, 1, at(120));
    expect(fd.nextDeadline()).toBe(at(300));
    expect(fd.check(at(300))).toEqual([{ kind: 'peer-late', node: n2, silentMs: 300 }]);
    expect(fd.nextDeadline()).toBe(at(420));
    expect(fd.check(at(420))).toEqual([{ kind: 'peer-late', node: n3, silentMs: 300 }]);
    expect(fd.nextDeadline()).toBe(at(500));
    expect(fd.check(at(500))).toEqual([{ kind: 'node-down', node: n2, incarnation: 1, reason: 'deadtime', silentMs: 500 }]);
    expect(fd.nextDeadline()).toBe(at(620));
    expect(fd.check(at(620))).toEqual([{ kind: 'node-down', node: n3, incarnation: 1, reason: 'deadtime', silentMs: 500 }]);
  });
});

describe('FailureDetector: initdead', () => {
  it('gives a never-heard peer initdead, not deadtime, counted from the start', () => {
    const fd = detector([n2]);
    expect(fd.status(n2)).toBe('unknown');
    expect(fd.lastHeard(n2)).toBeUndefined();
    expect(fd.nextDeadline()).toBe(at(2000));
    expect(fd.check(at(500))).toEqual([]);
    expect(fd.check(at(1999))).toEqual([]);
    expect(fd.status(n2)).toBe('unknown');
    expect(fd.check(at(2000))).toEqual([{ kind: 'node-down', node: n2, incarnation: 0, reason: 'initdead', silentMs: 2000 }]);
    expect(fd.status(n2)).toBe('dead');
    expect(fd.nextDeadline()).toBeUndefined();
  });

  it('a peer heard before initdead never gets an initdead', () => {
    const fd = detector([n2]);
    fd.heard(n2, 1, at(1900));
    const events: DetectorEvent[] = [];
    for (let t = 1900; t < 2400; t += 50) events.push(...fd.check(at(t)));
    expect(events).toEqual([{ kind: 'peer-late', node: n2, silentMs: 300 }]);
    expect(fd.check(at(2400))).toEqual([{ kind: 'node-down', node: n2, incarnation: 1, reason: 'deadtime', silentMs: 500 }]);
  });

  it('lastHeard stays undefined for a peer never heard, also once initdead gave up on it', () => {
    const fd = detector([n2]);
    fd.check(at(2000));
    expect(fd.status(n2)).toBe('dead');
    expect(fd.lastHeard(n2)).toBeUndefined();
  });

  it('a peer declared dead by initdead comes up when it is finally heard', () => {
    const fd = detector([n2]);
    fd.check(at(2000));
    expect(fd.heard(n2, 1, at(3000))).toEqual([{ kind: 'node-up', node: n2, incarnation: 1 }]);
  });

  it('settled() is false while any peer is unknown, true once each is heard or given up on', () => {
    const fd = detector([n2, n3]);
    expect(fd.settled()).toBe(false);
    fd.heard(n2, 1, at(10));
    expect(fd.settled()).toBe(false);
    fd.check(at(1999));
    expect(fd.settled()).toBe(false);
    fd.check(at(2000));
    expect(fd.status(n3)).toBe('dead');
    expect(fd.settled()).toBe(true);
    expect(detector([]).settled()).toBe(true);
  });
});

describe('FailureDetector: incarnations', () => {
  it('a newer incarnation of a live peer gives node-down (restarted) for the old one, then node-up for the new one', () => {
    const fd = detector([n2]);
    fd.heard(n2, 1, at(0));
    expect(fd.heard(n2, 2, at(200))).toEqual([
      { kind: 'node-down', node: n2, incarnation: 1, reason: 'restarted', silentMs: 200 },
      { kind: 'node-up', node: n2, incarnation: 2 },
    ]);
    expect(fd.incarnation(n2)).toBe(2);
    expect(fd.status(n2)).toBe('alive');
    expect(fd.nextDeadline()).toBe(at(500));
  });

  it('a newer incarnation of a dead or never-heard peer is only a node-up', () => {
    const fd = detector([n2, n3]);
    fd.heard(n2, 1, at(0));
    fd.check(at(500));
    expect(fd.heard(n2, 2, at(600))).toEqual([{ kind: 'node-up', node: n2, incarnation: 2 }]);
    expect(fd.heard(n3, 7, at(600))).toEqual([{ kind: 'node-up', node: n3, incarnation: 7 }]);
  });

  it('an older incarnation is stale: isCurrent is false and heard returns nothing and changes nothing', () => {
    const fd = detector([n2]);
    fd.heard(n2, 5, at(0));
    expect(fd.isCurrent(n2, 5)).toBe(true);
    expect(fd.isCurrent(n2, 6)).toBe(true);
    expect(fd.isCurrent(n2, 4)).toBe(false);
    expect(fd.heard(n2, 4, at(400))).toEqual([]);
    expect(fd.incarnation(n2)).toBe(5);
    expect(fd.lastHeard(n2)).toBe(at(0));
    // The stale message did not keep the peer alive.
    expect(fd.check(at(500))).toEqual([{ kind: 'node-down', node: n2, incarnation: 5, reason: 'deadtime', silentMs: 500 }]);
    expect(fd.heard(n2, 4, at(600))).toEqual([]);
    expect(fd.status(n2)).toBe('dead');
  });

  it('ignores nodes that are not configured peers', () => {
    const fd = detector([n2]);
    expect(fd.isCurrent(n3, 1)).toBe(false);
    expect(fd.heard(n3, 1, at(0))).toEqual([]);
    expect(fd.left(n3, 1, at(0))).toEqual([]);
    expect(fd.status(n3)).toBe('dead');
  });
});

describe('FailureDetector: left', () => {
  it('a leave from the current incarnation takes the peer down at once, with reason left', () => {
    const fd = detector([n2]);
    fd.heard(n2, 3, at(0));
    expect(fd.left(n2, 3, at(40))).toEqual([{ kind: 'node-down', node: n2, incarnation: 3, reason: 'left', silentMs: 40 }]);
    expect(fd.status(n2)).toBe('dead');
    expect(fd.nextDeadline()).toBeUndefined();
    expect(fd.left(n2, 3, at(50))).toEqual([]);
    expect(fd.check(at(1000))).toEqual([]);
  });

  it('a late message of the incarnation that left is stale: the peer stays down until a new incarnation speaks', () => {
    // A node that left sends nothing more in that incarnation, so anything from it that arrives
    // after the leave was overtaken by it (a slower link): it must not bring the peer back up.
    const fd = detector([n2]);
    fd.heard(n2, 3, at(0));
    fd.left(n2, 3, at(10));
    expect(fd.isCurrent(n2, 3)).toBe(false);
    expect(fd.heard(n2, 3, at(150))).toEqual([]);
    expect(fd.status(n2)).toBe('dead');
    expect(fd.lastHeard(n2)).toBe(at(0));
    expect(fd.isCurrent(n2, 4)).toBe(true);
    expect(fd.heard(n2, 4, at(900))).toEqual([{ kind: 'node-up', node: n2, incarnation: 4 }]);
    expect(fd.isCurrent(n2, 4)).toBe(true);
    expect(fd.heard(n2, 4, at(950))).toEqual([]);
  });

  it('a leave from an older or newer incarnation, or from a peer never heard, does nothing', () => {
    const fd = detector([n2, n3]);
    fd.heard(n2, 3, at(0));
    expect(fd.left(n2, 2, at(10))).toEqual([]);
    expect(fd.left(n2, 4, at(10))).toEqual([]);
    expect(fd.status(n2)).toBe('alive');
    expect(fd.left(n3, 0, at(10))).toEqual([]);
    expect(fd.status(n3)).toBe('unknown');
  });
});
