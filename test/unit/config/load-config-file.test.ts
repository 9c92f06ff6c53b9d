// loadConfigFile: every way of failing to read a file is a value naming the file (missing, a
// directory, unreadable), and a file with mistakes gives its issues with the path as source.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'heartline-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const VALID = 'cluster: { name: c, id: 1 }\nnodes: [{ name: a, id: 1 }]\nlinks: [{ name: l, kind: udp-unicast, addresses: { a: 10.0.0.1 } }]\n';

describe('loadConfigFile', () => {
  it('loads a valid file', async () => {
    const path = join(dir, 'heartline.yaml');
    await writeFile(path, VALID);
    const result = await loadConfigFile(path);
    expect(result.ok && result.value.cluster.name).toBe('c');
  });

  it('says that a file is missing, naming it', async () => {
    const path = join(dir, 'nope.yaml');
    expect(await loadConfigFile(path)).toEqual({ ok: false, error: { code: 'missing', file: path, message: `${path} does not exist`, hint: expect.any(String) as unknown } });
  });

  it('refuses a directory', async () => {
    const result = await loadConfigFile(dir);
    expect(result.ok === false && result.error).toMatchObject({ code: 'unreadable', message: `${dir} is not a regular file` });
  });

  it.skipIf(process.getuid?.() === 0)('says that a file cannot be read', async () => {
    const path = join(dir, 'secret.yaml');
    await writeFile(path, VALID);
    await chmod(path, 0o000);
    const result = await loadConfigFile(path);
    expect(result.ok === false && result.error).toMatchObject({ code: 'unreadable', message: `${path} cannot be read by this user` });
  });

  it('gives the issues of an invalid file with the path as their source', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, VALID.replace('id: 1 }\nnodes', 'id: 0 }\nnodes'));
    const result = await loadConfigFile(path);
    expect(result.ok === false && result.error).toMatchObject({ code: 'invalid', message: `${path} has 1 problem`, issues: [{ source: path, path: 'cluster.id', line: 1 }] });
  });
});
