// Goal: `heartline fence-device list` shows each device of the shipped profiles with the nodes it
// fences (level, outlet), filtered by --profile and --node, refusing unknown names with exit 2;
// `status`/`test` refuse bad usage before touching a device (ambiguous device, node it does not
// fence, --power-cycle without --yes, a missing secret file naming its path); `heartline fence
// history` prints a history file's rows newest first (text and --json, --target, --limit) and
// exits 1 naming a missing file. Method: the CLI run in-process; a history written with
// FenceHistory in a temporary folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FenceHistory } from '../../../src/fence/index.js';
import { cli } from './run-cli-in-process.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'heartline-fence-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('heartline fence-device list --cib', () => {
  it("lists a CIB file's stonith resources with the nodes they fence, the unusable ones with why, and no password", async () => {
    const cib = join(dir, 'cib.xml');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      cib,
      `<cib admin_epoch="0" epoch="3" num_updates="0"><configuration><crm_config/>
      <nodes><node id="1" uname="node-a"/><node id="2" uname="node-b"/></nodes>
      <resources>
        <primitive id="fence-a" class="stonith" type="fence_ipmilan"><instance_attributes id="fa"><nvpair id="fa1" name="ip" value="10.0.0.11"/><nvpair id="fa2" name="password" value="topsecret"/><nvpair id="fa3" name="pcmk_host_list" value="node-a"/></instance_attributes></primitive>
        <primitive id="pdu" class="stonith" type="fence_apc_snmp"><instance_attributes id="pa"><nvpair id="pa1" name="ip" value="10.0.0.5"/><nvpair id="pa2" name="pcmk_host_map" value="node-a:1;node-b:2"/></instance_attributes></primitive>
        <primitive id="bad" class="stonith" type="fence_ipmilan"><instance_attributes id="ba"><nvpair id="ba1" name="pcmk_host_check" value="status"/></instance_attributes></primitive>
      </resources><constraints/>
      <fencing-topology><fencing-level id="l1" target="node-a" index="1" devices="fence-a"/><fencing-level id="l2" target="node-a" index="2" devices="pdu"/></fencing-topology>
      </configuration><status/></cib>`,
    );
    const run = await cli('fence-device', 'list', '--cib', cib);
    expect(run.code).toBe(0);
    expect(run.out).not.toContain('topsecret');
    expect(run.out.split('\n').filter((line) => line !== '')).toEqual([
      'SOURCE  DEVICE   DRIVER       AGENT           ADDRESS    FENCES',
      'cib     fence-a  fence-agent  fence_ipmilan   10.0.0.11  node-a (level 1, port node-a)',
      'cib     pdu      fence-agent  fence_apc_snmp  10.0.0.5   node-a (level 2, port 1), node-b (level 1, port 2)',
      'Not usable:',
      "  resource 'bad': pcmk_host_check=status is not supported (a BMC answers status for any node): set pcmk_host_list or pcmk_host_map",
    ]);
    const json = await cli('fence-device', 'list', '--cib', cib, '--node', 'node-b', '--json');
    expect((JSON.parse(json.out) as { devices: { name: string }[] }).devices.map((d) => d.name)).toEqual(['pdu']);
    expect(json.out).not.toContain('topsecret');
    const missing = await cli('fence-device', 'status', 'nope', '--cib', cib);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/has no usable stonith resource named 'nope' \(usable: fence-a, pdu\)/);
  });
});

describe('heartline fence-device list', () => {
  it('lists the devices of one appliance with the nodes they fence', async () => {
    const run = await cli('fence-device', 'list', '--profile', 'heartline-testbed');
    expect(run.code).toBe(0);
    expect(run.out.split('\n').filter((line) => line !== '')).toEqual([
      'APPLIANCE          DEVICE  DRIVER    MODEL/AGENT       ADDRESS    FENCES',
      'heartline-testbed  bmc-a   ipmi      ipmi-lanplus-cs3  127.0.0.1  a (level 1)',
      'heartline-testbed  bmc-b   ipmi      ipmi-lanplus-cs3  127.0.0.1  b (level 1)',
      'heartline-testbed  pdu     snmp-pdu  apc-rpdu          127.0.0.1  a (level 2, port 1), b (level 2, port 2)',
    ]);
  });

  it('--node keeps the devices that fence that node, in level order, with only its outlet (--json)', async () => {
    const run = await cli('fence-device', 'list', '--profile', 'heartline-testbed', '--node', 'b', '--json');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.out) as { devices: { name: string; targets: unknown[] }[] };
    expect(doc.devices.map((d) => [d.name, d.targets])).toEqual([
      ['bmc-b', [{ node: 'b', level: 1 }]],
      ['pdu', [{ node: 'b', level: 2, port: '2' }]],
    ]);
  });

  it('refuses an unknown appliance or node with exit 2', async () => {
    const appliance = await cli('fence-device', 'list', '--profile', 'nope');
    expect(appliance.code).toBe(2);
    expect(appliance.err).toContain("no valid appliance profile named 'nope'");
    const node = await cli('fence-device', 'list', '--profile', 'heartline-testbed', '--node', 'zz');
    expect(node.code).toBe(2);
    expect(node.err).toContain("no node of appliance 'heartline-testbed' has a node named 'zz'");
  });
});

describe('heartline fence-device status|test: usage refused before any device is touched', () => {
  it('a device in several appliances needs --profile', async () => {
    const run = await cli('fence-device', 'status', 'pdu', '--secrets', dir);
    expect(run.code).toBe(2);
    expect(run.err).toContain("fence device 'pdu' is in several appliance profiles (generic-2node-apc-pdu, heartline-testbed)");
    expect(run.err).toContain('--profile APPLIANCE');
  });

  it('a missing secret file is named with its path and mode', async () => {
    const run = await cli('fence-device', 'status', 'pdu', '--profile', 'heartline-testbed', '--secrets', dir, '--json');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.out)).toMatchObject({ ok: false, error: { code: 'device-unusable' } });
    expect(run.err).toContain(`secret 'pdu-community' is missing: write it to ${join(dir, 'pdu-community')} (mode 600)`);
  });

  it('--power-cycle needs --yes', async () => {
    const run = await cli('fence-device', 'test', 'bmc-a', '--profile', 'heartline-testbed', '--power-cycle', 'a');
    expect(run.code).toBe(2);
    expect(run.err).toContain('--power-cycle a turns node a off and on again');
  });
});

describe('heartline fence history', () => {
  const T0 = Date.UTC(2026, 10, 28, 9, 30, 0);

  function writeHistory(): string {
    const path = join(dir, 'fence-history.sqlite');
    const opened = FenceHistory.open(path);
    if (!opened.ok) expect.fail(opened.error.message);
    const history = opened.value;
    history.record({ target: 'a', action: 'off', devices: ['bmc-a'], level: 1, reason: 'peer lost', requester: 'b', startedAtMs: T0, endedAtMs: T0 + 850, ok: true, poweredOff: true, attempts: [{ level: 1, device: 'bmc-a', action: 'off', ok: true }] });
    history.record({
      target: 'b',
      action: 'reboot',
      devices: ['bmc-b', 'pdu'],
      reason: 'stop failed for db',
      requester: 'root@a',
      startedAtMs: T0 + 60_000,
      endedAtMs: T0 + 81_000,
      ok: false,
      failureReason: 'every fence level for b failed: level 1 bmc-b reboot: no answer; level 2 pdu:2 reboot: no answer',
      poweredOff: false,
      attempts: [],
    });
    history.close();
    return path;
  }

  it('prints the rows newest first, a failure with its reason below', async () => {
    const path = writeHistory();
    const run = await cli('fence', 'history', '--history', path);
    expect(run.code).toBe(0);
    expect(run.out.split('\n').filter((line) => line !== '')).toEqual([
      'STARTED               TARGET  ACTION  RESULT  DEVICES    TOOK    REQUESTER  REASON',
      '2026-11-28 09:31:00Z  b       reboot  FAILED  bmc-b,pdu  21.0 s  root@a     stop failed for db',
      '    every fence level for b failed: level 1 bmc-b reboot: no answer; level 2 pdu:2 reboot: no answer',
      '2026-11-28 09:30:00Z  a       off     ok      bmc-a      850 ms  b          peer lost',
    ]);
  });

  it('--target, --limit and --json', async () => {
    const path = writeHistory();
    const run = await cli('fence', 'history', '--history', path, '--target', 'a', '--limit', '1', '--json');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.out) as { ok: boolean; entries: Record<string, unknown>[] };
    expect(doc.ok).toBe(true);
    expect(doc.entries).toHaveLength(1);
    expect(doc.entries[0]).toMatchObject({ sequence: 1, target: 'a', ok: true, devices: ['bmc-a'], started: '2026-11-28T09:30:00.000Z' });
    const all = await cli('fence', 'history', '--history', path, '--limit', '5', '--json');
    expect((JSON.parse(all.out) as { entries: unknown[] }).entries).toHaveLength(2);
    const bad = await cli('fence', 'history', '--history', path, '--limit', '0');
    expect(bad.code).toBe(2);
  });

  it('exits 1 naming a missing file', async () => {
    const run = await cli('fence', 'history', '--history', join(dir, 'none.sqlite'));
    expect(run.code).toBe(1);
    expect(run.err).toContain(`there is no fence history at ${join(dir, 'none.sqlite')}`);
  });
});
