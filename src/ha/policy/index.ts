// The policy engine: a pure function from a CIB snapshot to a transition graph with Pacemaker's
// semantics (see docs/POLICY.md for the phases and what is implemented).
export { schedule } from './schedule.js';
export { applyTransitionOutcome, topologicalActions } from './simulate-outcome.js';
export type { TransitionOutcomeOptions } from './simulate-outcome.js';
export { normalizeSummaryLine, parseTransitionSummary } from './summary-text.js';
export type { ActionKind, AllocationScore, GraphAction, GraphEdge, Orphan, PolicyResult, ResourceDecision, ScheduleOptions, TransitionGraph } from './types.js';
