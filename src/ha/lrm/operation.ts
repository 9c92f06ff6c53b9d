/**
 * What the LRM is asked to do and what comes back: the resource as the LRM knows it, one operation
 * on it, and the result of running that operation. Plain immutable data, shared by the LRM, the
 * agent classes (src/ha/agents) and any simulated AgentRunner.
 */
import type { Millis } from '../../lib/index.js';
import type { Role } from '../cib/index.js';
import type { OcfRc } from './ocf-rc.js';
import type { OperationStatus } from './operation-status.js';

/**
 * The resource agent standard (Pacemaker's "class"). `stonith` resources are fence devices: the
 * daemon's fencer runs them (their start, stop and monitor check the device), not an agent class.
 */
export type AgentStandard = 'ocf' | 'lsb' | 'heartbeat' | 'systemd' | 'stonith';

/**
 * Which agent manages a resource: `ocf:heartbeat:Dummy` is { standard: 'ocf', provider:
 * 'heartbeat', type: 'Dummy' }; the other standards have no provider (`lsb:nginx`,
 * `heartbeat:IPaddr2`, `systemd:chronyd`).
 */
export interface AgentSpec {
  readonly standard: AgentStandard;
  /** Only (and always) for ocf. */
  readonly provider?: string;
  readonly type: string;
}

/** A recurring monitor configured for a resource (an `op name="monitor" interval>0`). */
export interface MonitorSpec {
  readonly intervalMs: Millis;
  readonly timeoutMs: Millis;
  /**
   * The role the monitor checks: Promoted expects OCF_RUNNING_PROMOTED; Started, Unpromoted or
   * absent expect OCF_SUCCESS. The LRM runs it while the resource is in that role.
   */
  readonly role?: Role;
  /** OCF_CHECK_LEVEL (0, 10, 20); absent means the agent's default (0). */
  readonly depth?: number;
}

/**
 * A resource as registered with the LRM. `id` is the instance name the agent sees
 * (OCF_RESOURCE_INSTANCE): a primitive's id, or `id:N` for a clone instance.
 */
export interface ResourceDefinition {
  readonly id: string;
  readonly agent: AgentSpec;
  /** Instance parameters (OCF_RESKEY_<name>; for heartbeat:, parameters "1".."N" are the arguments). */
  readonly params: Readonly<Record<string, string>>;
  /** Meta attributes passed to the agent as OCF_RESKEY_CRM_meta_<name> (dashes become underscores). */
  readonly meta?: Readonly<Record<string, string>>;
  /** Recurring monitors the LRM arms after a successful start/promote/demote; absent means none. */
  readonly monitors?: readonly MonitorSpec[];
}

/** Every action name an agent may be asked for; classes refuse what they cannot do. */
export type AgentAction =
  | 'start'
  | 'stop'
  | 'monitor'
  | 'promote'
  | 'demote'
  | 'notify'
  | 'reload'
  | 'reload-agent'
  | 'migrate_to'
  | 'migrate_from'
  | 'validate-all'
  | 'meta-data';

/** One operation as an AgentRunner receives it: everything needed to run it, nothing to look up. */
export interface AgentOperation {
  readonly resource: ResourceDefinition;
  readonly action: AgentAction;
  /** 0 for a one-shot operation (a monitor with interval 0 is a probe). */
  readonly intervalMs: Millis;
  readonly timeoutMs: Millis;
  /** OCF_CHECK_LEVEL for monitors. */
  readonly depth?: number;
  /** Per-operation meta values (notify variables, migrate_target, ...), passed like resource meta. */
  readonly meta?: Readonly<Record<string, string>>;
}

/**
 * The result of one operation. Never an exception: every way an operation can go wrong is a value
 * here (the agent's answer in `rc`, how the execution went in `status`).
 */
export interface OperationResult {
  /** The agent's answer in OCF terms; ERR_GENERIC when `status` is not `done` and nothing better is known. */
  readonly rc: OcfRc;
  readonly status: OperationStatus;
  /** Why it failed, in words: the agent's last `ocf-exit-reason:` line, or the LRM's own explanation. */
  readonly exitReason?: string;
  /** From the start of the (first) process to the end of the (last) one. */
  readonly execTimeMs: Millis;
  /** The agent's standard output, bounded (meta-data reads it; logs show its start). */
  readonly stdout: string;
  /** The agent's standard error, bounded to its last part (the most recent messages). */
  readonly stderr: string;
}

/** The conventional operation key Pacemaker uses (RSC_ACTION_INTERVALMS), e.g. `ip_monitor_10000`. */
export function operationKey(resourceId: string, action: string, intervalMs: number): string {
  return `${resourceId}_${action}_${String(intervalMs)}`;
}

/** Default operation timeout when neither the request nor the configuration gives one (Pacemaker's 20 s). */
export const DEFAULT_OPERATION_TIMEOUT_MS = 20_000 as Millis;
