/**
 * Finding and rewriting resources anywhere in the resource tree (top level, group members, clone
 * children), for the CIB changes. Every function returns new arrays and objects for what changes
 * and keeps the others (so unchanged parts stay shared between snapshots), and returns the input
 * itself when nothing changes.
 */
import type { Clone, Group, Primitive, Resource } from './resources.js';

/** Where a resource is: the resource, the index of its top-level ancestor, and its parent if nested. */
export interface ResourcePlace {
  readonly resource: Resource;
  readonly topIndex: number;
  readonly parent?: Group | Clone;
}

/** The resource with id `id` at any depth, or undefined. */
export function findResource(resources: readonly Resource[], id: string): ResourcePlace | undefined {
  for (const [topIndex, top] of resources.entries()) {
    if (top.id === id) return { resource: top, topIndex };
    const nested = findNested(top, id);
    if (nested !== undefined) return { ...nested, topIndex };
  }
  return undefined;
}

function findNested(resource: Resource, id: string): { resource: Resource; parent: Group | Clone } | undefined {
  if (resource.kind === 'group') {
    const member = resource.members.find((m) => m.id === id);
    return member === undefined ? undefined : { resource: member, parent: resource };
  }
  if (resource.kind === 'clone') {
    if (resource.child.id === id) return { resource: resource.child, parent: resource };
    return findNested(resource.child, id);
  }
  return undefined;
}

/** `resource`'s id and the ids of every resource inside it (members, clone child). */
export function resourceIdsWithin(resource: Resource): string[] {
  const ids = resource.id === undefined ? [] : [resource.id];
  if (resource.kind === 'group') ids.push(...resource.members.map((m) => m.id));
  if (resource.kind === 'clone') ids.push(...resourceIdsWithin(resource.child));
  return ids;
}

/** Every resource id in the tree, at any depth. */
export function allResourceIds(resources: readonly Resource[]): Set<string> {
  const ids = new Set<string>();
  for (const resource of resources) for (const id of resourceIdsWithin(resource)) ids.add(id);
  return ids;
}

/** The primitives inside `resource` (itself if it is one). */
export function primitivesWithin(resource: Resource): Primitive[] {
  switch (resource.kind) {
    case 'primitive':
      return [resource];
    case 'group':
      return [...resource.members];
    case 'clone':
      return primitivesWithin(resource.child);
    case 'unsupported':
      return [];
  }
}

/** The tree with resource `id` (at any depth) replaced by `update(resource)`. */
export function updateResource(resources: readonly Resource[], id: string, update: (resource: Primitive | Group | Clone) => Primitive | Group | Clone): readonly Resource[] {
  let changed = false;
  const visit = <T extends Resource>(resource: T): T => {
    if (resource.kind === 'unsupported') return resource;
    let next: Primitive | Group | Clone = resource;
    if (next.id === id) next = update(next);
    else if (next.kind === 'group') {
      const members = next.members.map(visit);
      if (members.some((m, i) => m !== (next as Group).members[i])) next = { ...next, members };
    } else if (next.kind === 'clone') {
      const child = visit(next.child);
      if (child !== next.child) next = { ...next, child };
    }
    if (next !== resource) changed = true;
    return next as T;
  };
  const result = resources.map(visit);
  return changed ? result : resources;
}

/** The tree without group member `id` (the caller has checked it is a member of a group with other members). */
export function removeGroupMember(resources: readonly Resource[], group: Group, id: string): readonly Resource[] {
  return updateResource(resources, group.id, (g) => (g.kind === 'group' ? { ...g, members: g.members.filter((m) => m.id !== id) } : g));
}
