/**
 * Where the shipped hardware profiles are: hw-profiles/ at the package's root, found from this
 * module's own location (src/profiles or dist/profiles are both two levels below the root).
 */
import { fileURLToPath } from 'node:url';

export function shippedProfileDirectory(): string {
  return fileURLToPath(new URL('../../hw-profiles/', import.meta.url)).replace(/\/$/, '');
}

/** `heartline profile` reads this unless --dir or HEARTLINE_PROFILES says otherwise. */
export const DEFAULT_PROFILE_DIRECTORY = shippedProfileDirectory();
