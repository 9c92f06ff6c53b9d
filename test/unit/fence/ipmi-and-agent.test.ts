// Goal: the ipmi driver's command line (lanplus, cipher suite and privilege from the options, -E
// with the password only in IPMI_PASSWORD) and its reading of ipmitool's answers and failures;
// the fence-agent driver's stdin protocol, exit codes (0 on, 2 off, 1 failure with the agent's
// ERROR line), meta-data parsing and parameter check. Method: scripted ToolRunners.
import { describe, expect, it } from 'vitest';
import { IpmiPowerSwitch, checkFenceAgentParameters, createIpmiDriver, parseFenceAgentMetadata, registerFenceAgent, type ToolInvocation, type ToolOutcome, type ToolRunner } from '../../../src/fence/index.js';

// A long power timeout, so that a loaded machine's late timers never make a good poll time out.
const QUICK = { actionTimeoutMs: 10_000, commandTimeoutMs: 500, powerTimeoutMs: 5000, statusIntervalMs: 5, retries: 0 };

function scripted(answer: (invocation: ToolInvocation) => Partial<ToolOutcome>): ToolRunner & { calls: ToolInvocation[] } {
  const calls: ToolInvocation[] = [];
  return {
    calls,
    run(invocation) {
      calls.push(invocation);
      return Promise.resolve({ exitCode: 0, stdout: '', stderr: '', timedOut: false, aborted: false, elapsedMs: 1, ...answer(invocation) });
    },
  };
}

describe('ipmi driver', () => {
  it('builds the ipmitool command line from the profile, without the password', () => {
    const sw = new IpmiPowerSwitch({ id: 'bmc', host: '10.0.0.9', port: 6230, username: 'admin', password: 'pw', cipherSuite: 17, privilege: 'operator', runner: scripted(() => ({})) });
    expect(sw.argumentsFor('off')).toEqual(['-I', 'lanplus', '-H', '10.0.0.9', '-p', '6230', '-U', 'admin', '-E', '-C', '17', '-L', 'OPERATOR', '-N', '1', '-R', '2', '-v', 'chassis', 'power', 'off']);
  });

  it('powers off verified, reading "Chassis Power is on|off"', async () => {
    let power = 'on';
    const runner = scripted((invocation) => {
      expect(invocation.env).toEqual({ IPMI_PASSWORD: 'pw' });
      const sub = invocation.args.at(-1);
      if (sub === 'status') return { stdout: `Chassis Power is ${power}\n` };
      power = sub === 'off' ? 'off' : 'on';
      return { stdout: `Chassis Power Control: ${sub === 'off' ? 'Down/Off' : 'Up/On'}\n` };
    });
    const driver = createIpmiDriver({ id: 'bmc', host: 'h', username: 'admin', password: 'pw', runner, timings: QUICK });
    expect(await driver.run({ action: 'off' })).toMatchObject({ ok: true, power: 'off' });
    expect(runner.calls.map((c) => c.args.at(-1))).toEqual(['status', 'off', 'status']);
  });

  const failures: readonly [string, Partial<ToolOutcome>, string, RegExp][] = [
    ['wrong password', { exitCode: 1, stderr: '> RAKP 2 HMAC is invalid\nError: Unable to establish IPMI v2 / RMCP+ session\n' }, 'auth', /refused the password of user 'admin'/],
    ['unknown user', { exitCode: 1, stderr: 'RAKP 2 message indicates an error : unauthorized name\n' }, 'auth', /does not know user 'admin'/],
    ['cipher suite refused', { exitCode: 1, stderr: 'Error in open session response message : invalid authentication algorithm\n' }, 'config', /refuses cipher suite 3/],
    ['no answer', { exitCode: 1, stderr: 'Get Auth Capabilities error\nError issuing Get Channel Authentication Capabilities request\nError: Unable to establish IPMI v2 / RMCP+ session\n' }, 'unreachable', /no IPMI session with the BMC at h:623/],
    ['killed at the limit', { exitCode: null, timedOut: true }, 'timeout', /did not finish within 500 ms/],
    ['not installed', { exitCode: null, spawnError: 'ENOENT' }, 'not-installed', /ipmitool is not installed \(Debian package ipmitool\)/],
    ['odd answer', { exitCode: 0, stdout: 'Chassis Power is flickering\n' }, 'device-error', /answered a status request with 'Chassis Power is flickering'/],
  ];
  for (const [what, outcome, code, reason] of failures) {
    it(`reports ${what} as ${code}`, async () => {
      const result = await createIpmiDriver({ id: 'bmc', host: 'h', username: 'admin', password: 'pw', runner: scripted(() => outcome), timings: QUICK }).run({ action: 'status' });
      expect(result).toMatchObject({ ok: false, code });
      if (!result.ok) expect(result.reason).toMatch(reason);
    });
  }
});

const METADATA = `<?xml version="1.0" ?>
<resource-agent name="fence_test" shortdesc="Test agent" >
<parameters>
	<parameter name="action" unique="0" required="1"><content type="string" default="reboot" /><shortdesc lang="en">Fencing action</shortdesc></parameter>
	<parameter name="ip" unique="0" required="1" obsoletes="ipaddr"><content type="string" /><shortdesc lang="en">IP address or hostname of fencing device</shortdesc></parameter>
	<parameter name="ipaddr" unique="0" required="1" deprecated="1"><content type="string" /><shortdesc lang="en">IP address</shortdesc></parameter>
	<parameter name="password" unique="0" required="0" obsoletes="passwd"><content type="string" /><shortdesc lang="en">Login password</shortdesc></parameter>
	<parameter name="plug" unique="0" required="1" obsoletes="port"><content type="string" /><shortdesc lang="en">Plug</shortdesc></parameter>
	<parameter name="ipport" unique="0" required="0"><content type="integer" default="161" /><shortdesc lang="en">Port</shortdesc></parameter>
</parameters>
<actions><action name="on" automatic="0"/><action name="off" /><action name="reboot" /><action name="status" /><action name="list" /><action name="monitor" /><action name="metadata" /></actions>
</resource-agent>`;

describe('fence-agent driver', () => {
  it('parses meta-data and checks parameters by new and old names', () => {
    const parsed = parseFenceAgentMetadata(METADATA);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.value.parameters.find((p) => p.name === 'ip')).toEqual({ name: 'ip', required: true, deprecated: false, obsoletes: 'ipaddr', type: 'string', shortdesc: 'IP address or hostname of fencing device' });
    expect(parsed.value.parameters.find((p) => p.name === 'ipport')?.defaultValue).toBe('161');
    expect(parsed.value.actions).toContain('list');
    expect(checkFenceAgentParameters(parsed.value, { ip: '1.2.3.4' })).toEqual([]);
    expect(checkFenceAgentParameters(parsed.value, { ipaddr: '1.2.3.4' })).toEqual([]);
    expect(checkFenceAgentParameters(parsed.value, { colour: 'red' })).toEqual(["parameter 'ip' (IP address or hostname of fencing device) is required by fence_test", "fence_test has no parameter 'colour'"]);
    expect(parseFenceAgentMetadata('<html/>')).toEqual({ ok: false, error: 'the meta-data has no <resource-agent> element' });
  });

  it('talks key=value over stdin (secrets included), reads exit 0 as on and 2 as off, and checks the plug is listed', async () => {
    let power = 'on';
    const runner = scripted((invocation) => {
      if (invocation.args.join(' ') === '-o metadata') return { stdout: METADATA };
      expect(invocation.args).toEqual([]);
      const action = /^action=(\w+)$/m.exec(invocation.stdin ?? '')?.[1];
      if (action === 'list') return { stdout: '1,node-a\n2,node-b\n' };
      if (action === 'status') return { exitCode: power === 'on' ? 0 : 2, stdout: `Status: ${power.toUpperCase()}\n` };
      if (action === 'off' || action === 'on') power = action;
      return { stdout: `Success: Powered ${action?.toUpperCase() ?? ''}\n` };
    });
    const registered = await registerFenceAgent({ id: 'pdu', agent: '/opt/fence_test', parameters: { ip: '10.0.0.5', password: 's3cret' }, runner, timings: QUICK });
    if (!registered.ok) throw new Error(registered.error.join('; '));
    expect(registered.value.capabilities).toEqual({ actions: ['off', 'on', 'reboot', 'status', 'monitor', 'list'], needsPort: true });
    expect(await registered.value.run({ action: 'off', port: '2' })).toMatchObject({ ok: true, power: 'off' });
    const offCall = runner.calls.find((c) => /action=off/.test(c.stdin ?? ''));
    expect(offCall?.stdin).toBe('action=off\nip=10.0.0.5\npassword=s3cret\nplug=2\n');
    expect(runner.calls.every((c) => !c.args.join(' ').includes('s3cret'))).toBe(true);
    expect(await registered.value.run({ action: 'status', port: 'node-b' })).toMatchObject({ ok: true, power: 'off' });
    expect(await registered.value.run({ action: 'off', port: '7' })).toMatchObject({ ok: false, code: 'unknown-target', reason: "pdu: /opt/fence_test lists no plug '7' (plugs: 1, 2)" });
  });

  it("reports the agent's own ERROR line on failure", async () => {
    const runner = scripted((invocation) => {
      if (invocation.args.join(' ') === '-o metadata') return { stdout: METADATA.replace('<action name="list" />', '') };
      return { exitCode: 1, stderr: '2026-11-28 09:00:00,123 ERROR: Failed: Unable to connect/login to fencing device\n' };
    });
    const registered = await registerFenceAgent({ id: 'pdu', agent: '/opt/fence_test', parameters: { ip: 'x' }, runner, timings: QUICK });
    if (!registered.ok) throw new Error(registered.error.join('; '));
    const result = await registered.value.run({ action: 'status', port: '1' });
    expect(result).toMatchObject({ ok: false, code: 'unreachable', reason: 'pdu: /opt/fence_test action=status plug=1 failed: ERROR: Failed: Unable to connect/login to fencing device' });
  });
});
