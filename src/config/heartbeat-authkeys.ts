/**
 * Heartbeat's `authkeys` converted to Heartline's key file (src/links/auth-key.ts).
 *
 * Heartbeat's file is `auth N` plus lines `N sha1|md5 <secret>` or `N crc`. Heartline keeps the
 * ids, the active key and the secret bytes, and signs with HMAC-SHA256 instead: the secret is
 * already distributed to every node, so reusing it needs no new key exchange, and the weak hash
 * goes away. `crc` is refused (it authenticates nothing: anyone on the network could forge
 * heartbeats and so trigger fencing), and so is a secret shorter than Heartline's 16-byte
 * minimum. The converted file is checked by Heartline's own parser before it is offered.
 */
import { AUTH_KEY_SECRET_BYTES_MIN, parseAuthKey } from '../links/auth-key.js';

/** A note about one line of authkeys (or the file as a whole when `line` is absent). */
export interface AuthkeysNote {
  readonly line?: number;
  /** `auth`, `key N`, or `authkeys` for the file as a whole. */
  readonly directive: string;
  readonly outcome: 'converted' | 'not-converted' | 'refused';
  readonly message: string;
}

export interface ConvertedAuthkeys {
  /** The Heartline key file, or undefined when no usable active key could be converted. */
  readonly keyFileText: string | undefined;
  /** The ids of the keys in keyFileText. */
  readonly keyIds: readonly number[];
  readonly activeKeyId: number | undefined;
  readonly notes: readonly AuthkeysNote[];
}

const GENERATE_ADVICE = "generate a fresh key instead: (echo 'auth 1'; echo \"1 sha256 $(openssl rand -hex 32)\") > authkey";

/** Converts the text of a Heartbeat authkeys file. Never throws; every refusal is a note. */
export function convertHeartbeatAuthkeys(text: string): ConvertedAuthkeys {
  const notes: AuthkeysNote[] = [];
  const keys: { readonly id: number; readonly secretHex: string }[] = [];
  let active: { readonly id: number; readonly line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return;
    const words = content.split(/\s+/);
    if (words[0] === 'auth') {
      const id = Number(words[1]);
      if (words.length !== 2 || !Number.isInteger(id)) notes.push({ line, directive: 'auth', outcome: 'not-converted', message: `'${content}' is not 'auth N'` });
      else active = { id, line };
      return;
    }
    const id = Number(words[0]);
    const directive = `key ${words[0] ?? ''}`;
    const method = (words[1] ?? '').toLowerCase();
    if (!/^\d+$/.test(words[0] ?? '') || id < 1 || id > 255) {
      notes.push({ line, directive, outcome: 'not-converted', message: `'${words[0] ?? ''}' is not a key id from 1 to 255` });
    } else if (method === 'crc') {
      notes.push({ line, directive, outcome: 'refused', message: `key ${id} uses crc, which detects corruption but authenticates nothing: anyone on a heartbeat network could forge heartbeats and trigger fencing; ${GENERATE_ADVICE}` });
    } else if (method !== 'sha1' && method !== 'md5') {
      notes.push({ line, directive, outcome: 'not-converted', message: `key ${id} uses '${words[1] ?? ''}': only sha1 and md5 keys can be converted` });
    } else if (words.length < 3) {
      notes.push({ line, directive, outcome: 'not-converted', message: `key ${id} (${method}) has no secret` });
    } else {
      // Heartbeat reads the secret as one word (sscanf "%d%s%s") and ignores the rest of the line.
      const bytes = Buffer.from(words[2] ?? '', 'utf8');
      if (bytes.length < AUTH_KEY_SECRET_BYTES_MIN) {
        notes.push({ line, directive, outcome: 'refused', message: `key ${id}'s secret is ${bytes.length} bytes; Heartline needs at least ${AUTH_KEY_SECRET_BYTES_MIN}: ${GENERATE_ADVICE}` });
      } else {
        keys.push({ id, secretHex: bytes.toString('hex') });
        notes.push({ line, directive, outcome: 'converted', message: `the ${method} secret is kept and now signs with HMAC-SHA256; a passphrase chosen by a person is weaker than random bytes, so consider ${GENERATE_ADVICE.replace('generate a fresh key instead: ', 'generating a fresh key: ')}` });
      }
    }
  });

  const activeId = active?.id;
  if (activeId === undefined) {
    notes.push({ directive: 'authkeys', outcome: 'not-converted', message: "authkeys has no 'auth N' line naming the active key, so no key file was written" });
    return { keyFileText: undefined, keyIds: [], activeKeyId: undefined, notes };
  }
  if (!keys.some((key) => key.id === activeId)) {
    notes.push({ line: active?.line ?? 0, directive: 'auth', outcome: 'not-converted', message: `the active key ${activeId} could not be converted (see its line), so no key file was written; ${GENERATE_ADVICE}` });
    return { keyFileText: undefined, keyIds: [], activeKeyId: undefined, notes };
  }
  const keyFileText = [
    '# Heartline authentication keys, converted from Heartbeat authkeys by `heartline import heartbeat`.',
    '# Install as /etc/heartline/authkey, mode 600, identical on every node.',
    `auth ${activeId}`,
    ...keys.map((key) => `${key.id} sha256 ${key.secretHex}`),
    '',
  ].join('\n');
  // Pair check: what this converter writes, Heartline's reader must accept.
  const check = parseAuthKey(keyFileText, 'authkey');
  if (!check.ok) {
    notes.push({ directive: 'authkeys', outcome: 'not-converted', message: `the converted key file was refused by Heartline's reader (${check.error.message}); this is a bug in heartline: please report it` });
    return { keyFileText: undefined, keyIds: [], activeKeyId: undefined, notes };
  }
  return { keyFileText, keyIds: keys.map((key) => key.id), activeKeyId: activeId, notes };
}
