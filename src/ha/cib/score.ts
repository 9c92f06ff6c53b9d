/**
 * Scores: Pacemaker's integers with saturating infinities. A score is an integer in
 * [-SCORE_INFINITY, SCORE_INFINITY]; the two ends mean -INFINITY and INFINITY. Every score the CIB
 * model holds is already clamped to that range, as Pacemaker's char2score clamps on input.
 */

/** Pacemaker's INFINITY (CRM_SCORE_INFINITY): the largest score, and what "INFINITY" parses to. */
export const SCORE_INFINITY = 1_000_000;

/** A Pacemaker score: an integer clamped to [-SCORE_INFINITY, SCORE_INFINITY]. */
export type Score = number;

/**
 * Parses a score as Pacemaker 2.1 writes and reads it: `INFINITY`, `+INFINITY`, `-INFINITY` (any
 * letter case) or a decimal integer with an optional sign; surrounding blanks are ignored. Values
 * beyond the infinities are clamped to them. Returns undefined for anything else (including the
 * node-health colours red/yellow/green, which this model does not support).
 */
export function parseScore(text: string): Score | undefined {
  const t = text.trim();
  const upper = t.toUpperCase();
  if (upper === 'INFINITY' || upper === '+INFINITY') return SCORE_INFINITY;
  if (upper === '-INFINITY') return -SCORE_INFINITY;
  if (!/^[+-]?\d+$/.test(t)) return undefined;
  return clampScore(Number(t));
}

/** Clamps any number to the score range and drops a fraction (towards zero), as Pacemaker does. */
export function clampScore(value: number): Score {
  if (Number.isNaN(value)) return 0;
  if (value >= SCORE_INFINITY) return SCORE_INFINITY;
  if (value <= -SCORE_INFINITY) return -SCORE_INFINITY;
  return Math.trunc(value) + 0; // `+ 0` turns -0 into 0, so that formatting never prints "-0"
}

/** The canonical text of a score: `INFINITY`, `-INFINITY` or a decimal integer. */
export function formatScore(score: Score): string {
  if (score >= SCORE_INFINITY) return 'INFINITY';
  if (score <= -SCORE_INFINITY) return '-INFINITY';
  return String(score);
}

/**
 * Adds two scores with Pacemaker's rules (pcmk__add_scores): -INFINITY absorbs everything
 * (even +INFINITY), then +INFINITY absorbs everything else, then the sum saturates.
 */
export function addScores(a: Score, b: Score): Score {
  if (a <= -SCORE_INFINITY || b <= -SCORE_INFINITY) return -SCORE_INFINITY;
  if (a >= SCORE_INFINITY || b >= SCORE_INFINITY) return SCORE_INFINITY;
  return clampScore(a + b);
}
