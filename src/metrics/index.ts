// The Prometheus endpoint (heartline.yaml `metrics`): the pure mapping from runtime state to
// metrics, the prom-client registry and the HTTP server. The daemon imports this index only when
// metrics are enabled (a dynamic import), so prom-client never loads in a node without them.
export { FAILOVER_BUCKETS_SECONDS, FailoverTracker, GAUGES, EVENT_METRICS, OPERATION_BUCKETS_SECONDS, failCountValue, fenceSample, gaugeSamples, operationSample } from './metric-samples.js';
export type { Failover, GaugeInput, GaugeName, GaugeSample, MetricDefinition, OperationSample, ServiceChange } from './metric-samples.js';
export { MetricsEndpoint, type MetricsEndpointOptions } from './metrics-endpoint.js';
export { PrometheusMetrics } from './prometheus-metrics.js';
