/**
 * SerialConsole: `heartline console` on one end of a serial null-modem cable (a socat pty pair),
 * and a VT100 terminal of 80x24 on the other: tmux on a private server socket (`-L`), running
 * socat between its pane and the cable's far end. Tests type into tmux (send-keys) and read what
 * the terminal shows (capture-pane), exactly as an operator on the serial line would.
 *
 * Contract: unique names (the tmux socket carries the pid and random hex); the console runs under
 * setpriv --pdeathsig and is stopped by its PID; `destroy()` ends the tmux server of this socket
 * only (kill-server on our -L socket), the console, then the cable, also after a failure. Every
 * screen read is kept (`screens`), so a test can check that none exceeded 80x24.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { BackgroundProcess } from '../../../src/testbed/background-process.js';
import { PtyPair } from '../../../src/testbed/pty-pair.js';
import { eventually } from './eventually.js';
import { builtCli } from './fixture-program.js';

const run = promisify(execFile);

export const TERMINAL_COLUMNS = 80;
export const TERMINAL_ROWS = 24;

export class SerialConsole {
  /** Every screen captured, in order: the rows tmux showed. */
  readonly screens: string[][] = [];

  private constructor(
    private readonly pty: PtyPair,
    private readonly console: BackgroundProcess,
    private readonly socket: string,
  ) {}

  /** Starts the cable, the console on its end A (with `args` after `heartline console`) and the terminal on end B. */
  static async start(args: readonly string[]): Promise<SerialConsole> {
    const pty = await PtyPair.start();
    let consoleProcess: BackgroundProcess | undefined;
    const socket = `hlconsole-${process.pid.toString(36)}-${randomBytes(3).toString('hex')}`;
    try {
      consoleProcess = await BackgroundProcess.start({
        name: 'heartline console',
        argv: [process.execPath, builtCli, 'console', '--device', pty.pathA, ...args],
        env: { ...process.env, TERM: 'vt100', NO_COLOR: '1' },
      });
      await run('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'serial', '-x', String(TERMINAL_COLUMNS), '-y', String(TERMINAL_ROWS), `env TERM=vt100 NO_COLOR=1 socat -,raw,echo=0 ${pty.pathB},raw,echo=0`]);
      return new SerialConsole(pty, consoleProcess, socket);
    } catch (error) {
      await run('tmux', ['-L', socket, 'kill-server']).catch(() => undefined);
      await consoleProcess?.stop('SIGKILL');
      await pty.destroy();
      throw error;
    }
  }

  /** The terminal's rows now (trailing blanks removed from each). */
  async screen(): Promise<string[]> {
    const { stdout } = await run('tmux', ['-L', this.socket, 'capture-pane', '-p', '-t', 'serial']);
    const rows = stdout.replace(/\n$/, '').split('\n').map((row) => row.trimEnd());
    this.screens.push(rows);
    return rows;
  }

  /** Types `text` and Enter (tmux sends CR, as a terminal's Return key does). */
  async enter(text = ''): Promise<void> {
    if (text !== '') await run('tmux', ['-L', this.socket, 'send-keys', '-t', 'serial', '-l', text]);
    await run('tmux', ['-L', this.socket, 'send-keys', '-t', 'serial', 'Enter']);
  }

  /** Waits until the screen shows `pattern` and returns its rows. */
  waitFor(pattern: RegExp, options: { readonly timeoutMs?: number } = {}): Promise<string[]> {
    let last: string[] = [];
    return eventually(
      async () => {
        last = await this.screen();
        return pattern.test(last.join('\n')) ? last : undefined;
      },
      { what: `the console shows ${String(pattern)}`, timeoutMs: options.timeoutMs ?? 15_000, intervalMs: 150, describe: () => `the screen:\n${last.join('\n')}\nconsole stderr: ${this.console.stderrTail()}` },
    );
  }

  /** Types `text`, Enter, and waits for `pattern`. */
  async choose(text: string, pattern: RegExp, options: { readonly timeoutMs?: number } = {}): Promise<string[]> {
    await this.enter(text);
    return this.waitFor(pattern, options);
  }

  /** How the console process ended, when it has (undefined while it runs). */
  exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    return Promise.race([this.console.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs))]);
  }

  async destroy(): Promise<void> {
    await run('tmux', ['-L', this.socket, 'kill-server']).catch(() => undefined);
    await this.console.stop('SIGTERM');
    await this.pty.destroy();
  }
}
