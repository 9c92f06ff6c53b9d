import { SeededRandom, nodeId, randomChance, randomInt, randomPick, type NodeId } from '../../lib/index.js';
import {
  Membership,
  compareViewIds,
  defaultTiming,
  formatMembers,
  formatView,
  formatViewId,
  type MembershipConfig,
  type MembershipEvent,
  type MembershipMessage,
  type View,
} from '../../ha/membership/index.js';
import { swarmFaultSchedule, type ScheduledFault } from '../fault-schedule.js';
import { replayCommand } from '../replay.js';
import { Simulation, type SimChecker, type SimProtocol, type SimulationResult, type SimulationView, type StepRecord } from '../simulation.js';

const SHAPE_STREAM = 2;
const FAULT_STREAM = 3;
const LINK_NAMES = ['eth0', 'eth1', 'serial0'] as const;

/** Everything a membership run draws from its seed. */
export interface MembershipRunOptions {
  readonly nodeCount: number;
  readonly links: readonly string[];
  readonly dedupeFrames: boolean;
  readonly faultPhaseMs: number;
  readonly endMs: number;
}

export interface MembershipRun {
  readonly options: MembershipRunOptions;
  readonly result: SimulationResult;
  readonly replay: string;
}

/**
 * A run's shape: 2, 3, 5 or 16 nodes (the sizes the issue names, two-node most often since that is
 * the product), one to three links, up to 6 s of swarm faults, then a quiet phase long enough for
 * initdead, a deadtime and many keepalives: the cluster must have converged by its end.
 */
export function membershipOptions(seed: number, overrides: { nodeCount?: number } = {}): MembershipRunOptions {
  const random = new SeededRandom(seed, SHAPE_STREAM);
  const nodeCount = overrides.nodeCount ?? randomPick(random, [2, 2, 2, 3, 3, 5, 5, 16]);
  const links = LINK_NAMES.slice(0, randomInt(random, 1, 3));
  const dedupeFrames = randomChance(random, 0.5);
  const faultPhaseMs = randomInt(random, 0, 6000);
  const t = defaultTiming;
  const endMs = faultPhaseMs + t.initdeadMs + t.deadtimeMs + 40 * t.keepaliveMs;
  return { nodeCount, links, dedupeFrames, faultPhaseMs, endMs };
}

/** The membership configuration every simulated node gets (only `self` differs). */
export function simulatedMembershipConfig(self: NodeId, nodeIds: readonly NodeId[], links: readonly string[]): MembershipConfig {
  const twoNode = nodeIds.length === 2;
  return {
    self,
    nodes: nodeIds.map((id) => ({ id, votes: 1 })),
    links,
    timing: defaultTiming,
    quorum: { expectedVotes: nodeIds.length, twoNode, waitForAll: twoNode, pingTargets: false },
  };
}

export function membershipProtocol(nodeIds: readonly NodeId[], links: readonly string[]): SimProtocol<MembershipMessage, MembershipEvent> {
  return {
    name: 'membership',
    createNode: (context) => new Membership(simulatedMembershipConfig(context.id, nodeIds, links), context.incarnation),
    describeMessage: describeMembershipMessage,
    describeEffect: describeMembershipEvent,
  };
}

export function runMembership(
  seed: number,
  options: { nodeCount?: number; keepTrace?: boolean; onTraceLine?: (line: string) => void; faults?: readonly ScheduledFault[]; endMs?: number; checkers?: SimChecker<MembershipMessage, MembershipEvent>[] } = {},
): MembershipRun {
  const shape = membershipOptions(seed, options.nodeCount === undefined ? {} : { nodeCount: options.nodeCount });
  const runOptions = options.endMs === undefined ? shape : { ...shape, endMs: options.endMs };
  const nodeIds = Array.from({ length: runOptions.nodeCount }, (_, i) => nodeId(i + 1));
  const faults =
    options.faults ??
    swarmFaultSchedule(new SeededRandom(seed, FAULT_STREAM), { nodeIds, faultPhaseMs: runOptions.faultPhaseMs, meanFaultGapMs: 250, allowCrashes: true, links: runOptions.links });
  const simulation = new Simulation<MembershipMessage, MembershipEvent>({
    seed,
    protocol: membershipProtocol(nodeIds, runOptions.links),
    nodeIds,
    faults,
    endMs: runOptions.endMs,
    links: runOptions.links,
    dedupeFrames: runOptions.dedupeFrames,
    checkers: options.checkers ?? [new MembershipChecker()],
    keepTrace: options.keepTrace ?? false,
    ...(options.onTraceLine === undefined ? {} : { onTraceLine: options.onTraceLine }),
  });
  const result = simulation.run();
  const extra = options.nodeCount === undefined ? [] : ['--nodes', String(options.nodeCount)];
  return { options: runOptions, result, replay: replayCommand('membership', seed, extra) };
}

/**
 * The membership invariants.
 * - Agreement: every node that installs a view id installs the same members and DC.
 * - Integrity: a node is a member of every view it installs, in its own incarnation, and the views
 *   it installs in one incarnation have growing ids; the DC is a member.
 * - Convergence (end of run, after the quiet phase): every node that is up has installed one and
 *   the same view, whose members are exactly the nodes that are up, in their current incarnations,
 *   and every one of them has quorum.
 */
export class MembershipChecker implements SimChecker<MembershipMessage, MembershipEvent> {
  private readonly contents = new Map<string, string>();
  private readonly current = new Map<NodeId, { incarnation: number; view: View | null; quorate: boolean }>();

  onStep(step: StepRecord<MembershipMessage, MembershipEvent>): string | undefined {
    let state = this.current.get(step.node);
    if (state === undefined || state.incarnation !== step.incarnation) {
      state = { incarnation: step.incarnation, view: null, quorate: false };
      this.current.set(step.node, state);
    }
    for (const effect of step.effects) {
      if (effect.kind === 'quorum-change') state.quorate = effect.quorum.quorate;
      if (effect.kind !== 'view-change') continue;
      const view = effect.view;
      if (view !== null) {
        const key = formatViewId(view.id);
        const content = `${formatMembers(view.members)} dc=n${view.dc}`;
        const known = this.contents.get(key);
        if (known !== undefined && known !== content) return `agreement: n${step.node} installed view ${key} as ${content}, another node as ${known}`;
        this.contents.set(key, content);
        if (!view.members.some((m) => m.id === step.node && m.incarnation === step.incarnation)) return `integrity: n${step.node}/${step.incarnation} installed ${formatView(view)} without itself`;
        if (!view.members.some((m) => m.id === view.dc)) return `integrity: the DC of ${formatView(view)} is not a member`;
        const before = state.view;
        if (before !== null && compareViewIds(view.id, before.id) <= 0) {
          return `integrity: n${step.node} went from view ${formatViewId(before.id)} back to ${key}`;
        }
      }
      state.view = view;
    }
    return undefined;
  }

  atEnd(sim: SimulationView): string | undefined {
    const up = [...this.current.keys()].filter((n) => sim.isUp(n)).sort((a, b) => a - b);
    const views = up.map((n) => {
      const state = this.current.get(n);
      return { node: n, incarnation: sim.incarnation(n), view: state !== undefined && state.incarnation === sim.incarnation(n) ? state.view : null, quorate: state?.quorate ?? false };
    });
    const describe = (): string => views.map((v) => `n${v.node}/${v.incarnation}: ${formatView(v.view)}${v.quorate ? ' quorate' : ''}`).join('; ');
    const first = views[0]?.view ?? null;
    if (first === null) return `convergence: n${views[0]?.node} has no view at ${sim.nowMs} ms (${describe()})`;
    const expected = views.map((v) => `n${v.node}/${v.incarnation}`).join(',');
    if (formatMembers(first.members) !== expected) return `convergence: view ${formatView(first)} does not hold exactly the nodes that are up (${expected}): ${describe()}`;
    for (const v of views) {
      if (v.view === null || formatViewId(v.view.id) !== formatViewId(first.id)) return `convergence: nodes disagree on the view at ${sim.nowMs} ms: ${describe()}`;
      if (!v.quorate) return `convergence: n${v.node} has no quorum in the converged view: ${describe()}`;
    }
    return undefined;
  }
}

export function describeMembershipMessage(m: MembershipMessage): string {
  switch (m.type) {
    case 'heartbeat':
      // Heartbeats are most of the trace: print who is heard by id only.
      return `hb(inc=${m.incarnation},beat=${m.beat},hears=${m.hears.map((h) => h.id).join(' ')},view=${m.view === null ? 'none' : formatViewId(m.view.id)})`;
    case 'propose':
      return `propose(inc=${m.incarnation},${formatViewId(m.viewId)},[${formatMembers(m.members)}])`;
    case 'ack':
      return `ack(inc=${m.incarnation},${formatViewId(m.viewId)},${m.accepted ? 'yes' : 'no'})`;
    case 'commit':
      return `commit(inc=${m.incarnation},${formatView(m.view)})`;
    case 'leave':
      return `leave(inc=${m.incarnation})`;
  }
}

export function describeMembershipEvent(e: MembershipEvent): string {
  switch (e.kind) {
    case 'node-up':
      return `node-up n${e.node}/${e.incarnation}`;
    case 'node-down':
      return `node-down n${e.node}/${e.incarnation} reason=${e.reason} silent=${e.silentMs}ms`;
    case 'peer-late':
      return `peer-late n${e.node} silent=${e.silentMs}ms`;
    case 'link-up':
      return `link-up n${e.peer}@${e.link}`;
    case 'link-down':
      return `link-down n${e.peer}@${e.link} silent=${e.silentMs}ms`;
    case 'view-change':
      return `view-change ${e.reason} ${formatView(e.view)}`;
    case 'quorum-change':
      return `quorum-change ${e.quorum.quorate ? 'quorate' : `lost (${e.quorum.reason ?? ''})`} votes=${e.quorum.votes}/${e.quorum.expectedVotes}`;
  }
}
