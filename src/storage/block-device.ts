/**
 * BlockDevice: synchronous reads and writes of whole sectors at explicit offsets on the shared
 * disk (a SAN LUN, a DAS partition; a loop device in tests), so that what one node writes another
 * node reads, with no cache of this host in between.
 *
 * Contract:
 * - the device is opened O_DIRECT | O_DSYNC when the kernel allows it (a block device does): every
 *   read goes to the disk, and a write returns once the disk has it. A file system that refuses
 *   O_DIRECT (tmpfs, for unit tests) falls back to O_DSYNC, and `direct` says so;
 * - O_DIRECT needs a buffer aligned to the logical block size; Node does not expose addresses, so
 *   `open` finds an aligned window in a larger buffer by trying a 4 KiB read at each 8-byte offset
 *   (the kernel answers EINVAL for a misaligned one). Backing stores of buffers never move. The
 *   device must therefore hold at least 4 KiB;
 * - the calls are synchronous on purpose: one sector takes microseconds, and a disk that hangs
 *   blocks the caller, so a node whose disk hangs stops petting its watchdog, as it must;
 * - errors are values (`Result`), with the device path and what to check.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { err, ok, type Result } from '../lib/index.js';

/** The largest sector we use, and the size read to find a header of either sector size. */
export const IO_UNIT_MAX = 4096;

export interface BlockDevice {
  readonly path: string;
  /** True when reads and writes bypass this host's page cache (O_DIRECT). */
  readonly direct: boolean;
  /** Reads `length` bytes (a multiple of the logical block size) at byte `offset`; a short read is an error. */
  read(offset: number, length: number): Result<Uint8Array, string>;
  /** Writes `bytes` (a multiple of the logical block size) at byte `offset`, durably. */
  write(offset: number, bytes: Uint8Array): Result<void, string>;
  close(): void;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class FileBlockDevice implements BlockDevice {
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    readonly direct: boolean,
    /** A window of IO_UNIT_MAX bytes aligned for O_DIRECT. */
    private readonly scratch: Buffer,
  ) {}

  /** Opens `path` read-write (direct I/O when possible). */
  static open(path: string): Result<FileBlockDevice, string> {
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_DSYNC | constants.O_DIRECT);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EINVAL') return err(`cannot open ${path}: ${message(error)}${code === 'ENOENT' ? ' (no such device: check the path on this node)' : code === 'EACCES' ? ' (run as root)' : ''}`);
      return FileBlockDevice.openBuffered(path);
    }
    // Find a window the kernel takes: it refuses a transfer whose pieces within each memory page
    // are not whole logical blocks, so the window's address must be a multiple of 512 (of 4096 for
    // a 4 KiB-sector disk). Buffers are only 8-byte aligned, so try every 8-byte offset of a page.
    const pool = Buffer.allocUnsafeSlow(3 * IO_UNIT_MAX);
    for (let offset = 0; offset < IO_UNIT_MAX; offset += 8) {
      const window = pool.subarray(offset, offset + IO_UNIT_MAX);
      try {
        readSync(fd, window, 0, IO_UNIT_MAX, 0);
        return ok(new FileBlockDevice(path, fd, true, window));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EINVAL') {
          closeSync(fd);
          return err(`cannot read ${path}: ${message(error)}`);
        }
      }
    }
    closeSync(fd);
    return FileBlockDevice.openBuffered(path);
  }

  private static openBuffered(path: string): Result<FileBlockDevice, string> {
    try {
      const fd = openSync(path, constants.O_RDWR | constants.O_DSYNC);
      return ok(new FileBlockDevice(path, fd, false, Buffer.alloc(IO_UNIT_MAX)));
    } catch (error) {
      return err(`cannot open ${path}: ${message(error)}`);
    }
  }

  read(offset: number, length: number): Result<Uint8Array, string> {
    if (this.closed) return err(`${this.path} is closed`);
    if (length > IO_UNIT_MAX) return err(`read of ${length} bytes is larger than ${IO_UNIT_MAX}`);
    try {
      const count = readSync(this.fd, this.scratch, 0, length, offset);
      if (count < length) return err(`${this.path}: short read at byte ${offset} (${count} of ${length} bytes): the device is smaller than the fencing layout`);
      return ok(Uint8Array.from(this.scratch.subarray(0, length)));
    } catch (error) {
      return err(`read of ${this.path} at byte ${offset} failed: ${message(error)}`);
    }
  }

  write(offset: number, bytes: Uint8Array): Result<void, string> {
    if (this.closed) return err(`${this.path} is closed`);
    if (bytes.length > IO_UNIT_MAX) return err(`write of ${bytes.length} bytes is larger than ${IO_UNIT_MAX}`);
    try {
      this.scratch.set(bytes, 0);
      const count = writeSync(this.fd, this.scratch, 0, bytes.length, offset);
      if (count < bytes.length) return err(`${this.path}: short write at byte ${offset} (${count} of ${bytes.length} bytes)`);
      return ok(undefined);
    } catch (error) {
      return err(`write of ${this.path} at byte ${offset} failed: ${message(error)}`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  /** The logical block size the kernel reports for a block device (sysfs), or undefined for a file. */
  logicalBlockSize(): number | undefined {
    try {
      const info = fstatSync(this.fd);
      if (!info.isBlockDevice()) return undefined;
      const major = Math.floor(info.rdev / 256) & 0xfff;
      const minor = (info.rdev & 0xff) | ((info.rdev >> 12) & 0xfff00);
      const text = readFileSync(`/sys/dev/block/${major}:${minor}/queue/logical_block_size`, 'utf8');
      const size = Number(text.trim());
      return Number.isInteger(size) && size > 0 ? size : undefined;
    } catch {
      // Partitions keep queue/ in their parent; fall back to the name.
      try {
        const text = readFileSync(`/sys/class/block/${basename(this.path)}/queue/logical_block_size`, 'utf8');
        return Number(text.trim());
      } catch {
        return undefined;
      }
    }
  }
}

/** A disk in memory, for unit tests of the layers above (one instance shared by several users is one disk). */
export class MemoryBlockDevice implements BlockDevice {
  readonly direct = true;
  readonly bytes: Uint8Array;
  /** Set to make every call fail with this reason (a lost disk). */
  failure: string | undefined;

  constructor(
    readonly path: string,
    size: number,
  ) {
    this.bytes = new Uint8Array(size);
  }

  read(offset: number, length: number): Result<Uint8Array, string> {
    if (this.failure !== undefined) return err(this.failure);
    if (offset + length > this.bytes.length) return err(`${this.path}: short read at byte ${offset}`);
    return ok(this.bytes.slice(offset, offset + length));
  }

  write(offset: number, bytes: Uint8Array): Result<void, string> {
    if (this.failure !== undefined) return err(this.failure);
    if (offset + bytes.length > this.bytes.length) return err(`${this.path}: short write at byte ${offset}`);
    this.bytes.set(bytes, offset);
    return ok(undefined);
  }

  close(): void {}
}
