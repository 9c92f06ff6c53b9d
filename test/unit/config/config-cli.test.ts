// The `heartline config check` and `heartline import heartbeat` commands, run in-process through
// runCli with a fake terminal on files in a fresh temporary directory: their text and --json
// output, exit codes, errors with hints, and the round trip ha.cf → import → fill in → check.
import { mkdtemp, readFile, rm, stat, writeFile, copyFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../cli/run-cli-in-process.js';


let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'heartline-config-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EXAMPLE = new URL('../../../docs/examples/heartline.yaml', import.meta.url);
const BAD = ['cluster:', '  name: c1', '  id: 0', 'nodes:', '  - { name: alpha, id: 1 }', 'links:', '  - { name: x, kind: udp-unicast, addresses: { alpha: 10.0.0.1, beta: 10.0.0.2 } }', 'timming: {}', ''].join('\n');

describe('heartline config check', () => {
  it('prints FILE: OK with the node and link counts for the shipped example', async () => {
    const file = join(dir, 'heartline.yaml');
    await copyFile(EXAMPLE, file);
    const { code, out, err } = await cli('config', 'check', file);
    expect({ code, out, err }).toEqual({ code: 0, out: `${file}: OK (2 nodes, 4 links)\n`, err: '' });
  });

  it('prints one JSON document with the resolved config under --json', async () => {
    const file = join(dir, 'heartline.yaml');
    await copyFile(EXAMPLE, file);
    const { code, out } = await cli('config', 'check', file, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ ok: true, file, nodes: 2, links: 4, config: { cluster: { name: 'appliance-01' }, timing: { deadtimeMs: 500 } } });
  });

  it('prints every issue as FILE:LINE:COL: path: message and exits 2', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, BAD);
    const { code, out, err } = await cli('config', 'check', file);
    expect(code).toBe(2);
    expect(out.trimEnd().split('\n')).toEqual([
      `${file}:3:7: cluster.id: the cluster id is a number from 1 to 4294967295; 0 is not allowed so that an unset id is never mistaken for a real one`,
      `${file}:7:65: links[0].addresses.beta: 'beta' is not a configured node (the nodes are alpha)`,
      `${file}:8:1: timming: unknown section 'timming'; did you mean 'timing'? (the sections are: cluster, nodes, links, quorum, timing, fencing, events, storage, metrics, snmp)`,
    ]);
    expect(err).toContain(`heartline: error: ${file} has 3 problems`);
    expect(err).toContain('heartline: hint: ');
  });

  it('prints the issues as one JSON document under --json', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, BAD);
    const { code, out } = await cli('config', 'check', file, '--json');
    expect(code).toBe(2);
    const document = JSON.parse(out) as { ok: boolean; issues: { path: string; line: number; column: number; message: string }[] };
    expect(document.ok).toBe(false);
    expect(document.issues.map((issue) => [issue.path, issue.line, issue.column])).toEqual([
      ['cluster.id', 3, 7],
      ['links[0].addresses.beta', 7, 65],
      ['timming', 8, 1],
    ]);
  });

  it('reports a missing file as an error with a hint, in text and JSON', async () => {
    const file = join(dir, 'missing.yaml');
    const text = await cli('config', 'check', file);
    expect(text.code).toBe(2);
    expect(text.err).toContain(`heartline: error: ${file} does not exist`);
    expect(text.err).toContain('heartline: hint: create it from docs/examples/heartline.yaml');
    const json = await cli('config', 'check', file, '--json');
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, error: { code: 'config-missing' } });
  });

  it('documents itself with examples', async () => {
    const group = await cli('config', '--help');
    expect(group.out).toMatch(/^\s+check \[options\] <file>\s+validate a configuration file/m);
    const check = await cli('config', 'check', '--help');
    expect(check.out).toContain('Examples:');
    expect(check.out).toContain('FILE:LINE:COL: path: message');
    const top = await cli('--help');
    expect(top.out).toMatch(/^\s+config\s+check and manage heartline.yaml/m);
    expect(top.out).toMatch(/^\s+import\s+convert another cluster stack's configuration/m);
  });
});

const HA_CF = ['keepalive 500ms', 'deadtime 5', 'warntime 2', 'initdead 20', 'bcast eth0', 'ucast eth1 10.9.0.2', 'serial /dev/ttyS0', 'auto_failback off', 'node alpha', 'node beta', ''].join('\n');
const AUTHKEYS = 'auth 1\n1 sha1 ThisIsAVeryLongHeartbeatSecret\n';

async function heartbeatDir(files: Record<string, string>): Promise<string> {
  const haDir = join(dir, 'ha.d');
  await mkdir(haDir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(haDir, name), text, { mode: 0o600 });
  return haDir;
}

describe('heartline import heartbeat', () => {
  it('prints the converted YAML on stdout and a summary on stderr, never the secret', async () => {
    const haDir = await heartbeatDir({ 'ha.cf': HA_CF, authkeys: AUTHKEYS });
    const { code, out, err } = await cli('import', 'heartbeat', haDir, '--node', 'alpha');
    expect(code).toBe(0);
    expect(out).toContain('kind: udp-broadcast');
    expect(out).toContain('# TODO');
    expect(out).toMatch(/ha.cf:8: auto_failback: not converted/);
    expect(err).toContain('heartline: converted 2 nodes, 3 links; 3 values to fill in, 1 item not converted');
    expect(err).toContain('secrets are never printed');
    expect(out + err).not.toContain(Buffer.from('ThisIsAVeryLongHeartbeatSecret').toString('hex'));
  });

  it('writes the configuration and a mode-600 key file with --output, which config check accepts once filled in', async () => {
    const haDir = await heartbeatDir({ 'ha.cf': HA_CF, authkeys: AUTHKEYS });
    const output = join(dir, 'heartline.yaml');
    const run = await cli('import', 'heartbeat', haDir, '--node', 'alpha', '--output', output);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`wrote ${output} (2 nodes, 3 links; 3 values to fill in, 1 item not converted)`);
    expect(run.out).toContain(`wrote ${join(dir, 'authkey')} (mode 600`);
    expect((await stat(join(dir, 'authkey'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'authkey'), 'utf8')).toMatch(/^auth 1$/m);

    const unfilled = await cli('config', 'check', output);
    expect(unfilled.code).toBe(2);
    expect(unfilled.out).toContain('still the placeholder');

    const filled = (await readFile(output, 'utf8'))
      .replace('"<fill in: alpha\'s IPv4 address/prefix on eth0>"', '10.8.0.1/24')
      .replace('"<fill in: beta\'s IPv4 address/prefix on eth0>"', '10.8.0.2/24')
      .replace('"<fill in: alpha\'s IPv4 address on eth1>"', '10.9.0.1');
    await writeFile(output, filled);
    const check = await cli('config', 'check', output);
    expect({ code: check.code, out: check.out }).toEqual({ code: 0, out: `${output}: OK (2 nodes, 3 links)\n` });
  });

  it('never overwrites an existing file', async () => {
    const haDir = await heartbeatDir({ 'ha.cf': HA_CF, authkeys: AUTHKEYS });
    const output = join(dir, 'heartline.yaml');
    await writeFile(join(dir, 'authkey'), 'keep me');
    const { code, err } = await cli('import', 'heartbeat', haDir, '--output', output);
    expect(code).toBe(2);
    expect(err).toContain(`heartline: error: ${join(dir, 'authkey')} already exists`);
    expect(await readFile(join(dir, 'authkey'), 'utf8')).toBe('keep me');
    await expect(stat(output)).rejects.toThrow();
  });

  it('prints one JSON document with the notes, placeholders and YAML under --json', async () => {
    const haDir = await heartbeatDir({ 'ha.cf': HA_CF });
    const { code, out } = await cli('import', 'heartbeat', haDir, '--json');
    expect(code).toBe(0);
    const document = JSON.parse(out) as { ok: boolean; nodes: number; links: number; yaml: string; authkey: unknown; notes: { directive: string; outcome: string }[]; placeholders: unknown[] };
    expect(document).toMatchObject({ ok: true, nodes: 2, links: 3, authkey: null });
    expect(document.notes).toContainEqual(expect.objectContaining({ directive: 'auto_failback', outcome: 'not-converted' }));
    expect(document.placeholders).toHaveLength(4);
    expect(document.yaml).toMatch(/^cluster:$/m);
  });

  it.each([
    ['a directory without ha.cf', async () => heartbeatDir({ authkeys: AUTHKEYS }), [], /ha.cf does not exist/],
    ['a file instead of a directory', async () => join(await heartbeatDir({ 'ha.cf': HA_CF }), 'ha.cf'), [], /is not a directory/],
    ['an unknown --node', async () => heartbeatDir({ 'ha.cf': HA_CF }), ['--node', 'gamma'], /--node gamma is not one of ha.cf's nodes/],
    ['an ha.cf without media', async () => heartbeatDir({ 'ha.cf': 'node a b\n' }), [], /no heartbeat media/],
  ])('refuses %s with exit code 2', async (_name, makeDir, extra, message) => {
    const { code, err } = await cli('import', 'heartbeat', await makeDir(), ...extra);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('heartline: hint: ');
  });

  it('documents itself with examples', async () => {
    const { out } = await cli('import', 'heartbeat', '--help');
    expect(out).toContain('Examples:');
    expect(out).toContain('--node <name>');
    expect(out).toContain('--output <file>');
    expect(out).toMatch(/crc keys are refused/);
  });
});
