// The fencing disk's sectors: every record round-trips at both sector sizes; blank sectors read as
// "never written"; a flipped bit, a record of another kind or slot, another format and broken
// timeouts are refused as values with a message (never thrown); the timeout rules follow sbd's.
import { describe, expect, it } from 'vitest';
import {
  checkDiskTimeouts,
  decodeHeader,
  decodeHeartbeat,
  decodeLease,
  decodeMailbox,
  encodeHeader,
  encodeHeartbeat,
  encodeLease,
  encodeMailbox,
  resolveDiskTimeouts,
  sectorsNeeded,
  heartbeatSector,
  mailboxSector,
  type DiskHeader,
  type SectorSize,
} from '../../../src/storage/disk-format/index.js';

const timeouts = (() => {
  const resolved = resolveDiskTimeouts({ watchdogTimeoutMs: 5000 });
  if (!resolved.ok) throw new Error(resolved.error.join('; '));
  return resolved.value;
})();

const header = (sectorSize: SectorSize): DiskHeader => ({ version: 1, sectorSize, slotCount: 16, ...timeouts, createdAtWallMs: 1_790_000_000_123, diskId: '0123456789abcdef0123456789abcdef' });

describe('disk format', () => {
  it.each([512, 4096] as const)('round-trips every record at sector size %i', (sectorSize) => {
    const head = encodeHeader(header(sectorSize));
    expect(head.length).toBe(sectorSize);
    expect(decodeHeader(head)).toEqual({ ok: true, value: header(sectorSize) });
    const mailbox = { slot: 3, node: 'node-b', message: 'poison' as const, sequence: 7, sender: 'node-a', writtenAtWallMs: 1_790_000_000_500 };
    expect(decodeMailbox(encodeMailbox(mailbox, sectorSize), 3, sectorSize)).toEqual({ ok: true, value: mailbox });
    const heartbeat = { slot: 3, node: 'node-b', state: 'self-fencing' as const, counter: 2 ** 40 + 5, acknowledgedSequence: 7, writtenAtWallMs: 1_790_000_000_600 };
    expect(decodeHeartbeat(encodeHeartbeat(heartbeat, sectorSize), 3, sectorSize)).toEqual({ ok: true, value: heartbeat });
    const lease = { owner: 'node-a', counter: 42, writtenAtWallMs: 1_790_000_000_700 };
    expect(decodeLease(encodeLease(lease, sectorSize), sectorSize)).toEqual({ ok: true, value: lease });
  });

  it('reads blank sectors as never written, and a blank header as an uninitialized disk', () => {
    expect(decodeMailbox(new Uint8Array(512), 0, 512)).toEqual({ ok: true, value: undefined });
    expect(decodeHeartbeat(new Uint8Array(512), 0, 512)).toEqual({ ok: true, value: undefined });
    expect(decodeLease(new Uint8Array(512), 512)).toEqual({ ok: true, value: undefined });
    const blank = decodeHeader(new Uint8Array(512));
    expect(blank.ok ? undefined : blank.error.code).toBe('blank');
    expect(blank.ok ? '' : blank.error.message).toContain('disk-init');
  });

  it('refuses a flipped bit, another kind, another slot, another size and another format', () => {
    const mailbox = encodeMailbox({ slot: 1, node: 'b', message: 'clear', sequence: 0, sender: '', writtenAtWallMs: 0 }, 512);
    const flipped = mailbox.slice();
    flipped[20] = (flipped[20] as number) ^ 1;
    const codes = [
      decodeMailbox(flipped, 1, 512),
      decodeHeartbeat(mailbox, 1, 512),
      decodeMailbox(mailbox, 2, 512),
      decodeMailbox(mailbox.subarray(0, 256), 1, 512),
    ].map((result) => (result.ok ? 'ok' : result.error.code));
    expect(codes).toEqual(['bad-checksum', 'wrong-kind', 'wrong-slot', 'wrong-size']);
    const foreign = new Uint8Array(512).fill(0x41);
    const decoded = decodeHeader(foreign);
    expect(decoded.ok ? 'ok' : decoded.error.code).toBe('bad-magic');
    const newer = encodeHeader(header(512));
    newer[8] = 2;
    const newerDecoded = decodeHeader(newer);
    expect(newerDecoded.ok ? 'ok' : newerDecoded.error.code).toBe('bad-version');
  });

  it('places each slot in two sectors of its own after the header and the lease', () => {
    expect([mailboxSector(0), heartbeatSector(0), mailboxSector(15), heartbeatSector(15), sectorsNeeded(16)]).toEqual([2, 3, 32, 33, 34]);
  });

  it('derives timeouts as sbd does and checks the rules between them', () => {
    expect(timeouts).toEqual({ watchdogTimeoutMs: 5000, msgwaitMs: 10_000, loopMs: 1000, ioTimeoutMs: 1000, leaseTimeoutMs: 10_000 });
    const short = resolveDiskTimeouts({ watchdogTimeoutMs: 2000 });
    expect(short).toEqual({ ok: true, value: { watchdogTimeoutMs: 2000, msgwaitMs: 4000, loopMs: 400, ioTimeoutMs: 400, leaseTimeoutMs: 4000 } });
    const problems = checkDiskTimeouts({ watchdogTimeoutMs: 5000, msgwaitMs: 5000, loopMs: 1000, ioTimeoutMs: 1000, leaseTimeoutMs: 10_000 });
    expect(problems.join('\n')).toMatch(/msgwait 5000 ms must be at least watchdog timeout \+ loop \+ io timeout = 7000 ms/);
    expect(checkDiskTimeouts({ watchdogTimeoutMs: 1000, msgwaitMs: 10_000, loopMs: 1000, ioTimeoutMs: 1000, leaseTimeoutMs: 10_000 }).join('\n')).toMatch(/at least twice the loop/);
    expect(resolveDiskTimeouts({ watchdogTimeoutMs: 5000, leaseTimeoutMs: 3000 }).ok).toBe(false);
  });

  it('asserts what it is asked to write', () => {
    expect(() => encodeMailbox({ slot: 0, node: 'bad name', message: 'clear', sequence: 0, sender: '', writtenAtWallMs: 0 }, 512)).toThrow(/not a node name/);
    expect(() => encodeHeader({ ...header(512), msgwaitMs: 1000 })).toThrow(/msgwait/);
  });
});
