/**
 * XmlElement → XML text: the exporter's serializer. Attributes are written in the order given,
 * children indented by two spaces, elements without children or text self-closed. Escaping keeps
 * every value exact after a re-parse: `& < > "` are escaped, and tab, line feed and carriage return
 * in attribute values become character references, because a parser would otherwise turn them into
 * spaces. The output has no XML declaration (Pacemaker's CIB files have none) and ends in a newline.
 */
import type { XmlElement } from '../xml-element.js';

/** The XML text of `root`. */
export function writeXml(root: XmlElement): string {
  const out: string[] = [];
  writeElement(root, '', out);
  return out.join('');
}

function writeElement(element: XmlElement, indent: string, out: string[]): void {
  let open = `${indent}<${element.name}`;
  for (const a of element.attributes) open += ` ${a.name}="${escapeAttribute(a.value)}"`;
  const text = element.text;
  if (element.children.length === 0 && (text === undefined || text === '')) {
    out.push(`${open}/>\n`);
    return;
  }
  if (element.children.length === 0) {
    out.push(`${open}>${escapeText(text ?? '')}</${element.name}>\n`);
    return;
  }
  out.push(`${open}>\n`);
  if (text !== undefined && text !== '') out.push(`${indent}  ${escapeText(text)}\n`);
  for (const child of element.children) writeElement(child, `${indent}  `, out);
  out.push(`${indent}</${element.name}>\n`);
}

function escapeAttribute(value: string): string {
  return value.replace(/[&<>"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

function escapeText(value: string): string {
  return value.replace(/[&<>\r]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};
