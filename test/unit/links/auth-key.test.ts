// The key file: good files parse (hex and base64 secrets, comments, rotation with two keys); each
// kind of mistake is refused with the file, the line and a fix; the permission check refuses a file
// group or others can read or write (real files with real modes, in a temp dir removed after each
// test); and generateAuthKey writes a file that parses, with a fresh 32-byte secret every time.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkAuthKeyPermissions, generateAuthKey, parseAuthKey, readAuthKeyFile } from '../../../src/links/auth-key.js';

const FILE = '/etc/heartline/authkey';
const HEX_SECRET = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

describe('parseAuthKey', () => {
  it('parses a rotation in progress: two keys, the second active, hex and base64 secrets', () => {
    const text = ['# keys', '', 'auth 2', `1 sha256 ${HEX_SECRET}`, `  2   sha256   base64:${Buffer.alloc(24, 7).toString('base64')}  `, '# end'].join('\r\n');
    const parsed = parseAuthKey(text, FILE);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.activeKeyId).toBe(2);
    expect(parsed.value.keys.map((key) => [key.id, key.algorithm, Buffer.from(key.secret).toString('hex')])).toEqual([
      [1, 'sha256', HEX_SECRET],
      [2, 'sha256', Buffer.alloc(24, 7).toString('hex')],
    ]);
  });

  it('accepts key ids 1 and 255 and upper-case hex', () => {
    const parsed = parseAuthKey(`auth 255\n1 sha256 ${HEX_SECRET.toUpperCase()}\n255 sha256 ${HEX_SECRET}\n`, FILE);
    expect(parsed.ok && parsed.value.keys.map((key) => key.id)).toEqual([1, 255]);
  });

  const errors: readonly [string, string, number | undefined, RegExp, RegExp][] = [
    ['an empty file', '', undefined, /no 'auth <id>' line/, /openssl rand -hex 32/],
    ['no auth line', `1 sha256 ${HEX_SECRET}`, undefined, /no 'auth <id>' line/, /add 'auth <id>'/],
    ['two auth lines', `auth 1\nauth 1\n1 sha256 ${HEX_SECRET}`, 2, /second 'auth' line \(the first is line 1\)/, /exactly one/],
    ['auth without id', `auth\n1 sha256 ${HEX_SECRET}`, 1, /is not 'auth <id>'/, /auth 1/],
    ['auth naming an absent key', `auth 3\n1 sha256 ${HEX_SECRET}`, 1, /active key 3 is not listed/, /3 sha256/],
    ['key id 0', `auth 1\n0 sha256 ${HEX_SECRET}`, 2, /'0' is neither 'auth' nor a key id/, /<id> sha256 <secret>/],
    ['key id 256', `auth 1\n256 sha256 ${HEX_SECRET}`, 2, /'256' is neither/, /<id> sha256/],
    ['a word for an id', `auth 1\nkey sha256 ${HEX_SECRET}`, 2, /'key' is neither/, /<id> sha256/],
    ["Heartbeat's sha1", 'auth 1\n1 sha1 PutYourSecretHere', 2, /key 1 uses 'sha1'; only sha256/, /too weak.*openssl rand/],
    ["Heartbeat's crc", 'auth 1\n1 crc', 2, /three words/, /1 sha256/],
    ['an unknown algorithm', `auth 1\n1 blake3 ${HEX_SECRET}`, 2, /uses 'blake3'/, /1 sha256 <secret>/],
    ['a missing secret', 'auth 1\n1 sha256', 2, /three words/, /64 hex digits/],
    ['a secret with a space', `auth 1\n1 sha256 ${HEX_SECRET} x`, 2, /three words.*has 4/, /64 hex/],
    ['a short secret', 'auth 1\n1 sha256 00112233', 2, /4 bytes, shorter than the minimum of 16/, /openssl rand -hex 32/],
    ['odd-length hex', `auth 1\n1 sha256 ${HEX_SECRET}0`, 2, /neither hex/, /openssl rand/],
    ['not hex', 'auth 1\n1 sha256 correct-horse-battery-staple', 2, /neither hex/, /openssl rand/],
    ['bad base64', 'auth 1\n1 sha256 base64:!!!!', 2, /not valid base64/, /openssl rand/],
    ['a duplicate id', `auth 1\n1 sha256 ${HEX_SECRET}\n1 sha256 ${HEX_SECRET}`, 3, /key id 1 is listed twice/, /own id/],
  ];
  for (const [name, text, line, message, hint] of errors) {
    it(`refuses ${name}, naming the file${line === undefined ? '' : ` and line ${line}`}`, () => {
      const parsed = parseAuthKey(text, FILE);
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.error.file).toBe(FILE);
      expect(parsed.error.line).toBe(line);
      expect(parsed.error.message).toMatch(new RegExp(`^${FILE}${line === undefined ? ':' : ` line ${line}:`}`));
      expect(parsed.error.message).toMatch(message);
      expect(parsed.error.hint).toMatch(hint);
    });
  }
});

describe('generateAuthKey', () => {
  it('writes a file that parses, with one active 32-byte key', () => {
    const parsed = parseAuthKey(generateAuthKey(), FILE);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.activeKeyId).toBe(1);
    expect(parsed.value.keys).toHaveLength(1);
    expect(parsed.value.keys[0]?.secret.length).toBe(32);
  });

  it('draws a fresh secret every time and honours the key id', () => {
    const a = generateAuthKey(3);
    const b = generateAuthKey(3);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^auth 3$/m);
    expect(a).toMatch(/^3 sha256 [0-9a-f]{64}$/m);
  });
});

describe('checkAuthKeyPermissions and readAuthKeyFile', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'heartline-authkey-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  async function keyFile(mode: number, text = generateAuthKey()): Promise<string> {
    const path = join(directory, 'authkey');
    await writeFile(path, text);
    // chmod after writing: the process umask would otherwise mask the mode under test.
    await chmod(path, mode);
    return path;
  }

  for (const mode of [0o600, 0o400, 0o700]) {
    it(`accepts mode ${mode.toString(8)}`, async () => {
      expect((await checkAuthKeyPermissions(await keyFile(mode))).ok).toBe(true);
    });
  }

  for (const mode of [0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666]) {
    it(`refuses mode ${mode.toString(8)} and says chmod 600`, async () => {
      const path = await keyFile(mode);
      const result = await checkAuthKeyPermissions(path);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.message).toContain(path);
      expect(result.error.message).toContain(`mode ${mode.toString(8)}`);
      expect(result.error.hint).toBe(`chmod 600 ${path}`);
    });
  }

  it('refuses a missing file with the way to create one', async () => {
    const result = await checkAuthKeyPermissions(join(directory, 'absent'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toMatch(/absent does not exist/);
    expect(result.error.hint).toMatch(/openssl rand -hex 32/);
  });

  it('refuses a directory', async () => {
    const path = join(directory, 'sub');
    await mkdir(path, { mode: 0o700 });
    const result = await checkAuthKeyPermissions(path);
    expect(!result.ok && result.error.message).toMatch(/is not a regular file/);
  });

  it('reads and parses a well-protected file', async () => {
    const result = await readAuthKeyFile(await keyFile(0o600, `auth 1\n1 sha256 ${HEX_SECRET}\n`));
    expect(result.ok && result.value.activeKeyId).toBe(1);
  });

  it('does not parse a file that others can read', async () => {
    const result = await readAuthKeyFile(await keyFile(0o644, 'not even a key file'));
    expect(!result.ok && result.error.hint).toMatch(/^chmod 600 /);
  });

  it('reports parse errors with the real path', async () => {
    const path = await keyFile(0o600, 'auth 1\n');
    const result = await readAuthKeyFile(path);
    expect(!result.ok && result.error.message).toBe(`${path} line 1: the active key 1 is not listed`);
  });
});
