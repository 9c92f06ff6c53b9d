// Goal: the simulators inside a test's network namespaces, as the cluster tests will use them: a
// BMC and a PDU listen on node b's address (10.213.x.2) inside b's namespace, and the ipmi and
// snmp-pdu drivers fence b from node a's namespace over the crossover link; b's address is not
// reachable from the root namespace. Method: NetnsLab (2 nodes, one crossover link), the tools
// run through `ip netns exec`; everything is removed in afterAll.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createIpmiDriver, createSnmpPduDriver } from '../../../src/fence/index.js';
import { IpmiSimulator } from '../../../src/testbed/ipmi-simulator.js';
import { NetnsLab } from '../../../src/testbed/netns.js';
import { SnmpPduSimulator } from '../../../src/testbed/snmp-pdu-simulator.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { FAST, namespacedRunner, pduModel, runner } from './fence-kit.js';

describeWithPrerequisites('fence simulators inside network namespaces', ['root', 'ip', 'setpriv', 'ss', 'ipmi_sim', 'ipmitool', 'snmpd', 'snmpget'], () => {
  let lab: NetnsLab;
  let bmc: IpmiSimulator;
  let pdu: SnmpPduSimulator;

  beforeAll(async () => {
    lab = await NetnsLab.create({ nodes: 2, links: ['crossover'] });
    bmc = await IpmiSimulator.start({ name: 'ns-bmc-b', password: 'ns-secret-1', namespace: lab.namespace(1), address: lab.address(1, 0) });
    pdu = await SnmpPduSimulator.start({ name: 'ns-pdu', model: 'apc-rpdu', outlets: 2, namespace: lab.namespace(1), address: lab.address(1, 0) });
  });
  afterAll(async () => {
    await bmc?.stop();
    await pdu?.stop();
    await lab?.destroy();
  });

  it("fences b through its BMC and its PDU outlet from a's namespace", async () => {
    const fromA = namespacedRunner(lab.namespace(0));
    const ipmi = createIpmiDriver({ id: 'bmc-b', host: bmc.address, port: bmc.port, username: 'admin', password: 'ns-secret-1', cipherSuite: 3, runner: fromA, timings: FAST });
    expect(await ipmi.run({ action: 'off' })).toMatchObject({ ok: true, power: 'off' });
    expect(await bmc.power()).toBe('off');
    const snmp = createSnmpPduDriver({ id: 'pdu', model: await pduModel('apc-rpdu'), host: pdu.address, port: pdu.port, credentials: { version: '2c', community: 'private' }, runner: fromA, timings: FAST });
    expect(await snmp.run({ action: 'off', port: '2' })).toMatchObject({ ok: true, power: 'off' });
    expect(await pdu.outletPower(2)).toBe('off');
  });

  it('is not reachable from the root namespace', async () => {
    const fromRoot = createIpmiDriver({ id: 'bmc-b', host: bmc.address, port: bmc.port, username: 'admin', password: 'ns-secret-1', cipherSuite: 3, runner, messageTimeoutS: 1, messageRetries: 0, timings: { ...FAST, retries: 0, commandTimeoutMs: 2000 } });
    expect(await fromRoot.run({ action: 'status' })).toMatchObject({ ok: false });
  });
});
