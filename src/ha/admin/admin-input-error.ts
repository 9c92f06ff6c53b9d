/**
 * The error of an operator's request that cannot become a CIB change: which option or argument is
 * wrong (as the operator wrote it: `--meta`, `NODE`, `--op`) and what to do about it. Builders in
 * this folder return it as a value; the CLI prints it and exits 2 without asking the daemon.
 */
import { editDistance, err } from '../../lib/index.js';

export interface AdminInputError {
  /** The option or argument as written on the command line: `--meta`, `--op`, `ID`, `AGENT`. */
  readonly option: string;
  readonly message: string;
}

export function inputError(option: string, message: string): { readonly ok: false; readonly error: AdminInputError } {
  return err({ option, message });
}

/** `; did you mean 'X'?` for the known name closest to `name`, when one is close enough to be a typo. */
export function closestNameHint(name: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A typo changes a few letters; beyond a third of the name it is another word.
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? `; did you mean '${best}'?` : '';
}
