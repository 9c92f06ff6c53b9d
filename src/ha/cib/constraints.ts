/**
 * Constraints (Pacemaker's `configuration/constraints`): location, colocation and order, each in
 * its two-resource form or its resource-set form. Constraint kinds the model does not cover
 * (rsc_ticket) are kept verbatim as `unsupported`. The list keeps document order, because
 * Pacemaker processes constraints in that order.
 */
import type { Rule } from './rule.js';
import type { Role } from './role.js';
import type { Score } from './score.js';
import type { XmlElement } from './xml-element.js';

/** The action an order constraint or resource set refers to. */
export type ConstraintAction = 'start' | 'stop' | 'promote' | 'demote';

export const CONSTRAINT_ACTIONS: readonly ConstraintAction[] = ['start', 'stop', 'promote', 'demote'];

/** Order strength (`kind`): Mandatory (default), Optional (only when both happen), Serialize (never at once). */
export type OrderKind = 'Mandatory' | 'Optional' | 'Serialize';

export const ORDER_KINDS: readonly OrderKind[] = ['Mandatory', 'Optional', 'Serialize'];

/**
 * `<resource_set>`: an ordered list of resource ids inside a set-form constraint. Attributes keep
 * their absence (the defaults differ between order and colocation sets: sequential defaults to
 * true, require-all to true).
 */
export interface ResourceSet {
  /** The set's id; for a reference, the id of the set it names. */
  readonly id: string;
  /** Set when the CIB wrote `<resource_set id-ref="..."/>`; the content is the referenced set's. */
  readonly idRef?: string;
  readonly sequential?: boolean;
  readonly requireAll?: boolean;
  readonly ordering?: 'group' | 'listed';
  readonly action?: ConstraintAction;
  readonly role?: Role;
  readonly score?: Score;
  readonly orderKind?: OrderKind;
  /** `<resource_ref id="..."/>` ids, in order. */
  readonly resources: readonly string[];
}

/** Which resources a location constraint places. */
export type LocationSubject =
  | { readonly kind: 'resource'; readonly rsc: string; readonly role?: Role }
  | { readonly kind: 'pattern'; readonly pattern: string; readonly role?: Role }
  | { readonly kind: 'sets'; readonly sets: readonly ResourceSet[] };

/** Where a location constraint places them: one node with a score, or rules evaluated per node. */
export type LocationPlacement =
  | { readonly kind: 'node'; readonly node: string; readonly score: Score }
  | { readonly kind: 'rules'; readonly rules: readonly Rule[] };

/** `<rsc_location>`: a preference (score) of a resource for nodes. */
export interface LocationConstraint {
  readonly kind: 'location';
  readonly id: string;
  readonly subject: LocationSubject;
  readonly placement: LocationPlacement;
  /** always (default), never, exclusive. */
  readonly resourceDiscovery?: 'always' | 'never' | 'exclusive';
  /** Deprecated `<lifetime>` rules: the constraint applies only while one passes. */
  readonly lifetime?: readonly Rule[];
}

/** Who is colocated with whom. */
export type ColocationSubject =
  | {
      readonly kind: 'pair';
      /** The dependent resource: placed according to `withRsc`. */
      readonly rsc: string;
      readonly withRsc: string;
      readonly rscRole?: Role;
      readonly withRscRole?: Role;
      /** Colocate on nodes with the same value of this node attribute instead of the same node. */
      readonly nodeAttribute?: string;
    }
  | { readonly kind: 'sets'; readonly sets: readonly ResourceSet[] };

/** `<rsc_colocation>`: positive scores pull resources together, negative ones apart. */
export interface ColocationConstraint {
  readonly kind: 'colocation';
  readonly id: string;
  /** Absent in the CIB means 0 for Pacemaker 2.1 (a colocation without effect). */
  readonly score?: Score;
  readonly subject: ColocationSubject;
  readonly lifetime?: readonly Rule[];
}

/** What is ordered before what. */
export type OrderSubject =
  | { readonly kind: 'pair'; readonly first: string; readonly then: string; readonly firstAction?: ConstraintAction; readonly thenAction?: ConstraintAction }
  | { readonly kind: 'sets'; readonly sets: readonly ResourceSet[] };

/** `<rsc_order>`: `then` waits for `first`. */
export interface OrderConstraint {
  readonly kind: 'order';
  readonly id: string;
  /** `kind` in the XML. Absent: Pacemaker derives it from `score` (0 = Optional), else Mandatory. */
  readonly orderKind?: OrderKind;
  /** Deprecated alternative to `kind`. */
  readonly score?: Score;
  /** Absent means true, except for Serialize. */
  readonly symmetrical?: boolean;
  readonly requireAll?: boolean;
  readonly subject: OrderSubject;
  readonly lifetime?: readonly Rule[];
}

/** A constraint the model does not cover (rsc_ticket, ...), kept verbatim; it has no behaviour. */
export interface UnsupportedConstraint {
  readonly kind: 'unsupported';
  readonly id?: string;
  readonly xml: XmlElement;
}

/** One constraint. */
export type Constraint = LocationConstraint | ColocationConstraint | OrderConstraint | UnsupportedConstraint;
