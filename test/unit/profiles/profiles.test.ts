// Goal: hardware profiles: every shipped profile is valid (one fixture test per file), an invalid
// profile is refused with every problem at its file, line, column and path (schema and
// cross-entry rules), an appliance becomes drivers, levels and delays, and `heartline profile
// list|show|validate` print text and --json with the CLI's exit codes. Method: the shipped
// hw-profiles/ plus broken copies in a temporary directory; the CLI run in-process.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatConfigIssue } from '../../../src/config/index.js';
import type { ToolRunner } from '../../../src/fence/index.js';
import { buildApplianceFencing, fileSecretSource, loadProfileLibrary, mapSecretSource, parseProfileText, shippedProfileDirectory } from '../../../src/profiles/index.js';
import { cli } from '../cli/run-cli-in-process.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'heartline-profiles-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const noTools: ToolRunner = { run: () => Promise.reject(new Error('no tool may run while building drivers')) };

describe('shipped profiles', async () => {
  const library = await loadProfileLibrary([shippedProfileDirectory()]);
  it('has no problems', () => {
    expect(library.issues.map(formatConfigIssue)).toEqual([]);
  });
  for (const file of library.files) {
    it(`${file.slice(file.indexOf('hw-profiles'))} is loaded`, () => {
      const names = [...library.appliances.values(), ...library.pduModels.values(), ...library.bmcModels.values()].map((loaded) => loaded.source);
      expect(names).toContain(file);
    });
  }
  it('ships the generic IPMI appliance, the APC PDU appliance and the test profile', () => {
    expect([...library.appliances.keys()].sort()).toEqual(['generic-2node-apc-pdu', 'generic-2node-ipmi', 'generic-2node-ipmi-sbd', 'heartline-testbed']);
  });
  it('turns the APC appliance into drivers, two levels per node and the priority delay', async () => {
    const appliance = library.appliances.get('generic-2node-apc-pdu')?.profile;
    if (appliance === undefined) throw new Error('missing');
    const built = await buildApplianceFencing(appliance, library, { runner: noTools, secrets: mapSecretSource({ 'bmc-a': 'a', 'bmc-b': 'b', 'pdu-auth': 'auth-pass-1', 'pdu-priv': 'priv-pass-1' }) });
    if (!built.ok) throw new Error(built.error.join('; '));
    expect([...built.value.drivers.values()].map((d) => `${d.id} ${d.kind}`)).toEqual(['bmc-a ipmi', 'bmc-b ipmi', 'pdu snmp-pdu']);
    expect(built.value.topology.levelsFor('node-b')).toEqual([
      { index: 1, devices: [{ device: 'bmc-b' }] },
      { index: 2, devices: [{ device: 'pdu', port: '2' }] },
    ]);
    expect(built.value.priorityDelayMs).toBe(5000);
    const missing = await buildApplianceFencing(appliance, library, { runner: noTools, secrets: fileSecretSource(dir) });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error[0]).toBe(`fence device bmc-a: secret 'bmc-a' is missing: write it to ${join(dir, 'bmc-a')} (mode 600)`);
  });
});

const BROKEN = `kind: appliance
name: broken
nodes:
  - name: a
    fencing:
      - [{ device: bmc-a, port: "1" }]
  - name: b
    fencing:
      - [{ device: pdu }]
      - [{ device: nowhere }]
  - name: c
    fencing:
      - [{ device: bmc-a }]
links:
  - { name: s, kind: serial, device: /dev/ttyS0, baud: 12345 }
  - { name: e, kind: ethernet, interfaces: eth0 }
fence_devices:
  - { name: bmc-a, driver: ipmi, model: ipmi-lanplus, address: 10.0.0.1, username: u, password_secret: s }
  - name: pdu
    driver: snmp-pdu
    model: no-such-model
    address: 10.0.0.2
    snmp: { version: "3", username: u, security_level: authPriv }
`;

describe('invalid profiles', () => {
  it('reports every problem with its line, column and path', async () => {
    await writeFile(join(dir, 'broken.yaml'), BROKEN);
    const library = await loadProfileLibrary([dir, shippedProfileDirectory()]);
    const file = join(dir, 'broken.yaml');
    expect(library.issues.map(formatConfigIssue)).toEqual([
      `${file}:15:56: links[0].baud: 12345 is not a supported baud rate (9600, 19200, 38400, 57600, 115200, 230400)`,
      `${file}:16:5: links[1].interface: required key 'interface' is missing`,
      `${file}:16:32: links[1].interfaces: unknown key 'interfaces'; did you mean 'interface'? (the keys here are: name, kind, interface, description)`,
    ]);
    expect(library.appliances.has('broken')).toBe(false);
  });

  it('applies the cross-entry rules once the schema passes', async () => {
    await writeFile(join(dir, 'broken.yaml'), BROKEN.replace('baud: 12345', 'baud: 115200').replace('interfaces: eth0', 'interface: eth0'));
    const library = await loadProfileLibrary([dir, shippedProfileDirectory()]);
    const file = join(dir, 'broken.yaml');
    expect(library.issues.map(formatConfigIssue)).toEqual([
      `${file}:6:33: nodes[0].fencing[0][0].port: 'bmc-a' is a BMC: it fences its own node and takes no port`,
      `${file}:9:10: nodes[1].fencing[0][0]: 'pdu' is a PDU: say which outlet feeds b (port: "3")`,
      `${file}:10:20: nodes[1].fencing[1][0].device: no fence device named 'nowhere' (the devices are: bmc-a, pdu)`,
      `${file}:13:20: nodes[2].fencing[0][0].device: BMC 'bmc-a' already fences node 'a': a BMC powers only its own node`,
      `${file}:21:12: fence_devices[1].model: no pdu-model named 'no-such-model' (known: apc-masterswitch, apc-masterswitch-plus, apc-rpdu, eaton-managed-epdu, eaton-switched-epdu, ifmib-switch-port)`,
      `${file}:23:11: fence_devices[1].snmp: security level authPriv needs auth_protocol and auth_secret`,
      `${file}:23:11: fence_devices[1].snmp: security level authPriv needs priv_protocol and priv_secret`,
    ]);
  });

  it('explains an empty file, a wrong kind, bad OID templates and YAML syntax', () => {
    expect(parseProfileText('', 'x.yaml').issues[0]?.message).toMatch(/the file is empty: a profile starts with 'kind: appliance'/);
    expect(parseProfileText('kind: toaster\nname: t\n', 'x.yaml').issues.map((i) => i.message)).toEqual(["unknown kind 'toaster': use one of appliance, pdu-model, bmc-model"]);
    const oid = parseProfileText('kind: pdu-model\nname: p\nstatus: { oid: ".1.3.x.{outlet}", on: 1, off: 2 }\ncontrol: { oid: ".1.3.6.{port}", on: 1, off: 2 }\n', 'p.yaml');
    expect(oid.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "status.oid: '.1.3.x.{outlet}' is not a numeric OID template (digits and dots, with {outlet}, {outlet+K}, {outlet-K}, {switch})",
      "control.oid: '.1.3.6.{port}' is not a numeric OID template (digits and dots, with {outlet}, {outlet+K}, {outlet-K}, {switch})",
    ]);
    expect(parseProfileText('kind: [', 'y.yaml').issues[0]?.message).toMatch(/^YAML syntax:/);
  });
});

describe('heartline profile', () => {
  it('list: names the appliances and device models; --json too', async () => {
    const text = await cli('profile', 'list');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^Appliances:\nNAME\s+NODES\s+DESCRIPTION\n/);
    expect(text.out).toMatch(/heartline-testbed\s+a,b\s+/);
    const json = await cli('profile', 'list', '--json');
    const parsed = JSON.parse(json.out) as { appliances: { name: string }[]; deviceModels: { name: string; kind: string }[] };
    expect(parsed.appliances.map((a) => a.name)).toContain('generic-2node-ipmi');
    expect(parsed.deviceModels.find((m) => m.name === 'apc-rpdu')?.kind).toBe('pdu-model');
  });

  it('show: an appliance with its levels, a PDU model with its OIDs; an unknown name exits 2', async () => {
    const appliance = await cli('profile', 'show', 'generic-2node-apc-pdu');
    expect(appliance.code).toBe(0);
    expect(appliance.out).toContain('  node-a\n    level 1: bmc-a\n    level 2: pdu outlet 1\n');
    const model = await cli('profile', 'show', 'apc-masterswitch-plus');
    expect(model.out).toContain('control      .1.3.6.1.4.1.318.1.1.6.5.1.1.5.{switch}.1.{outlet}  on=1 off=3');
    const json = JSON.parse((await cli('profile', 'show', 'ipmi-lanplus', '--json')).out) as { profile: { ipmi: { cipher_suite: number } } };
    expect(json.profile.ipmi.cipher_suite).toBe(17);
    const unknown = await cli('profile', 'show', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("heartline: error: no valid profile named 'nope'");
  });

  it('validate: OK for the shipped set; every problem as FILE:LINE:COL and exit 2 for a broken file', async () => {
    expect(await cli('profile', 'validate')).toMatchObject({ code: 0, out: 'OK (4 appliances, 8 device models)\n' });
    const file = join(dir, 'broken.yaml');
    await writeFile(file, BROKEN);
    const bad = await cli('profile', 'validate', file);
    expect(bad.code).toBe(2);
    expect(bad.out.split('\n')[0]).toBe(`${file}:15:56: links[0].baud: 12345 is not a supported baud rate (9600, 19200, 38400, 57600, 115200, 230400)`);
    expect(bad.err).toContain('heartline: error: 3 problems in the profiles');
    const json = JSON.parse((await cli('profile', 'validate', file, '--json')).out) as { ok: boolean; issues: { path: string }[] };
    expect(json.ok).toBe(false);
    expect(json.issues.map((i) => i.path)).toEqual(['links[0].baud', 'links[1].interface', 'links[1].interfaces']);
  });

  it('has man-page help with examples', async () => {
    const help = await cli('profile', 'validate', '--help');
    expect(help.out).toContain('Examples:');
    expect(help.out).toContain('FILE:LINE:COL: path: message');
  });
});
