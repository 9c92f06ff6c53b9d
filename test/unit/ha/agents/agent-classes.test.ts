// Goal: each agent class builds the right command (path, arguments, environment) and maps its
// outcome to OCF: exit codes, LSB status codes, Heartbeat status text, systemd states, and the
// outcomes every class shares (not installed, not executable, timeout, signal). Method: a scripted
// ProcessRunner records each command and answers from a queue; a ManualClock gives the deadlines.
import { describe, expect, it } from 'vitest';
import type { Millis } from '../../../../src/lib/index.js';
import {
  AgentClassRunner,
  DEFAULT_AGENT_DIRECTORIES,
  judgeHeartbeatStatus,
  lsbStatusToOcf,
  ocfEnvironment,
  systemdStateToOcf,
  systemdUnitName,
} from '../../../../src/ha/agents/index.js';
import { OcfRc, type AgentOperation, type ProcessEnd, type ProcessOutcome, type ProcessRunner, type ProcessSpec, type ResourceDefinition } from '../../../../src/ha/lrm/index.js';
import { ManualClock } from '../lrm/lrm-test-kit.js';

const ms = (n: number): Millis => n as Millis;

interface Answer {
  readonly end: ProcessEnd;
  readonly stdout?: string;
  readonly exitReason?: string;
}

class ScriptedProcesses implements ProcessRunner {
  readonly specs: ProcessSpec[] = [];
  constructor(private readonly answers: Answer[]) {}

  run(spec: ProcessSpec): Promise<ProcessOutcome> {
    this.specs.push(spec);
    const answer = this.answers.shift();
    if (answer === undefined) throw new Error(`unexpected command ${spec.executable} ${spec.args.join(' ')}`);
    return Promise.resolve({
      end: answer.end,
      stdout: answer.stdout ?? '',
      stderr: '',
      stdoutTruncated: false,
      stderrTruncated: false,
      ...(answer.exitReason === undefined ? {} : { exitReason: answer.exitReason }),
      durationMs: ms(7),
      pid: 4242,
    });
  }
}

const exited = (code: number, stdout?: string, exitReason?: string): Answer => ({
  end: { kind: 'exited', code },
  ...(stdout === undefined ? {} : { stdout }),
  ...(exitReason === undefined ? {} : { exitReason }),
});

function runnerWith(answers: Answer[]): { runner: AgentClassRunner; processes: ScriptedProcesses } {
  const processes = new ScriptedProcesses(answers);
  const runner = new AgentClassRunner({
    processes,
    clock: new ManualClock(),
    directories: { ocfRoot: '/ocf', ocfProviderDirectories: { mine: '/opt/mine' }, initDirectory: '/init', heartbeatResourceDirectory: '/hb', systemctl: '/bin/systemctl', rscTmpDirectory: '/rsctmp', path: '/bin' },
  });
  return { runner, processes };
}

function operation(resource: ResourceDefinition, action: AgentOperation['action'], extra: Partial<AgentOperation> = {}): AgentOperation {
  return { resource, action, intervalMs: ms(0), timeoutMs: ms(20_000), ...extra };
}

const dummy: ResourceDefinition = { id: 'd1', agent: { standard: 'ocf', provider: 'heartbeat', type: 'Dummy' }, params: { state: '/tmp/s', fake: 'x' }, meta: { 'clone-max': '2', notify: 'true' } };

describe('ocf class', () => {
  it('runs $OCF_ROOT/resource.d/PROVIDER/TYPE with the action as its only argument and the OCF environment', async () => {
    const { runner, processes } = runnerWith([exited(0)]);
    const result = await runner.run(operation(dummy, 'monitor', { intervalMs: ms(10_000), depth: 10, meta: { notify_type: 'pre' } }));
    expect(result).toMatchObject({ rc: OcfRc.SUCCESS, status: 'done', execTimeMs: 7 });
    expect(processes.specs[0]).toEqual({
      executable: '/ocf/resource.d/heartbeat/Dummy',
      args: ['monitor'],
      timeoutMs: 20_000,
      env: {
        PATH: '/bin',
        OCF_ROOT: '/ocf',
        OCF_RA_VERSION_MAJOR: '1',
        OCF_RA_VERSION_MINOR: '1',
        OCF_RESOURCE_INSTANCE: 'd1',
        OCF_RESOURCE_TYPE: 'Dummy',
        OCF_RESOURCE_PROVIDER: 'heartbeat',
        HA_RSCTMP: '/rsctmp',
        OCF_EXIT_REASON_PREFIX: 'ocf-exit-reason:',
        OCF_RESKEY_state: '/tmp/s',
        OCF_RESKEY_fake: 'x',
        OCF_RESKEY_CRM_meta_clone_max: '2',
        OCF_RESKEY_CRM_meta_notify: 'true',
        OCF_RESKEY_CRM_meta_notify_type: 'pre',
        OCF_RESKEY_CRM_meta_timeout: '20000',
        OCF_RESKEY_CRM_meta_interval: '10000',
        OCF_CHECK_LEVEL: '10',
      },
    });
  });

  it('marks a probe with CRM_meta_interval=0 and finds configured providers outside OCF_ROOT', async () => {
    const { runner, processes } = runnerWith([exited(7)]);
    const result = await runner.run(operation({ ...dummy, agent: { standard: 'ocf', provider: 'mine', type: 'Thing' } }, 'monitor'));
    expect(result.rc).toBe(OcfRc.NOT_RUNNING);
    expect(processes.specs[0]?.executable).toBe('/opt/mine/Thing');
    expect(processes.specs[0]?.env['OCF_RESKEY_CRM_meta_interval']).toBe('0');
  });

  it.each<[string, Answer, object]>([
    ['an OCF exit code with its reason', exited(6, '', 'Please set OCF_RESKEY_device'), { rc: OcfRc.ERR_CONFIGURED, status: 'done', exitReason: 'Please set OCF_RESKEY_device' }],
    ['an exit code outside 0-9', exited(42), { rc: OcfRc.ERR_GENERIC, status: 'done', exitReason: 'start of d1 (ocf:heartbeat:Dummy) exited with 42, not an OCF exit code' }],
    ['a timeout', { end: { kind: 'timed-out', reaped: true } }, { rc: OcfRc.ERR_GENERIC, status: 'timeout', exitReason: 'start of d1 (ocf:heartbeat:Dummy) timed out after 20000 ms' }],
    ['a signal', { end: { kind: 'signaled', signal: 'SIGSEGV' } }, { rc: OcfRc.ERR_GENERIC, status: 'error', exitReason: 'start of d1 (ocf:heartbeat:Dummy) was killed by SIGSEGV' }],
    ['a missing agent', { end: { kind: 'spawn-failed', code: 'ENOENT', message: 'spawn ENOENT' } }, { rc: OcfRc.ERR_INSTALLED, status: 'not-installed' }],
    ['an agent that is not executable', { end: { kind: 'spawn-failed', code: 'EACCES', message: 'spawn EACCES' } }, { rc: OcfRc.ERR_PERM, status: 'error' }],
  ])('maps %s', async (_name, answer, expected) => {
    const { runner } = runnerWith([answer]);
    expect(await runner.run(operation(dummy, 'start'))).toMatchObject(expected);
  });

  it('refuses parameter names no shell could read, and agent names that leave their directory, without running anything', async () => {
    const { runner, processes } = runnerWith([]);
    expect(await runner.run(operation({ ...dummy, params: { 'bad-name': '1' } }, 'start'))).toMatchObject({ rc: OcfRc.ERR_CONFIGURED, status: 'error', exitReason: expect.stringContaining('"bad-name"') as unknown });
    expect(await runner.run(operation({ ...dummy, agent: { standard: 'ocf', provider: 'heartbeat', type: '../x' } }, 'start'))).toMatchObject({ rc: OcfRc.ERR_CONFIGURED });
    expect(processes.specs).toEqual([]);
  });

  it('reads and caches meta-data, and refuses a resource missing a required parameter', async () => {
    const xml = '<resource-agent name="T"><parameters><parameter name="ip" required="1"><content type="string"/></parameter></parameters><actions/></resource-agent>';
    const { runner, processes } = runnerWith([exited(0, xml)]);
    const agent = { standard: 'ocf', provider: 'heartbeat', type: 'T' } as const;
    const refused = await runner.checkResource({ agent, params: {} });
    expect(refused).toEqual({ ok: false, error: [{ parameter: 'ip', severity: 'error', message: 'parameter "ip" is required by ocf:heartbeat:T' }] });
    expect(await runner.checkResource({ agent, params: { ip: '10.0.0.1' } })).toEqual({ ok: true, value: [] });
    expect(processes.specs.map((s) => s.args)).toEqual([['meta-data']]);
  });
});

describe('ocfEnvironment', () => {
  it('lets operation meta override resource meta and always sets timeout and interval last', () => {
    const env = ocfEnvironment(operation({ ...dummy, meta: { timeout: 'x', 'globally-unique': 'false' } }, 'stop', { meta: { 'globally-unique': 'true' } }), DEFAULT_AGENT_DIRECTORIES);
    expect(env.ok && env.value['OCF_RESKEY_CRM_meta_globally_unique']).toBe('true');
    expect(env.ok && env.value['OCF_RESKEY_CRM_meta_timeout']).toBe('20000');
  });

  it('names the node in CRM_meta_on_node only when the runner knows it', () => {
    const named = ocfEnvironment(operation(dummy, 'start'), { ...DEFAULT_AGENT_DIRECTORIES, nodeName: 'node2' });
    expect(named.ok && named.value['OCF_RESKEY_CRM_meta_on_node']).toBe('node2');
    const anonymous = ocfEnvironment(operation(dummy, 'start'), DEFAULT_AGENT_DIRECTORIES);
    expect(anonymous.ok && 'OCF_RESKEY_CRM_meta_on_node' in anonymous.value).toBe(false);
  });
});

describe('lsb class', () => {
  const lsb: ResourceDefinition = { id: 'web', agent: { standard: 'lsb', type: 'nginx' }, params: {} };

  it.each([
    [0, OcfRc.SUCCESS],
    [1, OcfRc.ERR_GENERIC],
    [2, OcfRc.ERR_GENERIC],
    [3, OcfRc.NOT_RUNNING],
    [4, OcfRc.ERR_GENERIC],
    [150, OcfRc.ERR_INSTALLED],
    [151, OcfRc.ERR_PERM],
    [99, OcfRc.ERR_GENERIC],
  ])('maps status %i to %i', (code, rc) => {
    expect(lsbStatusToOcf(code).rc).toBe(rc);
  });

  it('monitors with `status` and explains a crash', async () => {
    const { runner, processes } = runnerWith([exited(1)]);
    expect(await runner.run(operation(lsb, 'monitor'))).toMatchObject({ rc: OcfRc.ERR_GENERIC, status: 'done', exitReason: 'LSB status 1: the program is dead and its pid file exists' });
    expect(processes.specs[0]).toMatchObject({ executable: '/init/nginx', args: ['status'], env: { PATH: '/bin', LC_ALL: 'C' } });
  });

  it('accepts a failed start when status says it runs, and a failed stop when status says it is stopped', async () => {
    const start = runnerWith([exited(1), exited(0)]);
    const started = await start.runner.run(operation(lsb, 'start'));
    expect(started).toMatchObject({ rc: OcfRc.SUCCESS, status: 'done', execTimeMs: 14 });
    expect(started.exitReason).toBeUndefined();
    expect(start.processes.specs.map((s) => s.args[0])).toEqual(['start', 'status']);
    const stop = runnerWith([exited(1), exited(3)]);
    expect(await stop.runner.run(operation(lsb, 'stop'))).toMatchObject({ rc: OcfRc.SUCCESS });
  });

  it('keeps the failure when status does not confirm the goal', async () => {
    const { runner } = runnerWith([exited(6), exited(3)]);
    expect(await runner.run(operation(lsb, 'start'))).toMatchObject({ rc: OcfRc.ERR_CONFIGURED, status: 'done' });
  });

  it('cannot promote', async () => {
    const { runner, processes } = runnerWith([]);
    expect(await runner.run(operation(lsb, 'promote'))).toMatchObject({ rc: OcfRc.ERR_UNIMPLEMENTED, status: 'not-supported' });
    expect(processes.specs).toEqual([]);
  });
});

describe('heartbeat class', () => {
  const hb: ResourceDefinition = { id: 'vip', agent: { standard: 'heartbeat', type: 'IPaddr2' }, params: { '2': 'eth0', '1': '10.0.0.10/24' } };

  it.each([
    ['INFO:  Running OK', OcfRc.SUCCESS],
    ['IPaddr2 is running', OcfRc.SUCCESS],
    ['OK', OcfRc.SUCCESS],
    ['INFO:  Resource is stopped', OcfRc.NOT_RUNNING],
    ['Resource is NOT running', OcfRc.NOT_RUNNING],
    ['not currently\nRunning', OcfRc.NOT_RUNNING],
    ['not\nRunning: no blank after "not", so the running rule applies', OcfRc.SUCCESS],
    ['ok', OcfRc.NOT_RUNNING],
    ['', OcfRc.NOT_RUNNING],
  ])('judges status output %j', (text, rc) => {
    expect(judgeHeartbeatStatus(text)).toBe(rc);
  });

  it('passes parameters 1..N as arguments before the action, and judges status by its text, not its exit code', async () => {
    const { runner, processes } = runnerWith([exited(0, 'INFO: Resource is stopped\n')]);
    expect(await runner.run(operation(hb, 'monitor'))).toMatchObject({ rc: OcfRc.NOT_RUNNING, status: 'done' });
    expect(processes.specs[0]).toMatchObject({ executable: '/hb/IPaddr2', args: ['10.0.0.10/24', 'eth0', 'status'] });
  });

  it('refuses parameters that are not positional', async () => {
    const { runner } = runnerWith([]);
    expect(await runner.run(operation({ ...hb, params: { '1': 'a', '3': 'c' } }, 'start'))).toMatchObject({ rc: OcfRc.ERR_CONFIGURED, exitReason: expect.stringContaining('"3"') as unknown });
  });

  it('accepts a stop that failed on a stopped resource', async () => {
    const { runner } = runnerWith([exited(1), exited(0, 'not running')]);
    expect(await runner.run(operation(hb, 'stop'))).toMatchObject({ rc: OcfRc.SUCCESS });
  });
});

describe('systemd class', () => {
  const unit: ResourceDefinition = { id: 'ntp', agent: { standard: 'systemd', type: 'chronyd' }, params: {} };

  it('names units as systemd does', () => {
    expect(systemdUnitName('chronyd')).toBe('chronyd.service');
    expect(systemdUnitName('var-lib.mount')).toBe('var-lib.mount');
    expect(systemdUnitName('getty@tty1')).toBe('getty@tty1.service');
  });

  it.each([
    ['active', OcfRc.SUCCESS],
    ['reloading', OcfRc.SUCCESS],
    ['deactivating', OcfRc.SUCCESS],
    ['inactive', OcfRc.NOT_RUNNING],
    ['failed', OcfRc.NOT_RUNNING],
    ['unknown', OcfRc.ERR_GENERIC],
  ])('maps is-active %s', (state, rc) => {
    expect(systemdStateToOcf(state).rc).toBe(rc);
  });

  it('starts with systemctl start and confirms with is-active', async () => {
    const { runner, processes } = runnerWith([exited(0), exited(0, 'active\n')]);
    expect(await runner.run(operation(unit, 'start'))).toMatchObject({ rc: OcfRc.SUCCESS, status: 'done' });
    expect(processes.specs.map((s) => [s.executable, ...s.args])).toEqual([
      ['/bin/systemctl', '--no-ask-password', 'start', 'chronyd.service'],
      ['/bin/systemctl', '--no-ask-password', 'is-active', 'chronyd.service'],
    ]);
  });

  it('fails a start whose unit is not active afterwards, and reports an unknown unit as not installed', async () => {
    const crashed = runnerWith([exited(0), exited(3, 'failed\n')]);
    expect(await crashed.runner.run(operation(unit, 'start'))).toMatchObject({ rc: OcfRc.ERR_GENERIC, exitReason: 'unit chronyd.service is not active after start (the unit is in the failed state)' });
    const unknown = runnerWith([exited(5)]);
    expect(await unknown.runner.run(operation(unit, 'start'))).toMatchObject({ rc: OcfRc.ERR_INSTALLED, status: 'not-installed' });
  });

  it('treats stopping an unknown unit as stopped', async () => {
    const { runner } = runnerWith([exited(5)]);
    expect(await runner.run(operation(unit, 'stop'))).toMatchObject({ rc: OcfRc.SUCCESS });
  });
});
