// The appliance profile's storage_layout: the schema (unknown keys and bad values refused with
// their path), the rules across entries (shared_storage names, the fencing disk matching the disk
// fence device, each layout's needs), the defaults the storage commands take, and `profile show`.
import { describe, expect, it } from 'vitest';
import { checkAppliance, parseProfileText, storageLayoutDefaults, type ApplianceProfile } from '../../../src/profiles/index.js';
import { cli } from '../cli/run-cli-in-process.js';

const BASE = `kind: appliance
name: three
nodes:
  - { name: a, fencing: [[{ device: disk }]] }
  - { name: b, fencing: [[{ device: disk }]] }
  - { name: c, fencing: [[{ device: disk }]] }
links: [{ name: lan, kind: ethernet, interface: eth0 }]
fence_devices: [{ name: disk, driver: disk, device: /dev/disk/by-id/lun-fence }]
shared_storage:
  - { name: data, kind: block, device: /dev/disk/by-id/lun-data }
  - { name: fence, kind: block, device: /dev/disk/by-id/lun-fence }
  - { name: nas, kind: nfs, export: "nas:/export/db" }
  - { name: san, kind: iscsi, portal: 192.0.2.50, target: iqn.2024-01.example:data }
`;

function appliance(layout: string): { profile?: ApplianceProfile; problems: string[] } {
  const parsed = parseProfileText(`${BASE}storage_layout:\n${layout}`, 'three.yaml');
  if (parsed.document === undefined) return { problems: parsed.issues.map((i) => `${i.path}: ${i.message}`) };
  const profile = parsed.document as ApplianceProfile;
  return { profile, problems: checkAppliance(profile, new Map(), new Map()).map((p) => `${p.path.join('.')}: ${p.message}`) };
}

describe('storage_layout', () => {
  it('accepts each layout and gives the commands their defaults', () => {
    const nPlusOne = appliance('  kind: n-plus-1\n  data: data\n  filesystem: { fstype: ext4, directory: /srv/db, mmp: require }\n  fencing_disk: fence\n  quorum_disk: fence\n  backup_node: c\n');
    expect(nPlusOne.problems).toEqual([]);
    expect(storageLayoutDefaults(nPlusOne.profile as ApplianceProfile)).toEqual({ kind: 'n-plus-1', device: '/dev/disk/by-id/lun-data', fstype: 'ext4', directory: '/srv/db', mmp: 'require', backup: 'c' });
    const nToN = appliance('  kind: n-to-n\n  data: data\n  vg: vg_shared\n  lv: lv_data\n  filesystem: { fstype: gfs2, directory: /srv/shared, options: noatime }\n');
    expect(nToN.problems).toEqual([]);
    expect(storageLayoutDefaults(nToN.profile as ApplianceProfile)).toMatchObject({ vg: 'vg_shared', lv: 'lv_data', fstype: 'gfs2', options: 'noatime' });
    expect(storageLayoutDefaults(appliance('  kind: active-passive\n  data: nas\n').profile as ApplianceProfile)).toEqual({ kind: 'active-passive', device: 'nas:/export/db', fstype: 'nfs' });
    expect(storageLayoutDefaults(appliance('  kind: active-passive\n  data: san\n').profile as ApplianceProfile)).toEqual({ kind: 'active-passive', iscsiPortal: '192.0.2.50', iscsiTarget: 'iqn.2024-01.example:data' });
  });

  it.each([
    ['  kind: mirrored\n  data: data\n', 'storage_layout.kind'],
    ['  kind: active-passive\n  data: data\n  disk: x\n', "unknown key 'disk'"],
    ['  kind: active-passive\n  data: data\n  filesystem: { fstype: ext4, directory: srv }\n', "'srv' is not an absolute path"],
  ])('the schema refuses %j', (layout, message) => {
    expect(appliance(layout).problems.join('\n')).toContain(message);
  });

  it.each([
    ['  kind: active-passive\n  data: disk9\n', "storage_layout.data: no shared_storage entry named 'disk9' (entries: data, fence, nas, san)"],
    ['  kind: active-passive\n  data: data\n  fencing_disk: nas\n', "storage_layout.fencing_disk: 'nas' is nfs storage: a fencing disk is a partition of a block device every node sees"],
    ['  kind: active-passive\n  data: data\n  fencing_disk: data\n', "storage_layout.fencing_disk: 'data' is /dev/disk/by-id/lun-data, but fence device 'disk' writes to /dev/disk/by-id/lun-fence: name the same partition"],
    ['  kind: n-to-n\n  data: data\n  lv: l\n', 'storage_layout.vg: an n-to-n layout mounts a logical volume of a shared VG: give vg and lv'],
    ['  kind: n-to-n\n  data: data\n  vg: v\n  lv: l\n  filesystem: { fstype: ext4, directory: /x }\n', 'storage_layout.filesystem: an n-to-n layout mounts a cluster filesystem on every node: fstype gfs2 or ocfs2, not ext4'],
    ['  kind: active-passive\n  data: data\n  filesystem: { fstype: gfs2, directory: /x }\n', 'storage_layout.filesystem: gfs2 is a cluster filesystem: its layout is n-to-n'],
    ['  kind: active-passive\n  data: data\n  filesystem: { fstype: xfs, directory: /x, mmp: require }\n', "storage_layout.filesystem: mmp is ext4's multi-mount protection; xfs has none"],
    ['  kind: n-plus-1\n  data: data\n', 'storage_layout.backup_node: an n-plus-1 layout names the node every group fails over to: give backup_node'],
    ['  kind: n-plus-1\n  data: data\n  backup_node: z\n', "storage_layout.backup_node: 'z' is not a node of the appliance (nodes: a, b, c)"],
    ['  kind: active-passive\n  data: data\n  backup_node: c\n', 'storage_layout.backup_node: only an n-plus-1 layout has a backup node (this one is active-passive)'],
  ])('the rules refuse %j', (layout, message) => {
    expect(appliance(layout).problems).toEqual([message]);
  });

  it('profile show prints the layout of the shipped sbd appliance', async () => {
    const run = await cli('profile', 'show', 'generic-2node-ipmi-sbd');
    expect(run.out).toContain('Storage layout: active-passive');
    expect(run.out).toContain('  filesystem: ext4 on /srv/data, mmp require');
    expect(run.out).toContain('  fencing disk: fence');
    expect(run.out).toContain('heartline storage create-failover-fs --profile generic-2node-ipmi-sbd');
  });
});
