/**
 * XmlElement: a piece of CIB XML the model does not interpret (an ACL section, an alert, a bundle,
 * a date expression) and keeps verbatim, so that an import followed by an export does not lose it.
 * Attributes are sorted by name, which makes two spellings of one element equal; whitespace-only
 * text is not kept.
 */

/** One attribute of an XmlElement. */
export interface XmlAttribute {
  readonly name: string;
  readonly value: string;
}

/** An element kept verbatim: name, attributes sorted by name, child elements in order, text. */
export interface XmlElement {
  readonly name: string;
  /** Sorted by name; names are unique. */
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** The element's own text with blanks trimmed, when it has any that is not blank. */
  readonly text?: string;
}

/** The value of attribute `name`, or undefined. */
export function xmlAttribute(element: XmlElement, name: string): string | undefined {
  return element.attributes.find((a) => a.name === name)?.value;
}
