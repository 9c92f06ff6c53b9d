/**
 * The vocabulary every fencing layer shares: the actions a fence device performs, the power
 * states it reports, and a device's answer as a value (never an exception). Pure: the planner, the
 * drivers, the simulator and the CLI all speak it.
 */

/** What a fence device can be asked to do. `off` and `reboot` fence; the others inspect or undo. */
export type FenceAction = 'off' | 'on' | 'reboot' | 'status' | 'list' | 'monitor';

export const FENCE_ACTIONS: readonly FenceAction[] = ['off', 'on', 'reboot', 'status', 'list', 'monitor'];

/** The actions that take a node's power away: only these count as fencing it. */
export type FencingAction = 'off' | 'reboot';

/** A port's or a node's power as a device reported it. */
export type PowerState = 'on' | 'off';

/**
 * Why a device action failed, for code that reacts (retry, try the next level, tell a person).
 * - `timeout`: the device did not finish within the action's time limit;
 * - `unreachable`: no answer at all (down, wrong address or port; SNMP also ignores a wrong community);
 * - `auth`: the device answered and refused the credentials or the privilege;
 * - `unknown-target`: the device has no such outlet, port or plug;
 * - `not-verified`: the command was accepted but the status never showed the wanted state;
 * - `reboot-incomplete`: the power went off (verified) but did not come back on;
 * - `not-supported`: this device (model) cannot do this action (reboot on a fabric switch port);
 * - `not-installed`: the tool or agent program is missing on this node;
 * - `config`: the device's configuration is incomplete or contradicts its model;
 * - `device-error`: anything else the device or the tool reported.
 */
export type FenceFailureCode =
  | 'timeout'
  | 'unreachable'
  | 'auth'
  | 'unknown-target'
  | 'not-verified'
  | 'reboot-incomplete'
  | 'not-supported'
  | 'not-installed'
  | 'config'
  | 'device-error';

/** One port of a device, as `list` reports it. */
export interface DevicePort {
  /** What the target map names: an outlet number ("3"), "switch:outlet" ("1:3"), an interface index. */
  readonly port: string;
  /** The name the device gives it, when it has one. */
  readonly name?: string;
  readonly power?: PowerState;
}

/** Success of one device action. `power` is the state last read (status, off, on, reboot). */
export interface DeviceSuccess {
  readonly ok: true;
  readonly action: FenceAction;
  readonly power?: PowerState;
  readonly ports?: readonly DevicePort[];
  /** A short remark a person may want ("already off", "power cycle: off not observed"). */
  readonly note?: string;
  /** Rounds tried (1 = first try worked). */
  readonly attempts: number;
  readonly elapsedMs: number;
}

/**
 * Failure of one device action. `reason` is a sentence a person can act on ("no answer from
 * 10.0.0.5:161 within 3 s: check the PDU's address and network, and the community"). `poweredOff`
 * is true when the target is known to be off despite the failure (a reboot whose power-on half
 * failed), which is what recovery needs to know.
 */
export interface DeviceFailure {
  readonly ok: false;
  readonly action: FenceAction;
  readonly code: FenceFailureCode;
  readonly reason: string;
  readonly poweredOff?: boolean;
  readonly attempts: number;
  readonly elapsedMs: number;
}

export type DeviceResult = DeviceSuccess | DeviceFailure;

/** True when `result` proves the target is without power: a verified off or reboot, or a half-done reboot whose off half was verified. */
export function provesPowerOff(action: FencingAction, result: DeviceResult): boolean {
  if (result.ok) return result.action === action;
  return result.poweredOff === true;
}
