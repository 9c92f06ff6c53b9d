/**
 * The screens every action goes through: the plan (what it will do, the equivalent command, asked
 * to confirm), the result (done or refused, in words), a message while something runs, and the
 * daemon-down screen that offers to start it. Pure.
 */
import type { Screen } from '../screen-layout.js';
import type { Style } from '../terminal-style.js';
import { BACK, PRESS_ENTER, YES_NO } from './common-choices.js';

export interface ActionPlan {
  /** "Put node b in standby". */
  readonly title: string;
  /** What will happen, in sentences. */
  readonly effects: readonly string[];
  /** The heartline command that does the same, for the operator's notes. */
  readonly command?: string;
}

export function planScreen(plan: ActionPlan, style: Style): Screen {
  return {
    title: `confirm: ${plan.title}`,
    body: [...plan.effects, ...(plan.command === undefined ? [] : ['', `Same as: ${plan.command}`]), '', style.warn('Nothing has been done yet.')],
    prompt: YES_NO,
  };
}

export interface ActionResult {
  readonly title: string;
  readonly ok: boolean;
  readonly lines: readonly string[];
  readonly hint?: string;
}

export function resultScreen(result: ActionResult, style: Style): Screen {
  return {
    title: `${result.ok ? 'done' : 'failed'}: ${result.title}`,
    body: [result.ok ? style.ok('Done.') : style.bad('It did not work.'), ...result.lines, ...(result.hint === undefined ? [] : ['', `What to do: ${result.hint}`])],
    prompt: PRESS_ENTER,
  };
}

/** Shown while an action runs; no prompt is read while it is up. */
export function waitScreen(title: string, lines: readonly string[]): Screen {
  return { title, body: lines, prompt: 'Please wait...' };
}

/** Shown whenever a screen needed the daemon and it did not answer. */
export function daemonDownScreen(message: string, startCommand: string, style: Style): Screen {
  return {
    title: 'the daemon is not running',
    context: 'daemon not running',
    body: [style.bad('The heartline daemon does not answer on this node.'), message, '', `Starting it runs: ${startCommand}`],
    choices: [{ key: '1', label: 'Start the daemon now' }, BACK],
  };
}

/** A screen with text and only a way back (an error that is not an action's, an empty list). */
export function messageScreen(title: string, lines: readonly string[], context?: string): Screen {
  return { title, ...(context === undefined ? {} : { context }), body: lines, prompt: PRESS_ENTER };
}
