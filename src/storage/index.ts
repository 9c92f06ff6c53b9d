// Shared storage. Today: disk fencing and the quorum disk (Heartline's sbd): the fencing disk's
// records over a block device (SharedDisk), the node's watcher and watchdog (DiskWatcher,
// Watchdog), the `disk` fence driver and the quorum-disk lease service. The on-disk format and the
// lease logic are pure, in disk-format/. docs/STORAGE.md, "Disk fencing and quorum disk".
export type { BlockDevice } from './block-device.js';
export { FileBlockDevice, IO_UNIT_MAX, MemoryBlockDevice } from './block-device.js';
export type { DiskInitOptions, SlotView } from './shared-disk.js';
export { SharedDisk } from './shared-disk.js';
export type { FileWatchdogState, ResetAction, Watchdog } from './watchdog.js';
export { DeviceWatchdog, FileWatchdog } from './watchdog.js';
export type { DiskWatcherOptions, DiskWatcherStatus, StartMode } from './disk-watcher.js';
export { DiskWatcher } from './disk-watcher.js';
export type { DiskFenceDriverOptions } from './disk-fence-driver.js';
export { createDiskFenceDriver } from './disk-fence-driver.js';
export type { QuorumDiskOptions } from './quorum-disk.js';
export { QuorumDisk } from './quorum-disk.js';
