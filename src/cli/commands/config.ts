import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CONFIG_PATH, formatConfigIssue, loadConfigFile } from '../../config/index.js';
import { exportCibXml, formatCibImportError, importCibXml, type Cib } from '../../ha/cib/index.js';
import { renderConfiguration } from '../configuration-view.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';
import { table } from '../table.js';
import { cibHistory, configurationAt, queryCib } from './cib-client.js';
import { applyChange, CHANGE_EXIT_CODES, withDaemonOptions, type DaemonOptions } from './cib-command.js';

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * `heartline config`: the group of commands about the configuration: `check` validates a
 * heartline.yaml without touching the running cluster; show, history, rollback, export and import
 * are about the cluster configuration in the CIB (resources, constraints, nodes, properties) and
 * talk to the daemon.
 */
export function registerConfigCommand(program: Command, terminal: Terminal): void {
  const config = program
    .command('config')
    .summary('check and manage heartline.yaml and the cluster configuration (show, history, rollback, export, import)')
    .description(
      `Commands about the configuration. 'config check' validates ${CONFIG_PATH} (cluster identity, nodes, ` +
        'heartbeat links, quorum rules and failure-detector timing; docs/CONFIGURATION.md describes every key). ' +
        "show, history, rollback, export and import work on the cluster configuration in the CIB (resources, " +
        "constraints, nodes, cluster properties) through this node's daemon; docs/OPERATIONS.md lists them.",
    );

  withJsonOption(
    config
      .command('check')
      .argument('<file>', 'the configuration file to check')
      .summary('validate a configuration file and report every problem with its line and column')
      .description(
        'Parse and validate FILE as heartline.yaml without changing anything: YAML syntax, every key ' +
          '(unknown keys are refused), and the rules between them (unique node names and ids, every ' +
          'link covering the configured nodes, quorum the nodes can reach, keepalive < warntime < ' +
          'deadtime <= initdead). Prints "FILE: OK (N nodes, M links)", or every problem as ' +
          '"FILE:LINE:COL: path: message", the form editors and CI annotate. Exits 0 when the file ' +
          'is valid and 2 when it is not or cannot be read.',
      ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        `  heartline config check ${CONFIG_PATH}\n` +
        '      check the installed configuration before restarting the daemon\n' +
        '  heartline config check new.yaml && sudo cp new.yaml /etc/heartline/heartline.yaml\n' +
        '      install a change only when it is valid\n' +
        "  heartline config check heartline.yaml --json | jq '.issues[].path'\n" +
        '      list the paths of the problems (the JSON has ok, file, nodes, links, config or issues)\n',
    )
    .action(async (file: string, options: JsonOption) => {
      const loaded = await loadConfigFile(file);
      if (loaded.ok) {
        const { nodes, links } = loaded.value;
        printResult(terminal, options, { ok: true, file, nodes: nodes.length, links: links.length, config: loaded.value }, () => `${file}: OK (${count(nodes.length, 'node')}, ${count(links.length, 'link')})`);
        return;
      }
      const failure = loaded.error;
      if (failure.code !== 'invalid') throw new CommandError(`config-${failure.code}`, failure.message, ExitCode.usage, failure.hint);
      printResult(terminal, options, { ok: false, file, issues: failure.issues }, () => failure.issues.map(formatConfigIssue).join('\n'));
      terminal.err(`heartline: error: ${failure.message}`);
      terminal.err('heartline: hint: fix them and check again; docs/CONFIGURATION.md describes every key and rule');
      process.exitCode = ExitCode.usage;
    });

  registerCibConfigurationCommands(config, terminal);
}

/** The configuration alone, as a CIB document without status (what import reads and the history keeps). */
function configurationDocument(cib: Cib): Cib {
  return {
    version: { adminEpoch: cib.version.adminEpoch, epoch: cib.version.epoch, numUpdates: 0 },
    header: cib.header.validateWith === undefined ? {} : { validateWith: cib.header.validateWith },
    configuration: cib.configuration,
    status: { nodes: [] },
  };
}

/** `A.E` or `A.E.N` (num_updates ignored: the history keeps configuration versions). */
export function parseConfigurationVersion(text: string): { adminEpoch: number; epoch: number } {
  const match = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(text.trim());
  if (match === null) throw new CommandError('usage', `VERSION: '${text}' is not a configuration version: write ADMIN_EPOCH.EPOCH as 'heartline config history' prints it (e.g. 0.12)`, ExitCode.usage);
  return { adminEpoch: Number(match[1]), epoch: Number(match[2]) };
}

function registerCibConfigurationCommands(config: Command, terminal: Terminal): void {
  withDaemonOptions(
    config
      .command('show')
      .option('--xml', 'print the configuration as Pacemaker CIB XML (status left out)')
      .summary('print the cluster configuration: properties, nodes, resources, constraints')
      .description(
        "Print this node's copy of the cluster configuration (the CIB's configuration section): cluster properties, " +
          'nodes and their permanent attributes (standby), resources with agent, parameters, meta attributes and ' +
          'operations, and constraints in the words of \'heartline constraint add\'. With --xml, the whole configuration as ' +
          'Pacemaker CIB XML; with --json, the CIB model ({ version, authoritative, configuration }). When this node ' +
          'is not in sync with the DC (no DC yet), a note on stderr says so.',
      ),
  )
    .addHelpText('after', "\nExamples:\n  heartline config show\n  heartline config show --xml > cib.xml\n  heartline config show --json | jq '.configuration.resources[].id'\n")
    .action(async (options: DaemonOptions & { xml?: boolean }) => {
      if (options.xml === true && options.json === true) throw new CommandError('usage', '--xml and --json each print the whole configuration: choose one', ExitCode.usage);
      const answer = await queryCib(options.socket);
      if (!answer.authoritative) terminal.err('heartline: note: this node is not in sync with a DC: this is its own copy, which may be behind');
      if (options.xml === true) {
        terminal.out(exportCibXml(configurationDocument(answer.cib)));
        return;
      }
      printResult(terminal, options, { ok: true, version: answer.version, authoritative: answer.authoritative, configuration: answer.cib.configuration }, () => renderConfiguration(answer.cib, answer.version));
    });

  withDaemonOptions(
    config
      .command('history')
      .option('--limit <n>', 'show at most N versions (newest first)', '20')
      .summary('list the configuration versions: who changed what, when')
      .description(
        'List the configuration versions the daemon keeps (the newest 200 by default), newest first: version ' +
          '(ADMIN_EPOCH.EPOCH), time (UTC), user, the node it came from, and what changed. Any listed version can ' +
          "be restored with 'heartline config rollback VERSION'.",
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline config history\n  heartline config history --limit 5 --json\n')
    .action(async (options: DaemonOptions & { limit: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new CommandError('usage', `--limit: '${options.limit}' is not a whole number from 1 to 10000`, ExitCode.usage);
      const entries = await cibHistory(options.socket, limit);
      printResult(terminal, options, { ok: true, entries }, () =>
        entries.length === 0
          ? 'no configuration versions recorded yet'
          : table(
              ['VERSION', 'WHEN (UTC)', 'USER', 'ORIGIN', 'DESCRIPTION'],
              entries.map((e) => [`${e.version.adminEpoch}.${e.version.epoch}`, new Date(e.atMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ''), e.user, e.origin, e.description]),
            ),
      );
    });

  withDaemonOptions(
    config
      .command('rollback')
      .argument('<version>', "a configuration version from 'heartline config history' (ADMIN_EPOCH.EPOCH)")
      .summary('restore an earlier configuration version')
      .description(
        'Replace the cluster configuration with the one recorded as VERSION in the history. The rollback is a new ' +
          'change (a new version, recorded in the history as "rollback to VERSION"), so it can itself be rolled back. ' +
          'The status (what runs where) is kept: the cluster then moves resources to match the restored configuration.',
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline config history --limit 5\n  heartline config rollback 0.12\n' + CHANGE_EXIT_CODES)
    .action(async (text: string, options: DaemonOptions) => {
      const { adminEpoch, epoch } = parseConfigurationVersion(text);
      const { configuration } = await configurationAt(options.socket, adminEpoch, epoch);
      await applyChange(terminal, options, `config rollback to ${adminEpoch}.${epoch}`, { op: 'replace-configuration', configuration });
    });

  withDaemonOptions(
    config
      .command('export')
      .option('--format <format>', 'the output format; pacemaker-xml is the only one', 'pacemaker-xml')
      .option('-o, --output <file>', 'write to FILE instead of stdout')
      .option('--with-status', 'include the status section (operation history, node states), as cibadmin --query does')
      .summary('write the cluster configuration as Pacemaker CIB XML')
      .description(
        'Write the cluster configuration as a Pacemaker CIB XML document (a <cib> with its version, the ' +
          "configuration and an empty status unless --with-status), which Pacemaker's tools read and " +
          "'heartline config import' takes back. With --json, a JSON document with the version and the XML (or the " +
          'file written).',
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline config export --format pacemaker-xml -o /root/cib-backup.xml\n  heartline config export | crm_verify --xml-pipe\n')
    .action(async (options: DaemonOptions & { format: string; output?: string; withStatus?: boolean }) => {
      if (options.format !== 'pacemaker-xml') throw new CommandError('usage', `--format: '${options.format}' is not a format heartline writes; use pacemaker-xml`, ExitCode.usage);
      const answer = await queryCib(options.socket);
      const xml = exportCibXml(options.withStatus === true ? answer.cib : configurationDocument(answer.cib));
      if (options.output === undefined) {
        printResult(terminal, options, { ok: true, version: answer.version, xml }, () => xml);
        return;
      }
      try {
        await writeFile(options.output, xml.endsWith('\n') ? xml : `${xml}\n`);
      } catch (error) {
        throw new CommandError('unwritable', `${options.output}: ${error instanceof Error ? error.message : String(error)}`);
      }
      printResult(terminal, options, { ok: true, version: answer.version, file: options.output }, () => `configuration version ${answer.version} written to ${options.output ?? ''}`);
    });

  withDaemonOptions(
    config
      .command('import')
      .argument('<file>', 'a Pacemaker CIB XML file')
      .option('--dry-run', 'check the file and print the warnings, send nothing')
      .summary('replace the cluster configuration with a Pacemaker CIB XML file')
      .description(
        "Read FILE as Pacemaker CIB XML (what cibadmin --query or 'heartline config export' writes) and replace the " +
          'whole cluster configuration with its configuration section; its status section is ignored (the cluster ' +
          'keeps its own). Malformed XML, or a document the importer cannot represent, is refused with the line and ' +
          'element before anything is sent (exit 2). Elements and attributes Heartline does not interpret are kept ' +
          'as written and printed as warnings. The cluster then checks the whole configuration (unique ids, ' +
          'constraints naming configured resources and nodes, agents installed on this node) and applies it whole or ' +
          'not at all. The previous configuration stays in the history for a rollback.',
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline config import --dry-run cib.xml\n  heartline config import cib.xml\n' + CHANGE_EXIT_CODES)
    .action(async (file: string, options: DaemonOptions & { dryRun?: boolean }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new CommandError('unreadable', `${file}: ${error instanceof Error ? error.message : String(error)}`, ExitCode.usage);
      }
      const imported = importCibXml(text);
      if (!imported.ok) {
        throw new CommandError('bad-cib', `${file}: ${formatCibImportError(imported.error)}`, ExitCode.usage, 'nothing was sent; fix the file (a Pacemaker <cib> document with a configuration section) and import again');
      }
      // The status section is not imported, so what the importer says about it does not matter here.
      const warnings = imported.value.warnings.filter((w) => !w.path.startsWith('/cib/status'));
      for (const warning of warnings) terminal.err(`heartline: warning: ${file}: ${warning.message}`);
      const { configuration } = imported.value.cib;
      if (options.dryRun === true) {
        const resources = configuration.resources.length;
        const constraints = configuration.constraints.length;
        printResult(terminal, options, { ok: true, file, warnings, resources, constraints }, () => `${file}: OK (${count(resources, 'resource')}, ${count(constraints, 'constraint')}, ${count(warnings.length, 'warning')}); nothing sent (--dry-run)`);
        return;
      }
      await applyChange(terminal, options, `config import ${file}`, { op: 'replace-configuration', configuration });
    });
}
