/**
 * XML text → a small element tree with line numbers, on top of fast-xml-parser. The tree keeps
 * what CIB import and the semantic comparison need: element names, attributes (entity references
 * decoded, attribute-value whitespace normalised as XML requires), child elements, comments and
 * non-blank text in document order, and the line each element starts on. Well-formedness is checked first
 * (fast-xml-parser's validator), so that malformed input is an error with a line and column
 * rather than a best-effort tree. Pure: fast-xml-parser needs no Node APIs.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { err, ok, type Result } from '../../../lib/index.js';

/** An element of the source document. Attributes keep document order. */
export interface SourceElement {
  readonly kind: 'element';
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly SourceNode[];
  /** 1-based line of the element's start tag. */
  readonly line: number;
}

/** A comment. */
export interface SourceComment {
  readonly kind: 'comment';
  readonly text: string;
  readonly line: number;
}

/** A run of character data (entity references decoded) that is not blank; blank runs are not kept. */
export interface SourceText {
  readonly kind: 'text';
  readonly text: string;
  readonly line: number;
}

export type SourceNode = SourceElement | SourceComment | SourceText;

/** Why a document is not well-formed XML, and where. */
export interface XmlSyntaxError {
  readonly message: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based; 0 when the parser could not tell. */
  readonly column: number;
}

/** Options shared by the parse: ordered output, raw attribute strings, no type guessing. */
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  commentPropName: '#comment',
  captureMetaData: true,
  // Entities are decoded here (decodeEntities), because the parser leaves numeric character
  // references undecoded and would silently accept undefined entities.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const metadataKey = XMLParser.getMetaDataSymbol() as unknown as string;

/** fast-xml-parser's ordered output: one key naming the node, its children array, and `:@` attributes. */
type OrderedNode = Record<string, unknown>;

/**
 * Parses `text` as one XML document. Errors: not well-formed (the validator's message, line and
 * column), no root element or more than one, or an undefined entity reference.
 */
export function parseXml(text: string): Result<SourceElement, XmlSyntaxError> {
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    return err({ message: valid.err.msg, line: valid.err.line, column: valid.err.col ?? 0 });
  }
  const lines = new LineIndex(text);
  let nodes: unknown;
  try {
    nodes = parser.parse(text);
  } catch (e) {
    // The validator passed, so this is unexpected; it stays an error value all the same.
    return err({ message: e instanceof Error ? e.message : String(e), line: 1, column: 0 });
  }
  const state: ConvertState = { lines, error: undefined };
  const top = convertChildren(nodes as OrderedNode[], state);
  if (state.error !== undefined) return err(state.error);
  const roots = top.filter((n): n is SourceElement => n.kind === 'element');
  if (roots.length !== 1) {
    return err({ message: roots.length === 0 ? 'the document has no root element' : 'the document has more than one root element', line: roots[1]?.line ?? 1, column: 0 });
  }
  return ok(roots[0]!);
}

interface ConvertState {
  readonly lines: LineIndex;
  error: XmlSyntaxError | undefined;
}

function convertChildren(nodes: readonly OrderedNode[], state: ConvertState, parentLine = 1): SourceNode[] {
  const out: SourceNode[] = [];
  // Elements carry their offsets; text and comments do not, so their line is counted on from the
  // end of the previous element through the line breaks of the text in between.
  let cursor = parentLine;
  for (const node of nodes) {
    const name = Object.keys(node).find((k) => k !== ':@');
    if (name === undefined) continue;
    const meta = node[metadataKey] as { startIndex?: number; endIndex?: number } | undefined;
    const body = node[name];
    if (name === '#text') {
      const raw = String(body);
      // Blank text (indentation) means nothing in a CIB; not keeping it saves an object per element.
      if (raw.trim() !== '') out.push({ kind: 'text', text: decodeEntities(raw, cursor, state), line: cursor });
      cursor += countLineBreaks(raw);
    } else if (name === '#comment') {
      const parts = Array.isArray(body) ? (body as OrderedNode[]) : [];
      const text = parts.map((p) => (typeof p['#text'] === 'string' ? p['#text'] : '')).join('');
      out.push({ kind: 'comment', text, line: cursor });
      cursor += countLineBreaks(text);
    } else {
      const line = meta?.startIndex !== undefined ? state.lines.lineOf(meta.startIndex) : cursor;
      const rawAttributes = (node[':@'] ?? {}) as Record<string, unknown>;
      const attributes = new Map<string, string>();
      for (const [key, value] of Object.entries(rawAttributes)) {
        // XML normalises literal tabs and line breaks in attribute values to spaces; character
        // references (&#10;) survive, which is why normalisation comes before decoding.
        attributes.set(key, decodeEntities(String(value).replace(/[\t\n\r]/g, ' '), line, state));
      }
      const children = Array.isArray(body) ? convertChildren(body as OrderedNode[], state, line) : [];
      out.push({ kind: 'element', name, attributes, children, line });
      cursor = meta?.endIndex !== undefined ? state.lines.lineOf(meta.endIndex) : line;
    }
  }
  return out;
}

function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five predefined entities and character references; records an error for others. */
function decodeEntities(text: string, line: number, state: ConvertState): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) return fail(`'&' must start an entity reference ending in ';' (near "${whole}")`);
    const named = NAMED_ENTITIES[ref];
    if (named !== undefined) return named;
    const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
    if (m !== null) {
      const code = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
      if (code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) return String.fromCodePoint(code);
      return fail(`character reference &${ref}; is not a valid character`);
    }
    return fail(`undefined entity &${ref};`);
  });

  function fail(message: string): string {
    state.error ??= { message, line, column: 0 };
    return '';
  }
}

/** Maps string offsets to 1-based line numbers. */
class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}
