/**
 * The policy engine's output: the transition graph (actions and ordering edges), the per-resource
 * decisions, the allocation scores, and the crm_simulate-style Transition Summary lines.
 */
import type { Role } from '../cib/index.js';

/** What an action does. `pseudo` actions run nowhere and only join other actions. */
export type ActionKind = 'start' | 'stop' | 'promote' | 'demote' | 'monitor' | 'probe' | 'fence' | 'pseudo';

/** One action of the transition graph. */
export interface GraphAction {
  /** Unique within the graph: `RSC_KIND_INTERVALMS@NODE`, `fence@NODE`, or a pseudo action's name. */
  readonly id: string;
  readonly kind: ActionKind;
  readonly resource?: string;
  readonly node?: string;
  /** Milliseconds; 0 for one-shot actions. */
  readonly interval: number;
  /** An optional action runs only when something else requires it. */
  readonly optional: boolean;
  /**
   * False when the action cannot run in this transition (the summary marks it "blocked"), or when
   * it follows such an action that it requires. The transition engine never runs it.
   */
  readonly runnable: boolean;
}

/** `before` must complete before `after` starts. */
export interface GraphEdge {
  readonly before: string;
  readonly after: string;
}

/** The transition graph: the actions and their ordering edges, both sorted by id. */
export interface TransitionGraph {
  readonly actions: readonly GraphAction[];
  readonly edges: readonly GraphEdge[];
}

/** What the engine decided for one resource (instance). */
export interface ResourceDecision {
  readonly resource: string;
  /** Where it is active now (several nodes when multiply active), with its role there. */
  readonly current: readonly { readonly node: string; readonly role: Role; readonly failed: boolean }[];
  /** Where it will run, or undefined when it will be stopped. */
  readonly next?: string;
  readonly nextRole: Role;
  readonly managed: boolean;
}

/** One allocation score, as `crm_simulate --show-scores` prints it. */
export interface AllocationScore {
  readonly resource: string;
  readonly node: string;
  readonly score: number;
  /** `allocation` or `promotion`. */
  readonly kind: 'allocation' | 'promotion';
}

/** A resource found active in the status but absent from the configuration. */
export interface Orphan {
  readonly id: string;
  readonly node: string;
  readonly role: Role;
  /** An instance of a configured clone beyond its instances: stopped even with stop-orphan-resources=false. */
  readonly cloneInstance?: boolean;
}

/** Everything `schedule` returns. */
export interface PolicyResult {
  readonly graph: TransitionGraph;
  readonly decisions: readonly ResourceDecision[];
  readonly scores: readonly AllocationScore[];
  /** The Transition Summary lines, formatted as crm_simulate prints them. */
  readonly summary: readonly string[];
  /** Things the engine did not understand and skipped, for the operator. */
  readonly notes: readonly string[];
  /** Resources active somewhere that the configuration no longer has (stopped by this graph unless stop-orphan-resources=false). */
  readonly orphans: readonly Orphan[];
}

/** Inputs besides the CIB. */
export interface ScheduleOptions {
  /** "Now" in seconds since the Unix epoch (failure expiry counts against it). */
  readonly now: number;
  /**
   * Whether to keep every allocation and promotion score (`--show-scores`); default true. The
   * running cluster plans without them: on 16 nodes they are 16 objects per resource.
   */
  readonly recordScores?: boolean;
}
