/**
 * FrameKeyring: the keys of one cluster as the frame codec uses them, derived from the key file
 * (auth-key.ts). Each listed secret yields one FrameKey; the active one signs outgoing frames and
 * any listed one is accepted on receipt, which is what lets keys rotate without a flag day.
 *
 * A secret is never used directly: HKDF-SHA256 derives from it, with the cluster id, one key for
 * the HMAC and another for AES-256-GCM. Separate keys keep the two algorithms from ever sharing
 * key material, and binding the cluster id means two clusters given the same secret by mistake
 * (a cloned appliance image) still neither accept each other's frames nor reuse GCM nonces.
 */
import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { assert } from '../lib/index.js';
import type { AuthKeyFile } from './auth-key.js';

/** One key as the codec uses it. Immutable; created only by createFrameKeyring. */
export interface FrameKey {
  /** The key id carried in every frame's header (1..255). */
  readonly id: number;
  readonly clusterId: number;
  readonly macKey: KeyObject;
  readonly encryptionKey: KeyObject;
}

/** The keys of one cluster: the active one for sending, and a lookup by id for receiving. */
export interface FrameKeyring {
  readonly clusterId: number;
  readonly active: FrameKey;
  /** The key with this id, or undefined when the key file does not list it. */
  byId(id: number): FrameKey | undefined;
}

const HKDF_SALT = Buffer.from('heartline frame keys v1', 'utf8');

/**
 * Derives the keyring of cluster `clusterId` (u32) from a parsed key file. Pure apart from the key
 * derivation; call it once at startup and on reload, not per frame. `authKeys` must come from
 * parseAuthKey (so that its active key is listed; asserted).
 */
export function createFrameKeyring(authKeys: AuthKeyFile, clusterId: number): FrameKeyring {
  assert(Number.isInteger(clusterId) && clusterId >= 0 && clusterId <= 0xffff_ffff, `cluster id out of range: ${clusterId}`);
  const keys = new Map<number, FrameKey>();
  for (const authKey of authKeys.keys) {
    keys.set(authKey.id, {
      id: authKey.id,
      clusterId,
      macKey: deriveKey(authKey.secret, 'hmac-sha256', clusterId),
      encryptionKey: deriveKey(authKey.secret, 'aes-256-gcm', clusterId),
    });
  }
  const active = keys.get(authKeys.activeKeyId);
  assert(active !== undefined, `the active key ${authKeys.activeKeyId} is not among the listed keys`);
  // A dense table makes the per-frame lookup an array index instead of a hash.
  const table: (FrameKey | undefined)[] = Array.from({ length: 256 }, (_, id) => keys.get(id));
  return {
    clusterId,
    active,
    byId: (id) => table[id],
  };
}

function deriveKey(secret: Uint8Array, purpose: string, clusterId: number): KeyObject {
  const info = Buffer.alloc(purpose.length + 4);
  info.write(purpose, 0, 'utf8');
  info.writeUInt32BE(clusterId, purpose.length);
  return createSecretKey(Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, info, 32)));
}
