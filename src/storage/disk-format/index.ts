// The fencing disk's format and the quorum-disk lease, pure (a core folder: no node:*, no clock):
// the daemon's disk watcher, the `disk` fence driver, the CLI and the simulator all use it.
// docs/STORAGE.md ("Disk fencing and quorum disk") describes the format and the rules.
export { crc32 } from './checksum.js';
export type { DiskFormatError, DiskFormatErrorCode } from './disk-codec.js';
export { decodeHeader, decodeHeartbeat, decodeLease, decodeMailbox, encodeHeader, encodeHeartbeat, encodeLease, encodeMailbox, parseDiskMessage } from './disk-codec.js';
export type { DiskHeader, DiskMessage, HeartbeatRecord, HeartbeatState, LeaseRecord, MailboxRecord, SectorSize } from './disk-layout.js';
export {
  DISK_FORMAT_VERSION,
  DISK_MESSAGES,
  HEADER_SECTOR,
  LEASE_SECTOR,
  NODE_NAME,
  SECTOR_SIZES,
  SLOT_COUNT_MAX,
  heartbeatSector,
  isFencingMessage,
  mailboxSector,
  sectorsNeeded,
} from './disk-layout.js';
export type { DiskTimeouts } from './disk-timeouts.js';
export { DEFAULT_LOOP_MS, DEFAULT_WATCHDOG_TIMEOUT_MS, LOOP_MS_MIN, checkDiskTimeouts, leaseAcquireDelayMs, resolveDiskTimeouts } from './disk-timeouts.js';
export type { LeaseTimer, QuorumLeaseConfig, QuorumLeaseEffect, QuorumLeaseInput, QuorumLeasePhase } from './quorum-lease.js';
export { QuorumLease } from './quorum-lease.js';
export type { QuorumDiskInput } from './quorum-disk-rule.js';
export { quorateWithQuorumDisk } from './quorum-disk-rule.js';
