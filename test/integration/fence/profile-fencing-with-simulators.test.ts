// Goal: fencing as the daemon will use it, against the project's simulators: ProfileFencing built
// from the shipped heartline-testbed appliance (level 1: each node's BMC; level 2: the APC rPDU)
// with secrets read from files, fences node a through its BMC (a's processes die), uses the PDU
// when the BMC is silent, answers ok: false naming every device when all are silent, and records
// each outcome in the fence history. Then the built CLI, as an operator runs it without a cluster:
// `fence-device status|test` against the simulators (a site profile pointing at them), `test
// --power-cycle b --yes` through the PDU (outlet 2 off then on, seen by the simulator), and
// `fence history` reading the rows ProfileFencing wrote.
// Method: ipmi_sim and snmpd simulators on loopback (ports chosen at run time), a sleeping child
// per fenced node killed by the BMC's power-off hook, the system clock and the real ToolRunner.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FenceHistory } from '../../../src/fence/index.js';
import { createProfileFencing, type ProfileFencing } from '../../../src/fence/profile-fencing.js';
import { silentLogger } from '../../../src/lib/index.js';
import { SystemClock } from '../../../src/platform/index.js';
import { shippedProfileDirectory } from '../../../src/profiles/index.js';
import { IpmiSimulator } from '../../../src/testbed/ipmi-simulator.js';
import { SnmpPduSimulator } from '../../../src/testbed/snmp-pdu-simulator.js';
import { eventually } from '../harness/eventually.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { fakeNode, runner, shippedLibrary, type FakeNode } from './fence-kit.js';

const SECRETS = { 'bmc-a': 'bmc-a-pass', 'bmc-b': 'bmc-b-pass', 'pdu-community': 'private' };
const binary = new URL('../../../dist/cli/main.js', import.meta.url).pathname;
const run = promisify(execFile);

/** Runs the built CLI; answers its exit code and output (never rejects on a non-zero exit). */
async function heartline(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [binary, ...args], { encoding: 'utf8', timeout: 60_000 });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, out: failed.stdout ?? '', err: failed.stderr ?? '' };
  }
}

describeWithPrerequisites('ProfileFencing and the fence CLI against the simulators', ['setpriv', 'ss', 'ipmi_sim', 'ipmitool', 'snmpd', 'snmpget'], () => {
  let dir: string;
  let secretsDir: string;
  let historyPath: string;
  let bmcA: IpmiSimulator;
  let bmcB: IpmiSimulator;
  let pdu: SnmpPduSimulator;
  let nodeA: FakeNode;
  let fencing: ProfileFencing;
  const outletChanges: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heartline-profile-fencing-'));
    secretsDir = join(dir, 'secrets');
    historyPath = join(dir, 'fence-history.sqlite');
    await mkdir(secretsDir, { mode: 0o700 });
    for (const [name, value] of Object.entries(SECRETS)) await writeFile(join(secretsDir, name), `${value}\n`, { mode: 0o600 });
    nodeA = fakeNode();
    bmcA = await IpmiSimulator.start({ name: 'pf-bmc-a', password: SECRETS['bmc-a'], onPowerOff: nodeA.killCommand });
    bmcB = await IpmiSimulator.start({ name: 'pf-bmc-b', password: SECRETS['bmc-b'] });
    pdu = await SnmpPduSimulator.start({ name: 'pf-pdu', model: 'apc-rpdu', outlets: 4, onOutletChange: (outlet, power) => outletChanges.push(`${outlet} ${power}`) });
    const built = await createProfileFencing({
      library: await shippedLibrary(),
      appliance: 'heartline-testbed',
      self: 'b',
      secretsDir,
      historyPath,
      clock: new SystemClock(),
      logger: silentLogger,
      runner,
      addressOverrides: { 'bmc-a': { port: bmcA.port }, 'bmc-b': { port: bmcB.port }, pdu: { port: pdu.port } },
    });
    if (!built.ok) throw new Error(built.error.message);
    fencing = built.value;
  });
  afterAll(async () => {
    await fencing?.close();
    nodeA?.child.kill('SIGKILL');
    await bmcA?.stop();
    await bmcB?.stop();
    await pdu?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('fences a through its BMC (level 1): a is off and its processes are gone', async () => {
    const result = await fencing.fence({ target: 'a', action: 'off', reason: 'peer lost', requester: 'b' });
    expect(result).toMatchObject({ ok: true, device: 'bmc-a' });
    expect(await bmcA.power()).toBe('off');
    expect(await pdu.outletPower(1)).not.toBe('off');
    await eventually(() => (nodeA.alive() ? undefined : true), { what: "a's processes killed by its BMC's power-off hook" });
  });

  it('uses the PDU (level 2) when the BMC does not answer', async () => {
    await bmcA.setPower('on');
    bmcA.signal('SIGSTOP');
    try {
      const result = await fencing.fence({ target: 'a', action: 'off', reason: 'peer lost again', requester: 'b' });
      expect(result).toMatchObject({ ok: true, device: 'pdu' });
      expect(await pdu.outletPower(1)).toBe('off');
    } finally {
      bmcA.signal('SIGCONT');
    }
  });

  it('with every device silent answers ok: false, naming each device and why', async () => {
    await pdu.setOutlets({ '1': { name: 'outlet1', on: true }, '2': { name: 'outlet2', on: true } });
    await bmcA.setPower('on');
    bmcA.signal('SIGSTOP');
    pdu.signal('SIGSTOP');
    try {
      const result = await fencing.fence({ target: 'a', action: 'off', reason: 'stop failed for db', requester: 'root@b' });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/^every fence level for a failed: level 1 bmc-a off: bmc-a: .*; level 2 pdu:1 off: pdu: .*no answer from/);
    } finally {
      bmcA.signal('SIGCONT');
      pdu.signal('SIGCONT');
    }
  });

  it('recorded every outcome in the fence history, newest first', () => {
    const history = FenceHistory.openReadOnly(historyPath);
    if (!history.ok) throw new Error(history.error.message);
    const rows = history.value.list({ target: 'a' });
    history.value.close();
    expect(rows.map((row) => `${row.sequence} ${row.action} ${row.ok ? 'ok' : 'failed'} ${row.devices.join(',')} level=${row.level ?? '-'} ${row.requester}`)).toEqual([
      '3 off failed bmc-a,pdu level=- root@b',
      '2 off ok pdu level=2 b',
      '1 off ok bmc-a level=1 b',
    ]);
    expect(rows[0]?.failureReason).toMatch(/^every fence level for a failed/);
    expect(rows[1]?.attempts.map((attempt) => `${attempt.level} ${attempt.device} ${attempt.ok ? 'ok' : 'failed'}`)).toEqual(['1 bmc-a failed', '2 pdu ok']);
    for (const row of rows) expect(row.endedAtMs).toBeGreaterThanOrEqual(row.startedAtMs);
  });

  it('the built CLI reads the history ProfileFencing wrote', async () => {
    const text = await heartline('fence', 'history', '--history', historyPath, '--target', 'a');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/STARTED +TARGET +ACTION +RESULT +DEVICES/);
    expect(text.out).toMatch(/\n\S+ \S+ +a +off +FAILED +bmc-a,pdu .* root@b +stop failed for db\n +every fence level for a failed/);
    const json = await heartline('fence', 'history', '--history', historyPath, '--limit', '1', '--json');
    expect((JSON.parse(json.out) as { entries: { sequence: number }[] }).entries.map((entry) => entry.sequence)).toEqual([3]);
  });

  /** A site profile: the testbed appliance with the simulators' ports, next to the shipped models. */
  async function siteProfile(): Promise<string> {
    const site = join(dir, 'site-profiles');
    await mkdir(site, { recursive: true });
    const shipped = await readFile(join(shippedProfileDirectory(), 'appliances', 'heartline-testbed.yaml'), 'utf8');
    const pointed = shipped
      .replace('name: heartline-testbed', 'name: sim-testbed')
      .replace(/(password_secret: bmc-a\n)/, `$1    ipmi: { port: ${bmcA.port} }\n`)
      .replace(/(password_secret: bmc-b\n)/, `$1    ipmi: { port: ${bmcB.port} }\n`)
      .replace(/(model: apc-rpdu\n {4}address: 127\.0\.0\.1\n)/, `$1    port: ${pdu.port}\n`);
    await writeFile(join(site, 'sim-testbed.yaml'), pointed);
    return site;
  }

  it('fence-device status pdu reads both outlets of the simulated PDU; status bmc-b its chassis power', async () => {
    await pdu.setOutlets({ '1': { name: 'outlet1', on: false }, '2': { name: 'outlet2', on: true } });
    const site = await siteProfile();
    const common = ['--profile', 'sim-testbed', '--dir', shippedProfileDirectory(), '--dir', site, '--secrets', secretsDir];
    const status = await heartline('fence-device', 'status', 'pdu', ...common);
    expect(status.err).toBe('');
    expect(status.code).toBe(0);
    expect(status.out.trim().split('\n')).toEqual(['NODE  PORT  POWER', 'a     1     off', 'b     2     on']);
    const bmc = await heartline('fence-device', 'status', 'bmc-b', ...common, '--json');
    expect(bmc.code).toBe(0);
    expect(JSON.parse(bmc.out)).toMatchObject({ ok: true, device: 'bmc-b', driver: 'ipmi', targets: [{ node: 'b', port: null, ok: true, power: 'on' }] });
  });

  it('fence-device test: monitor and status work without a power change; a wrong secret fails with exit 1', async () => {
    const site = await siteProfile();
    const common = ['--profile', 'sim-testbed', '--dir', shippedProfileDirectory(), '--dir', site];
    const before = outletChanges.length;
    const test = await heartline('fence-device', 'test', 'pdu', ...common, '--secrets', secretsDir);
    expect(test.code).toBe(0);
    expect(test.out).toMatch(/^ok +monitor: /m);
    expect(test.out).toMatch(/^ok +status a \(port 1\): off/m);
    expect(test.out).toMatch(/^ok +status b \(port 2\): on/m);
    expect(test.out).toContain('fence device pdu works');
    expect(outletChanges.length).toBe(before);

    const wrong = join(dir, 'wrong-secrets');
    await mkdir(wrong, { mode: 0o700 });
    await writeFile(join(wrong, 'bmc-b'), 'not-the-password\n', { mode: 0o600 });
    const refused = await heartline('fence-device', 'test', 'bmc-b', ...common, '--secrets', wrong);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/^FAILED +monitor: auth: /m);
    expect(refused.out).toContain('fence device bmc-b does NOT work');
    expect(refused.out).not.toContain('not-the-password');
  });

  it('fence-device test --power-cycle b --yes turns outlet 2 off, then on again, verified', async () => {
    const site = await siteProfile();
    const before = outletChanges.length;
    const cycle = await heartline('fence-device', 'test', 'pdu', '--profile', 'sim-testbed', '--dir', shippedProfileDirectory(), '--dir', site, '--secrets', secretsDir, '--power-cycle', 'b', '--yes', '--json');
    expect(cycle.err).toBe('');
    expect(cycle.code).toBe(0);
    const doc = JSON.parse(cycle.out) as { ok: boolean; steps: { step: string; ok: boolean; power: string | null }[] };
    expect(doc.steps.map((step) => `${step.step} ${step.ok ? 'ok' : 'failed'}`)).toEqual(['monitor ok', 'status a (port 1) ok', 'status b (port 2) ok', 'power-cycle b ok']);
    expect(doc.steps.at(-1)?.power).toBe('on');
    expect(await pdu.outletPower(2)).toBe('on');
    await eventually(() => (outletChanges.slice(before).join(', ') === '2 off, 2 on' ? true : undefined), { what: 'the simulator saw outlet 2 go off and on' });
  });
});
