import { SeededRandom, type BaseEffect, type BaseInput, type Millis, type NodeCore, type NodeId, type Random } from '../lib/index.js';
import { EventQueue } from './event-queue.js';
import { describeFault, type Fault, type ScheduledFault } from './fault-schedule.js';
import { SimClock } from './sim-clock.js';
import { SimNetwork, perfectLink, type LinkConditions } from './sim-network.js';
import { Trace } from './trace.js';

/** What the simulator gives a protocol when it builds (or rebuilds, after a crash) one node's core. */
export interface NodeContext {
  readonly id: NodeId;
  /** 1 at the first start, +1 at each restart: a boot generation, as a real node keeps on disk. */
  readonly incarnation: number;
  readonly nodeIds: readonly NodeId[];
  /** This node's own seeded randomness (forked from the run's seed). */
  readonly random: Random;
}

/**
 * A protocol under simulation: how to build a node's core and how to print its messages and its
 * own effects in the trace. `Effect` is the protocol's domain effects; send and timer effects are
 * the simulator's business.
 */
export interface SimProtocol<Message, Effect extends { readonly kind: string }> {
  readonly name: string;
  createNode(context: NodeContext): NodeCore<BaseInput<Message>, BaseEffect<Message> | Effect>;
  describeMessage(message: Message): string;
  describeEffect(effect: Effect): string;
}

/** One step of one node, as checkers see it. */
export interface StepRecord<Message, Effect> {
  readonly nowMs: number;
  readonly node: NodeId;
  readonly incarnation: number;
  readonly input: BaseInput<Message>;
  readonly effects: readonly (BaseEffect<Message> | Effect)[];
}

/** What a checker can read of the simulation at the end of a run. */
export interface SimulationView {
  readonly nowMs: number;
  isUp(node: NodeId): boolean;
  incarnation(node: NodeId): number;
  /** The node's running core (undefined while it is down), for end-of-run checks of its state. */
  coreOf(node: NodeId): unknown;
}

/**
 * A checker: watches every step and may report a violation (a message saying which invariant broke
 * and how). Correctness is checked on every step; liveness, at the end of the run.
 */
export interface SimChecker<Message, Effect> {
  onStep?(step: StepRecord<Message, Effect>): string | undefined;
  atEnd?(view: SimulationView): string | undefined;
}

export type ViolationKind = 'correctness' | 'liveness' | 'crash';

export interface Violation {
  readonly kind: ViolationKind;
  readonly atMs: number;
  readonly message: string;
}

export interface SimulationOptions<Message, Effect extends { readonly kind: string }> {
  readonly seed: number;
  readonly protocol: SimProtocol<Message, Effect>;
  readonly nodeIds: readonly NodeId[];
  readonly faults: readonly ScheduledFault[];
  /** Virtual time at which the run stops. */
  readonly endMs: number;
  readonly checkers: readonly SimChecker<Message, Effect>[];
  readonly linkDefaults?: LinkConditions;
  /**
   * The heartbeat links between every pair of nodes. A send or broadcast without a link goes out on
   * each of them; with none given, each pair has one anonymous path.
   */
  readonly links?: readonly string[];
  /**
   * Drop a second copy of one sent message at its receiver, as the frame layer's anti-replay window
   * does in production (a message sent on two links is one frame). Off, the core sees duplicates.
   */
  readonly dedupeFrames?: boolean;
  /** Keep the trace's lines (for printing); the hash is always computed. */
  readonly keepTrace?: boolean;
  /** Called with each trace line as it is written (streaming a replay). */
  readonly onTraceLine?: (line: string) => void;
  /** A bound on events, so that a protocol stuck in a zero-delay loop ends the run as a violation. */
  readonly maxEvents?: number;
  /**
   * Whether a node has power: a `restart` of a node without power does nothing (a fenced node is
   * off until the scenario powers it on). Default: every node always has power.
   */
  readonly hasPower?: (node: NodeId) => boolean;
}

export interface SimulationResult {
  readonly seed: number;
  readonly protocol: string;
  readonly endMs: number;
  readonly events: number;
  readonly traceHash: string;
  readonly traceLines: readonly string[] | undefined;
  readonly violation: Violation | undefined;
  readonly stats: Readonly<{ sent: number; delivered: number; lost: number; blocked: number; duplicated: number }>;
}

/** The random stream of the simulation itself (network, nodes); scenarios draw their shape from others. */
const SIMULATION_STREAM = 1;

type SimEvent<Message> =
  | { readonly kind: 'fault'; readonly fault: Fault }
  | { readonly kind: 'deliver'; readonly from: NodeId; readonly to: NodeId; readonly message: Message; readonly link: string | undefined; readonly serial: number }
  | { readonly kind: 'timer'; readonly node: NodeId; readonly incarnation: number; readonly timer: string; readonly token: number }
  | { readonly kind: 'callback'; readonly run: () => void };

interface SimNode<Message, Effect> {
  readonly id: NodeId;
  core: NodeCore<BaseInput<Message>, BaseEffect<Message> | Effect> | undefined;
  incarnation: number;
  readonly random: SeededRandom;
  readonly timers: Map<string, number>;
  /** Message serials this incarnation has received, when frames are deduplicated. */
  readonly seen: Set<number>;
  /** While paused (SIGSTOP), the node's due timers and arriving packets wait here, in order. */
  held: SimEvent<Message>[] | undefined;
}

/**
 * Simulation: N nodes' cores, a simulated network and a fault schedule, run under virtual time from
 * one seed. Nothing in a run reads the real clock or real randomness, so a seed is a complete
 * description of a run: `run()` twice with the same options gives the same trace, line for line.
 *
 * A crashed node loses its core's state and its pending timers; packets that reach it while it is
 * down are dropped. A restart builds a fresh core with the next incarnation and feeds it `start`.
 */
export class Simulation<Message, Effect extends { readonly kind: string }> implements SimulationView {
  private readonly queue = new EventQueue<SimEvent<Message>>();
  private readonly network: SimNetwork;
  private readonly nodes = new Map<NodeId, SimNode<Message, Effect>>();
  private readonly trace: Trace;
  private readonly stats = { sent: 0, delivered: 0, lost: 0, blocked: 0, duplicated: 0 };
  private now = 0;
  private events = 0;
  private nextToken = 1;
  private nextSerial = 1;
  private violation: Violation | undefined;
  /** A Clock on this simulation's virtual time, for shell code running inside it. */
  readonly clock: SimClock;

  constructor(private readonly options: SimulationOptions<Message, Effect>) {
    const root = new SeededRandom(options.seed, SIMULATION_STREAM);
    this.network = new SimNetwork(root.fork(), options.linkDefaults ?? perfectLink);
    for (const id of options.nodeIds) {
      this.nodes.set(id, { id, core: undefined, incarnation: 0, random: root.fork(), timers: new Map(), seen: new Set(), held: undefined });
    }
    this.trace = new Trace({
      keepLines: options.keepTrace ?? false,
      ...(options.onTraceLine === undefined ? {} : { onLine: options.onTraceLine }),
    });
    this.clock = new SimClock({
      now: () => this.now,
      schedule: (afterMs, run) => this.queue.push(this.now + afterMs, { kind: 'callback', run }),
    });
  }

  get nowMs(): number {
    return this.now;
  }

  /** Applies a fault `afterMs` from now: how a scenario's simulated devices (a fence device) act. */
  injectFault(afterMs: number, fault: Fault): void {
    this.queue.push(this.now + Math.max(0, afterMs), { kind: 'fault', fault });
  }

  isUp(node: NodeId): boolean {
    return this.nodes.get(node)?.core !== undefined;
  }

  incarnation(node: NodeId): number {
    return this.nodes.get(node)?.incarnation ?? 0;
  }

  coreOf(node: NodeId): unknown {
    return this.nodes.get(node)?.core;
  }

  run(): SimulationResult {
    const { options } = this;
    this.trace.write(0, 'sim', `start protocol=${options.protocol.name} seed=${options.seed} nodes=${options.nodeIds.map((n) => `n${n}`).join(',')} end=${options.endMs}ms`);
    for (const { atMs, fault } of options.faults) this.queue.push(atMs, { kind: 'fault', fault });
    for (const id of options.nodeIds) this.queue.push(0, { kind: 'fault', fault: { kind: 'restart', node: id } });
    const maxEvents = options.maxEvents ?? 5_000_000;

    while (this.violation === undefined) {
      const next = this.queue.peekTime();
      if (next === undefined || next > options.endMs) break;
      const event = this.queue.pop();
      if (event === undefined) break;
      this.now = event.atMs;
      if (++this.events > maxEvents) {
        this.fail('liveness', `more than ${maxEvents} events by ${this.now} ms: a protocol loops without time passing`);
        break;
      }
      this.handle(event.value);
    }
    if (this.violation === undefined) {
      this.now = Math.max(this.now, options.endMs);
      for (const checker of options.checkers) {
        const message = checker.atEnd?.(this);
        if (message !== undefined) {
          this.fail('liveness', message);
          break;
        }
      }
    }
    this.trace.write(this.now, 'sim', this.violation === undefined ? `end ok events=${this.events}` : `end violation ${this.violation.kind}`);
    return {
      seed: options.seed,
      protocol: options.protocol.name,
      endMs: this.now,
      events: this.events,
      traceHash: this.trace.digest(),
      traceLines: this.trace.lines,
      violation: this.violation,
      stats: { ...this.stats },
    };
  }

  private handle(event: SimEvent<Message>): void {
    const target = event.kind === 'deliver' ? event.to : event.kind === 'timer' ? event.node : undefined;
    const held = target === undefined ? undefined : this.nodes.get(target)?.held;
    if (held !== undefined) {
      held.push(event);
      return;
    }
    switch (event.kind) {
      case 'fault':
        this.applyFault(event.fault);
        return;
      case 'deliver': {
        const node = this.nodes.get(event.to);
        const text = this.options.protocol.describeMessage(event.message);
        const via = event.link === undefined ? '' : `@${event.link}`;
        if (node?.core === undefined) {
          this.trace.write(this.now, `n${event.to}`, `drop-down from=n${event.from}${via} ${text}`);
          return;
        }
        if (this.options.dedupeFrames === true) {
          if (node.seen.has(event.serial)) {
            this.trace.write(this.now, `n${event.to}`, `drop-dup from=n${event.from}${via} ${text}`);
            return;
          }
          node.seen.add(event.serial);
        }
        this.stats.delivered++;
        this.trace.write(this.now, `n${event.to}`, `recv from=n${event.from}${via} ${text}`);
        // The serial orders sends as a frame sequence number does (shared by one send's copies).
        this.step(node, event.link === undefined ? { kind: 'receive', from: event.from, message: event.message, order: event.serial } : { kind: 'receive', from: event.from, message: event.message, link: event.link, order: event.serial });
        return;
      }
      case 'timer': {
        const node = this.nodes.get(event.node);
        if (node?.core === undefined || node.incarnation !== event.incarnation) return;
        if (node.timers.get(event.timer) !== event.token) return;
        node.timers.delete(event.timer);
        this.trace.write(this.now, `n${node.id}`, `timeout ${event.timer}`);
        this.step(node, { kind: 'timeout', timer: event.timer });
        return;
      }
      case 'callback':
        event.run();
        return;
    }
  }

  private applyFault(fault: Fault): void {
    this.trace.write(this.now, 'node' in fault ? `n${fault.node}` : 'net', describeFault(fault));
    switch (fault.kind) {
      case 'set-defaults':
        this.network.setDefaults(fault.conditions);
        return;
      case 'set-link':
        this.network.setLink(fault.from, fault.to, fault.conditions, fault.link);
        return;
      case 'cut':
        this.network.cut(fault.from, fault.to, fault.link);
        return;
      case 'partition':
        this.network.partition(fault.groups, fault.link);
        return;
      case 'heal':
        this.network.heal();
        return;
      case 'crash': {
        const node = this.nodes.get(fault.node);
        if (node === undefined) return;
        node.core = undefined;
        node.timers.clear();
        node.seen.clear();
        node.held = undefined;
        return;
      }
      case 'pause': {
        const node = this.nodes.get(fault.node);
        if (node !== undefined && node.held === undefined) node.held = [];
        return;
      }
      case 'resume': {
        // The process runs again: what piled up is handled now, in the order it arrived.
        const node = this.nodes.get(fault.node);
        const held = node?.held;
        if (node === undefined || held === undefined) return;
        node.held = undefined;
        for (const event of held) this.handle(event);
        return;
      }
      case 'restart': {
        const node = this.nodes.get(fault.node);
        if (node === undefined || node.core !== undefined) return;
        if (this.options.hasPower?.(node.id) === false) return;
        node.incarnation++;
        node.timers.clear();
        node.core = this.options.protocol.createNode({
          id: node.id,
          incarnation: node.incarnation,
          nodeIds: this.options.nodeIds,
          random: node.random.fork(),
        });
        this.step(node, { kind: 'start' });
        return;
      }
    }
  }

  private step(node: SimNode<Message, Effect>, input: BaseInput<Message>): void {
    const core = node.core;
    if (core === undefined) return;
    let effects: readonly (BaseEffect<Message> | Effect)[];
    try {
      effects = core.step(this.now as Millis, input);
    } catch (error) {
      this.fail('crash', `n${node.id} threw on ${input.kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return;
    }
    for (const effect of effects) this.perform(node, effect);
    const record: StepRecord<Message, Effect> = { nowMs: this.now, node: node.id, incarnation: node.incarnation, input, effects };
    for (const checker of this.options.checkers) {
      const message = checker.onStep?.(record);
      if (message !== undefined) {
        this.fail('correctness', message);
        return;
      }
    }
  }

  private perform(node: SimNode<Message, Effect>, effect: BaseEffect<Message> | Effect): void {
    const subject = `n${node.id}`;
    if (isBaseEffect<Message>(effect)) {
      switch (effect.kind) {
        case 'send':
          this.transmit(node, effect.to, effect.message, effect.link);
          return;
        case 'broadcast':
          for (const to of this.options.nodeIds) if (to !== node.id) this.transmit(node, to, effect.message, effect.link);
          return;
        case 'set-timer': {
          const token = this.nextToken++;
          node.timers.set(effect.timer, token);
          this.queue.push(this.now + Math.max(0, effect.afterMs), { kind: 'timer', node: node.id, incarnation: node.incarnation, timer: effect.timer, token });
          return;
        }
        case 'cancel-timer':
          node.timers.delete(effect.timer);
          return;
      }
    }
    this.trace.write(this.now, subject, this.options.protocol.describeEffect(effect));
  }

  /** Puts one message on the wire: on the named link, or once on every link, all as one serial. */
  private transmit(node: SimNode<Message, Effect>, to: NodeId, message: Message, link: string | undefined): void {
    const serial = this.nextSerial++;
    const links: readonly (string | undefined)[] = link !== undefined ? [link] : this.options.links !== undefined && this.options.links.length > 0 ? this.options.links : [undefined];
    const text = this.options.protocol.describeMessage(message);
    for (const via of links) {
      this.stats.sent++;
      const outcome = this.network.transmit(node.id, to, via);
      const where = via === undefined ? '' : `@${via}`;
      if (outcome.kind !== 'delivered') {
        this.stats[outcome.kind]++;
        this.trace.write(this.now, `n${node.id}`, `send to=n${to}${where} ${text} ${outcome.kind}`);
        continue;
      }
      if (outcome.delaysMs.length > 1) this.stats.duplicated++;
      this.trace.write(this.now, `n${node.id}`, `send to=n${to}${where} ${text} delay=${outcome.delaysMs.join('+')}`);
      for (const delay of outcome.delaysMs) {
        this.queue.push(this.now + delay, { kind: 'deliver', from: node.id, to, message, link: via, serial });
      }
    }
  }

  private fail(kind: ViolationKind, message: string): void {
    if (this.violation !== undefined) return;
    this.violation = { kind, atMs: this.now, message };
    this.trace.write(this.now, 'sim', `VIOLATION ${kind}: ${message.split('\n')[0] ?? ''}`);
  }
}

function isBaseEffect<Message>(effect: { readonly kind: string }): effect is BaseEffect<Message> {
  return effect.kind === 'send' || effect.kind === 'broadcast' || effect.kind === 'set-timer' || effect.kind === 'cancel-timer';
}
