export { GraphRun, type ActionState, type GraphAction } from './graph-run.js';
export {
  TransitionEngine,
  type TransitionEffect,
  type TransitionEngineConfig,
  type TransitionEvent,
  type TransitionInput,
  type TransitionStatus,
} from './transition-engine.js';
