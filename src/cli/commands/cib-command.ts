/**
 * What every command that changes the CIB shares: the --json and --socket options, and one way to
 * send a change and report it (text: "WHAT: done (CIB version A.E.N)"; --json: ok, version and the
 * change sent). A refusal is the daemon's message, exit code 1; nothing was changed.
 */
import type { Command } from 'commander';
import type { CibChange } from '../../ha/cib/index.js';
import { printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';
import { submitChangeWithWarnings } from './cib-client.js';
import { socketOptionDefault } from './daemon-client.js';

export interface DaemonOptions extends JsonOption {
  readonly socket: string;
}

/** Adds --json and --socket to a command that talks to the daemon. */
export function withDaemonOptions(command: Command): Command {
  return withJsonOption(command).option('-s, --socket <path>', 'the daemon control socket (or HEARTLINE_SOCKET)', socketOptionDefault);
}

/** Collects a repeatable option's values in order. */
export function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Sends `change` and prints the outcome; `what` is both the text shown and the history's description.
 * With agentCheck 'warn', the agent check's problems on the daemon's node are printed as warnings
 * (and listed in the JSON) instead of refusing the change.
 */
export async function applyChange(terminal: Terminal, options: DaemonOptions, what: string, change: CibChange, agentCheck: 'refuse' | 'warn' = 'refuse'): Promise<void> {
  const { version, warnings } = await submitChangeWithWarnings(options.socket, change, what, agentCheck);
  for (const warning of warnings) terminal.err(`heartline: warning: ${warning}`);
  printResult(terminal, options, { ok: true, version, description: what, change, ...(warnings.length > 0 ? { warnings } : {}) }, () => `${what}: done (CIB version ${version})`);
}

/** The help text's closing lines about output and exit codes, shared by the CIB commands. */
export const CHANGE_EXIT_CODES =
  '\nA change is applied whole or not at all: when the cluster refuses it, the message names the field and ' +
  'the reason, the CIB is unchanged and the exit code is 1. Exit codes: 0 done, 1 refused or failed, 2 bad ' +
  'usage (nothing was sent), 3 daemon unreachable.\n';
