import { access, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { CONFIG_PATH, formatConfigIssue, parseConfig } from '../../config/index.js';
import { applianceConfigText, DEFAULT_PROFILE_DIRECTORY, loadProfileLibrary, storageLayoutLines, type ApplianceConfigOptions, type ApplianceProfile, type BmcModelProfile, type PduModelProfile, type ProfileLibrary } from '../../profiles/index.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';
import { table } from '../table.js';

export interface DirectoryOption {
  readonly dir?: string[];
}

/** The profile directories: --dir (repeatable), else HEARTLINE_PROFILES (colon-separated), else the shipped hw-profiles/. */
export function profileDirectories(options: DirectoryOption): string[] {
  if (options.dir !== undefined && options.dir.length > 0) return options.dir;
  const fromEnv = process.env['HEARTLINE_PROFILES'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv.split(':').filter((part) => part !== '');
  return [DEFAULT_PROFILE_DIRECTORY];
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export const DIR_HELP = 'a profile directory (repeat for several); default $HEARTLINE_PROFILES or the shipped hw-profiles/';

/**
 * `heartline profile`: the hardware profiles of appliance models and fence device models
 * (hw-profiles/). `list`, `show NAME`, `validate [FILE...]` and `apply APPLIANCE` (write this
 * node's heartline.yaml from an appliance: nodes, heartbeat links, fencing.profile).
 */
export function registerProfileCommand(program: Command, terminal: Terminal): void {
  const profile = program
    .command('profile')
    .summary('list, show and validate hardware profiles (appliance and fence device models)')
    .description(
      'Hardware profiles describe an appliance model: its nodes, heartbeat links (Ethernet, crossover, ' +
        'serial device and baud), the fence devices that power each node off and in which order ' +
        '(levels), the fence-race delays, shared storage and the watchdog. Device models hold an SNMP ' +
        "PDU's OIDs and values or a BMC's IPMI options. Profiles hold no secrets: devices name them, and " +
        'each node keeps them in /etc/heartline/secrets/NAME (mode 600). docs/FENCING.md describes the format.',
    );

  withJsonOption(
    profile
      .command('list')
      .summary('list the appliance and device models')
      .description('Lists every appliance model and device model found in the profile directories, with its file. Profiles with problems are listed by `heartline profile validate`, not here.')
      .option('-d, --dir <directory>', DIR_HELP, collect),
  )
    .addHelpText('after', '\nExamples:\n  heartline profile list\n  heartline profile list --dir /etc/heartline/profiles --dir /usr/share/heartline/hw-profiles\n  heartline profile list --json | jq \'.appliances[].name\'\n')
    .action(async (options: JsonOption & DirectoryOption) => {
      const library = await loadProfileLibrary(profileDirectories(options));
      const appliances = [...library.appliances.values()].map(({ profile: p, source }) => ({ name: p.name, description: p.description ?? '', nodes: p.nodes.map((n) => n.name), source }));
      const models = [
        ...[...library.pduModels.values()].map(({ profile: p, source }) => ({ name: p.name, kind: p.kind, description: p.description ?? '', source })),
        ...[...library.bmcModels.values()].map(({ profile: p, source }) => ({ name: p.name, kind: p.kind, description: p.description ?? '', source })),
      ].sort((a, b) => a.name.localeCompare(b.name));
      printResult(terminal, options, { ok: true, appliances, deviceModels: models, problems: library.issues.length }, () => {
        const lines = ['Appliances:', table(['NAME', 'NODES', 'DESCRIPTION'], appliances.map((a) => [a.name, a.nodes.join(','), a.description])), '', 'Device models:', table(['NAME', 'KIND', 'DESCRIPTION'], models.map((m) => [m.name, m.kind, m.description]))];
        if (library.issues.length > 0) lines.push('', `${library.issues.length} problem(s) in the profiles: run \`heartline profile validate\``);
        return lines.join('\n');
      });
    });

  withJsonOption(
    profile
      .command('show')
      .argument('<name>', 'an appliance or device model name')
      .summary('show one profile: nodes, links, fence devices and levels, or a model\'s OIDs')
      .description('Shows one appliance model (its nodes with their fence levels, heartbeat links, fence devices, delays, storage and watchdog) or one device model (OIDs and values, or IPMI options). With --json, the checked profile as data.')
      .option('-d, --dir <directory>', DIR_HELP, collect),
  )
    .addHelpText('after', '\nExamples:\n  heartline profile show generic-2node-apc-pdu\n  heartline profile show apc-rpdu --json\n')
    .action(async (name: string, options: JsonOption & DirectoryOption) => {
      const library = await loadProfileLibrary(profileDirectories(options));
      const appliance = library.appliances.get(name);
      const pdu = library.pduModels.get(name);
      const bmc = library.bmcModels.get(name);
      const found = appliance ?? pdu ?? bmc;
      if (found === undefined) {
        const invalid = library.issues.some((issue) => issue.source.includes(name));
        throw new CommandError('profile-not-found', `no valid profile named '${name}'`, ExitCode.usage, invalid ? 'a file with that name has problems: run `heartline profile validate`' : 'run `heartline profile list` to see the names');
      }
      printResult(terminal, options, { ok: true, source: found.source, profile: found.profile }, () => {
        if (appliance !== undefined) return showAppliance(appliance.profile, appliance.source);
        if (pdu !== undefined) return showPduModel(pdu.profile, pdu.source);
        return showBmcModel((bmc as { profile: BmcModelProfile }).profile, found.source);
      });
    });

  withJsonOption(
    profile
      .command('validate')
      .argument('[files...]', 'profile files or directories to check (default: the profile directories)')
      .summary('check profiles and report every problem with its file, line, column and path')
      .description(
        'Checks hardware profiles: YAML syntax, every key (unknown keys are refused), and the rules ' +
          'between entries and files: unique names, device models that exist and suit their driver, ' +
          'every node fenced by existing devices with an outlet where a PDU needs one and none on a ' +
          'BMC, a BMC fencing one node only. Device models named by appliances are looked up in the ' +
          'files given and in the profile directories. Prints "OK (N appliances, M device models)" ' +
          'or every problem as "FILE:LINE:COL: path: message". Exits 0 when valid, 2 when not.',
      )
      .option('-d, --dir <directory>', DIR_HELP, collect),
  )
    .addHelpText('after', '\nExamples:\n  heartline profile validate\n  heartline profile validate my-appliance.yaml\n  heartline profile validate site-profiles/ --json | jq \'.issues[].path\'\n')
    .action(async (files: string[], options: JsonOption & DirectoryOption) => {
      const base = profileDirectories(options);
      // Files given alone still need the device models of the profile directories.
      const library: ProfileLibrary = await loadProfileLibrary(files.length === 0 ? base : [...files, ...base.filter((dir) => !files.includes(dir))]);
      const relevant = files.length === 0 ? library.issues : library.issues.filter((issue) => files.some((file) => issue.source === file || issue.source.startsWith(file.endsWith('/') ? file : `${file}/`)));
      const counts = { appliances: library.appliances.size, deviceModels: library.pduModels.size + library.bmcModels.size };
      if (relevant.length === 0) {
        printResult(terminal, options, { ok: true, files: files.length === 0 ? library.files : files, ...counts }, () => `OK (${counts.appliances} appliances, ${counts.deviceModels} device models)`);
        return;
      }
      printResult(terminal, options, { ok: false, issues: relevant }, () => relevant.map(formatConfigIssue).join('\n'));
      terminal.err(`heartline: error: ${relevant.length} ${relevant.length === 1 ? 'problem' : 'problems'} in the profiles`);
      terminal.err('heartline: hint: fix them and validate again; docs/FENCING.md describes the profile format');
      process.exitCode = ExitCode.usage;
    });

  registerApply(profile, terminal);
}

interface ApplyOptions extends JsonOption, DirectoryOption {
  readonly node?: string;
  readonly output: string;
  readonly cluster?: string;
  readonly clusterId?: string;
  readonly subnet?: string[];
  readonly address?: string[];
  readonly port?: string;
  readonly secrets?: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
}

function registerApply(profile: Command, terminal: Terminal): void {
  withJsonOption(
    profile
      .command('apply')
      .argument('<appliance>', 'the appliance profile (heartline profile list)')
      .summary("write this node's heartline.yaml from an appliance profile")
      .description(
        "Writes heartline.yaml from an appliance profile: the appliance's nodes (ids 1..N in profile " +
          'order), a udp-unicast link per Ethernet or crossover link and a serial link per serial link ' +
          "(the profile's device and baud), and fencing.profile naming the appliance. A profile knows " +
          'interfaces, not addresses: give each UDP link a subnet (--subnet LINK=NETWORK/PREFIX, node k ' +
          'of the profile gets host address k) or addresses (--address LINK:NODE=ADDRESS/PREFIX). The ' +
          'text is checked as `heartline config check` would before it is written. An existing file is ' +
          'never overwritten without --force; --dry-run prints the file instead. The key file ' +
          '(cluster.authkey) is not written: create it as docs/CONFIGURATION.md says.',
      )
      .option('--node <name>', 'this node, a node of the appliance (default: the host name)')
      .option('-o, --output <file>', 'where to write', CONFIG_PATH)
      .option('--cluster <name>', "the cluster's name (default: the appliance's)")
      .option('--cluster-id <n>', 'the cluster id (default: derived from the name)')
      .option('--subnet <link=network/prefix>', 'the subnet of a UDP link (repeatable)', collect)
      .option('--address <link:node=address/prefix>', "one node's address on a UDP link (repeatable)", collect)
      .option('--port <n>', 'UDP port of the heartbeat links (default 694)')
      .option('--secrets <dir>', 'fencing.secrets_dir (default /etc/heartline/secrets)')
      .option('--force', 'overwrite an existing file')
      .option('--dry-run', 'print the file, write nothing')
      .option('-d, --dir <directory>', DIR_HELP, collect),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  heartline profile apply generic-2node-ipmi --node node-a --subnet lan=192.168.10.0/24 --subnet xover=10.213.1.0/30 --dry-run\n' +
        '  heartline profile apply heartline-testbed --node a --subnet link0=10.213.1.0/24 --subnet link1=10.213.2.0/24 -o /tmp/heartline.yaml --json\n',
    )
    .action(async (name: string, options: ApplyOptions) => {
      const dirs = profileDirectories(options);
      const library = await loadProfileLibrary(dirs);
      const appliance = library.appliances.get(name)?.profile;
      if (appliance === undefined) {
        const known = [...library.appliances.keys()].sort().join(', ') || 'none';
        throw new CommandError('profile-not-found', `no valid appliance profile named '${name}' (known: ${known})`, ExitCode.usage, 'run `heartline profile list`, or `heartline profile validate` when a file has problems');
      }
      const subnets = pairs(options.subnet ?? [], '--subnet', /^([^=]+)=(.+)$/);
      const addresses: Record<string, Record<string, string>> = {};
      for (const text of options.address ?? []) {
        const match = /^([^:=]+):([^=]+)=(.+)$/.exec(text);
        if (match === null) throw new CommandError('bad-option', `--address ${text}: write LINK:NODE=ADDRESS/PREFIX, e.g. lan:node-a=192.168.10.11/24`, ExitCode.usage);
        const [, link = '', node = '', address = ''] = match;
        addresses[link] = { ...addresses[link], [node]: address };
      }
      const number = (text: string | undefined, option: string): number | undefined => {
        if (text === undefined) return undefined;
        if (!/^\d+$/.test(text)) throw new CommandError('bad-option', `${option} ${text}: not a whole number`, ExitCode.usage);
        return Number(text);
      };
      const clusterId = number(options.clusterId, '--cluster-id');
      const port = number(options.port, '--port');
      const node = options.node ?? hostname().split('.')[0] ?? '';
      const output = resolve(options.output);
      const text = checkedApplianceConfig(appliance, dirs, output, {
        node,
        ...(options.cluster === undefined ? {} : { clusterName: options.cluster }),
        ...(clusterId === undefined ? {} : { clusterId }),
        subnets,
        addresses,
        ...(port === undefined ? {} : { port }),
        ...(options.secrets === undefined ? {} : { secretsDir: isAbsolute(options.secrets) ? options.secrets : resolve(options.secrets) }),
      });
      if (options.dryRun === true) {
        printResult(terminal, options, { ok: true, written: false, path: output, node, text }, () => text.trimEnd());
        return;
      }
      if (options.force !== true && (await exists(output))) {
        throw new CommandError('exists', `${output} exists already: nothing was written`, ExitCode.usage, 'add --force to replace it, --dry-run to see the new file, or -o FILE to write elsewhere');
      }
      try {
        await writeFile(output, text, { mode: 0o644 });
      } catch (error) {
        throw new CommandError('write-failed', `cannot write ${output}: ${error instanceof Error ? error.message : String(error)}`, ExitCode.failed, `check that ${dirname(output)} exists and that you may write there`);
      }
      printResult(terminal, options, { ok: true, written: true, path: output, node, text }, () => `wrote ${output} for node ${node} of appliance ${name}; check it with: heartline config check ${output}`);
    });
}

/**
 * The heartline.yaml text for `appliance` (profile apply, and the console's first-boot setup),
 * checked as `heartline config check OUTPUT` would check it; profile_dirs is written when the
 * profiles come from elsewhere than the shipped folder. A problem throws a CommandError (exit 2)
 * naming every option or check that failed.
 */
export function checkedApplianceConfig(appliance: ApplianceProfile, profileDirs: readonly string[], output: string, options: Omit<ApplianceConfigOptions, 'profileDirs'>): string {
  const shipped = profileDirs.length === 1 && profileDirs[0] === DEFAULT_PROFILE_DIRECTORY;
  const text = applianceConfigText(appliance, { ...options, ...(shipped ? {} : { profileDirs: profileDirs.map((dir) => resolve(dir)) }) });
  if (!text.ok) {
    throw new CommandError('profile-apply', `cannot write heartline.yaml from '${appliance.name}': ${text.error.join('; ')}`, ExitCode.usage, 'give the missing options; `heartline profile show ' + appliance.name + '` lists the links and nodes');
  }
  const checked = parseConfig(text.value, output);
  if (!checked.ok) {
    throw new CommandError('profile-apply', `the configuration from '${appliance.name}' does not pass the checks:\n${checked.error.map(formatConfigIssue).join('\n')}`, ExitCode.usage, 'change the options (names, addresses), or the profile');
  }
  return text.value;
}

function pairs(texts: readonly string[], option: string, pattern: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const text of texts) {
    const match = pattern.exec(text);
    if (match === null) throw new CommandError('bad-option', `${option} ${text}: write LINK=NETWORK/PREFIX, e.g. lan=192.168.10.0/24`, ExitCode.usage);
    out[match[1] ?? ''] = match[2] ?? '';
  }
  return out;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function showAppliance(appliance: ApplianceProfile, source: string): string {
  const lines = [`appliance ${appliance.name}  (${source})`];
  if (appliance.description !== undefined) lines.push(appliance.description);
  lines.push('', 'Nodes and fence levels (every device of a level must succeed; the next level is tried when one fails):');
  for (const node of appliance.nodes) {
    const levels = node.fencing.map((level, index) => `${index + 1}: ${level.map((entry) => (entry.port === undefined ? entry.device : `${entry.device} outlet ${entry.port}`)).join(' + ')}`);
    lines.push(`  ${node.name}${node.fence_delay === undefined ? '' : `  (fence delay ${node.fence_delay} ms)`}`, ...levels.map((level) => `    level ${level}`));
  }
  lines.push('', 'Heartbeat links:');
  lines.push(table(['NAME', 'KIND', 'WHERE'], appliance.links.map((link) => [link.name, link.kind, link.kind === 'serial' ? `${link.device} ${link.baud} baud` : link.interface])).replace(/^/gm, '  '));
  lines.push('', 'Fence devices:');
  lines.push(
    table(
      ['NAME', 'DRIVER', 'MODEL/AGENT', 'ADDRESS'],
      appliance.fence_devices.map((device) => [device.name, device.driver, device.driver === 'fence-agent' ? device.agent : device.driver === 'disk' ? 'fencing disk' : device.model, device.driver === 'fence-agent' ? (device.parameters?.['ip'] ?? '') : device.driver === 'disk' ? device.device : device.address]),
    ).replace(/^/gm, '  '),
  );
  if (appliance.fencing_options?.priority_delay !== undefined) lines.push('', `Priority fence delay: ${appliance.fencing_options.priority_delay} ms (the node with the higher resource priority is fenced later)`);
  if (appliance.shared_storage !== undefined) lines.push('', 'Shared storage:', ...appliance.shared_storage.map((storage) => `  ${storage.name} (${storage.kind})`));
  if (appliance.storage_layout !== undefined) lines.push('', ...storageLayoutLines(appliance));
  if (appliance.watchdog !== undefined) lines.push('', `Watchdog: ${appliance.watchdog.device}, timeout ${appliance.watchdog.timeout} ms`);
  return lines.join('\n');
}

function showPduModel(model: PduModelProfile, source: string): string {
  return [
    `pdu-model ${model.name}  (${source})`,
    ...(model.description === undefined ? [] : [model.description]),
    ...(model.sys_object_id === undefined ? [] : [`sysObjectID  ${model.sys_object_id}`]),
    `status       ${model.status.oid}  on=${model.status.on.join('/')} off=${model.status.off.join('/')}`,
    `control      ${model.control.oid}  on=${model.control.on} off=${model.control.off}`,
    ...(model.names === undefined ? [] : [`names        ${model.names.oid}`]),
    ...(model.fabric === true ? ['fabric fencing: off and on only, no reboot'] : []),
  ].join('\n');
}

function showBmcModel(model: BmcModelProfile, source: string): string {
  const ipmi = model.ipmi;
  return [`bmc-model ${model.name}  (${source})`, ...(model.description === undefined ? [] : [model.description]), `port ${ipmi.port ?? 623}, cipher suite ${ipmi.cipher_suite ?? 3}, privilege ${ipmi.privilege ?? 'administrator'}, reboot method ${ipmi.method ?? 'onoff'}`].join('\n');
}
