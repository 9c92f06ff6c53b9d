/**
 * What the controller asks of a node's local resource manager (LRM) and what comes back. The
 * request carries everything the agent needs (resolved from the CIB on the DC), so a node's LRM
 * never reads the CIB itself.
 */
import type { Millis } from '../../lib/index.js';

export type LrmOperation = 'start' | 'stop' | 'monitor' | 'promote' | 'demote';

export interface LrmRequest {
  /** The resource as the CIB status names it (a clone instance: `rsc:N` for unique clones). */
  readonly resource: string;
  readonly agent: { readonly class: string; readonly provider?: string; readonly type: string };
  readonly operation: LrmOperation;
  /** 0 for a one-shot operation (a probe is `monitor` with interval 0). */
  readonly interval: Millis;
  readonly timeout: Millis;
  readonly params: Readonly<Record<string, string>>;
  readonly meta: Readonly<Record<string, string>>;
  /** The rc that means success (0; 7 for a probe that expects the resource stopped; 8 promoted). */
  readonly expectedRc: number;
  /**
   * The resource is no longer in the configuration (the stop of an orphan): `params` are unknown
   * to the DC, so the node's LRM stops it with the definition it last ran it with.
   */
  readonly orphan?: boolean;
  /** The transition action this request serves, when it comes from a graph. */
  readonly graph?: { readonly graphId: number; readonly actionId: string };
}

/** Pacemaker's op-status values (PCMK_EXEC_*). */
export const OP_STATUS = { done: 0, pending: -1, cancelled: 1, timeout: 2, notSupported: 3, error: 4, errorHard: 5, errorFatal: 6, notInstalled: 7, notConnected: 8, invalid: 9 } as const;

export interface LrmResult {
  readonly node: string;
  readonly request: LrmRequest;
  readonly rc: number;
  readonly opStatus: number;
  readonly exitReason?: string;
  /** Per node, increasing: orders the history of one resource. */
  readonly callId: number;
  readonly execMs: number;
  /** Seconds since the epoch when the operation ended. */
  readonly finishedAt: number;
}

/** Whether the result is what the request expected. */
export function resultMatches(result: LrmResult): boolean {
  return result.opStatus === OP_STATUS.done && result.rc === result.request.expectedRc;
}
