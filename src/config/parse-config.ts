/**
 * parseConfig: the text of heartline.yaml in, a complete HeartlineConfig or every issue out.
 *
 * The steps: YAML syntax (all syntax errors, then stop: the tree of a broken document would only
 * produce confusing follow-on errors); the schema over the whole document (every field and entry
 * at once); the cross-entry rules over every part that passed the schema, so that one broken
 * entry hides nothing else; then, when nothing was wrong, the defaults. Each issue is placed at a
 * line and column through the YAML node tree, and the list is sorted top to bottom.
 *
 * Pure (no I/O): loadConfigFile reads the file and the CLI prints the issues.
 */
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { err, ok, type Result } from '../lib/index.js';
import { compareConfigIssues, formatConfigPath, type ConfigIssue } from './config-issue.js';
import { checkConfigRules, type CheckedSection, type ConfigParts, type IndexedEntry } from './config-rules.js';
import {
  configFileSchema,
  nodeSchema,
  quorumSectionSchema,
  serialLinkSchema,
  timingSectionSchema,
  udpBroadcastLinkSchema,
  udpMulticastLinkSchema,
  udpUnicastLinkSchema,
  type ConfigFile,
} from './config-schema.js';
import type { HeartlineConfig } from './heartline-config.js';
import { resolveConfig } from './resolve-config.js';
import { SchemaIssueExplainer, type PathIssue } from './schema-messages.js';
import { positionOf } from './source-positions.js';

/** Aliases are expanded when the document becomes data; this bounds "billion laughs" documents. */
const ALIAS_EXPANSIONS_MAX = 100;

/**
 * Parses and validates the text of a configuration file. `sourceName` (normally the file's path)
 * is copied into every issue. Never throws on any input.
 */
export function parseConfig(text: string, sourceName: string): Result<HeartlineConfig, ConfigIssue[]> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate = (issue: PathIssue): ConfigIssue => {
    const { line, column } = positionOf(document, lineCounter, issue.path, issue.target);
    return { source: sourceName, path: formatConfigPath(issue.path), line, column, message: issue.message };
  };

  if (document.errors.length > 0) {
    return err(
      document.errors
        .map((error): ConfigIssue => {
          const { line, col } = lineCounter.linePos(error.pos[0]);
          return { source: sourceName, path: '', line, column: col, message: `YAML syntax: ${firstLine(error.message)}` };
        })
        .sort(compareConfigIssues),
    );
  }

  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: ALIAS_EXPANSIONS_MAX });
  } catch (error) {
    // yaml throws (only) when aliases expand beyond the limit.
    return err([{ source: sourceName, path: '', line: 1, column: 1, message: `YAML: ${firstLine(error instanceof Error ? error.message : String(error))}` }]);
  }

  const explainer = new SchemaIssueExplainer();
  const parsed = configFileSchema.safeParse(data, { error: explainer.errorMap });
  const issues: PathIssue[] = parsed.success ? [] : parsed.error.issues.flatMap((issue) => explainer.explain(issue));
  issues.push(...checkConfigRules(parsed.success ? partsOfValidFile(parsed.data) : salvageParts(data)));
  if (issues.length > 0 || !parsed.success) return err(issues.map(locate).sort(compareConfigIssues));
  return ok(resolveConfig(parsed.data));
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function partsOfValidFile(file: ConfigFile): ConfigParts {
  return {
    nodes: { entries: file.nodes.map((value, index) => ({ index, value })), complete: true },
    links: file.links.map((value, index) => ({ index, value })),
    quorum: { valid: true, value: file.quorum },
    timing: { valid: true, value: file.timing },
  };
}

// For salvaging only: the entry schemas without their refusal of unknown keys (zod's default
// object drops them), so that a misspelt key in one entry does not hide a duplicate name in it.
// Their unknown keys and other issues were reported by the full schema already.
const salvageNodeSchema = z.object(nodeSchema.shape);
const salvageLinkSchema = z.discriminatedUnion('kind', [
  z.object(udpUnicastLinkSchema.shape),
  z.object(udpBroadcastLinkSchema.shape),
  z.object(udpMulticastLinkSchema.shape),
  z.object(serialLinkSchema.shape),
]);

/** The parts of a file that failed the schema that still pass it on their own, for the cross-entry rules. */
function salvageParts(data: unknown): ConfigParts {
  const sections = isRecord(data) ? data : {};
  const nodes = salvageEntries(sections['nodes'], (entry) => salvageNodeSchema.safeParse(entry));
  return {
    nodes: { entries: nodes.entries, complete: nodes.complete },
    links: salvageEntries(sections['links'], (entry) => salvageLinkSchema.safeParse(entry)).entries,
    quorum: salvageSection(sections['quorum'], (section) => quorumSectionSchema.safeParse(section)),
    timing: salvageSection(sections['timing'], (section) => timingSectionSchema.safeParse(section)),
  };
}

type SafeParse<T> = { readonly success: true; readonly data: T } | { readonly success: false };

function salvageEntries<T>(list: unknown, parse: (entry: unknown) => SafeParse<T>): { entries: IndexedEntry<T>[]; complete: boolean } {
  if (!Array.isArray(list)) return { entries: [], complete: false };
  const entries: IndexedEntry<T>[] = [];
  list.forEach((entry: unknown, index) => {
    const result = parse(entry);
    if (result.success) entries.push({ index, value: result.data });
  });
  return { entries, complete: entries.length === list.length };
}

function salvageSection<T>(section: unknown, parse: (section: unknown) => SafeParse<T>): CheckedSection<T> {
  if (section === undefined) return { valid: true, value: undefined };
  const result = parse(section);
  return result.success ? { valid: true, value: result.data } : { valid: false };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
