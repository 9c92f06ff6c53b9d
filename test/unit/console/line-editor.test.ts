// Goal: the console's line input works as a serial terminal sends it: ^H and DEL both erase, CR,
// LF and CR LF each end one line, escape sequences (arrow keys) and non-ASCII bytes are dropped,
// ^C/^D cancel, and the echo is plain ASCII with CR LF.
// Method: feed byte strings, split at every position too (bytes arrive in any chunks).
import { describe, expect, it } from 'vitest';
import { LineEditor, LINE_LENGTH_MAX, type LineInput } from '../../../src/console/index.js';

function feedAll(chunks: readonly string[]): { echo: string; inputs: LineInput[] } {
  const editor = new LineEditor();
  let echo = '';
  const inputs: LineInput[] = [];
  for (const chunk of chunks) {
    const result = editor.feed(chunk);
    echo += result.echo;
    inputs.push(...result.inputs);
  }
  return { echo, inputs };
}

const line = (text: string): LineInput => ({ kind: 'line', text });

describe('LineEditor', () => {
  it.each([
    ['CR', '12\r', [line('12')]],
    ['LF', '12\n', [line('12')]],
    ['CR LF is one line', '12\r\n3\r\n', [line('12'), line('3')]],
    ['LF LF is two lines', '1\n\n', [line('1'), line('')]],
    ['^H erases', '13\b2\r', [line('12')]],
    ['DEL erases', '13\u007f2\r', [line('12')]],
    ['erase on an empty line does nothing', '\b\u007f5\r', [line('5')]],
    ['^U erases the line', 'abc\u0015yes\r', [line('yes')]],
    ['arrow keys (CSI and SS3) are dropped', '\u001b[A1\u001bOB0\u001b[1;5C\r', [line('10')]],
    ['non-ASCII is dropped', '5\u00e9\u00ff\r', [line('5')]],
    ['spaces around are trimmed', '  b  \r', [line('b')]],
    ['^C cancels', 'abc\u0003', [{ kind: 'cancel' }]],
    ['^D cancels', '\u0004', [{ kind: 'cancel' }]],
  ] as const)('%s', (_name, input, expected) => {
    expect(feedAll([input]).inputs).toEqual(expected);
    // The same bytes one at a time give the same lines.
    expect(feedAll([...input]).inputs).toEqual(expected);
  });

  it('echoes printable characters, erases with backspace-space-backspace and ends lines with CR LF', () => {
    expect(feedAll(['ab\u007f\r']).echo).toBe('ab\b \b\r\n');
    expect(feedAll(['\r\n']).echo).toBe('\r\n');
  });

  it('masks the echo when asked, not the line', () => {
    const editor = new LineEditor();
    editor.masked = true;
    const result = editor.feed('1 sha256 ab\r');
    expect(result.echo).toBe('***********\r\n');
    expect(result.inputs).toEqual([line('1 sha256 ab')]);
  });

  it('keeps at most LINE_LENGTH_MAX characters', () => {
    const { inputs } = feedAll(['x'.repeat(LINE_LENGTH_MAX + 50), '\r']);
    expect(inputs).toEqual([line('x'.repeat(LINE_LENGTH_MAX))]);
  });
});
