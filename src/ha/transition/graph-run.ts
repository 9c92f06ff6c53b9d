/**
 * The execution state of one transition graph: which actions are waiting, ready, in flight, done
 * or failed, and which can never run. Pure bookkeeping, shared by the transition engine and the
 * simulator; it knows nothing of time or dispatch.
 *
 * Rules (Pacemaker's transition engine, pcmk__graph):
 * - an action is ready when every action before it has completed successfully;
 * - an action the policy engine marked not runnable never runs, and neither does anything that
 *   must come after it (it is "skipped"); the graph still completes, and the next policy run
 *   decides again;
 * - after a failure or an abort nothing new starts; what is in flight is waited for.
 */
import type { GraphAction as PolicyAction, TransitionGraph } from '../policy/index.js';

/** A graph action; `runnable: false` marks one the policy engine blocked (it never runs). */
export type GraphAction = PolicyAction;

export type ActionState = 'waiting' | 'ready' | 'running' | 'done' | 'failed' | 'skipped';

export class GraphRun {
  private readonly actions = new Map<string, GraphAction>();
  private readonly state = new Map<string, ActionState>();
  /** How many predecessors of each action have not completed successfully yet. */
  private readonly pendingBefore = new Map<string, number>();
  private readonly after = new Map<string, string[]>();
  /** Ready actions in graph order, so dispatch order is deterministic. */
  private readonly readyQueue: string[] = [];
  private running = 0;

  constructor(readonly graph: TransitionGraph & { readonly actions: readonly GraphAction[] }) {
    for (const a of graph.actions) {
      this.actions.set(a.id, a);
      this.pendingBefore.set(a.id, 0);
      this.after.set(a.id, []);
    }
    for (const e of graph.edges) {
      // An edge naming an action outside the graph is the policy engine's bug; ignoring it is
      // safe only for a missing `after`. A missing `before` would silently drop an ordering, so the
      // dependent is skipped instead.
      if (!this.actions.has(e.after)) continue;
      this.pendingBefore.set(e.after, (this.pendingBefore.get(e.after) ?? 0) + 1);
      if (this.actions.has(e.before)) this.after.get(e.before)?.push(e.after);
    }
    const missingBefore = new Set(graph.edges.filter((e) => !this.actions.has(e.before) && this.actions.has(e.after)).map((e) => e.after));
    for (const a of graph.actions) this.state.set(a.id, 'waiting');
    for (const a of graph.actions) {
      if (a.runnable === false || missingBefore.has(a.id)) this.skip(a.id);
    }
    for (const a of graph.actions) {
      if (this.state.get(a.id) === 'waiting' && this.pendingBefore.get(a.id) === 0) this.markReady(a.id);
    }
  }

  action(id: string): GraphAction | undefined {
    return this.actions.get(id);
  }

  stateOf(id: string): ActionState | undefined {
    return this.state.get(id);
  }

  /** Takes the next ready action that `accept` admits (in graph order), marking it running. */
  takeReady(accept: (a: GraphAction) => boolean): GraphAction | undefined {
    for (let i = 0; i < this.readyQueue.length; i++) {
      const id = this.readyQueue[i] as string;
      const a = this.actions.get(id) as GraphAction;
      if (!accept(a)) continue;
      this.readyQueue.splice(i, 1);
      this.state.set(id, 'running');
      this.running++;
      return a;
    }
    return undefined;
  }

  /** Records the end of a running action; returns false when it was not running (a stale result). */
  complete(id: string, ok: boolean): boolean {
    if (this.state.get(id) !== 'running') return false;
    this.state.set(id, ok ? 'done' : 'failed');
    this.running--;
    if (!ok) return true;
    for (const next of this.after.get(id) ?? []) {
      const left = (this.pendingBefore.get(next) ?? 0) - 1;
      this.pendingBefore.set(next, left);
      if (left === 0 && this.state.get(next) === 'waiting') this.markReady(next);
    }
    return true;
  }

  /** How many actions are in flight. */
  get inFlight(): number {
    return this.running;
  }

  /** Whether nothing is running and nothing more can start. */
  get settled(): boolean {
    return this.running === 0 && this.readyQueue.length === 0;
  }

  counts(): Record<ActionState, number> {
    const c: Record<ActionState, number> = { waiting: 0, ready: 0, running: 0, done: 0, failed: 0, skipped: 0 };
    for (const s of this.state.values()) c[s]++;
    return c;
  }

  idsIn(wanted: ActionState): string[] {
    return [...this.state].filter(([, s]) => s === wanted).map(([id]) => id);
  }

  private markReady(id: string): void {
    this.state.set(id, 'ready');
    this.readyQueue.push(id);
  }

  private skip(id: string): void {
    const stack = [id];
    while (stack.length > 0) {
      const cur = stack.pop() as string;
      if (this.state.get(cur) === 'skipped') continue;
      this.state.set(cur, 'skipped');
      stack.push(...(this.after.get(cur) ?? []));
    }
  }
}
