/**
 * Running the system tools the testbed drives (ip, iptables, readlink): one call, its output, and
 * on failure an error that shows the whole command line and what it printed on stderr, so that a
 * failed setup step explains itself (in a test report, or in `heartline bench detect`'s error).
 */
import { execFile, execFileSync } from 'node:child_process';

/**
 * Runs `file args` to completion and resolves with its stdout; rejects with the command line, exit
 * status and stderr. `input`, when given, is written to its stdin (which is then closed).
 */
export function runCommand(file: string, args: readonly string[], options: { readonly timeoutMs?: number; readonly input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, [...args], { encoding: 'utf8', timeout: options.timeoutMs ?? 30_000 }, (error, stdout, stderr) => {
      if (error === null) {
        resolve(stdout);
        return;
      }
      const status = error.code ?? error.signal ?? 'unknown';
      reject(new Error(`\`${[file, ...args].join(' ')}\` failed (${String(status)}): ${stderr.trim() || error.message}`, { cause: error }));
    });
    // A command that exits before reading its input makes the write fail with EPIPE; its exit status says why.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input);
  });
}

/** The synchronous form, for process-exit cleanup only (nothing asynchronous runs there). Never throws: returns the error text or undefined. */
export function runCommandSync(file: string, args: readonly string[]): string | undefined {
  try {
    execFileSync(file, [...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
