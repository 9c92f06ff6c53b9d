import type { Command } from 'commander';
import { CONFIG_PATH, formatConfigIssue, loadConfigFile } from '../../config/index.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * `heartline config`: the group of commands about heartline.yaml. `check` validates a file
 * without touching the running cluster; later issues add show, history, rollback, export and
 * import here.
 */
export function registerConfigCommand(program: Command, terminal: Terminal): void {
  const config = program
    .command('config')
    .summary('check and manage heartline.yaml, the cluster configuration')
    .description(
      `Commands about the cluster configuration, ${CONFIG_PATH}: its cluster identity, nodes, ` +
        'heartbeat links, quorum rules and failure-detector timing. docs/CONFIGURATION.md describes every key.',
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
}
