/**
 * LrmBridge: the controller's `lrm-execute` requests run on this node's LocalResourceManager, and
 * the LRM's events come back as the controller's LrmResults. It is the daemon's counterpart of the
 * simulator's SimLrm (src/sim/cluster/sim-lrm.ts) and follows the same rules:
 *
 * - The request carries the whole resource (agent, parameters, meta), so each request (re)registers
 *   the resource with the LRM; no monitors are configured there, because the DC asks for each
 *   recurring monitor itself (a request with an interval), as the policy's recurring-monitors pass
 *   plans them.
 * - A recurring monitor reports its first result and then only changes (the LRM's rule); results
 *   after the first belong to no transition, so they carry the request without its graph action.
 * - Call ids grow across restarts (incarnation × 1,000,000 + n), because the DC orders a node's
 *   history by them when the node joins.
 * - A request the LRM refuses (queue full, closed) is answered with a failed result, never dropped.
 */
import type { LrmRequest, LrmResult } from '../ha/controller/index.js';
import { LocalResourceManager, OcfRc, operationStatusCode, type AgentRunner, type AgentStandard, type LrmEvent, type LrmResourceSnapshot } from '../ha/lrm/index.js';
import { OP_STATUS } from '../ha/controller/index.js';
import type { Clock, Logger, Millis } from '../lib/index.js';

export interface LrmBridgeOptions {
  readonly nodeName: string;
  readonly incarnation: number;
  readonly runner: AgentRunner;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called with every result, asynchronously (never inside `execute`). */
  readonly onResult: (result: LrmResult) => void;
}

interface Call {
  readonly request: LrmRequest;
  reported: boolean;
}

const STANDARDS: readonly AgentStandard[] = ['ocf', 'lsb', 'heartbeat', 'systemd', 'stonith'];

export class LrmBridge {
  private readonly lrm: LocalResourceManager;
  private readonly calls = new Map<number, Call>();
  private nextCall: number;

  constructor(private readonly options: LrmBridgeOptions) {
    this.nextCall = options.incarnation * 1_000_000;
    this.lrm = new LocalResourceManager({ runner: options.runner, clock: options.clock, logger: options.logger, onEvent: (event) => this.onEvent(event) });
  }

  execute(request: LrmRequest): void {
    const standard = STANDARDS.find((s) => s === request.agent.class);
    if (standard === undefined) {
      this.fail(request, OP_STATUS.notInstalled, `agent class ${request.agent.class} is not one this node runs (ocf, lsb, heartbeat, systemd)`);
      return;
    }
    // An orphan's stop carries no parameters: keep the definition this LRM last ran it with.
    const known = request.orphan === true && this.lrm.resourceIds().includes(request.resource);
    const registered = known ? { ok: true as const } : this.lrm.register({
      id: request.resource,
      agent: { standard, ...(request.agent.provider === undefined ? {} : { provider: request.agent.provider }), type: request.agent.type },
      params: request.params,
      meta: request.meta,
      monitors: [],
    });
    if (!registered.ok) {
      this.fail(request, OP_STATUS.error, registered.error.message);
      return;
    }
    const queued = this.lrm.execute({
      resourceId: request.resource,
      action: request.operation,
      intervalMs: request.interval,
      timeoutMs: request.timeout,
      ...(request.operation === 'monitor' && request.expectedRc === OcfRc.RUNNING_PROMOTED ? { role: 'Promoted' as const } : {}),
    });
    if (!queued.ok) {
      this.fail(request, OP_STATUS.error, queued.error.message);
      return;
    }
    this.calls.set(queued.value, { request, reported: false });
  }

  /** What the LRM holds: running, queued and recurring operations per resource. */
  snapshot(): LrmResourceSnapshot[] {
    return this.lrm.snapshot();
  }

  /** Cancels every recurring monitor (they are history, not running work) and waits for running operations. */
  close(): Promise<void> {
    return this.lrm.close();
  }

  private onEvent(event: LrmEvent): void {
    const call = this.calls.get(event.callId);
    if (call === undefined) return;
    if (event.kind === 'operation-cancelled') {
      this.calls.delete(event.callId);
      return;
    }
    if (!event.recurring) this.calls.delete(event.callId);
    // Later results of a recurring monitor belong to no transition.
    const { graph: _graph, ...standalone } = call.request;
    const request = call.reported ? standalone : call.request;
    call.reported = true;
    const r = event.result;
    this.options.onResult({
      node: this.options.nodeName,
      request,
      rc: r.rc,
      opStatus: operationStatusCode(r.status),
      ...(r.exitReason === undefined ? {} : { exitReason: r.exitReason }),
      callId: ++this.nextCall,
      execMs: Math.round(r.execTimeMs),
      finishedAt: Math.floor(this.options.clock.wallNow() / 1000),
    });
  }

  private fail(request: LrmRequest, opStatus: number, reason: string): void {
    this.options.logger.warn('operation refused', { resource: request.resource, operation: request.operation, reason });
    const result: LrmResult = { node: this.options.nodeName, request, rc: OcfRc.ERR_GENERIC, opStatus, exitReason: reason, callId: ++this.nextCall, execMs: 0, finishedAt: Math.floor(this.options.clock.wallNow() / 1000) };
    this.options.clock.setTimer(0 as Millis, () => this.options.onResult(result));
  }
}
