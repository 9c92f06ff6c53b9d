/**
 * Starting the daemon from the console: by default `systemctl start heartline.service`, which
 * returns once the daemon has joined the cluster (Type=notify). The command is configurable
 * (`heartline console --start-command`, or HEARTLINE_CONSOLE_START_COMMAND) so that a test, or a
 * machine without systemd, starts it its own way. It is split into words and run without a
 * shell. Then the console waits until the control socket answers.
 */
import { execFile } from 'node:child_process';

export const DEFAULT_START_COMMAND = 'systemctl start heartline.service';

/** How the start command ended: its exit code (null when it could not run) and what it printed. */
export interface StartOutcome {
  readonly ok: boolean;
  readonly detail: string;
}

/** Runs `command` (split at spaces) with a time limit; never rejects. */
export function runStartCommand(command: string, timeoutMs: number): Promise<StartOutcome> {
  const [program, ...args] = command.trim().split(/\s+/);
  if (program === undefined || program === '') return Promise.resolve({ ok: false, detail: 'no start command is configured' });
  return new Promise((resolve) => {
    execFile(program, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim().split('\n').slice(-4).join(' / ');
      if (error === null) {
        resolve({ ok: true, detail: output === '' ? `${command}: done` : `${command}: ${output}` });
        return;
      }
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? `${program} is not installed` : error.killed ? `it did not finish within ${Math.round(timeoutMs / 1000)} s` : `it exited with code ${String(code)}`;
      resolve({ ok: false, detail: `${command} failed: ${why}${output === '' ? '' : `: ${output}`}` });
    });
  });
}
