/**
 * The on-disk format of a fencing disk (Heartline's sbd), what each sector holds and where.
 *
 *     sector 0               header: magic, version, sector size, slot count, timeouts, disk id
 *     sector 1               quorum-disk lease: owner, counter
 *     sector 2 + 2 * slot    the slot's mailbox: the message for the slot's node, written by
 *                            fencers and operators (never by the node itself)
 *     sector 3 + 2 * slot    the slot's heartbeat: counter, state, last message acknowledged,
 *                            written only by the slot's node
 *
 * Invariants, and why:
 * - every record is exactly one sector, at a sector-aligned offset, so one write replaces it
 *   whole (a disk writes a sector atomically) and no reader sees half of it;
 * - every sector has one writer role: a node never writes its own mailbox (it would race a fencer
 *   writing a pill and could erase it) and acknowledges a message in its heartbeat instead;
 * - every record ends with a CRC-32 of the rest of its sector and says which slot it belongs to,
 *   so a sector written for another place (a misdirected write, a disk from another cluster) is
 *   refused, not believed. An all-zero sector is "blank" (never written), not an error.
 */

/** The sector sizes we write: 512-byte and 4 KiB ("advanced format") disks. */
export const SECTOR_SIZES = [512, 4096] as const;
export type SectorSize = (typeof SECTOR_SIZES)[number];

/** ASCII "HLFENCE1" at the start of the header. */
export const DISK_MAGIC = [0x48, 0x4c, 0x46, 0x45, 0x4e, 0x43, 0x45, 0x31] as const;
export const DISK_FORMAT_VERSION = 1;
/** sbd allows 255 slots; a Heartline cluster has at most 16 nodes, the rest are spare. */
export const SLOT_COUNT_MAX = 255;
/** Node names are ASCII, at most this many bytes (heartline.yaml names are shorter). */
export const NODE_NAME_BYTES_MAX = 63;
export const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export const HEADER_SECTOR = 0;
export const LEASE_SECTOR = 1;

export function mailboxSector(slot: number): number {
  return 2 + 2 * slot;
}

export function heartbeatSector(slot: number): number {
  return 3 + 2 * slot;
}

/** How many sectors a disk with `slotCount` slots uses (it may be larger). */
export function sectorsNeeded(slotCount: number): number {
  return 2 + 2 * slotCount;
}

/** The kinds of record sectors, stored in their first byte. */
export const RECORD_KIND = { mailbox: 1, heartbeat: 2, lease: 3 } as const;

/**
 * What a mailbox tells its node. `clear`: nothing (or a pill was cleared by an operator);
 * `test`: log it and acknowledge; `poison`: reset yourself now (fence by reboot); `off`: power
 * yourself off now (fence by off).
 */
export type DiskMessage = 'clear' | 'test' | 'poison' | 'off';
export const DISK_MESSAGES: readonly DiskMessage[] = ['clear', 'test', 'poison', 'off'];
export const MESSAGE_CODE: Readonly<Record<DiskMessage, number>> = { clear: 0, test: 1, poison: 2, off: 3 };

/** True for the messages that fence their node. */
export function isFencingMessage(message: DiskMessage): boolean {
  return message === 'poison' || message === 'off';
}

export interface DiskHeader {
  readonly version: number;
  readonly sectorSize: SectorSize;
  readonly slotCount: number;
  readonly watchdogTimeoutMs: number;
  readonly msgwaitMs: number;
  readonly loopMs: number;
  readonly ioTimeoutMs: number;
  readonly leaseTimeoutMs: number;
  /** Wall-clock milliseconds when the disk was initialized (for people). */
  readonly createdAtWallMs: number;
  /** 32 hex digits naming this disk, so that a dump or a log line says which disk it was. */
  readonly diskId: string;
}

/**
 * A slot's mailbox. `sequence` grows with every message written to it (the writer reads the old
 * one first), so the node tells a new pill from one it has seen already.
 */
export interface MailboxRecord {
  readonly slot: number;
  readonly node: string;
  readonly message: DiskMessage;
  readonly sequence: number;
  /** Who wrote the message: a node name or `operator@host`; empty for the initial clear. */
  readonly sender: string;
  readonly writtenAtWallMs: number;
}

/** `running`: the node watches its slot; `self-fencing`: it read a pill and is resetting itself. */
export type HeartbeatState = 'running' | 'self-fencing';
export const HEARTBEAT_STATE_CODE: Readonly<Record<HeartbeatState, number>> = { running: 1, 'self-fencing': 2 };

export interface HeartbeatRecord {
  readonly slot: number;
  readonly node: string;
  readonly state: HeartbeatState;
  /** Grows by one with every write; a fencer that sees it move knows the node is alive. */
  readonly counter: number;
  /** The highest mailbox sequence the node has read and acted on. */
  readonly acknowledgedSequence: number;
  readonly writtenAtWallMs: number;
}

/** The quorum-disk lease. `owner` empty: never taken. `counter` grows with every claim and renewal. */
export interface LeaseRecord {
  readonly owner: string;
  readonly counter: number;
  readonly writtenAtWallMs: number;
}
