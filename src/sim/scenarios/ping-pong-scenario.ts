import { SeededRandom, millis, nodeId, randomInt, type NodeId } from '../../lib/index.js';
import { swarmFaultSchedule } from '../fault-schedule.js';
import { PingPongNode, type PingPongConfig, type PingPongEffect, type PingPongMessage, type PingPongVariant } from '../protocols/ping-pong.js';
import { replayCommand } from '../replay.js';
import { Simulation, type SimChecker, type SimProtocol, type SimulationResult, type SimulationView, type StepRecord } from '../simulation.js';

const SHAPE_STREAM = 2;
const FAULT_STREAM = 3;

/** Everything a ping-pong run draws from its seed, printed with the run so a reader knows what it tried. */
export interface PingPongRunOptions {
  readonly nodeCount: number;
  readonly config: PingPongConfig;
  readonly faultPhaseMs: number;
  readonly endMs: number;
}

export interface PingPongRun {
  readonly options: PingPongRunOptions;
  readonly result: SimulationResult;
  /** The one command that replays this run and prints its trace. */
  readonly replay: string;
}

/**
 * Draws a run's shape from its seed (swarm testing: 2 to 5 nodes, 2 to 8 rounds, a retry period,
 * up to 3 s of faults of a randomly weighted mix), then gives the client a generous bound to finish
 * once the network has healed.
 */
export function pingPongOptions(seed: number, variant: PingPongVariant): PingPongRunOptions {
  const random = new SeededRandom(seed, SHAPE_STREAM);
  const nodeCount = randomInt(random, 2, 5);
  const rounds = randomInt(random, 2, 8);
  const retryMs = randomInt(random, 20, 200);
  const faultPhaseMs = randomInt(random, 0, 3000);
  // After the heal each round needs at most a few retries of (retry + round trip); 20 of them per
  // round leaves no room for a correct client to miss the deadline by bad luck.
  const endMs = faultPhaseMs + rounds * 20 * (retryMs + 200);
  return { nodeCount, config: { rounds, retryMs: millis(retryMs), variant }, faultPhaseMs, endMs };
}

export function runPingPong(seed: number, options: { variant?: PingPongVariant; keepTrace?: boolean; onTraceLine?: (line: string) => void } = {}): PingPongRun {
  const variant = options.variant ?? 'correct';
  const runOptions = pingPongOptions(seed, variant);
  const nodeIds = Array.from({ length: runOptions.nodeCount }, (_, i) => nodeId(i + 1));
  const faultRandom = new SeededRandom(seed, FAULT_STREAM);
  const faults = swarmFaultSchedule(faultRandom, { nodeIds, faultPhaseMs: runOptions.faultPhaseMs, meanFaultGapMs: 150, allowCrashes: true });
  const protocol: SimProtocol<PingPongMessage, PingPongEffect> = {
    name: `ping-pong(${variant})`,
    createNode: (context) => new PingPongNode(context.id, context.incarnation, context.nodeIds, runOptions.config),
    describeMessage: (m) => `${m.type}(inc=${m.incarnation},round=${m.round})`,
    describeEffect: (e) => (e.kind === 'done' ? `done(inc=${e.incarnation},rounds=${e.rounds})` : `round-complete(inc=${e.incarnation},round=${e.round})`),
  };
  const simulation = new Simulation<PingPongMessage, PingPongEffect>({
    seed,
    protocol,
    nodeIds,
    faults,
    endMs: runOptions.endMs,
    checkers: [new PingPongChecker(nodeIds, runOptions.config.rounds)],
    keepTrace: options.keepTrace ?? false,
    ...(options.onTraceLine === undefined ? {} : { onTraceLine: options.onTraceLine }),
  });
  const result = simulation.run();
  const extra = variant === 'correct' ? [] : ['--variant', variant];
  return { options: runOptions, result, replay: replayCommand('ping-pong', seed, extra) };
}

/**
 * The invariants of ping-pong.
 * - Safety: a round completes only when every server really sent a pong for that incarnation and
 *   round (the network may lose, duplicate and delay, but never invent), and rounds complete in
 *   order, each once.
 * - Liveness: by the end of the run the client's latest incarnation has finished every round.
 */
export class PingPongChecker implements SimChecker<PingPongMessage, PingPongEffect> {
  private readonly client: NodeId;
  private readonly servers: readonly NodeId[];
  private readonly pongsSent = new Set<string>();
  private readonly lastRound = new Map<number, number>();
  private readonly finished = new Set<number>();

  constructor(
    nodeIds: readonly NodeId[],
    private readonly rounds: number,
  ) {
    this.client = Math.min(...nodeIds) as NodeId;
    this.servers = nodeIds.filter((n) => n !== this.client);
  }

  onStep(step: StepRecord<PingPongMessage, PingPongEffect>): string | undefined {
    for (const effect of step.effects) {
      if (effect.kind === 'send' && effect.message.type === 'pong') {
        this.pongsSent.add(`${step.node}:${effect.message.incarnation}:${effect.message.round}`);
      } else if (effect.kind === 'round-complete') {
        const missing = this.servers.filter((s) => !this.pongsSent.has(`${s}:${effect.incarnation}:${effect.round}`));
        if (missing.length > 0) {
          return `client n${step.node} completed round ${effect.round} of incarnation ${effect.incarnation} without a pong from ${missing.map((n) => `n${n}`).join(', ')}`;
        }
        const expected = (this.lastRound.get(effect.incarnation) ?? 0) + 1;
        if (effect.round !== expected) return `client completed round ${effect.round} of incarnation ${effect.incarnation}, expected round ${expected}`;
        this.lastRound.set(effect.incarnation, effect.round);
      } else if (effect.kind === 'done') {
        this.finished.add(effect.incarnation);
      }
    }
    return undefined;
  }

  atEnd(view: SimulationView): string | undefined {
    if (!view.isUp(this.client)) return `client n${this.client} is down at the end of the run`;
    const incarnation = view.incarnation(this.client);
    if (!this.finished.has(incarnation)) {
      const reached = this.lastRound.get(incarnation) ?? 0;
      return `client n${this.client} (incarnation ${incarnation}) finished ${reached} of ${this.rounds} rounds by ${view.nowMs} ms, long after the network healed`;
    }
    return undefined;
  }
}
