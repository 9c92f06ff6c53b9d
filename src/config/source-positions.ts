/**
 * Maps a path in the parsed data (`['links', 1, 'addresses', 'beta']`) back to a line and column
 * of the YAML source, through the document's node tree and its LineCounter. A path that leads
 * to a missing key stops at the deepest node that exists (the mapping that lacks the key), which
 * is where a person would add it; an issue about a whole block list or mapping points at its key.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Whether the position should point at the key of the last path segment or at its value. */
export type PositionTarget = 'key' | 'value';

/**
 * The 1-based position of `path` in `document`. `target: 'key'` points at the key itself (for an
 * unknown key); otherwise at the value, or at the key when the value is empty (`name:`).
 */
export function positionOf(document: Document, lineCounter: LineCounter, path: readonly PropertyKey[], target: PositionTarget): SourcePosition {
  let node: unknown = document.contents;
  let offset = startOf(node) ?? 0;
  for (let index = 0; index < path.length; index++) {
    const segment = path[index];
    if (isAlias(node)) node = node.resolve(document);
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) break;
      const isLast = index === path.length - 1;
      const valueStart = startOf(pair.value);
      // A block list or mapping starts on the line after its key; an issue about it as a whole
      // (too few entries) reads better at the key, where a person looks for it.
      const wholeBlock = isLast && (isMap(pair.value) || isSeq(pair.value)) && pair.value.flow !== true;
      offset = (isLast && target === 'key') || wholeBlock || valueStart === undefined ? (startOf(pair.key) ?? offset) : valueStart;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      const itemStart = startOf(item);
      if (itemStart === undefined) break;
      offset = itemStart;
      node = item;
    } else {
      break;
    }
  }
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function startOf(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range === undefined || range === null ? undefined : range[0];
}
