/**
 * A node's LRM under simulation: it runs the controller's requests against the SimWorld's agent
 * states after a seeded delay, can fail starts and stops or hang until the timeout, and keeps
 * recurring monitors that report their first result and then only changes, as the real LRM does.
 * Everything happens through the node's own timers, so a crashed daemon loses its LRM with it.
 */
import { randomChance, randomInt, type Millis, type NodeId, type Random } from '../../lib/index.js';
import type { LrmRequest, LrmResult } from '../../ha/controller/index.js';
import type { SimWorld } from './sim-world.js';

export interface SimAgentFaults {
  readonly failStartRate: number;
  readonly failStopRate: number;
  readonly hangRate: number;
}

export const NO_AGENT_FAULTS: SimAgentFaults = { failStartRate: 0, failStopRate: 0, hangRate: 0 };

interface Pending {
  readonly request: LrmRequest;
  readonly callId: number;
  readonly hang: boolean;
  readonly faulty: boolean;
}

interface Recurring {
  readonly request: LrmRequest;
  lastRc: number;
  generation: number;
}

export type SimLrmEffect = { readonly kind: 'set-timer'; readonly timer: string; readonly afterMs: Millis } | { readonly kind: 'result'; readonly result: LrmResult };

export const LRM_TIMER = 'lrm:';

export class SimLrm {
  private readonly pending = new Map<number, Pending>();
  private readonly recurring = new Map<string, Recurring>();
  private nextCall: number;

  constructor(
    private readonly self: NodeId,
    private readonly name: string,
    incarnation: number,
    private readonly world: SimWorld,
    private readonly random: Random,
    private readonly faults: SimAgentFaults,
    private readonly wallClock: (now: Millis) => number,
    /** Agents misbehave only before this time: liveness is judged after the faults stop. */
    private readonly faultsUntilMs: number,
  ) {
    // Call ids grow across restarts, as the history replay orders by them.
    this.nextCall = incarnation * 1_000_000;
  }

  execute(now: Millis, request: LrmRequest): SimLrmEffect[] {
    if (request.operation === 'stop') {
      for (const key of [...this.recurring.keys()]) if (key.startsWith(`${request.resource}|`)) this.recurring.delete(key);
    }
    const callId = ++this.nextCall;
    const faulty = now < this.faultsUntilMs;
    const hang = randomChance(this.random, this.faults.hangRate) && faulty;
    this.pending.set(callId, { request, callId, hang, faulty });
    const afterMs = hang ? request.timeout : randomInt(this.random, 5, 150);
    return [{ kind: 'set-timer', timer: `${LRM_TIMER}op:${callId}`, afterMs: afterMs as Millis }];
  }

  timeout(now: Millis, timer: string): SimLrmEffect[] {
    const rest = timer.slice(LRM_TIMER.length);
    if (rest.startsWith('op:')) return this.finish(now, Number(rest.slice(3)));
    if (rest.startsWith('mon:')) return this.monitorTick(now, rest.slice(4));
    return [];
  }

  private finish(now: Millis, callId: number): SimLrmEffect[] {
    const p = this.pending.get(callId);
    if (p === undefined) return [];
    this.pending.delete(callId);
    const r = p.request;
    if (p.hang && r.operation === 'start') this.world.startFailures.add(r.resource);
    if (p.hang) return [{ kind: 'result', result: this.result(now, r, callId, 1, 2, 'operation timed out') }];
    let rc = 0;
    switch (r.operation) {
      case 'start':
        if (randomChance(this.random, this.faults.failStartRate) && p.faulty) {
          rc = 1;
          this.world.startFailures.add(r.resource);
        } else this.world.setState(this.self, r.resource, 'started');
        break;
      case 'stop':
        if (randomChance(this.random, this.faults.failStopRate) && p.faulty) rc = 1;
        else this.world.setState(this.self, r.resource, 'stopped');
        break;
      case 'promote':
        this.world.setState(this.self, r.resource, 'promoted');
        break;
      case 'demote':
        this.world.setState(this.self, r.resource, 'started');
        break;
      case 'monitor':
        rc = this.observe(r.resource);
        break;
    }
    const out: SimLrmEffect[] = [{ kind: 'result', result: this.result(now, r, callId, rc, 0, rc === 0 || rc === 7 || rc === 8 ? undefined : 'simulated agent failure') }];
    if (r.operation === 'monitor' && r.interval > 0) {
      const key = `${r.resource}|${r.interval}`;
      const generation = (this.recurring.get(key)?.generation ?? 0) + 1;
      // Later results of the monitor belong to no transition.
      const { graph: _graph, ...standalone } = r;
      this.recurring.set(key, { request: standalone, lastRc: rc, generation });
      out.push({ kind: 'set-timer', timer: `${LRM_TIMER}mon:${key}|${generation}`, afterMs: r.interval });
    }
    return out;
  }

  private monitorTick(now: Millis, spec: string): SimLrmEffect[] {
    const [resource = '', interval = '', generation = ''] = spec.split('|');
    const key = `${resource}|${interval}`;
    const m = this.recurring.get(key);
    if (m === undefined || m.generation !== Number(generation)) return [];
    const rc = this.observe(resource);
    const out: SimLrmEffect[] = [{ kind: 'set-timer', timer: `${LRM_TIMER}mon:${spec}`, afterMs: m.request.interval }];
    if (rc !== m.lastRc) {
      m.lastRc = rc;
      out.push({ kind: 'result', result: this.result(now, m.request, ++this.nextCall, rc, 0, rc === m.request.expectedRc ? undefined : 'resource is not running') });
    }
    return out;
  }

  private observe(resource: string): number {
    const state = this.world.stateOf(this.self, resource);
    return state === 'stopped' ? 7 : state === 'promoted' ? 8 : 0;
  }

  private result(now: Millis, request: LrmRequest, callId: number, rc: number, opStatus: number, exitReason: string | undefined): LrmResult {
    return { node: this.name, request, rc, opStatus, callId, execMs: 10, finishedAt: this.wallClock(now), ...(exitReason === undefined ? {} : { exitReason }) };
  }
}
