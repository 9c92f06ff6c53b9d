// Goal: the whole device side from a hardware profile: the shipped heartline-testbed appliance
// (BMC per node as level 1, an APC rPDU as level 2) becomes drivers, topology and delays
// (buildApplianceFencing), and a Fencer fences node a through its BMC, falls back to the PDU
// when the BMC does not answer, fails with every attempt listed when both are dead, and merges a
// second request for the same node into the running one. Method: simulators on loopback, the
// profile's addresses pointed at them, secrets from a map, the production clock and runner.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Fencer, type FenceOutcome } from '../../../src/fence/index.js';
import { silentLogger } from '../../../src/lib/index.js';
import { SystemClock } from '../../../src/platform/index.js';
import { buildApplianceFencing, mapSecretSource, type ApplianceFencing } from '../../../src/profiles/index.js';
import { IpmiSimulator } from '../../../src/testbed/ipmi-simulator.js';
import { SnmpPduSimulator } from '../../../src/testbed/snmp-pdu-simulator.js';
import { eventually } from '../harness/eventually.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { fakeNode, runner, type FakeNode, shippedLibrary } from './fence-kit.js';

const SECRETS = { 'bmc-a': 'bmc-a-pass', 'bmc-b': 'bmc-b-pass', 'pdu-community': 'private' };

describeWithPrerequisites('fencing from the heartline-testbed profile: levels, fallback, merged requests', ['setpriv', 'ss', 'ipmi_sim', 'ipmitool', 'snmpd', 'snmpget'], () => {
  let bmcA: IpmiSimulator;
  let bmcB: IpmiSimulator;
  let pdu: SnmpPduSimulator;
  let fencing: ApplianceFencing;
  let fencer: Fencer;
  const outcomes: { target: string; outcome: FenceOutcome }[] = [];
  let nodeA: FakeNode;

  beforeAll(async () => {
    nodeA = fakeNode();
    bmcA = await IpmiSimulator.start({ name: 'tb-bmc-a', password: SECRETS['bmc-a'], onPowerOff: nodeA.killCommand });
    bmcB = await IpmiSimulator.start({ name: 'tb-bmc-b', password: SECRETS['bmc-b'] });
    pdu = await SnmpPduSimulator.start({ name: 'tb-pdu', model: 'apc-rpdu', outlets: 4 });
    const library = await shippedLibrary();
    const appliance = library.appliances.get('heartline-testbed')?.profile;
    if (appliance === undefined) throw new Error('heartline-testbed profile missing');
    const built = await buildApplianceFencing(appliance, library, {
      secrets: mapSecretSource(SECRETS),
      runner,
      addressOverrides: { 'bmc-a': { port: bmcA.port }, 'bmc-b': { port: bmcB.port }, pdu: { port: pdu.port } },
    });
    if (!built.ok) throw new Error(built.error.join('; '));
    fencing = built.value;
    fencer = new Fencer({ self: 'b', topology: fencing.topology, drivers: fencing.drivers, staticDelayMs: fencing.staticDelayMs, ...(fencing.priorityDelayMs === undefined ? {} : { priorityDelayMs: fencing.priorityDelayMs }), clock: new SystemClock(), logger: silentLogger, onOutcome: (request, outcome) => outcomes.push({ target: request.target, outcome }) });
  });
  afterAll(async () => {
    fencer?.close();
    nodeA?.child.kill('SIGKILL');
    await bmcA?.stop();
    await bmcB?.stop();
    await pdu?.stop();
  });

  it('builds one driver per device and two levels per node from the profile', () => {
    expect([...fencing.drivers.keys()].sort()).toEqual(['bmc-a', 'bmc-b', 'pdu']);
    expect(fencing.topology.levelsFor('a')).toEqual([
      { index: 1, devices: [{ device: 'bmc-a' }] },
      { index: 2, devices: [{ device: 'pdu', port: '1' }] },
    ]);
    expect(fencing.priorityDelayMs).toBe(2000);
  });

  it('fences a through its BMC (level 1); a second request for a joins the first', async () => {
    const [first, second] = await Promise.all([
      fencer.fence({ target: 'a', action: 'off', reason: 'node lost', requester: 'b' }),
      fencer.fence({ target: 'a', action: 'off', reason: 'node lost again', requester: 'c' }),
    ]);
    expect(first).toMatchObject({ ok: true, level: 1, devices: ['bmc-a'] });
    expect(second).toEqual(first);
    expect(await bmcA.power()).toBe('off');
    expect(await pdu.outletPower(1)).not.toBe('off');
    await eventually(() => (nodeA.alive() ? undefined : true), { what: "a's processes are killed by its BMC's power-off hook" });
  });

  it('falls back to the PDU (level 2) when the BMC does not answer', async () => {
    await bmcA.setPower('on');
    bmcA.signal('SIGSTOP');
    try {
      const outcome = await fencer.fence({ target: 'a', action: 'off', reason: 'node lost', requester: 'b' });
      expect(outcome).toMatchObject({ ok: true, level: 2, devices: ['pdu'] });
      // A frozen BMC: ipmitool gives up (unreachable) or is killed at the command time limit (timeout).
      if (outcome.ok) expect(outcome.attempts.map((a) => `${a.level} ${a.device} ${a.action} ${a.ok ? 'ok' : a.code ?? ''}`).join(', ')).toMatch(/^1 bmc-a off (unreachable|timeout), 2 pdu off ok$/);
      expect(await pdu.outletPower(1)).toBe('off');
    } finally {
      bmcA.signal('SIGCONT');
    }
  });

  it('fails with every attempt listed when no level works, and the outcome says so', async () => {
    await pdu.setOutlets({ '1': { name: 'outlet1', on: true }, '2': { name: 'outlet2', on: true } });
    bmcA.signal('SIGSTOP');
    pdu.signal('SIGSTOP');
    try {
      const outcome = await fencer.fence({ target: 'a', action: 'reboot', reason: 'stop failed', requester: 'b' });
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) {
        expect(outcome.poweredOff).toBe(false);
        expect(outcome.reason).toMatch(/^every fence level for a failed: level 1 bmc-a reboot: bmc-a: .*(no IPMI session|did not finish).*; level 2 pdu:1 reboot: pdu: .*no answer from/);
      }
    } finally {
      bmcA.signal('SIGCONT');
      pdu.signal('SIGCONT');
    }
    expect(outcomes.map((o) => o.outcome.ok)).toEqual([true, true, true, false]);
  });

  it('refuses to fence itself through a power device', async () => {
    const outcome = await fencer.fence({ target: 'b', action: 'off', reason: 'test', requester: 'b' });
    expect(outcome).toMatchObject({ ok: false, poweredOff: false });
    expect(await bmcB.power()).toBe('on');
  });
});
