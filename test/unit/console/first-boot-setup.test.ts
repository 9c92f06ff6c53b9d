// Goal: first-boot setup writes what `heartline profile apply` writes (checked the same way), a key
// the daemon accepts, and the node name into the service's environment file without losing other
// settings; a bad key or subnet is refused in words.
// Method: the shipped heartline-testbed profile, files in a temporary folder.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultsFileText, importedKey, setupConfigText, terminalCapabilities, writeSetup, type SetupPaths } from '../../../src/console/index.js';
import { parseConfig } from '../../../src/config/index.js';
import { generateAuthKey, parseAuthKey } from '../../../src/links/auth-key.js';
import { DEFAULT_PROFILE_DIRECTORY, applianceSecrets, fileSecretSource, loadProfileLibrary } from '../../../src/profiles/index.js';

const dir = mkdtempSync(join(tmpdir(), 'heartline-console-setup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const paths: SetupPaths = { config: join(dir, 'etc/heartline.yaml'), authkey: join(dir, 'etc/authkey'), defaultsFile: join(dir, 'default/heartline'), profileDirs: [DEFAULT_PROFILE_DIRECTORY] };

describe('first-boot setup', () => {
  it('writes a configuration that loads, a key the daemon accepts (mode 600) and the node name', async () => {
    const library = await loadProfileLibrary([DEFAULT_PROFILE_DIRECTORY]);
    const appliance = library.appliances.get('heartline-testbed')?.profile;
    if (appliance === undefined) throw new Error('the shipped heartline-testbed profile is missing');
    const text = setupConfigText(paths, { appliance, node: 'b', subnets: { link0: '10.213.1.0/24', link1: '10.213.2.0/24' } });
    expect(text.ok).toBe(true);
    if (!text.ok) return;
    expect(text.value).toContain(`authkey: ${paths.authkey}`);
    const written = await writeSetup(paths, { appliance, node: 'b', subnets: {}, key: { kind: 'generate' } }, text.value);
    expect(written.ok, JSON.stringify(written)).toBe(true);
    expect(parseConfig(readFileSync(paths.config, 'utf8'), paths.config).ok).toBe(true);
    expect(statSync(paths.authkey).mode & 0o777).toBe(0o600);
    expect(parseAuthKey(readFileSync(paths.authkey, 'utf8'), paths.authkey).ok).toBe(true);
    expect(readFileSync(paths.defaultsFile, 'utf8')).toContain('HEARTLINE_DAEMON_OPTIONS="--node b"');
  });

  it('names every secret the fence devices need, and writes typed ones mode 600 where the configuration says', async () => {
    const library = await loadProfileLibrary([DEFAULT_PROFILE_DIRECTORY]);
    const appliance = library.appliances.get('heartline-testbed')?.profile;
    if (appliance === undefined) throw new Error('the shipped heartline-testbed profile is missing');
    const secrets = applianceSecrets(appliance);
    expect(secrets.map((s) => [s.name, s.device])).toEqual([
      ['bmc-a', 'bmc-a'],
      ['bmc-b', 'bmc-b'],
      ['pdu-community', 'pdu'],
    ]);
    expect(secrets[0]?.what).toMatch(/IPMI password of user \S+ on the BMC at/);
    const text = setupConfigText(paths, { appliance, node: 'a', subnets: { link0: '10.213.1.0/24', link1: '10.213.2.0/24' } });
    if (!text.ok) throw new Error(text.error);
    expect(text.value).toContain(`secrets_dir: ${join(dir, 'etc/secrets')}`);
    const written = await writeSetup(paths, { appliance, node: 'a', subnets: {}, key: { kind: 'keep' }, secrets: { 'bmc-a': 'pass a' } }, text.value);
    expect(written.ok && written.value[0]).toMatch(/wrote the secret bmc-a to .*etc\/secrets \(mode 600\)/);
    expect(readFileSync(join(dir, 'etc/secrets/bmc-a'), 'utf8')).toBe('pass a\n');
    expect(statSync(join(dir, 'etc/secrets/bmc-a')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'etc/secrets')).mode & 0o777).toBe(0o700);
    // What the daemon reads: the secret, and a missing one named with its path.
    const source = fileSecretSource(join(dir, 'etc/secrets'));
    expect(await source.secret('bmc-a')).toEqual({ ok: true, value: 'pass a' });
    expect(await source.secret('bmc-b')).toMatchObject({ ok: false });
  });

  it('refuses a subnet that does not fit, naming the link', async () => {
    const library = await loadProfileLibrary([DEFAULT_PROFILE_DIRECTORY]);
    const appliance = library.appliances.get('heartline-testbed')?.profile;
    if (appliance === undefined) throw new Error('the shipped heartline-testbed profile is missing');
    const text = setupConfigText(paths, { appliance, node: 'a', subnets: { link0: '10.213.1.0/24' } });
    expect(text.ok).toBe(false);
    expect(!text.ok && text.error).toMatch(/link1/);
  });

  it('imports a key from a file or a typed key line, and refuses a weak or malformed one in words', async () => {
    const keyFile = join(dir, 'other-authkey');
    writeFileSync(keyFile, generateAuthKey(3), { mode: 0o600 });
    expect(await importedKey(keyFile)).toMatchObject({ ok: true, value: { kind: 'import', from: keyFile } });
    const typed = await importedKey(`2 sha256 ${'ab'.repeat(32)}`);
    expect(typed.ok).toBe(true);
    expect(typed.ok && typed.value.kind === 'import' && parseAuthKey(typed.value.text, 'x').ok).toBe(true);
    for (const [typedText, reason] of [['1 md5 abc', /only sha256/], ['hello', /neither a file path/], ['/no/such/file', /cannot read/]] as const) {
      const refused = await importedKey(typedText);
      expect(refused.ok).toBe(false);
      expect(!refused.ok && refused.error).toMatch(reason);
    }
  });

  it('sets --node in the environment file and keeps the rest', () => {
    expect(defaultsFileText('', 'a')).toBe('# Read by heartline.service and heartline-snmp.service (see the units).\nHEARTLINE_DAEMON_OPTIONS="--node a"\nHEARTLINE_SNMP_OPTIONS="--node a"\n');
    expect(defaultsFileText('HEARTLINE_NODE=/opt/node/bin/node\nHEARTLINE_DAEMON_OPTIONS="--node old --log-level debug"\n#HEARTLINE_SNMP_OPTIONS="--node alpha"\nHEARTLINE_SNMP_OPTIONS="--standalone 0.0.0.0:161"\n', 'b')).toBe(
      'HEARTLINE_NODE=/opt/node/bin/node\nHEARTLINE_DAEMON_OPTIONS="--log-level debug --node b"\n#HEARTLINE_SNMP_OPTIONS="--node alpha"\nHEARTLINE_SNMP_OPTIONS="--standalone 0.0.0.0:161 --node b"\n',
    );
  });
});

describe('terminalCapabilities', () => {
  it.each([
    [{ TERM: 'vt100' }, false, true],
    [{ TERM: 'xterm-256color' }, true, true],
    [{ TERM: 'xterm-256color', NO_COLOR: '1' }, false, true],
    [{ TERM: 'linux', NO_COLOR: '' }, true, true],
    [{ TERM: 'dumb' }, false, false],
    [{}, false, false],
  ])('%j: colour %s, clear %s', (env, colour, clear) => {
    const caps = terminalCapabilities(env);
    expect(caps.style.colour).toBe(colour);
    expect(caps.clearScreen).toBe(clear);
  });
});
