import type { LrmRequest, LrmResult } from './lrm-protocol.js';

export const CONTROLLER_PROTOCOL = 1;

/** Messages between controllers, carried by the reliable channel as JSON. */
export type ControllerMessage =
  /** DC to a node: run this operation. */
  | { readonly type: 'lrm-request'; readonly v: number; readonly request: LrmRequest }
  /** A node to the DC: an operation ended (graph actions, and recurring monitors that changed). */
  | { readonly type: 'lrm-result'; readonly v: number; readonly result: LrmResult }
  /**
   * DC to a node that joined its view (or restarted): send me your operation history. `members`
   * is the DC's view when it offered: a node takes the offer in that view only (absent from older
   * builds: taken in whatever view the node is in, as they did).
   */
  | { readonly type: 'join-offer'; readonly v: number; readonly round: number; readonly members?: readonly { readonly id: number; readonly incarnation: number }[] }
  /**
   * A node's answer to a join offer: the last result of every operation it knows. The DC replaces
   * the node's history in the CIB with it (Pacemaker's join does the same), so results that were
   * on their way to a lost DC are not lost and a restarted node's empty memory is not mistaken for
   * the truth of an older history.
   */
  | { readonly type: 'lrm-state'; readonly v: number; readonly round: number; readonly results: readonly LrmResult[] };
