/**
 * Rules: boolean conditions on node attributes that guard location constraints and nvsets
 * (Pacemaker's `<rule>`). This model keeps the node-attribute expressions and nested rules typed;
 * date, resource and operation expressions (out of scope for Heartline today) are kept verbatim
 * as `unsupported` expressions so that nothing is lost, and the policy engine must decide what an
 * unsupported expression means (Pacemaker evaluates them; treating them as failing is the safe
 * choice for location rules that allow placement).
 */
import type { Role } from './role.js';
import type { Score } from './score.js';
import type { XmlElement } from './xml-element.js';

/** The comparison of a node-attribute expression. */
export type ExpressionOperation = 'lt' | 'gt' | 'lte' | 'gte' | 'eq' | 'ne' | 'defined' | 'not_defined';

/**
 * How the two sides are compared. When absent, Pacemaker 2.1 picks: `string` for eq/ne, and for
 * lt/gt/lte/gte `number` if either side contains a '.', else `integer` — so absent is NOT the same
 * as `string`, and the model keeps the difference.
 */
export type ExpressionType = 'string' | 'integer' | 'number' | 'version';

/** Where the expression's value comes from (`value-source`); absent means literal. */
export type ExpressionValueSource = 'literal' | 'param' | 'meta';

/**
 * `<expression attribute="..." operation="..." value="..."/>`: compares a node attribute. Special
 * attributes: `#uname` (node name), `#id` (node id), `#is_dc` ("true"/"false"), `#kind`; others are
 * node attributes from the configuration (`nodes/node/instance_attributes`) or the status
 * (transient attributes such as pingd).
 */
export interface AttributeExpression {
  readonly kind: 'attribute';
  readonly id: string;
  readonly attribute: string;
  readonly operation: ExpressionOperation;
  /** Absent for defined/not_defined (and for a comparison with nothing, which never passes except ne). */
  readonly value?: string;
  readonly type?: ExpressionType;
  readonly valueSource?: ExpressionValueSource;
}

/** A nested `<rule>` inside a rule. */
export interface NestedRuleExpression {
  readonly kind: 'rule';
  readonly rule: Rule;
}

/** A `<date_expression>`, `<rsc_expression>` or `<op_expression>` (or unknown element), kept verbatim. */
export interface UnsupportedExpression {
  readonly kind: 'unsupported';
  readonly xml: XmlElement;
}

/** One condition inside a rule. */
export type RuleExpression = AttributeExpression | NestedRuleExpression | UnsupportedExpression;

/**
 * `<rule>`: its expressions combined with `booleanOp` (absent = and; an `or` rule with no passing
 * expression fails, an `and` rule with no expressions passes). In a location constraint the rule
 * contributes `score`, or the value of node attribute `scoreAttribute`, on every node where it
 * passes; `role` limits it to instances in that role.
 */
export interface Rule {
  /** The rule's id; for a reference, the id of the rule it names. */
  readonly id: string;
  /** Set when the CIB wrote `<rule id-ref="..."/>`; the content is the referenced rule's. */
  readonly idRef?: string;
  readonly score?: Score;
  readonly scoreAttribute?: string;
  readonly booleanOp?: 'and' | 'or';
  readonly role?: Role;
  /** In document order: Pacemaker stops at the first expression that decides the outcome. */
  readonly expressions: readonly RuleExpression[];
}
