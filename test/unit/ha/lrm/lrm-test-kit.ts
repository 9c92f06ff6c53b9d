// Test doubles for the LRM: a Clock whose timers fire only when the test advances time, and an
// AgentRunner whose operations stay pending until the test answers them, so that every ordering
// (what runs when, what is reported) can be observed step by step.
import type { Clock, Millis, TimerHandle } from '../../../../src/lib/index.js';
import { OcfRc, type AgentOperation, type AgentRunner, type OperationResult, type OperationStatus } from '../../../../src/ha/lrm/index.js';

export class ManualClock implements Clock {
  private nowMs = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { atMs: number; callback: () => void }>();

  now(): Millis {
    return this.nowMs as Millis;
  }

  wallNow(): number {
    return 1_800_000_000_000 + this.nowMs;
  }

  setTimer(afterMs: Millis, callback: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { atMs: this.nowMs + afterMs, callback });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** Moves time forward, firing due timers in time order. */
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.atMs <= end).sort((a, b) => a[1].atMs - b[1].atMs || a[0] - b[0])[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.nowMs = due[1].atMs;
      due[1].callback();
    }
    this.nowMs = end;
  }

  get pendingTimers(): number {
    return this.timers.size;
  }
}

export interface PendingOperation {
  readonly operation: AgentOperation;
  answer(rc: OcfRc, status?: OperationStatus, exitReason?: string): void;
}

export class ScriptedRunner implements AgentRunner {
  readonly pending: PendingOperation[] = [];
  readonly started: AgentOperation[] = [];

  run(operation: AgentOperation): Promise<OperationResult> {
    this.started.push(operation);
    return new Promise((resolve) => {
      const entry: PendingOperation = {
        operation,
        answer: (rc, status = 'done', exitReason) => {
          this.pending.splice(this.pending.indexOf(entry), 1);
          resolve({ rc, status, ...(exitReason === undefined ? {} : { exitReason }), execTimeMs: 5 as Millis, stdout: '', stderr: '' });
        },
      };
      this.pending.push(entry);
    });
  }

  /** The one pending operation of `resourceId`; fails the test when there is not exactly one. */
  only(resourceId: string): PendingOperation {
    const matching = this.pending.filter((p) => p.operation.resource.id === resourceId);
    if (matching.length !== 1) throw new Error(`expected one pending operation of ${resourceId}, found ${String(matching.length)}`);
    return matching[0] as PendingOperation;
  }
}

/** Lets promise callbacks (result delivery) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

export const ok = OcfRc.SUCCESS;
