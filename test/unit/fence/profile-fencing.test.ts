// Goal: ProfileFencing, the NodeFencing of a hardware profile: createProfileFencing refuses an
// unknown appliance, a node that is not in it and a missing secret file (naming its path and mode
// 600) before anything runs; fence() answers with the device that fenced and records a history
// row; a fence with every device failing answers ok: false naming each device and records it;
// close() answers a pending fence with ok: false; buildProfileDevice needs only its device's
// secrets. Method: the shipped heartline-testbed profile, secrets in a temporary folder, a
// scripted ipmitool/snmpget runner (BMC power per port), a real history file, the system clock.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FenceHistory, type ToolInvocation, type ToolOutcome, type ToolRunner } from '../../../src/fence/index.js';
import { buildProfileDevice, createProfileFencing, deviceTargets, type ProfileFencingOptions } from '../../../src/fence/profile-fencing.js';
import { silentLogger } from '../../../src/lib/index.js';
import { SystemClock } from '../../../src/platform/index.js';
import { loadProfileLibrary, shippedProfileDirectory, type ProfileLibrary } from '../../../src/profiles/index.js';

let dir: string;
let secretsDir: string;
let library: ProfileLibrary;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'heartline-profile-fencing-'));
  secretsDir = join(dir, 'secrets');
  await writeSecrets({ 'bmc-a': 'bmc-a-pass', 'bmc-b': 'bmc-b-pass', 'pdu-community': 'private' });
  library = await loadProfileLibrary([shippedProfileDirectory()]);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeSecrets(secrets: Record<string, string>): Promise<void> {
  await mkdir(secretsDir, { recursive: true, mode: 0o700 });
  for (const [name, value] of Object.entries(secrets)) {
    await writeFile(join(secretsDir, name), `${value}\n`, { mode: 0o600 });
    await chmod(join(secretsDir, name), 0o600);
  }
}

/** ipmitool answers from a power state per BMC port (hangs never); BMC ports listed in `dead` and every snmpget give "no answer". */
function scriptedDevices(power: Record<string, 'on' | 'off'>, dead: readonly string[] = []): ToolRunner & { calls: ToolInvocation[] } {
  const calls: ToolInvocation[] = [];
  const answer = (invocation: ToolInvocation): Partial<ToolOutcome> => {
    if (invocation.file !== 'ipmitool') return { exitCode: 1, stderr: 'Timeout: No Response from udp:127.0.0.1:161.\n' };
    const port = invocation.args[invocation.args.indexOf('-p') + 1] ?? '';
    if (dead.includes(port)) return { exitCode: 1, stderr: 'Get Auth Capabilities error\nError: Unable to establish IPMI v2 / RMCP+ session\n' };
    const sub = invocation.args.at(-1);
    if (sub === 'status') return { stdout: `Chassis Power is ${power[port] ?? 'on'}\n` };
    power[port] = sub === 'off' ? 'off' : 'on';
    return { stdout: `Chassis Power Control: ${sub === 'off' ? 'Down/Off' : 'Up/On'}\n` };
  };
  return {
    calls,
    run(invocation) {
      calls.push(invocation);
      return Promise.resolve({ exitCode: 0, stdout: '', stderr: '', timedOut: false, aborted: false, elapsedMs: 1, ...answer(invocation) });
    },
  };
}

const noTools: ToolRunner = { run: () => Promise.reject(new Error('no tool may run while building')) };

function options(overrides: Partial<ProfileFencingOptions> = {}): ProfileFencingOptions {
  return {
    library,
    appliance: 'heartline-testbed',
    self: 'b',
    secretsDir,
    historyPath: join(dir, 'fence-history.sqlite'),
    clock: new SystemClock(),
    logger: silentLogger,
    runner: noTools,
    addressOverrides: { 'bmc-a': { port: 7001 }, 'bmc-b': { port: 7002 }, pdu: { port: 7003 } },
    ...overrides,
  };
}

describe('createProfileFencing', () => {
  it('refuses an unknown appliance, naming the known ones', async () => {
    const built = await createProfileFencing(options({ appliance: 'no-such-box' }));
    expect(built.ok).toBe(false);
    if (!built.ok) {
      expect(built.error.kind).toBe('unknown-appliance');
      expect(built.error.message).toMatch(/no valid appliance profile named 'no-such-box' \(known: .*heartline-testbed.*\)/);
    }
  });

  it('refuses a node that is not in the appliance, naming its nodes', async () => {
    const built = await createProfileFencing(options({ self: 'c' }));
    expect(built.ok ? '' : built.error.message).toBe("node 'c' is not a node of appliance 'heartline-testbed' (its nodes: a, b); use the node names of the profile");
  });

  it('refuses a missing secret file with its path and the mode it needs, and a readable one with the chmod', async () => {
    await rm(join(secretsDir, 'bmc-b'));
    await chmod(join(secretsDir, 'pdu-community'), 0o644);
    const built = await createProfileFencing(options());
    expect(built.ok).toBe(false);
    if (!built.ok) {
      expect(built.error.kind).toBe('devices');
      expect(built.error.problems).toEqual([
        `fence device bmc-b: secret 'bmc-b' is missing: write it to ${join(secretsDir, 'bmc-b')} (mode 600)`,
        `fence device pdu: secret file ${join(secretsDir, 'pdu-community')} may be read by group or others: chmod 600 ${join(secretsDir, 'pdu-community')}`,
      ]);
    }
  });

  it('refuses a history file it cannot create, naming it', async () => {
    const built = await createProfileFencing(options({ historyPath: join(dir, 'missing', 'fence-history.sqlite') }));
    expect(built.ok ? '' : `${built.error.kind}: ${built.error.message}`).toMatch(/^history: cannot open the fence history .*missing\/fence-history.sqlite/);
  });
});

describe('ProfileFencing', () => {
  it('fences a through its BMC, answers with the device, and records the outcome', async () => {
    const runner = scriptedDevices({ '7001': 'on' });
    const built = await createProfileFencing(options({ runner }));
    if (!built.ok) expect.fail(built.error.message);
    const fencing = built.value;
    const result = await fencing.fence({ target: 'a', action: 'off', reason: 'peer lost', requester: 'b' });
    expect(result).toMatchObject({ ok: true, device: 'bmc-a' });
    await fencing.close();
    // The password travels in the environment only.
    expect(runner.calls.every((call) => !call.args.join(' ').includes('bmc-a-pass'))).toBe(true);
    const history = FenceHistory.openReadOnly(join(dir, 'fence-history.sqlite'));
    if (!history.ok) expect.fail(history.error.message);
    const rows = history.value.list();
    history.value.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ target: 'a', action: 'off', devices: ['bmc-a'], level: 1, reason: 'peer lost', requester: 'b', ok: true, poweredOff: true });
    expect(rows[0]?.attempts).toEqual([{ level: 1, device: 'bmc-a', action: 'off', ok: true }]);
    expect(rows[0]!.endedAtMs).toBeGreaterThanOrEqual(rows[0]!.startedAtMs);
  });

  it('with every device failing answers ok: false naming each device, and records the failure', async () => {
    const runner = scriptedDevices({}, ['7001']);
    const built = await createProfileFencing(options({ runner }));
    if (!built.ok) expect.fail(built.error.message);
    const result = await built.value.fence({ target: 'a', action: 'off', reason: 'peer lost', requester: 'b' });
    await built.value.close();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^every fence level for a failed: level 1 bmc-a off: .*; level 2 pdu:1 off: /);
    const history = FenceHistory.openReadOnly(join(dir, 'fence-history.sqlite'));
    if (!history.ok) expect.fail(history.error.message);
    const [row] = history.value.list({ target: 'a' });
    history.value.close();
    expect(row).toMatchObject({ ok: false, devices: ['bmc-a', 'pdu'], poweredOff: false });
    expect(row?.failureReason).toBe(result.ok ? '' : result.reason);
  });

  it('a target that is not in the profile fails without touching a device, and is recorded', async () => {
    const runner = scriptedDevices({});
    const built = await createProfileFencing(options({ runner }));
    if (!built.ok) expect.fail(built.error.message);
    const result = await built.value.fence({ target: 'zz', action: 'off', reason: 'peer lost', requester: 'b' });
    await built.value.close();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('zz');
    expect(runner.calls).toEqual([]);
    const history = FenceHistory.openReadOnly(join(dir, 'fence-history.sqlite'));
    if (!history.ok) expect.fail(history.error.message);
    expect(history.value.list().map((row) => `${row.target} ${row.ok ? 'ok' : 'failed'} [${row.devices.join(',')}]`)).toEqual(['zz failed []']);
    history.value.close();
  });

  it('close() answers a fence still in its delay with ok: false, and later calls too', async () => {
    // Fencing a with b's priority higher: a's priority delay (2 s) holds the request.
    const built = await createProfileFencing(options({ runner: scriptedDevices({}), priorities: () => ({ a: 10, b: 1 }) }));
    if (!built.ok) expect.fail(built.error.message);
    const pending = built.value.fence({ target: 'a', action: 'off', reason: 'peer lost', requester: 'b' });
    await built.value.close();
    expect(await pending).toMatchObject({ ok: false, reason: expect.stringContaining('shutting down') as string });
    expect(await built.value.fence({ target: 'a', action: 'off', reason: 'again', requester: 'b' })).toMatchObject({ ok: false });
  });
});

describe('buildProfileDevice and deviceTargets', () => {
  it('maps each device to the nodes, levels and ports that use it', () => {
    const appliance = library.appliances.get('heartline-testbed')?.profile;
    if (appliance === undefined) expect.fail('no heartline-testbed');
    expect(Object.fromEntries(deviceTargets(appliance))).toEqual({
      'bmc-a': [{ node: 'a', level: 1 }],
      'bmc-b': [{ node: 'b', level: 1 }],
      pdu: [
        { node: 'a', level: 2, port: '1' },
        { node: 'b', level: 2, port: '2' },
      ],
    });
  });

  it('builds one device with only its own secrets', async () => {
    await rm(join(secretsDir, 'bmc-a'));
    await rm(join(secretsDir, 'bmc-b'));
    const built = await buildProfileDevice({ library, appliance: 'heartline-testbed', device: 'pdu', secretsDir, runner: noTools });
    if (!built.ok) expect.fail(built.error.message);
    expect(built.value.driver.id).toBe('pdu');
    expect(built.value.targets.map((target) => target.port)).toEqual(['1', '2']);
    const unknown = await buildProfileDevice({ library, appliance: 'heartline-testbed', device: 'nope', secretsDir, runner: noTools });
    expect(unknown.ok ? '' : unknown.error.message).toBe("appliance 'heartline-testbed' has no fence device named 'nope' (its devices: bmc-a, bmc-b, pdu)");
  });
});
