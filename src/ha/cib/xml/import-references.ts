/**
 * id-ref resolution and verbatim keeping for the importer. Pacemaker lets an nvset, nvpair, rule,
 * operations list or resource set be written as a reference (`<meta_attributes id-ref="x"/>`) to
 * an element of the same kind elsewhere in the CIB; the importer resolves each one to the
 * referenced content (and the model remembers the reference, so that export writes it back).
 */
import type { XmlElement } from '../xml-element.js';
import { toXmlElement, type ElementReader } from './element-reader.js';
import { pathSegment } from './import-diagnostics.js';
import type { SourceElement } from './parse-xml.js';

/** A resolved reference: a reader positioned on the referenced element, and the id it was named by. */
export interface Reference {
  readonly target: ElementReader;
  readonly idRef: string;
}

/**
 * When `reader`'s element has an `id-ref`, finds the element it names: the first element in the
 * document with that id and the same element name, which must not be a reference itself. Records
 * an issue and returns null when there is none; returns undefined when the element is not a
 * reference. The reference element's own `id-ref` is marked used.
 */
export function followReference(reader: ElementReader): Reference | null | undefined {
  const idRef = reader.string('id-ref');
  if (idRef === undefined) return undefined;
  const candidates = reader.context.ids.get(idRef) ?? [];
  const found = candidates.find((c) => c.element.name === reader.name);
  if (found === undefined) {
    const other = candidates[0];
    reader.fail(
      other === undefined
        ? `${reader.describe()} refers to id-ref="${idRef}", but no element has that id`
        : `${reader.describe()} refers to id-ref="${idRef}", which is a <${other.element.name}>, not a <${reader.name}>`,
      'id-ref',
    );
    return null;
  }
  if (found.element.attributes.has('id-ref')) {
    reader.fail(`${reader.describe()} refers to id-ref="${idRef}", which is itself a reference`, 'id-ref');
    return null;
  }
  // The target keeps its own path, not the reference's: warnings about its content name the
  // place it is defined (and are reported once however many references there are).
  return { target: reader.elsewhere(found.element, found.parentPath), idRef };
}

/**
 * Keeps `reader`'s element verbatim (for elements outside the model's scope) and warns with
 * `why`; comments inside it are reported as dropped.
 */
export function keepVerbatim(reader: ElementReader, why: string): XmlElement {
  reader.warn('unsupported-element', `${reader.describe()}: ${why}; kept verbatim, without effect`);
  reportComments(reader, reader.element, reader.path);
  return toXmlElement(reader.element);
}

function reportComments(reader: ElementReader, element: SourceElement, path: string): void {
  for (const node of element.children) {
    if (node.kind === 'comment') {
      reader.context.warn({ kind: 'comment-dropped', path, line: node.line, message: `${path} (line ${node.line}): comment dropped` });
    } else if (node.kind === 'element') {
      reportComments(reader, node, `${path}/${pathSegment(node.name, node.attributes.get('id'))}`);
    }
  }
}
