/**
 * FencedMembers: the nodes fenced successfully while they were members of the view, with the
 * incarnation they had then. A fence can succeed before membership notices that the node is gone
 * (an operator's `heartline fence NODE` is over in a few hundred ms, deadtime is longer). Without
 * this memory the node's later departure looks unclean and the policy fences it a second time,
 * delaying its resources' recovery by that fence. With it, the controller treats that departure
 * (and the node's presence in a view until then) as the fenced node being down, cleanly.
 *
 * A node seen again with another incarnation has restarted since: its fence is history and it is
 * forgotten. One that is not a member when it is fenced needs no memory: it already left, and the
 * DC records the fence at once.
 */
import type { NodeId } from '../../lib/index.js';

export class FencedMembers {
  private readonly fenced = new Map<NodeId, number>();

  /**
   * A fence of `node` succeeded. `incarnation` is its incarnation in the current view, undefined
   * when it is not a member (then there is nothing to remember).
   */
  recordFence(node: NodeId, incarnation: number | undefined): void {
    if (incarnation !== undefined) this.fenced.set(node, incarnation);
  }

  /** A new view: nodes that are members again with another incarnation have restarted since their fence. */
  onView(members: ReadonlyMap<NodeId, number>): void {
    for (const [node, incarnation] of [...this.fenced]) {
      const now = members.get(node);
      if (now !== undefined && now !== incarnation) this.fenced.delete(node);
    }
  }

  /**
   * Whether `node` is down because it was fenced: it was fenced while a member and has not been
   * seen with another incarnation since. `incarnation`: its incarnation in the current view, or
   * undefined when it is not a member.
   */
  isFenced(node: NodeId, incarnation: number | undefined): boolean {
    const fenced = this.fenced.get(node);
    return fenced !== undefined && (incarnation === undefined || incarnation === fenced);
  }
}
