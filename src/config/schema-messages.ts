/**
 * The words of configuration errors. zod's own messages ("Invalid input: expected string,
 * received number") speak about JavaScript; these speak about the YAML file a person is editing
 * and say what to write instead. Fields with a rule of their own carry their message in
 * config-schema.ts; this file covers the rest: wrong types, missing keys, ranges, unknown keys.
 */
import { editDistance } from '../lib/index.js';
import type { z } from 'zod';
import type { PositionTarget } from './source-positions.js';

/** An issue before it has a position: the path in the data, what to point at, and the sentence. */
export interface PathIssue {
  readonly path: readonly PropertyKey[];
  readonly target: PositionTarget;
  readonly message: string;
}

const EXPECTED_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value lines)',
  record: 'a mapping of node name to value',
};

/** Describes a value from the file as a person would: `the text 'abc'`, `a list`. */
export function describeValue(input: unknown): string {
  if (input === null || input === undefined) return 'nothing';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'string') return `the text '${input.length > 40 ? `${input.slice(0, 37)}...` : input}'`;
  if (typeof input === 'number') return `the number ${input}`;
  if (typeof input === 'boolean') return String(input);
  return typeof input === 'object' ? 'a mapping' : typeof input;
}

/**
 * Collects what a parse needs to explain its issues: zod calls `errorMap` for every issue that has
 * no message of its own, and reports unknown keys as one issue per mapping; `explain` splits those
 * into one issue per key, each with the allowed keys and a "did you mean". Use one instance per parse.
 */
export class SchemaIssueExplainer {
  private readonly allowedKeysByPath = new Map<string, readonly string[]>();

  readonly errorMap: z.core.$ZodErrorMap = (issue) => {
    switch (issue.code) {
      case 'invalid_type':
        return this.typeMessage(issue.expected, issue.input, issue.path);
      case 'too_small':
        return rangeMessage('at least', 'more than', issue.origin, Number(issue.minimum), issue.inclusive !== false, issue.input);
      case 'too_big':
        return rangeMessage('at most', 'less than', issue.origin, Number(issue.maximum), issue.inclusive !== false, issue.input);
      case 'invalid_value':
        return `expected ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}, got ${describeValue(issue.input)}`;
      case 'invalid_union':
        return unionMessage(issue.discriminator, Array.isArray(issue['options']) ? (issue['options'] as unknown[]) : undefined, issue.input);
      case 'unrecognized_keys': {
        const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
        this.allowedKeysByPath.set(pathKey(issue.path ?? []), shape === undefined ? [] : Object.keys(shape));
        return `unknown keys: ${issue.keys.join(', ')}`;
      }
      // These carry their own messages in config-schema.ts (custom, invalid_format) or cannot
      // arise from this schema; zod's wording is the fallback.
      case 'custom':
      case 'invalid_format':
      case 'invalid_key':
      case 'invalid_element':
      case 'not_multiple_of':
        return undefined;
    }
  };

  /** Turns a finished zod issue into the issues to report (several for several unknown keys). */
  explain(issue: z.core.$ZodIssue): PathIssue[] {
    if (issue.code === 'unrecognized_keys') {
      const allowed = this.allowedKeysByPath.get(pathKey(issue.path)) ?? [];
      return issue.keys.map((key) => ({ path: [...issue.path, key], target: 'key' as const, message: unknownKeyMessage(key, allowed, issue.path.length === 0) }));
    }
    return [{ path: issue.path, target: 'value', message: issue.message }];
  }

  private typeMessage(expected: string, input: unknown, path: readonly PropertyKey[] | undefined): string {
    const last = path?.at(-1);
    if (path === undefined || path.length === 0) {
      if (input === undefined || input === null) return 'the file is empty: it needs at least the sections cluster, nodes and links (see docs/examples/heartline.yaml)';
    } else if (input === undefined) {
      return `required key '${String(last)}' is missing`;
    }
    if (path === undefined || path.length === 0) {
      return `the file must be a mapping of sections (cluster:, nodes:, links:, ...), not ${describeValue(input)}`;
    }
    const words = EXPECTED_WORDS[expected] ?? expected;
    const yesNo = expected === 'boolean' && typeof input === 'string' && /^(yes|no|on|off|y|n)$/i.test(input) ? ' (YAML 1.2 reads yes/no/on/off as text)' : '';
    return `expected ${words}, got ${describeValue(input)}${yesNo}`;
  }
}

function pathKey(path: readonly PropertyKey[]): string {
  return JSON.stringify(path.map(String));
}

function rangeMessage(inclusiveWord: string, exclusiveWord: string, origin: string, bound: number, inclusive: boolean, input: unknown): string {
  if (origin === 'array') return `needs ${inclusive ? inclusiveWord : exclusiveWord} ${bound} ${bound === 1 ? 'entry' : 'entries'}, got ${Array.isArray(input) ? input.length : 0}`;
  if (origin === 'string') return bound <= 1 && inclusiveWord === 'at least' ? 'must not be empty' : `must be ${inclusive ? inclusiveWord : exclusiveWord} ${bound} characters long`;
  return `must be ${inclusive ? inclusiveWord : exclusiveWord} ${bound}, got ${describeValue(input)}`;
}

function unionMessage(discriminator: string | undefined, options: readonly unknown[] | undefined, input: unknown): string {
  if (discriminator === undefined || options === undefined) return `${describeValue(input)} does not match any allowed form`;
  const choices = options.map(String).join(', ');
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return `expected a mapping with ${discriminator}: one of ${choices}; got ${describeValue(input)}`;
  const value = (input as Record<string, unknown>)[discriminator];
  if (value === undefined) return `required key '${discriminator}' is missing: say which ${discriminator} this is, one of ${choices}`;
  return `unknown ${discriminator} ${typeof value === 'string' ? `'${value}'` : describeValue(value)}: use one of ${choices}`;
}

function unknownKeyMessage(key: string, allowed: readonly string[], topLevel: boolean): string {
  const suggestion = closestMatch(key, allowed);
  const hint = suggestion === undefined ? '' : `; did you mean '${suggestion}'?`;
  const where = topLevel ? 'sections are' : 'keys here are';
  return `unknown ${topLevel ? 'section' : 'key'} '${key}'${hint} (the ${where}: ${allowed.join(', ')})`;
}

/**
 * The allowed word closest to `word`, when it is close enough to be a slip of the keyboard (or
 * camelCase for snake_case): edit distance at most 2, and at most a third of the word.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const snake = word.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  let best: { readonly candidate: string; readonly distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = Math.min(editDistance(word.toLowerCase(), candidate), editDistance(snake, candidate));
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= 2 && best.distance <= Math.max(1, Math.floor(word.length / 3)) ? best.candidate : undefined;
}
