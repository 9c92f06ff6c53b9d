import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_STATE_DIR } from '../../daemon/index.js';
import { buildCibFenceDriver, ChildToolRunner, cibCapableDevices, cibFencing, FENCE_HISTORY_FILE, FenceHistory, type CibFencing, type DeviceResult, type FenceDriver, type FenceHistoryEntry } from '../../fence/index.js';
import { formatCibImportError, importCibXml } from '../../ha/cib/index.js';
import { buildProfileDevice, deviceTargets, findAppliance, type DeviceTarget } from '../../fence/profile-fencing.js';
import { loadProfileLibrary, SECRETS_DIRECTORY, type ApplianceProfile, type FenceDeviceProfile, type ProfileLibrary } from '../../profiles/index.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';
import { table } from '../table.js';
import { collect, DIR_HELP, profileDirectories, type DirectoryOption } from './profile.js';
import { currentUser } from './cib-client.js';
import { askDaemon, socketOptionDefault } from './daemon-client.js';

/** The history file the daemon writes by default. */
const DEFAULT_HISTORY_PATH = join(DEFAULT_STATE_DIR, FENCE_HISTORY_FILE);
const LIMIT_MAX = 1_000_000;

interface ProfileOption extends DirectoryOption {
  readonly profile?: string;
  /** A CIB XML file: its stonith resources instead of the profiles' devices. */
  readonly cib?: string;
}

/** The CIB's fence devices and levels from a CIB XML file (`heartline config export`, cibadmin -Q). */
async function cibDevicesOf(path: string): Promise<{ readonly fencing: CibFencing; readonly nodes: readonly string[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CommandError('cib-unreadable', `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, ExitCode.usage, 'write the cluster configuration to a file with: heartline config export > cib.xml');
  }
  const imported = importCibXml(text);
  if (!imported.ok) throw new CommandError('cib-invalid', `${path} is not a CIB: ${formatCibImportError(imported.error)}`, ExitCode.usage, 'give a CIB XML document (heartline config export, or cibadmin -Q)');
  const configuration = imported.value.cib.configuration;
  const nodes = configuration.nodes.filter((node) => node.type === undefined || node.type === 'member').map((node) => node.uname);
  return { fencing: cibFencing(configuration, nodes), nodes };
}

/** Which nodes each CIB device fences: at the levels that name it, else as a capable device (level = its place among them). */
function cibDeviceTargets(fencing: CibFencing, nodes: readonly string[]): Map<string, DeviceTarget[]> {
  const targets = new Map<string, DeviceTarget[]>(fencing.devices.map((device) => [device.id, []]));
  for (const level of fencing.levels) {
    for (const entry of level.devices) targets.get(entry.device)?.push({ node: level.target.kind === 'node' ? level.target.node : '?', level: level.index, ...(entry.port === undefined ? {} : { port: entry.port }) });
  }
  const withLevels = new Set(fencing.nodesWithLevels);
  for (const [node, devices] of Object.entries(cibCapableDevices(fencing.devices, nodes.filter((n) => !withLevels.has(n))))) {
    devices.forEach((entry, index) => targets.get(entry.device)?.push({ node, level: index + 1, ...(entry.port === undefined ? {} : { port: entry.port }) }));
  }
  return targets;
}

interface DeviceOptions extends ProfileOption, JsonOption {
  readonly target?: string;
  readonly secrets: string;
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > LIMIT_MAX) throw new InvalidArgumentError(`expected a whole number from 1 to ${LIMIT_MAX}, got '${value}'`);
  return limit;
}

async function library(options: DirectoryOption): Promise<ProfileLibrary> {
  return loadProfileLibrary(profileDirectories(options));
}

/** --profile's appliance, or every appliance. */
function appliancesOf(lib: ProfileLibrary, options: ProfileOption): ApplianceProfile[] {
  if (options.profile === undefined) return [...lib.appliances.values()].map((loaded) => loaded.profile).sort((a, b) => a.name.localeCompare(b.name));
  const found = findAppliance(lib, options.profile);
  if (!found.ok) throw new CommandError('profile-not-found', found.error.message, ExitCode.usage, 'run `heartline profile list` to see the appliances');
  return [found.value];
}

/** The appliance holding DEVICE: --profile's, or the only one with a device of that name. */
function applianceOfDevice(lib: ProfileLibrary, device: string, options: ProfileOption): ApplianceProfile {
  const holders = appliancesOf(lib, options).filter((appliance) => appliance.fence_devices.some((candidate) => candidate.name === device));
  const [only, ...more] = holders;
  if (only === undefined) {
    const where = options.profile === undefined ? 'no appliance profile has' : `appliance '${options.profile}' has no`;
    throw new CommandError('device-not-found', `${where} a fence device named '${device}'`, ExitCode.usage, 'run `heartline fence-device list` to see the devices');
  }
  if (more.length > 0) {
    throw new CommandError('ambiguous-device', `fence device '${device}' is in several appliance profiles (${holders.map((a) => a.name).join(', ')})`, ExitCode.usage, 'say which with --profile APPLIANCE');
  }
  return only;
}

function modelOf(device: FenceDeviceProfile): string {
  if (device.driver === 'disk') return 'fencing disk';
  return device.driver === 'fence-agent' ? device.agent : device.model;
}

function addressOf(device: FenceDeviceProfile): string {
  if (device.driver === 'fence-agent') return device.parameters?.['ip'] ?? '';
  if (device.driver === 'disk') return device.device;
  const port = device.driver === 'snmp-pdu' ? device.port : device.ipmi?.port;
  return port === undefined ? device.address : `${device.address}:${port}`;
}

function describeTarget(target: DeviceTarget): string {
  return `${target.node} (level ${target.level}${target.port === undefined ? '' : `, port ${target.port}`})`;
}

/** "850 ms", "21.0 s": how long a device action or a fence took. */
function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Builds DEVICE's driver from a CIB file's stonith resource; the nodes it fences. */
async function cibDeviceFor(device: string, path: string): Promise<{ driver: FenceDriver; targets: readonly DeviceTarget[] }> {
  const { fencing, nodes } = await cibDevicesOf(path);
  const spec = fencing.devices.find((candidate) => candidate.id === device);
  if (spec === undefined) {
    const problem = fencing.problems.find((text) => text.startsWith(`resource '${device}'`));
    const names = fencing.devices.map((candidate) => candidate.id).join(', ') || 'none';
    throw new CommandError('device-not-found', problem ?? `${path} has no usable stonith resource named '${device}' (usable: ${names})`, ExitCode.usage, 'run `heartline fence-device list --cib FILE` to see the devices and their problems');
  }
  const built = await buildCibFenceDriver(spec, { runner: new ChildToolRunner() });
  if (!built.ok) throw new CommandError('device-unusable', `fence device ${device} cannot be used: ${built.problems.join('; ')}`, ExitCode.usage, 'fix the stonith resource (heartline resource update), then try again');
  return { driver: built.driver, targets: cibDeviceTargets(fencing, nodes).get(device) ?? [] };
}

/** Builds DEVICE's driver from its appliance (with only its own secrets) or from --cib; the targets it fences, limited by --target. */
async function deviceFor(device: string, options: DeviceOptions): Promise<{ appliance: ApplianceProfile | undefined; source: string; driver: FenceDriver; targets: readonly DeviceTarget[]; allTargets: readonly DeviceTarget[] }> {
  let appliance: ApplianceProfile | undefined;
  let built: { readonly value: { readonly driver: FenceDriver; readonly targets: readonly DeviceTarget[] } };
  if (options.cib !== undefined) {
    built = { value: await cibDeviceFor(device, options.cib) };
  } else {
    const lib = await library(options);
    appliance = applianceOfDevice(lib, device, options);
    const made = await buildProfileDevice({ library: lib, appliance: appliance.name, device, secretsDir: options.secrets });
    if (!made.ok) throw new CommandError('device-unusable', `fence device ${device} of appliance ${appliance.name} cannot be used: ${made.error.message}`, ExitCode.usage, 'fix the secret files or the profile (heartline profile validate), then try again');
    built = made;
  }
  const source = appliance === undefined ? 'the CIB' : `appliance ${appliance.name}`;
  let targets = built.value.targets;
  if (options.target !== undefined) {
    targets = targets.filter((target) => target.node === options.target);
    if (targets.length === 0) {
      const fenced = [...new Set(built.value.targets.map((target) => target.node))].join(', ') || 'none';
      throw new CommandError('target-not-fenced', `fence device ${device} does not fence node '${options.target}' in ${source} (it fences: ${fenced})`, ExitCode.usage, 'run `heartline fence-device list --node NODE` to see which devices fence a node');
    }
  }
  if (targets.length === 0 && built.value.driver.capabilities.needsPort) {
    throw new CommandError('no-targets', `fence device ${device} fences no node in ${source}'s levels, so no outlet is known to read`, ExitCode.usage, 'name it in a node\'s fencing levels, or use `test` to check that it answers');
  }
  return { appliance, source, driver: built.value.driver, targets, allTargets: built.value.targets };
}

interface StatusRow {
  readonly node?: string;
  readonly port?: string;
  readonly result: DeviceResult;
}

/** Reads the power of every target (one read for a BMC that fences no node). */
async function readStatus(driver: FenceDriver, targets: readonly DeviceTarget[]): Promise<StatusRow[]> {
  if (targets.length === 0) return [{ result: await driver.run({ action: 'status' }) }];
  const rows: StatusRow[] = [];
  for (const target of targets) {
    const result = await driver.run({ action: 'status', ...(target.port === undefined ? {} : { port: target.port }) });
    rows.push({ node: target.node, ...(target.port === undefined ? {} : { port: target.port }), result });
  }
  return rows;
}

function statusJson(row: StatusRow): Record<string, unknown> {
  return { node: row.node ?? null, port: row.port ?? null, ok: row.result.ok, ...(row.result.ok ? { power: row.result.power ?? null } : { code: row.result.code, reason: row.result.reason }), elapsedMs: Math.round(row.result.elapsedMs) };
}

function statusCell(result: DeviceResult): string {
  if (!result.ok) return `FAILED (${result.code}): ${result.reason}`;
  return result.power ?? 'unknown';
}

/**
 * `heartline fence-device list|status|test`: the fence devices of the hardware profiles, and their
 * checks against the real device, which need no running cluster (only the profile and the secret
 * files). Nothing here changes power, except `test --power-cycle NODE --yes`.
 */
export function registerFenceDeviceCommand(program: Command, terminal: Terminal): void {
  const command = program
    .command('fence-device')
    .summary('list the fence devices of the hardware profiles; read their status; test them')
    .description(
      'Fence devices (SNMP power switches, IPMI BMCs, fence_* agents) as the hardware profiles ' +
        'define them: which nodes each one fences, at which level and through which outlet. ' +
        '`status` and `test` talk to the real device from this node, with the secrets in ' +
        `${SECRETS_DIRECTORY} (one file per secret, mode 600); they need no running cluster. ` +
        'Only `test --power-cycle NODE --yes` changes power. docs/FENCING.md describes the devices.',
    );

  withJsonOption(
    command
      .command('list')
      .summary('list fence devices with the nodes they fence, their levels and outlets')
      .description('Lists the fence devices of every appliance profile (or of --profile APPLIANCE), each with its driver, model or agent, address, and the nodes it fences: level and outlet or port. With --node, only the devices that fence that node, in level order.')
      .option('-p, --profile <appliance>', 'only this appliance profile')
      .option('-n, --node <name>', 'only the devices that fence this node')
      .option('--cib <file>', "a CIB XML file (heartline config export): its stonith resources instead of the profiles' devices")
      .option('-d, --dir <directory>', DIR_HELP, collect),
  )
    .addHelpText('after', '\nExamples:\n  heartline fence-device list\n  heartline fence-device list --profile generic-2node-apc-pdu --node node-a\n  heartline fence-device list --json | jq \'.devices[] | {name, targets}\'\n')
    .action(async (options: ProfileOption & JsonOption & { node?: string }) => {
      if (options.cib !== undefined) {
        await listCibDevices(terminal, options.cib, options);
        return;
      }
      const lib = await library(options);
      const appliances = appliancesOf(lib, options);
      const rows = appliances.flatMap((appliance) => {
        const targetsOf = deviceTargets(appliance);
        return appliance.fence_devices.map((device) => ({ appliance: appliance.name, name: device.name, driver: device.driver, model: modelOf(device), address: addressOf(device), targets: targetsOf.get(device.name) ?? [] }));
      });
      let devices = rows;
      if (options.node !== undefined) {
        const node = options.node;
        if (!appliances.some((appliance) => appliance.nodes.some((candidate) => candidate.name === node))) {
          throw new CommandError('node-not-found', `no ${options.profile === undefined ? 'appliance profile' : `node of appliance '${options.profile}'`} has a node named '${node}'`, ExitCode.usage, 'run `heartline profile show APPLIANCE` to see its nodes');
        }
        devices = rows
          .map((row) => ({ ...row, targets: row.targets.filter((target) => target.node === node) }))
          .filter((row) => row.targets.length > 0)
          .sort((a, b) => a.appliance.localeCompare(b.appliance) || (a.targets[0]?.level ?? 0) - (b.targets[0]?.level ?? 0));
      }
      printResult(terminal, options, { ok: true, devices }, () => {
        if (devices.length === 0) return 'no fence devices';
        return table(
          ['APPLIANCE', 'DEVICE', 'DRIVER', 'MODEL/AGENT', 'ADDRESS', 'FENCES'],
          devices.map((d) => [d.appliance, d.name, d.driver, d.model, d.address, d.targets.map(describeTarget).join(', ') || '-']),
        );
      });
    });

  const deviceOptions = (sub: Command): Command =>
    withJsonOption(
      sub
        .argument('<device>', "the device's name in the profile")
        .option('-p, --profile <appliance>', 'the appliance profile (needed when several have a device of that name)')
        .option('-t, --target <node>', 'only the outlet or port of this node')
        .option('-s, --secrets <directory>', 'where the secret files are', SECRETS_DIRECTORY)
        .option('--cib <file>', 'a CIB XML file (heartline config export): DEVICE is one of its stonith resources')
        .option('-d, --dir <directory>', DIR_HELP, collect),
    );

  deviceOptions(
    command
      .command('status')
      .summary("read the power of every node a device fences (no power change)")
      .description(
        "Reads, from the real device, the power of each node the device fences: a BMC's chassis " +
          "power, a PDU's outlet state per node (the outlets of the profile's fence levels). Prints " +
          'one row per node: its outlet and on, off or the failure with what to check. Nothing is ' +
          'switched. Exits 0 when every read worked, 1 when one failed (device silent, credentials ' +
          'refused, outlet unknown), 2 for an unknown device or node, or a missing secret file.',
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline fence-device status bmc-a\n  heartline fence-device status pdu --profile generic-2node-apc-pdu --target node-b\n  heartline fence-device status pdu --secrets /root/secrets --json\n')
    .action(async (device: string, options: DeviceOptions) => {
      const { appliance, driver, targets } = await deviceFor(device, options);
      const rows = await readStatus(driver, targets);
      const ok = rows.every((row) => row.result.ok);
      printResult(terminal, options, { ok, appliance: appliance?.name ?? null, device, driver: driver.kind, targets: rows.map(statusJson) }, () =>
        table(['NODE', 'PORT', 'POWER'], rows.map((row) => [row.node ?? '-', row.port ?? '-', statusCell(row.result)])),
      );
      if (!ok) process.exitCode = ExitCode.failed;
    });

  deviceOptions(
    command
      .command('test')
      .summary('check that a device answers, accepts the credentials and knows every outlet; --power-cycle proves one node')
      .description(
        'Tests a fence device without the cluster: (1) monitor: the device answers and accepts the ' +
          "credentials (a PDU's sysObjectID must match its model); (2) status of every node it " +
          'fences: each outlet or port exists and reads on or off. No power changes. ' +
          'With --power-cycle NODE --yes it then reboots NODE through this device alone: off, ' +
          'verified off, on, verified on. That proves the outlet map (the right node loses power), ' +
          'which nothing else can; run it before the cluster is in service, because a running ' +
          'cluster sees the node fail and recovers its resources. Exits 0 when every step worked, ' +
          '1 when one failed, 2 for bad usage.',
      )
      .option('--power-cycle <node>', 'then power-cycle this node through the device (needs --yes)')
      .option('--yes', 'confirm --power-cycle'),
  )
    .addHelpText('after', '\nExamples:\n  heartline fence-device test pdu\n  heartline fence-device test bmc-b --json\n  heartline fence-device test pdu --power-cycle node-b --yes    # node-b loses power, then comes back\n')
    .action(async (device: string, options: DeviceOptions & { powerCycle?: string; yes?: boolean }) => {
      if (options.powerCycle !== undefined && options.yes !== true) {
        throw new CommandError('confirm-needed', `--power-cycle ${options.powerCycle} turns node ${options.powerCycle} off and on again`, ExitCode.usage, 'add --yes if that node may lose power now');
      }
      const { appliance, source, driver, targets, allTargets } = await deviceFor(device, options);
      const cycleTarget = options.powerCycle === undefined ? undefined : allTargets.find((target) => target.node === options.powerCycle);
      if (options.powerCycle !== undefined && cycleTarget === undefined) {
        const fenced = [...new Set(allTargets.map((target) => target.node))].join(', ') || 'none';
        throw new CommandError('target-not-fenced', `fence device ${device} does not fence node '${options.powerCycle}' in ${source} (it fences: ${fenced})`, ExitCode.usage, 'power-cycle a node this device fences');
      }
      const steps: { step: string; result: DeviceResult }[] = [];
      const monitor = await driver.run({ action: 'monitor' });
      steps.push({ step: 'monitor', result: monitor });
      if (monitor.ok) {
        for (const row of await readStatus(driver, targets)) steps.push({ step: row.node === undefined ? 'status' : `status ${row.node}${row.port === undefined ? '' : ` (port ${row.port})`}`, result: row.result });
      }
      if (cycleTarget !== undefined && steps.every((step) => step.result.ok)) {
        const cycle = await driver.run({ action: 'reboot', ...(cycleTarget.port === undefined ? {} : { port: cycleTarget.port }) });
        steps.push({ step: `power-cycle ${cycleTarget.node}`, result: cycle });
      }
      const ok = steps.every((step) => step.result.ok);
      printResult(
        terminal,
        options,
        { ok, appliance: appliance?.name ?? null, device, driver: driver.kind, steps: steps.map((s) => ({ step: s.step, ok: s.result.ok, ...(s.result.ok ? { power: s.result.power ?? null, note: s.result.note ?? null } : { code: s.result.code, reason: s.result.reason }), elapsedMs: Math.round(s.result.elapsedMs) })) },
        () =>
          [
            ...steps.map((s) => `${s.result.ok ? 'ok    ' : 'FAILED'}  ${s.step}: ${s.result.ok ? [s.result.power, s.result.note].filter((x) => x !== undefined).join(', ') || 'answers, credentials accepted' : `${s.result.code}: ${s.result.reason}`} (${duration(s.result.elapsedMs)})`),
            '',
            ok ? `fence device ${device} works` : `fence device ${device} does NOT work: fix what failed and test again`,
          ].join('\n'),
      );
      if (!ok) process.exitCode = ExitCode.failed;
    });
}

/** `fence-device list --cib FILE`: the CIB's usable devices with the nodes they fence, and what is not usable. */
async function listCibDevices(terminal: Terminal, path: string, options: JsonOption & { node?: string }): Promise<void> {
  const { fencing, nodes } = await cibDevicesOf(path);
  const targetsOf = cibDeviceTargets(fencing, nodes);
  let devices = fencing.devices.map((device) => ({
    appliance: 'cib',
    name: device.id,
    driver: 'fence-agent',
    model: device.agent,
    // Parameters may hold secrets: only the address is shown.
    address: device.parameters['ip'] === undefined ? (device.parameters['ipaddr'] ?? '') : `${device.parameters['ip']}${device.parameters['ipport'] === undefined ? '' : `:${device.parameters['ipport']}`}`,
    targets: targetsOf.get(device.id) ?? [],
  }));
  if (options.node !== undefined) {
    const node = options.node;
    devices = devices.map((row) => ({ ...row, targets: row.targets.filter((target) => target.node === node) })).filter((row) => row.targets.length > 0).sort((a, b) => (a.targets[0]?.level ?? 0) - (b.targets[0]?.level ?? 0));
  }
  printResult(terminal, options, { ok: true, devices, problems: fencing.problems, notes: fencing.notes }, () => {
    const lines = [devices.length === 0 ? 'no usable fence devices' : table(['SOURCE', 'DEVICE', 'DRIVER', 'AGENT', 'ADDRESS', 'FENCES'], devices.map((d) => [d.appliance, d.name, d.driver, d.model, d.address, d.targets.map(describeTarget).join(', ') || '-']))];
    if (fencing.problems.length > 0) lines.push('', 'Not usable:', ...fencing.problems.map((problem) => `  ${problem}`));
    if (fencing.notes.length > 0) lines.push('', 'Notes:', ...fencing.notes.map((note) => `  ${note}`));
    return lines.join('\n');
  });
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function historyJson(entry: FenceHistoryEntry): Record<string, unknown> {
  return { ...entry, started: new Date(entry.startedAtMs).toISOString(), ended: new Date(entry.endedAtMs).toISOString() };
}

/**
 * `heartline fence`: fencing of cluster nodes. `fence NODE` and `fence confirm NODE` go through the
 * running daemon (its control socket); `fence history` reads the history file directly.
 */
export function registerFenceCommand(program: Command, terminal: Terminal): void {
  const command = withJsonOption(
    program
      .command('fence')
      .summary('fence a node now, confirm a node is off, or list the fence history')
      .description(
        'Fencing of cluster nodes. `heartline fence NODE [--off|--reboot] --yes` fences NODE now ' +
          'through the fencing of the daemon this command talks to (its fence levels, delays and ' +
          'history); the outcome goes to every member and the DC records the node as down, so its ' +
          'resources are recovered. `heartline fence confirm NODE --yes` tells the cluster that a ' +
          'person verified that NODE is off (like stonith_admin --confirm), for when every fence ' +
          'device fails: never run it unless the power is really off. `heartline fence history` ' +
          'lists the recorded fence requests of this node. Exit codes: 0 done, 1 the fence failed, ' +
          '2 bad usage or refused (unknown node, this node, a confirm of a running member), 3 no daemon.',
      )
      .argument('[node]', 'the node to fence')
      .option('--off', 'power the node off and leave it off (the default)')
      .option('--reboot', 'power the node off, then on again')
      .option('--yes', 'really cut the power of the node')
      .option('-s, --socket <path>', 'the daemon control socket', socketOptionDefault)
      // The subcommands have options of the same names: after a subcommand they are its own.
      .enablePositionalOptions(),
  )
    .addHelpText('after', '\nExamples:\n  heartline fence node-b --yes\n  heartline fence node-b --reboot --yes\n  heartline fence confirm node-b --yes\n  heartline fence history --target node-b\n')
    .action(async (node: string | undefined, options: JsonOption & { off?: boolean; reboot?: boolean; yes?: boolean; socket: string }) => {
      if (node === undefined) throw new CommandError('usage', 'name the node to fence: heartline fence NODE --yes (or see heartline fence --help)', ExitCode.usage);
      if (options.off === true && options.reboot === true) throw new CommandError('usage', 'give --off or --reboot, not both', ExitCode.usage);
      if (options.yes !== true) throw new CommandError('usage', `fencing cuts the power of ${node}: add --yes to do it`, ExitCode.usage);
      const action = options.reboot === true ? 'reboot' : 'off';
      const answer = await askFence(options.socket, 'fence', { target: node, action, user: currentUser() }, FENCE_TIMEOUT_MS);
      printResult(terminal, options, { ok: true, ...answer }, () => `${node} fenced (${action}) by ${String(answer['device'])} in ${duration(Number(answer['durationMs']))}`);
    });

  withJsonOption(
    command
      .command('confirm')
      .summary('tell the cluster that a person verified a node is off')
      .description(
        'A person verified that NODE has no power (or is otherwise proven down): the DC records it ' +
          'as fenced, a fence of it that is waiting ends as a success, and its resources are ' +
          'recovered elsewhere. Use it when every fence device of NODE fails (heartline status ' +
          'says why). Refused while NODE is a member of the cluster. Confirming a node that still ' +
          'runs lets its resources run twice: check the power first.',
      )
      .argument('<node>', 'the node that is off')
      .option('--yes', 'I verified that the node is off')
      .option('-s, --socket <path>', 'the daemon control socket', socketOptionDefault),
  ).action(async (node: string, options: JsonOption & { yes?: boolean; socket: string }) => {
    if (options.yes !== true) throw new CommandError('usage', `confirm only after verifying that ${node} is off: add --yes`, ExitCode.usage);
    const answer = await askFence(options.socket, 'fence-confirm', { target: node, user: currentUser() }, 10_000);
    printResult(terminal, options, { ok: true, ...answer }, () => `${node} confirmed off by ${String(answer['confirmedBy'])}; the cluster recovers its resources`);
  });

  withJsonOption(
    command
      .command('history')
      .summary('list the fence requests recorded on this node, newest first')
      .description(
        'Lists the fence requests this node ran, newest first: when, the target, the action, the ' +
          'result, the device(s) (the level that succeeded, or every device tried), how long it ' +
          'took, who asked and why, and for a failure every attempt in words. Reads the history file ' +
          `(default ${DEFAULT_HISTORY_PATH}) directly, so it works while the daemon is stopped; the ` +
          'daemon keeps the newest 1000 requests. Exits 0, or 1 when the file cannot be read.',
      )
      .option('-t, --target <node>', 'only the requests that fenced this node')
      .option('-l, --limit <n>', 'at most this many requests', parseLimit)
      .option('-f, --history <file>', 'the history file', DEFAULT_HISTORY_PATH),
  )
    .addHelpText('after', '\nExamples:\n  heartline fence history\n  heartline fence history --target node-a --limit 5\n  heartline fence history --json | jq \'.entries[] | select(.ok | not)\'\n')
    .action((options: JsonOption & { target?: string; limit?: number; history: string }) => {
      const opened = FenceHistory.openReadOnly(options.history);
      if (!opened.ok) throw new CommandError(`history-${opened.error.kind}`, opened.error.message, ExitCode.failed);
      let entries: readonly FenceHistoryEntry[];
      try {
        entries = opened.value.list({ ...(options.target === undefined ? {} : { target: options.target }), ...(options.limit === undefined ? {} : { limit: options.limit }) });
      } finally {
        opened.value.close();
      }
      printResult(terminal, options, { ok: true, history: options.history, entries: entries.map(historyJson) }, () => {
        if (entries.length === 0) return options.target === undefined ? 'no fence requests recorded' : `no fence requests recorded for ${options.target}`;
        const lines = table(
          ['STARTED', 'TARGET', 'ACTION', 'RESULT', 'DEVICES', 'TOOK', 'REQUESTER', 'REASON'],
          entries.map((e) => [when(e.startedAtMs), e.target, e.action, e.ok ? 'ok' : e.poweredOff ? 'failed (off)' : 'FAILED', e.devices.join(',') || '-', duration(e.endedAtMs - e.startedAtMs), e.requester, e.reason]),
        ).split('\n');
        // A failure's reason follows its row, indented: it lists every attempt.
        const out = [lines[0] ?? ''];
        entries.forEach((entry, index) => {
          out.push(lines[index + 1] ?? '');
          if (entry.failureReason !== undefined) out.push(`    ${entry.failureReason}`);
        });
        return out.join('\n');
      });
    });
}

/** A fence may wait for delays and every level's timeouts: give it longer than a status query. */
export const FENCE_TIMEOUT_MS = 300_000;

/** Asks the daemon; a refusal (unknown node, this node, a running member) is bad usage (exit 2). */
export async function askFence(socket: string, request: 'fence' | 'fence-confirm', args: Record<string, unknown>, timeoutMs: number): Promise<Record<string, unknown>> {
  try {
    const answer = await askDaemon(socket, request, args, timeoutMs);
    if (typeof answer !== 'object' || answer === null) throw new CommandError('bad-response', `the daemon answered ${request} without a result: is it a different heartline version?`, ExitCode.failed);
    return answer as Record<string, unknown>;
  } catch (error) {
    if (error instanceof CommandError && error.code === 'rejected') throw new CommandError(error.code, error.message, ExitCode.usage);
    throw error;
  }
}
