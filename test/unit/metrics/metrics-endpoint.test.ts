// Goal: the endpoint serves the exposition at GET /metrics and nothing else, answers a render
// failure with a 500 instead of dying, and a port it cannot have does not stop its caller.
// Method: real node:http servers on 127.0.0.1 with port 0 (loopback only), fetched with fetch().
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../../src/lib/index.js';
import { MetricsEndpoint } from '../../../src/metrics/index.js';

const endpoints: MetricsEndpoint[] = [];
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});

async function started(render: () => Promise<{ contentType: string; body: string }>, port = 0, logger: Logger = silentLogger): Promise<MetricsEndpoint> {
  const endpoint = new MetricsEndpoint({ host: '127.0.0.1', port, logger, render });
  endpoints.push(endpoint);
  await endpoint.start();
  return endpoint;
}

const url = (endpoint: MetricsEndpoint, path: string): string => `http://127.0.0.1:${String(endpoint.port())}${path}`;

describe('MetricsEndpoint', () => {
  it('serves the rendered text at GET /metrics with its content type, and renders once per scrape', async () => {
    let renders = 0;
    const endpoint = await started(() => Promise.resolve({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: `heartline_quorate ${++renders}\n` }));
    const first = await fetch(url(endpoint, '/metrics'));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await first.text()).toBe('heartline_quorate 1\n');
    expect(await (await fetch(url(endpoint, '/metrics?x=1'))).text()).toBe('heartline_quorate 2\n');
  });

  it('refuses other paths (404) and methods (405)', async () => {
    const endpoint = await started(() => Promise.resolve({ contentType: 'text/plain', body: '' }));
    expect((await fetch(url(endpoint, '/'))).status).toBe(404);
    const post = await fetch(url(endpoint, '/metrics'), { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 500 with the reason when the snapshot cannot be read, and serves again afterwards', async () => {
    let fail = true;
    const endpoint = await started(() => (fail ? Promise.reject(new Error('the heartbeat worker did not answer within 2 s')) : Promise.resolve({ contentType: 'text/plain', body: 'ok\n' })));
    const failed = await fetch(url(endpoint, '/metrics'));
    expect(failed.status).toBe(500);
    expect(await failed.text()).toContain('the heartbeat worker did not answer');
    fail = false;
    expect(await (await fetch(url(endpoint, '/metrics'))).text()).toBe('ok\n');
  });

  it('a busy port: start resolves, says so at error level, and nothing listens', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const port = (holder.address() as AddressInfo).port;
      const errors: string[] = [];
      const logger: Logger = { ...silentLogger, error: (message) => errors.push(message), child: () => logger };
      const endpoint = await started(() => Promise.resolve({ contentType: 'text/plain', body: '' }), port, logger);
      expect(endpoint.port()).toBeUndefined();
      expect(errors).toEqual(['metrics endpoint cannot listen; retrying']);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });
});
