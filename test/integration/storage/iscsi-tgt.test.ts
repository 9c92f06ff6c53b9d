// Goal: ocf:heartline:iSCSISession's discovery against a real iSCSI target, and what this kernel
// (no iSCSI initiator: no iscsi_tcp) does to discovery and login, asserted rather than assumed.
// Method: tgtd (Debian's tgt, user space) in a network namespace of its own, serving one LUN from
// a file, reached over a veth from a second namespace where the real iscsiadm and the real agent
// run (through the production AgentClassRunner: the provider directory holds a two-line wrapper
// that runs the agent there). iscsiadm's node database is compiled in (/etc/iscsi, no option or
// variable moves it), so every iscsiadm and agent run gets a mount namespace of its own with the
// test's directory bound on /etc/iscsi (and a tmpfs on /run/lock): nothing is written to the
// machine's. iscsiadm will not even start a discovery without the kernel's tcp transport in sysfs,
// although for software iSCSI the SendTargets exchange is plain user-space TCP (open-iscsi
// usr/discovery.c); the "transport stand-in" runs put the two sysfs files the module would publish
// (/sys/class/iscsi_transport/tcp/handle and caps, on a tmpfs in that mount namespace only), so
// the real discovery runs. The login still needs iscsid and the kernel, and must fail saying so.
// Cleanup, also after a failure: tgtd by PID (asked to exit, then SIGKILL), its control socket
// files by name, both namespaces (the veth goes with them), the folder.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AgentClassRunner } from '../../../src/ha/agents/index.js';
import { ChildProcessRunner, OcfRc, type AgentAction, type ResourceDefinition } from '../../../src/ha/lrm/index.js';
import type { Millis } from '../../../src/lib/index.js';
import { SystemClock } from '../../../src/platform/index.js';
import { runCommand, runCommandSync } from '../../../src/testbed/command.js';
import { registerLastResortCleanup } from '../../../src/testbed/last-resort-cleanup.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

const ms = (n: number): Millis => n as Millis;
const AGENT = fileURLToPath(new URL('../../../agents/ocf/heartline/iSCSISession', import.meta.url));
const TGTD_SOCKETS = '/var/run/tgtd';

/** Exit status and output of a command that may fail (the failures are what some tests assert). */
interface Outcome {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}
const outcome = (file: string, args: readonly string[], timeoutMs = 20_000): Promise<Outcome> =>
  new Promise((resolve) => {
    execFile(file, [...args], { encoding: 'utf8', timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (typeof error.code === 'number' ? error.code : String(error.code ?? error.signal)), stdout, stderr });
    });
  });

/** Every file under /etc/iscsi, to show the machine's node database is left as it was. */
const machineIscsiFiles = (): string[] => {
  const walk = (path: string): string[] =>
    statSync(path).isDirectory() ? readdirSync(path).flatMap((name) => walk(join(path, name))) : [path];
  return existsSync('/etc/iscsi') ? walk('/etc/iscsi').sort() : [];
};

const kernelProblems = existsSync('/sys/module/iscsi_tcp') ? ['this kernel has an iSCSI initiator (iscsi_tcp): the suite asserts the behaviour of a kernel without one'] : [];

describeWithPrerequisites('ocf:heartline:iSCSISession against a real tgt target', ['root', 'ip', 'unshare', 'tgtd', 'tgtadm', 'iscsiadm'], () => {
  const clock = new SystemClock();
  const id = randomBytes(3).toString('hex');
  const targetNs = `heartline-iscsi-t-${id}`;
  const initiatorNs = `heartline-iscsi-i-${id}`;
  const subnet = `10.213.${String(1 + (randomBytes(1)[0] ?? 0) % 254)}`;
  const targetIp = `${subnet}.1`;
  const initiatorIp = `${subnet}.2`;
  const silentIp = `${subnet}.3`; // on the link, nobody home
  const iqn = `iqn.2024-01.org.heartline.test:lun-${id}`;
  const iface = 'heartline-test';
  let port = 0;
  let dir: string;
  let etc: string;
  let inInitiator: string;
  let tgtd: ChildProcess | undefined;
  let tgtdLog = '';
  let machineBefore: string[] = [];
  let unregister: () => void = () => {};
  const runners: Record<'kernel' | 'transport', AgentClassRunner | undefined> = { kernel: undefined, transport: undefined };

  const tgtadm = (...args: string[]): Promise<string> => runCommand('tgtadm', ['-C', String(port), ...args]);
  const tgtdAlive = (): boolean => tgtd !== undefined && tgtd.exitCode === null && tgtd.signalCode === null;
  const resource = (params: Record<string, string> = {}): ResourceDefinition => ({
    id: `lun-${id}`,
    agent: { standard: 'ocf', provider: 'heartline', type: 'iSCSISession' },
    params: { portal: targetIp, target: iqn, lun: '1', iface, discovery_timeout: '10', lun_timeout: '5', ...params },
  });
  const run = (mode: 'kernel' | 'transport', r: ResourceDefinition, action: AgentAction, options: { readonly intervalMs?: number } = {}) => {
    const runner = runners[mode];
    if (runner === undefined) throw new Error('the suite did not set up');
    return runner.run({ resource: r, action, intervalMs: ms(options.intervalMs ?? 0), timeoutMs: ms(30_000) });
  };

  const cleanupSync = (): void => {
    if (tgtd?.pid !== undefined && tgtdAlive()) process.kill(tgtd.pid, 'SIGKILL');
    for (const ns of [targetNs, initiatorNs]) runCommandSync('ip', ['netns', 'del', ns]);
    if (port !== 0) runCommandSync('rm', ['-f', `${TGTD_SOCKETS}/socket.${String(port)}`, `${TGTD_SOCKETS}/socket.${String(port)}.lock`]);
    if (dir !== undefined) runCommandSync('rm', ['-rf', dir]);
  };

  beforeAll(async () => {
    machineBefore = machineIscsiFiles();
    unregister = registerLastResortCleanup(`iSCSI test namespaces ${targetNs}/${initiatorNs} and tgtd`, cleanupSync);
    dir = await mkdtemp(join(tmpdir(), 'heartline-iscsi-tgt-'));

    // Two namespaces and a veth between them; no default route anywhere.
    await runCommand('ip', ['netns', 'add', targetNs]);
    await runCommand('ip', ['netns', 'add', initiatorNs]);
    await runCommand('ip', ['link', 'add', `hlit${id}`, 'netns', targetNs, 'type', 'veth', 'peer', 'name', `hlii${id}`, 'netns', initiatorNs]);
    for (const [ns, dev, ip] of [[targetNs, `hlit${id}`, targetIp], [initiatorNs, `hlii${id}`, initiatorIp]] as const) {
      await runCommand('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', dev]);
      await runCommand('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      await runCommand('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }

    // tgtd: its own control port (its socket is a file shared by every namespace), one target, LUN 1 on a file.
    do port = 20_000 + (randomBytes(2).readUInt16BE(0) % 12_000); // tgtd takes 1-32767
    while (existsSync(`${TGTD_SOCKETS}/socket.${String(port)}`));
    tgtd = spawn('ip', ['netns', 'exec', targetNs, 'setpriv', '--pdeathsig', 'SIGKILL', 'tgtd', '-f', '-C', String(port), '--iscsi', `portal=${targetIp}:3260`], { stdio: ['ignore', 'pipe', 'pipe'] });
    tgtd.stdout?.on('data', (chunk: Buffer) => (tgtdLog += chunk.toString()));
    tgtd.stderr?.on('data', (chunk: Buffer) => (tgtdLog += chunk.toString()));
    for (let attempt = 0; ; attempt++) {
      if (!tgtdAlive()) throw new Error(`tgtd exited: ${tgtdLog}`);
      if ((await outcome('tgtadm', ['-C', String(port), '--op', 'show', '--mode', 'target'])).code === 0) break;
      if (attempt > 100) throw new Error(`tgtd did not answer on control port ${String(port)}: ${tgtdLog}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const backing = join(dir, 'lun1.img');
    await runCommand('truncate', ['-s', '8M', backing]);
    await tgtadm('--lld', 'iscsi', '--op', 'new', '--mode', 'target', '--tid', '1', '-T', iqn);
    await tgtadm('--lld', 'iscsi', '--op', 'new', '--mode', 'logicalunit', '--tid', '1', '--lun', '1', '-b', backing);
    await tgtadm('--lld', 'iscsi', '--op', 'bind', '--mode', 'target', '--tid', '1', '-I', 'ALL');

    // The test's iSCSI configuration: iscsid is not started (it cannot run here), and an iface
    // carries the initiator name (which iscsiadm otherwise asks iscsid for).
    etc = join(dir, 'etc-iscsi');
    await mkdir(join(etc, 'ifaces'), { recursive: true, mode: 0o700 });
    await writeFile(join(etc, 'iscsid.conf'), 'iscsid.startup = /bin/true\nnode.startup = manual\n');
    await writeFile(join(etc, 'initiatorname.iscsi'), `InitiatorName=iqn.2024-01.org.heartline.test:initiator-${id}\n`);
    await writeFile(join(etc, 'ifaces', iface), `iface.iscsi_ifacename = ${iface}\niface.transport_name = tcp\niface.initiatorname = iqn.2024-01.org.heartline.test:initiator-${id}\n`);

    // in-initiator MODE COMMAND...: COMMAND in the initiator's namespace, with the test's /etc/iscsi;
    // MODE transport adds the stand-in for the kernel's tcp transport in sysfs.
    inInitiator = join(dir, 'in-initiator');
    await writeFile(
      inInitiator,
      `#!/bin/sh
mode=$1
shift
exec ip netns exec '${initiatorNs}' unshare --mount --propagation private /bin/sh -c '
mount --bind "$0" /etc/iscsi && mount -t tmpfs heartline-test /run/lock || exit 1
if [ "$1" = transport ]; then
  mount -t tmpfs heartline-test /sys/class && mkdir -p /sys/class/iscsi_transport/tcp &&
    echo 1 >/sys/class/iscsi_transport/tcp/handle && echo 0x39 >/sys/class/iscsi_transport/tcp/caps || exit 1
fi
shift
exec "$@"' '${etc}' "$mode" "$@"
`,
    );
    await chmod(inInitiator, 0o755);
    for (const mode of ['kernel', 'transport'] as const) {
      const provider = join(dir, mode);
      await mkdir(provider);
      await writeFile(join(provider, 'iSCSISession'), `#!/bin/sh\nexec '${inInitiator}' ${mode} '${AGENT}' "$@"\n`);
      await chmod(join(provider, 'iSCSISession'), 0o755);
      runners[mode] = new AgentClassRunner({ processes: new ChildProcessRunner({ clock }), clock, directories: { rscTmpDirectory: dir, ocfProviderDirectories: { heartline: provider } }, nodeName: 'storage-node-a' });
    }
  }, 60_000);

  afterAll(async () => {
    if (tgtdAlive() && tgtd !== undefined) {
      // tgtd ignores SIGTERM while it serves a target: remove the target, then ask it to exit (as tgt.service stops it).
      await outcome('tgtadm', ['-C', String(port), '--lld', 'iscsi', '--op', 'delete', '--mode', 'target', '--tid', '1', '--force'], 5_000);
      await outcome('tgtadm', ['-C', String(port), '--op', 'delete', '--mode', 'system'], 5_000);
      const child = tgtd;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    }
    cleanupSync();
    unregister();
  }, 30_000);

  it('iscsiadm: the kernel as it is refuses a discovery (no tcp transport); with the transport stand-in the real discovery finds the target over the veth', async () => {
    const refused = await outcome(inInitiator, ['kernel', 'iscsiadm', '-m', 'discovery', '-t', 'sendtargets', '-p', targetIp]);
    expect(refused.code).toBe(12); // ISCSI_ERR_TRANS_NOT_FOUND
    expect(refused.stderr).toContain('iSCSI driver tcp is not loaded');
    // Through a named iface the same refusal is exit status 21 (no objects: the iface was dropped).
    const dropped = await outcome(inInitiator, ['kernel', 'iscsiadm', '-m', 'discovery', '-t', 'sendtargets', '-p', targetIp, '-I', iface]);
    expect(dropped.code).toBe(21);
    expect(dropped.stderr).toContain('Could not load transport tcp');
    const found = await outcome(inInitiator, ['transport', 'iscsiadm', '-m', 'discovery', '-t', 'sendtargets', '-p', targetIp, '-I', iface]);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout.trim().split('\n')).toEqual([`${targetIp}:3260,1 ${iqn}`]);
    // The node record went into the test's /etc/iscsi.
    expect(existsSync(join(etc, 'nodes', iqn))).toBe(true);
  });

  it('iscsid does not start on this kernel (it needs the NETLINK_ISCSI socket of the kernel module)', async () => {
    const iscsid = await outcome(inInitiator, ['kernel', 'iscsid', '-f'], 10_000);
    expect(iscsid.code).toBe(1);
    expect(iscsid.stderr).toContain('can not create NETLINK_ISCSI socket');
  });

  it('start on this kernel as it is: "not installed" here, the kernel has no iSCSI initiator (default and named iface)', async () => {
    for (const params of [{}, { iface: 'default' }]) {
      const result = await run('kernel', resource(params), 'start');
      expect(result.rc, result.exitReason).toBe(OcfRc.ERR_INSTALLED);
      expect(result.exitReason).toContain('the kernel has no iSCSI initiator (iscsi_tcp)');
      expect(result.exitReason).toContain(`discovery at ${targetIp}:3260 impossible`);
    }
  });

  it('start with the transport stand-in: the real discovery finds the target, the login fails naming the kernel', async () => {
    const result = await run('transport', resource(), 'start');
    expect(result.stderr).toContain(`portal ${targetIp}:3260 offers ${iqn}`);
    expect(result.rc, result.exitReason).toBe(OcfRc.ERR_INSTALLED);
    expect(result.exitReason).toContain(`the kernel has no iSCSI initiator (iscsi_tcp): neither loaded nor loadable on this node; cannot log in to ${iqn} at ${targetIp}:3260`);
    expect(result.exitReason).toContain('could not connect to iscsid');
  });

  it('a target name the portal does not offer fails with portal and target named', async () => {
    const result = await run('transport', resource({ target: `${iqn}-typo` }), 'start');
    expect(result.rc).toBe(OcfRc.ERR_GENERIC);
    expect(result.exitReason).toContain(`target ${iqn}-typo is not offered by portal ${targetIp}:3260 (it offers: ${iqn})`);
  });

  it('a portal nobody answers fails within discovery_timeout, saying so', async () => {
    const result = await run('transport', resource({ portal: `${silentIp}:3260`, discovery_timeout: '2' }), 'start');
    expect(result.status).toBe('done');
    expect(result.rc).toBe(OcfRc.ERR_GENERIC);
    expect(result.exitReason).toContain(`portal ${silentIp}:3260 did not answer the discovery of ${iqn} within 2s`);
  });

  it('monitor: no session is "not running"; stop with no session succeeds', async () => {
    expect((await run('kernel', resource(), 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
    const recurring = await run('kernel', resource(), 'monitor', { intervalMs: 20_000 });
    expect(recurring.rc).toBe(OcfRc.NOT_RUNNING);
    expect(recurring.exitReason).toContain(`no iSCSI session to ${iqn}`);
    expect((await run('kernel', resource(), 'stop')).rc).toBe(OcfRc.SUCCESS);
  });

  it("the machine's /etc/iscsi is left as it was", () => {
    expect(machineIscsiFiles()).toEqual(machineBefore);
    expect(existsSync(join('/etc/iscsi/nodes', iqn))).toBe(false);
  });
}, kernelProblems);
