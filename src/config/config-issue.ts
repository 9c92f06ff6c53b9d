/**
 * ConfigIssue: one thing wrong with a configuration file, located the way an editor and a person
 * need it: the file, the line and column, the path of the key (`links[1].addresses.beta`) and a
 * sentence saying what is wrong and how to fix it.
 */

export interface ConfigIssue {
  /** The file name (or other source name) as given to parseConfig. */
  readonly source: string;
  /** The key's path in the file's own (snake_case) names; '' for the file as a whole. */
  readonly path: string;
  /** 1-based line and column of the value (or key) at fault, or of the nearest enclosing one. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Renders a path as `links[1].addresses.beta`; keys that are not plain words are quoted: `addresses["alpha.example"]`. */
export function formatConfigPath(segments: readonly PropertyKey[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (typeof segment === 'string' && PLAIN_KEY.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(String(segment))}]`;
  }
  return path;
}

/** The one-line form every tool understands: `FILE:LINE:COL: path: message` (no path part for whole-file issues). */
export function formatConfigIssue(issue: ConfigIssue): string {
  return `${issue.source}:${issue.line}:${issue.column}: ${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`;
}

/** Orders issues as they appear in the file, so a person can fix them top to bottom. */
export function compareConfigIssues(a: ConfigIssue, b: ConfigIssue): number {
  return a.line - b.line || a.column - b.column || a.path.localeCompare(b.path);
}
