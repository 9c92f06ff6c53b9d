// Property: whatever is requested and however the agents answer and time passes, the LRM keeps its
// invariants: at most one operation per resource runs at once; no more than the concurrency limit
// run in total; every one-shot request ends in exactly one event; a recurring operation reports
// nothing after its cancellation; and after close every call is accounted for.
// Method: fast-check draws a sequence of steps (request, answer a pending operation, advance the
// clock) run against a ScriptedRunner and a ManualClock, checking after every step.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Millis } from '../../../src/lib/index.js';
import { LocalResourceManager, OcfRc, type AgentAction, type LrmEvent } from '../../../src/ha/lrm/index.js';
import { ManualClock, ScriptedRunner, settle } from '../../unit/ha/lrm/lrm-test-kit.js';

const RESOURCES = ['a', 'b', 'c'] as const;
const ACTIONS: readonly AgentAction[] = ['start', 'stop', 'monitor', 'promote', 'demote'];
const RCS = [OcfRc.SUCCESS, OcfRc.SUCCESS, OcfRc.NOT_RUNNING, OcfRc.ERR_GENERIC, OcfRc.RUNNING_PROMOTED] as const;
const LIMIT = 2;

type Step =
  | { kind: 'request'; resource: number; action: number; recurring: boolean }
  | { kind: 'answer'; index: number; rc: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'cancel'; resource: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('request' as const), resource: fc.nat(2), action: fc.nat(4), recurring: fc.boolean() }),
  fc.record({ kind: fc.constant('answer' as const), index: fc.nat(5), rc: fc.nat(4) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 3000 }) }),
  fc.record({ kind: fc.constant('cancel' as const), resource: fc.nat(2) }),
);

describe('LocalResourceManager (property)', () => {
  it('keeps its invariants under any interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const clock = new ManualClock();
        const runner = new ScriptedRunner();
        const events: LrmEvent[] = [];
        const lrm = new LocalResourceManager({ runner, clock, onEvent: (e) => events.push(e), concurrencyLimit: LIMIT });
        for (const id of RESOURCES) {
          lrm.register({
            id,
            agent: { standard: 'ocf', provider: 'heartbeat', type: 'Dummy' },
            params: {},
            monitors: [
              { intervalMs: 1000 as Millis, timeoutMs: 5000 as Millis },
              { intervalMs: 900 as Millis, timeoutMs: 5000 as Millis, role: 'Promoted' },
            ],
          });
        }
        const oneShots = new Set<number>();
        const check = (): void => {
          const running = runner.pending.map((p) => p.operation.resource.id);
          expect(new Set(running).size).toBe(running.length);
          expect(running.length).toBeLessThanOrEqual(LIMIT);
          const cancelledAt = new Map<number, number>();
          events.forEach((e, i) => {
            if (e.kind === 'operation-cancelled' && !cancelledAt.has(e.callId)) cancelledAt.set(e.callId, i);
          });
          events.forEach((e, i) => {
            if (e.kind === 'operation-result' && e.recurring) expect(i < (cancelledAt.get(e.callId) ?? Infinity)).toBe(true);
          });
        };
        for (const s of steps) {
          if (s.kind === 'request') {
            const action = ACTIONS[s.action] ?? 'start';
            const recurring = s.recurring && action === 'monitor';
            const call = lrm.execute({ resourceId: RESOURCES[s.resource] ?? 'a', action, ...(recurring ? { intervalMs: 500 as Millis } : {}) });
            if (call.ok && !recurring) oneShots.add(call.value);
          } else if (s.kind === 'answer') {
            runner.pending[s.index % Math.max(1, runner.pending.length)]?.answer(RCS[s.rc] ?? OcfRc.SUCCESS);
          } else if (s.kind === 'advance') {
            clock.advance(s.ms);
          } else {
            lrm.cancel(RESOURCES[s.resource] ?? 'a', 'monitor', 500 as Millis);
          }
          await settle();
          check();
        }
        // Drain: close, then answer whatever still runs.
        const closed = lrm.close();
        while (runner.pending.length > 0) {
          runner.pending[0]?.answer(OcfRc.SUCCESS);
          await settle();
        }
        await closed;
        check();
        for (const callId of oneShots) expect(events.filter((e) => e.callId === callId)).toHaveLength(1);
        expect(clock.pendingTimers).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
