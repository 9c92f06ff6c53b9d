// Goal: the CIB's `stonith:fence_ipmilan` resources are the devices the fencer uses. A CIB with
// two fence_ipmilan primitives (one per node's BMC, pcmk_host_list naming the node) and a
// fencing-topology level becomes ProfileFencing's devices (no hardware profile); a fence of node-a
// goes through fence_ipmilan to a's simulated BMC (its power-off hook kills a's processes) and is
// recorded; a CIB change that removes the device takes it away, one that gives a wrong password
// makes its monitor fail; the stonith resource's start and monitor (the LRM side) run
// the device's monitor. Neither the passwords nor anything but names reach an agent's argument
// list or a log line. The `resource create` check reads fence_virsh's and fence_ipmilan's real
// meta-data. Method: OpenIPMI's ipmi_sim on loopback (src/testbed), Debian's fence_ipmilan run by
// the production ToolRunner wrapped to record every invocation, a logger that records every line.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FenceDeviceAgentRunner } from '../../../src/daemon/fence-device-agent.js';
import { createProfileFencing, type ProfileFencing } from '../../../src/fence/profile-fencing.js';
import { FenceHistory, readFenceAgentMetadata, type ToolInvocation, type ToolRunner } from '../../../src/fence/index.js';
import { buildResourceCreate } from '../../../src/ha/admin/index.js';
import { checkChangeAgainstAgents, type AgentInspector } from '../../../src/ha/agents/index.js';
import { emptyCib, importCibXml, type Configuration } from '../../../src/ha/cib/index.js';
import { err, type LogContext, type Logger, type Millis } from '../../../src/lib/index.js';
import { SystemClock } from '../../../src/platform/index.js';
import { IpmiSimulator } from '../../../src/testbed/ipmi-simulator.js';
import { eventually } from '../harness/eventually.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { fakeNode, runner, type FakeNode } from './fence-kit.js';

const PASSWORDS = { a: 'cib-bmc-a-Secret1', b: 'cib-bmc-b-Secret2' };

function recordingLogger(lines: string[]): Logger {
  const write = (level: string) => (message: string, context?: LogContext) => lines.push(`${level} ${message} ${JSON.stringify(context ?? {})}`);
  const logger: Logger = { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: () => logger };
  return logger;
}

describeWithPrerequisites('CIB stonith resources (fence_ipmilan) as the fencer devices, against ipmi_sim', ['setpriv', 'ss', 'ipmi_sim', 'ipmitool', 'fence-agents'], () => {
  let bmcA: IpmiSimulator;
  let bmcB: IpmiSimulator;
  let nodeA: FakeNode;
  let dir: string;
  let fencing: ProfileFencing;
  const invocations: ToolInvocation[] = [];
  const logLines: string[] = [];
  const recording: ToolRunner = {
    run: (invocation) => {
      invocations.push(invocation);
      return runner.run(invocation);
    },
  };

  function configuration(options: { readonly withA?: boolean; readonly passwordA?: string } = {}): Configuration {
    const device = (id: string, bmc: IpmiSimulator, password: string, node: string) => `
      <primitive id="${id}" class="stonith" type="fence_ipmilan">
        <instance_attributes id="${id}-ia">
          <nvpair id="${id}-ip" name="ip" value="${bmc.address}"/>
          <nvpair id="${id}-ipport" name="ipport" value="${bmc.port}"/>
          <nvpair id="${id}-username" name="username" value="admin"/>
          <nvpair id="${id}-password" name="password" value="${password}"/>
          <nvpair id="${id}-lanplus" name="lanplus" value="1"/>
          <nvpair id="${id}-cipher" name="cipher" value="3"/>
          <nvpair id="${id}-power_wait" name="power_wait" value="0"/>
          <nvpair id="${id}-hosts" name="pcmk_host_list" value="${node}"/>
          <nvpair id="${id}-timeout" name="pcmk_off_timeout" value="20s"/>
        </instance_attributes>
        <operations><op id="${id}-monitor" name="monitor" interval="60s"/></operations>
      </primitive>`;
    const withA = options.withA ?? true;
    const xml = `<cib admin_epoch="0" epoch="3" num_updates="0" validate-with="pacemaker-3.0"><configuration>
      <crm_config/>
      <nodes><node id="1" uname="node-a"/><node id="2" uname="node-b"/></nodes>
      <resources>${withA ? device('fence-a', bmcA, options.passwordA ?? PASSWORDS.a, 'node-a') : ''}${device('fence-b', bmcB, PASSWORDS.b, 'node-b')}</resources>
      <constraints/>
      ${withA ? '<fencing-topology><fencing-level id="fl-a-1" target="node-a" index="1" devices="fence-a"/></fencing-topology>' : ''}
    </configuration><status/></cib>`;
    const imported = importCibXml(xml);
    if (!imported.ok) throw new Error(JSON.stringify(imported.error));
    return imported.value.cib.configuration;
  }

  beforeAll(async () => {
    nodeA = fakeNode();
    bmcA = await IpmiSimulator.start({ name: 'cib-bmc-a', password: PASSWORDS.a, onPowerOff: nodeA.killCommand });
    bmcB = await IpmiSimulator.start({ name: 'cib-bmc-b', password: PASSWORDS.b });
    dir = await mkdtemp(join(tmpdir(), 'heartline-cib-fencing-'));
    const built = await createProfileFencing({
      library: { appliances: new Map(), pduModels: new Map(), bmcModels: new Map() },
      cib: { nodes: ['node-a', 'node-b'], timings: { commandTimeoutMs: 8000, powerTimeoutMs: 5000, statusIntervalMs: 100, retries: 1 } },
      self: 'node-b',
      historyPath: join(dir, 'fence-history.sqlite'),
      clock: new SystemClock(),
      logger: recordingLogger(logLines),
      runner: recording,
    });
    if (!built.ok) throw new Error(built.error.message);
    fencing = built.value;
  });

  afterAll(async () => {
    await fencing?.close();
    nodeA?.child.kill('SIGKILL');
    await bmcA?.stop();
    await bmcB?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('takes the CIB devices: one fence-agent driver per stonith resource, no problems', async () => {
    expect(fencing.deviceNames()).toEqual([]);
    await fencing.applyCib(configuration());
    expect(fencing.cibProblems()).toEqual([]);
    expect([...fencing.deviceNames()].sort()).toEqual(['fence-a', 'fence-b']);
    expect(fencing.cibDevices()?.levels).toEqual([{ index: 1, target: { kind: 'node', node: 'node-a' }, devices: [{ device: 'fence-a', port: 'node-a' }] }]);
  });

  it('fences node-a through fence_ipmilan and its BMC (level 1 of the CIB topology), recorded in the history', async () => {
    const result = await fencing.fence({ target: 'node-a', action: 'off', reason: 'node lost', requester: 'node-b' });
    expect(result).toMatchObject({ ok: true, device: 'fence-a' });
    expect(await bmcA.power()).toBe('off');
    expect(await bmcB.power()).toBe('on');
    await eventually(() => (nodeA.alive() ? undefined : true), { what: "node-a's processes are killed by its BMC's power-off" });
    const history = FenceHistory.openReadOnly(join(dir, 'fence-history.sqlite'));
    if (!history.ok) throw new Error(history.error.message);
    expect(history.value.list({ limit: 5 })[0]).toMatchObject({ target: 'node-a', ok: true, devices: ['fence-a'], requester: 'node-b' });
    history.value.close();
  });

  it('runs the stonith resource start and monitor as the device monitor (the LRM side)', async () => {
    const clock = new SystemClock();
    const lrmSide = new FenceDeviceAgentRunner({ run: () => Promise.reject(new Error('not an OCF agent')) }, fencing, clock);
    const op = (action: 'start' | 'monitor' | 'stop') => ({ resource: { id: 'fence-b', agent: { standard: 'stonith' as const, type: 'fence_ipmilan' }, params: {} }, action, intervalMs: 0 as Millis, timeoutMs: 20_000 as Millis });
    expect((await lrmSide.run(op('monitor'))).rc).toBe(7);
    expect((await lrmSide.run(op('start'))).rc).toBe(0);
    expect((await lrmSide.run(op('monitor'))).rc).toBe(0);
  });

  it('follows CIB changes: a wrong password fails the monitor, a removed device is gone', async () => {
    await bmcA.setPower('on');
    await fencing.applyCib(configuration({ passwordA: 'not-the-password' }));
    // fence_ipmilan words a refused password as "Unable to obtain correct plug status or plug is not available".
    expect(await fencing.monitorDevice('fence-a')).toMatchObject({ ok: false, reason: expect.stringMatching(/Unable to obtain correct plug status/) as unknown });
    await fencing.applyCib(configuration({ withA: false }));
    expect(fencing.deviceNames()).toEqual(['fence-b']);
    expect(await fencing.monitorDevice('fence-a')).toBeUndefined();
    const result = await fencing.fence({ target: 'node-a', action: 'off', reason: 'node lost', requester: 'node-b' });
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/no fence device can reach node-a/) as unknown });
    expect(await bmcA.power()).toBe('on');
  });

  it('never put a password in an argument list or a log line', () => {
    expect(invocations.length).toBeGreaterThan(5);
    expect(invocations.some((invocation) => invocation.file === '/usr/sbin/fence_ipmilan' && (invocation.stdin ?? '').includes(`password=${PASSWORDS.a}`))).toBe(true);
    for (const invocation of invocations) {
      for (const secret of [...Object.values(PASSWORDS), 'not-the-password']) expect(invocation.args.join(' ')).not.toContain(secret);
    }
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) for (const secret of [...Object.values(PASSWORDS), 'not-the-password']) expect(line).not.toContain(secret);
  });

  it('checks `resource create` of a stonith resource against the real agents meta-data, naming the field', async () => {
    const inspector: AgentInspector = { locate: () => Promise.resolve(err('not asked')), metadata: () => Promise.resolve(err('not asked')), fenceAgentMetadata: (agent) => readFenceAgentMetadata(agent, runner) };
    const empty = emptyCib();
    if (!empty.ok) throw new Error(empty.error);
    const check = async (agent: string, params: string[]) => {
      const change = buildResourceCreate({ id: 'fence-x', agent, params, meta: [], ops: [] }, empty.value.configuration);
      if (!change.ok) throw new Error(change.error.message);
      return checkChangeAgainstAgents(change.value, empty.value, inspector);
    };
    expect(await check('stonith:fence_ipmilan', ['ip=10.0.0.9', 'username=admin', 'password=x', 'lanplus=1', 'pcmk_host_list=node-a'])).toEqual({ ok: true, value: undefined });
    expect(await check('stonith:fence_ipmilan', ['ip=10.0.0.9', 'ipp=623', 'pcmk_host_list=node-a'])).toEqual({ ok: false, error: "resource 'fence-x': fence_ipmilan has no parameter 'ipp'" });
    expect(await check('stonith:fence_virsh', ['ip=10.0.0.9', 'pcmk_host_list=node-a'])).toMatchObject({ ok: false, error: expect.stringMatching(/^resource 'fence-x': parameter 'username' .*is required by fence_virsh$/) as unknown });
    expect(await check('stonith:fence_nosuchagent', ['ip=1'])).toEqual({ ok: false, error: "resource 'fence-x': fence agent /usr/sbin/fence_nosuchagent is not installed (Debian package fence-agents)" });
  });
});
