// Goal: the snmp-pdu driver's OID/value mapping for every shipped PDU model (which OID it reads
// and writes for an outlet, which values mean on and off) and each error path with its code and
// reason: timeout, no answer (which is also a wrong community), read-only community, SNMPv3 auth
// failure and unknown user, unknown outlet (v1 and v2c), a value the model cannot map, a device
// that never turns off, and secrets kept out of argv. Method: a scripted net-snmp (fake-net-snmp.ts)
// serving the simulator's own outlet tables; the models come from hw-profiles/.
import { beforeAll, describe, expect, it } from 'vitest';
import { createSnmpPduDriver, type PduModel, type SnmpCredentials } from '../../../src/fence/index.js';
import { loadProfileLibrary, pduModelOf, shippedProfileDirectory } from '../../../src/profiles/index.js';
import { FakeNetSnmp, fakeDevice, type FakeSnmpDevice } from './fake-net-snmp.js';

// A long power timeout, so that a loaded machine's late timers never make a good poll time out; the
// test of an outlet that never turns off sets a short one.
const QUICK = { actionTimeoutMs: 10_000, commandTimeoutMs: 1000, powerTimeoutMs: 5000, statusIntervalMs: 5, retries: 1 };
const models = new Map<string, PduModel>();

beforeAll(async () => {
  const library = await loadProfileLibrary([shippedProfileDirectory()]);
  for (const [name, loaded] of library.pduModels) models.set(name, pduModelOf(loaded.profile));
});

function driverFor(modelName: string, device: FakeSnmpDevice, credentials: SnmpCredentials = { version: '2c', community: 'private' }, timings = QUICK) {
  const runner = new FakeNetSnmp(device);
  const model = models.get(modelName);
  if (model === undefined) throw new Error(`no model ${modelName}`);
  return { runner, driver: createSnmpPduDriver({ id: 'pdu', model, host: '192.0.2.20', credentials, runner, timings }) };
}

const CASES = [
  { model: 'apc-rpdu', table: 'apc', sysObjectId: '.1.3.6.1.4.1.318.1.3.4.5', port: '3', read: '.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.3', write: '.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.3', off: '2', on: '1' },
  { model: 'apc-masterswitch', table: 'apc', sysObjectId: '.1.3.6.1.4.1.318.1.3.4.99', port: '3', read: '.1.3.6.1.4.1.318.1.1.4.4.2.1.3.3', write: '.1.3.6.1.4.1.318.1.1.4.4.2.1.3.3', off: '2', on: '1' },
  { model: 'apc-masterswitch-plus', table: 'apc', sysObjectId: '.1.3.6.1.4.1.318.1.3.4.4', port: '1:3', read: '.1.3.6.1.4.1.318.1.1.6.7.1.1.5.1.1.3', write: '.1.3.6.1.4.1.318.1.1.6.5.1.1.5.1.1.3', off: '3', on: '1' },
  { model: 'eaton-managed-epdu', table: 'eaton-managed', sysObjectId: '.1.3.6.1.4.1.534.6.6.6', port: '3', read: '.1.3.6.1.4.1.534.6.6.6.1.2.2.1.3.2', write: '.1.3.6.1.4.1.534.6.6.6.1.2.2.1.3.2', off: '0', on: '1' },
  { model: 'eaton-switched-epdu', table: 'eaton-switched', sysObjectId: '.1.3.6.1.4.1.20677.2', port: '3', read: '.1.3.6.1.4.1.20677.2.6.3.3.0', write: '.1.3.6.1.4.1.20677.2.6.2.4.0', off: '2', on: '1' },
  { model: 'ifmib-switch-port', table: 'ifmib', sysObjectId: '.1.3.6.1.4.1.9.1.1', port: '3', read: '.1.3.6.1.2.1.2.2.1.7.3', write: '.1.3.6.1.2.1.2.2.1.7.3', off: '2', on: '1' },
] as const;

describe('OID and value mapping per model', () => {
  for (const c of CASES) {
    it(`${c.model}: outlet ${c.port} reads ${c.read}, writes ${c.off} (off) and ${c.on} (on) to ${c.write}`, async () => {
      const device = fakeDevice(c.table, c.sysObjectId);
      const { runner, driver } = driverFor(c.model, device);
      expect(await driver.run({ action: 'off', port: c.port })).toMatchObject({ ok: true, power: 'off' });
      const sets = () => runner.calls.filter((call) => call.file === 'snmpset').map((call) => call.args.slice(-3).join(' '));
      expect(sets()).toEqual([`${c.write} i ${c.off}`]);
      expect(runner.calls.filter((call) => call.file === 'snmpget').map((call) => call.args.at(-1))).toEqual([c.read, c.read]);
      expect(device.outlets['3']?.on).toBe(false);
      expect(device.outlets['2']?.on).toBe(true);
      expect(await driver.run({ action: 'on', port: c.port })).toMatchObject({ ok: true, power: 'on' });
      expect(sets()).toEqual([`${c.write} i ${c.off}`, `${c.write} i ${c.on}`]);
    });
  }

  it('lists ports with their names and power (APC rPDU, MasterSwitch plus as switch:outlet)', async () => {
    const device = fakeDevice('apc', '.1.3.6.1.4.1.318.1.3.4.5');
    device.outlets['2'] = { name: 'node-b', on: false };
    const list = await driverFor('apc-rpdu', device).driver.run({ action: 'list' });
    expect(list.ok && list.ports).toEqual([
      { port: '1', name: 'outlet1', power: 'on' },
      { port: '2', name: 'node-b', power: 'off' },
      { port: '3', name: 'outlet3', power: 'on' },
      { port: '4', name: 'outlet4', power: 'on' },
    ]);
    const msp = await driverFor('apc-masterswitch-plus', fakeDevice('apc', '.1.3.6.1.4.1.318.1.3.4.4')).driver.run({ action: 'list' });
    expect(msp.ok && msp.ports?.map((p) => p.port)).toEqual(['1:1', '1:2', '1:3', '1:4']);
  });

  it("finds an outlet by the device's name for it", async () => {
    const device = fakeDevice('apc', '.1.3.6.1.4.1.318.1.3.4.5');
    device.outlets['4'] = { name: 'node-a', on: true };
    expect(await driverFor('apc-rpdu', device).driver.run({ action: 'off', port: 'node-a' })).toMatchObject({ ok: true, power: 'off' });
    expect(device.outlets['4']?.on).toBe(false);
  });

  it('counts ifAdminStatus testing (3) as off on a switch port and refuses reboot there', async () => {
    expect(models.get('ifmib-switch-port')?.status.off).toEqual([2, 3]);
    const device = fakeDevice('ifmib', '.1.3.6.1.4.1.9.1.1');
    const { driver } = driverFor('ifmib-switch-port', device);
    expect(driver.capabilities.actions).not.toContain('reboot');
    expect(await driver.run({ action: 'reboot', port: '1' })).toMatchObject({ ok: false, code: 'not-supported' });
  });
});

describe('error paths', () => {
  const apc = () => fakeDevice('apc', '.1.3.6.1.4.1.318.1.3.4.5');

  it('a device that does not answer, or a wrong community: unreachable, retried once', async () => {
    const { runner, driver } = driverFor('apc-rpdu', apc(), { version: '2c', community: 'wrong' });
    const result = await driver.run({ action: 'off', port: '1' });
    expect(result).toMatchObject({ ok: false, code: 'unreachable', attempts: 2 });
    if (!result.ok) expect(result.reason).toBe("pdu: no answer from udp:192.0.2.20:161: check the device's address, port and network, or the community is wrong (an SNMP agent does not answer a wrong community)");
    expect(runner.calls).toHaveLength(2);
  });

  it('a tool that hangs past its limit: timeout', async () => {
    const device = apc();
    device.mode = 'hang';
    const result = await driverFor('apc-rpdu', device).driver.run({ action: 'status', port: '1' });
    expect(result).toMatchObject({ ok: false, code: 'timeout' });
    if (!result.ok) expect(result.reason).toMatch(/snmpget at udp:192\.0\.2\.20:161 did not finish within 1000 ms/);
  });

  it('a read-only community that switches: auth, and nothing changes', async () => {
    const device = apc();
    const result = await driverFor('apc-rpdu', device, { version: '2c', community: 'public' }).driver.run({ action: 'off', port: '1' });
    expect(result).toMatchObject({ ok: false, code: 'auth', attempts: 1 });
    if (!result.ok) expect(result.reason).toMatch(/does not let SNMPv2c community write \.1\.3\.6\.1\.4\.1\.318\.1\.1\.12\.3\.3\.1\.1\.4\.1: use the read-write community/);
    expect(device.outlets['1']?.on).toBe(true);
  });

  it('SNMPv3: a wrong passphrase and an unknown user are auth failures; right ones work', async () => {
    const v3 = { username: 'fence', authPassword: 'auth-pass-1', privPassword: 'priv-pass-1' };
    const credentials = (authPassword: string, username = 'fence'): SnmpCredentials => ({ version: '3', username, securityLevel: 'authPriv', authProtocol: 'SHA', authPassword, privProtocol: 'AES', privPassword: 'priv-pass-1' });
    expect(await driverFor('apc-rpdu', fakeDevice('apc', '.1.3.6.1.4.1.318.1.3.4.5', { v3 }), credentials('auth-pass-1')).driver.run({ action: 'status', port: '1' })).toMatchObject({ ok: true, power: 'on' });
    const wrong = await driverFor('apc-rpdu', fakeDevice('apc', '.1.3.6.1.4.1.318.1.3.4.5', { v3 }), credentials('nope-nope-nope')).driver.run({ action: 'status', port: '1' });
    expect(wrong).toMatchObject({ ok: false, code: 'auth', attempts: 1 });
    if (!wrong.ok) expect(wrong.reason).toMatch(/refused the credentials of SNMPv3 user 'fence': check the user name, the passphrases/);
    expect(await driverFor('apc-rpdu', fakeDevice('apc', '.1.3.6.1.4.1.318.1.3.4.5', { v3 }), credentials('auth-pass-1', 'other')).driver.run({ action: 'status', port: '1' })).toMatchObject({ ok: false, code: 'auth' });
  });

  it('an unknown outlet: unknown-target over v2c (No Such Instance) and v1 (noSuchName), never "off"', async () => {
    for (const version of ['1', '2c'] as const) {
      const result = await driverFor('apc-rpdu', apc(), { version, community: 'private' }).driver.run({ action: 'off', port: '9' });
      expect(result).toMatchObject({ ok: false, code: 'unknown-target', attempts: 1 });
      if (!result.ok) expect(result.reason).toMatch(/^pdu: outlet 9: udp:192\.0\.2\.20:161 has no object \.1\.3\.6\.1\.4\.1\.318\.1\.1\.12\.3\.5\.1\.1\.4\.9/);
    }
  });

  it('an outlet that never reads off: not-verified after the retry', async () => {
    const device = apc();
    device.mode = 'stuck-on';
    const { runner, driver } = driverFor('apc-rpdu', device, undefined, { ...QUICK, powerTimeoutMs: 50 });
    const result = await driver.run({ action: 'off', port: '1' });
    expect(result).toMatchObject({ ok: false, code: 'not-verified', attempts: 2 });
    expect(runner.calls.filter((call) => call.file === 'snmpset')).toHaveLength(2);
  });

  it('a value the model maps neither to on nor off is an error, not "off"', async () => {
    const device = fakeDevice('eaton-managed', '.1.3.6.1.4.1.534.6.6.6');
    const { driver } = driverFor('eaton-switched-epdu', device); // wrong model: reads an Eaton switched OID on a managed ePDU
    expect(await driver.run({ action: 'status', port: '1' })).toMatchObject({ ok: false, code: 'unknown-target' });
    const model = models.get('apc-rpdu') as PduModel;
    const odd = createSnmpPduDriver({ id: 'pdu', model: { ...model, status: { ...model.status, off: [7] } }, host: '192.0.2.20', credentials: { version: '2c', community: 'private' }, runner: new FakeNetSnmp(fakeDevice('apc', '.1.3.6.1.4.1.318.1.3.4.5', { outlets: { '1': { name: 'x', on: false } } })), timings: QUICK });
    const result = await odd.run({ action: 'status', port: '1' });
    expect(result).toMatchObject({ ok: false, code: 'device-error' });
    if (!result.ok) expect(result.reason).toMatch(/reads '2', which model apc-rpdu maps neither to on \(1\) nor to off \(7\)/);
  });

  it('monitor checks sysObjectID against the model', async () => {
    expect(await driverFor('apc-rpdu', apc()).driver.run({ action: 'monitor' })).toMatchObject({ ok: true });
    const result = await driverFor('apc-rpdu', fakeDevice('apc', '.1.3.6.1.4.1.318.1.3.4.4')).driver.run({ action: 'monitor' });
    expect(result).toMatchObject({ ok: false, code: 'config' });
  });

  it('a missing port or an impossible one is a configuration error', async () => {
    expect(await driverFor('apc-rpdu', apc()).driver.run({ action: 'off' })).toMatchObject({ ok: false, code: 'config' });
    expect(await driverFor('apc-masterswitch', apc()).driver.run({ action: 'off', port: '0' })).toMatchObject({ ok: false, code: 'unknown-target' });
  });

  it('keeps communities and passphrases out of argv: they are in the private snmp.conf only', async () => {
    const { runner, driver } = driverFor('apc-rpdu', apc(), { version: '2c', community: 'private' });
    await driver.run({ action: 'off', port: '1' });
    for (const call of runner.calls) {
      expect(call.args).not.toContain('private');
      expect(call.args).not.toContain('-c');
      expect(call.args.slice(0, 4)).toEqual(['-m', '', '-Oeqn', '-v']);
    }
  });
});
