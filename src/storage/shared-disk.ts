/**
 * SharedDisk: the fencing disk as records (header, slots, lease) over a BlockDevice. It is the one
 * place that knows where each record lives; the watcher, the `disk` fence driver, the quorum disk
 * and the CLI all go through it.
 *
 * Contract:
 * - `open` reads and checks the header once; every later call uses its sector size and slot count;
 * - reads and writes are synchronous, one sector each (atomic on the disk), and answer Results;
 * - `sendMessage` reads the mailbox, then writes the next sequence: the mailbox is written only by
 *   fencers and operators, never by its node, which acknowledges in its heartbeat instead;
 * - `initialize` overwrites the header, the lease and every slot: only while no node uses the disk.
 */
import { err, ok, type Result } from '../lib/index.js';
import {
  decodeHeader,
  decodeHeartbeat,
  decodeLease,
  decodeMailbox,
  encodeHeader,
  encodeHeartbeat,
  encodeLease,
  encodeMailbox,
  heartbeatSector,
  LEASE_SECTOR,
  mailboxSector,
  NODE_NAME,
  sectorsNeeded,
  SLOT_COUNT_MAX,
  type DiskHeader,
  type DiskMessage,
  type DiskTimeouts,
  type HeartbeatRecord,
  type LeaseRecord,
  type MailboxRecord,
  type SectorSize,
} from './disk-format/index.js';
import { FileBlockDevice, IO_UNIT_MAX, type BlockDevice } from './block-device.js';

/** One allocated slot as a dump shows it. */
export interface SlotView {
  readonly slot: number;
  readonly node: string;
  readonly mailbox: MailboxRecord;
  readonly heartbeat: HeartbeatRecord | undefined;
}

export interface DiskInitOptions {
  readonly nodes: readonly string[];
  readonly timeouts: DiskTimeouts;
  readonly sectorSize: SectorSize;
  /** Default: 16 (spare slots for nodes added later), at least the number of nodes. */
  readonly slotCount?: number;
  readonly diskId: string;
  readonly wallNow: number;
}

export class SharedDisk {
  private constructor(
    readonly device: BlockDevice,
    readonly header: DiskHeader,
  ) {}

  /** Opens a device path and reads its header. */
  static openPath(path: string): Result<SharedDisk, string> {
    const device = FileBlockDevice.open(path);
    if (!device.ok) return device;
    const opened = SharedDisk.open(device.value);
    if (!opened.ok) device.value.close();
    return opened;
  }

  /** Reads and checks the header of `device`. */
  static open(device: BlockDevice): Result<SharedDisk, string> {
    const first = device.read(0, IO_UNIT_MAX);
    if (!first.ok) return first;
    const header = decodeHeader(first.value);
    if (!header.ok) return err(`${device.path}: ${header.error.message}`);
    return ok(new SharedDisk(device, header.value));
  }

  /** Writes a fresh layout: header, blank lease, a clear mailbox and a blank heartbeat per node's slot, blank spare slots. */
  static initialize(device: BlockDevice, options: DiskInitOptions): Result<SharedDisk, string> {
    const slotCount = options.slotCount ?? Math.max(16, options.nodes.length);
    const problems: string[] = [];
    if (options.nodes.length === 0) problems.push('name at least one node (--nodes a,b)');
    for (const node of options.nodes) if (!NODE_NAME.test(node)) problems.push(`'${node}' is not a node name (letters, digits, '-', '_', '.', at most 63)`);
    if (new Set(options.nodes).size !== options.nodes.length) problems.push('a node is named twice');
    if (slotCount < options.nodes.length || slotCount > SLOT_COUNT_MAX) problems.push(`slot count ${slotCount} must be between the number of nodes (${options.nodes.length}) and ${SLOT_COUNT_MAX}`);
    if (problems.length > 0) return err(problems.join('; '));
    const size = options.sectorSize;
    const last = device.read((sectorsNeeded(slotCount) - 1) * size, size);
    if (!last.ok) return err(`${device.path} is too small for ${slotCount} slots of ${size}-byte sectors (${sectorsNeeded(slotCount) * size} bytes): ${last.error}`);
    const header: DiskHeader = { version: 1, sectorSize: size, slotCount, ...options.timeouts, createdAtWallMs: options.wallNow, diskId: options.diskId };
    const blank = new Uint8Array(size);
    const writes: [number, Uint8Array][] = [[LEASE_SECTOR, blank]];
    for (let slot = 0; slot < slotCount; slot++) {
      const node = options.nodes[slot];
      writes.push([mailboxSector(slot), node === undefined ? blank : encodeMailbox({ slot, node, message: 'clear', sequence: 0, sender: '', writtenAtWallMs: options.wallNow }, size)]);
      writes.push([heartbeatSector(slot), blank]);
    }
    // The header last: a disk whose initialization was interrupted has no valid header and is refused.
    const firstHeader = device.write(0, blank);
    if (!firstHeader.ok) return firstHeader;
    for (const [sector, bytes] of writes) {
      const written = device.write(sector * size, bytes);
      if (!written.ok) return written;
    }
    const written = device.write(0, encodeHeader(header));
    if (!written.ok) return written;
    return ok(new SharedDisk(device, header));
  }

  close(): void {
    this.device.close();
  }

  private readSector(sector: number): Result<Uint8Array, string> {
    return this.device.read(sector * this.header.sectorSize, this.header.sectorSize);
  }

  private writeSector(sector: number, bytes: Uint8Array): Result<void, string> {
    return this.device.write(sector * this.header.sectorSize, bytes);
  }

  readMailbox(slot: number): Result<MailboxRecord | undefined, string> {
    const bytes = this.readSector(mailboxSector(slot));
    if (!bytes.ok) return bytes;
    const record = decodeMailbox(bytes.value, slot, this.header.sectorSize);
    return record.ok ? record : err(`${this.device.path}: ${record.error.message}`);
  }

  readHeartbeat(slot: number): Result<HeartbeatRecord | undefined, string> {
    const bytes = this.readSector(heartbeatSector(slot));
    if (!bytes.ok) return bytes;
    const record = decodeHeartbeat(bytes.value, slot, this.header.sectorSize);
    return record.ok ? record : err(`${this.device.path}: ${record.error.message}`);
  }

  writeHeartbeat(record: HeartbeatRecord): Result<void, string> {
    return this.writeSector(heartbeatSector(record.slot), encodeHeartbeat(record, this.header.sectorSize));
  }

  readLease(): Result<LeaseRecord | undefined, string> {
    const bytes = this.readSector(LEASE_SECTOR);
    if (!bytes.ok) return bytes;
    const record = decodeLease(bytes.value, this.header.sectorSize);
    return record.ok ? record : err(`${this.device.path}: ${record.error.message}`);
  }

  writeLease(record: LeaseRecord): Result<void, string> {
    return this.writeSector(LEASE_SECTOR, encodeLease(record, this.header.sectorSize));
  }

  /** Every allocated slot with its mailbox and heartbeat. A damaged slot is an error naming it. */
  slots(): Result<SlotView[], string> {
    const out: SlotView[] = [];
    for (let slot = 0; slot < this.header.slotCount; slot++) {
      const mailbox = this.readMailbox(slot);
      if (!mailbox.ok) return mailbox;
      if (mailbox.value === undefined) continue;
      const heartbeat = this.readHeartbeat(slot);
      if (!heartbeat.ok) return heartbeat;
      out.push({ slot, node: mailbox.value.node, mailbox: mailbox.value, heartbeat: heartbeat.value });
    }
    return ok(out);
  }

  /** The slot allocated to `node`. */
  slotOf(node: string): Result<number, string> {
    const slots = this.slots();
    if (!slots.ok) return slots;
    const found = slots.value.find((view) => view.node === node);
    if (found === undefined) return err(`node '${node}' has no slot on ${this.device.path} (slots: ${slots.value.map((view) => view.node).join(', ') || 'none'})`);
    return ok(found.slot);
  }

  /** Writes `message` to `node`'s mailbox with the next sequence number; answers the record written. */
  sendMessage(node: string, message: DiskMessage, sender: string, wallNow: number): Result<MailboxRecord, string> {
    const slot = this.slotOf(node);
    if (!slot.ok) return slot;
    const current = this.readMailbox(slot.value);
    if (!current.ok) return current;
    const record: MailboxRecord = { slot: slot.value, node, message, sequence: ((current.value?.sequence ?? 0) + 1) >>> 0, sender, writtenAtWallMs: wallNow };
    const written = this.writeSector(mailboxSector(slot.value), encodeMailbox(record, this.header.sectorSize));
    return written.ok ? ok(record) : written;
  }
}
