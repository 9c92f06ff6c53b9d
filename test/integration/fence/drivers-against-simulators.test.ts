// Goal: the ipmi and snmp-pdu fence drivers against the project's own simulators (ipmi_sim with a
// chassis_control hook; snmpd with the pdu-pass-persist outlet table, one per PDU model), end to
// end: verified off (a power-off hook kills the "node" before status reads off), on, reboot as
// off-then-on, status, list, monitor, and every error path a person must be able to act on:
// wrong password, unknown user, refused cipher suite, wrong community, v3 auth failure, unknown
// outlet, a device that stops answering (SIGSTOP), and a device that accepts "off" but never
// turns off. Secrets never appear in argv: the test reads /proc/PID/cmdline of the tools it saw.
// Method: loopback only, ports chosen at run time, simulators stopped and their folders removed in afterAll.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIpmiDriver, createSnmpPduDriver, type DeviceResult, type ToolInvocation, type ToolRunner } from '../../../src/fence/index.js';
import { IpmiSimulator } from '../../../src/testbed/ipmi-simulator.js';
import { SnmpPduSimulator, type SimulatedPduModel } from '../../../src/testbed/snmp-pdu-simulator.js';
import { eventually } from '../harness/eventually.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { FAST, fakeNode, type FakeNode, pduModel, runner } from './fence-kit.js';

const PASSWORD = 'bmc-secret-4711';
const V3 = { username: 'fenceuser', authPassword: 'authpass-4711', privPassword: 'privpass-4711' };

/** A runner that records every invocation, to prove no secret is in argv. */
function recordingRunner(): ToolRunner & { readonly seen: ToolInvocation[] } {
  const seen: ToolInvocation[] = [];
  return { seen, run: (invocation) => (seen.push(invocation), runner.run(invocation)) };
}

function expectFailure(result: DeviceResult, code: string, reason: RegExp): void {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (!result.ok) {
    expect(result.code).toBe(code);
    expect(result.reason).toMatch(reason);
  }
}

describeWithPrerequisites('ipmi driver against ipmi_sim', ['setpriv', 'ss', 'ipmi_sim', 'ipmitool'], () => {
  let bmc: IpmiSimulator;
  let node: FakeNode;
  const recorded = recordingRunner();
  const driver = () => createIpmiDriver({ id: 'bmc-a', host: bmc.address, port: bmc.port, username: 'admin', password: PASSWORD, cipherSuite: 3, runner: recorded, timings: FAST });

  beforeAll(async () => {
    node = fakeNode();
    bmc = await IpmiSimulator.start({ name: 'bmc-a', password: PASSWORD, onPowerOff: node.killCommand, operator: { username: 'oper', password: 'oper-pass-1' } });
  });
  afterAll(async () => {
    node?.child.kill('SIGKILL');
    await bmc?.stop();
  });

  it('reads the power, then powers off verified: the hook killed the node before status read off', async () => {
    expect(await driver().run({ action: 'status' })).toMatchObject({ ok: true, power: 'on' });
    expect(node.alive()).toBe(true);
    const off = await driver().run({ action: 'off' });
    expect(off).toMatchObject({ ok: true, action: 'off', power: 'off' });
    await eventually(() => (node.alive() ? undefined : true), { what: 'the node process is killed by the power-off hook' });
    expect(await bmc.power()).toBe('off');
    // Already off: success without touching the BMC's power.
    const again = await driver().run({ action: 'off' });
    expect(again).toMatchObject({ ok: true, power: 'off', note: 'already off' });
    expect((await bmc.events()).filter((e) => e.words[1] === 'off')).toHaveLength(1);
  });

  it('powers on, and reboots as a verified off followed by a verified on', async () => {
    expect(await driver().run({ action: 'on' })).toMatchObject({ ok: true, power: 'on' });
    const before = (await bmc.events()).length;
    expect(await driver().run({ action: 'reboot' })).toMatchObject({ ok: true, action: 'reboot', power: 'on' });
    expect((await bmc.events()).slice(before).map((e) => e.words.slice(0, 2).join(' '))).toEqual(['power off', 'power on']);
  });

  it('reboots with the cycle method and says the off phase was not observed', async () => {
    const cycle = createIpmiDriver({ id: 'bmc-a', host: bmc.address, port: bmc.port, username: 'admin', password: PASSWORD, cipherSuite: 3, method: 'cycle', runner, timings: FAST });
    const result = await cycle.run({ action: 'reboot' });
    expect(result).toMatchObject({ ok: true, power: 'on' });
    if (result.ok) expect(result.note).toMatch(/off phase is too short to observe/);
    await eventually(async () => ((await bmc.events()).some((e) => e.line.includes('power on')) ? true : undefined), { what: 'the cycle powers on again' });
  });

  it('monitor answers without touching power', async () => {
    const before = (await bmc.events()).length;
    expect(await driver().run({ action: 'monitor' })).toMatchObject({ ok: true });
    expect((await bmc.events()).length).toBe(before);
  });

  it('refuses a wrong password, an unknown user and cipher suite 17 with reasons to act on', async () => {
    const base = { id: 'bmc-a', host: bmc.address, port: bmc.port, runner, timings: { ...FAST, retries: 0 } } as const;
    expectFailure(await createIpmiDriver({ ...base, username: 'admin', password: 'wrong-password', cipherSuite: 3 }).run({ action: 'status' }), 'auth', /refused the password of user 'admin'/);
    expectFailure(await createIpmiDriver({ ...base, username: 'nobody', password: PASSWORD, cipherSuite: 3 }).run({ action: 'status' }), 'auth', /does not know user 'nobody'/);
    expectFailure(await createIpmiDriver({ ...base, username: 'admin', password: PASSWORD, cipherSuite: 17 }).run({ action: 'status' }), 'config', /refuses cipher suite 17/);
  });

  it('reports a BMC that stops answering as unreachable, and ends an action at its time limit', async () => {
    const quick = { id: 'bmc-a', host: bmc.address, port: bmc.port, username: 'admin', password: PASSWORD, cipherSuite: 3, runner, messageTimeoutS: 1, messageRetries: 1 } as const;
    bmc.signal('SIGSTOP');
    try {
      expectFailure(await createIpmiDriver({ ...quick, timings: { ...FAST, retries: 0 } }).run({ action: 'status' }), 'unreachable', /no IPMI session with the BMC at 127\.0\.0\.1:\d+: check its address/);
      // The whole action's time limit also holds when a tool would wait longer.
      const limited = await createIpmiDriver({ ...quick, messageTimeoutS: 5, messageRetries: 5, timings: { ...FAST, retries: 0, actionTimeoutMs: 1500 } }).run({ action: 'off' });
      expectFailure(limited, 'timeout', /did not finish within 1500 ms/);
    } finally {
      bmc.signal('SIGCONT');
    }
  });

  it('fails a BMC whose power never goes off as not verified, after its retry', async () => {
    // A stuck power supply: "off" is accepted, but the hook turns the power back on at once.
    const stuck = await IpmiSimulator.start({ name: 'bmc-stuck', password: PASSWORD, onPowerOff: ['/bin/sh', '-c', 'echo 1 > "$STATE_DIR/power"'] });
    try {
      const result = await createIpmiDriver({ id: 'bmc-stuck', host: stuck.address, port: stuck.port, username: 'admin', password: PASSWORD, cipherSuite: 3, runner, timings: { ...FAST, powerTimeoutMs: 600 } }).run({ action: 'off' });
      expectFailure(result, 'not-verified', /accepted the off command, but its status did not read off within 600 ms \(it still reads on\)/);
      expect(result.attempts).toBe(2);
    } finally {
      await stuck.stop();
    }
  });

  it('never puts the password in an argument list', () => {
    expect(recorded.seen.length).toBeGreaterThan(3);
    for (const invocation of recorded.seen) {
      expect(invocation.args.join(' ')).not.toContain(PASSWORD);
      expect(invocation.args).toContain('-E');
      expect(invocation.env?.['IPMI_PASSWORD']).toBe(PASSWORD);
    }
  });
});

const MODELS: readonly { readonly model: SimulatedPduModel; readonly port: string; readonly names: boolean; readonly fabric: boolean }[] = [
  { model: 'apc-rpdu', port: '3', names: true, fabric: false },
  { model: 'apc-masterswitch', port: '3', names: true, fabric: false },
  { model: 'apc-masterswitch-plus', port: '1:3', names: true, fabric: false },
  { model: 'eaton-managed-epdu', port: '3', names: true, fabric: false },
  { model: 'eaton-switched-epdu', port: '3', names: false, fabric: false },
  { model: 'ifmib-switch-port', port: '3', names: true, fabric: true },
];

describeWithPrerequisites('snmp-pdu driver against snmpd + pdu-pass-persist, per device model', ['setpriv', 'ss', 'snmpd', 'snmpget'], () => {
  for (const { model, port, names, fabric } of MODELS) {
    describe(model, () => {
      let pdu: SnmpPduSimulator;
      let node: FakeNode;
      const outletChanges: string[] = [];
      beforeAll(async () => {
        node = fakeNode();
        pdu = await SnmpPduSimulator.start({ name: model, model, outlets: 4, onOutletOff: node.killCommand, onOutletChange: (outlet, power) => outletChanges.push(`${outlet} ${power}`) });
      });
      afterAll(async () => {
        node?.child.kill('SIGKILL');
        await pdu?.stop();
      });
      const driver = async () => createSnmpPduDriver({ id: 'pdu', model: await pduModel(model), host: pdu.address, port: pdu.port, credentials: { version: '2c', community: 'private' }, runner, timings: FAST });

      it('monitors, reads, powers off verified (killing the node), powers on, and lists', async () => {
        const d = await driver();
        expect(await d.run({ action: 'monitor' })).toMatchObject({ ok: true });
        expect(await d.run({ action: 'status', port })).toMatchObject({ ok: true, power: 'on' });
        expect(await d.run({ action: 'off', port })).toMatchObject({ ok: true, power: 'off' });
        expect(await pdu.outletPower(3)).toBe('off');
        await eventually(() => (node.alive() ? undefined : true), { what: 'the node on outlet 3 is killed by the outlet-off hook' });
        expect(await pdu.outletPower(2)).toBe('on');
        expect(await d.run({ action: 'on', port })).toMatchObject({ ok: true, power: 'on' });
        const list = await d.run({ action: 'list' });
        expect(list.ok).toBe(true);
        if (list.ok) {
          expect(list.ports?.map((p) => p.port)).toEqual(model === 'apc-masterswitch-plus' ? ['1:1', '1:2', '1:3', '1:4'] : ['1', '2', '3', '4']);
          expect(list.ports?.every((p) => p.power === 'on')).toBe(true);
          if (names) expect(list.ports?.[2]?.name).toBe(fabric ? 'port3' : 'outlet3');
        }
        await eventually(() => (outletChanges.includes('3 off') && outletChanges.includes('3 on') ? true : undefined), { what: 'the test saw outlet 3 go off and on' });
      });

      it(fabric ? 'refuses reboot on a switch port (fabric fencing)' : 'reboots as verified off then verified on', async () => {
        const d = await driver();
        const result = await d.run({ action: 'reboot', port });
        if (fabric) expectFailure(result, 'not-supported', /cannot reboot \(fabric fencing: use off, then on\)/);
        else {
          expect(result).toMatchObject({ ok: true, power: 'on' });
          expect((await pdu.events()).slice(-2).map((e) => e.words.slice(0, 3).join(' '))).toEqual(['outlet 3 off', 'outlet 3 on']);
        }
      });

      it('reports an unknown outlet as unknown-target', async () => {
        expectFailure(await (await driver()).run({ action: 'status', port: '42' }), 'unknown-target', /^pdu: outlet 42: .* has no object /);
      });

      if (names) {
        it("finds an outlet by the device's name for it", async () => {
          const name = fabric ? 'port2' : 'outlet2';
          expect(await (await driver()).run({ action: 'status', port: name })).toMatchObject({ ok: true, power: 'on' });
          expectFailure(await (await driver()).run({ action: 'status', port: 'no-such-name' }), 'unknown-target', /no outlet is named 'no-such-name'/);
        });
      }
    });
  }

  describe('SNMP versions and credentials (APC rPDU)', () => {
    let pdu: SnmpPduSimulator;
    beforeAll(async () => {
      pdu = await SnmpPduSimulator.start({ name: 'pdu-auth', model: 'apc-rpdu', outlets: 4, v3User: V3 });
    });
    afterAll(async () => {
      await pdu?.stop();
    });
    const make = async (credentials: Parameters<typeof createSnmpPduDriver>[0]['credentials'], runAs: ToolRunner = runner) =>
      createSnmpPduDriver({ id: 'pdu', model: await pduModel('apc-rpdu'), host: pdu.address, port: pdu.port, credentials, runner: runAs, timings: { ...FAST, retries: 0 }, requestTimeoutS: 1, requestRetries: 0 });

    it('works with SNMPv1, and with v3 authPriv, keeping every secret out of argv', async () => {
      const recorded = recordingRunner();
      expect(await (await make({ version: '1', community: 'private' }, recorded)).run({ action: 'off', port: '1' })).toMatchObject({ ok: true, power: 'off' });
      const v3 = { version: '3', username: V3.username, securityLevel: 'authPriv', authProtocol: 'SHA', authPassword: V3.authPassword, privProtocol: 'AES', privPassword: V3.privPassword } as const;
      expect(await (await make(v3, recorded)).run({ action: 'on', port: '1' })).toMatchObject({ ok: true, power: 'on' });
      for (const invocation of recorded.seen) {
        const argv = invocation.args.join(' ');
        for (const secret of ['private', V3.authPassword, V3.privPassword]) expect(argv).not.toContain(secret);
        expect(invocation.env?.['SNMPCONFPATH']).toMatch(/heartline-snmp-/);
      }
    });

    it('reports a wrong community as no answer, naming the community as a cause', async () => {
      expectFailure(await (await make({ version: '2c', community: 'wrong' })).run({ action: 'status', port: '1' }), 'unreachable', /no answer from udp:127\.0\.0\.1:\d+: .*community is wrong/);
    });

    it('reports a read-only community that tries to switch as an auth failure', async () => {
      expectFailure(await (await make({ version: '2c', community: 'public' })).run({ action: 'off', port: '2' }), 'auth', /does not let SNMPv2c community write/);
      expect(await pdu.outletPower(2)).toBe('on');
    });

    it('reports a wrong v3 passphrase as an auth failure', async () => {
      const wrong = { version: '3', username: V3.username, securityLevel: 'authPriv', authProtocol: 'SHA', authPassword: 'not-the-passphrase', privProtocol: 'AES', privPassword: V3.privPassword } as const;
      expectFailure(await (await make(wrong)).run({ action: 'status', port: '1' }), 'auth', /refused the credentials of SNMPv3 user 'fenceuser'/);
    });

    it('reports a PDU that stops answering as unreachable, and a command that outlives its limit as a timeout', async () => {
      pdu.signal('SIGSTOP');
      try {
        expectFailure(await (await make({ version: '2c', community: 'private' })).run({ action: 'status', port: '1' }), 'unreachable', /no answer from/);
        const slow = createSnmpPduDriver({ id: 'pdu', model: await pduModel('apc-rpdu'), host: pdu.address, port: pdu.port, credentials: { version: '2c', community: 'private' }, runner, timings: { ...FAST, retries: 0, commandTimeoutMs: 700 }, requestTimeoutS: 5, requestRetries: 0 });
        expectFailure(await slow.run({ action: 'status', port: '1' }), 'timeout', /did not finish within 700 ms/);
      } finally {
        pdu.signal('SIGCONT');
      }
    });

    it('reports a device of another model at monitor', async () => {
      const wrongModel = createSnmpPduDriver({ id: 'pdu', model: await pduModel('eaton-managed-epdu'), host: pdu.address, port: pdu.port, credentials: { version: '2c', community: 'private' }, runner, timings: FAST });
      expectFailure(await wrongModel.run({ action: 'monitor' }), 'config', /identifies as sysObjectID \.1\.3\.6\.1\.4\.1\.318\.1\.3\.4\.5, but model eaton-managed-epdu expects/);
    });
  });
});
