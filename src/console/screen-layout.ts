/**
 * A console screen and how it is laid out on a VT100: 80 columns by 24 rows, nothing more (a
 * serial line reports no size and sends no SIGWINCH). A `Screen` is data (title, body lines, the
 * choices, a notice, the prompt); `layoutScreen` turns it into pages of at most 24 rows of at most
 * 80 columns: long lines are wrapped at spaces (continuations indented), and a body too long for
 * one page is split, each page saying so; Enter shows the next one (after the last, the first). The prompt is the last row,
 * where the operator types. Pure: the driver only prints the pages.
 */
export const SCREEN_COLUMNS = 80;
export const SCREEN_ROWS = 24;
/** A notice longer than this is cut: the body is the place for long texts. */
const NOTICE_ROWS_MAX = 3;
/** More choices than this are drawn in two columns. */
const CHOICE_ROWS_MAX = 12;

export interface Choice {
  /** What the operator types: a number, or a letter. */
  readonly key: string;
  readonly label: string;
}

export interface Screen {
  /** The first row, after "Heartline: ". */
  readonly title: string;
  /** The second row: cluster, node, daemon state (optional). */
  readonly context?: string;
  readonly body: readonly string[];
  readonly choices?: readonly Choice[];
  /** A line above the prompt: the result of the last input ("'x' is not a choice"), a hint. */
  readonly notice?: string;
  /** What the operator is asked; default "Choice: ". */
  readonly prompt?: string;
}

// eslint-disable-next-line no-control-regex -- the escapes of the colour style
const ESCAPES = /\u001b\[[0-9;]*m/g;

/** `text` without its colour escapes: what the operator reads. */
export function plainText(text: string): string {
  return text.replace(ESCAPES, '');
}

/** The columns `text` takes on the terminal (colour escapes take none). */
export function visibleWidth(text: string): number {
  return plainText(text).length;
}

/**
 * `text` as rows of at most `width` columns: broken at spaces, a continuation indented by the
 * line's own indentation plus two; a word longer than a row is cut. Tabs become two spaces.
 */
export function wrapLine(text: string, width: number = SCREEN_COLUMNS): string[] {
  const line = text.replace(/\t/g, '  ').trimEnd();
  if (visibleWidth(line) <= width) return [line];
  const indent = ' '.repeat(Math.min((/^ */.exec(line)?.[0].length ?? 0) + 2, Math.floor(width / 2)));
  const rows: string[] = [];
  let current = '';
  let prefix = line.slice(0, line.length - line.trimStart().length);
  for (let word of line.trimStart().split(/ +/)) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (visibleWidth(prefix + candidate) <= width) {
      current = candidate;
      continue;
    }
    if (current !== '') {
      rows.push(prefix + current);
      prefix = indent;
    }
    // A word longer than a whole row is cut (escapes are never inside such a word's cut).
    while (visibleWidth(prefix + word) > width) {
      const room = width - prefix.length;
      rows.push(prefix + word.slice(0, room));
      word = word.slice(room);
      prefix = indent;
    }
    current = word;
  }
  if (current !== '') rows.push(prefix + current);
  return rows;
}

/** Rows taken by everything but the body: title, context, a blank row before the choices, ... */
function frameRows(screen: Screen, choiceRows: readonly string[]): string[][] {
  const top = [`Heartline: ${screen.title}`, ...(screen.context === undefined ? [] : [screen.context]), '-'.repeat(SCREEN_COLUMNS - 1)].flatMap((l) => wrapLine(l));
  const bottom = [
    ...(choiceRows.length > 0 ? ['', ...choiceRows] : []),
    ...(screen.notice === undefined ? [] : wrapLine(screen.notice).slice(0, NOTICE_ROWS_MAX)),
  ];
  return [top, bottom];
}

/** The choices as rows: two columns when they would not fit one below the other. */
function choiceRows(choices: readonly Choice[], room: number): string[] {
  const rows = choices.map((c) => `${c.key.padStart(3)}  ${c.label}`.slice(0, SCREEN_COLUMNS));
  if (rows.length <= room) return rows;
  const half = Math.ceil(rows.length / 2);
  const column = SCREEN_COLUMNS / 2;
  return rows.slice(0, half).map((left, i) => `${left.slice(0, column - 1).padEnd(column)}${(rows[half + i] ?? '').slice(0, column - 1)}`.trimEnd());
}

/**
 * The screen as pages, each a list of rows ending with the prompt row; at most SCREEN_ROWS rows of
 * at most SCREEN_COLUMNS columns each. Never empty.
 */
export function layoutScreen(screen: Screen): string[][] {
  const prompt = (screen.prompt ?? 'Choice: ').slice(0, SCREEN_COLUMNS - 20);
  const body = screen.body.flatMap((line) => wrapLine(line));
  // Choices in one column when they fit, else in two, which may spare the body a second page.
  let choices = choiceRows(screen.choices ?? [], CHOICE_ROWS_MAX);
  let [top, bottom] = frameRows(screen, choices) as [string[], string[]];
  let room = SCREEN_ROWS - 1 - top.length - bottom.length;
  if (body.length > room && choices.length > 1) {
    choices = choiceRows(screen.choices ?? [], 1);
    [top, bottom] = frameRows(screen, choices) as [string[], string[]];
    room = SCREEN_ROWS - 1 - top.length - bottom.length;
  }
  if (body.length <= room) return [[...top, ...body, ...bottom, prompt]];
  const pageRoom = Math.max(1, room - 1);
  const pages: string[][] = [];
  const count = Math.ceil(body.length / pageRoom);
  for (let index = 0; index < count; index++) {
    const slice = body.slice(index * pageRoom, (index + 1) * pageRoom);
    pages.push([...top, ...slice, `(page ${index + 1} of ${count}; Enter shows the ${index + 1 === count ? 'first' : 'next'} page)`, ...bottom, prompt]);
  }
  return pages;
}
