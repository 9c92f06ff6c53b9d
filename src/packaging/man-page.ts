/**
 * heartline(8), generated from the commander tree the CLI builds (`buildProgram`), so that the
 * manual lists exactly the commands, arguments and options the installed binary has. Every
 * command gets a section with its usage, its full description, its arguments and its options
 * (with defaults); the fixed sections (exit status, environment, files) describe what the
 * Debian package installs. The output is roff for the man(7) macros; every piece of text goes
 * through `roffText`, so that no command description can inject a request.
 */
import type { Command } from 'commander';

export interface ManPageMeta {
  /** The package version, e.g. 0.1.0. */
  readonly version: string;
  /** The date printed in the page footer, YYYY-MM-DD (the build's SOURCE_DATE_EPOCH or commit date, so builds repeat). */
  readonly date: string;
}

/**
 * Text as roff: backslashes escaped, hyphens as `\-` (so that options copied from the page are
 * ASCII hyphen-minus), and a line that would start with `.` or `'` (a roff request) guarded
 * with `\&`. Blank lines become paragraph breaks.
 */
export function roffText(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (line.trim() === '' ? '.PP' : /^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

/** A quoted macro argument (for .SS, .TP labels): text with `"` doubled as roff wants it. */
function macroArgument(text: string): string {
  return `"${roffText(text).replace(/"/g, '""')}"`;
}

function fullName(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Commands depth first, in the order the help lists them. */
function commandsOf(command: Command): Command[] {
  return command.commands.flatMap((sub) => [sub, ...commandsOf(sub)]);
}

function optionEntries(command: Command): string[] {
  const lines: string[] = [];
  for (const option of command.options) {
    if (option.hidden) continue;
    const defaultValue: unknown = option.defaultValue;
    const shownDefault =
      defaultValue === undefined || defaultValue === false || (Array.isArray(defaultValue) && defaultValue.length === 0) ? '' : ` (default: ${JSON.stringify(defaultValue)})`;
    lines.push('.TP', `.B ${roffText(option.flags)}`, roffText(`${option.description}${shownDefault}`));
  }
  return lines;
}

function argumentEntries(command: Command): string[] {
  const lines: string[] = [];
  for (const argument of command.registeredArguments) {
    if (argument.description === '') continue;
    lines.push('.TP', `.I ${roffText(argument.name())}${argument.variadic ? '...' : ''}`, roffText(argument.description));
  }
  return lines;
}

function commandSection(command: Command): string[] {
  const lines = [`.SS ${macroArgument(`${fullName(command)} ${command.usage()}`.trim())}`];
  lines.push(roffText(command.description() || command.summary()));
  const args = argumentEntries(command);
  if (args.length > 0) lines.push('.PP', 'Arguments:', '.RS', ...args, '.RE');
  const options = optionEntries(command);
  if (options.length > 0) lines.push('.PP', 'Options:', '.RS', ...options, '.RE');
  return lines;
}

const FIXED_SECTIONS = `.SH EXIT STATUS
.TP
.B 0
success
.TP
.B 1
the operation failed or the cluster refused it
.TP
.B 2
bad usage or input (nothing was sent)
.TP
.B 3
the daemon could not be reached
.TP
.B 6
(daemon) this node is not configured: no heartline.yaml, or still the package's template;
systemd does not restart it until \\fBheartline console\\fR (first\\-boot setup) or
\\fBheartline profile apply\\fR has written the file
.TP
.B 100
(daemon) this node learned that it was fenced; systemd does not restart it
.SH ENVIRONMENT
.TP
.B HEARTLINE_SOCKET
the daemon's control socket (default
.IR /run/heartline/heartline.sock )
.TP
.B HEARTLINE_CONFIG
the configuration file (default
.IR /etc/heartline/heartline.yaml )
.TP
.B HEARTLINE_NODE
the Node.js executable the
.B heartline
wrapper runs (default: \\fBnode\\fR on PATH)
.TP
.B HEARTLINE_DAEMON_OPTIONS
extra options for \\fBheartline daemon\\fR in heartline.service, read from
.I /etc/default/heartline
.SH FILES
.TP
.I /etc/heartline/heartline.yaml
the cluster configuration, identical on every node; see
.BR heartline.yaml (5)
.TP
.I /etc/heartline/authkey
the key that authenticates heartbeat frames (mode 600)
.TP
.I /var/lib/heartline
the node's CIB (cib.sqlite), incarnation and fence history
.TP
.I /run/heartline/heartline.sock
the control socket the commands talk to
.TP
.I /lib/systemd/system/heartline.service
the daemon's unit;
.I heartline\\-console@.service
runs the console menu on a serial line
.TP
.I /usr/share/snmp/mibs/HEARTLINE\\-MIB.txt
the SNMP MIB
.TP
.I /usr/lib/heartline
the application (JavaScript, hardware profiles, resource agents, Node.js modules)
.SH SEE ALSO
.BR heartline.yaml (5),
.BR systemctl (1),
.BR journalctl (1),
.BR snmpwalk (1)
.PP
The documentation in
.IR /usr/share/doc/heartline .
`;

/** heartline(8) as roff. `program` is the whole tree (`buildProgram()` without `only`). */
export function heartlineManPage(program: Command, meta: ManPageMeta): string {
  const summary = program.description().split('\n')[0] ?? '';
  const lines = [
    `.TH HEARTLINE 8 "${meta.date}" "heartline ${roffText(meta.version)}" "Heartline"`,
    '.SH NAME',
    'heartline \\- high\\-availability cluster stack for two\\-node and small clusters',
    '.SH SYNOPSIS',
    '.B heartline',
    '.I command',
    '.RI [ options ]',
    '.br',
    '.B heartline help',
    '.I command',
    '.SH DESCRIPTION',
    roffText(summary),
    '.PP',
    roffText(program.description().split('\n').slice(1).join('\n').trim()),
    '.PP',
    roffText('Every command that prints data takes --json and then prints exactly one JSON document on stdout. Errors go to stderr as "heartline: error: ..." with a "hint:" line where there is a fix. `heartline help COMMAND` shows a command\'s help with examples.'),
    '.SH COMMANDS',
    ...commandsOf(program).flatMap(commandSection),
    FIXED_SECTIONS.trimEnd(),
  ];
  return `${lines.join('\n')}\n`;
}
