/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320, as zlib computes it) over the bytes of one
 * on-disk sector. It detects torn or foreign sectors, not tampering: the shared disk is trusted.
 * Kept here (and not imported from src/links) because this folder is a pure core.
 */
const table = buildTable();

/** The CRC-32 of `bytes[start, end)`, an unsigned 32-bit value. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let index = start; index < end; index++) crc = (crc >>> 8) ^ (table[(crc ^ (bytes[index] as number)) & 0xff] as number);
  return (crc ^ 0xffffffff) >>> 0;
}

function buildTable(): Uint32Array {
  const out = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    out[n] = c >>> 0;
  }
  return out;
}
