// The storage layout builders (buildClusteredFs, buildFailoverFs): the exact configuration each
// layout adds to a CIB (resources with agents, parameters and operations; constraints; the cluster
// property), one batch applied whole; and every refusal naming the option, with nothing applied.
import { describe, expect, it } from 'vitest';
import { buildClusteredFs, buildFailoverFs, type ClusteredFsRequest, type FailoverFsRequest } from '../../../../src/ha/admin/index.js';
import { constraintText, resourceLines } from '../../../../src/cli/configuration-view.js';
import { applyCibChange, importCibXml, resolveNvSets, type Cib, type CibChange } from '../../../../src/ha/cib/index.js';

const CIB_XML = `<cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-3.0">
  <configuration><crm_config/>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/><node id="3" uname="node3"/></nodes>
    <resources><primitive id="web" class="ocf" provider="heartline" type="Dummy"/></resources>
    <constraints><rsc_location id="web-pin" rsc="web" node="node1" score="10"/></constraints>
  </configuration><status/></cib>`;

function baseCib(): Cib {
  const imported = importCibXml(CIB_XML);
  if (!imported.ok) throw new Error(JSON.stringify(imported.error));
  return imported.value.cib;
}

function apply(cib: Cib, change: CibChange): Cib {
  const result = applyCibChange(cib, change, { now: 1_700_000_000, origin: 'node1', user: 'root' });
  if (!result.ok) throw new Error(`${result.error.field}: ${result.error.message}`);
  return result.value;
}

function change(result: { ok: true; value: CibChange } | { ok: false; error: { option: string; message: string } }): CibChange {
  if (!result.ok) throw new Error(`${result.error.option}: ${result.error.message}`);
  return result.value;
}

/** What the change added, in the words of `config show`: resources as trees, then constraints. */
function added(before: Cib, after: Cib): string[] {
  const old = new Set(before.configuration.resources.map((r) => r.id));
  const oldConstraints = new Set(before.configuration.constraints.map((c) => c.id));
  return [
    ...after.configuration.resources.filter((r) => !old.has(r.id)).flatMap((r) => resourceLines(r, '')),
    ...after.configuration.constraints.filter((c) => !oldConstraints.has(c.id)).map(constraintText),
  ];
}

const clustered = (fields: Partial<ClusteredFsRequest> = {}): ClusteredFsRequest => ({ name: 'shared', vg: 'vg_shared', lv: 'lv_data', directory: '/srv/shared', fstype: 'gfs2', ...fields });
const failover = (fields: Partial<FailoverFsRequest> = {}): FailoverFsRequest => ({ name: 'db', device: '/dev/disk/by-id/scsi-shared-data', directory: '/srv/db', fstype: 'ext4', ...fields });

describe('buildClusteredFs: the N-to-N stack', () => {
  it('adds the locking clone, the filesystem clone, their order and colocation, and no-quorum-policy=freeze, in one batch', () => {
    const cib = baseCib();
    const built = change(buildClusteredFs(clustered({ options: 'noatime' }), cib.configuration));
    expect(built.op).toBe('batch');
    const after = apply(cib, built);
    expect(after.version.epoch).toBe(cib.version.epoch + 1); // one configuration change
    expect(added(cib, after)).toEqual([
      'clone locking-clone (meta: interleave=true)',
      '  group locking',
      '    locking-dlm (ocf:pacemaker:controld)',
      '        op start interval=0 timeout=90s',
      '        op stop interval=0 timeout=100s',
      '        op monitor interval=30s timeout=60s on-fail=fence',
      '    locking-lvmlockd (ocf:heartbeat:lvmlockd)',
      '        op start interval=0 timeout=90s',
      '        op stop interval=0 timeout=90s',
      '        op monitor interval=30s timeout=90s on-fail=fence',
      'clone shared-clone (meta: interleave=true)',
      '  group shared',
      '    shared-lvm (ocf:heartbeat:LVM-activate)',
      '        params: vgname=vg_shared lvname=lv_data vg_access_mode=lvmlockd activation_mode=shared',
      '        op start interval=0 timeout=90s',
      '        op stop interval=0 timeout=90s',
      '        op monitor interval=30s timeout=90s',
      '    shared-fs (ocf:heartbeat:Filesystem)',
      '        params: device=/dev/vg_shared/lv_data directory=/srv/shared fstype=gfs2 options=noatime',
      '        op start interval=0 timeout=60s',
      '        op stop interval=0 timeout=60s',
      '        op monitor interval=10s timeout=40s on-fail=fence',
      'order shared-after-locking start locking-clone then start shared-clone',
      'colocation shared-with-locking shared-clone with locking-clone INFINITY',
    ]);
    expect(Object.fromEntries(resolveNvSets(after.configuration.crmConfig, { firstId: 'cib-bootstrap-options' }))).toMatchObject({ 'no-quorum-policy': 'freeze' });
  });

  it('--nodes adds a -INFINITY rule for every other node on both clones; --clone-max, --lvm-agent, --locking and --keep-quorum-policy are taken', () => {
    const cib = baseCib();
    const after = apply(cib, change(buildClusteredFs(clustered({ nodes: ['node1', 'node3'], cloneMax: 2, lvmAgent: 'ocf:heartline:LVMActivate', locking: 'dlm-stack', setQuorumPolicy: false, fstype: 'ocfs2' }), cib.configuration)));
    const lines = added(cib, after);
    expect(lines).toContain('clone dlm-stack-clone (meta: interleave=true clone-max=2)');
    expect(lines).toContain('    shared-lvm (ocf:heartline:LVMActivate)');
    expect(lines).toContain('location dlm-stack-nodes dlm-stack-clone (rules)');
    expect(lines).toContain('location shared-nodes shared-clone (rules)');
    const rule = after.configuration.constraints.find((c) => c.id === 'shared-nodes');
    expect(rule).toMatchObject({
      placement: { kind: 'rules', rules: [{ score: -1_000_000, booleanOp: 'and', expressions: [{ attribute: '#uname', operation: 'ne', value: 'node1' }, { attribute: '#uname', operation: 'ne', value: 'node3' }] }] },
    });
    expect(after.configuration.crmConfig).toEqual(cib.configuration.crmConfig);
  });

  it('a second filesystem reuses the locking clone and adds only its own clone and constraints', () => {
    const first = apply(baseCib(), change(buildClusteredFs(clustered(), baseCib().configuration)));
    const second = apply(first, change(buildClusteredFs(clustered({ name: 'logs', lv: 'lv_logs', directory: '/srv/logs' }), first.configuration)));
    expect(added(first, second).filter((l) => !l.startsWith(' '))).toEqual(['clone logs-clone (meta: interleave=true)', 'order logs-after-locking start locking-clone then start logs-clone', 'colocation logs-with-locking logs-clone with locking-clone INFINITY']);
  });

  it.each<[Partial<ClusteredFsRequest>, string, string]>([
    [{ fstype: 'ext4' }, '--fstype', "'ext4' is not a cluster filesystem: use gfs2 or ocfs2"],
    [{ fstype: 'gfs' }, '--fstype', "'gfs' is not a cluster filesystem"],
    [{ name: 'web' }, '--name', "'web' would be created, but resource 'web' exists already"],
    [{ name: 'web-pin-x', locking: 'web-pin-y' }, '--name', ''],
    [{ name: 'bad name' }, '--name', 'is not a valid id'],
    [{ vg: '-vg' }, '--vg', "'-vg' is not an LVM name"],
    [{ lv: 'a/b' }, '--lv', "'a/b' is not an LVM name"],
    [{ directory: 'srv/shared' }, '--directory', "'srv/shared' is not an absolute path"],
    [{ nodes: ['node1', 'node9'] }, '--nodes', "'node9' is not a node of the cluster (nodes: node1, node2, node3)"],
    [{ cloneMax: 0 }, '--clone-max', '0 is not a positive whole number'],
    [{ lvmAgent: 'LVM-activate' }, '--lvm-agent', 'unknown agent class "LVM-activate"'],
    [{ locking: 'web' }, '--locking', "'web' would be created, but resource 'web' exists already"],
    [{ locking: 'shared' }, '--locking', 'cannot both be named'],
  ])('refuses %j naming %s', (fields, option, message) => {
    const result = buildClusteredFs(clustered(fields), baseCib().configuration);
    if (message === '') {
      expect(result.ok).toBe(true); // ids unlike existing ones are fine
      return;
    }
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.option).toBe(option);
      expect(result.error.message).toContain(message);
    }
  });

  it('refuses a LOCKING-clone that is not a DLM + lvmlockd clone', () => {
    const cib = apply(baseCib(), { op: 'put-resource', resource: { kind: 'clone', id: 'locking-clone', legacyMaster: false, instanceAttributes: [], metaAttributes: [], child: { kind: 'primitive', id: 'lk', class: 'ocf', provider: 'heartline', type: 'Dummy', instanceAttributes: [], metaAttributes: [] } } });
    const result = buildClusteredFs(clustered(), cib.configuration);
    expect(result.ok ? '' : `${result.error.option}: ${result.error.message}`).toMatch(/^--locking: 'locking-clone' exists but is not a clone of a group of ocf:pacemaker:controld and ocf:heartbeat:lvmlockd/);
  });
});

describe('buildFailoverFs: active/passive and N+1', () => {
  it('adds one group: filesystem (heartline agent, mmp), address, service, in that order', () => {
    const cib = baseCib();
    const after = apply(cib, change(buildFailoverFs(failover({ mmp: 'require', options: 'noatime', ip: '192.0.2.10/24', nic: 'eth0', service: 'ocf:heartline:Dummy', serviceParams: ['state=/run/db.state'] }), cib.configuration)));
    expect(added(cib, after)).toEqual([
      'group db',
      '  db-fs (ocf:heartline:Filesystem)',
      '      params: device=/dev/disk/by-id/scsi-shared-data directory=/srv/db fstype=ext4 options=noatime mmp=require',
      '      op start interval=0 timeout=150s',
      '      op stop interval=0 timeout=60s',
      '      op monitor interval=20s timeout=40s',
      '  db-ip (ocf:heartbeat:IPaddr2)',
      '      params: ip=192.0.2.10 cidr_netmask=24 nic=eth0',
      '      op monitor interval=10s timeout=20s',
      '  db-service (ocf:heartline:Dummy)',
      '      params: state=/run/db.state',
      '      op monitor interval=10s timeout=20s',
    ]);
    const group = after.configuration.resources.find((r) => r.id === 'db');
    const monitor = group?.kind === 'group' ? group.members[0]?.operations?.ops.find((o) => o.name === 'monitor') : undefined;
    expect(monitor?.instanceAttributes[0]?.pairs).toEqual([expect.objectContaining({ name: 'OCF_CHECK_LEVEL', value: '20' })]);
  });

  it('puts an iSCSI login and an exclusive VG before the filesystem (SAN)', () => {
    const cib = baseCib();
    const after = apply(cib, change(buildFailoverFs(failover({ iscsiPortal: '192.0.2.50:3260', iscsiTarget: 'iqn.2024-01.example:data', vg: 'vg_db', lvmAgent: 'ocf:heartline:LVMActivate' }), cib.configuration)));
    expect(added(cib, after).filter((l) => /^ {2}\S/.test(l) || l.includes('params'))).toEqual([
      '  db-iscsi (ocf:heartbeat:iscsi)',
      '      params: portal=192.0.2.50:3260 target=iqn.2024-01.example:data',
      '  db-lvm (ocf:heartline:LVMActivate)',
      '      params: vgname=vg_db vg_access_mode=system_id',
      '  db-fs (ocf:heartline:Filesystem)',
      '      params: device=/dev/disk/by-id/scsi-shared-data directory=/srv/db fstype=ext4',
    ]);
  });

  it('N+1: --prefer adds a finite preference, --backup a rule keeping the group on those two nodes', () => {
    const cib = baseCib();
    const after = apply(cib, change(buildFailoverFs(failover({ prefer: 'node1', backup: 'node3' }), cib.configuration)));
    expect(added(cib, after).filter((l) => !l.startsWith(' ') && !l.startsWith('group'))).toEqual(['location db-prefers-node1 db prefers node1=100', 'location db-nodes db (rules)']);
    expect(after.configuration.constraints.find((c) => c.id === 'db-nodes')).toMatchObject({ placement: { rules: [{ score: -1_000_000, expressions: [{ value: 'node1' }, { value: 'node3' }] }] } });
    const alone = apply(cib, change(buildFailoverFs(failover({ prefer: 'node2', preferScore: 50 }), cib.configuration)));
    expect(added(cib, alone).filter((l) => l.startsWith('location'))).toEqual(['location db-prefers-node2 db prefers node2=50']);
  });

  it('takes an NFS export with fstype nfs', () => {
    expect(buildFailoverFs(failover({ device: 'nas:/export/db', fstype: 'nfs' }), baseCib().configuration).ok).toBe(true);
  });

  it.each<[Partial<FailoverFsRequest>, string, string]>([
    [{ name: 'web' }, '--name', "'web' would be created, but resource 'web' exists already"],
    [{ name: 'web', prefer: 'node1' }, '--name', "resource 'web' exists already"],
    [{ device: 'sdb' }, '--device', "'sdb' is neither a /dev path nor UUID=... or LABEL=..."],
    [{ device: '/srv/x', fstype: 'nfs' }, '--device', 'is not an NFS export'],
    [{ fstype: 'gfs2' }, '--fstype', 'gfs2 is a cluster filesystem'],
    [{ fstype: 'ext 4' }, '--fstype', 'is not a filesystem type'],
    [{ mmp: 'maybe' }, '--mmp', "'maybe' is not one of require, enable, warn, off"],
    [{ mmp: 'require', fstype: 'xfs' }, '--mmp', "multi-mount protection is ext4's"],
    [{ directory: '/srv/db/' }, '--directory', "ends with '/'"],
    [{ ip: '192.0.2.10' }, '--ip', 'give the prefix length too: 192.0.2.10/24'],
    [{ ip: '192.0.2.300/24' }, '--ip', 'is not an IPv4 or IPv6 address'],
    [{ ip: '192.0.2.10/33' }, '--ip', 'is not a prefix length (1-32)'],
    [{ service: 'pgsql' }, '--service', 'pgsql'],
    [{ service: 'ocf:heartbeat:pgsql', serviceParams: ['pgdata'] }, 'service name=value', "'pgdata' is not name=value"],
    [{ serviceParams: ['a=b'] }, '--service', 'no --service AGENT'],
    [{ iscsiPortal: '192.0.2.50' }, '--iscsi-target', 'needs both'],
    [{ backup: 'node3' }, '--backup', 'give --prefer NODE too'],
    [{ prefer: 'node3', backup: 'node3' }, '--backup', 'cannot be the preferred node'],
    [{ prefer: 'node9' }, '--prefer', "'node9' is not a node of the cluster"],
    [{ prefer: 'node1', backup: 'node9' }, '--prefer/--backup', "'node9' is not a node of the cluster"],
    [{ prefer: 'node1', preferScore: 1_000_000 }, '--prefer-score', 'below INFINITY'],
    [{ lvmAgent: 'nope', vg: 'vg' }, '--lvm-agent', 'nope'],
  ])('refuses %j naming %s', (fields, option, message) => {
    const result = buildFailoverFs(failover(fields), baseCib().configuration);
    expect(result.ok ? 'accepted' : `${result.error.option}: ${result.error.message}`).toContain(`${option}: `);
    if (!result.ok) expect(result.error.message).toContain(message);
  });

  it('is all or nothing: a batch whose last piece is refused leaves the CIB as it was', () => {
    // An existing resource whose id is the id of one of the new group's operations: only the change language sees it.
    const cib = apply(baseCib(), { op: 'put-resource', resource: { kind: 'primitive', id: 'db-ip-monitor-interval-10s', class: 'ocf', provider: 'heartline', type: 'Dummy', instanceAttributes: [], metaAttributes: [] } });
    const built = change(buildFailoverFs(failover({ ip: '192.0.2.10/24', prefer: 'node1' }), cib.configuration));
    const result = applyCibChange(cib, built, { now: 1_700_000_000, origin: 'node1', user: 'root' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.field).toMatch(/^changes\[0\]\./);
  });
});
