/**
 * MetricsEndpoint: the HTTP server of the metrics (node:http), serving `GET /metrics` on the
 * configured address. Contract:
 * - `start()` resolves after the first attempt to listen, whether it worked or not: a busy port or
 *   a missing address must not keep a cluster node from running. A failure is logged at error
 *   level (it needs an operator) and retried every RETRY_MS until it works or `close()`;
 * - scrapes that arrive while one is being rendered share its result, so a storm of scrapers
 *   costs the main thread one render at a time;
 * - bounded: few connections, short header and request timeouts; nothing but GET/HEAD /metrics.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../lib/index.js';

const RETRY_MS = 10_000;
const CONNECTIONS_MAX = 16;

export interface MetricsEndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  /** The exposition: its content type and text. Rejections become a 500 answer. */
  readonly render: () => Promise<{ readonly contentType: string; readonly body: string }>;
}

export class MetricsEndpoint {
  private readonly server: Server;
  private retry: NodeJS.Timeout | undefined;
  private listening = false;
  private closed = false;
  private rendering: Promise<{ readonly contentType: string; readonly body: string }> | undefined;

  constructor(private readonly options: MetricsEndpointOptions) {
    this.server = createServer((request, response) => void this.answer(request, response));
    this.server.maxConnections = CONNECTIONS_MAX;
    this.server.headersTimeout = 5000;
    this.server.requestTimeout = 10_000;
  }

  /** Listens on the configured address; see the contract above. Never rejects. */
  async start(): Promise<void> {
    const { host, port, logger } = this.options;
    const failure = await new Promise<Error | undefined>((resolve) => {
      const onError = (error: Error): void => resolve(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve(undefined);
      });
    });
    if (this.closed) return;
    if (failure === undefined) {
      this.listening = true;
      logger.info('metrics endpoint listening', { url: `http://${host}:${port}/metrics` });
      return;
    }
    logger.error('metrics endpoint cannot listen; retrying', { host, port, error: failure.message, retryMs: RETRY_MS, hint: `free the port or change metrics.listen in heartline.yaml` });
    this.retry = setTimeout(() => void this.start(), RETRY_MS);
    this.retry.unref();
  }

  /** The port it listens on (the one chosen for port 0), or undefined while it does not. */
  port(): number | undefined {
    return this.listening ? (this.server.address() as AddressInfo).port : undefined;
  }

  /** Stops listening and ends open connections. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    if (!this.listening) return;
    this.listening = false;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the metrics are at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('use GET\n');
      return;
    }
    try {
      this.rendering ??= this.options.render().finally(() => (this.rendering = undefined));
      const { contentType, body } = await this.rendering;
      response.writeHead(200, { 'content-type': contentType });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.warn('metrics not rendered', { error: message });
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics not available: ${message}\n`);
    }
  }
}
