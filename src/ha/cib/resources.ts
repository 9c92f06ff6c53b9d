/**
 * Resources (Pacemaker's `configuration/resources`): primitives, groups of primitives, and clones
 * of a primitive or a group, promotable or not. Elements the model does not cover (bundles,
 * templates, primitives built from a template) are kept verbatim as `unsupported` resources. The
 * order of the list is the document order, which Pacemaker uses to break ties between resources.
 */
import type { Millis } from '../../lib/index.js';
import type { NvSet } from './nvset.js';
import type { Role } from './role.js';
import type { XmlElement } from './xml-element.js';

/** The resource agent standards Pacemaker 2.1 knows (`class`). */
export type ResourceClass = 'ocf' | 'lsb' | 'heartbeat' | 'stonith' | 'upstart' | 'service' | 'systemd' | 'nagios';

export const RESOURCE_CLASSES: readonly ResourceClass[] = ['ocf', 'lsb', 'heartbeat', 'stonith', 'upstart', 'service', 'systemd', 'nagios'];

/** What to do when an operation fails (`on-fail`); absent means the default for the operation. */
export type OnFail = 'ignore' | 'block' | 'demote' | 'stop' | 'restart' | 'standby' | 'fence' | 'restart-container';

export const ON_FAIL_VALUES: readonly OnFail[] = ['ignore', 'block', 'demote', 'stop', 'restart', 'standby', 'fence', 'restart-container'];

/**
 * `<op>`: the definition of one operation of a primitive. An operation is identified by
 * (name, interval): interval 0 is a one-shot action (start, stop, promote, demote, notify, or a
 * probe for monitor), a non-zero interval is a recurring monitor, optionally only in `role`.
 */
export interface Operation {
  readonly id: string;
  /** start, stop, monitor, promote, demote, notify, or any agent action. */
  readonly name: string;
  readonly interval: Millis;
  readonly description?: string;
  readonly timeout?: Millis;
  readonly startDelay?: Millis;
  /** An ISO 8601 date the interval counts from (kept as written). */
  readonly intervalOrigin?: string;
  /** false disables the (recurring) operation; absent means true. */
  readonly enabled?: boolean;
  readonly recordPending?: boolean;
  readonly role?: Role;
  readonly onFail?: OnFail;
  /** Deprecated (pacemaker-2.x schemas): what the operation needs (nothing, quorum, fencing, unfencing). */
  readonly requires?: string;
  /** Operation parameters, e.g. OCF_CHECK_LEVEL. */
  readonly instanceAttributes: readonly NvSet[];
  /** Operation options (timeout, on-fail, ...) written as nvpairs. */
  readonly metaAttributes: readonly NvSet[];
}

/** `<operations>`: the operation list of a primitive. */
export interface OperationSet {
  /** The element's optional id; for a reference, the id of the list it names. */
  readonly id?: string;
  /** Set when the CIB wrote `<operations id-ref="..."/>`; the ops are the referenced list's. */
  readonly idRef?: string;
  readonly ops: readonly Operation[];
}

/** `<primitive>`: one resource run by one agent. */
export interface Primitive {
  readonly kind: 'primitive';
  readonly id: string;
  readonly class: ResourceClass;
  /** Only for class ocf (where the schema requires it). */
  readonly provider?: string;
  /** The agent's name, e.g. Dummy, IPaddr2, fence_ipmilan. */
  readonly type: string;
  readonly description?: string;
  /** Agent parameters; they feed operation digests and nothing else in the policy engine. */
  readonly instanceAttributes: readonly NvSet[];
  /** Resource options: target-role, is-managed, resource-stickiness, migration-threshold, ... */
  readonly metaAttributes: readonly NvSet[];
  /** Undefined when the primitive has no `<operations>` element. */
  readonly operations?: OperationSet;
}

/** `<group>`: primitives started in order and kept together on one node. */
export interface Group {
  readonly kind: 'group';
  readonly id: string;
  readonly description?: string;
  readonly instanceAttributes: readonly NvSet[];
  /** Group options (ordered, collocated) and options inherited by the members. */
  readonly metaAttributes: readonly NvSet[];
  /** In start order. */
  readonly members: readonly Primitive[];
}

/**
 * `<clone>` (or the legacy `<master>`): copies of one primitive or group on several nodes. Clone
 * options are meta attributes: clone-max, clone-node-max, globally-unique, interleave, ordered,
 * notify, and for promotable clones promotable, promoted-max, promoted-node-max. A clone is
 * promotable when its resolved `promotable` meta attribute is true (rsc_defaults included), or
 * when it was written as `<master>` (see isPromotableClone).
 */
export interface Clone {
  readonly kind: 'clone';
  readonly id: string;
  readonly description?: string;
  /** True when the CIB wrote this clone as the deprecated `<master>` element; export keeps it. */
  readonly legacyMaster: boolean;
  readonly instanceAttributes: readonly NvSet[];
  readonly metaAttributes: readonly NvSet[];
  readonly child: Primitive | Group;
}

/** A resource the model does not cover (bundle, template, ...), kept verbatim; it has no behaviour. */
export interface UnsupportedResource {
  readonly kind: 'unsupported';
  readonly id?: string;
  readonly xml: XmlElement;
}

/** A top-level resource. */
export type Resource = Primitive | Group | Clone | UnsupportedResource;

/**
 * Whether a clone is promotable, given the value of its `promotable` meta attribute after the
 * caller has resolved the clone's own sets and rsc_defaults (Pacemaker's detect_promotable).
 */
export function isPromotableClone(clone: Clone, resolvedPromotable: string | undefined): boolean {
  if (clone.legacyMaster) return true;
  const v = resolvedPromotable?.trim().toLowerCase();
  return v === 'true' || v === 'on' || v === 'yes' || v === 'y' || v === '1';
}

/**
 * Every primitive in `resources`, in document order, with the group and clone that contain it.
 * Unsupported resources contribute nothing.
 */
export function listPrimitives(resources: readonly Resource[]): readonly { readonly primitive: Primitive; readonly group?: Group; readonly clone?: Clone }[] {
  const out: { primitive: Primitive; group?: Group; clone?: Clone }[] = [];
  const visit = (rsc: Primitive | Group, clone: Clone | undefined): void => {
    if (rsc.kind === 'primitive') {
      out.push(clone === undefined ? { primitive: rsc } : { primitive: rsc, clone });
      return;
    }
    for (const member of rsc.members) out.push(clone === undefined ? { primitive: member, group: rsc } : { primitive: member, group: rsc, clone });
  };
  for (const rsc of resources) {
    if (rsc.kind === 'clone') visit(rsc.child, rsc);
    else if (rsc.kind !== 'unsupported') visit(rsc, undefined);
  }
  return out;
}
