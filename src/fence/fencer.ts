/**
 * Fencer: the fencing shell of one node. It runs the pure FencePlanner with the node's fence
 * drivers and its Clock: requests come in as promises, device actions go out to the drivers, the
 * planner's timers become Clock timers, and each request's outcome comes back to its caller.
 *
 * What the cluster wires to it (the later daemon integration):
 * - `fence(request)` for the policy engine's fence actions and `heartline fence NODE`; the outcome
 *   resolves once the planner is done (never rejects);
 * - `onOutcome` to record the fence history and send the outcome to every member, whose Fencer
 *   gets it through `notice()` (so a delayed duplicate request ends, and a node that learns it was
 *   fenced stops fencing: `onStopSelf`);
 * - `cancel(target)` for `heartline fence confirm NODE` (a person verified the power is off);
 * - `runDevice(...)` for `heartline fence-device status|test`: one device action, no planner;
 * - `reconfigure(...)` when the devices change (the CIB's stonith resources): running fences keep
 *   their levels, later ones use the new set.
 */
import type { Clock, Logger, Millis, TimerHandle } from '../lib/index.js';
import { FencePlanner, type DeviceResult, type FenceAction, type FenceLevelDevice, type FenceOutcome, type FencePlannerEffect, type FencePlannerInput, type FenceRequest, type FenceTopology, type RequestedFenceAction } from './plan/index.js';
import type { FenceDriver } from './fence-driver.js';

export interface FencerOptions {
  readonly self: string;
  readonly topology: FenceTopology;
  readonly drivers: ReadonlyMap<string, FenceDriver>;
  readonly capableDevices?: Readonly<Record<string, readonly FenceLevelDevice[]>>;
  readonly staticDelayMs?: Readonly<Record<string, Millis>>;
  readonly priorityDelayMs?: Millis;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called once per finished request (record it, tell the other members). */
  readonly onOutcome?: (request: FenceRequest, outcome: FenceOutcome) => void;
  /** Called when this node learns that it was fenced: the daemon must stop its resources and itself. */
  readonly onStopSelf?: (reason: string) => void;
}

/** What `reconfigure` replaces: the devices and how they are used. */
export type FencerDevices = Pick<FencerOptions, 'topology' | 'drivers' | 'capableDevices' | 'staticDelayMs' | 'priorityDelayMs'>;

export interface FenceCall {
  readonly target: string;
  readonly action: RequestedFenceAction;
  readonly reason: string;
  readonly requester: string;
  /** Total resource priority per node, for the priority delay. */
  readonly priorities?: Readonly<Record<string, number>>;
  readonly attributes?: Readonly<Record<string, string>>;
}

export class Fencer {
  private readonly planner: FencePlanner;
  private readonly timers = new Map<string, TimerHandle>();
  private readonly waiting = new Map<string, (outcome: FenceOutcome) => void>();
  private readonly log: Logger;
  private nextRequest = 1;
  private drivers: ReadonlyMap<string, FenceDriver>;

  constructor(private readonly options: FencerOptions) {
    this.drivers = options.drivers;
    this.planner = new FencePlanner({
      self: options.self,
      topology: options.topology,
      ...(options.capableDevices === undefined ? {} : { capableDevices: options.capableDevices }),
      ...(options.staticDelayMs === undefined ? {} : { staticDelayMs: options.staticDelayMs }),
      ...(options.priorityDelayMs === undefined ? {} : { priorityDelayMs: options.priorityDelayMs }),
    });
    this.log = options.logger.child('fence');
    this.feed({ kind: 'start' });
  }

  /** Fences (or powers on) `target`; resolves with the outcome. Never rejects. */
  fence(call: FenceCall): Promise<FenceOutcome> {
    const request: FenceRequest = { id: `${this.options.self}-${this.nextRequest++}`, target: call.target, action: call.action, reason: call.reason, requester: call.requester };
    const outcome = new Promise<FenceOutcome>((resolve) => this.waiting.set(request.id, resolve));
    this.log.info('fence requested', { requestId: request.id, target: request.target, action: request.action, reason: request.reason, requester: request.requester, priorities: call.priorities });
    this.feed({ kind: 'request', request, ...(call.priorities === undefined ? {} : { priorities: call.priorities }), ...(call.attributes === undefined ? {} : { attributes: call.attributes }) });
    return outcome;
  }

  /** A fence outcome from a member (broadcast by its Fencer's onOutcome). */
  notice(target: string, action: RequestedFenceAction, ok: boolean, by: string): void {
    this.feed({ kind: 'fence-notice', target, action, ok, by });
  }

  /** Ends every request for `target` (a person confirmed it is off). */
  cancel(target: string, reason: string): void {
    this.feed({ kind: 'cancel', target, reason });
  }

  /** Replaces the devices, levels and delays; fences under way finish with what they started with. */
  reconfigure(devices: FencerDevices): void {
    // A device removed from the configuration is not used again, not even by a fence under way:
    // an action already running finishes, a later step on it fails and the next level is tried.
    this.drivers = devices.drivers;
    this.feed({
      kind: 'reconfigure',
      config: {
        topology: devices.topology,
        ...(devices.capableDevices === undefined ? {} : { capableDevices: devices.capableDevices }),
        ...(devices.staticDelayMs === undefined ? {} : { staticDelayMs: devices.staticDelayMs }),
        ...(devices.priorityDelayMs === undefined ? {} : { priorityDelayMs: devices.priorityDelayMs }),
      },
    });
  }

  /** The devices this fencer drives now, by name. */
  deviceNames(): readonly string[] {
    return [...this.drivers.keys()];
  }

  /** One action on one device, outside the planner (status, monitor, list, a test). */
  async runDevice(device: string, action: FenceAction, port?: string): Promise<DeviceResult> {
    const driver = this.drivers.get(device);
    if (driver === undefined) return { ok: false, action, code: 'config', reason: `no fence device named ${device}`, attempts: 0, elapsedMs: 0 };
    return driver.run({ action, ...(port === undefined ? {} : { port }) });
  }

  /** Targets being fenced now. */
  activeTargets(): readonly string[] {
    return this.planner.activeTargets();
  }

  /** Stops every timer (the daemon is shutting down); pending requests stay unresolved. */
  close(): void {
    for (const handle of this.timers.values()) this.options.clock.clearTimer(handle);
    this.timers.clear();
  }

  private feed(input: FencePlannerInput): void {
    for (const effect of this.planner.step(this.options.clock.now(), input)) this.perform(effect);
  }

  private perform(effect: FencePlannerEffect): void {
    switch (effect.kind) {
      case 'set-timer': {
        const previous = this.timers.get(effect.timer);
        if (previous !== undefined) this.options.clock.clearTimer(previous);
        this.timers.set(
          effect.timer,
          this.options.clock.setTimer(effect.afterMs, () => {
            this.timers.delete(effect.timer);
            this.feed({ kind: 'timeout', timer: effect.timer });
          }),
        );
        return;
      }
      case 'cancel-timer': {
        const handle = this.timers.get(effect.timer);
        if (handle !== undefined) this.options.clock.clearTimer(handle);
        this.timers.delete(effect.timer);
        return;
      }
      case 'delay-started':
        this.log.info('fence delayed', { requestId: effect.requestId, target: effect.target, delayMs: effect.delayMs, why: effect.why });
        return;
      case 'run-device': {
        const driver = this.drivers.get(effect.device);
        this.log.info('fence device action', { requestId: effect.requestId, target: effect.target, device: effect.device, port: effect.port, action: effect.action, level: effect.level });
        const result: Promise<DeviceResult> =
          driver === undefined
            ? Promise.resolve({ ok: false, action: effect.action, code: 'config', reason: `no fence device named ${effect.device} is configured on this node`, attempts: 0, elapsedMs: 0 })
            : driver.run({ action: effect.action, ...(effect.port === undefined ? {} : { port: effect.port }) });
        void result.then((answer) => {
          if (!answer.ok) this.log.warn('fence device action failed', { requestId: effect.requestId, device: effect.device, action: effect.action, code: answer.code, reason: answer.reason });
          this.feed({ kind: 'device-result', requestId: effect.requestId, step: effect.step, result: answer });
        });
        return;
      }
      case 'request-done': {
        const { request, outcome } = effect;
        if (outcome.ok) this.log.info('fence succeeded', { requestId: request.id, target: request.target, action: request.action, level: outcome.level, devices: outcome.devices, note: outcome.note });
        else this.log.error('fence failed', { requestId: request.id, target: request.target, action: request.action, reason: outcome.reason, poweredOff: outcome.poweredOff });
        this.options.onOutcome?.(request, outcome);
        const resolve = this.waiting.get(request.id);
        this.waiting.delete(request.id);
        resolve?.(outcome);
        return;
      }
      case 'stop-self':
        this.log.error('this node was fenced', { reason: effect.reason });
        this.options.onStopSelf?.(effect.reason);
        return;
    }
  }
}
