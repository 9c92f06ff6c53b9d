/**
 * `heartline storage create-failover-fs`: the active/passive layout on a shared disk (DAS or SAN),
 * and, with --prefer and --backup, one group of the N+1 layout. One group, so that its members
 * start in order on one node and stop in reverse:
 *
 *   group NAME: [NAME-iscsi (SAN login)] → [NAME-lvm (exclusive VG, system ID)]
 *               → NAME-fs (ocf:heartline:Filesystem) → [NAME-ip (IPaddr2)] → [NAME-service]
 *
 * N+1: several such groups, each preferring its own node (location NAME-prefers-NODE, a finite
 * score, so the group leaves it when it fails) and allowed on that node and the shared backup
 * only (NAME-nodes, a -INFINITY rule elsewhere): when a preferred node fails, only its group
 * moves, and only to the backup; when it returns, the group moves back unless stickiness holds it
 * (the backup is then free for the next failure). Pure.
 */
import { ok, type Result } from '../../lib/index.js';
import type { CibChange, Configuration, Constraint, Group } from '../cib/index.js';
import { inputError, type AdminInputError } from './admin-input-error.js';
import { buildLocationConstraint } from './constraint-add.js';
import { buildPrimitives, checkNodes, constraintFrom, directoryProblem, layoutChange, onlyOnNodes, type LayoutPrimitive } from './layout-change.js';

export const DEFAULT_FILESYSTEM_AGENT = 'ocf:heartline:Filesystem';
export const DEFAULT_EXCLUSIVE_LVM_AGENT = 'ocf:heartbeat:LVM-activate';
export const DEFAULT_ISCSI_AGENT = 'ocf:heartbeat:iscsi';
export const MMP_POLICIES = ['require', 'enable', 'warn', 'off'] as const;
/** The preferred node's score: finite, so that a failure there moves the group. */
export const DEFAULT_PREFER_SCORE = 100;

export interface FailoverFsRequest {
  /** The group's name; members NAME-fs, NAME-ip, NAME-service, NAME-lvm, NAME-iscsi. */
  readonly name: string;
  /** Block device: path (/dev/disk/by-id/...), UUID=... or LABEL=...; for fstype nfs/nfs4 the export, HOST:/PATH. */
  readonly device: string;
  readonly directory: string;
  readonly fstype: string;
  readonly options?: string;
  /** ext4 multi-mount protection (ocf:heartline:Filesystem's mmp); absent: the agent's default (warn). */
  readonly mmp?: string;
  readonly fsAgent?: string;
  /** The service address, ADDRESS/PREFIX. */
  readonly ip?: string;
  readonly nic?: string;
  /** The service's agent and its name=value parameters. */
  readonly service?: string;
  readonly serviceParams?: readonly string[];
  /** An exclusive VG activated before the filesystem (vg_access_mode=system_id). */
  readonly vg?: string;
  readonly lvmAgent?: string;
  /** An iSCSI login before everything else. */
  readonly iscsiPortal?: string;
  readonly iscsiTarget?: string;
  readonly iscsiAgent?: string;
  /** N+1: the node the group prefers, and the backup node it may fail over to (and only there). */
  readonly prefer?: string;
  readonly backup?: string;
  readonly preferScore?: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function buildFailoverFs(request: FailoverFsRequest, configuration: Configuration): Result<CibChange, AdminInputError> {
  const { name } = request;
  const nfs = request.fstype === 'nfs' || request.fstype === 'nfs4';
  if (request.device === '' || /\s/.test(request.device)) return inputError('--device', `'${request.device}' is not a device (a path such as /dev/disk/by-id/..., UUID=... or LABEL=...)`);
  if (nfs && !/^[^:/]+:\/\S*$/.test(request.device)) return inputError('--device', `'${request.device}' is not an NFS export: write HOST:/PATH`);
  if (!nfs && !request.device.startsWith('/dev/') && !/^(UUID|LABEL)=./.test(request.device)) {
    return inputError('--device', `'${request.device}' is neither a /dev path nor UUID=... or LABEL=...: name the shared disk as every node sees it (/dev/disk/by-id/...)`);
  }
  const directory = directoryProblem(request.directory);
  if (directory !== undefined) return inputError('--directory', directory);
  if (['gfs2', 'ocfs2'].includes(request.fstype)) return inputError('--fstype', `${request.fstype} is a cluster filesystem, mounted on every node: use heartline storage create-clustered-fs`);
  if (!/^[a-z0-9]+$/.test(request.fstype)) return inputError('--fstype', `'${request.fstype}' is not a filesystem type (ext4, xfs, btrfs, ...)`);
  if (request.mmp !== undefined && !(MMP_POLICIES as readonly string[]).includes(request.mmp)) return inputError('--mmp', `'${request.mmp}' is not one of ${MMP_POLICIES.join(', ')}`);
  if (request.mmp !== undefined && request.fstype !== 'ext4') return inputError('--mmp', `multi-mount protection is ext4's; ${request.fstype} has none`);
  if ((request.iscsiPortal === undefined) !== (request.iscsiTarget === undefined)) return inputError(request.iscsiPortal === undefined ? '--iscsi-portal' : '--iscsi-target', 'an iSCSI login needs both --iscsi-portal and --iscsi-target');
  if (request.serviceParams !== undefined && request.serviceParams.length > 0 && request.service === undefined) return inputError('--service', `parameters (${request.serviceParams.join(' ')}) were given for a service, but no --service AGENT`);
  if (request.backup !== undefined && request.prefer === undefined) return inputError('--backup', 'a backup node is where the group goes when its preferred node fails: give --prefer NODE too');
  if (request.backup !== undefined && request.backup === request.prefer) return inputError('--backup', `the backup node cannot be the preferred node ('${request.backup}')`);
  const preferScore = request.preferScore ?? DEFAULT_PREFER_SCORE;
  if (!Number.isSafeInteger(preferScore) || preferScore <= 0 || preferScore >= 1_000_000) return inputError('--prefer-score', `${String(preferScore)} is not a positive score below INFINITY (a preference must give way when the node fails)`);
  const placementNodes = [request.prefer, request.backup].filter((n): n is string => n !== undefined);
  const known = checkNodes(placementNodes, configuration, placementNodes.length === 1 || request.backup === undefined ? '--prefer' : '--prefer/--backup');
  if (!known.ok) return known;

  const address = request.ip === undefined ? ok(undefined) : addressParams(request.ip, request.nic);
  if (!address.ok) return address;

  const members: LayoutPrimitive[] = [];
  const member = (suffix: string, agent: string, agentOption: string, role: string, params: readonly string[], ops: readonly string[]): void => {
    members.push({ request: { id: `${name}-${suffix}`, agent, params, meta: [], ops }, idOption: '--name', agentOption, role });
  };
  if (request.iscsiPortal !== undefined && request.iscsiTarget !== undefined) {
    member('iscsi', request.iscsiAgent ?? DEFAULT_ISCSI_AGENT, '--iscsi-agent', 'iSCSI', [`portal=${request.iscsiPortal}`, `target=${request.iscsiTarget}`], ['start timeout=120s', 'stop timeout=120s', 'monitor interval=30s timeout=30s']);
  }
  if (request.vg !== undefined) {
    member('lvm', request.lvmAgent ?? DEFAULT_EXCLUSIVE_LVM_AGENT, '--lvm-agent', 'VG', [`vgname=${request.vg}`, 'vg_access_mode=system_id'], ['start timeout=90s', 'stop timeout=90s', 'monitor interval=30s timeout=90s']);
  }
  const fsParams = [
    `device=${request.device}`,
    `directory=${request.directory}`,
    `fstype=${request.fstype}`,
    ...(request.options === undefined || request.options === '' ? [] : [`options=${request.options}`]),
    ...(request.mmp === undefined ? [] : [`mmp=${request.mmp}`]),
  ];
  // The start may run fsck and wait for MMP (docs/STORAGE.md): give it time; the deep monitor writes a status file.
  member('fs', request.fsAgent ?? DEFAULT_FILESYSTEM_AGENT, '--fs-agent', 'filesystem', fsParams, ['start timeout=150s', 'stop timeout=60s', 'monitor interval=20s timeout=40s OCF_CHECK_LEVEL=20']);
  if (address.value !== undefined) member('ip', 'ocf:heartbeat:IPaddr2', 'IPaddr2', 'address', address.value, ['monitor interval=10s timeout=20s']);
  if (request.service !== undefined) member('service', request.service, '--service', 'service', request.serviceParams ?? [], []);
  const built = buildPrimitives(members);
  if (!built.ok) return built;
  const group: Group = { kind: 'group', id: name, instanceAttributes: [], metaAttributes: [], members: built.value };

  const constraints: { constraint: Constraint; option: string }[] = [];
  if (request.prefer !== undefined) {
    const prefer = constraintFrom(buildLocationConstraint({ id: `${name}-prefers-${request.prefer}`, resource: name, relation: 'prefers', node: `${request.prefer}=${preferScore}` }));
    if (!prefer.ok) return inputError('--prefer', prefer.error.message);
    constraints.push({ constraint: prefer.value, option: '--name' });
  }
  if (request.prefer !== undefined && request.backup !== undefined) constraints.push({ constraint: onlyOnNodes(`${name}-nodes`, name, [request.prefer, request.backup]), option: '--name' });
  return layoutChange({ resources: [{ resource: group, option: '--name' }], constraints }, configuration);
}

/** IPaddr2's parameters for ADDRESS/PREFIX (IPv4) or ADDRESS/PREFIX (IPv6). */
function addressParams(text: string, nic: string | undefined): Result<string[], AdminInputError> {
  const slash = text.indexOf('/');
  const ip = slash < 0 ? text : text.slice(0, slash);
  const prefix = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = IPV4.test(ip);
  if (!v4 && !(ip.includes(':') && /^[0-9A-Fa-f:.]+$/.test(ip))) return inputError('--ip', `'${ip}' is not an IPv4 or IPv6 address`);
  if (prefix === undefined) return inputError('--ip', `give the prefix length too: ${ip}/${v4 ? '24' : '64'}`);
  const bits = Number(prefix);
  if (!/^\d+$/.test(prefix) || bits < 1 || bits > (v4 ? 32 : 128)) return inputError('--ip', `'/${prefix}' is not a prefix length (1-${v4 ? 32 : 128})`);
  return ok([`ip=${ip}`, `cidr_netmask=${prefix}`, ...(nic === undefined ? [] : [`nic=${nic}`])]);
}
