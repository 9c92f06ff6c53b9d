/**
 * A numbered list to pick from (nodes, resources, failures, profiles): items are numbered from 1
 * in the body, so a long list pages like any body; 0 goes back. Pure.
 */
import type { Choice, Screen } from '../screen-layout.js';
import { BACK } from './common-choices.js';

export interface ListScreenInput {
  readonly title: string;
  readonly context?: string;
  /** Lines above the list. */
  readonly intro?: readonly string[];
  readonly items: readonly string[];
  /** Shown instead of the list when it is empty. */
  readonly empty: string;
  /** Choices besides the numbers (before "0 Back"). */
  readonly extra?: readonly Choice[];
  readonly notice?: string;
  readonly back?: Choice;
}

export function listScreen(input: ListScreenInput): Screen {
  const width = String(input.items.length).length;
  return {
    title: input.title,
    ...(input.context === undefined ? {} : { context: input.context }),
    body: [...(input.intro ?? []), ...(input.items.length === 0 ? [input.empty] : input.items.map((item, index) => `${String(index + 1).padStart(width + 2)}  ${item}`))],
    choices: [...(input.extra ?? []), input.back ?? BACK],
    ...(input.notice === undefined ? {} : { notice: input.notice }),
    prompt: input.items.length === 0 ? 'Choice: ' : `Number (1-${input.items.length}) or choice: `,
  };
}

/** The item index (0-based) an answer names, or undefined. */
export function pickedIndex(answer: string, count: number): number | undefined {
  if (!/^\d+$/.test(answer.trim())) return undefined;
  const n = Number(answer.trim());
  return n >= 1 && n <= count ? n - 1 : undefined;
}
