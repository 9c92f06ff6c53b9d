/**
 * The console's line input, decoded from the raw bytes of a serial terminal. Node's readline is
 * not used for this: in terminal mode it redraws the line with CSI n G (cursor to column), which
 * a VT100 does not have, and without terminal mode it leaves editing to the kernel's line
 * discipline, which knows one erase character while terminals send either ^H or DEL. So the tty
 * is put in raw mode and this small editor does what a dumb terminal needs: printable ASCII is
 * echoed, ^H and DEL erase one character ("\b \b"), ^U the line, CR, LF or CR LF end it (echoed
 * as CR LF), ^C and ^D cancel it; arrow keys and other escape sequences (ESC [ ... or ESC O x)
 * and any byte outside ASCII are dropped. Pure: `feed` returns what to echo and the lines done.
 */
export const LINE_LENGTH_MAX = 200;

/** A finished line, or the operator's ^C / ^D. */
export type LineInput = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'cancel' };

export interface FeedResult {
  /** Bytes to send back to the terminal. */
  readonly echo: string;
  readonly inputs: readonly LineInput[];
}

export class LineEditor {
  private buffer = '';
  private afterCr = false;
  private escape: 'none' | 'esc' | 'sequence' = 'none';
  /** Echo '*' instead of the characters (a pasted key). */
  masked = false;

  feed(chunk: string): FeedResult {
    let echo = '';
    const inputs: LineInput[] = [];
    for (const char of chunk) {
      const code = char.codePointAt(0) ?? 0;
      const afterCr = this.afterCr;
      this.afterCr = false;
      if (this.escape === 'esc') {
        // ESC [ and ESC O start a sequence; ESC and any other byte are dropped together.
        this.escape = char === '[' || char === 'O' ? 'sequence' : 'none';
        continue;
      }
      if (this.escape === 'sequence') {
        // Parameters and intermediates until a final byte (0x40..0x7e) ends it.
        if (code >= 0x40 && code <= 0x7e) this.escape = 'none';
        continue;
      }
      if (char === '\u001b') {
        this.escape = 'esc';
      } else if (char === '\r' || char === '\n') {
        if (char === '\n' && afterCr) continue;
        this.afterCr = char === '\r';
        echo += '\r\n';
        inputs.push({ kind: 'line', text: this.buffer.trim() });
        this.buffer = '';
      } else if (char === '\b' || char === '\u007f') {
        if (this.buffer.length > 0) {
          this.buffer = this.buffer.slice(0, -1);
          echo += '\b \b';
        }
      } else if (char === '\u0015') {
        echo += '\b \b'.repeat(this.buffer.length);
        this.buffer = '';
      } else if (char === '\u0003' || char === '\u0004') {
        echo += `^${char === '\u0003' ? 'C' : 'D'}\r\n`;
        inputs.push({ kind: 'cancel' });
        this.buffer = '';
      } else if (code >= 0x20 && code < 0x7f && this.buffer.length < LINE_LENGTH_MAX) {
        this.buffer += char;
        echo += this.masked ? '*' : char;
      }
    }
    return { echo, inputs };
  }
}
