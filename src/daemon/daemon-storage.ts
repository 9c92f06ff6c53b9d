/**
 * The daemon's disk fencing and quorum disk, from heartline.yaml's `storage` section
 * (docs/STORAGE.md, "Disk fencing and quorum disk"):
 * - `disk_fencing`: a DiskWatcher on this node's slot, petting the watchdog while the node reads
 *   its slot or sees a healthy cluster (a view holding a strict majority of the configured nodes:
 *   both nodes of a two-node cluster), and fencing itself on a pill;
 * - `quorum_disk`: a QuorumDisk whose lease decides quorum when a two-node cluster is split
 *   (`adjustView`, with quorateWithQuorumDisk); a change of the lease re-applies the last view.
 * Problems at start (no such device, a blank disk, no slot for this node, a pill in the slot in
 * start mode clean, no watchdog) are error values with the fix; the daemon refuses to start.
 */
import type { HeartlineConfig } from '../config/index.js';
import type { Clock, Logger, Result } from '../lib/index.js';
import { err, ok } from '../lib/index.js';
import { quorateWithQuorumDisk } from '../storage/disk-format/index.js';
import { DeviceWatchdog, DiskWatcher, FileWatchdog, QuorumDisk, SharedDisk, type DiskWatcherStatus } from '../storage/index.js';
import type { ClusterView } from './membership-driver.js';

export interface DaemonStorageOptions {
  readonly config: HeartlineConfig;
  readonly nodeName: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The pill's reason: the daemon stops its resources without waiting (the reset follows). */
  readonly onSelfFence: (reason: string) => void;
  /** The lease changed: the daemon re-applies its last view (adjustView decides quorum again). */
  readonly onQuorumDiskChange: () => void;
}

export interface DaemonStorage {
  /** The view the rest of the daemon sees: quorum decided by the lease in a two-node split. Records the view for `clusterHealthy`. */
  adjustView(view: ClusterView): ClusterView;
  status(): { readonly diskFencing: DiskWatcherStatus | null; readonly quorumDisk: { readonly holds: boolean } | null };
  /** Stops the watcher (disarming the watchdog) and the lease. */
  close(): void;
  /** Stops the watcher and the lease but leaves the watchdog armed and unpetted (the daemon failed). */
  abandon(): void;
}

export function startDaemonStorage(options: DaemonStorageOptions): Result<DaemonStorage, { readonly message: string; readonly hint: string }> {
  const section = options.config.storage;
  const configuredNodes = options.config.nodes.length;
  let lastView: ClusterView | undefined;
  const disks: SharedDisk[] = [];
  const closeAll = (): void => {
    for (const disk of disks) disk.close();
  };
  let watcher: DiskWatcher | undefined;
  if (section?.diskFencing !== undefined) {
    const settings = section.diskFencing;
    const disk = SharedDisk.openPath(settings.device);
    if (!disk.ok) return err({ message: `storage.disk_fencing: ${disk.error}`, hint: `initialize the fencing disk once from one node: heartline storage disk-init ${settings.device} --nodes ${options.config.nodes.map((n) => n.name).join(',')}` });
    disks.push(disk.value);
    // One heartline.yaml serves every node: `{node}` in the stand-in's path is this node's name.
    const watchdog = settings.watchdogStandIn === undefined ? new DeviceWatchdog(settings.watchdog) : new FileWatchdog(settings.watchdogStandIn.replaceAll('{node}', options.nodeName), disk.value.header.watchdogTimeoutMs);
    watcher = new DiskWatcher({
      disk: disk.value,
      node: options.nodeName,
      watchdog,
      clock: options.clock,
      logger: options.logger,
      startMode: settings.startMode,
      clusterHealthy: () => lastView !== undefined && lastView.quorate && 2 * lastView.members.length > configuredNodes,
      onSelfFence: (_message, reason) => options.onSelfFence(reason),
    });
    const started = watcher.start();
    if (!started.ok) {
      closeAll();
      return err({ message: `storage.disk_fencing: ${started.error}`, hint: 'docs/STORAGE.md, "Disk fencing and quorum disk"' });
    }
  }
  let quorum: QuorumDisk | undefined;
  let lastQuorate: boolean | undefined;
  let lastDecidedBy: string | undefined;
  if (section?.quorumDisk !== undefined) {
    const device = section.quorumDisk.device;
    const disk = section.diskFencing?.device === device && disks[0] !== undefined ? ok(disks[0]) : SharedDisk.openPath(device);
    if (!disk.ok) {
      watcher?.stop();
      closeAll();
      return err({ message: `storage.quorum_disk: ${disk.error}`, hint: `initialize it once from one node: heartline storage disk-init ${device} --nodes ${options.config.nodes.map((n) => n.name).join(',')}` });
    }
    if (!disks.includes(disk.value)) disks.push(disk.value);
    if (configuredNodes !== 2) options.logger.warn('quorum_disk decides quorum only in two-node clusters; with more nodes the majority rule stays', { nodes: configuredNodes });
    quorum = new QuorumDisk({ disk: disk.value, node: options.nodeName, clock: options.clock, logger: options.logger, onChange: () => options.onQuorumDiskChange() });
    quorum.start();
  }
  return ok({
    adjustView(view) {
      lastView = view;
      if (quorum === undefined) return view;
      const holdsLease = quorum.holds();
      const quorate = quorateWithQuorumDisk({ configuredNodes, members: view.members.length, membershipQuorate: view.quorate, holdsLease });
      const decidedBy = configuredNodes === 2 && view.members.length < 2 ? 'quorum disk' : 'membership';
      if (quorate !== lastQuorate || decidedBy !== lastDecidedBy) {
        options.logger.info(quorate ? 'quorum held' : 'no quorum', { decidedBy, holdsLease, members: view.members.length, membershipQuorate: view.quorate });
        lastQuorate = quorate;
        lastDecidedBy = decidedBy;
      }
      return quorate === view.quorate ? view : { ...view, quorate };
    },
    status() {
      return { diskFencing: watcher?.status() ?? null, quorumDisk: quorum === undefined ? null : { holds: quorum.holds() } };
    },
    close() {
      quorum?.stop();
      watcher?.stop();
      closeAll();
    },
    abandon() {
      quorum?.stop();
      watcher?.stop(false);
      closeAll();
    },
  });
}
