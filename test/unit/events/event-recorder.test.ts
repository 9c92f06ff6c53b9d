// EventRecorder's snapshot throttle, on virtual time: the first change after a quiet spell is
// recorded at once (a node loss is `down` at the loss, however fast the recovery), later changes
// within the window are gathered into one snapshot stamped with the last of them, and a stop
// records what is pending.
import { describe, expect, it } from 'vitest';
import { EventRecorder, type ClusterEvent, type EventLog } from '../../../src/events/index.js';
import type { ResourceSnapshot } from '../../../src/ha/availability/index.js';
import { SimClock } from '../../../src/sim/sim-clock.js';
import { silentLogger } from '../../../src/lib/index.js';

class ManualTime {
  private t = 0;
  private readonly timers: { at: number; callback: () => void }[] = [];
  now(): number {
    return this.t;
  }
  schedule(afterMs: number, callback: () => void): void {
    this.timers.push({ at: this.t + afterMs, callback });
  }
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next === undefined || next.at > until) break;
      this.timers.shift();
      this.t = next.at;
      next.callback();
    }
    this.t = until;
  }
}

function setup() {
  const time = new ManualTime();
  const clock = new SimClock(time, 0);
  const recorded: ClusterEvent[] = [];
  const log = { record: (e: ClusterEvent) => (recorded.push(e), { ok: true, value: recorded.length }) } as unknown as EventLog;
  let resources: ResourceSnapshot[] = [];
  const members = new Set(['a', 'b']);
  const recorder = new EventRecorder({ log, clock, logger: silentLogger, selfName: 'b', names: new Map(), snapshot: () => ({ resources, members }) });
  const on = (node: string | null): void => {
    resources = [{ id: 'db', targetRole: null, managed: true, active: node === null ? [] : [{ node, failed: false }] }];
  };
  const states = (): string[] => recorded.filter((e) => e.kind.startsWith('resource-')).map((e) => `${e.atMs} ${e.kind}`);
  return { time, recorder, on, members, states, recorded };
}

describe('EventRecorder', () => {
  it('a loss recovered within the window still shows as an outage, stamped at the loss and at the last change of the window', () => {
    const { time, recorder, on, members, states } = setup();
    on('a');
    recorder.changed();
    expect(states()).toEqual(['0 resource-up']);
    time.advance(1000);
    members.delete('a');
    recorder.changed(); // the view lost a: recorded at once
    time.advance(30);
    on(null);
    recorder.changed(); // fenced: its history cleared
    time.advance(20);
    on('b');
    recorder.changed(); // started on b, 50 ms after the loss
    time.advance(200);
    expect(states()).toEqual(['0 resource-up', '1000 resource-down', '1050 resource-up']);
  });

  it('a stop records what is pending, then the stop itself', () => {
    const { time, recorder, on, states, recorded } = setup();
    on('a');
    recorder.changed();
    time.advance(10);
    on(null);
    recorder.changed();
    recorder.stopped();
    expect(states()).toEqual(['0 resource-up', '10 resource-down']);
    expect(recorded.at(-1)?.kind).toBe('daemon-stop');
  });
});
