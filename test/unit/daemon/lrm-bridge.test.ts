// The LrmBridge runs the controller's LrmRequests on the real LocalResourceManager and answers with
// LrmResults: call ids that grow across restarts, a recurring monitor's later results without the
// graph action, refusals as failed results (never dropped).
import { describe, expect, it } from 'vitest';
import { LrmBridge } from '../../../src/daemon/lrm-bridge.js';
import type { LrmRequest, LrmResult } from '../../../src/ha/controller/index.js';
import type { AgentOperation, AgentRunner, OperationResult } from '../../../src/ha/lrm/index.js';
import { silentLogger, type Millis } from '../../../src/lib/index.js';
import { SystemClock } from '../../../src/platform/index.js';

class FakeRunner implements AgentRunner {
  running = false;
  readonly calls: string[] = [];
  run(operation: AgentOperation): Promise<OperationResult> {
    this.calls.push(`${operation.action}:${operation.intervalMs}:${operation.resource.params['x'] ?? ''}`);
    if (operation.action === 'start') this.running = true;
    if (operation.action === 'stop') this.running = false;
    const rc = operation.action === 'monitor' && !this.running ? 7 : 0;
    return Promise.resolve({ rc, status: 'done', execTimeMs: 1 as Millis, stdout: '', stderr: '' } as OperationResult);
  }
}

function request(operation: LrmRequest['operation'], interval = 0, extra: Partial<LrmRequest> = {}): LrmRequest {
  return { resource: 'db', agent: { class: 'ocf', provider: 'heartbeat', type: 'Dummy' }, operation, interval: interval as Millis, timeout: 1000 as Millis, params: { x: '1' }, meta: {}, expectedRc: 0, graph: { graphId: 4, actionId: `${operation}` }, ...extra };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

describe('LrmBridge', () => {
  it('runs requests, numbers results from the incarnation, and strips the graph from later monitor results', async () => {
    const runner = new FakeRunner();
    const results: LrmResult[] = [];
    const bridge = new LrmBridge({ nodeName: 'alpha', incarnation: 3, runner, clock: new SystemClock(), logger: silentLogger, onResult: (r) => results.push(r) });
    bridge.execute(request('monitor', 0, { expectedRc: 7 }));
    bridge.execute(request('start'));
    bridge.execute(request('monitor', 50));
    await until(() => results.length === 3);
    expect(results.map((r) => [r.request.operation, r.rc, r.node])).toEqual([['monitor', 7, 'alpha'], ['start', 0, 'alpha'], ['monitor', 0, 'alpha']]);
    expect(results.map((r) => r.callId)).toEqual([3_000_001, 3_000_002, 3_000_003]);
    expect(results[2]?.request.graph).toEqual({ graphId: 4, actionId: 'monitor' });
    // The resource dies under the agent: the recurring monitor reports the change, outside any graph.
    runner.running = false;
    await until(() => results.length === 4);
    expect(results[3]).toMatchObject({ rc: 7, callId: 3_000_004 });
    expect(results[3]?.request.graph).toBeUndefined();
    // A stop cancels the recurring monitor.
    bridge.execute(request('stop'));
    await until(() => results.length === 5);
    await new Promise((r) => setTimeout(r, 150));
    expect(results).toHaveLength(5);
    await bridge.close();
  });

  it('answers a request it cannot run with a failed result', async () => {
    const results: LrmResult[] = [];
    const bridge = new LrmBridge({ nodeName: 'alpha', incarnation: 1, runner: new FakeRunner(), clock: new SystemClock(), logger: silentLogger, onResult: (r) => results.push(r) });
    bridge.execute(request('start', 0, { agent: { class: 'nagios', type: 'check_http' } }));
    await until(() => results.length === 1);
    expect(results[0]).toMatchObject({ rc: 1, opStatus: 7 });
    expect(results[0]?.exitReason).toMatch(/agent class nagios/);
    await bridge.close();
  });
});
