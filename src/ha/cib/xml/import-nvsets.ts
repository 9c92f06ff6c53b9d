/**
 * Import of nvsets, nvpairs and rules (the building blocks every section uses).
 */
import type { NvPair, NvSet } from '../nvset.js';
import type { AttributeExpression, ExpressionOperation, ExpressionType, ExpressionValueSource, Rule, RuleExpression } from '../rule.js';
import type { ElementReader } from './element-reader.js';
import { followReference, keepVerbatim } from './import-references.js';

/** Checks an nvpair's name in its context and warns through `reader` (the pair's reader). */
export type NameCheck = (name: string, reader: ElementReader) => void;

const OPERATIONS: readonly ExpressionOperation[] = ['lt', 'gt', 'lte', 'gte', 'eq', 'ne', 'defined', 'not_defined'];
const TYPES: readonly ExpressionType[] = ['string', 'integer', 'number', 'version'];
const VALUE_SOURCES: readonly ExpressionValueSource[] = ['literal', 'param', 'meta'];

/** Reads `<instance_attributes>`, `<meta_attributes>`, `<cluster_property_set>` or a reference to one. */
export function readNvSet(reader: ElementReader, check?: NameCheck): NvSet {
  const reference = followReference(reader);
  if (reference === undefined) return readNvSetContent(reader, check);
  reader.finish();
  if (reference === null) return { id: reader.string('id-ref') ?? '', rules: [], pairs: [] };
  return { ...readNvSetContent(reference.target, check), idRef: reference.idRef };
}

function readNvSetContent(reader: ElementReader, check: NameCheck | undefined): NvSet {
  const id = reader.requiredString('id');
  const score = reader.score('score');
  const rules = reader.children('rule').map((e) => readRule(reader.child(e)));
  const pairs = reader.children('nvpair').map((e) => readNvPair(reader.child(e), check));
  reader.finish();
  return score === undefined ? { id, rules, pairs } : { id, score, rules, pairs };
}

/** Reads `<nvpair>`; a reference takes the referenced pair's name and value unless it sets its own. */
export function readNvPair(reader: ElementReader, check?: NameCheck): NvPair {
  const reference = followReference(reader);
  let pair: NvPair;
  if (reference === undefined) {
    const id = reader.requiredString('id');
    const name = reader.requiredString('name');
    const value = reader.string('value');
    pair = value === undefined ? { id, name } : { id, name, value };
  } else {
    const idRef = reader.string('id-ref') ?? '';
    const target = reference?.target.element.attributes;
    const name = reader.string('name') ?? target?.get('name');
    const value = reader.string('value') ?? target?.get('value');
    if (name === undefined && reference !== null) reader.fail(`${reader.describe()} refers to nvpair '${idRef}', which has no name`);
    pair = value === undefined ? { id: idRef, name: name ?? '', idRef } : { id: idRef, name: name ?? '', value, idRef };
  }
  reader.finish();
  check?.(pair.name, reader);
  return pair;
}

/** Reads `<rule>` or a reference to one. */
export function readRule(reader: ElementReader): Rule {
  const reference = followReference(reader);
  if (reference === undefined) return readRuleContent(reader);
  reader.finish();
  if (reference === null) return { id: reader.string('id-ref') ?? '', expressions: [] };
  return { ...readRuleContent(reference.target), idRef: reference.idRef };
}

function readRuleContent(reader: ElementReader): Rule {
  const id = reader.requiredString('id');
  const score = reader.score('score');
  const scoreAttribute = reader.string('score-attribute');
  const booleanOp = reader.enumeration('boolean-op', ['and', 'or'] as const);
  const role = reader.role('role');
  const expressions = reader.allChildren().map((e): RuleExpression => {
    const child = reader.child(e);
    switch (e.name) {
      case 'expression':
        return readExpression(child);
      case 'rule':
        return { kind: 'rule', rule: readRule(child) };
      case 'date_expression':
      case 'rsc_expression':
      case 'op_expression':
        return { kind: 'unsupported', xml: keepVerbatim(child, `<${e.name}> is not supported by Heartline's policy engine`) };
      default:
        return { kind: 'unsupported', xml: keepVerbatim(child, `unknown rule expression <${e.name}>`) };
    }
  });
  reader.finish();
  return {
    id,
    ...(score !== undefined && { score }),
    ...(scoreAttribute !== undefined && { scoreAttribute }),
    ...(booleanOp !== undefined && { booleanOp }),
    ...(role !== undefined && { role }),
    expressions,
  };
}

function readExpression(reader: ElementReader): AttributeExpression {
  const id = reader.requiredString('id');
  const attribute = reader.requiredString('attribute');
  const operation = reader.requiredParsed('operation', `one of ${OPERATIONS.join(', ')}`, (t) => OPERATIONS.find((o) => o === t.trim().toLowerCase()), 'eq');
  const value = reader.string('value');
  const type = reader.enumeration('type', TYPES);
  const valueSource = reader.enumeration('value-source', VALUE_SOURCES);
  reader.finish();
  return {
    kind: 'attribute',
    id,
    attribute,
    operation,
    ...(value !== undefined && { value }),
    ...(type !== undefined && { type }),
    ...(valueSource !== undefined && { valueSource }),
  };
}
