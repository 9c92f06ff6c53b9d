import type { Command } from 'commander';
import type { Terminal } from '../output.js';
import { registerStorageDiskCommands } from './storage-disk.js';
import { registerStorageLayoutCommands } from './storage-layouts.js';

/**
 * `heartline storage`: shared storage. The fencing disk and the quorum disk (storage-disk.ts:
 * disk-init, disk-dump, disk-message, disk-watch) and the layouts (storage-layouts.ts:
 * create-failover-fs for active/passive and N+1, create-clustered-fs for N-to-N).
 */
export function registerStorageCommand(program: Command, terminal: Terminal): void {
  const storage = program
    .command('storage')
    .summary('shared storage: layouts (failover and cluster filesystems), the fencing disk and the quorum disk')
    .description(
      'Shared storage commands. The fencing disk is a small partition of the shared disk that every ' +
        'node reads: one slot per node where a fencer writes a poison pill, which the node obeys at ' +
        'once, and a watchdog that resets a node that can neither read its slot nor see the cluster. ' +
        'Its lease sector is the quorum disk, the tie-breaker of a two-node cluster. docs/STORAGE.md, ' +
        '"Disk fencing and quorum disk". The layout commands create, in one change, the resources of a ' +
        'storage layout: a failover filesystem group (active/passive, N+1) or a cluster filesystem on every ' +
        'node (N-to-N); docs/STORAGE.md, "Layouts".',
    );
  registerStorageDiskCommands(storage, terminal);
  registerStorageLayoutCommands(storage, terminal);
}
