/**
 * Encoding and decoding of the fencing disk's sectors (disk-layout.ts). Pure: bytes in, records
 * out. Decoding never throws: a sector that is not what it should be is a DiskFormatError value
 * naming what is wrong, and an all-zero record sector is `undefined` (never written). Encoding
 * asserts its input, because a bad record to write is a bug of the caller, not a disk problem.
 *
 * Numbers are little-endian. Every record sector is laid out as:
 *     0  kind (u8)   1  format version (u8)   2  slot (u16, 0xffff for the lease)
 *     4  name length (u8)   8..71  name (ASCII)   72..  the record's fields
 *     sectorSize-4  CRC-32 of bytes [0, sectorSize-4)
 */
import { assert, err, ok, type Result } from '../../lib/index.js';
import { crc32 } from './checksum.js';
import {
  DISK_FORMAT_VERSION,
  DISK_MAGIC,
  DISK_MESSAGES,
  HEARTBEAT_STATE_CODE,
  MESSAGE_CODE,
  NODE_NAME,
  RECORD_KIND,
  SECTOR_SIZES,
  SLOT_COUNT_MAX,
  type DiskHeader,
  type DiskMessage,
  type HeartbeatRecord,
  type HeartbeatState,
  type LeaseRecord,
  type MailboxRecord,
  type SectorSize,
} from './disk-layout.js';
import { checkDiskTimeouts } from './disk-timeouts.js';

export type DiskFormatErrorCode = 'blank' | 'bad-magic' | 'bad-version' | 'bad-checksum' | 'wrong-kind' | 'wrong-slot' | 'bad-field' | 'wrong-size';

/** Why a sector could not be read as what it should be; `message` says what to check. */
export interface DiskFormatError {
  readonly code: DiskFormatErrorCode;
  readonly message: string;
}

const NAME_OFFSET = 8;
const FIELDS_OFFSET = 72;
const LEASE_SLOT = 0xffff;

function failure(code: DiskFormatErrorCode, message: string): { readonly ok: false; readonly error: DiskFormatError } {
  return err({ code, message });
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isSectorSize(size: number): size is SectorSize {
  return (SECTOR_SIZES as readonly number[]).includes(size);
}

function isBlank(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}

function seal(bytes: Uint8Array): Uint8Array {
  view(bytes).setUint32(bytes.length - 4, crc32(bytes, 0, bytes.length - 4), true);
  return bytes;
}

function checksumMatches(bytes: Uint8Array): boolean {
  return view(bytes).getUint32(bytes.length - 4, true) === crc32(bytes, 0, bytes.length - 4);
}

/** A message's sender: a node name, or `user@host` for an operator. */
const SENDER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}$/;

function writeName(bytes: Uint8Array, offset: number, name: string, pattern: RegExp = NODE_NAME): void {
  assert(name === '' || pattern.test(name), `'${name}' is not a ${pattern === NODE_NAME ? 'node' : 'sender'} name that fits a disk slot`);
  bytes[offset - 4] = name.length;
  for (let index = 0; index < name.length; index++) bytes[offset + index] = name.charCodeAt(index);
}

function readName(bytes: Uint8Array, offset: number, pattern: RegExp = NODE_NAME): string | undefined {
  const length = bytes[offset - 4] as number;
  if (length > 63) return undefined;
  let name = '';
  for (let index = 0; index < length; index++) name += String.fromCharCode(bytes[offset + index] as number);
  return name === '' || pattern.test(name) ? name : undefined;
}

/** A fresh sector for a record of `kind` in `slot`, with the common prefix filled in. */
function recordSector(sectorSize: SectorSize, kind: number, slot: number, name: string): Uint8Array {
  assert(isSectorSize(sectorSize), `sector size ${sectorSize} is not one of ${SECTOR_SIZES.join(', ')}`);
  const bytes = new Uint8Array(sectorSize);
  bytes[0] = kind;
  bytes[1] = DISK_FORMAT_VERSION;
  view(bytes).setUint16(2, slot, true);
  writeName(bytes, NAME_OFFSET, name);
  return bytes;
}

/** Checks the common prefix of a record sector; answers the name, `undefined` for a blank sector. */
function openRecord(bytes: Uint8Array, sectorSize: SectorSize, kind: number, slot: number, what: string): Result<string | undefined, DiskFormatError> {
  if (bytes.length !== sectorSize) return failure('wrong-size', `${what}: read ${bytes.length} bytes, expected one sector of ${sectorSize}`);
  if (isBlank(bytes)) return ok(undefined);
  if (!checksumMatches(bytes)) return failure('bad-checksum', `${what}: checksum mismatch (a torn or foreign write): the sector is not trusted`);
  if (bytes[0] !== kind) return failure('wrong-kind', `${what}: the sector holds a record of kind ${String(bytes[0])}, expected ${kind}: is this the right device and sector size?`);
  if (bytes[1] !== DISK_FORMAT_VERSION) return failure('bad-version', `${what}: record format version ${String(bytes[1])}, this program knows ${DISK_FORMAT_VERSION}`);
  const storedSlot = view(bytes).getUint16(2, true);
  if (storedSlot !== slot) return failure('wrong-slot', `${what}: the sector belongs to slot ${storedSlot}, not ${slot} (a misdirected write?)`);
  const name = readName(bytes, NAME_OFFSET);
  if (name === undefined) return failure('bad-field', `${what}: the node name is not valid`);
  return ok(name);
}

// ---------------------------------------------------------------------------------------------
// Header

/** The header sector. Asserts the header's own rules (sector size, slot count, timeouts, disk id). */
export function encodeHeader(header: DiskHeader): Uint8Array {
  assert(isSectorSize(header.sectorSize), `sector size ${header.sectorSize} is not one of ${SECTOR_SIZES.join(', ')}`);
  assert(Number.isInteger(header.slotCount) && header.slotCount >= 1 && header.slotCount <= SLOT_COUNT_MAX, `slot count ${header.slotCount} is not 1..${SLOT_COUNT_MAX}`);
  const problems = checkDiskTimeouts(header);
  assert(problems.length === 0, `disk timeouts: ${problems.join('; ')}`);
  assert(/^[0-9a-f]{32}$/.test(header.diskId), `disk id '${header.diskId}' is not 32 lowercase hex digits`);
  const bytes = new Uint8Array(header.sectorSize);
  bytes.set(DISK_MAGIC, 0);
  const data = view(bytes);
  data.setUint16(8, DISK_FORMAT_VERSION, true);
  data.setUint32(12, header.sectorSize, true);
  data.setUint32(16, header.slotCount, true);
  data.setUint32(20, header.watchdogTimeoutMs, true);
  data.setUint32(24, header.msgwaitMs, true);
  data.setUint32(28, header.loopMs, true);
  data.setUint32(32, header.ioTimeoutMs, true);
  data.setUint32(36, header.leaseTimeoutMs, true);
  data.setFloat64(40, header.createdAtWallMs, true);
  for (let index = 0; index < 16; index++) bytes[48 + index] = parseInt(header.diskId.slice(2 * index, 2 * index + 2), 16);
  return seal(bytes);
}

/**
 * Reads a header from the first bytes of a disk (at least 512; the header says its sector size,
 * and a 4 KiB header needs 4096 bytes). Refuses a blank disk, another format, a newer version, a
 * bad checksum and timeouts that break the rules.
 */
export function decodeHeader(bytes: Uint8Array): Result<DiskHeader, DiskFormatError> {
  if (bytes.length < 512) return failure('wrong-size', `header: read ${bytes.length} bytes, need at least 512`);
  if (isBlank(bytes.subarray(0, 512))) return failure('blank', 'the device has no fencing header (it is blank): initialize it with `heartline storage disk-init DEVICE --nodes a,b`');
  for (let index = 0; index < DISK_MAGIC.length; index++) {
    if (bytes[index] !== DISK_MAGIC[index]) return failure('bad-magic', 'the device does not start with a Heartline fencing header: wrong device, or not initialized (`heartline storage disk-init`)');
  }
  const data = view(bytes);
  const version = data.getUint16(8, true);
  if (version !== DISK_FORMAT_VERSION) return failure('bad-version', `the fencing header has format version ${version}; this program reads version ${DISK_FORMAT_VERSION}: upgrade heartline on every node`);
  const sectorSize = data.getUint32(12, true);
  if (!isSectorSize(sectorSize)) return failure('bad-field', `the header's sector size ${sectorSize} is not one of ${SECTOR_SIZES.join(', ')}`);
  if (bytes.length < sectorSize) return failure('wrong-size', `header: read ${bytes.length} bytes, the header's sector is ${sectorSize}`);
  const sector = bytes.subarray(0, sectorSize);
  if (!checksumMatches(sector)) return failure('bad-checksum', 'the fencing header\'s checksum does not match: the header is damaged; re-initialize the disk while no node uses it');
  const slotCount = data.getUint32(16, true);
  if (slotCount < 1 || slotCount > SLOT_COUNT_MAX) return failure('bad-field', `the header's slot count ${slotCount} is not 1..${SLOT_COUNT_MAX}`);
  let diskId = '';
  for (let index = 0; index < 16; index++) diskId += (bytes[48 + index] as number).toString(16).padStart(2, '0');
  const header: DiskHeader = {
    version,
    sectorSize,
    slotCount,
    watchdogTimeoutMs: data.getUint32(20, true),
    msgwaitMs: data.getUint32(24, true),
    loopMs: data.getUint32(28, true),
    ioTimeoutMs: data.getUint32(32, true),
    leaseTimeoutMs: data.getUint32(36, true),
    createdAtWallMs: data.getFloat64(40, true),
    diskId,
  };
  const problems = checkDiskTimeouts(header);
  if (problems.length > 0) return failure('bad-field', `the header's timeouts break the rules: ${problems.join('; ')}`);
  return ok(header);
}

// ---------------------------------------------------------------------------------------------
// Mailbox

export function encodeMailbox(record: MailboxRecord, sectorSize: SectorSize): Uint8Array {
  assert(record.node !== '', 'a mailbox names its node');
  assert(Number.isInteger(record.sequence) && record.sequence >= 0 && record.sequence <= 0xffffffff, `mailbox sequence ${record.sequence} is not a u32`);
  const bytes = recordSector(sectorSize, RECORD_KIND.mailbox, record.slot, record.node);
  bytes[FIELDS_OFFSET] = MESSAGE_CODE[record.message];
  const data = view(bytes);
  data.setUint32(FIELDS_OFFSET + 4, record.sequence, true);
  writeName(bytes, FIELDS_OFFSET + 12, record.sender, SENDER_NAME);
  data.setFloat64(FIELDS_OFFSET + 80, record.writtenAtWallMs, true);
  return seal(bytes);
}

/** The mailbox of `slot`; `undefined` when the slot was never allocated (blank). */
export function decodeMailbox(bytes: Uint8Array, slot: number, sectorSize: SectorSize): Result<MailboxRecord | undefined, DiskFormatError> {
  const what = `slot ${slot} mailbox`;
  const opened = openRecord(bytes, sectorSize, RECORD_KIND.mailbox, slot, what);
  if (!opened.ok || opened.value === undefined) return opened.ok ? ok(undefined) : opened;
  const message = DISK_MESSAGES.find((candidate) => MESSAGE_CODE[candidate] === bytes[FIELDS_OFFSET]);
  if (message === undefined) return failure('bad-field', `${what}: unknown message code ${String(bytes[FIELDS_OFFSET])}`);
  const sender = readName(bytes, FIELDS_OFFSET + 12, SENDER_NAME);
  if (sender === undefined) return failure('bad-field', `${what}: the sender's name is not valid`);
  const data = view(bytes);
  return ok({ slot, node: opened.value, message, sequence: data.getUint32(FIELDS_OFFSET + 4, true), sender, writtenAtWallMs: data.getFloat64(FIELDS_OFFSET + 80, true) });
}

// ---------------------------------------------------------------------------------------------
// Heartbeat

export function encodeHeartbeat(record: HeartbeatRecord, sectorSize: SectorSize): Uint8Array {
  assert(Number.isSafeInteger(record.counter) && record.counter >= 0, `heartbeat counter ${record.counter} is not a safe integer`);
  assert(Number.isInteger(record.acknowledgedSequence) && record.acknowledgedSequence >= 0 && record.acknowledgedSequence <= 0xffffffff, 'acknowledged sequence is not a u32');
  const bytes = recordSector(sectorSize, RECORD_KIND.heartbeat, record.slot, record.node);
  bytes[FIELDS_OFFSET] = HEARTBEAT_STATE_CODE[record.state];
  const data = view(bytes);
  data.setUint32(FIELDS_OFFSET + 4, record.acknowledgedSequence, true);
  data.setFloat64(FIELDS_OFFSET + 8, record.counter, true);
  data.setFloat64(FIELDS_OFFSET + 16, record.writtenAtWallMs, true);
  return seal(bytes);
}

/** The heartbeat of `slot`; `undefined` when its node never wrote one. */
export function decodeHeartbeat(bytes: Uint8Array, slot: number, sectorSize: SectorSize): Result<HeartbeatRecord | undefined, DiskFormatError> {
  const what = `slot ${slot} heartbeat`;
  const opened = openRecord(bytes, sectorSize, RECORD_KIND.heartbeat, slot, what);
  if (!opened.ok || opened.value === undefined) return opened.ok ? ok(undefined) : opened;
  const state = (Object.keys(HEARTBEAT_STATE_CODE) as HeartbeatState[]).find((candidate) => HEARTBEAT_STATE_CODE[candidate] === bytes[FIELDS_OFFSET]);
  if (state === undefined) return failure('bad-field', `${what}: unknown state code ${String(bytes[FIELDS_OFFSET])}`);
  const data = view(bytes);
  const counter = data.getFloat64(FIELDS_OFFSET + 8, true);
  if (!Number.isSafeInteger(counter) || counter < 0) return failure('bad-field', `${what}: the counter is not a whole number`);
  return ok({ slot, node: opened.value, state, counter, acknowledgedSequence: data.getUint32(FIELDS_OFFSET + 4, true), writtenAtWallMs: data.getFloat64(FIELDS_OFFSET + 16, true) });
}

// ---------------------------------------------------------------------------------------------
// Lease

export function encodeLease(record: LeaseRecord, sectorSize: SectorSize): Uint8Array {
  assert(Number.isSafeInteger(record.counter) && record.counter >= 0, `lease counter ${record.counter} is not a safe integer`);
  const bytes = recordSector(sectorSize, RECORD_KIND.lease, LEASE_SLOT, record.owner);
  const data = view(bytes);
  data.setFloat64(FIELDS_OFFSET, record.counter, true);
  data.setFloat64(FIELDS_OFFSET + 8, record.writtenAtWallMs, true);
  return seal(bytes);
}

/** The lease; `undefined` when it was never written (a fresh disk): free. */
export function decodeLease(bytes: Uint8Array, sectorSize: SectorSize): Result<LeaseRecord | undefined, DiskFormatError> {
  const opened = openRecord(bytes, sectorSize, RECORD_KIND.lease, LEASE_SLOT, 'quorum lease');
  if (!opened.ok || opened.value === undefined) return opened.ok ? ok(undefined) : opened;
  const data = view(bytes);
  const counter = data.getFloat64(FIELDS_OFFSET, true);
  if (!Number.isSafeInteger(counter) || counter < 0) return failure('bad-field', 'quorum lease: the counter is not a whole number');
  return ok({ owner: opened.value, counter, writtenAtWallMs: data.getFloat64(FIELDS_OFFSET + 8, true) });
}

/** Parses a message word as the CLI and the driver take it. */
export function parseDiskMessage(word: string): DiskMessage | undefined {
  return DISK_MESSAGES.find((message) => message === word);
}

export type { DiskMessage };
