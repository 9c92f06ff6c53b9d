/**
 * FencePlanner: the pure core of the fencer on one node. It turns fence requests into device
 * actions, one fence of a node at a time, along the target's topology levels, with the delays that
 * settle two-node fence races, and reports one outcome per request.
 *
 * Rules, and why:
 * - One fence per target at a time. A request for a target that is already being fenced with the
 *   same action joins it and gets its outcome (Pacemaker merges identical requests); a different
 *   action waits in a queue. Requests for different targets run side by side.
 * - Levels in index order; within a level every device in order. A failed device ends its level
 *   and the next level starts; the request fails when no level is left, listing every attempt.
 *   A reboot through several devices of one level is all of them off, then all on (two power
 *   supplies on two PDUs must be off at the same time).
 * - Delays settle a race in which both nodes of a two-node cluster lose each other with power on:
 *   before fencing TARGET the planner waits `staticDelayMs[TARGET]` plus, when TARGET runs the
 *   strictly highest total resource priority, `priorityDelayMs`. The node that is not delayed
 *   fences first; the delayed one is powered off before its delay ends. Only off and reboot wait.
 * - A node that learns it was fenced (a `fence-notice` naming itself) stops: every request it
 *   holds fails and it asks its driver to stop (`stop-self`), so a loser that comes back never
 *   fences the winner with a request it queued before it was fenced.
 * - A node never fences itself through a power device here: that would leave a two-node cluster
 *   with nobody; self-fencing belongs to the watchdog.
 * - `reconfigure` replaces the topology, capable devices and delays (the CIB's fence devices
 *   changed): a fence under way keeps the levels it began with, later ones use the new ones.
 *
 * Driver contract: NodeCore's. `run-device` effects are answered with `device-result` inputs that
 * carry the effect's `requestId` and `step` (stale answers are ignored); `request-done` carries
 * the outcome the shell records in the history and sends to every member, whose planners receive
 * it as `fence-notice`. Deterministic: no clock, timers are effects.
 */
import type { BaseEffect, Millis, NodeCore } from '../../lib/index.js';
import { provesPowerOff, type DeviceResult, type FenceAction, type FenceFailureCode } from './fence-result.js';
import type { FenceLevel, FenceLevelDevice, FenceTopology } from './fence-topology.js';

/** What may be requested of the fencer: fence (off, reboot) or give power back (on). */
export type RequestedFenceAction = 'off' | 'reboot' | 'on';

export interface FenceRequest {
  /** Unique among this node's requests; chosen by the shell. */
  readonly id: string;
  readonly target: string;
  readonly action: RequestedFenceAction;
  /** Why, for the history and the log ("node lost", "admin request", "stop failed"). */
  readonly reason: string;
  /** Who asked: a node name, or "admin" for a person at the CLI. */
  readonly requester: string;
}

export interface FencePlannerConfig {
  /** This node's name. */
  readonly self: string;
  readonly topology: FenceTopology;
  /** Per target, the devices that can reach it (with their port), used when no level names it. */
  readonly capableDevices?: Readonly<Record<string, readonly FenceLevelDevice[]>>;
  /** Static delay before fencing each target (Pacemaker's pcmk_delay_base). */
  readonly staticDelayMs?: Readonly<Record<string, Millis>>;
  /** Extra delay before fencing the node with the strictly highest resource priority (priority-fencing-delay). */
  readonly priorityDelayMs?: Millis;
}

/** One device action tried for a request. */
export interface FenceAttempt {
  readonly level: number;
  readonly device: string;
  readonly port?: string;
  readonly action: FenceAction;
  readonly ok: boolean;
  readonly code?: FenceFailureCode;
  readonly reason?: string;
}

export type FenceOutcome =
  | { readonly ok: true; readonly level: number; readonly devices: readonly string[]; readonly attempts: readonly FenceAttempt[]; readonly note?: string }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly attempts: readonly FenceAttempt[];
      /** True when the target is known to be without power anyway (a reboot's off half was verified). */
      readonly poweredOff: boolean;
    };

export type FencePlannerInput =
  | { readonly kind: 'start' }
  | { readonly kind: 'timeout'; readonly timer: string }
  | {
      readonly kind: 'request';
      readonly request: FenceRequest;
      /** Total resource priority per node, for the priority delay; absent: no priority delay. */
      readonly priorities?: Readonly<Record<string, number>>;
      /** The target's node attributes, for levels that name targets by attribute. */
      readonly attributes?: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'device-result'; readonly requestId: string; readonly step: number; readonly result: DeviceResult }
  /** A fence outcome from any member (this one included), as broadcast by the shells. */
  | { readonly kind: 'fence-notice'; readonly target: string; readonly action: RequestedFenceAction; readonly ok: boolean; readonly by: string }
  /** Drop every request for `target` (a person confirmed it is off, or the cluster gave up). */
  | { readonly kind: 'cancel'; readonly target: string; readonly reason: string }
  /**
   * New devices and levels (the CIB's fence devices changed). Fences already running keep the
   * levels they started with; requests that begin later use the new ones.
   */
  | { readonly kind: 'reconfigure'; readonly config: Omit<FencePlannerConfig, 'self'> };

export type FencePlannerEffect =
  | Extract<BaseEffect<never>, { readonly kind: 'set-timer' | 'cancel-timer' }>
  | {
      readonly kind: 'run-device';
      readonly requestId: string;
      readonly step: number;
      readonly target: string;
      readonly device: string;
      readonly port?: string;
      readonly action: FenceAction;
      readonly level: number;
    }
  | { readonly kind: 'delay-started'; readonly requestId: string; readonly target: string; readonly delayMs: Millis; readonly why: string }
  | { readonly kind: 'request-done'; readonly request: FenceRequest; readonly outcome: FenceOutcome }
  | { readonly kind: 'stop-self'; readonly reason: string };

interface Step {
  readonly device: FenceLevelDevice;
  readonly action: FenceAction;
}

interface ActiveFence {
  readonly request: FenceRequest;
  /** Requests that joined this one and share its outcome. */
  readonly joined: FenceRequest[];
  readonly levels: readonly FenceLevel[];
  levelPosition: number;
  steps: readonly Step[];
  stepPosition: number;
  /** Increases with every run-device effect; a device-result must carry the current value. */
  step: number;
  phase: 'delay' | 'running';
  readonly attempts: FenceAttempt[];
  /** An off (or a reboot's off half) was verified on every device of the current level. */
  offVerified: boolean;
}

/** The timer that ends the delay before fencing `target`. */
export function fenceDelayTimer(target: string): string {
  return `fence-delay:${target}`;
}

export class FencePlanner implements NodeCore<FencePlannerInput, FencePlannerEffect> {
  private readonly active = new Map<string, ActiveFence>();
  private readonly queued = new Map<string, { request: FenceRequest; priorities?: Readonly<Record<string, number>>; attributes?: Readonly<Record<string, string>> }[]>();
  private selfFenced = false;

  private config: FencePlannerConfig;

  constructor(config: FencePlannerConfig) {
    this.config = config;
  }

  /** Targets with a fence in progress (delay or running), for status displays. */
  activeTargets(): readonly string[] {
    return [...this.active.keys()];
  }

  /** True once this node has learned that it was fenced; it then refuses every request. */
  get fencedSelf(): boolean {
    return this.selfFenced;
  }

  step(_now: Millis, input: FencePlannerInput): readonly FencePlannerEffect[] {
    const effects: FencePlannerEffect[] = [];
    switch (input.kind) {
      case 'start':
        break;
      case 'request':
        this.onRequest(input.request, input.priorities, input.attributes, effects);
        break;
      case 'timeout':
        this.onDelayTimeout(input.timer, effects);
        break;
      case 'device-result':
        this.onDeviceResult(input.requestId, input.step, input.result, effects);
        break;
      case 'fence-notice':
        this.onFenceNotice(input, effects);
        break;
      case 'cancel':
        this.onCancel(input.target, input.reason, effects);
        break;
      case 'reconfigure':
        this.config = { ...input.config, self: this.config.self };
        break;
    }
    return effects;
  }

  private onRequest(request: FenceRequest, priorities: Readonly<Record<string, number>> | undefined, attributes: Readonly<Record<string, string>> | undefined, effects: FencePlannerEffect[]): void {
    if (this.selfFenced) {
      effects.push(done(request, failure('this node was fenced itself and no longer fences others', [], false)));
      return;
    }
    if (request.target === this.config.self && request.action !== 'on') {
      effects.push(done(request, failure(`${request.target} is this node: a node does not fence itself through a power device (self-fencing is the watchdog's job)`, [], false)));
      return;
    }
    const current = this.active.get(request.target);
    if (current !== undefined) {
      if (current.request.action === request.action) current.joined.push(request);
      else this.queue(request.target).push({ request, ...(priorities === undefined ? {} : { priorities }), ...(attributes === undefined ? {} : { attributes }) });
      return;
    }
    this.begin(request, priorities, attributes, effects);
  }

  private queue(target: string): { request: FenceRequest; priorities?: Readonly<Record<string, number>>; attributes?: Readonly<Record<string, string>> }[] {
    let list = this.queued.get(target);
    if (list === undefined) {
      list = [];
      this.queued.set(target, list);
    }
    return list;
  }

  private begin(request: FenceRequest, priorities: Readonly<Record<string, number>> | undefined, attributes: Readonly<Record<string, string>> | undefined, effects: FencePlannerEffect[]): void {
    const levels = this.config.topology.levelsFor(request.target, {
      ...(attributes === undefined ? {} : { attributes }),
      capableDevices: this.config.capableDevices?.[request.target] ?? [],
    });
    if (levels.length === 0) {
      effects.push(done(request, failure(`no fence device can reach ${request.target}: configure a device (and its port) for it in the hardware profile or the fencing topology`, [], false)));
      this.next(request.target, effects);
      return;
    }
    const fence: ActiveFence = { request, joined: [], levels, levelPosition: 0, steps: [], stepPosition: 0, step: 0, phase: 'running', attempts: [], offVerified: false };
    this.active.set(request.target, fence);
    const delay = request.action === 'on' ? undefined : this.delayFor(request.target, priorities);
    if (delay !== undefined) {
      fence.phase = 'delay';
      effects.push({ kind: 'delay-started', requestId: request.id, target: request.target, delayMs: delay.ms, why: delay.why });
      effects.push({ kind: 'set-timer', timer: fenceDelayTimer(request.target), afterMs: delay.ms });
      return;
    }
    this.startLevel(fence, effects);
  }

  private delayFor(target: string, priorities: Readonly<Record<string, number>> | undefined): { ms: Millis; why: string } | undefined {
    const parts: string[] = [];
    let ms = 0;
    const fixed = this.config.staticDelayMs?.[target] ?? 0;
    if (fixed > 0) {
      ms += fixed;
      parts.push(`static delay ${fixed} ms for ${target}`);
    }
    const priorityDelay = this.config.priorityDelayMs ?? 0;
    if (priorityDelay > 0 && priorities !== undefined) {
      const mine = priorities[target] ?? 0;
      const others = Object.entries(priorities).filter(([node]) => node !== target);
      if (others.length > 0 && others.every(([, priority]) => priority < mine)) {
        ms += priorityDelay;
        parts.push(`priority delay ${priorityDelay} ms: ${target} runs the highest resource priority (${mine})`);
      }
    }
    return ms > 0 ? { ms: ms as Millis, why: parts.join('; ') } : undefined;
  }

  private onDelayTimeout(timer: string, effects: FencePlannerEffect[]): void {
    for (const fence of this.active.values()) {
      if (fence.phase === 'delay' && fenceDelayTimer(fence.request.target) === timer) {
        fence.phase = 'running';
        this.startLevel(fence, effects);
        return;
      }
    }
  }

  private startLevel(fence: ActiveFence, effects: FencePlannerEffect[]): void {
    const level = fence.levels[fence.levelPosition];
    if (level === undefined) {
      this.finish(fence, failure(`every fence level for ${fence.request.target} failed: ${summarize(fence.attempts)}`, fence.attempts, false), effects);
      return;
    }
    fence.steps = stepsFor(fence.request.action, level.devices);
    fence.stepPosition = 0;
    fence.offVerified = false;
    this.runStep(fence, effects);
  }

  private runStep(fence: ActiveFence, effects: FencePlannerEffect[]): void {
    const level = fence.levels[fence.levelPosition];
    const step = fence.steps[fence.stepPosition];
    if (level === undefined || step === undefined) return;
    fence.step += 1;
    effects.push({
      kind: 'run-device',
      requestId: fence.request.id,
      step: fence.step,
      target: fence.request.target,
      device: step.device.device,
      ...(step.device.port === undefined ? {} : { port: step.device.port }),
      action: step.action,
      level: level.index,
    });
  }

  private onDeviceResult(requestId: string, stepNumber: number, result: DeviceResult, effects: FencePlannerEffect[]): void {
    const fence = [...this.active.values()].find((candidate) => candidate.request.id === requestId);
    if (fence === undefined || fence.phase !== 'running' || fence.step !== stepNumber) return;
    const level = fence.levels[fence.levelPosition];
    const step = fence.steps[fence.stepPosition];
    if (level === undefined || step === undefined) return;
    fence.attempts.push({
      level: level.index,
      device: step.device.device,
      ...(step.device.port === undefined ? {} : { port: step.device.port }),
      action: step.action,
      ok: result.ok,
      ...(result.ok ? {} : { code: result.code, reason: result.reason }),
    });
    if (!result.ok) {
      // A reboot that got the power off but not back on: the target is off, which is what
      // recovery needs; trying another level would only power it on or off again.
      const offHalfDone = (step.action === 'reboot' && provesPowerOff('reboot', result)) || (step.action === 'on' && fence.offVerified);
      if (offHalfDone) {
        this.finish(fence, failure(`${fence.request.target} was powered off but did not come back on: ${step.device.device}: ${result.reason}`, fence.attempts, true), effects);
        return;
      }
      fence.levelPosition += 1;
      this.startLevel(fence, effects);
      return;
    }
    if (step.action === 'off' && fence.steps.every((s, index) => index > fence.stepPosition || s.action === 'off')) fence.offVerified = true;
    fence.stepPosition += 1;
    if (fence.stepPosition < fence.steps.length) {
      this.runStep(fence, effects);
      return;
    }
    this.finish(fence, { ok: true, level: level.index, devices: level.devices.map((device) => device.device), attempts: fence.attempts }, effects);
  }

  private onFenceNotice(notice: Extract<FencePlannerInput, { kind: 'fence-notice' }>, effects: FencePlannerEffect[]): void {
    if (!notice.ok || notice.action === 'on') return;
    if (notice.target === this.config.self) {
      if (this.selfFenced) return;
      this.selfFenced = true;
      const reason = `this node was fenced (${notice.action}) by ${notice.by}`;
      for (const fence of [...this.active.values()]) {
        if (fence.phase === 'delay') effects.push({ kind: 'cancel-timer', timer: fenceDelayTimer(fence.request.target) });
        this.finish(fence, failure(`${reason}; it no longer fences others`, fence.attempts, false), effects, false);
      }
      for (const [target, list] of [...this.queued.entries()]) {
        for (const entry of list) effects.push(done(entry.request, failure(`${reason}; it no longer fences others`, [], false)));
        this.queued.delete(target);
      }
      effects.push({ kind: 'stop-self', reason });
      return;
    }
    // Another member fenced the target while ours was still waiting out its delay: the goal is reached.
    const fence = this.active.get(notice.target);
    if (fence !== undefined && fence.phase === 'delay') {
      effects.push({ kind: 'cancel-timer', timer: fenceDelayTimer(notice.target) });
      const reached = notice.action === fence.request.action || fence.request.action === 'off';
      if (reached) this.finish(fence, { ok: true, level: 0, devices: [], attempts: fence.attempts, note: `fenced (${notice.action}) by ${notice.by}` }, effects);
      else {
        fence.phase = 'running';
        this.startLevel(fence, effects);
      }
    }
  }

  private onCancel(target: string, reason: string, effects: FencePlannerEffect[]): void {
    const fence = this.active.get(target);
    if (fence !== undefined) {
      if (fence.phase === 'delay') effects.push({ kind: 'cancel-timer', timer: fenceDelayTimer(target) });
      this.finish(fence, failure(`cancelled: ${reason}`, fence.attempts, false), effects, false);
    }
    for (const entry of this.queued.get(target) ?? []) effects.push(done(entry.request, failure(`cancelled: ${reason}`, [], false)));
    this.queued.delete(target);
  }

  private finish(fence: ActiveFence, outcome: FenceOutcome, effects: FencePlannerEffect[], startNext = true): void {
    this.active.delete(fence.request.target);
    effects.push(done(fence.request, outcome));
    for (const joined of fence.joined) effects.push(done(joined, outcome));
    if (startNext) this.next(fence.request.target, effects);
  }

  private next(target: string, effects: FencePlannerEffect[]): void {
    const list = this.queued.get(target);
    const entry = list?.shift();
    if (list !== undefined && list.length === 0) this.queued.delete(target);
    if (entry === undefined) return;
    this.onRequest(entry.request, entry.priorities, entry.attributes, effects);
  }
}

/** The device actions of one level for a requested action (reboot through several devices: all off, then all on). */
function stepsFor(action: RequestedFenceAction, devices: readonly FenceLevelDevice[]): Step[] {
  if (action === 'reboot' && devices.length > 1) return [...devices.map((device) => ({ device, action: 'off' as const })), ...devices.map((device) => ({ device, action: 'on' as const }))];
  return devices.map((device) => ({ device, action }));
}

function done(request: FenceRequest, outcome: FenceOutcome): FencePlannerEffect {
  return { kind: 'request-done', request, outcome };
}

function failure(reason: string, attempts: readonly FenceAttempt[], poweredOff: boolean): FenceOutcome {
  return { ok: false, reason, attempts: [...attempts], poweredOff };
}

function summarize(attempts: readonly FenceAttempt[]): string {
  if (attempts.length === 0) return 'no device was tried';
  return attempts
    .filter((attempt) => !attempt.ok)
    .map((attempt) => `level ${attempt.level} ${attempt.device}${attempt.port === undefined ? '' : `:${attempt.port}`} ${attempt.action}: ${attempt.reason ?? attempt.code ?? 'failed'}`)
    .join('; ');
}
