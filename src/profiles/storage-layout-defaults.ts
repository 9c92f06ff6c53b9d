/**
 * The defaults an appliance's `storage_layout` gives the `heartline storage create-*` commands
 * (`--profile NAME`): the data disk's device (or the NAS export, or the SAN portal and target), the
 * filesystem, the volume group and logical volume, the backup node. Options on the command line win.
 */
import type { ApplianceProfile, StorageLayoutProfile } from './hardware-profile-schema.js';

export interface StorageLayoutDefaults {
  readonly kind: StorageLayoutProfile['kind'];
  /** The block device as every node names it, or the NFS export (HOST:/PATH). */
  readonly device?: string;
  readonly fstype?: string;
  readonly directory?: string;
  readonly options?: string;
  readonly mmp?: string;
  readonly vg?: string;
  readonly lv?: string;
  readonly iscsiPortal?: string;
  readonly iscsiTarget?: string;
  readonly backup?: string;
}

/** The layout's defaults, or undefined when the appliance has no storage_layout. Assumes a profile that passed checkAppliance. */
export function storageLayoutDefaults(appliance: ApplianceProfile): StorageLayoutDefaults | undefined {
  const layout = appliance.storage_layout;
  if (layout === undefined) return undefined;
  const data = appliance.shared_storage?.find((entry) => entry.name === layout.data);
  const fs = layout.filesystem;
  return {
    kind: layout.kind,
    ...(data?.kind === 'block' ? { device: data.device } : {}),
    ...(data?.kind === 'nfs' ? { device: data.export, fstype: 'nfs' } : {}),
    ...(data?.kind === 'iscsi' ? { iscsiPortal: data.portal, iscsiTarget: data.target } : {}),
    ...(fs === undefined ? {} : { fstype: fs.fstype, directory: fs.directory }),
    ...(fs?.options === undefined ? {} : { options: fs.options }),
    ...(fs?.mmp === undefined ? {} : { mmp: fs.mmp }),
    ...(layout.vg === undefined ? {} : { vg: layout.vg }),
    ...(layout.lv === undefined ? {} : { lv: layout.lv }),
    ...(layout.backup_node === undefined ? {} : { backup: layout.backup_node }),
  };
}

/** The layout as lines for `heartline profile show`. */
export function storageLayoutLines(appliance: ApplianceProfile): string[] {
  const layout = appliance.storage_layout;
  if (layout === undefined) return [];
  const fs = layout.filesystem;
  const lines = [`Storage layout: ${layout.kind}${layout.description === undefined ? '' : ` (${layout.description})`}`, `  data: ${layout.data}${layout.vg === undefined ? '' : `, VG ${layout.vg}${layout.lv === undefined ? '' : `/${layout.lv}`}`}`];
  if (fs !== undefined) lines.push(`  filesystem: ${fs.fstype} on ${fs.directory}${fs.options === undefined ? '' : ` (options ${fs.options})`}${fs.mmp === undefined ? '' : `, mmp ${fs.mmp}`}`);
  if (layout.fencing_disk !== undefined) lines.push(`  fencing disk: ${layout.fencing_disk}`);
  if (layout.quorum_disk !== undefined) lines.push(`  quorum disk: ${layout.quorum_disk}`);
  if (layout.backup_node !== undefined) lines.push(`  backup node: ${layout.backup_node}`);
  const command = layout.kind === 'n-to-n' ? 'create-clustered-fs' : 'create-failover-fs';
  lines.push(`  create it with: heartline storage ${command} --profile ${appliance.name} ...`);
  return lines;
}
