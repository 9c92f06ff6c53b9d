/**
 * The error of an operator's request that cannot become a CIB change: which option or argument is
 * wrong (as the operator wrote it: `--meta`, `NODE`, `--op`) and what to do about it. Builders in
 * this folder return it as a value; the CLI prints it and exits 2 without asking the daemon.
 */
import { closestName, err } from '../../lib/index.js';

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
  const best = closestName(name, known);
  return best === undefined ? '' : `; did you mean '${best}'?`;
}
