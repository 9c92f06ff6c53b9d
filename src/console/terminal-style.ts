/**
 * What the console may send besides plain ASCII, decided once from the environment: colours only
 * when the terminal says it has them and NO_COLOR (no-color.org) is unset; clearing the screen
 * (ESC [ H ESC [ 2 J, which a VT100 understands) unless the terminal is `dumb` or unknown, where
 * screens are separated by a blank line instead. Nothing else: no cursor addressing, no line
 * redraws, no Unicode, so every screen also reads on a line-buffered serial terminal.
 */

/** Marks words of a screen. Identity functions when colours are off; widths never count escapes. */
export interface Style {
  readonly colour: boolean;
  /** Healthy: online, up, started, quorum. */
  readonly ok: (text: string) => string;
  /** Broken or dangerous: failed, down, unclean, fence. */
  readonly bad: (text: string) => string;
  /** Worth a look: standby, stopped, pending. */
  readonly warn: (text: string) => string;
}

export interface TerminalCapabilities {
  readonly style: Style;
  /** Whether a screen starts by clearing the terminal. */
  readonly clearScreen: boolean;
}

const PLAIN: Style = { colour: false, ok: (t) => t, bad: (t) => t, warn: (t) => t };

const paint = (code: number) => (text: string): string => `\u001b[${code}m${text}\u001b[0m`;
const ANSI: Style = { colour: true, ok: paint(32), bad: paint(31), warn: paint(33) };

/** Terminal types that draw ANSI colours (a VT100 and VT220 do not). */
const COLOUR_TERMINALS = /^(xterm|linux|screen|tmux|rxvt|ansi|konsole|gnome|alacritty|kitty)|color|colour/;
/** Terminal types that do not understand ESC [ 2 J. */
const NO_CLEAR_TERMINALS = /^(dumb|unknown|)$/;

export function terminalCapabilities(env: Readonly<Record<string, string | undefined>>): TerminalCapabilities {
  const term = (env['TERM'] ?? '').toLowerCase();
  const noColour = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  return { style: !noColour && COLOUR_TERMINALS.test(term) ? ANSI : PLAIN, clearScreen: !NO_CLEAR_TERMINALS.test(term) };
}

export const PLAIN_STYLE = PLAIN;
export const ANSI_STYLE = ANSI;
