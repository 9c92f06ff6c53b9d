/** The choices many screens share. */
import type { Choice } from '../screen-layout.js';

export const BACK: Choice = { key: '0', label: 'Back to the main menu' };
export const PRESS_ENTER = 'Press Enter: ';
export const YES_NO = 'Do it? (yes/no): ';

/** Whether an answer to YES_NO is a yes. */
export function isYes(answer: string): boolean {
  return /^(y|yes)$/i.test(answer.trim());
}
