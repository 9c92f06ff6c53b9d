/**
 * Reading crm_simulate's text output: the "Transition Summary" section of a `NAME.summary` file,
 * and the normalisation used to compare summaries (runs of blanks collapsed, ends trimmed).
 */

/** Collapses runs of blanks and trims: two summary lines are equal when their normal forms are. */
export function normalizeSummaryLine(line: string): string {
  return line.replace(/\s+/g, ' ').trim();
}

/** The lines of the "Transition Summary:" section (up to the next blank line), normalised. */
export function parseTransitionSummary(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === 'Transition Summary:');
  if (start < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.trim() === '') break;
    if (!/^\s*\*/.test(l)) continue;
    out.push(normalizeSummaryLine(l));
  }
  return out;
}
