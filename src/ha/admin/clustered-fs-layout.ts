/**
 * `heartline storage create-clustered-fs`: the N-to-N layout's cluster filesystem, mounted on every
 * node, as one change. The shape is the one RHEL's and SUSE's guides give for GFS2/OCFS2 on
 * lvmlockd, as two cloned groups:
 *
 *   LOCKING-clone (interleave)  = group LOCKING: LOCKING-dlm (ocf:pacemaker:controld)
 *                                                → LOCKING-lvmlockd (ocf:heartbeat:lvmlockd)
 *   NAME-clone (interleave)     = group NAME:    NAME-lvm (LVM-activate, shared activation)
 *                                                → NAME-fs (ocf:heartbeat:Filesystem, gfs2|ocfs2)
 *   order NAME-after-LOCKING: LOCKING-clone then NAME-clone; colocation NAME-with-LOCKING
 *
 * Why groups in clones: a group gives the order and the colocation of its members on each node
 * with no constraint to get wrong, and a cloned group is the form the policy engine places per
 * node (each node's instance is a group instance; a failed member stops only what follows it on
 * that node). Why two clones and not one: one DLM and one lvmlockd serve every shared VG of the
 * node, so a second filesystem reuses the existing locking clone instead of starting a second DLM
 * (which cannot run); interleave=true makes each node's filesystem wait for its own node's locking
 * only, so a node that leaves stops its own instances and nothing else.
 *
 * GFS2 and OCFS2 need no-quorum-policy=freeze (a partition without quorum must keep its mounts
 * frozen, not stop them: stopping needs the DLM, which needs quorum), so the change sets it unless
 * asked not to. Pure.
 */
import { ok, type Result } from '../../lib/index.js';
import { findResource, type Clone, type Configuration, type CibChange, type Constraint, type Group } from '../cib/index.js';
import { inputError, type AdminInputError } from './admin-input-error.js';
import { buildColocationConstraint, buildOrderConstraint } from './constraint-add.js';
import { buildPrimitives, checkNodes, cloneOf, constraintFrom, directoryProblem, layoutChange, onlyOnNodes, type LayoutPieces } from './layout-change.js';

/** The cluster filesystems the layout mounts. */
export const CLUSTER_FILESYSTEMS = ['gfs2', 'ocfs2'] as const;

/** Heartbeat's agent; heartline's own (ocf:heartline:LVMActivate) takes the same parameters. */
export const DEFAULT_SHARED_LVM_AGENT = 'ocf:heartbeat:LVM-activate';
export const DEFAULT_LOCKING_GROUP = 'locking';

export interface ClusteredFsRequest {
  /** The filesystem's name: the group NAME, its clone NAME-clone and members NAME-lvm, NAME-fs. */
  readonly name: string;
  readonly vg: string;
  readonly lv: string;
  readonly directory: string;
  /** gfs2 or ocfs2. */
  readonly fstype: string;
  /** mount -o options. */
  readonly options?: string;
  /** Run only on these nodes (default: every node). */
  readonly nodes?: readonly string[];
  readonly cloneMax?: number;
  /** The shared VG's agent (default ocf:heartbeat:LVM-activate). */
  readonly lvmAgent?: string;
  /** The locking group's name (default `locking`); an existing LOCKING-clone of DLM + lvmlockd is reused. */
  readonly locking?: string;
  /** False: leave no-quorum-policy as it is. */
  readonly setQuorumPolicy?: boolean;
}

const LVM_NAME = /^[A-Za-z0-9+_.][A-Za-z0-9+_.-]*$/;

export function buildClusteredFs(request: ClusteredFsRequest, configuration: Configuration): Result<CibChange, AdminInputError> {
  const { name } = request;
  const locking = request.locking ?? DEFAULT_LOCKING_GROUP;
  if (!(CLUSTER_FILESYSTEMS as readonly string[]).includes(request.fstype)) {
    return inputError('--fstype', `'${request.fstype}' is not a cluster filesystem: use ${CLUSTER_FILESYSTEMS.join(' or ')} (ext4 or xfs on a shared disk is the failover layout: heartline storage create-failover-fs)`);
  }
  for (const [option, value] of [['--vg', request.vg], ['--lv', request.lv]] as const) {
    if (!LVM_NAME.test(value)) return inputError(option, `'${value}' is not an LVM name (letters, digits, + _ . -, not starting with -)`);
  }
  const directory = directoryProblem(request.directory);
  if (directory !== undefined) return inputError('--directory', directory);
  if (request.cloneMax !== undefined && !(Number.isSafeInteger(request.cloneMax) && request.cloneMax >= 1)) return inputError('--clone-max', `${String(request.cloneMax)} is not a positive whole number`);
  if (locking === name) return inputError('--locking', `the locking group and the filesystem cannot both be named '${name}'`);
  const nodes = request.nodes === undefined ? ok(undefined) : checkNodes(request.nodes, configuration, '--nodes');
  if (!nodes.ok) return nodes;

  const existingLocking = findResource(configuration.resources, `${locking}-clone`);
  if (existingLocking !== undefined && !isLockingClone(existingLocking.resource)) {
    return inputError('--locking', `'${locking}-clone' exists but is not a clone of a group of ocf:pacemaker:controld and ocf:heartbeat:lvmlockd: name another locking group with --locking`);
  }

  const fsParams = [`device=/dev/${request.vg}/${request.lv}`, `directory=${request.directory}`, `fstype=${request.fstype}`, ...(request.options === undefined || request.options === '' ? [] : [`options=${request.options}`])];
  const members = buildPrimitives([
    {
      request: {
        id: `${name}-lvm`,
        agent: request.lvmAgent ?? DEFAULT_SHARED_LVM_AGENT,
        params: [`vgname=${request.vg}`, `lvname=${request.lv}`, 'vg_access_mode=lvmlockd', 'activation_mode=shared'],
        meta: [],
        ops: ['start timeout=90s', 'stop timeout=90s', 'monitor interval=30s timeout=90s'],
      },
      idOption: '--name',
      agentOption: '--lvm-agent',
      role: 'shared VG',
    },
    {
      request: { id: `${name}-fs`, agent: 'ocf:heartbeat:Filesystem', params: fsParams, meta: [], ops: ['start timeout=60s', 'stop timeout=60s', 'monitor interval=10s timeout=40s on-fail=fence'] },
      idOption: '--name',
      agentOption: 'filesystem agent',
      role: 'filesystem',
    },
  ]);
  if (!members.ok) return members;
  const fsGroup: Group = { kind: 'group', id: name, instanceAttributes: [], metaAttributes: [], members: members.value };
  const fsClone = cloneOf(fsGroup, request.cloneMax);

  const resources: { resource: Clone; option: string }[] = [];
  const constraints: { constraint: Constraint; option: string }[] = [];
  if (existingLocking === undefined) {
    const lockingMembers = buildPrimitives(
      [
        { id: `${locking}-dlm`, agent: 'ocf:pacemaker:controld', ops: ['start timeout=90s', 'stop timeout=100s', 'monitor interval=30s timeout=60s on-fail=fence'] },
        { id: `${locking}-lvmlockd`, agent: 'ocf:heartbeat:lvmlockd', ops: ['start timeout=90s', 'stop timeout=90s', 'monitor interval=30s timeout=90s on-fail=fence'] },
      ].map((r) => ({ request: { ...r, params: [], meta: [] }, idOption: '--locking', agentOption: 'locking agent', role: 'locking' })),
    );
    if (!lockingMembers.ok) return lockingMembers;
    const lockingClone = cloneOf({ kind: 'group', id: locking, instanceAttributes: [], metaAttributes: [], members: lockingMembers.value }, request.cloneMax);
    resources.push({ resource: lockingClone, option: '--locking' });
    if (nodes.value !== undefined) constraints.push({ constraint: onlyOnNodes(`${locking}-nodes`, lockingClone.id, nodes.value), option: '--locking' });
  }
  resources.push({ resource: fsClone, option: '--name' });
  const lockingClone = `${locking}-clone`;
  const order = constraintFrom(buildOrderConstraint({ id: `${name}-after-${locking}`, first: lockingClone, keyword: 'then', then: fsClone.id }));
  const colocation = constraintFrom(buildColocationConstraint({ id: `${name}-with-${locking}`, resource: fsClone.id, keyword: 'with', withResource: lockingClone }));
  for (const built of [order, colocation]) {
    if (!built.ok) return inputError('--name', built.error.message);
    constraints.push({ constraint: built.value, option: '--name' });
  }
  if (nodes.value !== undefined) constraints.push({ constraint: onlyOnNodes(`${name}-nodes`, fsClone.id, nodes.value), option: '--name' });

  const pieces: LayoutPieces = { resources, constraints, properties: request.setQuorumPolicy === false ? [] : [{ name: 'no-quorum-policy', value: 'freeze' }] };
  return layoutChange(pieces, configuration);
}

/** A clone of a group holding a DLM (controld) and lvmlockd: a locking stack another filesystem may share. */
function isLockingClone(resource: { readonly kind: string }): boolean {
  if (resource.kind !== 'clone') return false;
  const child = (resource as Clone).child;
  if (child.kind !== 'group') return false;
  const types = child.members.map((m) => `${m.class}:${m.provider ?? ''}:${m.type}`);
  return types.includes('ocf:pacemaker:controld') && types.includes('ocf:heartbeat:lvmlockd');
}
