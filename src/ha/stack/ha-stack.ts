/**
 * HaStack: the CIB replica and the controller of one node composed into one pure state machine
 * (lib/node-core.ts), Pacemaker's pacemaker-based and pacemaker-controld folded together. The
 * daemon's main thread drives it; the simulator drives one per node. Below it, membership and the
 * reliable channel deliver views and messages; beside it, the LRM runs operations and the fencer
 * fences; above it, the CLI asks for changes.
 *
 * Inside, the two cores talk through a FIFO work queue, so each sees the other's effects in the
 * order they were produced (a status write is in the CIB before its reply reaches the controller).
 * Messages to other nodes are one JSON document per channel message: `{ "l": layer, "m": message }`.
 */
import type { Millis, NodeCore, NodeId, Result } from '../../lib/index.js';
import { CibReplica, type Cib, type CibChangeMeta, type CibChangeRejection, type CibMessage, type CibRequestResult } from '../cib/index.js';
import { Controller, type ControllerEvent, type ControllerInput, type ControllerMessage, type ControllerNode, type LrmRequest, type LrmResult, type StatusChanges, type ViewMember } from '../controller/index.js';
import type { PolicyResult } from '../policy/index.js';
import type { TransitionEngineConfig } from '../transition/index.js';

export interface HaStackOptions<Change> {
  readonly self: NodeId;
  readonly nodes: readonly ControllerNode[];
  /** The CIB recovered from disk (or an empty one). */
  readonly initialCib: Cib;
  readonly applyChange: (cib: Cib, change: Change, meta: CibChangeMeta) => Result<Cib, CibChangeRejection>;
  readonly changes: StatusChanges<Change>;
  readonly schedule: (cib: Cib, now: number) => PolicyResult;
  readonly transition: Omit<TransitionEngineConfig, 'resultTimeout'>;
  readonly resultGraceMs: number;
  readonly queryTimeoutMs: number;
  readonly wallClock: (now: Millis) => number;
  /** The controller's startupGraceMs (membership's initdead). */
  readonly startupGraceMs?: Millis;
}

export type HaStackInput<Change> =
  | { readonly kind: 'start' }
  | { readonly kind: 'view'; readonly members: readonly ViewMember[]; readonly dc: NodeId | null; readonly quorate: boolean }
  /** A channel message for this layer, as JSON text (the driver converts bytes and text). */
  | { readonly kind: 'deliver'; readonly from: NodeId; readonly text: string }
  | { readonly kind: 'request'; readonly requestId: string; readonly change: Change; readonly meta: CibChangeMeta }
  | { readonly kind: 'lrm-result'; readonly result: LrmResult }
  | { readonly kind: 'fence-result'; readonly requestId: string; readonly target: string; readonly ok: boolean; readonly reason?: string }
  /** A node known to be off without a fence of this node's controller (see ControllerInput). */
  | { readonly kind: 'node-fenced'; readonly target: string; readonly by: string }
  | { readonly kind: 'timeout'; readonly timer: string };

export type HaStackEffect =
  | { readonly kind: 'channel-send'; readonly to: NodeId; readonly text: string }
  | { readonly kind: 'persist'; readonly cib: Cib; readonly description: string; readonly meta?: CibChangeMeta }
  | { readonly kind: 'reply'; readonly requestId: string; readonly result: CibRequestResult }
  | { readonly kind: 'lrm-execute'; readonly request: LrmRequest }
  | { readonly kind: 'fence'; readonly requestId: string; readonly target: string; readonly action: string }
  | { readonly kind: 'set-timer'; readonly timer: string; readonly afterMs: Millis }
  | { readonly kind: 'cancel-timer'; readonly timer: string }
  | { readonly kind: 'cib-changed'; readonly cib: Cib; readonly authoritative: boolean }
  | ControllerEvent;

type Work<Change> = { readonly to: 'cib'; readonly input: Parameters<CibReplica<Change>['step']>[1] } | { readonly to: 'ctl'; readonly input: ControllerInput };

type Envelope<Change> = { readonly l: 'cib'; readonly m: CibMessage<Change> } | { readonly l: 'ctl'; readonly m: ControllerMessage };

const CIB_TIMER = 'cib:';
const CTL_TIMER = 'ctl:';
const STATUS_REQUEST = 'status-';

export class HaStack<Change> implements NodeCore<HaStackInput<Change>, HaStackEffect> {
  readonly replica: CibReplica<Change>;
  readonly controller: Controller<Change>;
  private readonly selfName: string;
  private undecodable = 0;

  constructor(private readonly options: HaStackOptions<Change>) {
    this.selfName = options.nodes.find((n) => n.id === options.self)?.name ?? `node${options.self}`;
    this.replica = new CibReplica<Change>({ self: options.self, initial: options.initialCib, apply: options.applyChange, queryTimeoutMs: options.queryTimeoutMs });
    this.controller = new Controller<Change>({
      self: options.self,
      nodes: options.nodes,
      changes: options.changes,
      schedule: options.schedule,
      transition: options.transition,
      resultGraceMs: options.resultGraceMs,
      wallClock: options.wallClock,
      ...(options.startupGraceMs === undefined ? {} : { startupGraceMs: options.startupGraceMs }),
    });
  }

  get dropped(): number {
    return this.undecodable;
  }

  step(now: Millis, input: HaStackInput<Change>): readonly HaStackEffect[] {
    const out: HaStackEffect[] = [];
    const queue: Work<Change>[] = [];
    switch (input.kind) {
      case 'start':
        queue.push({ to: 'cib', input: { kind: 'start' } }, { to: 'ctl', input: { kind: 'start' } });
        break;
      case 'view':
        // The replica first: a new DC's controller must find the join under way.
        queue.push({ to: 'cib', input: { kind: 'view', members: input.members.map((m) => m.id), dc: input.dc } }, { to: 'ctl', input });
        break;
      case 'deliver': {
        const envelope = this.decode(input.text);
        if (envelope?.l === 'cib') queue.push({ to: 'cib', input: { kind: 'receive', from: input.from, message: envelope.m } });
        else if (envelope?.l === 'ctl') queue.push({ to: 'ctl', input: { kind: 'receive', from: input.from, message: envelope.m } });
        break;
      }
      case 'request':
        queue.push({ to: 'cib', input });
        break;
      case 'lrm-result':
      case 'fence-result':
      case 'node-fenced':
        queue.push({ to: 'ctl', input });
        break;
      case 'timeout':
        if (input.timer.startsWith(CIB_TIMER)) queue.push({ to: 'cib', input: { kind: 'timeout', timer: input.timer.slice(CIB_TIMER.length) } });
        else if (input.timer.startsWith(CTL_TIMER)) queue.push({ to: 'ctl', input: { kind: 'timeout', timer: input.timer.slice(CTL_TIMER.length) } });
        break;
    }
    for (let work = queue.shift(); work !== undefined; work = queue.shift()) {
      if (work.to === 'cib') this.fromReplica(this.replica.step(now, work.input), queue, out);
      else this.fromController(now, this.controller.step(now, work.input), queue, out);
    }
    return out;
  }

  private fromReplica(effects: ReturnType<CibReplica<Change>['step']>, queue: Work<Change>[], out: HaStackEffect[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case 'persist':
          out.push(e);
          break;
        case 'send':
          out.push({ kind: 'channel-send', to: e.to, text: this.encode({ l: 'cib', m: e.message }) });
          break;
        case 'reply':
          if (e.requestId.startsWith(STATUS_REQUEST)) {
            queue.push({ to: 'ctl', input: { kind: 'cib-reply', requestId: e.requestId, ok: e.result.ok, ...(e.result.ok ? {} : { message: `${e.result.field}: ${e.result.message}` }) } });
          } else {
            out.push(e);
          }
          break;
        case 'cib-changed':
          out.push(e);
          queue.push({ to: 'ctl', input: e });
          break;
        case 'problem':
          out.push(e);
          break;
        case 'set-timer':
          out.push({ ...e, timer: CIB_TIMER + e.timer });
          break;
        case 'cancel-timer':
          out.push({ ...e, timer: CIB_TIMER + e.timer });
          break;
      }
    }
  }

  private fromController(now: Millis, effects: ReturnType<Controller<Change>['step']>, queue: Work<Change>[], out: HaStackEffect[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case 'send':
          out.push({ kind: 'channel-send', to: e.to, text: this.encode({ l: 'ctl', m: e.message }) });
          break;
        case 'cib-request':
          queue.push({ to: 'cib', input: { kind: 'request', requestId: e.requestId, change: e.change, meta: { now: this.options.wallClock(now), origin: this.selfName, user: 'hacluster', client: 'controller' }, dcOnly: true } });
          break;
        case 'set-timer':
          out.push({ ...e, timer: CTL_TIMER + e.timer });
          break;
        case 'cancel-timer':
          out.push({ ...e, timer: CTL_TIMER + e.timer });
          break;
        case 'lrm-execute':
        case 'fence':
        case 'transition-started':
        case 'transition-finished':
        case 'problem':
          out.push(e);
          break;
      }
    }
  }

  private encode(envelope: Envelope<Change>): string {
    return JSON.stringify(envelope);
  }

  /** Never throws: a message this build cannot read is counted and dropped. */
  private decode(text: string): Envelope<Change> | undefined {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && 'l' in value && 'm' in value && (value.l === 'cib' || value.l === 'ctl') && typeof value.m === 'object' && value.m !== null) {
        return value as Envelope<Change>;
      }
    } catch {
      // counted below
    }
    this.undecodable++;
    return undefined;
  }
}
