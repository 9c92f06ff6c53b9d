import type { Command } from 'commander';
import type { Terminal } from '../output.js';
import { registerStorageDiskCommands } from './storage-disk.js';

/**
 * `heartline storage`: shared storage. Today the fencing disk and the quorum disk (storage-disk.ts:
 * disk-init, disk-dump, disk-message, disk-watch); the storage resources add their commands here.
 */
export function registerStorageCommand(program: Command, terminal: Terminal): void {
  const storage = program
    .command('storage')
    .summary('shared storage: the fencing disk (poison pill, watchdog) and the quorum disk')
    .description(
      'Shared storage commands. The fencing disk is a small partition of the shared disk that every ' +
        'node reads: one slot per node where a fencer writes a poison pill, which the node obeys at ' +
        'once, and a watchdog that resets a node that can neither read its slot nor see the cluster. ' +
        'Its lease sector is the quorum disk, the tie-breaker of a two-node cluster. docs/STORAGE.md, ' +
        '"Disk fencing and quorum disk".',
    );
  registerStorageDiskCommands(storage, terminal);
}
