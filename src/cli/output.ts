import type { Command } from 'commander';

/**
 * The CLI's output conventions, shared by every command:
 * - human-readable text on stdout by default; with `--json`, exactly one JSON document on stdout
 *   (never mixed with text), so scripts can pipe it to `jq`;
 * - errors on stderr as `heartline: error: <what went wrong>` followed, where there is one, by a
 *   line saying how to fix it; with `--json` the error is also the JSON document
 *   `{ "ok": false, "error": { "code", "message", "hint" } }` on stdout;
 * - exit codes: 0 success, 1 the operation failed, 2 bad usage or bad input, 3 the daemon could not
 *   be reached.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  /** `heartline daemon` only: no heartline.yaml, or the package's template (src/daemon/not-configured.ts). */
  notConfigured: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An expected failure of a command, with a message a person can act on. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode = ExitCode.failed,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export interface JsonOption {
  readonly json?: boolean;
}

/** Adds the standard `--json` option to a command. */
export function withJsonOption(command: Command): Command {
  return command.option('--json', 'print one JSON document on stdout instead of text');
}

/** Where a command writes; injected so that tests can run commands in-process and read the output. */
export interface Terminal {
  out(text: string): void;
  err(text: string): void;
}

export const processTerminal: Terminal = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Prints a command's result: `json` when --json was given, else the text lines. */
export function printResult(terminal: Terminal, options: JsonOption, json: unknown, text: () => string): void {
  terminal.out(options.json === true ? JSON.stringify(json, null, 2) : text());
}

/** Prints an error the way every command does and returns the exit code to use. */
export function printError(terminal: Terminal, options: JsonOption, error: unknown): ExitCode {
  const failure =
    error instanceof CommandError
      ? error
      : new CommandError('internal', error instanceof Error ? error.message : String(error), ExitCode.failed, 'this is a bug in heartline: please report it with the command you ran');
  terminal.err(`heartline: error: ${failure.message}`);
  if (failure.hint !== undefined) terminal.err(`heartline: hint: ${failure.hint}`);
  if (options.json === true) {
    terminal.out(JSON.stringify({ ok: false, error: { code: failure.code, message: failure.message, ...(failure.hint === undefined ? {} : { hint: failure.hint }) } }, null, 2));
  }
  return failure.exitCode;
}
