/**
 * What the testbed needs from the machine: root (network namespaces, port 694, iptables) and the
 * Debian tools and packages it runs (scripts/test-packages.txt). Checked before anything is built, so that a
 * missing one is a sentence naming the fix, not a failed `ip` command halfway through a setup.
 * The integration tests turn these into skipped (or, in CI, failed) suites; `heartline bench
 * detect` into an error with a hint.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What a testbed user can need. The tools are named as the commands the testbed runs. */
export type Requirement =
  | 'root'
  | 'ip'
  | 'socat'
  | 'iptables'
  | 'setpriv'
  | 'resource-agents'
  | 'ipmi_sim'
  | 'ipmitool'
  | 'snmpd'
  | 'snmpget'
  | 'snmpwalk'
  | 'snmptrapd'
  | 'ss'
  | 'fence-agents'
  | 'losetup'
  | 'mkfs.ext4'
  | 'e2fsck'
  | 'unshare'
  | 'nsenter'
  | 'fuser'
  | 'python3'
  | 'snmptranslate'
  | 'smilint'
  | 'dpkg-deb'
  | 'systemd-analyze'
  | 'tmux'
  | 'tgtd'
  | 'tgtadm'
  | 'iscsiadm'
  | 'python3-fuse';

/** Fence agents every fence-agents install has: their presence stands for the package's. */
export const FENCE_AGENTS_PROBES = ['/usr/sbin/fence_ipmilan', '/usr/sbin/fence_apc_snmp'] as const;

/** An agent every resource-agents install has: its presence stands for the package's. */
export const RESOURCE_AGENTS_PROBE = '/usr/lib/ocf/resource.d/heartbeat/Dummy';

const installHint = 'install with ./scripts/install-test-deps';

/** Why `requirement` is not met here, or undefined when it is. */
export function whyMissing(requirement: Requirement): string | undefined {
  if (requirement === 'root') {
    return process.getuid?.() === 0 ? undefined : 'not running as root (network namespaces, port 694 and iptables need it)';
  }
  if (requirement === 'resource-agents') {
    return isExecutable(RESOURCE_AGENTS_PROBE) ? undefined : `Debian's resource-agents is not installed (no ${RESOURCE_AGENTS_PROBE}; ${installHint})`;
  }
  if (requirement === 'python3-fuse') {
    // SharedDisk's `fuse` path: Debian's python3-fuse under Debian's own python3, and the FUSE device.
    if (!existsSync('/dev/fuse')) return 'this kernel has no /dev/fuse (FUSE)';
    return existsSync('/usr/lib/python3/dist-packages/fuse.py') && isExecutable('/usr/bin/python3') ? undefined : `Debian's python3-fuse is not installed (no /usr/lib/python3/dist-packages/fuse.py; ${installHint})`;
  }
  if (requirement === 'fence-agents') {
    const missing = FENCE_AGENTS_PROBES.filter((probe) => !isExecutable(probe));
    return missing.length === 0 ? undefined : `Debian's fence-agents is not installed (no ${missing.join(', ')}; ${installHint})`;
  }
  return findExecutable(requirement) === undefined ? `\`${requirement}\` not found on PATH or in /usr/sbin, /sbin (${installHint})` : undefined;
}

/** The reasons, one per missing requirement; empty when all are met. */
export function missingRequirements(needs: readonly Requirement[]): string[] {
  return needs.map(whyMissing).filter((reason): reason is string => reason !== undefined);
}

/** The absolute path of an executable named `name`, searching PATH and then the sbin directories (a non-root PATH often lacks them). */
export function findExecutable(name: string): string | undefined {
  const directories = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const directory of directories) {
    if (directory === '') continue;
    const candidate = join(directory, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why a command that builds a DaemonLab cannot run here, with what to do. */
export interface LabRequirementProblem {
  readonly code: 'needs-root' | 'missing-tool';
  readonly message: string;
  readonly hint: string;
}

/** The tools a lab with simulated BMCs (FencingLab, ServiceLab's default fencing) needs besides the lab's own. */
export const BMC_LAB_REQUIREMENTS: readonly Requirement[] = ['ipmi_sim', 'ipmitool'];

/** What ServiceLab's `filesystem` service needs besides the lab's own: the shared loop disk, its floating address, the power-loss ioctl. */
export const SHARED_DISK_LAB_REQUIREMENTS: readonly Requirement[] = ['resource-agents', 'losetup', 'mkfs.ext4', 'e2fsck', 'unshare', 'nsenter', 'fuser', 'python3'];

/**
 * What stops `command` (e.g. "heartline bench failover") from building its lab of namespaces and
 * daemons: not root, or a missing tool (ip, iptables, socat, setpriv, and the `extra` ones, e.g.
 * BMC_LAB_REQUIREMENTS). Undefined when nothing does.
 */
export function labRequirementProblem(command: string, extra: readonly Requirement[] = []): LabRequirementProblem | undefined {
  const root = missingRequirements(['root']);
  if (root.length > 0) return { code: 'needs-root', message: `${command} builds network namespaces and runs daemons on port 694: ${root.join('; ')}`, hint: `run it as root, e.g. sudo ${command}` };
  const tools = missingRequirements(['ip', 'iptables', 'socat', 'setpriv', ...extra]);
  if (tools.length > 0) {
    const packages = [
      'iproute2 iptables socat util-linux',
      ...(extra.includes('ipmi_sim') ? ['openipmi'] : []),
      ...(extra.includes('ipmitool') ? ['ipmitool'] : []),
      ...(extra.includes('resource-agents') ? ['resource-agents'] : []),
      ...(extra.includes('mkfs.ext4') ? ['e2fsprogs psmisc python3'] : []),
    ].join(' ');
    return { code: 'missing-tool', message: tools.join('; '), hint: `apt-get install ${packages} (or ./scripts/install-test-deps)` };
  }
  return undefined;
}
