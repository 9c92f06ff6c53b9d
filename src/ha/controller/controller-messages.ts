import type { LrmRequest, LrmResult } from './lrm-protocol.js';

export const CONTROLLER_PROTOCOL = 1;

/** Messages between controllers, carried by the reliable channel as JSON. */
export type ControllerMessage =
  /** DC to a node: run this operation. */
  | { readonly type: 'lrm-request'; readonly v: number; readonly request: LrmRequest }
  /** A node to the DC: an operation ended (graph actions, and recurring monitors that changed). */
  | { readonly type: 'lrm-result'; readonly v: number; readonly result: LrmResult }
  /**
   * A node to a new DC: the last result of every operation it knows, so results that were on their
   * way to a lost DC are not lost (Pacemaker's join sends the node's whole LRM history likewise).
   */
  | { readonly type: 'lrm-state'; readonly v: number; readonly results: readonly LrmResult[] };
