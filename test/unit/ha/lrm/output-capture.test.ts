// Goal: the two stream helpers of the process runner: ExitReasonScanner finds the last
// `ocf-exit-reason:` line however the text is split into chunks, and BoundedOutput keeps the head
// or the tail of a stream within its limit and says when it dropped something.
import { describe, expect, it } from 'vitest';
import { BoundedOutput, EXIT_REASON_LENGTH_MAX, ExitReasonScanner } from '../../../../src/ha/lrm/index.js';

function scan(chunks: readonly string[]): string | undefined {
  const scanner = new ExitReasonScanner();
  for (const chunk of chunks) scanner.push(chunk);
  return scanner.finish();
}

describe('ExitReasonScanner', () => {
  it('keeps the last reason, across chunk boundaries, with or without a final newline', () => {
    expect(scan(['INFO: hello\nocf-exit-reason:first\n', 'ocf-exit-', 'reason:  second one \r\nmore\n'])).toBe('second one');
    expect(scan(['ocf-exit-reason:unterminated'])).toBe('unterminated');
    expect(scan(['no reason here\n', '  ocf-exit-reason:indented lines do not count\n'])).toBeUndefined();
    expect(scan(['ocf-exit-reason:\n'])).toBeUndefined();
  });

  it('cuts a very long reason and survives a very long line', () => {
    const long = 'x'.repeat(10_000);
    expect(scan([`ocf-exit-reason:${long}\n`])?.length).toBe(EXIT_REASON_LENGTH_MAX);
    expect(scan([long, long, '\nocf-exit-reason:after\n'])).toBe('after');
  });
});

describe('BoundedOutput', () => {
  const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

  it('keeps the head when told to', () => {
    const out = new BoundedOutput(5, 'head');
    out.push(bytes('abc'));
    out.push(bytes('defgh'));
    out.push(bytes('ij'));
    expect(out.text()).toBe('abcde');
    expect(out.truncated).toBe(true);
  });

  it('keeps the tail when told to', () => {
    const out = new BoundedOutput(5, 'tail');
    out.push(bytes('abc'));
    out.push(bytes('defgh'));
    out.push(bytes('ij'));
    expect(out.text()).toBe('fghij');
    expect(out.truncated).toBe(true);
  });

  it('is not truncated within its limit', () => {
    const out = new BoundedOutput(5, 'tail');
    out.push(bytes('abcde'));
    expect(out.text()).toBe('abcde');
    expect(out.truncated).toBe(false);
  });
});
