// The deterministic simulator: virtual time, a seeded network with faults, node crashes and
// restarts, checkers and replayable traces. Tests and `heartline sim` use it; production never does.
export { EventQueue } from './event-queue.js';
export type { Fault, ScheduledFault, SwarmOptions } from './fault-schedule.js';
export { describeConditions, describeFault, randomConditions, swarmFaultSchedule } from './fault-schedule.js';
export type { PingPongConfig, PingPongEffect, PingPongMessage, PingPongVariant } from './protocols/ping-pong.js';
export { PingPongNode } from './protocols/ping-pong.js';
export { replayCommand } from './replay.js';
export type { PingPongRun, PingPongRunOptions } from './scenarios/ping-pong-scenario.js';
export { PingPongChecker, pingPongOptions, runPingPong } from './scenarios/ping-pong-scenario.js';
export { SimClock } from './sim-clock.js';
export type { LinkConditions, TransmitOutcome } from './sim-network.js';
export { SimNetwork, perfectLink } from './sim-network.js';
export type { NodeContext, SimChecker, SimProtocol, SimulationOptions, SimulationResult, SimulationView, StepRecord, Violation, ViolationKind } from './simulation.js';
export { Simulation } from './simulation.js';
export { Trace } from './trace.js';
export type { MembershipRun, MembershipRunOptions } from './scenarios/membership-scenario.js';
export { MembershipChecker, describeMembershipEvent, describeMembershipMessage, membershipOptions, membershipProtocol, runMembership, simulatedMembershipConfig } from './scenarios/membership-scenario.js';
