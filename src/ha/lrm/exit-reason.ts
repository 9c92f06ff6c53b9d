/**
 * The `ocf-exit-reason:` protocol: an agent explains a failure by printing `ocf-exit-reason:TEXT`
 * on standard error (ocf-shellfuncs' `ocf_exit_reason`). The scanner reads stderr as it streams,
 * so the reason is found even when the stored stderr is cut to its last part, and keeps the last
 * reason printed (as Pacemaker does). Pure.
 */
export const EXIT_REASON_PREFIX = 'ocf-exit-reason:';

/** The longest reason kept; longer ones are cut (the CIB stores it in an attribute). */
export const EXIT_REASON_LENGTH_MAX = 512;

/** Lines longer than this are cut while scanning: only their start can hold the prefix. */
const LINE_LENGTH_MAX = 4096;

export class ExitReasonScanner {
  private partial = '';
  private reason: string | undefined;

  /** Feeds decoded text in arrival order. */
  push(text: string): void {
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) break;
      this.line(this.partial + text.slice(start, newline));
      this.partial = '';
      start = newline + 1;
    }
    if (this.partial.length < LINE_LENGTH_MAX) this.partial = (this.partial + text.slice(start)).slice(0, LINE_LENGTH_MAX);
  }

  /** The last reason seen, counting an unterminated last line; undefined when there was none. */
  finish(): string | undefined {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
    return this.reason;
  }

  private line(text: string): void {
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (!line.startsWith(EXIT_REASON_PREFIX)) return;
    const reason = line.slice(EXIT_REASON_PREFIX.length).trim();
    if (reason !== '') this.reason = reason.slice(0, EXIT_REASON_LENGTH_MAX);
  }
}
