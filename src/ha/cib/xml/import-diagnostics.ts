/**
 * What CIB import reports besides the snapshot: warnings (the import went ahead; something was
 * dropped, kept verbatim, normalised or looks wrong) and errors (the document cannot be a CIB the
 * model represents). Every diagnostic names the element by its path from the root, with ids
 * (`/cib/configuration/resources/primitive[@id='db']/operations/op[@id='db-mon']`), the attribute
 * when there is one, and the line.
 */

/**
 * Warning kinds. The ones whose content does NOT reach the model are listed in DROPPING_WARNINGS;
 * all others keep the content (possibly normalised).
 */
export type CibWarningKind =
  /** An element the model does not know where it stands; dropped. */
  | 'unknown-element'
  /** An attribute the model does not know on its element (including legacy spellings Pacemaker 2.1 ignores); dropped. */
  | 'unknown-attribute'
  /** An element the model knows but deliberately does not keep (utilization); dropped. */
  | 'ignored-element'
  /** A comment; dropped (the model has no place for it). */
  | 'comment-dropped'
  /** Non-blank text inside an element that holds none; dropped. */
  | 'text-dropped'
  /**
   * An attribute of a status element that the model does not interpret (the status section has
   * no schema; older Pacemaker and Heartbeat versions wrote attributes 2.1 ignores); kept verbatim.
   */
  | 'uninterpreted-attribute'
  /** An element outside the model's scope (acls, alerts, bundles, rsc_ticket, date rules); kept verbatim. */
  | 'unsupported-element'
  /** A deprecated element (`<master>`); kept. */
  | 'deprecated-element'
  /** A deprecated attribute (rsc_order `score`, op `requires`); kept. */
  | 'deprecated-attribute'
  /** A deprecated value (role Master/Slave, node type normal); kept in its current spelling. */
  | 'deprecated-value'
  /** An nvpair name that is not a known option in its context (often a typo); kept as written. */
  | 'unknown-option'
  /** A deprecated or legacy option name; kept as written. */
  | 'deprecated-option'
  /** A name that looks like a meta attribute inside instance_attributes; kept as written. */
  | 'meta-in-instance-attributes';

/** Warning kinds whose content is not in the imported model. */
export const DROPPING_WARNINGS: ReadonlySet<CibWarningKind> = new Set(['unknown-element', 'unknown-attribute', 'ignored-element', 'comment-dropped', 'text-dropped']);

/** One warning. */
export interface CibWarning {
  readonly kind: CibWarningKind;
  /** The element's path from the root, with ids where elements have them. */
  readonly path: string;
  /** The attribute concerned, when the warning is about one. */
  readonly attribute?: string;
  /** 1-based line of the element. */
  readonly line: number;
  /** A sentence naming the element (path), the attribute or option, and what import did. */
  readonly message: string;
}

/** One reason a document is not an importable CIB. */
export interface CibIssue {
  readonly path: string;
  readonly attribute?: string;
  readonly line: number;
  readonly message: string;
}

/** Why import failed: not well-formed XML, or XML that is not a CIB the model can represent. */
export type CibImportError =
  | { readonly kind: 'malformed-xml'; readonly message: string; readonly line: number; readonly column: number }
  | { readonly kind: 'invalid-cib'; readonly message: string; readonly issues: readonly CibIssue[] };

/** A one-line description of an import error, for logs and the CLI. */
export function formatCibImportError(error: CibImportError): string {
  if (error.kind === 'malformed-xml') return `malformed XML at line ${error.line}${error.column > 0 ? `, column ${error.column}` : ''}: ${error.message}`;
  return error.message;
}

/** One path segment: `name`, or `name[@id='x']` when the element has an id. */
export function pathSegment(name: string, id: string | undefined): string {
  return id === undefined ? name : `${name}[@id='${id}']`;
}
