/**
 * LocalResourceManager: runs operations on this node's resources through an AgentRunner and
 * reports their results as events. Pacemaker's executor, in one class.
 *
 * Invariants:
 * - Operations on one resource never overlap: each resource has a FIFO queue and at most one
 *   operation running. Different resources run in parallel, up to `concurrencyLimit`.
 * - A recurring operation (interval > 0) runs at once, then `interval` after each completion, until
 *   cancelled; it reports its first result and then only changes (monitor-plan.ts). A stop cancels
 *   every recurring operation of its resource when it is requested, before it runs.
 * - After a successful start, promote, demote or migrate_from, the resource's configured monitors
 *   for its new role are armed and those of other roles cancelled (monitor-plan.ts).
 * - Every requested operation ends in exactly one event per result (recurring ones: per reported
 *   result), or one `operation-cancelled`.
 * - Timers come from the injected Clock and agents from the injected AgentRunner, so the simulator
 *   can run this class unchanged on virtual time with simulated agents.
 *
 * Errors in requests (unknown resource, full queue, closed) are returned as values; nothing here
 * throws through the event loop (the runner's contract is never to reject, and a broken runner is
 * caught and turned into an `error` result).
 */
import { err, ok, type Clock, type Logger, type Millis, type Result, type TimerHandle } from '../../lib/index.js';
import { silentLogger } from '../../lib/index.js';
import type { Role } from '../cib/index.js';
import type { AgentRunner } from './agent-runner.js';
import type { CallId, LrmEvent, OperationResultEvent } from './lrm-event.js';
import { monitorsInRole, roleAfter, shouldReportRecurring, type ReportedOutcome } from './monitor-plan.js';
import { OcfRc } from './ocf-rc.js';
import { DEFAULT_OPERATION_TIMEOUT_MS, type AgentAction, type MonitorSpec, type OperationResult, type ResourceDefinition } from './operation.js';
import { isProbe, judgeOperation } from './operation-verdict.js';

/** A request to run one operation on a registered resource. */
export interface OperationRequest {
  readonly resourceId: string;
  readonly action: AgentAction;
  /** 0 (the default) for a one-shot operation; > 0 makes a recurring monitor. */
  readonly intervalMs?: Millis;
  /** Default: the matching configured monitor's timeout, else 20 s. */
  readonly timeoutMs?: Millis;
  /** For monitors: the role checked (Promoted expects OCF_RUNNING_PROMOTED). */
  readonly role?: Role;
  readonly depth?: number;
  readonly meta?: Readonly<Record<string, string>>;
}

/** Why a request was refused. Nothing was queued. */
export type LrmRequestError =
  | { readonly code: 'unknown-resource'; readonly resourceId: string; readonly message: string }
  | { readonly code: 'queue-full'; readonly resourceId: string; readonly message: string }
  | { readonly code: 'invalid-request'; readonly resourceId: string; readonly message: string }
  | { readonly code: 'resource-busy'; readonly resourceId: string; readonly message: string }
  | { readonly code: 'closed'; readonly resourceId: string; readonly message: string };

export interface LocalResourceManagerOptions {
  readonly runner: AgentRunner;
  readonly clock: Clock;
  /**
   * Receives every result and cancellation in order. Results arrive asynchronously (the agent ran);
   * a cancellation caused by a request (a stop, a replacing monitor, `cancel`, `close`) is delivered
   * synchronously inside that call, before it returns.
   */
  readonly onEvent: (event: LrmEvent) => void;
  readonly logger?: Logger;
  /** Operations running at once across all resources (Pacemaker's node-action-limit). Default 8. */
  readonly concurrencyLimit?: number;
  /** Operations waiting per resource before a request is refused. Default 32. */
  readonly queueLimitPerResource?: number;
}

/** A resource's state in the LRM, for status displays and tests. */
export interface LrmResourceSnapshot {
  readonly resourceId: string;
  readonly running?: { readonly callId: CallId; readonly action: AgentAction; readonly intervalMs: Millis };
  readonly queued: number;
  readonly recurring: readonly { readonly callId: CallId; readonly action: AgentAction; readonly intervalMs: Millis; readonly role?: Role }[];
}

interface NormalizedRequest {
  readonly action: AgentAction;
  readonly intervalMs: Millis;
  readonly timeoutMs: Millis;
  readonly role?: Role;
  readonly depth?: number;
  readonly meta?: Readonly<Record<string, string>>;
}

interface QueuedOperation {
  readonly callId: CallId;
  readonly request: NormalizedRequest;
  readonly enqueuedAt: Millis;
  /** Set for an instance of a recurring operation. */
  readonly recurringKey?: string;
}

interface RecurringOperation {
  readonly callId: CallId;
  readonly key: string;
  readonly request: NormalizedRequest;
  timer: TimerHandle | undefined;
  lastReported?: ReportedOutcome;
}

interface ResourceSlot {
  definition: ResourceDefinition;
  readonly queue: QueuedOperation[];
  running: QueuedOperation | undefined;
  readonly recurring: Map<string, RecurringOperation>;
}

export class LocalResourceManager {
  private readonly runner: AgentRunner;
  private readonly clock: Clock;
  private readonly onEvent: (event: LrmEvent) => void;
  private readonly logger: Logger;
  private readonly concurrencyLimit: number;
  private readonly queueLimit: number;
  private readonly slots = new Map<string, ResourceSlot>();
  /** Resources with a queued operation and none running, in the order they became ready. */
  private readonly ready: string[] = [];
  private readonly waiters = new Map<CallId, ((event: LrmEvent) => void)[]>();
  private runningCount = 0;
  private nextCallId = 1;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: LocalResourceManagerOptions) {
    this.runner = options.runner;
    this.clock = options.clock;
    this.onEvent = options.onEvent;
    this.logger = options.logger ?? silentLogger;
    this.concurrencyLimit = options.concurrencyLimit ?? 8;
    this.queueLimit = options.queueLimitPerResource ?? 32;
  }

  /**
   * Adds a resource, or replaces the definition of a registered one (its next operations see the
   * new parameters; queued and recurring operations stay).
   */
  register(definition: ResourceDefinition): Result<void, LrmRequestError> {
    if (this.closed) return err(closedError(definition.id));
    if (definition.id === '') return err({ code: 'invalid-request', resourceId: '', message: 'a resource needs a non-empty id' });
    const slot = this.slots.get(definition.id);
    if (slot === undefined) this.slots.set(definition.id, { definition, queue: [], running: undefined, recurring: new Map() });
    else slot.definition = definition;
    return ok(undefined);
  }

  /** Removes an idle resource (nothing queued or running); cancels its recurring operations. */
  unregister(resourceId: string): Result<void, LrmRequestError> {
    const slot = this.slots.get(resourceId);
    if (slot === undefined) return err(unknownResource(resourceId));
    if (slot.running !== undefined || slot.queue.some((q) => q.recurringKey === undefined)) {
      return err({ code: 'resource-busy', resourceId, message: `resource ${resourceId} has operations queued or running; stop it first` });
    }
    this.cancelRecurring(slot, resourceId, () => true);
    this.slots.delete(resourceId);
    return ok(undefined);
  }

  /** The registered resources' ids, in registration order. */
  resourceIds(): string[] {
    return [...this.slots.keys()];
  }

  /**
   * Queues an operation and returns its call id. A recurring request (interval > 0, monitors only)
   * replaces a recurring operation with the same action and interval. A stop cancels the resource's
   * recurring operations first.
   */
  execute(request: OperationRequest): Result<CallId, LrmRequestError> {
    const resourceId = request.resourceId;
    if (this.closed) return err(closedError(resourceId));
    const slot = this.slots.get(resourceId);
    if (slot === undefined) return err(unknownResource(resourceId));
    const intervalMs = request.intervalMs ?? (0 as Millis);
    if (!Number.isFinite(intervalMs) || intervalMs < 0) {
      return err({ code: 'invalid-request', resourceId, message: `interval must be a non-negative number of milliseconds, got ${String(intervalMs)}` });
    }
    if (intervalMs > 0 && request.action !== 'monitor') {
      return err({ code: 'invalid-request', resourceId, message: `only monitor can recur, not ${request.action}` });
    }
    if (request.timeoutMs !== undefined && !(request.timeoutMs > 0)) {
      return err({ code: 'invalid-request', resourceId, message: `timeout must be positive, got ${String(request.timeoutMs)}` });
    }
    if (slot.queue.length >= this.queueLimit) {
      return err({ code: 'queue-full', resourceId, message: `resource ${resourceId} already has ${String(slot.queue.length)} operations waiting (limit ${String(this.queueLimit)})` });
    }
    const normalized = normalize(request, intervalMs, slot.definition.monitors ?? []);
    if (request.action === 'stop') this.cancelRecurring(slot, resourceId, () => true);
    const callId = this.nextCallId++;
    if (intervalMs > 0) {
      this.armRecurring(slot, resourceId, callId, normalized);
    } else {
      this.enqueue(slot, resourceId, { callId, request: normalized, enqueuedAt: this.clock.now() });
    }
    return ok(callId);
  }

  /** Cancels the recurring operation `action`/`intervalMs` of a resource; false when there is none. */
  cancel(resourceId: string, action: AgentAction, intervalMs: Millis): boolean {
    const slot = this.slots.get(resourceId);
    if (slot === undefined) return false;
    const key = recurringKey(action, intervalMs);
    if (!slot.recurring.has(key)) return false;
    this.cancelRecurring(slot, resourceId, (op) => op.key === key);
    return true;
  }

  /**
   * Probes resources (monitor, interval 0): `resourceIds`, or every registered one. Run when the
   * node joins, before the DC places anything, so that a resource already running here (left by a
   * previous incarnation, or started by hand) is known and never started a second time.
   */
  probe(resourceIds?: readonly string[]): Result<CallId[], LrmRequestError> {
    const ids = resourceIds ?? this.resourceIds();
    const unknown = ids.find((id) => !this.slots.has(id));
    if (unknown !== undefined) return err(unknownResource(unknown));
    const callIds: CallId[] = [];
    for (const resourceId of ids) {
      const queued = this.execute({ resourceId, action: 'monitor' });
      if (!queued.ok) return queued;
      callIds.push(queued.value);
    }
    return ok(callIds);
  }

  /**
   * The next event of a call: its result (one-shot) or next reported result (recurring), or its
   * cancellation. For callers that want to await one operation (tests, the CLI, join probes).
   */
  waitFor(callId: CallId): Promise<LrmEvent> {
    return new Promise((resolve) => {
      const list = this.waiters.get(callId) ?? [];
      list.push(resolve);
      this.waiters.set(callId, list);
    });
  }

  snapshot(): LrmResourceSnapshot[] {
    return [...this.slots.entries()].map(([resourceId, slot]) => ({
      resourceId,
      ...(slot.running === undefined
        ? {}
        : { running: { callId: slot.running.callId, action: slot.running.request.action, intervalMs: slot.running.request.intervalMs } }),
      queued: slot.queue.length,
      recurring: [...slot.recurring.values()].map((op) => ({
        callId: op.callId,
        action: op.request.action,
        intervalMs: op.request.intervalMs,
        ...(op.request.role === undefined ? {} : { role: op.request.role }),
      })),
    }));
  }

  /**
   * Stops taking requests, cancels every recurring operation and queued operation (each gets an
   * `operation-cancelled` event) and resolves when the running operations have finished (their
   * results are still reported). Resources keep running: closing the LRM is not stopping them.
   */
  close(): Promise<void> {
    this.closed = true;
    for (const [resourceId, slot] of this.slots) {
      this.cancelRecurring(slot, resourceId, () => true);
      for (const queued of slot.queue.splice(0)) this.emit(cancelledEvent(queued.callId, resourceId, queued.request));
    }
    this.ready.length = 0;
    if (this.runningCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private enqueue(slot: ResourceSlot, resourceId: string, operation: QueuedOperation): void {
    slot.queue.push(operation);
    if (slot.running === undefined && slot.queue.length === 1) this.ready.push(resourceId);
    this.pump();
  }

  /** Starts queued operations while there are free slots. */
  private pump(): void {
    while (!this.closed && this.runningCount < this.concurrencyLimit) {
      const resourceId = this.ready.shift();
      if (resourceId === undefined) return;
      const slot = this.slots.get(resourceId);
      if (slot === undefined || slot.running !== undefined) continue;
      const operation = slot.queue.shift();
      if (operation === undefined) continue;
      this.start(slot, resourceId, operation);
    }
  }

  private start(slot: ResourceSlot, resourceId: string, operation: QueuedOperation): void {
    slot.running = operation;
    this.runningCount++;
    const startedAt = this.clock.now();
    const startedWallMs = this.clock.wallNow();
    const { request } = operation;
    this.logger.debug('operation started', { resourceId, action: request.action, intervalMs: request.intervalMs, callId: operation.callId });
    let pending: Promise<OperationResult>;
    try {
      pending = this.runner.run({
        resource: slot.definition,
        action: request.action,
        intervalMs: request.intervalMs,
        timeoutMs: request.timeoutMs,
        ...(request.depth === undefined ? {} : { depth: request.depth }),
        ...(request.meta === undefined ? {} : { meta: request.meta }),
      });
    } catch (error) {
      pending = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    pending
      .catch((error: unknown) => runnerFailure(error))
      .then((result) => this.complete(slot, resourceId, operation, result, { queueTimeMs: (startedAt - operation.enqueuedAt) as Millis, startedWallMs }))
      .catch((error: unknown) => {
        // An exception from an event handler must not become an unhandled rejection that kills the daemon.
        this.logger.error('LRM event handler threw', { resourceId, callId: operation.callId, error: String(error) });
      });
  }

  private complete(
    slot: ResourceSlot,
    resourceId: string,
    operation: QueuedOperation,
    result: OperationResult,
    timing: { queueTimeMs: Millis; startedWallMs: number },
  ): void {
    slot.running = undefined;
    this.runningCount--;
    if (slot.queue.length > 0) this.ready.push(resourceId);
    try {
      this.report(slot, resourceId, operation, result, timing);
    } finally {
      this.pump();
      if (this.runningCount === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private report(slot: ResourceSlot, resourceId: string, operation: QueuedOperation, result: OperationResult, timing: { queueTimeMs: Millis; startedWallMs: number }): void {
    const { request } = operation;
    const verdict = judgeOperation(request, result);
    const event: OperationResultEvent = {
      kind: 'operation-result',
      callId: operation.callId,
      resourceId,
      action: request.action,
      intervalMs: request.intervalMs,
      ...(request.role === undefined ? {} : { role: request.role }),
      probe: isProbe(request),
      recurring: operation.recurringKey !== undefined,
      result,
      verdict,
      queueTimeMs: timing.queueTimeMs,
      startedWallMs: timing.startedWallMs,
    };
    const log = { resourceId, action: request.action, intervalMs: request.intervalMs, callId: operation.callId, rc: result.rc, status: result.status, exitReason: result.exitReason };
    if (operation.recurringKey !== undefined) {
      const recurring = slot.recurring.get(operation.recurringKey);
      // Cancelled or replaced while it ran: its cancellation was already reported.
      if (recurring === undefined || recurring.callId !== operation.callId || this.closed) return;
      recurring.timer = this.clock.setTimer(request.intervalMs, () => this.onRecurringDue(resourceId, recurring));
      if (!shouldReportRecurring(recurring.lastReported, result)) return;
      recurring.lastReported = { rc: result.rc, status: result.status };
      if (verdict.ok) this.logger.info('recurring operation result', log);
      else this.logger.warn('recurring operation failed', log);
      this.emit(event);
      return;
    }
    if (verdict.ok) this.logger.info('operation finished', log);
    else this.logger.warn('operation failed', log);
    const role = roleAfter(request.action, verdict);
    if (role !== undefined && !this.closed && this.slots.get(resourceId) === slot) this.applyRole(slot, resourceId, role);
    this.emit(event);
  }

  /** Arms the configured monitors of `role` that are not armed, cancels armed ones of other roles. */
  private applyRole(slot: ResourceSlot, resourceId: string, role: Role): void {
    this.cancelRecurring(slot, resourceId, (op) => !monitorRunsInRole(op.request.role, role));
    for (const monitor of monitorsInRole(role, slot.definition.monitors ?? [])) {
      if (slot.recurring.has(recurringKey('monitor', monitor.intervalMs))) continue;
      const request: NormalizedRequest = {
        action: 'monitor',
        intervalMs: monitor.intervalMs,
        timeoutMs: monitor.timeoutMs,
        ...(monitor.role === undefined ? {} : { role: monitor.role }),
        ...(monitor.depth === undefined ? {} : { depth: monitor.depth }),
      };
      this.armRecurring(slot, resourceId, this.nextCallId++, request);
    }
  }

  private armRecurring(slot: ResourceSlot, resourceId: string, callId: CallId, request: NormalizedRequest): void {
    const key = recurringKey(request.action, request.intervalMs);
    this.cancelRecurring(slot, resourceId, (op) => op.key === key);
    const recurring: RecurringOperation = { callId, key, request, timer: undefined };
    slot.recurring.set(key, recurring);
    this.logger.debug('recurring operation armed', { resourceId, action: request.action, intervalMs: request.intervalMs, callId });
    this.enqueue(slot, resourceId, { callId, request, enqueuedAt: this.clock.now(), recurringKey: key });
  }

  private onRecurringDue(resourceId: string, recurring: RecurringOperation): void {
    recurring.timer = undefined;
    const slot = this.slots.get(resourceId);
    if (this.closed || slot === undefined || slot.recurring.get(recurring.key) !== recurring) return;
    if (slot.queue.length >= this.queueLimit) {
      // The resource is backed up: skip this round rather than grow the queue; try again later.
      this.logger.warn('recurring operation skipped: queue full', { resourceId, intervalMs: recurring.request.intervalMs });
      recurring.timer = this.clock.setTimer(recurring.request.intervalMs, () => this.onRecurringDue(resourceId, recurring));
      return;
    }
    this.enqueue(slot, resourceId, { callId: recurring.callId, request: recurring.request, enqueuedAt: this.clock.now(), recurringKey: recurring.key });
  }

  /** Cancels the matching recurring operations: timer, queued instance, and the entry (which drops a running instance's result). */
  private cancelRecurring(slot: ResourceSlot, resourceId: string, matches: (op: RecurringOperation) => boolean): void {
    for (const op of [...slot.recurring.values()]) {
      if (!matches(op)) continue;
      slot.recurring.delete(op.key);
      if (op.timer !== undefined) this.clock.clearTimer(op.timer);
      const index = slot.queue.findIndex((queued) => queued.callId === op.callId);
      if (index >= 0) slot.queue.splice(index, 1);
      this.logger.debug('recurring operation cancelled', { resourceId, action: op.request.action, intervalMs: op.request.intervalMs, callId: op.callId });
      this.emit(cancelledEvent(op.callId, resourceId, op.request));
    }
  }

  private emit(event: LrmEvent): void {
    const waiting = this.waiters.get(event.callId);
    if (waiting !== undefined) {
      this.waiters.delete(event.callId);
      for (const resolve of waiting) resolve(event);
    }
    this.onEvent(event);
  }
}

function normalize(request: OperationRequest, intervalMs: Millis, monitors: readonly MonitorSpec[]): NormalizedRequest {
  const configured = request.action === 'monitor' ? monitors.find((m) => m.intervalMs === intervalMs) : undefined;
  const role = request.role ?? configured?.role;
  const depth = request.depth ?? configured?.depth;
  return {
    action: request.action,
    intervalMs,
    timeoutMs: request.timeoutMs ?? configured?.timeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
    ...(role === undefined ? {} : { role }),
    ...(depth === undefined ? {} : { depth }),
    ...(request.meta === undefined ? {} : { meta: request.meta }),
  };
}

/** Whether a monitor for `monitorRole` keeps running while the resource is in `role`. */
function monitorRunsInRole(monitorRole: Role | undefined, role: Role): boolean {
  if (role === 'Stopped') return false;
  return (monitorRole === 'Promoted') === (role === 'Promoted');
}

function recurringKey(action: AgentAction, intervalMs: number): string {
  return `${action}:${String(intervalMs)}`;
}

function cancelledEvent(callId: CallId, resourceId: string, request: NormalizedRequest): LrmEvent {
  return { kind: 'operation-cancelled', callId, resourceId, action: request.action, intervalMs: request.intervalMs };
}

function unknownResource(resourceId: string): LrmRequestError {
  return { code: 'unknown-resource', resourceId, message: `resource ${resourceId} is not registered with the LRM` };
}

function closedError(resourceId: string): LrmRequestError {
  return { code: 'closed', resourceId, message: 'the LRM is shutting down' };
}

/** A runner broke its contract and rejected: the operation failed to run, and the LRM goes on. */
function runnerFailure(error: unknown): OperationResult {
  return {
    rc: OcfRc.ERR_GENERIC,
    status: 'error',
    exitReason: `agent runner failed: ${error instanceof Error ? error.message : String(error)}`,
    execTimeMs: 0 as Millis,
    stdout: '',
    stderr: '',
  };
}
