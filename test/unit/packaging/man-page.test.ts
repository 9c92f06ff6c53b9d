// heartline(8) is generated from the CLI's own command tree: every command has a section with
// its usage, arguments and options, and no text from a description can become a roff request.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';
import { heartlineManPage, roffText } from '../../../src/packaging/man-page.js';

const quiet = { out: () => undefined, err: () => undefined };

describe('roffText', () => {
  it('escapes backslashes and hyphens, and guards lines that would be requests', () => {
    expect(roffText('a\\b --json')).toBe('a\\eb \\-\\-json');
    expect(roffText('.TH evil\n\'br too\nplain')).toBe('\\&.TH evil\n\\&\'br too\nplain');
    expect(roffText('one\n\ntwo')).toBe('one\n.PP\ntwo');
  });
});

describe('heartlineManPage', () => {
  it('has a section for every command of the real CLI, with its options', async () => {
    const program = await buildProgram(quiet);
    const page = heartlineManPage(program, { version: '0.1.0', date: '2026-11-28' });
    expect(page.startsWith('.TH HEARTLINE 8 "2026-11-28" "heartline 0.1.0" "Heartline"\n')).toBe(true);
    const sections = page.split('\n').filter((line) => line.startsWith('.SS '));
    const names = (command: Command, prefix: string): string[] => command.commands.flatMap((sub) => [`${prefix}${sub.name()}`, ...names(sub, `${prefix}${sub.name()} `)]);
    const expected = names(program, 'heartline ');
    expect(expected).toContain('heartline resource create');
    expect(expected).toContain('heartline bench failover');
    expect(sections).toHaveLength(expected.length);
    for (const name of expected) expect(sections.some((line) => line.startsWith(`.SS "${name.replace(/-/g, '\\-')} `)), name).toBe(true);
    expect(page).toContain('.B \\-\\-json');
    for (const section of ['.SH NAME', '.SH SYNOPSIS', '.SH DESCRIPTION', '.SH COMMANDS', '.SH EXIT STATUS', '.SH ENVIRONMENT', '.SH FILES', '.SH SEE ALSO']) expect(page).toContain(section);
  }, 60_000); // the whole command tree loads every command module (through vitest's transform)

  it('shows defaults and never lets a description start a request', () => {
    const program = new Command('heartline').description('Summary line.\n\nMore.');
    program
      .command('trap')
      .summary('s')
      .description('.so /etc/passwd\nfine')
      .option('--socket <path>', 'the socket', '/run/heartline/heartline.sock')
      .argument('<node>', 'the node');
    const page = heartlineManPage(program, { version: '1.0.0', date: '2026-01-01' });
    expect(page.split('\n').filter((line) => line.startsWith('.so'))).toEqual([]);
    expect(page).toContain('\\&.so /etc/passwd');
    expect(page).toContain('the socket (default: "/run/heartline/heartline.sock")');
    expect(page).toContain('.I node\nthe node');
  });
});
