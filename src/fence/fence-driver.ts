/**
 * FenceDriver: the one interface every fence device type implements (SNMP power switch, IPMI BMC,
 * external fence agent; later the watchdog and the shared-disk poison pill). The fencer, the CLI
 * and the tests only ever see this.
 *
 * Contract:
 * - `run` never rejects and never throws: every outcome, including a bug in a tool's output
 *   format, is a DeviceResult whose `reason` tells a person what to check;
 * - `off` succeeds only when the device's status has been read back as off after the command
 *   (or was off already); `on` likewise; `reboot` succeeds only when off was seen and then on was
 *   seen, and a reboot whose power-on half failed is a failure with `poweredOff: true`;
 * - `status` answers `power`; `list` answers `ports` (devices without ports answer not-supported);
 *   `monitor` checks that the device answers and the credentials work, without touching power;
 * - each action ends within the driver's action time limit (its tools are killed then); an
 *   aborted `signal` ends it early with a `timeout` failure;
 * - secrets (passwords, communities) never appear in a process's argument list or in a log line
 *   or a result;
 * - a driver may be used for several actions at once; callers (the planner) keep one fence per
 *   target at a time.
 */
import type { DeviceResult, FenceAction } from './plan/index.js';

/** The device types. `disk` (the poison pill on the fencing disk) is src/storage/disk-fence-driver.ts; `watchdog` is reserved (the watchdog is part of the disk watcher, not a device a fencer drives). */
export type FenceDriverKind = 'snmp-pdu' | 'ipmi' | 'fence-agent' | 'watchdog' | 'disk';

export interface FenceDeviceRequest {
  readonly action: FenceAction;
  /** The outlet, plug or interface of the target on this device; absent for a BMC (one node per device). */
  readonly port?: string;
  readonly signal?: AbortSignal;
}

export interface FenceDriverCapabilities {
  readonly actions: readonly FenceAction[];
  /** True when off/on/reboot/status need a port (a PDU); false when the device is the node's own (a BMC). */
  readonly needsPort: boolean;
}

export interface FenceDriver {
  /** The device's name in the profile or the CIB ("pdu-1", "bmc-a"). */
  readonly id: string;
  readonly kind: FenceDriverKind;
  readonly capabilities: FenceDriverCapabilities;
  run(request: FenceDeviceRequest): Promise<DeviceResult>;
}

/**
 * Time limits and retries of one device. Defaults (DEFAULT_FENCE_TIMINGS) are chosen for failover
 * speed with real devices: a status poll every 250 ms instead of fence-agents' fixed waits.
 */
export interface FenceTimings {
  /** The whole action, retries included. */
  readonly actionTimeoutMs: number;
  /** One run of a tool (snmpget, ipmitool, an agent call). */
  readonly commandTimeoutMs: number;
  /** How long to poll for the wanted power state after a command. */
  readonly powerTimeoutMs: number;
  /** The pause between two status polls. */
  readonly statusIntervalMs: number;
  /** Extra rounds after a round that failed for a reason a retry can fix (no answer, not verified). */
  readonly retries: number;
}

export const DEFAULT_FENCE_TIMINGS: FenceTimings = {
  actionTimeoutMs: 60_000,
  commandTimeoutMs: 10_000,
  powerTimeoutMs: 20_000,
  statusIntervalMs: 250,
  retries: 1,
};
