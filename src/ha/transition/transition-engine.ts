/**
 * The transition engine (Pacemaker's pacemaker-controld "te" part), a pure state machine run by
 * the DC (see lib/node-core.ts for the driver contract). It executes one transition graph at a
 * time: it dispatches every ready action (all its predecessors done) up to `batchLimit` actions in
 * flight, at most one fence at a time unless fencing is concurrent, completes pseudo actions by
 * itself, and waits for each result with a backstop timer.
 *
 * Any failed or timed-out action, and any `abort` (node lost, configuration changed, a resource
 * failed outside the graph), stops new dispatch; once nothing is in flight the engine reports
 * `transition-complete` with the status `aborted` or `failed`, and the DC schedules again from the
 * CIB that now holds every result. The engine never starts a second graph while one is in flight:
 * a `run` while busy is refused, so a graph is always planned from results that have all arrived.
 */
import type { BaseEffect, BaseInput, Millis, NodeCore } from '../../lib/index.js';
import { GraphRun, type ActionState, type GraphAction } from './graph-run.js';
import type { TransitionGraph } from '../policy/index.js';

export interface TransitionEngineConfig {
  /** Most actions in flight at once (Pacemaker's `batch-limit`); 0 means no limit. */
  readonly batchLimit: number;
  /** Whether several fence actions may run at once (`concurrent-fencing`). */
  readonly concurrentFencing: boolean;
  /**
   * How long to wait for an action's result before taking it as failed. The LRM enforces the
   * operation's own timeout; this backstop covers a result lost with its node.
   */
  readonly resultTimeout: (action: GraphAction) => Millis;
}

export type TransitionStatus = 'complete' | 'aborted' | 'failed';

export type TransitionInput =
  | BaseInput<never>
  | { readonly kind: 'run'; readonly graphId: number; readonly graph: TransitionGraph & { readonly actions: readonly GraphAction[] } }
  | { readonly kind: 'action-result'; readonly graphId: number; readonly actionId: string; readonly ok: boolean; readonly reason?: string }
  | { readonly kind: 'abort'; readonly reason: string };

export type TransitionEvent =
  | { readonly kind: 'action-finished'; readonly graphId: number; readonly actionId: string; readonly outcome: 'done' | 'failed' | 'timed-out'; readonly reason?: string }
  | {
      readonly kind: 'transition-complete';
      readonly graphId: number;
      readonly status: TransitionStatus;
      readonly reason?: string;
      readonly counts: Readonly<Record<ActionState, number>>;
    }
  | { readonly kind: 'run-refused'; readonly graphId: number; readonly busyWith: number }
  | { readonly kind: 'stale-result'; readonly graphId: number; readonly actionId: string };

export type TransitionEffect =
  | BaseEffect<never>
  /** Run a resource operation (start, stop, promote, demote, monitor, probe) on `action.node`. */
  | { readonly kind: 'execute'; readonly graphId: number; readonly action: GraphAction }
  /** Ask the fencer to fence `action.node`. */
  | { readonly kind: 'fence'; readonly graphId: number; readonly action: GraphAction }
  | TransitionEvent;

interface Current {
  readonly id: number;
  readonly run: GraphRun;
  fencesInFlight: number;
  stopping?: { readonly status: Exclude<TransitionStatus, 'complete'>; readonly reason: string };
}

const TIMER_PREFIX = 'te-action:';

export class TransitionEngine implements NodeCore<TransitionInput, TransitionEffect> {
  private current: Current | undefined;

  constructor(private readonly config: TransitionEngineConfig) {}

  /** The graph being executed, if any, for status displays. */
  get active(): { readonly graphId: number; readonly counts: Readonly<Record<ActionState, number>>; readonly stopping: boolean } | undefined {
    const c = this.current;
    return c === undefined ? undefined : { graphId: c.id, counts: c.run.counts(), stopping: c.stopping !== undefined };
  }

  step(_now: Millis, input: TransitionInput): readonly TransitionEffect[] {
    const out: TransitionEffect[] = [];
    switch (input.kind) {
      case 'start':
      case 'receive':
        break;
      case 'run':
        if (this.current !== undefined) {
          out.push({ kind: 'run-refused', graphId: input.graphId, busyWith: this.current.id });
          break;
        }
        this.current = { id: input.graphId, run: new GraphRun(input.graph), fencesInFlight: 0 };
        this.dispatch(out);
        break;
      case 'action-result':
        this.onResult(input.graphId, input.actionId, input.ok ? 'done' : 'failed', input.reason, out);
        break;
      case 'timeout': {
        if (!input.timer.startsWith(TIMER_PREFIX)) break;
        const [graphId, actionId] = splitTimer(input.timer);
        this.onResult(graphId, actionId, 'timed-out', 'no result before the backstop timeout', out);
        break;
      }
      case 'abort': {
        const c = this.current;
        if (c !== undefined && c.stopping === undefined) c.stopping = { status: 'aborted', reason: input.reason };
        this.dispatch(out);
        break;
      }
    }
    return out;
  }

  private onResult(graphId: number, actionId: string, outcome: 'done' | 'failed' | 'timed-out', reason: string | undefined, out: TransitionEffect[]): void {
    const c = this.current;
    if (c === undefined || c.id !== graphId || !c.run.complete(actionId, outcome === 'done')) {
      out.push({ kind: 'stale-result', graphId, actionId });
      return;
    }
    const action = c.run.action(actionId) as GraphAction;
    if (action.kind === 'fence') c.fencesInFlight--;
    if (outcome !== 'timed-out') out.push({ kind: 'cancel-timer', timer: timerName(graphId, actionId) });
    out.push({ kind: 'action-finished', graphId, actionId, outcome, ...(reason === undefined ? {} : { reason }) });
    if (outcome !== 'done' && c.stopping === undefined) c.stopping = { status: 'failed', reason: `${actionId} ${outcome}${reason === undefined ? '' : `: ${reason}`}` };
    this.dispatch(out);
  }

  /** Starts every action that may start now, then reports completion when nothing is left. */
  private dispatch(out: TransitionEffect[]): void {
    const c = this.current;
    if (c === undefined) return;
    const { batchLimit, concurrentFencing } = this.config;
    while (c.stopping === undefined) {
      // Pseudo actions take no slot: they complete as soon as they are ready.
      const pseudo = c.run.takeReady((a) => a.kind === 'pseudo');
      if (pseudo !== undefined) {
        c.run.complete(pseudo.id, true);
        continue;
      }
      if (batchLimit > 0 && c.run.inFlight >= batchLimit) break;
      const next = c.run.takeReady((a) => a.kind !== 'fence' || concurrentFencing || c.fencesInFlight === 0);
      if (next === undefined) break;
      if (next.kind === 'fence') {
        c.fencesInFlight++;
        out.push({ kind: 'fence', graphId: c.id, action: next });
      } else {
        out.push({ kind: 'execute', graphId: c.id, action: next });
      }
      out.push({ kind: 'set-timer', timer: timerName(c.id, next.id), afterMs: this.config.resultTimeout(next) });
    }
    if (c.run.inFlight > 0) return;
    if (c.stopping === undefined && !c.run.settled) return;
    this.current = undefined;
    const status: TransitionStatus = c.stopping?.status ?? 'complete';
    out.push({ kind: 'transition-complete', graphId: c.id, status, ...(c.stopping === undefined ? {} : { reason: c.stopping.reason }), counts: c.run.counts() });
  }
}

function timerName(graphId: number, actionId: string): string {
  return `${TIMER_PREFIX}${graphId}:${actionId}`;
}

function splitTimer(timer: string): [number, string] {
  const rest = timer.slice(TIMER_PREFIX.length);
  const colon = rest.indexOf(':');
  return [Number(rest.slice(0, colon)), rest.slice(colon + 1)];
}
