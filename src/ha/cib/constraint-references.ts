/**
 * What a constraint names: resources (pair attributes, resource sets, and for constraints kept
 * verbatim such as rsc_ticket the `rsc`, `with-rsc`, `first` and `then` attributes and
 * `resource_ref` children) and nodes (a location constraint's `node`). Used to refuse changes that
 * would leave a constraint naming something that does not exist.
 */
import type { Constraint, ResourceSet } from './constraints.js';
import type { XmlElement } from './xml-element.js';

/** The resource ids a constraint names, in order, without repeats. */
export function constraintResourceIds(constraint: Constraint): string[] {
  const ids: string[] = [];
  const sets = (list: readonly ResourceSet[]): void => {
    for (const set of list) ids.push(...set.resources);
  };
  switch (constraint.kind) {
    case 'location':
      if (constraint.subject.kind === 'resource') ids.push(constraint.subject.rsc);
      if (constraint.subject.kind === 'sets') sets(constraint.subject.sets);
      break;
    case 'colocation':
      if (constraint.subject.kind === 'pair') ids.push(constraint.subject.rsc, constraint.subject.withRsc);
      else sets(constraint.subject.sets);
      break;
    case 'order':
      if (constraint.subject.kind === 'pair') ids.push(constraint.subject.first, constraint.subject.then);
      else sets(constraint.subject.sets);
      break;
    case 'unsupported':
      verbatimReferences(constraint.xml, ids);
      break;
  }
  return [...new Set(ids)];
}

function verbatimReferences(element: XmlElement, into: string[]): void {
  for (const attribute of element.attributes) {
    if (['rsc', 'with-rsc', 'first', 'then'].includes(attribute.name)) into.push(attribute.value);
    if (element.name === 'resource_ref' && attribute.name === 'id') into.push(attribute.value);
  }
  for (const child of element.children) verbatimReferences(child, into);
}

/** The node name a location constraint places on, if it names one. */
export function constraintNodeName(constraint: Constraint): string | undefined {
  return constraint.kind === 'location' && constraint.placement.kind === 'node' ? constraint.placement.node : undefined;
}

/**
 * `constraint` without the resources in `removed`, as `pcs resource delete` leaves it: a
 * constraint whose pair names one of them is dropped (undefined), resource sets lose the removed
 * members, empty sets are dropped, and a constraint left without sets is dropped.
 */
export function withoutResources(constraint: Constraint, removed: ReadonlySet<string>): Constraint | undefined {
  const names = constraintResourceIds(constraint);
  if (!names.some((id) => removed.has(id))) return constraint;
  if (constraint.kind === 'unsupported') return undefined;
  if (constraint.subject.kind !== 'sets') return undefined;
  const sets = constraint.subject.sets
    .map((set) => ({ ...set, resources: set.resources.filter((id) => !removed.has(id)) }))
    .filter((set) => set.resources.length > 0);
  if (sets.length === 0) return undefined;
  return { ...constraint, subject: { kind: 'sets', sets } };
}
