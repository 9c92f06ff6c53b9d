import { constants } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { formatImportNote, importHeartbeat, type HeartbeatImport } from '../../config/index.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';

interface ImportHeartbeatOptions extends JsonOption {
  readonly node?: string;
  readonly output?: string;
}

/** Where the converted files went, when --output was given. */
interface WrittenFiles {
  readonly config: string;
  readonly authkey: string | null;
}

/**
 * `heartline import`: converters from other cluster stacks' configuration. `heartbeat` reads
 * Heartbeat's /etc/ha.d; the CIB XML of Pacemaker arrives here later.
 */
export function registerImportCommand(program: Command, terminal: Terminal): void {
  const importCommand = program
    .command('import')
    .summary("convert another cluster stack's configuration (Heartbeat's ha.cf and authkeys)")
    .description('Convert the configuration of another cluster stack into Heartline\'s. Nothing is installed: the result is a file to review.');

  withJsonOption(
    importCommand
      .command('heartbeat')
      .argument('<dir>', "Heartbeat's configuration directory, with ha.cf and (optionally) authkeys; usually /etc/ha.d")
      .summary('convert ha.cf and authkeys into heartline.yaml and a Heartline key file')
      .description(
        "Convert Heartbeat's DIR/ha.cf into heartline.yaml and DIR/authkeys into a Heartline key file.\n\n" +
          'Converted: node, cluster, keepalive, warntime, deadtime, initdead (Heartbeat time syntax; ' +
          "Heartbeat's own defaults are written out where ha.cf relied on them), udpport, bcast, mcast, " +
          'ucast, serial, baud, ping and ping_group. ha.cf names interfaces (eth0), not addresses, so ' +
          'those become "<fill in: ...>" values marked TODO. Every other directive (auto_failback, crm, ' +
          'stonith, logging, ...) is listed with the reason it was not converted; nothing is dropped ' +
          'silently. The notes are also written at the top of the converted file.\n\n' +
          'authkeys: sha1 and md5 keys keep their id and secret and sign with HMAC-SHA256 from now on; ' +
          'crc keys are refused (they authenticate nothing). Secrets are never printed: the key file is ' +
          'written only with --output, next to the configuration, as "authkey" with mode 600.\n\n' +
          'Without --output the configuration goes to stdout and a summary to stderr. Existing files are ' +
          'never overwritten.',
      )
      .option('--node <name>', "the node this ha.cf comes from: places the peer address of a 'ucast DEV IP' line on the other node")
      .option('--output <file>', 'write the configuration to FILE, and the key file to "authkey" in the same directory'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  heartline import heartbeat /etc/ha.d > heartline.yaml\n' +
        '      convert, then fill in the TODOs and run `heartline config check heartline.yaml`\n' +
        '  heartline import heartbeat /etc/ha.d --node alpha --output /tmp/heartline/heartline.yaml\n' +
        '      convert alpha\'s ha.cf and write heartline.yaml and authkey into /tmp/heartline\n' +
        "  heartline import heartbeat /etc/ha.d --json | jq '.notes[] | select(.outcome == \"not-converted\")'\n" +
        '      list the directives that were not converted\n',
    )
    .action(async (dir: string, options: ImportHeartbeatOptions) => {
      const haCf = await readHeartbeatFile(dir, 'ha.cf', true);
      const authkeys = await readHeartbeatFile(dir, 'authkeys', false);
      const converted = importHeartbeat({ haCf: haCf ?? '', ...(authkeys === undefined ? {} : { authkeys }), ...(options.node === undefined ? {} : { nodeName: options.node }) });
      if (!converted.ok) throw new CommandError('import-failed', `${join(dir, 'ha.cf')}: ${converted.error}`, ExitCode.usage, 'fix ha.cf (or name the right node with --node) and run the import again');
      const result = converted.value;
      const written = options.output === undefined ? undefined : await writeConverted(options.output, result);
      const todo = result.placeholders.length;
      const notConverted = result.notes.filter((note) => note.outcome === 'not-converted' || note.outcome === 'refused').length;
      const summary = `${result.nodeCount} nodes, ${result.linkCount} links; ${todo} ${todo === 1 ? 'value' : 'values'} to fill in, ${notConverted} ${notConverted === 1 ? 'item' : 'items'} not converted`;
      const json = {
        ok: true,
        dir,
        nodes: result.nodeCount,
        links: result.linkCount,
        notes: result.notes,
        placeholders: result.placeholders,
        authkey: result.authkeys === undefined ? null : { converted: result.authkeys.keyFileText !== undefined, keyIds: result.authkeys.keyIds, activeKeyId: result.authkeys.activeKeyId ?? null, written: written?.authkey ?? null },
        written: written ?? null,
        ...(written === undefined ? { yaml: result.yaml } : {}),
      };
      if (written === undefined) {
        printResult(terminal, options, json, () => result.yaml);
        if (options.json !== true) {
          terminal.err(`heartline: converted ${summary} (the notes are at the top of the output)`);
          if (result.authkeys?.keyFileText !== undefined) terminal.err('heartline: the converted key file is written only with --output: secrets are never printed');
        }
        return;
      }
      printResult(terminal, options, json, () =>
        [
          `wrote ${written.config} (${summary})`,
          ...(written.authkey === null ? [] : [`wrote ${written.authkey} (mode 600; install it as /etc/heartline/authkey on every node)`]),
          ...(result.notes.length === 0 ? [] : ['notes:', ...result.notes.map((note) => `  ${formatImportNote(note)}`)]),
          `next: fill in the TODOs in ${written.config}, then run: heartline config check ${written.config}`,
        ].join('\n'),
      );
    });
}

/** The text of DIR/NAME; undefined when it does not exist and is optional. */
async function readHeartbeatFile(dir: string, name: string, required: boolean): Promise<string | undefined> {
  const path = join(dir, name);
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new CommandError('import-not-a-directory', `${dir} is not a directory`, ExitCode.usage, "name Heartbeat's configuration directory, usually /etc/ha.d");
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof CommandError) throw error;
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    if (code === 'ENOENT' && !required) return undefined;
    if (code === 'ENOENT') throw new CommandError('import-file-missing', `${path} does not exist`, ExitCode.usage, "name Heartbeat's configuration directory, the one with ha.cf (usually /etc/ha.d)");
    if (code === 'EACCES') throw new CommandError('import-file-unreadable', `${path} cannot be read by this user`, ExitCode.usage, 'run as root: authkeys is readable by root only');
    throw new CommandError('import-file-unreadable', `${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`, ExitCode.usage);
  }
}

/**
 * Writes the configuration to `output` and the key file next to it. Checks first that neither
 * exists, so that it never overwrites a file and never leaves one written without the other.
 */
async function writeConverted(output: string, result: HeartbeatImport): Promise<WrittenFiles> {
  const keyText = result.authkeys?.keyFileText;
  const authkeyPath = keyText === undefined ? null : join(dirname(output), 'authkey');
  for (const path of [output, ...(authkeyPath === null ? [] : [authkeyPath])]) {
    if (await exists(path)) throw new CommandError('import-output-exists', `${path} already exists; the import never overwrites a file`, ExitCode.usage, 'choose another --output path, or move the existing file away');
  }
  try {
    await writeFile(output, result.yaml, { flag: 'wx', mode: 0o644 });
    if (authkeyPath !== null && keyText !== undefined) await writeFile(authkeyPath, keyText, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    throw new CommandError('import-write-failed', `cannot write the converted files: ${error instanceof Error ? error.message : String(error)}`, ExitCode.failed, `check that ${dirname(output)} exists and is writable`);
  }
  return { config: output, authkey: authkeyPath };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}
