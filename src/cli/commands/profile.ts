import type { Command } from 'commander';
import { formatConfigIssue } from '../../config/index.js';
import { DEFAULT_PROFILE_DIRECTORY, loadProfileLibrary, type ApplianceProfile, type BmcModelProfile, type PduModelProfile, type ProfileLibrary } from '../../profiles/index.js';
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
 * (hw-profiles/). `list`, `show NAME` and `validate [FILE...]`; `apply` (write this node's
 * configuration from a profile) comes with the cluster wiring.
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
