// Goal: ocf:heartline:WebDemo, the service `heartline demo` fails over, behaves as an OCF agent:
// start waits until it listens and it then answers with the node's name (which the runner passes
// as OCF_RESKEY_CRM_meta_on_node), monitor tells running from not running, start and stop are
// idempotent, and a start that cannot listen fails with an exit reason. Method: the production
// AgentClassRunner and ChildProcessRunner; the server listens on a free loopback port.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Millis } from '../../../src/lib/index.js';
import { AgentClassRunner } from '../../../src/ha/agents/index.js';
import { ChildProcessRunner, OcfRc, type AgentAction, type ResourceDefinition } from '../../../src/ha/lrm/index.js';
import { SystemClock } from '../../../src/platform/index.js';
import { temporaryDirectory } from './lrm-kit.js';

const ms = (n: number): Millis => n as Millis;

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('ocf:heartline:WebDemo', () => {
  const clock = new SystemClock();
  let scratch: { path: string; remove: () => Promise<void> };
  let agents: AgentClassRunner;
  let port: number;
  const web = (params: Record<string, string>): ResourceDefinition => ({ id: `web-${process.pid}`, agent: { standard: 'ocf', provider: 'heartline', type: 'WebDemo' }, params });
  const run = (resource: ResourceDefinition, action: AgentAction, intervalMs = 0) => agents.run({ resource, action, intervalMs: ms(intervalMs), timeoutMs: ms(10_000) });

  beforeAll(async () => {
    scratch = await temporaryDirectory('webdemo');
    agents = new AgentClassRunner({ processes: new ChildProcessRunner({ clock }), clock, directories: { rscTmpDirectory: scratch.path }, nodeName: 'demo-node-a' });
    port = await freePort();
  });

  afterAll(async () => {
    // Stops the server if a failed assertion left it running (the agent finds it by its pid file).
    if (agents !== undefined) await run(web({ ip: '127.0.0.1', port: String(port) }), 'stop');
    await scratch?.remove();
  });

  it('serves the node name once started, and stops', async () => {
    const resource = web({ ip: '127.0.0.1', port: String(port) });
    expect((await run(resource, 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
    expect((await run(resource, 'start')).rc).toBe(OcfRc.SUCCESS);
    expect((await run(resource, 'start')).rc).toBe(OcfRc.SUCCESS);
    expect((await run(resource, 'monitor', 10_000)).rc).toBe(OcfRc.SUCCESS);
    const answer = await fetch(`http://127.0.0.1:${port}/`);
    expect(await answer.text()).toBe('served by demo-node-a\n');
    expect((await run(resource, 'stop')).rc).toBe(OcfRc.SUCCESS);
    expect((await run(resource, 'stop')).rc).toBe(OcfRc.SUCCESS);
    expect((await run(resource, 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it('a start that cannot listen fails and says why', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve, reject) => {
      blocker.once('error', reject);
      blocker.listen(port, '127.0.0.1', resolve);
    });
    try {
      const result = await run(web({ ip: '127.0.0.1', port: String(port) }), 'start');
      expect(result.rc).toBe(OcfRc.ERR_GENERIC);
      expect(result.exitReason).toMatch(/cannot listen on 127\.0\.0\.1:\d+.*EADDRINUSE/);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('refuses a port that is not a number', async () => {
    const result = await run(web({ port: 'http' }), 'start');
    expect(result.rc).toBe(OcfRc.ERR_ARGS);
    expect(result.exitReason).toContain("port must be a number, not 'http'");
  });
});
