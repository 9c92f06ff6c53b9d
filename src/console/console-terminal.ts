/**
 * The console's terminal: a serial device opened by path (`--device /dev/ttyS0`), or the process's
 * stdin and stdout (what systemd's StandardInput=tty gives heartline-console@.service). A tty is
 * put in raw mode and read through `LineEditor`; every line sent ends with CR LF, since raw mode
 * also stops the kernel from turning LF into CR LF. A screen is drawn whole: cleared first when the
 * terminal understands it, its rows, and the prompt left on the last row for the answer.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { isatty, ReadStream, WriteStream } from 'node:tty';
import { err, ok, type Result } from '../lib/index.js';
import { LineEditor, type LineInput } from './line-editor.js';

const CLEAR = '\u001b[H\u001b[2J';

/** What a read gives: a line, a cancel (^C, ^D), or the line hung up (the input ended). */
export type TerminalInput = LineInput | { readonly kind: 'hangup' };

export class ConsoleTerminal {
  private readonly editor = new LineEditor();
  private readonly queued: LineInput[] = [];
  private waiting: ((input: TerminalInput) => void) | undefined;
  private ended = false;

  private constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
    private readonly clearScreen: boolean,
    private readonly release: () => void,
  ) {
    input.setEncoding?.('latin1');
    input.on('data', (chunk: string | Buffer) => this.receive(typeof chunk === 'string' ? chunk : chunk.toString('latin1')));
    const end = (): void => {
      this.ended = true;
      this.waiting?.({ kind: 'hangup' });
      this.waiting = undefined;
    };
    input.once('end', end);
    input.once('close', end);
    // EIO when the other end of a pty goes away: a hangup, not a crash.
    input.on('error', end);
    output.on('error', end);
  }

  /** The terminal on `device`, or on stdin/stdout without one. A device that is not a terminal is refused. */
  static async open(device: string | undefined, clearScreen: boolean): Promise<Result<ConsoleTerminal, string>> {
    if (device === undefined) {
      const stdin = process.stdin;
      if (stdin.isTTY) stdin.setRawMode(true);
      stdin.resume();
      return ok(new ConsoleTerminal(stdin, process.stdout, clearScreen, () => {
        if (stdin.isTTY) stdin.setRawMode(false);
        stdin.pause();
      }));
    }
    let handle: FileHandle;
    try {
      handle = await open(device, constants.O_RDWR | constants.O_NOCTTY);
    } catch (error) {
      return err(`cannot open ${device}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!isatty(handle.fd)) {
      await handle.close();
      return err(`${device} is not a terminal (a serial port or pty)`);
    }
    const input = new ReadStream(handle.fd);
    input.setRawMode(true);
    const output = new WriteStream(handle.fd);
    return ok(new ConsoleTerminal(input, output, clearScreen, () => {
      input.setRawMode(false);
      input.destroy();
      output.destroy();
    }));
  }

  /** Draws one page: its rows, the last one (the prompt) without a line end. */
  draw(rows: readonly string[]): void {
    if (this.ended) return;
    const prompt = rows.at(-1) ?? '';
    const text = rows.slice(0, -1).join('\r\n');
    this.output.write(`${this.clearScreen ? CLEAR : '\r\n\r\n'}${text}\r\n${prompt}`);
  }

  /** The next line the operator finished (typed ahead lines first). */
  read(options: { readonly masked?: boolean } = {}): Promise<TerminalInput> {
    this.editor.masked = options.masked === true;
    const next = this.queued.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.ended) return Promise.resolve({ kind: 'hangup' });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  close(): void {
    this.ended = true;
    this.release();
  }

  private receive(chunk: string): void {
    const { echo, inputs } = this.editor.feed(chunk);
    if (echo !== '') this.output.write(echo);
    this.queued.push(...inputs);
    const waiting = this.waiting;
    const next = waiting === undefined ? undefined : this.queued.shift();
    if (waiting !== undefined && next !== undefined) {
      this.waiting = undefined;
      waiting(next);
    }
  }
}
