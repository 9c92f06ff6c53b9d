// Goal: `heartline profile apply` writes a heartline.yaml that the daemon's config loader takes,
// with the appliance's nodes, links (UDP addresses from --subnet/--address, serial devices from
// the profile) and fencing.profile; it refuses a node not in the appliance and a UDP link without
// addresses by name, never overwrites a file without --force, prints with --dry-run and --json.
// Method: applianceConfigText for every shipped appliance, then the CLI in-process on a temporary
// folder, each written file read back with loadConfigFile.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../../src/config/index.js';
import { applianceConfigText, loadProfileLibrary, shippedProfileDirectory } from '../../../src/profiles/index.js';
import { cli } from '../cli/run-cli-in-process.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'heartline-profile-apply-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('applianceConfigText', () => {
  it('gives every shipped appliance a configuration that parses, with its nodes, links and fencing.profile', async () => {
    const library = await loadProfileLibrary([shippedProfileDirectory()]);
    expect(library.appliances.size).toBeGreaterThanOrEqual(3);
    for (const { profile } of library.appliances.values()) {
      const subnets = Object.fromEntries(profile.links.filter((link) => link.kind !== 'serial').map((link, index) => [link.name, `10.213.${index + 1}.0/24`]));
      const text = applianceConfigText(profile, { node: profile.nodes[0]?.name ?? '', subnets });
      if (!text.ok) throw new Error(`${profile.name}: ${text.error.join('; ')}`);
      const parsed = parseConfig(text.value, `${profile.name}.yaml`);
      if (!parsed.ok) throw new Error(`${profile.name}: ${JSON.stringify(parsed.error)}`);
      expect(parsed.value.nodes.map((node) => node.name)).toEqual(profile.nodes.map((node) => node.name));
      expect(parsed.value.links.map((link) => [link.name, link.kind])).toEqual(profile.links.map((link) => [link.name, link.kind === 'serial' ? 'serial' : 'udp-unicast']));
      expect(parsed.value.fencing).toEqual({ kind: 'devices', profile: profile.name, cib: false });
    }
  });

  it('places node k on host address k of a subnet, an --address wins, serial links keep the device and baud', async () => {
    const library = await loadProfileLibrary([shippedProfileDirectory()]);
    const appliance = library.appliances.get('generic-2node-ipmi')?.profile;
    if (appliance === undefined) throw new Error('generic-2node-ipmi missing');
    const text = applianceConfigText(appliance, { node: 'node-a', subnets: { lan: '192.168.10.0/24', xover: '10.213.1.0/30' }, addresses: { lan: { 'node-b': '192.168.10.50' } }, clusterName: 'site-1', clusterId: 7 });
    if (!text.ok) throw new Error(text.error.join('; '));
    const parsed = parseConfig(text.value, 'x.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    expect(parsed.value.cluster).toMatchObject({ name: 'site-1', id: 7 });
    const endpoints = Object.fromEntries(parsed.value.links.map((link) => [link.name, link.endpoints.map((endpoint) => ('address' in endpoint ? endpoint.address : endpoint.device))]));
    expect(endpoints).toEqual({ lan: ['192.168.10.1', '192.168.10.50'], xover: ['10.213.1.1', '10.213.1.2'], serial: ['/dev/ttyS0', '/dev/ttyS0'] });
  });

  it('refuses a node of another appliance and a UDP link without addresses, naming them', async () => {
    const library = await loadProfileLibrary([shippedProfileDirectory()]);
    const appliance = library.appliances.get('generic-2node-ipmi')?.profile;
    if (appliance === undefined) throw new Error('generic-2node-ipmi missing');
    const text = applianceConfigText(appliance, { node: 'alpha', subnets: { lan: '192.168.10.0/24', wan: '10.0.0.0/8' } });
    expect(text.ok).toBe(false);
    if (text.ok) return;
    expect(text.error).toEqual([
      "--node: 'alpha' is not a node of appliance 'generic-2node-ipmi' (its nodes: node-a, node-b)",
      "appliance 'generic-2node-ipmi' has no link 'wan' (its links: lan, xover, serial)",
      "link 'xover': no address for node-a: give --subnet xover=NETWORK/PREFIX (node k gets host address k) or --address xover:node-a=ADDRESS/PREFIX",
      "link 'xover': no address for node-b: give --subnet xover=NETWORK/PREFIX (node k gets host address k) or --address xover:node-b=ADDRESS/PREFIX",
    ]);
  });
});

describe('heartline profile apply', () => {
  const args = ['profile', 'apply', 'heartline-testbed', '--node', 'a', '--subnet', 'link0=10.213.1.0/24', '--subnet', 'link1=10.213.2.0/24'];

  it('writes a file the config loader takes, and refuses to overwrite it without --force', async () => {
    const output = join(dir, 'heartline.yaml');
    const first = await cli(...args, '-o', output);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toContain(`wrote ${output} for node a`);
    const loaded = await loadConfigFile(output);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
    expect(loaded.value.nodes.map((node) => [node.name, node.id])).toEqual([['a', 1], ['b', 2]]);
    expect(loaded.value.fencing).toEqual({ kind: 'devices', profile: 'heartline-testbed', cib: false });

    await writeFile(output, '# mine\n');
    const again = await cli(...args, '-o', output);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/exists already: nothing was written/);
    expect(await readFile(output, 'utf8')).toBe('# mine\n');
    expect((await cli(...args, '-o', output, '--force')).code).toBe(0);
    expect(await readFile(output, 'utf8')).toContain('profile: heartline-testbed');
  });

  it('--dry-run prints the file and writes nothing; --json gives it as data', async () => {
    const output = join(dir, 'dry.yaml');
    const dry = await cli(...args, '-o', output, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('kind: udp-unicast');
    await expect(readFile(output, 'utf8')).rejects.toThrow();
    const json = await cli(...args, '-o', output, '--dry-run', '--json');
    const doc = JSON.parse(json.out) as { ok: boolean; written: boolean; node: string; text: string };
    expect(doc).toMatchObject({ ok: true, written: false, node: 'a' });
    expect(parseConfig(doc.text, 'dry.yaml').ok).toBe(true);
  });

  it('exits 2 for an unknown appliance and for missing addresses', async () => {
    expect((await cli('profile', 'apply', 'no-such', '--node', 'a', '--dry-run')).err).toMatch(/no valid appliance profile named 'no-such'/);
    const missing = await cli('profile', 'apply', 'heartline-testbed', '--node', 'a', '--dry-run');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/link 'link0': no address for a: give --subnet link0=/);
  });
});
