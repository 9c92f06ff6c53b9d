/**
 * PrometheusMetrics: the daemon's metrics in a prom-client registry. It declares every metric of
 * metric-samples.ts, copies a fresh set of gauge samples in before each exposition (`render`), and
 * counts operations, fence outcomes and failovers as the daemon reports them.
 *
 * The only module that imports prom-client: the daemon loads it (through this folder's index) with
 * a dynamic import only when heartline.yaml enables metrics, so an idle node without them carries
 * none of it. No default process metrics are collected: prom-client's event-loop-lag monitor wakes
 * the main thread 100 times a second, which an idle node's CPU budget cannot afford.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LrmResult } from '../ha/controller/index.js';
import {
  EVENT_METRICS,
  FAILOVER_BUCKETS_SECONDS,
  FailoverTracker,
  fenceSample,
  GAUGES,
  gaugeSamples,
  OPERATION_BUCKETS_SECONDS,
  operationSample,
  type Failover,
  type GaugeInput,
  type GaugeName,
  type ServiceChange,
} from './metric-samples.js';

export class PrometheusMetrics {
  readonly registry = new Registry();
  private readonly gauges: ReadonlyMap<GaugeName, Gauge>;
  private readonly operationDuration: Histogram;
  private readonly operations: Counter;
  private readonly fences: Counter;
  private readonly failoverDuration: Histogram;
  private readonly failovers = new FailoverTracker();

  constructor() {
    const registers = [this.registry];
    this.gauges = new Map(Object.entries(GAUGES).map(([name, d]) => [name as GaugeName, new Gauge({ name, help: d.help, labelNames: [...d.labels], registers })]));
    const m = EVENT_METRICS;
    this.operationDuration = new Histogram({ name: 'heartline_operation_duration_seconds', help: m.heartline_operation_duration_seconds.help, labelNames: [...m.heartline_operation_duration_seconds.labels], buckets: [...OPERATION_BUCKETS_SECONDS], registers });
    this.operations = new Counter({ name: 'heartline_operations_total', help: m.heartline_operations_total.help, labelNames: [...m.heartline_operations_total.labels], registers });
    this.fences = new Counter({ name: 'heartline_fence_operations_total', help: m.heartline_fence_operations_total.help, labelNames: [...m.heartline_fence_operations_total.labels], registers });
    this.failoverDuration = new Histogram({ name: 'heartline_failover_duration_seconds', help: m.heartline_failover_duration_seconds.help, labelNames: [...m.heartline_failover_duration_seconds.labels], buckets: [...FAILOVER_BUCKETS_SECONDS], registers });
  }

  /** The exposition text (Prometheus text format 0.0.4) with the gauges set from `input`. */
  async render(input: GaugeInput): Promise<string> {
    // Reset first: a link, node or resource gone since the last scrape must disappear, not keep its value.
    for (const gauge of this.gauges.values()) gauge.reset();
    for (const sample of gaugeSamples(input)) this.gauges.get(sample.name)?.set(sample.labels, sample.value);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** An operation this node's LRM finished. */
  operation(result: LrmResult): void {
    const sample = operationSample(result);
    this.operationDuration.observe(sample.labels, sample.seconds);
    this.operations.inc({ ...sample.labels, outcome: sample.outcome });
  }

  /** A fence outcome this node ran or heard of (each once). */
  fence(notice: Parameters<typeof fenceSample>[0]): void {
    this.fences.inc(fenceSample(notice));
  }

  /** A resource service-state change the event recorder recorded; returns the failover it completed, if any. */
  serviceChange(change: ServiceChange): Failover | undefined {
    const failover = this.failovers.observe(change);
    if (failover !== undefined) this.failoverDuration.observe({ resource: failover.resource }, failover.seconds);
    return failover;
  }
}
