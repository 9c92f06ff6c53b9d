/**
 * Heartbeat's `ha.cf`, read the way Heartbeat reads it: one directive per line, its words
 * separated by blanks or commas, `#` starting a comment anywhere on a line. Directive names are
 * kept as written (Heartbeat compares them case-sensitively). Times use Heartbeat's syntax: a
 * bare number is seconds (`2`, `0.5`), `ms` and `us` suffixes are allowed.
 */

export interface HaCfDirective {
  readonly name: string;
  readonly args: readonly string[];
  /** 1-based line number in ha.cf. */
  readonly line: number;
  /** The line as written, without its comment, for notes and comments in the converted file. */
  readonly text: string;
}

/** The directives of an ha.cf text, in file order. Blank and comment-only lines are skipped. */
export function parseHaCf(text: string): HaCfDirective[] {
  const directives: HaCfDirective[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const content = (raw.split('#')[0] ?? '').trim();
    if (content === '') return;
    const [name = '', ...args] = content.split(/[\s,]+/).filter((word) => word !== '');
    directives.push({ name, args, line: index + 1, text: content.replace(/\s+/g, ' ') });
  });
  return directives;
}

const HEARTBEAT_TIME = /^(\d+(?:\.\d*)?|\.\d+)\s*(ms|msec|us|usec)?$/i;

/**
 * A Heartbeat time in milliseconds, rounded to the nearest millisecond as Heartbeat does, or
 * undefined when `text` is not one (Heartbeat refused those too).
 */
export function parseHeartbeatTime(text: string): number | undefined {
  const match = HEARTBEAT_TIME.exec(text.trim());
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase();
  const ms = unit === 'ms' || unit === 'msec' ? amount : unit === 'us' || unit === 'usec' ? amount / 1000 : amount * 1000;
  return Math.round(ms);
}
