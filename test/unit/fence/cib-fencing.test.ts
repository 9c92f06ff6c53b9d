// Goal: the CIB's fence devices and levels as the fencer takes them, and the check a `resource
// create` of a stonith resource passes. Method: CIB XML through the real importer into cibFencing
// and mergeFencing (pure), the admin builder of `heartline resource create` into
// checkChangeAgainstAgents with an inspector that answers fence agents' meta-data from XML, and the
// LRM side of stonith resources (FenceDeviceAgentRunner) over a scripted fencing.
import { describe, expect, it } from 'vitest';
import { FenceDeviceAgentRunner } from '../../../src/daemon/fence-device-agent.js';
import { cibFencing, FencePlanner, FenceTopology, mergeFencing, parseFenceAgentMetadata, type DeviceResult, type FenceAgentMetadata } from '../../../src/fence/index.js';
import { buildResourceCreate } from '../../../src/ha/admin/index.js';
import { checkChangeAgainstAgents, type AgentInspector } from '../../../src/ha/agents/index.js';
import { emptyCib, importCibXml, type Configuration } from '../../../src/ha/cib/index.js';
import type { AgentOperation, AgentRunner, OperationResult } from '../../../src/ha/lrm/index.js';
import { err, ok, type Millis } from '../../../src/lib/index.js';
import { SystemClock } from '../../../src/platform/index.js';

function configurationOf(resources: string, extra = ''): Configuration {
  const xml = `<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.0"><configuration>
    <crm_config/>
    <nodes>
      <node id="1" uname="node-a"><instance_attributes id="na"><nvpair id="na-rack" name="rack" value="r1"/></instance_attributes></node>
      <node id="2" uname="node-b"><instance_attributes id="nb"><nvpair id="nb-rack" name="rack" value="r2"/></instance_attributes></node>
    </nodes>
    <resources>${resources}</resources><constraints/>${extra}</configuration><status/></cib>`;
  const imported = importCibXml(xml);
  if (!imported.ok) throw new Error(JSON.stringify(imported.error));
  return imported.value.cib.configuration;
}

function stonith(id: string, type: string, params: Record<string, string>, meta: Record<string, string> = {}): string {
  const pairs = Object.entries(params).map(([name, value]) => `<nvpair id="${id}-${name}" name="${name}" value="${value}"/>`).join('');
  const metaPairs = Object.entries(meta).map(([name, value]) => `<nvpair id="${id}-m-${name}" name="${name}" value="${value}"/>`).join('');
  return `<primitive id="${id}" class="stonith" type="${type}"><instance_attributes id="${id}-ia">${pairs}</instance_attributes>${metaPairs === '' ? '' : `<meta_attributes id="${id}-ma">${metaPairs}</meta_attributes>`}</primitive>`;
}

const NODES = ['node-a', 'node-b'];

describe('cibFencing: stonith primitives as devices', () => {
  it('maps pcmk_host_map and pcmk_host_list to plugs, keeps pcmk_* away from the agent, reads time limits and delays', () => {
    const configuration = configurationOf(
      stonith('pdu', 'fence_apc_snmp', { ip: '10.0.0.5', community: 'private', pcmk_host_map: 'node-a:1;node-b=2', pcmk_off_timeout: '30s', pcmk_off_retries: '3', pcmk_delay_base: 'node-a:5s', pcmk_action_limit: '2' }) +
        stonith('bmc-a', 'fence_ipmilan', { ip: '10.0.0.11', username: 'admin', password: 'secret-a', lanplus: '1', pcmk_host_list: 'node-a' }),
    );
    const mapped = cibFencing(configuration, NODES);
    expect(mapped.problems).toEqual([]);
    expect(mapped.notes).toEqual(["resource 'pdu': pcmk_action_limit is not used by Heartline's fencer (ignored)"]);
    expect(mapped.devices).toEqual([
      { id: 'pdu', agent: 'fence_apc_snmp', parameters: { ip: '10.0.0.5', community: 'private' }, hosts: { check: 'static-list', ports: { 'node-a': '1', 'node-b': '2' } }, passPort: true, actionTimeoutMs: 30_000, retries: 3, delayBaseMs: { 'node-a': 5000 } },
      { id: 'bmc-a', agent: 'fence_ipmilan', parameters: { ip: '10.0.0.11', username: 'admin', password: 'secret-a', lanplus: '1' }, hosts: { check: 'static-list', ports: { 'node-a': 'node-a' } }, passPort: true },
    ]);
    expect(mapped.levels).toEqual([]);
  });

  it('defaults to dynamic-list without a list or map, honours none, refuses status, and never names a value', () => {
    const configuration = configurationOf(
      stonith('pdu', 'fence_apc_snmp', { ip: '10.0.0.5', password: 'hunter2' }) +
        stonith('any', 'fence_dummy', { pcmk_host_check: 'none', pcmk_host_argument: 'none' }) +
        stonith('asks', 'fence_ipmilan', { password: 'hunter2', pcmk_host_check: 'status' }) +
        stonith('odd', 'fence_ipmilan', { pcmk_host_map: 'node-a', pcmk_delay_base: 'soon' }),
    );
    const mapped = cibFencing(configuration, NODES);
    expect(mapped.devices.map((device) => [device.id, device.hosts, device.passPort])).toEqual([
      ['pdu', { check: 'dynamic-list' }, true],
      ['any', { check: 'none' }, false],
    ]);
    expect(mapped.problems).toEqual([
      "resource 'asks': pcmk_host_check=status is not supported (a BMC answers status for any node): set pcmk_host_list or pcmk_host_map",
      "resource 'odd': pcmk_host_map entry 'node-a' is not NODE:PLUG (write e.g. node-a:1;node-b:2)",
      "resource 'odd': pcmk_host_check is static-list but pcmk_host_list and pcmk_host_map name no node",
      "resource 'odd': pcmk_delay_base 'soon' is neither a duration nor NODE:DURATION;... (write e.g. 5s or node-a:5s;node-b:0s)",
    ]);
    expect(JSON.stringify(mapped.problems)).not.toContain('hunter2');
  });

  it('leaves out a disabled device and a type that is not a fence agent', () => {
    const configuration = configurationOf(stonith('off', 'fence_ipmilan', { pcmk_host_list: 'node-a' }, { 'target-role': 'Stopped' }) + stonith('old', 'external/ipmi', {}));
    const mapped = cibFencing(configuration, NODES);
    expect(mapped.devices).toEqual([]);
    expect(mapped.notes).toEqual(["resource 'off': target-role is Stopped: the device is not used for fencing"]);
    expect(mapped.problems).toEqual(["resource 'old': stonith:external/ipmi is not a fence agent Heartline runs: name a fence-agents program (stonith:fence_ipmilan, stonith:fence_apc_snmp, ...)"]);
  });

  it('resolves fencing levels per node (name, pattern, attribute) with each device plug, and names what cannot be used', () => {
    const configuration = configurationOf(
      stonith('bmc-a', 'fence_ipmilan', { pcmk_host_list: 'node-a' }) + stonith('bmc-b', 'fence_ipmilan', { pcmk_host_list: 'node-b' }) + stonith('pdu', 'fence_apc_snmp', { pcmk_host_map: 'node-a:1;node-b:2' }),
      `<fencing-topology>
        <fencing-level id="l1a" target="node-a" index="1" devices="bmc-a"/>
        <fencing-level id="l2" target-pattern="^node-" index="2" devices="pdu"/>
        <fencing-level id="l1r2" target-attribute="rack" target-value="r2" index="1" devices="bmc-b"/>
        <fencing-level id="bad" target="node-b" index="3" devices="bmc-a"/>
        <fencing-level id="gone" target="node-b" index="4" devices="nope"/>
      </fencing-topology>`,
    );
    const mapped = cibFencing(configuration, NODES);
    expect(mapped.levels).toEqual([
      { index: 1, target: { kind: 'node', node: 'node-a' }, devices: [{ device: 'bmc-a', port: 'node-a' }] },
      { index: 2, target: { kind: 'node', node: 'node-a' }, devices: [{ device: 'pdu', port: '1' }] },
      { index: 2, target: { kind: 'node', node: 'node-b' }, devices: [{ device: 'pdu', port: '2' }] },
      { index: 1, target: { kind: 'node', node: 'node-b' }, devices: [{ device: 'bmc-b', port: 'node-b' }] },
    ]);
    expect(mapped.problems).toEqual([
      "fencing-level 'bad': device 'bmc-a' cannot fence node-b (it is not in its pcmk_host_list or pcmk_host_map)",
      "fencing-level 'bad': not used for node-b, since one of its devices cannot be used",
      "fencing-level 'gone': devices names 'nope', which is not a stonith resource of the CIB",
    ]);
    const topology = FenceTopology.create(mapped.levels);
    if (!topology.ok) throw new Error(topology.error.join('; '));
    expect(topology.value.levelsFor('node-b').map((level) => level.devices.map((device) => device.device))).toEqual([['bmc-b'], ['pdu']]);
  });

  it('reads priority-fencing-delay from the cluster properties', () => {
    expect(cibFencing(importCluster('5s'), NODES).priorityDelayMs).toBe(5000);
    expect(cibFencing(importCluster('later'), NODES).problems).toEqual(["cluster property priority-fencing-delay 'later' is not a duration (ignored)"]);
  });
});

function importCluster(priorityDelay: string): Configuration {
  const imported = importCibXml(`<cib admin_epoch="0" epoch="1" num_updates="0"><configuration><crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="priority-fencing-delay" value="${priorityDelay}"/></cluster_property_set></crm_config><nodes/><resources/><constraints/></configuration><status/></cib>`);
  if (!imported.ok) throw new Error(JSON.stringify(imported.error));
  return imported.value.cib.configuration;
}

describe('mergeFencing: a profile beside the CIB', () => {
  const base = {
    deviceNames: ['bmc-a', 'bmc-b'],
    levels: [
      { index: 1, target: { kind: 'node' as const, node: 'node-a' }, devices: [{ device: 'bmc-a' }] },
      { index: 1, target: { kind: 'node' as const, node: 'node-b' }, devices: [{ device: 'bmc-b' }] },
    ],
    staticDelayMs: { 'node-a': 1000 as Millis },
  };

  it('gives a node the CIB levels that name it, the profile levels otherwise, the capable CIB devices as the fallback', () => {
    const configuration = configurationOf(stonith('pdu', 'fence_apc_snmp', { pcmk_host_map: 'node-a:1;node-b:2;node-c:3', pcmk_delay_base: '3s' }) + stonith('bmc-a', 'fence_ipmilan', { pcmk_host_list: 'node-a' }), `<fencing-topology><fencing-level id="l" target="node-b" index="1" devices="pdu"/></fencing-topology>`);
    const cib = cibFencing(configuration, [...NODES, 'node-c']);
    const merged = mergeFencing(base, cib, new Set(['pdu', 'bmc-a']), [...NODES, 'node-c']);
    expect(merged.problems).toEqual(["resource 'bmc-a': the hardware profile has a fence device of the same name; rename the resource (the profile's device is used)"]);
    expect(merged.levels).toEqual([{ index: 1, target: { kind: 'node', node: 'node-b' }, devices: [{ device: 'pdu', port: '2' }] }, base.levels[0]]);
    expect(merged.capableDevices['node-c']).toEqual([{ device: 'pdu', port: '3' }]);
    expect(merged.staticDelayMs).toEqual({ 'node-a': 3000, 'node-b': 3000, 'node-c': 3000 });
  });

  it('leaves out CIB levels whose device could not be built', () => {
    const configuration = configurationOf(stonith('pdu', 'fence_apc_snmp', { pcmk_host_map: 'node-a:1;node-b:2' }), `<fencing-topology><fencing-level id="l" target="node-b" index="1" devices="pdu"/></fencing-topology>`);
    const merged = mergeFencing(base, cibFencing(configuration, NODES), new Set(), NODES);
    expect(merged.levels).toEqual(base.levels);
    expect(merged.problems).toEqual(["fencing level 1 of node-b: not used, device 'pdu' cannot be used"]);
  });
});

describe('FencePlanner reconfigure', () => {
  it('uses the new devices for requests that begin after it', () => {
    const planner = new FencePlanner({ self: 'node-a', topology: FenceTopology.empty() });
    const before = planner.step(0 as Millis, { kind: 'request', request: { id: '1', target: 'node-b', action: 'off', reason: 'test', requester: 'node-a' } });
    expect(before).toMatchObject([{ kind: 'request-done', outcome: { ok: false } }]);
    planner.step(1 as Millis, { kind: 'reconfigure', config: { topology: FenceTopology.empty(), capableDevices: { 'node-b': [{ device: 'pdu', port: '2' }] } } });
    const after = planner.step(2 as Millis, { kind: 'request', request: { id: '2', target: 'node-b', action: 'off', reason: 'test', requester: 'node-a' } });
    expect(after).toMatchObject([{ kind: 'run-device', device: 'pdu', port: '2', action: 'off' }]);
  });
});

/** The meta-data of a made-up agent with one required parameter, as fence-agents writes it. */
const FAKE_METADATA = `<?xml version="1.0" ?>
<resource-agent name="fence_fake" shortdesc="Fence agent for tests">
<parameters>
  <parameter name="action" unique="0" required="1"><getopt mixed="-o, --action=[action]" /><content type="string" default="reboot" /><shortdesc lang="en">Fencing action</shortdesc></parameter>
  <parameter name="ip" unique="0" required="1" obsoletes="ipaddr"><content type="string" /><shortdesc lang="en">IP address or hostname of fencing device</shortdesc></parameter>
  <parameter name="ipaddr" unique="0" required="1" deprecated="1"><content type="string" /><shortdesc lang="en">IP address or hostname of fencing device</shortdesc></parameter>
  <parameter name="password" unique="0" required="0" obsoletes="passwd"><content type="string" /><shortdesc lang="en">Login password or passphrase</shortdesc></parameter>
  <parameter name="passwd" unique="0" required="0" deprecated="1"><content type="string" /><shortdesc lang="en">Login password or passphrase</shortdesc></parameter>
  <parameter name="plug" unique="0" required="0" obsoletes="port"><content type="string" /><shortdesc lang="en">Physical plug number</shortdesc></parameter>
</parameters>
<actions><action name="on" /><action name="off" /><action name="status" /><action name="list" /><action name="monitor" /><action name="metadata" /></actions>
</resource-agent>`;

describe('checkChangeAgainstAgents: stonith resources', () => {
  const parsed = parseFenceAgentMetadata(FAKE_METADATA);
  if (!parsed.ok) throw new Error(parsed.error);
  const metadata: FenceAgentMetadata = parsed.value;
  const inspector: AgentInspector = {
    locate: () => Promise.resolve(err('not asked')),
    metadata: () => Promise.resolve(err('not asked')),
    fenceAgentMetadata: (agent) => Promise.resolve(agent === 'fence_fake' ? ok(metadata) : err(`fence agent /usr/sbin/${agent} is not installed (Debian package fence-agents)`)),
  };
  const empty = emptyCib();
  if (!empty.ok) throw new Error(empty.error);
  const cib = empty.value;
  const check = async (agent: string, params: string[]) => {
    const change = buildResourceCreate({ id: 'fence-a', agent, params, meta: [], ops: [] }, cib.configuration);
    if (!change.ok) throw new Error(change.error.message);
    return checkChangeAgainstAgents(change.value, cib, inspector);
  };

  it('accepts a device whose parameters suit its agent (old names count)', async () => {
    expect(await check('stonith:fence_fake', ['ip=10.0.0.9', 'password=x', 'pcmk_host_list=node-a'])).toEqual({ ok: true, value: undefined });
    expect(await check('stonith:fence_fake', ['ipaddr=10.0.0.9', 'passwd=x', 'pcmk_host_map=node-a:1'])).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ['stonith:fence_nothere', ['ip=1'], "resource 'fence-a': fence agent /usr/sbin/fence_nothere is not installed (Debian package fence-agents)"],
    ['stonith:fence_fake', ['password=x'], "resource 'fence-a': parameter 'ip' (IP address or hostname of fencing device) is required by fence_fake"],
    ['stonith:fence_fake', ['ip=1', 'pasword=x'], "resource 'fence-a': fence_fake has no parameter 'pasword'"],
    ['stonith:fence_fake', ['ip=1', 'pcmk_host_check=status'], "resource 'fence-a': pcmk_host_check=status is not supported (a BMC answers status for any node): set pcmk_host_list or pcmk_host_map"],
  ])('refuses %s with %j, naming the field', async (agent, params, message) => {
    expect(await check(agent, params)).toEqual({ ok: false, error: message });
  });

  it('refuses a stonith type that is not a fence agent before anything is asked', () => {
    const change = buildResourceCreate({ id: 'fence-a', agent: 'stonith:external/ipmi', params: [], meta: [], ops: [] }, cib.configuration);
    expect(change).toMatchObject({ ok: false, error: { message: expect.stringMatching(/is not a fence-agents program/) as unknown } });
  });
});

describe('FenceDeviceAgentRunner: stonith resources in the LRM', () => {
  const clock = new SystemClock();
  const results: Record<string, DeviceResult | undefined> = { good: { ok: true, action: 'monitor', attempts: 1, elapsedMs: 1 }, bad: { ok: false, action: 'monitor', code: 'auth', reason: 'wrong password', attempts: 1, elapsedMs: 1 } };
  const next: AgentRunner = { run: () => Promise.resolve({ rc: 0, status: 'done', execTimeMs: 0 as Millis, stdout: 'ocf', stderr: '' }) };
  const runner = new FenceDeviceAgentRunner(next, { monitorDevice: (id) => Promise.resolve(results[id]), cibProblems: () => ["resource 'broken': fence_x has no parameter 'y'"] }, clock);
  const op = (id: string, action: AgentOperation['action'], standard: 'stonith' | 'ocf' = 'stonith'): AgentOperation => ({
    resource: { id, agent: standard === 'ocf' ? { standard, provider: 'heartbeat', type: 'Dummy' } : { standard, type: 'fence_x' }, params: {} },
    action,
    intervalMs: 0 as Millis,
    timeoutMs: 20_000 as Millis,
  });
  const rcOf = async (operation: AgentOperation): Promise<Pick<OperationResult, 'rc' | 'exitReason'>> => {
    const { rc, exitReason } = await runner.run(operation);
    return exitReason === undefined ? { rc } : { rc, exitReason };
  };

  it('probes as stopped, starts through the device monitor, monitors, stops', async () => {
    expect(await rcOf(op('good', 'monitor'))).toEqual({ rc: 7 });
    expect(await rcOf(op('good', 'start'))).toEqual({ rc: 0 });
    expect(await rcOf(op('good', 'monitor'))).toEqual({ rc: 0 });
    expect(await rcOf(op('good', 'stop'))).toEqual({ rc: 0 });
    expect(await rcOf(op('good', 'monitor'))).toEqual({ rc: 7 });
  });

  it('fails the start of a device that does not answer or is not usable, with the reason', async () => {
    expect(await rcOf(op('bad', 'start'))).toEqual({ rc: 1, exitReason: 'fence device bad: wrong password' });
    expect(await rcOf(op('broken', 'start'))).toEqual({ rc: 6, exitReason: "resource 'broken': fence_x has no parameter 'y'" });
    expect((await runner.run(op('r', 'start', 'ocf'))).stdout).toBe('ocf');
  });
});
