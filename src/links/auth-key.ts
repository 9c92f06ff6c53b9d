/**
 * The authentication key file, `/etc/heartline/authkey`, modelled on Heartbeat's `authkeys`: a
 * list of numbered secrets and the one that signs outgoing frames. Every frame names its key id,
 * and a node accepts any key its file lists, so keys rotate without a flag day: add the new key
 * to every node, then make it active on every node, then remove the old one.
 *
 *     # Heartline authentication keys: keep this file mode 600, identical on every node.
 *     auth 2
 *     1 sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 *     2 sha256 base64:n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=
 *
 * Blank lines and lines starting with `#` are ignored. `auth <id>` names the active key (exactly
 * once); each key line is `<id 1..255> sha256 <secret>`, the secret in hex or as `base64:...`, at
 * least 16 bytes (`generateAuthKey` makes 32). Heartbeat's `sha1`, `md5` and `crc` are refused:
 * they are too weak to authenticate fencing decisions.
 *
 * Parsing is pure and returns errors as values naming the file, the line and the fix; reading
 * the file also refuses one that group or others may read or write, as Heartbeat does.
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { assert, err, ok, type Result } from '../lib/index.js';

/** The default location of the key file. */
export const AUTH_KEY_PATH = '/etc/heartline/authkey';
export const AUTH_KEY_ID_MIN = 1;
export const AUTH_KEY_ID_MAX = 255;
/** The shortest secret accepted: 128 bits. */
export const AUTH_KEY_SECRET_BYTES_MIN = 16;
/** The length of a secret made by generateAuthKey: 256 bits, the HMAC-SHA256 block-friendly size. */
export const AUTH_KEY_SECRET_BYTES_GENERATED = 32;

/** One secret of the key file. `secret` is owned by the AuthKeyFile and must not be mutated. */
export interface AuthKey {
  readonly id: number;
  readonly algorithm: 'sha256';
  readonly secret: Uint8Array;
}

/** A parsed key file: its keys in file order, and the id of the active one (always among them). */
export interface AuthKeyFile {
  readonly activeKeyId: number;
  readonly keys: readonly AuthKey[];
}

/** Why a key file was refused. `message` names the file (and line); `hint` says how to fix it. */
export interface AuthKeyError {
  readonly file: string;
  /** 1-based line number, when one line is at fault. */
  readonly line?: number;
  readonly message: string;
  readonly hint: string;
}

const GENERATE_HINT = `generate one: (echo 'auth 1'; echo "1 sha256 $(openssl rand -hex 32)") > ${AUTH_KEY_PATH} && chmod 600 ${AUTH_KEY_PATH}`;

/**
 * Parses the text of a key file. `file` is the path, used only in error messages. Returns the
 * first problem found; nothing is partly accepted.
 */
export function parseAuthKey(text: string, file: string): Result<AuthKeyFile, AuthKeyError> {
  const keys: AuthKey[] = [];
  let active: { readonly id: number; readonly line: number } | undefined;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const content = (lines[index] ?? '').trim();
    if (content === '' || content.startsWith('#')) continue;
    const fail = (message: string, hint: string): Result<AuthKeyFile, AuthKeyError> => err({ file, line: lineNumber, message: `${file} line ${lineNumber}: ${message}`, hint });
    const words = content.split(/\s+/);
    if (words[0] === 'auth') {
      if (active !== undefined) return fail(`a second 'auth' line (the first is line ${active.line})`, "keep exactly one 'auth <id>' line naming the key that signs outgoing frames");
      const id = parseKeyId(words[1]);
      if (words.length !== 2 || id === undefined) return fail(`'${content}' is not 'auth <id>' with an id from ${AUTH_KEY_ID_MIN} to ${AUTH_KEY_ID_MAX}`, "write the active key's id, e.g. 'auth 1'");
      active = { id, line: lineNumber };
      continue;
    }
    const id = parseKeyId(words[0]);
    if (id === undefined) return fail(`'${words[0] ?? ''}' is neither 'auth' nor a key id from ${AUTH_KEY_ID_MIN} to ${AUTH_KEY_ID_MAX}`, "each line is 'auth <id>' or '<id> sha256 <secret>'");
    if (words.length !== 3) return fail(`a key line has three words, '<id> sha256 <secret>', this one has ${words.length}`, `write e.g. '${id} sha256 <64 hex digits>'`);
    const algorithm = words[1] ?? '';
    if (algorithm !== 'sha256') {
      const hint = ['sha1', 'md5', 'crc'].includes(algorithm) ? `${algorithm} is too weak to authenticate cluster traffic: replace the line with a sha256 key (${GENERATE_HINT})` : `write '${id} sha256 <secret>'`;
      return fail(`key ${id} uses '${algorithm}'; only sha256 is supported`, hint);
    }
    const secret = parseSecret(words[2] ?? '');
    if (typeof secret === 'string') return fail(`key ${id}: ${secret}`, `use at least ${AUTH_KEY_SECRET_BYTES_MIN} random bytes, e.g. the output of 'openssl rand -hex 32'`);
    const previous = keys.find((key) => key.id === id);
    if (previous !== undefined) return fail(`key id ${id} is listed twice`, 'give every key its own id; remove the one that is no longer used');
    keys.push({ id, algorithm: 'sha256', secret });
  }
  if (active === undefined) return err({ file, message: `${file}: no 'auth <id>' line names the active key`, hint: `add 'auth <id>' naming one of the keys${keys.length === 0 ? `, or ${GENERATE_HINT}` : ''}` });
  const activeId = active.id;
  if (!keys.some((key) => key.id === activeId)) {
    return err({ file, line: active.line, message: `${file} line ${active.line}: the active key ${activeId} is not listed`, hint: `add a line '${activeId} sha256 <secret>' or make 'auth' name a listed key` });
  }
  return ok({ activeKeyId: activeId, keys });
}

/**
 * Checks that the key file at `path` is a regular file that neither group nor others may read or
 * write. Returns an error value (never throws) naming the file and the fix; a missing or
 * unreadable file is an error too.
 */
export async function checkAuthKeyPermissions(path: string): Promise<Result<void, AuthKeyError>> {
  let mode: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) return err({ file: path, message: `${path} is not a regular file`, hint: GENERATE_HINT });
    mode = info.mode;
  } catch (error) {
    return err(fileError(path, error));
  }
  // Heartbeat's rule: no read or write for group or others. Execute bits are odd but grant nothing.
  if ((mode & 0o066) !== 0) {
    return err({ file: path, message: `${path} is readable or writable by group or others (mode ${(mode & 0o777).toString(8).padStart(3, '0')}); a key anyone can read lets them forge heartbeats and fence nodes`, hint: `chmod 600 ${path}` });
  }
  return ok(undefined);
}

/**
 * Reads and parses the key file at `path` after checking its permissions. The daemon calls it once
 * at startup and on reload; any error leaves the current keys in place.
 */
export async function readAuthKeyFile(path: string = AUTH_KEY_PATH): Promise<Result<AuthKeyFile, AuthKeyError>> {
  const permissions = await checkAuthKeyPermissions(path);
  if (!permissions.ok) return permissions;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return err(fileError(path, error));
  }
  return parseAuthKey(text, path);
}

/**
 * The text of a fresh key file: one 32-byte secret from the kernel's CSPRNG, as key `keyId`
 * (default 1), active. Write it with mode 600 and copy it to every node. A key id outside 1..255
 * is a programming error (asserted).
 */
export function generateAuthKey(keyId = AUTH_KEY_ID_MIN): string {
  assert(Number.isInteger(keyId) && keyId >= AUTH_KEY_ID_MIN && keyId <= AUTH_KEY_ID_MAX, `key id must be ${AUTH_KEY_ID_MIN}..${AUTH_KEY_ID_MAX}, got ${keyId}`);
  return [
    '# Heartline authentication keys: keep this file mode 600 and identical on every node.',
    '# To rotate: add a new key line on every node, then switch `auth` to it, then drop the old line.',
    `auth ${keyId}`,
    `${keyId} sha256 ${randomBytes(AUTH_KEY_SECRET_BYTES_GENERATED).toString('hex')}`,
    '',
  ].join('\n');
}

function parseKeyId(word: string | undefined): number | undefined {
  if (word === undefined || !/^\d{1,3}$/.test(word)) return undefined;
  const id = Number(word);
  return id >= AUTH_KEY_ID_MIN && id <= AUTH_KEY_ID_MAX ? id : undefined;
}

/** The secret's bytes, or a sentence saying what is wrong with it. */
function parseSecret(word: string): Uint8Array | string {
  let secret: Buffer;
  if (word.startsWith('base64:')) {
    const encoded = word.slice('base64:'.length);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return 'the secret after base64: is not valid base64';
    secret = Buffer.from(encoded, 'base64');
  } else {
    if (!/^[0-9a-fA-F]+$/.test(word) || word.length % 2 !== 0) return "the secret is neither hex (an even number of 0-9a-f digits) nor 'base64:...'";
    secret = Buffer.from(word, 'hex');
  }
  if (secret.length < AUTH_KEY_SECRET_BYTES_MIN) return `the secret is ${secret.length} bytes, shorter than the minimum of ${AUTH_KEY_SECRET_BYTES_MIN}`;
  return new Uint8Array(secret);
}

function fileError(path: string, error: unknown): AuthKeyError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'ENOENT') return { file: path, message: `${path} does not exist`, hint: GENERATE_HINT };
  if (code === 'EACCES') return { file: path, message: `${path} cannot be read by this user`, hint: `run heartline as root, or check the owner of ${path} (it should be root, mode 600)` };
  return { file: path, message: `${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`, hint: `check that ${path} is a readable file` };
}
