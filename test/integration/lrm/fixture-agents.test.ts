// Goal: the other agent classes against real scripts: an old-style LSB init script (a real
// background daemon, status codes 0/1/3, start/stop that are not idempotent by themselves), a
// Heartbeat v1 resource script judged by its status text, the project's own ocf:heartline:Dummy,
// and the systemd class against a fake systemctl (this machine has no systemd as PID 1, so the real
// systemctl cannot be tested here). Method: fixtures from test/fixtures copied into a temporary
// directory; the production ChildProcessRunner.
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Millis } from '../../../src/lib/index.js';
import { AgentClassRunner } from '../../../src/ha/agents/index.js';
import { ChildProcessRunner, OcfRc, type AgentAction, type ResourceDefinition } from '../../../src/ha/lrm/index.js';
import { SystemClock } from '../../../src/platform/index.js';
import { copyFixtures, isAlive, temporaryDirectory } from './lrm-kit.js';

const ms = (n: number): Millis => n as Millis;

describe('agent classes against fixture scripts', () => {
  const clock = new SystemClock();
  let scratch: { path: string; remove: () => Promise<void> };
  let agents: AgentClassRunner;
  const run = (resource: ResourceDefinition, action: AgentAction, intervalMs = 0) => agents.run({ resource, action, intervalMs: ms(intervalMs), timeoutMs: ms(10_000) });
  const daemonPidFile = (): string => join(scratch.path, 'run/heartline-fixture-daemon.pid');

  beforeAll(async () => {
    scratch = await temporaryDirectory('fixtures');
    await copyFixtures(scratch.path, ['init.d', 'resource.d', 'bin']);
    agents = new AgentClassRunner({
      processes: new ChildProcessRunner({ clock }),
      clock,
      directories: {
        initDirectory: join(scratch.path, 'init.d'),
        heartbeatResourceDirectory: join(scratch.path, 'resource.d'),
        systemctl: join(scratch.path, 'bin/systemctl'),
        rscTmpDirectory: scratch.path,
      },
    });
  });

  afterAll(async () => {
    // The LSB daemon this file started, by the pid its script recorded, if a test left it running.
    const pid = Number(await readFile(daemonPidFile(), 'utf8').catch(() => ''));
    if (pid > 1 && (await isAlive(pid))) process.kill(pid, 'SIGKILL');
    await scratch?.remove();
  });

  describe('lsb: an init script', () => {
    const lsb: ResourceDefinition = { id: 'daemon', agent: { standard: 'lsb', type: 'heartline-fixture-daemon' }, params: {} };

    it('starts, monitors and stops a real daemon; start when running and stop when stopped succeed', async () => {
      expect((await run(lsb, 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
      expect(await run(lsb, 'start')).toMatchObject({ rc: OcfRc.SUCCESS, status: 'done' });
      const pid = Number(await readFile(daemonPidFile(), 'utf8'));
      expect(await isAlive(pid)).toBe(true);
      expect((await run(lsb, 'monitor')).rc).toBe(OcfRc.SUCCESS);
      // The script answers 1 ("already running"); its status shows the goal is reached.
      expect(await run(lsb, 'start')).toMatchObject({ rc: OcfRc.SUCCESS, status: 'done' });
      expect((await run(lsb, 'stop')).rc).toBe(OcfRc.SUCCESS);
      expect(await isAlive(pid)).toBe(false);
      expect((await run(lsb, 'stop')).rc).toBe(OcfRc.SUCCESS);
      expect((await run(lsb, 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
    });

    it('reports a crashed daemon (status 1: dead, pid file left) as a failure, not as stopped', async () => {
      expect((await run(lsb, 'start')).rc).toBe(OcfRc.SUCCESS);
      const pid = Number(await readFile(daemonPidFile(), 'utf8'));
      process.kill(pid, 'SIGKILL'); // the daemon this test started
      const monitor = await run(lsb, 'monitor');
      expect(monitor).toMatchObject({ rc: OcfRc.ERR_GENERIC, status: 'done', exitReason: 'LSB status 1: the program is dead and its pid file exists' });
      expect((await run(lsb, 'stop')).rc).toBe(OcfRc.SUCCESS);
    });

    it('reports a missing script as not installed', async () => {
      expect(await run({ ...lsb, agent: { standard: 'lsb', type: 'no-such-script' } }, 'monitor')).toMatchObject({ rc: OcfRc.ERR_INSTALLED, status: 'not-installed' });
    });
  });

  describe('heartbeat: a Heartbeat v1 resource script', () => {
    it('passes its arguments, judges status by its text, and accepts a stop of a stopped resource', async () => {
      const state = join(scratch.path, 'hb.state');
      const hb: ResourceDefinition = { id: 'hb', agent: { standard: 'heartbeat', type: 'HeartlineFixture' }, params: { '1': state, '2': 'hello world' } };
      // status exits 0 both times: only the text ("not running" / "Running OK") tells.
      expect((await run(hb, 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
      expect((await run(hb, 'start')).rc).toBe(OcfRc.SUCCESS);
      expect(await readFile(state, 'utf8')).toBe('hello world\n');
      const running = await run(hb, 'monitor');
      expect(running).toMatchObject({ rc: OcfRc.SUCCESS, stdout: 'HeartlineFixture: Running OK (hello world)\n' });
      expect((await run(hb, 'stop')).rc).toBe(OcfRc.SUCCESS);
      expect((await run(hb, 'stop')).rc).toBe(OcfRc.SUCCESS); // the script says 1; status says stopped
      expect((await run(hb, 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
    });
  });

  describe('ocf:heartline:Dummy, the project\'s own agent', () => {
    const dummy = (params: Record<string, string> = {}): ResourceDefinition => ({ id: 'hl-dummy', agent: { standard: 'ocf', provider: 'heartline', type: 'Dummy' }, params });

    it('starts, monitors and stops, idempotently, from the project\'s agents/ocf/heartline', async () => {
      const rcs: number[] = [];
      for (const action of ['monitor', 'start', 'start', 'monitor', 'stop', 'stop', 'monitor'] as const) rcs.push((await run(dummy(), action)).rc);
      expect(rcs).toEqual([7, 0, 0, 0, 0, 0, 7]);
    });

    it('explains a missing state file to a recurring monitor, and a bad configuration to start', async () => {
      expect(await run(dummy(), 'monitor', 5000)).toMatchObject({ rc: OcfRc.NOT_RUNNING, exitReason: expect.stringContaining('is gone') as unknown });
      expect(await run(dummy({ state: '/nonexistent/dir/x.state' }), 'start')).toMatchObject({ rc: OcfRc.ERR_ARGS, exitReason: 'state directory /nonexistent/dir is not a writable directory' });
      expect(await run(dummy({ state: '/nonexistent/dir/x.state' }), 'stop')).toMatchObject({ rc: OcfRc.SUCCESS });
    });

    it('describes itself', async () => {
      const meta = await agents.metadata({ standard: 'ocf', provider: 'heartline', type: 'Dummy' });
      if (!meta.ok) throw new Error(meta.error);
      expect(meta.value.parameters.map((p) => [p.name, p.type, p.unique, p.reloadable])).toEqual([
        ['state', 'string', true, false],
        ['fake', 'string', false, true],
        ['op_sleep', 'integer', false, false],
      ]);
      expect((await agents.checkResource({ agent: { standard: 'ocf', provider: 'heartline', type: 'Dummy' }, params: { op_sleep: 'slow' } })).ok).toBe(false);
    });
  });

  describe('systemd: against a fake systemctl', () => {
    const unit = (type: string): ResourceDefinition => ({ id: type, agent: { standard: 'systemd', type }, params: {} });

    it('starts, monitors and stops a unit, confirming the start with is-active', async () => {
      await writeFile(join(scratch.path, 'bin/units/web.service.exists'), '');
      expect((await run(unit('web'), 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
      expect((await run(unit('web'), 'start')).rc).toBe(OcfRc.SUCCESS);
      expect((await run(unit('web'), 'monitor')).rc).toBe(OcfRc.SUCCESS);
      expect((await run(unit('web'), 'stop')).rc).toBe(OcfRc.SUCCESS);
      expect((await run(unit('web'), 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
      const calls = (await readFile(join(scratch.path, 'bin/units/calls'), 'utf8')).trim().split('\n');
      expect(calls).toEqual(['is-active web.service', 'start web.service', 'is-active web.service', 'is-active web.service', 'stop web.service', 'is-active web.service']);
      await rm(join(scratch.path, 'bin/units/calls'));
    });

    // Without systemd as PID 1 (this machine, CI), the real systemctl cannot operate: the class must
    // turn that into a failed monitor with systemctl's own words, not a crash or "stopped".
    it.skipIf(existsSync('/run/systemd/system'))('with the real systemctl and no systemd running, a monitor fails with the reason', async () => {
      const real = new AgentClassRunner({ processes: new ChildProcessRunner({ clock }), clock });
      const result = await real.run({ resource: unit('ssh'), action: 'monitor', intervalMs: ms(0), timeoutMs: ms(10_000) });
      expect(result).toMatchObject({ rc: OcfRc.ERR_GENERIC, status: 'done', exitReason: expect.stringContaining('not been booted with systemd') as unknown });
    });

    it('fails a start whose unit dies at once, and calls an unknown unit not installed', async () => {
      await writeFile(join(scratch.path, 'bin/units/crashy.service.exists'), '');
      await writeFile(join(scratch.path, 'bin/units/crashy.service.crash'), '');
      expect(await run(unit('crashy'), 'start')).toMatchObject({ rc: OcfRc.ERR_GENERIC, exitReason: 'unit crashy.service is not active after start (the unit is in the failed state)' });
      expect(await run(unit('ghost'), 'start')).toMatchObject({ rc: OcfRc.ERR_INSTALLED, status: 'not-installed', exitReason: 'Failed to start ghost.service: Unit ghost.service not found.' });
    });
  });
});
