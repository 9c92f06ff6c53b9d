import { randomBytes } from 'node:crypto';
import type { Random } from '../lib/index.js';

/**
 * CryptoRandom: the production Random, from the kernel's CSPRNG. Reads are buffered because the
 * daemon draws many small numbers (jitter, delays) and a syscall per draw is wasteful.
 */
export class CryptoRandom implements Random {
  private buffer = Buffer.alloc(0);
  private offset = 0;

  nextUint32(): number {
    if (this.offset + 4 > this.buffer.length) {
      this.buffer = randomBytes(1024);
      this.offset = 0;
    }
    const value = this.buffer.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }
}
