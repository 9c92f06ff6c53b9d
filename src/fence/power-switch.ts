/**
 * PowerSwitch and PowerSwitchDriver: the device types that can read and set one port's power
 * (an SNMP PDU outlet, an IPMI chassis, a fence agent's plug) implement the small PowerSwitch
 * primitive; PowerSwitchDriver turns it into a FenceDriver with the sequences every such device
 * shares, so that "verified off" means the same everywhere:
 *
 * - off: read status (already off: done, the device is not touched); set off; poll status every
 *   `statusIntervalMs` until it reads off, for at most `powerTimeoutMs`; a round that fails for a
 *   reason a retry can fix (no answer, not verified, a device error) is repeated `retries` times;
 * - on: the same towards on;
 * - reboot (`onoff`, the default): off as above, then on as above, except that the first round of
 *   each half does not read the status before its command (the power is cut whatever it reads,
 *   and the on half follows a read of off); a failed on half is a
 *   `reboot-incomplete` failure with `poweredOff: true`, never a success;
 * - reboot (`cycle`, when the switch can): one cycle command, then polls until on. The off phase
 *   is too short to observe, so the result's note says so; `onoff` is the safer default.
 * - status, list, monitor: one primitive call each, retried like the rest.
 * Everything runs under the action time limit; the switch's tools are killed when it passes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { err, ok, type Result } from '../lib/index.js';
import type { DevicePort, DeviceResult, FenceAction, FenceFailureCode, PowerState } from './plan/index.js';
import { DEFAULT_FENCE_TIMINGS, type FenceDeviceRequest, type FenceDriver, type FenceDriverCapabilities, type FenceDriverKind, type FenceTimings } from './fence-driver.js';

/** A switch's failure: a code and a sentence a person can act on. */
export interface SwitchFailure {
  readonly code: FenceFailureCode;
  readonly reason: string;
}

export type SwitchAnswer<T> = Result<T, SwitchFailure>;

export function switchFailure(code: FenceFailureCode, reason: string): SwitchAnswer<never> {
  return err({ code, reason });
}

/** One device's power primitives. Implementations never reject; `port` is undefined for one-node devices. */
export interface PowerSwitch {
  readPower(port: string | undefined, signal: AbortSignal): Promise<SwitchAnswer<PowerState>>;
  setPower(port: string | undefined, state: PowerState, signal: AbortSignal): Promise<SwitchAnswer<void>>;
  /** An atomic power cycle (IPMI `chassis power cycle`), when the device has one. */
  cycle?(port: string | undefined, signal: AbortSignal): Promise<SwitchAnswer<void>>;
  /** The device's ports with names and power, when it has ports. */
  readonly listPorts?: ((signal: AbortSignal) => Promise<SwitchAnswer<DevicePort[]>>) | undefined;
  /** Answers when the device is reachable and accepts the credentials. */
  monitor(signal: AbortSignal): Promise<SwitchAnswer<void>>;
}

export type RebootMethod = 'onoff' | 'cycle';

export interface PowerSwitchDriverOptions {
  readonly id: string;
  readonly kind: FenceDriverKind;
  readonly powerSwitch: PowerSwitch;
  readonly needsPort: boolean;
  readonly timings?: Partial<FenceTimings>;
  readonly rebootMethod?: RebootMethod;
  /** Fabric fencing (a switch port) cuts the node off instead of powering it: no reboot. */
  readonly rebootSupported?: boolean;
}

const RETRYABLE: ReadonlySet<FenceFailureCode> = new Set(['timeout', 'unreachable', 'not-verified', 'device-error']);

export class PowerSwitchDriver implements FenceDriver {
  readonly id: string;
  readonly kind: FenceDriverKind;
  readonly capabilities: FenceDriverCapabilities;
  readonly timings: FenceTimings;
  private readonly powerSwitch: PowerSwitch;
  private readonly rebootMethod: RebootMethod;

  constructor(options: PowerSwitchDriverOptions) {
    this.id = options.id;
    this.kind = options.kind;
    this.powerSwitch = options.powerSwitch;
    this.timings = { ...DEFAULT_FENCE_TIMINGS, ...options.timings };
    this.rebootMethod = options.rebootMethod ?? 'onoff';
    const actions: FenceAction[] = ['off', 'on', 'status', 'monitor'];
    if (options.rebootSupported !== false) actions.splice(2, 0, 'reboot');
    if (options.powerSwitch.listPorts !== undefined) actions.push('list');
    this.capabilities = { actions, needsPort: options.needsPort };
  }

  async run(request: FenceDeviceRequest): Promise<DeviceResult> {
    const started = performance.now();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timings.actionTimeoutMs);
    const signal = request.signal === undefined ? deadline.signal : AbortSignal.any([deadline.signal, request.signal]);
    const attempts = { count: 0 };
    try {
      // The deadline wins even over a switch that ignores the signal: a fence must end on time.
      const aborted = new Promise<Result<Outcome, SwitchFailure>>((resolve) => {
        const onAbort = (): void => resolve(err({ code: 'timeout', reason: 'stopped at the time limit' }));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      const answer = await Promise.race([this.perform(request, signal, attempts), aborted]);
      const elapsedMs = Math.round(performance.now() - started);
      const count = Math.max(1, attempts.count);
      if (answer.ok) return { ok: true, action: request.action, ...answer.value, attempts: count, elapsedMs };
      if (signal.aborted) {
        const why = request.signal?.aborted === true ? 'the request was aborted' : `the action did not finish within ${this.timings.actionTimeoutMs} ms`;
        return { ok: false, action: request.action, code: 'timeout', reason: `${this.id}: ${why} (last: ${answer.error.reason})`, ...poweredOffOf(answer.error), attempts: count, elapsedMs };
      }
      return { ok: false, action: request.action, code: answer.error.code, reason: `${this.id}: ${answer.error.reason}`, ...poweredOffOf(answer.error), attempts: count, elapsedMs };
    } catch (error) {
      // A bug in a switch implementation must still be a value: the planner moves on to the next level.
      return { ok: false, action: request.action, code: 'device-error', reason: `${this.id}: internal error: ${error instanceof Error ? error.message : String(error)}`, attempts: Math.max(1, attempts.count), elapsedMs: Math.round(performance.now() - started) };
    } finally {
      clearTimeout(timer);
    }
  }

  private perform(request: FenceDeviceRequest, signal: AbortSignal, attempts: { count: number }): Promise<Result<Outcome, SwitchFailure & { poweredOff?: boolean }>> {
    if (!this.capabilities.actions.includes(request.action)) {
      return Promise.resolve(err({ code: 'not-supported', reason: `${this.kind} device cannot ${request.action}${request.action === 'reboot' ? ' (fabric fencing: use off, then on)' : ''}` }));
    }
    if (this.capabilities.needsPort && request.port === undefined && ['off', 'on', 'reboot', 'status'].includes(request.action)) {
      return Promise.resolve(err({ code: 'config', reason: `${request.action} needs the target's port (outlet) on this device: add it to the target map` }));
    }
    const port = request.port;
    switch (request.action) {
      case 'status':
        return this.withRetries(signal, attempts, async () => mapOk(await this.powerSwitch.readPower(port, signal), (power) => ({ power })));
      case 'monitor':
        return this.withRetries(signal, attempts, async () => mapOk(await this.powerSwitch.monitor(signal), () => ({})));
      case 'list': {
        const list = this.powerSwitch.listPorts?.bind(this.powerSwitch);
        if (list === undefined) return Promise.resolve(err({ code: 'not-supported', reason: 'this device has no ports to list' }));
        return this.withRetries(signal, attempts, async () => mapOk(await list(signal), (ports) => ({ ports })));
      }
      case 'off':
      case 'on':
        return this.withRetries(signal, attempts, () => this.switchTo(port, request.action === 'off' ? 'off' : 'on', signal));
      case 'reboot':
        return this.reboot(port, signal, attempts);
    }
  }

  private async reboot(port: string | undefined, signal: AbortSignal, attempts: { count: number }): Promise<Result<Outcome, SwitchFailure & { poweredOff?: boolean }>> {
    const cycle = this.powerSwitch.cycle?.bind(this.powerSwitch);
    if (this.rebootMethod === 'cycle' && cycle !== undefined) {
      return this.withRetries(signal, attempts, async () => {
        const cycled = await cycle(port, signal);
        if (!cycled.ok) return cycled;
        const on = await this.pollUntil(port, 'on', signal);
        if (!on.ok) return on;
        return ok({ power: 'on' as const, note: 'power cycle: the off phase is too short to observe; use method onoff to verify it' });
      });
    }
    // A reboot cuts the power whatever it reads, so its off half does not read the status before
    // it commands off (an off of a port that is off already changes nothing); the status polls
    // after the command verify it as ever. And the off half has just read "off": the on half's
    // first round commands on without reading the status again. Two tool runs less (ipmitool alone
    // costs ~100 ms a run); a retry reads first.
    let assumeOn: PowerState | undefined = 'on';
    const off = await this.withRetries(signal, attempts, () => {
      const before = assumeOn;
      assumeOn = undefined;
      return this.switchTo(port, 'off', signal, before);
    });
    if (!off.ok) return off;
    let known: PowerState | undefined = 'off';
    const on = await this.withRetries(signal, attempts, () => {
      const before = known;
      known = undefined;
      return this.switchTo(port, 'on', signal, before);
    });
    if (!on.ok) return err({ code: 'reboot-incomplete', reason: `powered off (verified) but not back on: ${on.error.reason}`, poweredOff: true });
    return ok({ power: 'on', ...(off.value.note === undefined ? {} : { note: off.value.note }) });
  }

  /**
   * One round of set + verify (or nothing when the port is in the wanted state already). `known`:
   * the power this round may take as read (verified by the caller just before), instead of reading it.
   */
  private async switchTo(port: string | undefined, wanted: PowerState, signal: AbortSignal, known?: PowerState): Promise<SwitchAnswer<Outcome>> {
    const before = known === undefined ? await this.powerSwitch.readPower(port, signal) : ok(known);
    if (!before.ok) return before;
    if (before.value === wanted) return ok({ power: wanted, note: `already ${wanted}` });
    const set = await this.powerSwitch.setPower(port, wanted, signal);
    if (!set.ok) return set;
    const after = await this.pollUntil(port, wanted, signal);
    if (!after.ok) return after;
    return ok({ power: wanted });
  }

  private async pollUntil(port: string | undefined, wanted: PowerState, signal: AbortSignal): Promise<SwitchAnswer<PowerState>> {
    const until = performance.now() + this.timings.powerTimeoutMs;
    let last: SwitchAnswer<PowerState> | undefined;
    for (;;) {
      last = await this.powerSwitch.readPower(port, signal);
      if (last.ok && last.value === wanted) return last;
      if (signal.aborted || performance.now() + this.timings.statusIntervalMs > until) break;
      await sleep(this.timings.statusIntervalMs, undefined, { signal }).catch(() => {});
    }
    const seen = last.ok ? `it still reads ${last.value}` : `the last status read failed: ${last.error.reason}`;
    return switchFailure('not-verified', `the device accepted the ${wanted} command, but its status did not read ${wanted} within ${this.timings.powerTimeoutMs} ms (${seen})`);
  }

  private async withRetries<T>(signal: AbortSignal, attempts: { count: number }, round: () => Promise<SwitchAnswer<T>>): Promise<SwitchAnswer<T>> {
    let answer: SwitchAnswer<T> | undefined;
    for (let index = 0; index <= this.timings.retries; index++) {
      attempts.count += 1;
      answer = await round();
      if (answer.ok || !RETRYABLE.has(answer.error.code) || signal.aborted) return answer;
      await sleep(Math.min(this.timings.statusIntervalMs, 1000), undefined, { signal }).catch(() => {});
    }
    return answer ?? switchFailure('device-error', 'no attempt was made');
  }
}

interface Outcome {
  readonly power?: PowerState;
  readonly ports?: readonly DevicePort[];
  readonly note?: string;
}

function mapOk<T, U>(answer: SwitchAnswer<T>, map: (value: T) => U): SwitchAnswer<U> {
  return answer.ok ? ok(map(answer.value)) : answer;
}

function poweredOffOf(failure: SwitchFailure & { poweredOff?: boolean }): { poweredOff?: true } {
  return failure.poweredOff === true ? { poweredOff: true } : {};
}
