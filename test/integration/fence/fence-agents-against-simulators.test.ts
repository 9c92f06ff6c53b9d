// Goal: proof that the project's simulators are faithful, and that the fence-agent driver drives
// real agents: Debian's fence_ipmilan and fence_apc_snmp (and fence_eaton_snmp) work against the
// same ipmi_sim and snmpd simulators the drivers are tested with, through their command line and
// through the stdin key=value protocol; then the fence-agent driver registers them (meta-data,
// required parameters), powers off verified (the hook kills the node), on, reboots, lists, and
// reports failures. Method: loopback only; the agents' secrets go through stdin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFenceAgent } from '../../../src/fence/index.js';
import { IpmiSimulator } from '../../../src/testbed/ipmi-simulator.js';
import { SnmpPduSimulator } from '../../../src/testbed/snmp-pdu-simulator.js';
import { eventually } from '../harness/eventually.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { FAST, fakeNode, type FakeNode, runner } from './fence-kit.js';

const PASSWORD = 'bmc-secret-4711';

async function agent(name: string, args: readonly string[], stdin?: string): Promise<{ code: number | null; out: string; err: string }> {
  const outcome = await runner.run({ file: `/usr/sbin/${name}`, args, env: { PYTHONWARNINGS: 'ignore' }, timeoutMs: 60_000, ...(stdin === undefined ? {} : { stdin }) });
  return { code: outcome.exitCode, out: outcome.stdout.trim(), err: outcome.stderr.trim() };
}

describeWithPrerequisites("Debian's fence agents against the simulators, and the fence-agent driver", ['setpriv', 'ss', 'ipmi_sim', 'ipmitool', 'snmpd', 'snmpget', 'fence-agents'], () => {
  describe('fence_ipmilan against ipmi_sim', () => {
    let bmc: IpmiSimulator;
    let node: FakeNode;
    beforeAll(async () => {
      node = fakeNode();
      bmc = await IpmiSimulator.start({ name: 'agent-bmc', password: PASSWORD, onPowerOff: node.killCommand });
    });
    afterAll(async () => {
      node?.child.kill('SIGKILL');
      await bmc?.stop();
    });
    const cli = (action: string) => agent('fence_ipmilan', ['--lanplus', '--cipher=3', '-a', bmc.address, '-u', String(bmc.port), '-l', 'admin', '-p', PASSWORD, '-o', action, '--power-wait=0']);

    it('reads status (exit 0 = on), powers off (exit 0, status exit 2), and on, from the command line', async () => {
      expect(await cli('status')).toMatchObject({ code: 0, out: 'Status: ON' });
      expect(await cli('off')).toMatchObject({ code: 0, out: 'Success: Powered OFF' });
      expect(await bmc.power()).toBe('off');
      await eventually(() => (node.alive() ? undefined : true), { what: 'the power-off hook kills the node' });
      expect(await cli('status')).toMatchObject({ code: 2, out: 'Status: OFF' });
      expect(await cli('on')).toMatchObject({ code: 0, out: 'Success: Powered ON' });
    });

    it('works through the stdin protocol too, and fails a wrong password with exit 1', async () => {
      const stdin = (password: string) => `action=status\nip=${bmc.address}\nipport=${bmc.port}\nusername=admin\npassword=${password}\nlanplus=1\ncipher=3\n`;
      expect(await agent('fence_ipmilan', [], stdin(PASSWORD))).toMatchObject({ code: 0, out: 'Status: ON' });
      const wrong = await agent('fence_ipmilan', [], stdin('wrong'));
      expect(wrong.code).toBe(1);
      expect(wrong.err).toMatch(/ERROR: Failed: Unable to obtain correct plug status or plug is not available/);
    });

    it('is driven by the fence-agent driver: registration reads meta-data, off is verified, reboot is off then on', async () => {
      const registered = await registerFenceAgent({ id: 'bmc-agent', agent: 'fence_ipmilan', parameters: { ip: bmc.address, ipport: String(bmc.port), username: 'admin', password: PASSWORD, lanplus: '1', cipher: '3', power_wait: '0' }, runner, timings: FAST });
      if (!registered.ok) throw new Error(registered.error.join('; '));
      const driver = registered.value;
      expect(driver.metadata.name).toBe('fence_ipmilan');
      expect(driver.capabilities).toMatchObject({ needsPort: false });
      expect(await driver.run({ action: 'off' })).toMatchObject({ ok: true, power: 'off' });
      expect(await bmc.power()).toBe('off');
      expect(await driver.run({ action: 'status' })).toMatchObject({ ok: true, power: 'off' });
      const before = (await bmc.events()).length;
      expect(await driver.run({ action: 'reboot' })).toMatchObject({ ok: true, power: 'on' });
      // Off was already done: a reboot from off only has to power on, verified.
      expect((await bmc.events()).slice(before).map((e) => e.words.slice(0, 2).join(' '))).toEqual(['power on']);
      expect(await driver.run({ action: 'monitor' })).toMatchObject({ ok: true });
    });

    it('refuses to register a device without its required parameters, naming them', async () => {
      const refused = await registerFenceAgent({ id: 'pdu-agent', agent: 'fence_apc_snmp', parameters: { community: 'private', colour: 'blue' }, runner });
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.error).toContain("device pdu-agent: parameter 'ip' (IP address or hostname of fencing device) is required by fence_apc_snmp");
        expect(refused.error).toContain("device pdu-agent: fence_apc_snmp has no parameter 'colour'");
      }
      const missing = await registerFenceAgent({ id: 'x', agent: 'fence_no_such_agent', parameters: {}, runner });
      expect(missing).toMatchObject({ ok: false, error: ['fence agent /usr/sbin/fence_no_such_agent is not installed (Debian package fence-agents)'] });
    });
  });

  describe('fence_apc_snmp against the APC simulators', () => {
    let rpdu: SnmpPduSimulator;
    let msp: SnmpPduSimulator;
    let node: FakeNode;
    beforeAll(async () => {
      node = fakeNode();
      rpdu = await SnmpPduSimulator.start({ name: 'agent-rpdu', model: 'apc-rpdu', outlets: 4, onOutletOff: node.killCommand, v3User: { username: 'fenceuser', authPassword: 'authpass-4711', privPassword: 'privpass-4711' } });
      msp = await SnmpPduSimulator.start({ name: 'agent-msp', model: 'apc-masterswitch-plus', outlets: 4 });
    });
    afterAll(async () => {
      node?.child.kill('SIGKILL');
      await rpdu?.stop();
      await msp?.stop();
    });

    it('switches an rPDU outlet off and on, lists names, and finds a plug by name', async () => {
      const cli = (...args: string[]) => agent('fence_apc_snmp', ['-a', rpdu.address, '-u', String(rpdu.port), '-c', 'private', ...args]);
      expect(await cli('-n', '2', '-o', 'status')).toMatchObject({ code: 0, out: 'Status: ON' });
      expect(await cli('-n', '2', '-o', 'off')).toMatchObject({ code: 0, out: 'Success: Powered OFF' });
      expect(await rpdu.outletPower(2)).toBe('off');
      await eventually(() => (node.alive() ? undefined : true), { what: 'the outlet-off hook kills the node' });
      expect(await cli('-n', 'outlet2', '-o', 'status')).toMatchObject({ code: 2, out: 'Status: OFF' });
      expect(await cli('-n', '2', '-o', 'on')).toMatchObject({ code: 0, out: 'Success: Powered ON' });
      expect((await cli('-o', 'list')).out.split('\n')).toEqual(['1,outlet1', '2,outlet2', '3,outlet3', '4,outlet4']);
    });

    it('works with SNMPv3 authPriv through stdin', async () => {
      const stdin = `action=off\nip=${rpdu.address}\nipport=${rpdu.port}\nsnmp_version=3\nusername=fenceuser\npassword=authpass-4711\nsnmp_auth_prot=SHA\nsnmp_sec_level=authPriv\nsnmp_priv_prot=AES\nsnmp_priv_passwd=privpass-4711\nplug=3\n`;
      expect(await agent('fence_apc_snmp', [], stdin)).toMatchObject({ code: 0, out: 'Success: Powered OFF' });
      expect(await rpdu.outletPower(3)).toBe('off');
    });

    it('uses the MasterSwitch plus tables (switch:outlet) when sysObjectID says so', async () => {
      const cli = (...args: string[]) => agent('fence_apc_snmp', ['-a', msp.address, '-u', String(msp.port), '-c', 'private', ...args]);
      expect(await cli('-n', '1:4', '-o', 'off')).toMatchObject({ code: 0, out: 'Success: Powered OFF' });
      expect(await msp.outletPower(4)).toBe('off');
      expect((await cli('-o', 'list')).out.split('\n')[0]).toBe('1:1,outlet1');
    });

    it('is driven by the fence-agent driver with plug per target: list, verified off, reboot, unknown plug', async () => {
      const registered = await registerFenceAgent({ id: 'pdu-agent', agent: 'fence_apc_snmp', parameters: { ip: rpdu.address, ipport: String(rpdu.port), community: 'private', snmp_version: '2c' }, runner, timings: FAST });
      if (!registered.ok) throw new Error(registered.error.join('; '));
      const driver = registered.value;
      expect(driver.capabilities.needsPort).toBe(true); // its meta-data marks plug required
      const list = await driver.run({ action: 'list' });
      expect(list.ok && list.ports?.map((p) => `${p.port}=${p.name ?? ''}`)).toEqual(['1=outlet1', '2=outlet2', '3=outlet3', '4=outlet4']);
      expect(await driver.run({ action: 'off', port: '4' })).toMatchObject({ ok: true, power: 'off' });
      expect(await rpdu.outletPower(4)).toBe('off');
      expect(await driver.run({ action: 'reboot', port: '4' })).toMatchObject({ ok: true, power: 'on' });
      // fence_apc_snmp itself reads a missing plug over SNMPv2c as OFF ("No Such Instance" is not
      // its on-value), so fencing a wrong plug would "succeed": the driver checks the plug list first.
      expect(await agent('fence_apc_snmp', [], `action=status\nip=${rpdu.address}\nipport=${rpdu.port}\ncommunity=private\nsnmp_version=2c\nplug=99\n`)).toMatchObject({ code: 2, out: 'Status: OFF' });
      const unknown = await driver.run({ action: 'off', port: '99' });
      expect(unknown).toMatchObject({ ok: false, code: 'unknown-target' });
      if (!unknown.ok) expect(unknown.reason).toMatch(/fence_apc_snmp lists no plug '99' \(plugs: 1, 2, 3, 4\)/);
    });
  });

  describe('fence_eaton_snmp against the Eaton managed ePDU simulator', () => {
    let pdu: SnmpPduSimulator;
    beforeAll(async () => {
      pdu = await SnmpPduSimulator.start({ name: 'agent-eaton', model: 'eaton-managed-epdu', outlets: 4 });
    });
    afterAll(async () => {
      await pdu?.stop();
    });

    it('switches outlet 1 (index 0 on the wire) off and on', async () => {
      const cli = (...args: string[]) => agent('fence_eaton_snmp', ['-a', pdu.address, '-u', String(pdu.port), '-c', 'private', '--power-wait=0', ...args]);
      expect(await cli('-n', '1', '-o', 'off')).toMatchObject({ code: 0, out: 'Success: Powered OFF' });
      expect(await pdu.outletPower(1)).toBe('off');
      expect(await pdu.outletPower(2)).toBe('on');
      expect(await cli('-n', '1', '-o', 'on')).toMatchObject({ code: 0, out: 'Success: Powered ON' });
    });
  });
});
