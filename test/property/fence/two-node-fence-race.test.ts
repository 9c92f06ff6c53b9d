// Property: in a full split of a two-node cluster with power still on, both nodes ask to fence
// each other; with the fence delays configured, exactly one node survives, never zero, and it is
// the one the delays favour (the higher resource priority, or the node not delayed statically).
// Method: a small discrete-event model around two real FencePlanners: detection at skewed times,
// device actions that cut the target's power after a random latency even if the node that sent
// them has died meanwhile (a command on the wire cannot be recalled), dead nodes process
// nothing. Without delays the same model finds runs where both die: the checker bites.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FencePlanner, FenceTopology, type FencePlannerEffect, type FencePlannerInput } from '../../../src/fence/index.js';
import type { Millis } from '../../../src/lib/index.js';

const NODES = ['a', 'b'] as const;
type Node = (typeof NODES)[number];
const other = (node: Node): Node => (node === 'a' ? 'b' : 'a');

const topology = (() => {
  const built = FenceTopology.create([
    { index: 1, target: { kind: 'node', node: 'a' }, devices: [{ device: 'bmc-a' }] },
    { index: 1, target: { kind: 'node', node: 'b' }, devices: [{ device: 'bmc-b' }] },
  ]);
  if (!built.ok) throw new Error(built.error.join('; '));
  return built.value;
})();

interface RaceScenario {
  readonly detectMs: Readonly<Record<Node, number>>;
  /** From a device command to the target's power being off. */
  readonly powerOffLatencyMs: Readonly<Record<Node, number>>;
  /** From power off to the status read that verifies it (the device result). */
  readonly verifyLatencyMs: Readonly<Record<Node, number>>;
  readonly priorities: Readonly<Record<Node, number>>;
  readonly staticDelayMs: Readonly<Partial<Record<Node, number>>>;
  readonly priorityDelayMs: number;
}

type EventBody = { at: number; kind: 'input'; node: Node; input: FencePlannerInput } | { at: number; kind: 'power-off'; target: Node };
type Event = EventBody & { seq: number };

/** Runs one race; returns the survivors. */
function race(scenario: RaceScenario): Node[] {
  const alive: Record<Node, boolean> = { a: true, b: true };
  const planners: Record<Node, FencePlanner> = {
    a: new FencePlanner({ self: 'a', topology, staticDelayMs: scenario.staticDelayMs as Record<string, Millis>, priorityDelayMs: scenario.priorityDelayMs as Millis }),
    b: new FencePlanner({ self: 'b', topology, staticDelayMs: scenario.staticDelayMs as Record<string, Millis>, priorityDelayMs: scenario.priorityDelayMs as Millis }),
  };
  const queue: Event[] = [];
  let seq = 0;
  const push = (event: EventBody) => queue.push({ ...event, seq: seq++ });
  for (const node of NODES) {
    push({ at: scenario.detectMs[node], kind: 'input', node, input: { kind: 'request', request: { id: `${node}-1`, target: other(node), action: 'off', reason: 'peer lost', requester: node }, priorities: scenario.priorities } });
  }
  const perform = (node: Node, now: number, effects: readonly FencePlannerEffect[]) => {
    for (const effect of effects) {
      if (effect.kind === 'set-timer') push({ at: now + effect.afterMs, kind: 'input', node, input: { kind: 'timeout', timer: effect.timer } });
      if (effect.kind === 'run-device') {
        const target = effect.target as Node;
        const offAt = now + scenario.powerOffLatencyMs[node];
        push({ at: offAt, kind: 'power-off', target });
        push({ at: offAt + scenario.verifyLatencyMs[node], kind: 'input', node, input: { kind: 'device-result', requestId: effect.requestId, step: effect.step, result: { ok: true, action: 'off', power: 'off', attempts: 1, elapsedMs: 1 } } });
      }
    }
  };
  for (let guard = 0; guard < 1000 && queue.length > 0; guard++) {
    queue.sort((x, y) => x.at - y.at || x.seq - y.seq);
    const event = queue.shift() as Event;
    if (event.kind === 'power-off') {
      alive[event.target] = false;
      continue;
    }
    if (!alive[event.node]) continue;
    perform(event.node, event.at, planners[event.node].step(event.at as Millis, event.input));
  }
  return NODES.filter((node) => alive[node]);
}

const SKEW_MAX = 500;
const LATENCY_MAX = 2000;

const timing = fc.record({
  detectA: fc.integer({ min: 0, max: SKEW_MAX }),
  detectB: fc.integer({ min: 0, max: SKEW_MAX }),
  offA: fc.integer({ min: 1, max: LATENCY_MAX }),
  offB: fc.integer({ min: 1, max: LATENCY_MAX }),
  verifyA: fc.integer({ min: 0, max: 500 }),
  verifyB: fc.integer({ min: 0, max: 500 }),
});

describe('two-node fence race (property)', () => {
  it('with a priority delay longer than skew + power-off latency, exactly one survives: the higher priority', () => {
    fc.assert(
      fc.property(timing, fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (t, pa, pb) => {
        fc.pre(pa !== pb);
        const survivors = race({
          detectMs: { a: t.detectA, b: t.detectB },
          powerOffLatencyMs: { a: t.offA, b: t.offB },
          verifyLatencyMs: { a: t.verifyA, b: t.verifyB },
          priorities: { a: pa, b: pb },
          staticDelayMs: {},
          priorityDelayMs: SKEW_MAX + LATENCY_MAX + 1,
        });
        expect(survivors).toEqual([pa > pb ? 'a' : 'b']);
      }),
      { numRuns: 2000 },
    );
  });

  it('with equal priorities, a static delay on one node decides: exactly one survives', () => {
    fc.assert(
      fc.property(timing, fc.constantFrom<Node>('a', 'b'), (t, favoured) => {
        const survivors = race({
          detectMs: { a: t.detectA, b: t.detectB },
          powerOffLatencyMs: { a: t.offA, b: t.offB },
          verifyLatencyMs: { a: t.verifyA, b: t.verifyB },
          priorities: { a: 5, b: 5 },
          // Fencing the favoured node waits: it fences first and survives.
          staticDelayMs: { [favoured]: SKEW_MAX + LATENCY_MAX + 1 },
          priorityDelayMs: 5000,
        });
        expect(survivors).toEqual([favoured]);
      }),
      { numRuns: 2000 },
    );
  });

  it('without delays the same model finds runs where both nodes die (the checker bites)', () => {
    const noDelay = fc.check(
      fc.property(timing, (t) => {
        const survivors = race({ detectMs: { a: t.detectA, b: t.detectB }, powerOffLatencyMs: { a: t.offA, b: t.offB }, verifyLatencyMs: { a: t.verifyA, b: t.verifyB }, priorities: { a: 1, b: 2 }, staticDelayMs: {}, priorityDelayMs: 0 });
        return survivors.length === 1;
      }),
      { numRuns: 500, seed: 42 },
    );
    expect(noDelay.failed).toBe(true);
  });
});
