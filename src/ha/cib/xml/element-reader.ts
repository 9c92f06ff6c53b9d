/**
 * ElementReader: reads one source element for the importer and accounts for everything in it. Each
 * attribute and child the importer asks for is marked as used; `finish()` then warns about every
 * attribute and child element nobody asked for, every comment and every non-blank text, so that
 * nothing leaves the import silently. Typed getters parse values and record an error (an issue)
 * naming the element, its path and line when a value is missing or malformed.
 */
import { parseRole, type Role } from '../role.js';
import { parseScore, type Score } from '../score.js';
import { parseDuration } from '../duration.js';
import { parsePacemakerBoolean } from '../pacemaker-boolean.js';
import type { Millis } from '../../../lib/index.js';
import type { XmlAttribute, XmlElement } from '../xml-element.js';
import { pathSegment, type CibIssue, type CibWarning, type CibWarningKind } from './import-diagnostics.js';
import type { SourceElement } from './parse-xml.js';

/** An element that has an id, with its parent's path (for id-ref resolution). */
export interface IndexedElement {
  readonly element: SourceElement;
  readonly parentPath: string;
}

/** State shared by every reader of one import. */
export class ImportContext {
  readonly warnings: CibWarning[] = [];
  readonly issues: CibIssue[] = [];
  private readonly seen = new Set<string>();
  private index: Map<string, IndexedElement[]> | undefined;

  /** `root` is the document's root element, indexed by id on the first id-ref lookup. */
  constructor(private readonly root: SourceElement) {}

  /**
   * Elements by id, in document order (for id-ref resolution). Built on first use: most CIBs
   * have no references, and indexing builds a path string for every element with an id.
   */
  get ids(): ReadonlyMap<string, readonly IndexedElement[]> {
    if (this.index === undefined) {
      this.index = new Map();
      this.indexIds(this.root, '');
    }
    return this.index;
  }

  /**
   * Records a warning once: an element read twice (a referenced nvset, read at its definition and
   * at each reference) reports its warnings once.
   */
  warn(warning: CibWarning): void {
    const key = `w|${warning.kind}|${warning.path}|${warning.attribute ?? ''}|${warning.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.warnings.push(warning);
  }

  /** Records an error once. */
  fail(issue: CibIssue): void {
    const key = `e|${issue.path}|${issue.attribute ?? ''}|${issue.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.issues.push(issue);
  }

  private indexIds(element: SourceElement, parentPath: string): void {
    const id = element.attributes.get('id');
    const path = `${parentPath}/${pathSegment(element.name, id)}`;
    if (id !== undefined) {
      const list = this.index?.get(id);
      if (list === undefined) this.index?.set(id, [{ element, parentPath }]);
      else list.push({ element, parentPath });
    }
    for (const child of element.children) if (child.kind === 'element') this.indexIds(child, path);
  }
}

/** Reads one element; see the file header. */
export class ElementReader {
  private readonly usedAttributes = new Set<string>();
  private readonly usedChildren = new Set<string>();
  private keepText = false;
  private cachedPath: string | undefined;

  /** `parentPath` is the parent's path, or a function computing it (paths are built only when a diagnostic needs one). */
  constructor(
    readonly context: ImportContext,
    readonly element: SourceElement,
    private readonly parentPath: string | (() => string),
  ) {}

  /** The element's path from the root, with ids: `/cib/configuration/resources/primitive[@id='a']`. */
  get path(): string {
    this.cachedPath ??= `${typeof this.parentPath === 'string' ? this.parentPath : this.parentPath()}/${pathSegment(this.element.name, this.element.attributes.get('id'))}`;
    return this.cachedPath;
  }

  get name(): string {
    return this.element.name;
  }

  get line(): number {
    return this.element.line;
  }

  /** The `id` attribute, marked used. */
  get id(): string | undefined {
    return this.string('id');
  }

  has(attribute: string): boolean {
    return this.element.attributes.has(attribute);
  }

  /** A string attribute, marked used. */
  string(attribute: string): string | undefined {
    this.usedAttributes.add(attribute);
    return this.element.attributes.get(attribute);
  }

  /** A required string attribute; records an issue and returns '' when absent. */
  requiredString(attribute: string): string {
    const value = this.string(attribute);
    if (value === undefined) {
      this.fail(`${this.describe()} has no '${attribute}' attribute, which it needs`, attribute);
      return '';
    }
    return value;
  }

  /** An attribute parsed by `parse`; a value it refuses is an issue ("expected <what>"). */
  parsed<T>(attribute: string, what: string, parse: (text: string) => T | undefined): T | undefined {
    const text = this.string(attribute);
    if (text === undefined) return undefined;
    const value = parse(text);
    if (value === undefined) this.fail(`${this.describe()} has ${attribute}="${text}", which is not ${what}`, attribute);
    return value;
  }

  /** Like parsed, but a missing attribute is an issue too; returns `fallback` after an issue. */
  requiredParsed<T>(attribute: string, what: string, parse: (text: string) => T | undefined, fallback: T): T {
    if (!this.has(attribute)) {
      this.usedAttributes.add(attribute);
      this.fail(`${this.describe()} has no '${attribute}' attribute, which it needs`, attribute);
      return fallback;
    }
    return this.parsed(attribute, what, parse) ?? fallback;
  }

  score(attribute: string): Score | undefined {
    return this.parsed(attribute, 'a score (an integer or [+-]INFINITY)', parseScore);
  }

  boolean(attribute: string): boolean | undefined {
    return this.parsed(attribute, 'a boolean (true/false, yes/no, on/off, 1/0)', parsePacemakerBoolean);
  }

  duration(attribute: string): Millis | undefined {
    return this.parsed(attribute, 'a duration (e.g. 10s, 500ms, 2min, or seconds without a unit)', parseDuration);
  }

  integer(attribute: string): number | undefined {
    return this.parsed(attribute, 'an integer', parseInteger);
  }

  /** A role; Master/Slave are read as Promoted/Unpromoted with a deprecated-value warning. */
  role(attribute: string): Role | undefined {
    const parsed = this.parsed(attribute, 'a role (Stopped, Started, Unpromoted, Promoted)', parseRole);
    if (parsed?.legacy === true) {
      this.warn('deprecated-value', `${this.describe()} uses the deprecated role name ${attribute}="${this.element.attributes.get(attribute) ?? ''}"; read as ${parsed.role}`, attribute);
    }
    return parsed?.role;
  }

  /** One of `values`, matched without regard to letter case and returned in its canonical spelling. */
  enumeration<T extends string>(attribute: string, values: readonly T[]): T | undefined {
    return this.parsed(attribute, `one of ${values.join(', ')}`, (text) => values.find((v) => v.toLowerCase() === text.trim().toLowerCase()));
  }

  /** Child elements named `name`, in order, marked used. */
  children(name: string): SourceElement[] {
    this.usedChildren.add(name);
    return this.element.children.filter((c): c is SourceElement => c.kind === 'element' && c.name === name);
  }

  /** All child elements, in order, each marked used (the caller accounts for them). */
  allChildren(): SourceElement[] {
    const out = this.element.children.filter((c): c is SourceElement => c.kind === 'element');
    for (const c of out) this.usedChildren.add(c.name);
    return out;
  }

  /** Marks an attribute as used without reading it (the caller handled it another way). */
  markUsed(attribute: string): void {
    this.usedAttributes.add(attribute);
  }

  /** Lets the element hold text (for elements kept verbatim). */
  allowText(): void {
    this.keepText = true;
  }

  /** A reader for child `element`, under this element's path. */
  child(element: SourceElement): ElementReader {
    return new ElementReader(this.context, element, () => this.path);
  }

  /** A reader for an element elsewhere in the document, under `parentPath`. */
  elsewhere(element: SourceElement, parentPath: string): ElementReader {
    return new ElementReader(this.context, element, parentPath);
  }

  /** `name[@id='x'] (line N)` for messages. */
  describe(): string {
    return `${this.path} (line ${this.line})`;
  }

  warn(kind: CibWarningKind, message: string, attribute?: string): void {
    this.context.warn(attribute === undefined ? { kind, path: this.path, line: this.line, message } : { kind, path: this.path, attribute, line: this.line, message });
  }

  fail(message: string, attribute?: string): void {
    this.context.fail(attribute === undefined ? { path: this.path, line: this.line, message } : { path: this.path, attribute, line: this.line, message });
  }

  /**
   * Warns about everything not used: attributes (with `hints` explaining known legacy names),
   * child elements, comments, non-blank text. Call once, after reading the element. Unused
   * attributes are dropped, or with `keepAttributes` returned (sorted by name) for the caller to
   * keep verbatim; the result is empty otherwise.
   */
  finish(hints: Readonly<Record<string, string>> = {}, keepAttributes = false): XmlAttribute[] {
    const kept: XmlAttribute[] = [];
    for (const [attribute, value] of this.element.attributes) {
      if (this.usedAttributes.has(attribute)) continue;
      const hint = hints[attribute];
      const why = hint === undefined ? '' : ` (${hint})`;
      if (keepAttributes) {
        kept.push({ name: attribute, value });
        this.warn('uninterpreted-attribute', `${this.describe()}: attribute '${attribute}' is not interpreted${why}; kept verbatim`, attribute);
      } else {
        this.warn('unknown-attribute', `${this.describe()}: unknown attribute '${attribute}'${why}; dropped`, attribute);
      }
    }
    for (const node of this.element.children) {
      if (node.kind === 'element') {
        if (!this.usedChildren.has(node.name)) {
          const child = this.child(node);
          child.warn('unknown-element', `${child.describe()}: unknown element <${node.name}> inside <${this.name}>; dropped with its content`);
        }
      } else if (node.kind === 'comment') {
        this.context.warn({ kind: 'comment-dropped', path: this.path, line: node.line, message: `${this.path} (line ${node.line}): comment <!--${abbreviate(node.text)}--> dropped` });
      } else if (!this.keepText && node.text.trim() !== '') {
        this.context.warn({ kind: 'text-dropped', path: this.path, line: node.line, message: `${this.path} (line ${node.line}): text "${abbreviate(node.text.trim())}" dropped` });
      }
    }
    return kept.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** A decimal integer with an optional sign, surrounding blanks allowed. */
export function parseInteger(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) return undefined;
  const value = Number(t);
  return Number.isSafeInteger(value) ? value + 0 : undefined;
}

/** A non-negative decimal integer. */
export function parseNonNegativeInteger(text: string): number | undefined {
  const value = parseInteger(text);
  return value !== undefined && value >= 0 ? value : undefined;
}

/**
 * Copies a source element into the model's verbatim form: attributes sorted by name, child
 * elements in order, text trimmed (blank text and comments are not kept).
 */
export function toXmlElement(element: SourceElement): XmlElement {
  const attributes = [...element.attributes].map(([name, value]) => ({ name, value })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const children = element.children.filter((c): c is SourceElement => c.kind === 'element').map(toXmlElement);
  const text = element.children
    .filter((c) => c.kind === 'text')
    .map((c) => c.text)
    .join('')
    .trim();
  return text === '' ? { name: element.name, attributes, children } : { name: element.name, attributes, children, text };
}

function abbreviate(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}
