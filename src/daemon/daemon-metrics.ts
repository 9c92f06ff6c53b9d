/**
 * The daemon's side of the metrics endpoint (heartline.yaml `metrics`, src/metrics): loads the
 * metrics code with a dynamic import only when the section enables it, so that a node without
 * metrics never loads prom-client or node:http (issue 5's idle footprint), and gives the daemon a
 * narrow sink to report operations, fence outcomes and service-state changes to.
 */
import type { MetricsSettings } from '../config/index.js';
import type { LrmResult } from '../ha/controller/index.js';
import type { Logger } from '../lib/index.js';
import type { GaugeInput, ServiceChange } from '../metrics/index.js';

export interface DaemonMetrics {
  operation(result: LrmResult): void;
  fence(notice: { readonly target: string; readonly action: string; readonly ok: boolean; readonly confirmed?: boolean }): void;
  serviceChange(change: ServiceChange): void;
  /** Starts the HTTP endpoint; `snapshot` is read at every scrape. Never rejects (see MetricsEndpoint). */
  listen(snapshot: () => Promise<GaugeInput>): Promise<void>;
  close(): Promise<void>;
}

/** The metrics of this daemon, or undefined when heartline.yaml does not enable them (nothing is loaded then). */
export async function loadDaemonMetrics(settings: MetricsSettings | undefined, logger: Logger): Promise<DaemonMetrics | undefined> {
  if (settings === undefined) return undefined;
  const { MetricsEndpoint, PrometheusMetrics } = await import('../metrics/index.js');
  const metrics = new PrometheusMetrics();
  let endpoint: InstanceType<typeof MetricsEndpoint> | undefined;
  return {
    operation: (result) => metrics.operation(result),
    fence: (notice) => metrics.fence(notice),
    serviceChange: (change) => {
      const failover = metrics.serviceChange(change);
      if (failover !== undefined) logger.info('failover measured', { resource: failover.resource, from: failover.from, to: failover.to, seconds: failover.seconds });
    },
    listen: async (snapshot) => {
      endpoint = new MetricsEndpoint({ host: settings.host, port: settings.port, logger, render: async () => ({ contentType: metrics.contentType, body: await metrics.render(await snapshot()) }) });
      await endpoint.start();
    },
    close: async () => {
      await endpoint?.close();
    },
  };
}
