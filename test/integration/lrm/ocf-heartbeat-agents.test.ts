// Goal: the LRM and the OCF class against Debian's real resource-agents: ocf:heartbeat:Dummy
// through start/monitor/stop (idempotent both ways, probes), its meta-data, its exit reasons, a
// recurring monitor that notices the resource is gone, and IPaddr2's meta-data refusing a
// resource without its required `ip`. Method: the real agents under /usr/lib/ocf with HA_RSCTMP in
// a temporary directory, the production ChildProcessRunner and SystemClock.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Millis } from '../../../src/lib/index.js';
import { AgentClassRunner } from '../../../src/ha/agents/index.js';
import { ChildProcessRunner, LocalResourceManager, OcfRc, type AgentAction, type LrmEvent, type OperationResultEvent, type ResourceDefinition } from '../../../src/ha/lrm/index.js';
import { SystemClock } from '../../../src/platform/index.js';
import { eventually, sleep } from '../harness/eventually.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { temporaryDirectory } from './lrm-kit.js';

const ms = (n: number): Millis => n as Millis;

describeWithPrerequisites("Debian's resource-agents through the OCF class and the LRM", ['resource-agents'], () => {
  const clock = new SystemClock();
  let scratch: { path: string; remove: () => Promise<void> };
  let agents: AgentClassRunner;

  beforeAll(async () => {
    scratch = await temporaryDirectory('ocf');
    agents = new AgentClassRunner({ processes: new ChildProcessRunner({ clock }), clock, directories: { rscTmpDirectory: scratch.path } });
  });

  afterAll(async () => {
    await scratch?.remove();
  });

  const dummy = (id: string, params: Record<string, string> = {}): ResourceDefinition => ({ id, agent: { standard: 'ocf', provider: 'heartbeat', type: 'Dummy' }, params });
  const run = (resource: ResourceDefinition, action: AgentAction, intervalMs = 0) => agents.run({ resource, action, intervalMs: ms(intervalMs), timeoutMs: ms(20_000) });

  it('runs ocf:heartbeat:Dummy through probe, start, monitor, start again, stop, stop again, monitor', async () => {
    const resource = dummy('d-cycle');
    const rcs: number[] = [];
    for (const action of ['monitor', 'start', 'monitor', 'start', 'stop', 'stop', 'monitor'] as const) {
      const result = await run(resource, action);
      expect(result.status).toBe('done');
      rcs.push(result.rc);
    }
    expect(rcs).toEqual([7, 0, 0, 0, 0, 0, 7]);
  });

  it('captures the exit reasons Dummy prints', async () => {
    // A recurring monitor (interval > 0) of a stopped Dummy explains itself; a probe does not.
    const stopped = await run(dummy('d-reason'), 'monitor', 10_000);
    expect(stopped).toMatchObject({ rc: OcfRc.NOT_RUNNING, status: 'done', exitReason: 'No process state file found' });
    expect((await run(dummy('d-reason'), 'monitor')).exitReason).toBeUndefined();
    const unwritable = await run(dummy('d-bad', { state: join(scratch.path, 'no/such/dir/d.state') }), 'validate-all');
    expect(unwritable.rc).toBe(OcfRc.ERR_ARGS);
    expect(unwritable.exitReason).toMatch(/^State file ".*no\/such\/dir\/d\.state" is not writable$/);
  });

  it("parses Dummy's meta-data", async () => {
    const meta = await agents.metadata({ standard: 'ocf', provider: 'heartbeat', type: 'Dummy' });
    if (!meta.ok) throw new Error(meta.error);
    expect(meta.value.name).toBe('Dummy');
    expect(meta.value.parameters.map((p) => [p.name, p.unique, p.required, p.type])).toEqual([
      ['state', true, false, 'string'],
      ['fake', false, false, 'string'],
    ]);
    expect(meta.value.actions.find((a) => a.name === 'monitor')).toEqual({ name: 'monitor', timeoutMs: 20_000, intervalMs: 10_000, depth: 0 });
  });

  it('refuses ocf:heartbeat:IPaddr2 without its required ip, naming it', async () => {
    const agent = { standard: 'ocf', provider: 'heartbeat', type: 'IPaddr2' } as const;
    const refused = await agents.checkResource({ agent, params: { cidr_netmask: '24' } });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.map((p) => p.message)).toContain('parameter "ip" (IPv4 or IPv6 address) is required by ocf:heartbeat:IPaddr2');
    expect((await agents.checkResource({ agent, params: { ip: '192.0.2.10', cidr_netmask: '24' } })).ok).toBe(true);
  });

  it('reports an unknown agent as not installed', async () => {
    const result = await run({ id: 'x', agent: { standard: 'ocf', provider: 'heartbeat', type: 'NoSuchAgent' }, params: {} }, 'monitor');
    expect(result).toMatchObject({ rc: OcfRc.ERR_INSTALLED, status: 'not-installed' });
  });

  it('in the LRM: probe, start, a recurring monitor that notices the resource is gone, stop cancelling it', async () => {
    const events: LrmEvent[] = [];
    const lrm = new LocalResourceManager({ runner: agents, clock, onEvent: (e) => events.push(e) });
    const state = join(scratch.path, 'lrm-dummy.state');
    lrm.register({ ...dummy('lrm-dummy', { state }), monitors: [{ intervalMs: ms(200), timeoutMs: ms(10_000) }] });
    const results = (): OperationResultEvent[] => events.filter((e): e is OperationResultEvent => e.kind === 'operation-result');
    try {
      const probes = lrm.probe();
      if (!probes.ok) throw new Error(probes.error.message);
      expect(await lrm.waitFor(probes.value[0] ?? -1)).toMatchObject({ probe: true, verdict: { ok: true, observed: 'stopped' } });

      const start = lrm.execute({ resourceId: 'lrm-dummy', action: 'start' });
      if (!start.ok) throw new Error(start.error.message);
      expect(await lrm.waitFor(start.value)).toMatchObject({ result: { rc: OcfRc.SUCCESS }, verdict: { ok: true, observed: 'started' } });
      await eventually(() => results().find((e) => e.recurring && e.result.rc === OcfRc.SUCCESS), { what: 'the first monitor result' });

      // The resource disappears behind the cluster's back: the next monitor reports it, once.
      await rm(state);
      const failure = await eventually(() => results().find((e) => e.recurring && e.result.rc === OcfRc.NOT_RUNNING), { what: 'the failed monitor' });
      expect(failure).toMatchObject({ verdict: { ok: false, observed: 'stopped' }, result: { exitReason: 'No process state file found' } });
      await sleep(700); // three more monitor rounds, all the same failure
      expect(results().filter((e) => e.recurring)).toHaveLength(2);

      const stop = lrm.execute({ resourceId: 'lrm-dummy', action: 'stop' });
      if (!stop.ok) throw new Error(stop.error.message);
      expect(await lrm.waitFor(stop.value)).toMatchObject({ verdict: { ok: true } });
      expect(events.filter((e) => e.kind === 'operation-cancelled')).toHaveLength(1);
      const count = events.length;
      await sleep(500);
      expect(events).toHaveLength(count);
    } finally {
      await lrm.close();
    }
  });
});
