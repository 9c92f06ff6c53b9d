/**
 * The layout commands under `heartline storage`: create-failover-fs (active/passive, and one group
 * of N+1 with --prefer/--backup) and create-clustered-fs (N-to-N). Each builds ONE CIB change
 * (src/ha/admin: clustered-fs-layout.ts, failover-fs-layout.ts), applied whole or refused whole.
 *
 * Where the change goes: to the cluster through this node's daemon (default), or, with --cib FILE,
 * into a Pacemaker CIB XML file (read, changed, written back: for preparing a configuration
 * offline and for `heartline simulate FILE` afterwards). --dry-run prints the change and its XML
 * and changes nothing. The daemon checks new primitives against the agents installed on its node;
 * --skip-agent-check turns that check's refusals into warnings (a cluster filesystem's DLM and
 * gfs2 agents are often installed on the cluster nodes only, not where the command runs).
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildClusteredFs, buildFailoverFs, CLUSTER_FILESYSTEMS, DEFAULT_LOCKING_GROUP, DEFAULT_PREFER_SCORE, DEFAULT_SHARED_LVM_AGENT, MMP_POLICIES, type AdminInputError } from '../../ha/admin/index.js';
import { applyCibChange, cibToXmlElement, exportCibXml, findResource, writeXml, type Cib, type CibChange, type XmlElement } from '../../ha/cib/index.js';
import type { Result } from '../../lib/index.js';
import { loadProfileLibrary, storageLayoutDefaults, type StorageLayoutDefaults } from '../../profiles/index.js';
import { constraintText, resourceLines } from '../configuration-view.js';
import { CommandError, ExitCode, printResult, type Terminal } from '../output.js';
import { built, CLI_CLIENT, currentUser, queryCib } from './cib-client.js';
import { applyChange, CHANGE_EXIT_CODES, collect, withDaemonOptions, type DaemonOptions } from './cib-command.js';
import { DIR_HELP, profileDirectories } from './profile.js';
import { readCibFile } from './simulate.js';

interface LayoutOptions extends DaemonOptions {
  readonly name?: string;
  readonly directory?: string;
  readonly fstype?: string;
  readonly options?: string;
  readonly cib?: string;
  readonly dryRun?: boolean;
  readonly skipAgentCheck?: boolean;
  readonly profile?: string;
  readonly dir?: string[];
}

interface ClusteredFsOptions extends LayoutOptions {
  readonly vg?: string;
  readonly lv?: string;
  readonly nodes?: string;
  readonly cloneMax?: string;
  readonly lvmAgent?: string;
  readonly locking?: string;
  readonly keepQuorumPolicy?: boolean;
}

interface FailoverFsOptions extends LayoutOptions {
  readonly device?: string;
  readonly mmp?: string;
  readonly fsAgent?: string;
  readonly ip?: string;
  readonly nic?: string;
  readonly service?: string;
  readonly vg?: string;
  readonly lvmAgent?: string;
  readonly iscsiPortal?: string;
  readonly iscsiTarget?: string;
  readonly iscsiAgent?: string;
  readonly prefer?: string;
  readonly backup?: string;
  readonly preferScore?: string;
}

/** The options every layout command has. */
function withLayoutOptions(command: Command): Command {
  return withDaemonOptions(
    command
      .option('--name <name>', 'the name of what is created (the group, and the prefix of its members and constraints)')
      .option('--directory <path>', 'the mount point')
      .option('--fstype <type>', 'the filesystem type')
      .option('--options <options>', 'mount -o options')
      .option('--profile <appliance>', "take defaults (device, filesystem, VG, backup node) from the appliance profile's storage_layout")
      .option('-d, --dir <directory>', DIR_HELP, collect)
      .option('--cib <file>', 'change a Pacemaker CIB XML file instead of the cluster (read, changed, written back)')
      .option('--dry-run', 'print the change and its XML; change nothing')
      .option('--skip-agent-check', "do not refuse agents missing on the daemon's node: report them as warnings"),
  );
}

export function registerStorageLayoutCommands(storage: Command, terminal: Terminal): void {
  withLayoutOptions(
    storage
      .command('create-failover-fs')
      .argument('[service-params...]', "the service agent's parameters, name=value")
      .summary('active/passive (and N+1): a group of a shared-disk filesystem, an address and a service')
      .description(
        'Create, in one change, the group NAME that runs on one node at a time: optionally an iSCSI login (NAME-iscsi) and an ' +
          'exclusive volume group (NAME-lvm, LVM system ID), then the filesystem NAME-fs (ocf:heartline:Filesystem: fsck when ' +
          'needed, stop that kills what holds the mount, a deep monitor), the address NAME-ip (IPaddr2) and the service ' +
          'NAME-service (any agent, its parameters after the options). They start in that order on one node and stop in reverse. ' +
          'For ext4 on a shared disk use --mmp require (multi-mount protection: the disk itself refuses a second mount). ' +
          'N+1: give each group --prefer NODE (where it runs) and the same --backup NODE (the only other node it may run on).',
      )
      .option('--device <device>', 'the shared block device as every node names it (/dev/disk/by-id/..., UUID=..., LABEL=...); NFS: HOST:/PATH')
      .option('--mmp <policy>', `ext4 multi-mount protection: ${MMP_POLICIES.join(', ')} (the agent's default: warn)`)
      .option('--fs-agent <agent>', 'the filesystem agent (default ocf:heartline:Filesystem)')
      .option('--ip <address/prefix>', 'the service address, e.g. 192.0.2.10/24')
      .option('--nic <interface>', 'the interface of the address (default: the one whose subnet holds it)')
      .option('--service <agent>', 'the service agent: ocf:PROVIDER:TYPE, systemd:UNIT, lsb:NAME')
      .option('--vg <vg>', 'an exclusive volume group to activate before the filesystem (vg_access_mode=system_id)')
      .option('--lvm-agent <agent>', 'the agent of --vg (default ocf:heartbeat:LVM-activate; or ocf:heartline:LVMActivate)')
      .option('--iscsi-portal <address[:port]>', 'log in to this iSCSI portal first (with --iscsi-target)')
      .option('--iscsi-target <iqn>', 'the iSCSI target (IQN)')
      .option('--iscsi-agent <agent>', 'the iSCSI initiator agent (default ocf:heartbeat:iscsi)')
      .option('--prefer <node>', `N+1: the node the group runs on (score ${DEFAULT_PREFER_SCORE}, so it moves when the node fails)`)
      .option('--backup <node>', 'N+1: the backup node, the only other node the group may run on')
      .option('--prefer-score <score>', `the preference's score (default ${DEFAULT_PREFER_SCORE}; keep it below resource-stickiness to stay on the backup after a failover)`),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  # active/passive, two nodes, a DAS/SAN disk\n' +
        '  heartline storage create-failover-fs --name db --device /dev/disk/by-id/scsi-shared-data --fstype ext4 --mmp require \\\n' +
        '      --directory /srv/db --ip 192.0.2.10/24 --service systemd:postgresql --dry-run\n' +
        '  # N+1: two groups on node1 and node2, both backed by node3\n' +
        '  heartline storage create-failover-fs --name db1 --device LABEL=db1 --fstype xfs --directory /srv/db1 --prefer node1 --backup node3\n' +
        '  heartline storage create-failover-fs --name db2 --device LABEL=db2 --fstype xfs --directory /srv/db2 --prefer node2 --backup node3\n' +
        '  # from an appliance profile, offline into a CIB file, then what the cluster would do\n' +
        '  heartline storage create-failover-fs --profile generic-2node-ipmi-sbd --name db --cib cib.xml && heartline simulate cib.xml\n' +
        CHANGE_EXIT_CODES,
    )
    .action(async (serviceParams: string[], options: FailoverFsOptions) => {
      const defaults = await profileDefaults(options);
      const name = required(options.name, '--name');
      const preferScore = options.preferScore === undefined ? undefined : wholeNumber(options.preferScore, '--prefer-score');
      const portal = options.iscsiPortal ?? (options.device === undefined ? defaults?.iscsiPortal : undefined);
      const target = options.iscsiTarget ?? (options.device === undefined ? defaults?.iscsiTarget : undefined);
      const mmp = options.mmp ?? defaults?.mmp;
      const backup = options.backup ?? (options.prefer === undefined ? undefined : defaults?.backup);
      const optionsText = options.options ?? defaults?.options;
      const request = {
        name,
        device: required(options.device ?? defaults?.device, '--device'),
        directory: required(options.directory ?? defaults?.directory, '--directory'),
        fstype: required(options.fstype ?? defaults?.fstype, '--fstype'),
        serviceParams,
        ...(optionsText === undefined ? {} : { options: optionsText }),
        ...(mmp === undefined ? {} : { mmp }),
        ...(options.fsAgent === undefined ? {} : { fsAgent: options.fsAgent }),
        ...(options.ip === undefined ? {} : { ip: options.ip }),
        ...(options.nic === undefined ? {} : { nic: options.nic }),
        ...(options.service === undefined ? {} : { service: options.service }),
        ...(options.vg === undefined ? {} : { vg: options.vg }),
        ...(options.lvmAgent === undefined ? {} : { lvmAgent: options.lvmAgent }),
        ...(portal === undefined ? {} : { iscsiPortal: portal }),
        ...(target === undefined ? {} : { iscsiTarget: target }),
        ...(options.iscsiAgent === undefined ? {} : { iscsiAgent: options.iscsiAgent }),
        ...(options.prefer === undefined ? {} : { prefer: options.prefer }),
        ...(backup === undefined ? {} : { backup }),
        ...(preferScore === undefined ? {} : { preferScore }),
      };
      const what = `storage create-failover-fs ${name}${request.prefer === undefined ? '' : ` (prefers ${request.prefer}${backup === undefined ? '' : `, backup ${backup}`})`}`;
      await runLayout(terminal, options, what, (configuration) => buildFailoverFs(request, configuration));
    });

  withLayoutOptions(
    storage
      .command('create-clustered-fs')
      .summary('N-to-N: a cluster filesystem (GFS2/OCFS2) mounted on every node, with DLM and lvmlockd')
      .description(
        'Create, in one change, the cluster filesystem stack as clones that run on every node: the locking clone ' +
          `LOCKING-clone (default ${DEFAULT_LOCKING_GROUP}-clone: DLM, ocf:pacemaker:controld, then lvmlockd; reused when it exists, so ` +
          'several filesystems share one DLM), and NAME-clone: the shared volume group activated on every node (NAME-lvm, ' +
          `${DEFAULT_SHARED_LVM_AGENT} vg_access_mode=lvmlockd activation_mode=shared) then the mount (NAME-fs, ` +
          'ocf:heartbeat:Filesystem). NAME-clone starts after and only with the locking clone on each node (interleave: a node ' +
          'does not wait for the others, and a lost node stops only its own instances). Also sets no-quorum-policy=freeze, which ' +
          `GFS2 and OCFS2 need, unless --keep-quorum-policy. --fstype: ${CLUSTER_FILESYSTEMS.join(' or ')}. The VG and LV must exist ` +
          '(vgcreate --shared, lvcreate) and the filesystem be made (mkfs.gfs2 -p lock_dlm -t CLUSTER:NAME -j NODES).',
      )
      .option('--vg <vg>', 'the shared volume group (vgcreate --shared)')
      .option('--lv <lv>', 'the logical volume holding the filesystem')
      .option('--nodes <node,node,...>', 'run only on these nodes (default: every node)')
      .option('--clone-max <n>', 'at most this many instances (default: one per node)')
      .option('--lvm-agent <agent>', `the shared VG's agent (default ${DEFAULT_SHARED_LVM_AGENT}; or ocf:heartline:LVMActivate)`)
      .option('--locking <name>', `the locking group's name (default ${DEFAULT_LOCKING_GROUP})`)
      .option('--keep-quorum-policy', 'do not set no-quorum-policy=freeze'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  heartline storage create-clustered-fs --name shared --vg vg_shared --lv lv_data --directory /srv/shared --fstype gfs2 --dry-run\n' +
        '  heartline storage create-clustered-fs --name logs --vg vg_shared --lv lv_logs --directory /srv/logs --fstype gfs2 \\\n' +
        "      --options noatime --nodes node1,node2,node3 --skip-agent-check --json\n" +
        CHANGE_EXIT_CODES,
    )
    .action(async (options: ClusteredFsOptions) => {
      const defaults = await profileDefaults(options);
      const name = required(options.name, '--name');
      const cloneMax = options.cloneMax === undefined ? undefined : wholeNumber(options.cloneMax, '--clone-max');
      const optionsText = options.options ?? defaults?.options;
      const request = {
        name,
        vg: required(options.vg ?? defaults?.vg, '--vg'),
        lv: required(options.lv ?? defaults?.lv, '--lv'),
        directory: required(options.directory ?? defaults?.directory, '--directory'),
        fstype: required(options.fstype ?? defaults?.fstype, '--fstype'),
        ...(optionsText === undefined ? {} : { options: optionsText }),
        ...(options.nodes === undefined ? {} : { nodes: options.nodes.split(',').map((node) => node.trim()) }),
        ...(cloneMax === undefined ? {} : { cloneMax }),
        ...(options.lvmAgent === undefined ? {} : { lvmAgent: options.lvmAgent }),
        ...(options.locking === undefined ? {} : { locking: options.locking }),
        ...(options.keepQuorumPolicy === true ? { setQuorumPolicy: false } : {}),
      };
      await runLayout(terminal, options, `storage create-clustered-fs ${name} (${request.fstype} on ${request.vg}/${request.lv})`, (configuration) => buildClusteredFs(request, configuration));
    });
}

/**
 * Builds the change against the CIB it is meant for (the cluster's, or --cib FILE's), checks that
 * it applies, then prints it (--dry-run), writes the file (--cib) or sends it to the cluster.
 */
async function runLayout(terminal: Terminal, options: LayoutOptions, what: string, build: (configuration: Cib['configuration']) => Result<CibChange, AdminInputError>): Promise<void> {
  const cib = options.cib === undefined ? (await queryCib(options.socket)).cib : await readCibFile(options.cib);
  const change = built(build(cib.configuration));
  const applied = applyCibChange(cib, change, { now: Math.floor(Date.now() / 1000), origin: 'heartline-cli', user: currentUser(), client: CLI_CLIENT, description: what });
  if (!applied.ok) throw new CommandError('rejected', `${applied.error.field}: ${applied.error.message}`, ExitCode.failed, 'nothing was changed');
  const xml = changeXml(applied.value, change);
  if (options.dryRun === true) {
    printResult(terminal, options, { ok: true, dryRun: true, description: what, change, xml }, () => [`${what}: dry run, nothing changed. The change:`, ...changeLines(applied.value, change), '', 'As CIB XML:', xml.trimEnd()].join('\n'));
    return;
  }
  if (options.cib !== undefined) {
    const file = options.cib;
    try {
      await writeFile(file, exportCibXml(applied.value));
    } catch (error) {
      throw new CommandError('write-failed', `cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`, ExitCode.failed);
    }
    const version = `${applied.value.version.adminEpoch}.${applied.value.version.epoch}.${applied.value.version.numUpdates}`;
    printResult(terminal, options, { ok: true, file, version, description: what, change }, () => `${what}: written to ${file} (CIB version ${version})`);
    return;
  }
  await applyChange(terminal, options, what, change, options.skipAgentCheck === true ? 'warn' : 'refuse');
}

/** The change in words: each new resource as `config show` prints it, each constraint and property on one line. */
function changeLines(cib: Cib, change: CibChange): string[] {
  return stepsOf(change).flatMap((step) => {
    if (step.op === 'put-resource') {
      const resource = findResource(cib.configuration.resources, step.resource.id)?.resource;
      return resource === undefined ? [] : resourceLines(resource, '  ');
    }
    if (step.op === 'put-constraint') return [`  constraint ${constraintText(step.constraint)}`];
    if (step.op === 'set-cluster-property') return [`  cluster property ${step.name}=${step.value ?? ''}`];
    return [];
  });
}

/** The XML of what the change creates, as it reads in the CIB after the change. */
function changeXml(cib: Cib, change: CibChange): string {
  const configuration = cibToXmlElement(cib).children.find((e) => e.name === 'configuration');
  const section = (name: string): readonly XmlElement[] => configuration?.children.find((e) => e.name === name)?.children ?? [];
  const byId = (elements: readonly XmlElement[], id: string): XmlElement[] => elements.filter((e) => e.attributes.some((a) => a.name === 'id' && a.value === id));
  const elements = stepsOf(change).flatMap((step) => {
    if (step.op === 'put-resource') return byId(section('resources'), step.resource.id);
    if (step.op === 'put-constraint') return byId(section('constraints'), step.constraint.id ?? '');
    if (step.op === 'set-cluster-property') return section('crm_config').flatMap((set) => set.children.filter((pair) => pair.attributes.some((a) => a.name === 'name' && a.value === step.name)));
    return [];
  });
  return elements.map((element) => writeXml(element)).join('');
}

function stepsOf(change: CibChange): CibChange[] {
  return change.op === 'batch' ? change.changes.flatMap(stepsOf) : [change];
}

/** The storage_layout defaults of --profile, or undefined without it. */
async function profileDefaults(options: LayoutOptions): Promise<StorageLayoutDefaults | undefined> {
  if (options.profile === undefined) return undefined;
  const library = await loadProfileLibrary(profileDirectories(options));
  const appliance = library.appliances.get(options.profile)?.profile;
  if (appliance === undefined) {
    throw new CommandError('profile-not-found', `--profile: no valid appliance profile named '${options.profile}' (known: ${[...library.appliances.keys()].sort().join(', ') || 'none'})`, ExitCode.usage, 'run `heartline profile list`, or `heartline profile validate` when a file has problems');
  }
  const defaults = storageLayoutDefaults(appliance);
  if (defaults === undefined) throw new CommandError('no-storage-layout', `--profile: appliance '${options.profile}' has no storage_layout`, ExitCode.usage, 'give the options on the command line, or add storage_layout to the profile (docs/STORAGE.md, "Layouts")');
  return defaults;
}

function required(value: string | undefined, option: string): string {
  if (value === undefined || value === '') throw new CommandError('usage', `${option} is required (give it, or --profile with a storage_layout that has it)`, ExitCode.usage);
  return value;
}

function wholeNumber(text: string, option: string): number {
  if (!/^\d+$/.test(text)) throw new CommandError('usage', `${option}: '${text}' is not a whole number`, ExitCode.usage);
  return Number(text);
}
