// Keyrings for the links tests: fixed, readable secrets (key id n has 32 bytes of value n, or of
// 0xee for a forger), so that a failing test is easy to reproduce by hand.
import { createHmac } from 'node:crypto';
import type { AuthKeyFile } from '../../../src/links/auth-key.js';
import { FRAME_TAG_BYTES } from '../../../src/links/frame-codec.js';
import { createFrameKeyring, type FrameKey, type FrameKeyring } from '../../../src/links/frame-keyring.js';

export const TEST_CLUSTER_ID = 0x00c0ffee;

export interface TestKeyringOptions {
  /** Key ids listed (default [1]). */
  readonly ids?: readonly number[];
  /** The active key (default the first listed). */
  readonly active?: number;
  readonly clusterId?: number;
  /** Use the forger's secret instead of the genuine one for every id. */
  readonly forged?: boolean;
}

export function testAuthKeys(options: TestKeyringOptions = {}): AuthKeyFile {
  const ids = options.ids ?? [1];
  return {
    activeKeyId: options.active ?? ids[0] ?? 1,
    keys: ids.map((id) => ({ id, algorithm: 'sha256' as const, secret: new Uint8Array(32).fill(options.forged === true ? 0xee : id) })),
  };
}

export function testKeyring(options: TestKeyringOptions = {}): FrameKeyring {
  return createFrameKeyring(testAuthKeys(options), options.clusterId ?? TEST_CLUSTER_ID);
}

/** Recomputes the HMAC tag of a (modified) frame in place, as a key holder could: returns `bytes`. */
export function resign(bytes: Uint8Array, key: FrameKey): Uint8Array {
  const end = bytes.length - FRAME_TAG_BYTES;
  const tag = createHmac('sha256', key.macKey).update(bytes.subarray(0, end)).digest();
  bytes.set(tag.subarray(0, FRAME_TAG_BYTES), end);
  return bytes;
}

/** The bytes of a Uint8Array or Buffer as a plain array-like for equality checks. */
export function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
