import type { NodeId } from '../../lib/index.js';

/**
 * A member of a view is a node in one incarnation: a node that restarts is a new member, so the
 * cluster sees it leave and rejoin even when the restart is faster than deadtime.
 */
export interface Member {
  readonly id: NodeId;
  readonly incarnation: number;
}

/**
 * A view id is (seq, proposer, proposer's incarnation): seq grows with every view the cluster
 * forms; the proposer makes it unique when two partitions form views with the same seq at once, and
 * the incarnation when a restarted node (whose seq starts again from what it can hear) forms a view
 * alone.
 */
export interface ViewId {
  readonly seq: number;
  readonly proposer: NodeId;
  readonly incarnation: number;
}

/**
 * An agreed membership view. Every member that installs a view with a given id installs the same
 * members and the same DC: views are only created by a proposer that got every member's promise,
 * and they travel as a whole (commit message, then every heartbeat).
 */
export interface View {
  readonly id: ViewId;
  /** Sorted by node id, no duplicates. */
  readonly members: readonly Member[];
  /** The designated coordinator of this view; always a member. */
  readonly dc: NodeId;
}

export function compareViewIds(a: ViewId, b: ViewId): number {
  return a.seq - b.seq || a.proposer - b.proposer || a.incarnation - b.incarnation;
}

export function formatViewId(id: ViewId): string {
  return `${id.seq}.${id.proposer}.${id.incarnation}`;
}

export function sortMembers(members: readonly Member[]): Member[] {
  return [...members].sort((a, b) => a.id - b.id);
}

/** True when both lists hold the same nodes in the same incarnations (both sorted). */
export function sameMembers(a: readonly Member[], b: readonly Member[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((m, i) => m.id === b[i]?.id && m.incarnation === b[i]?.incarnation);
}

export function hasMember(members: readonly Member[], member: Member): boolean {
  return members.some((m) => m.id === member.id && m.incarnation === member.incarnation);
}

export function formatMembers(members: readonly Member[]): string {
  return members.map((m) => `n${m.id}/${m.incarnation}`).join(',');
}

export function formatView(view: View | null): string {
  return view === null ? 'none' : `${formatViewId(view.id)}[${formatMembers(view.members)}]dc=n${view.dc}`;
}
