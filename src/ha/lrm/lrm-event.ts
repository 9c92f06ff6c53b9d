import type { Millis } from '../../lib/index.js';
import type { Role } from '../cib/index.js';
import type { AgentAction, OperationResult } from './operation.js';
import type { OperationVerdict } from './operation-verdict.js';

/** Identifies one requested operation; a recurring operation keeps its call id for all its results. */
export type CallId = number;

/**
 * An operation's result, as the LRM reports it (to the node's driver, which sends it to the DC to
 * be written into the CIB's status section).
 */
export interface OperationResultEvent {
  readonly kind: 'operation-result';
  readonly callId: CallId;
  readonly resourceId: string;
  readonly action: AgentAction;
  readonly intervalMs: Millis;
  readonly role?: Role;
  /** A monitor with interval 0. */
  readonly probe: boolean;
  readonly recurring: boolean;
  readonly result: OperationResult;
  readonly verdict: OperationVerdict;
  /** Time the operation waited behind other operations of its resource (or for a free slot). */
  readonly queueTimeMs: Millis;
  /** Wall-clock time the operation started (the CIB's last-run), milliseconds since the epoch. */
  readonly startedWallMs: number;
}

/** A recurring operation was cancelled (by a stop, a replacement, an explicit cancel or close). */
export interface OperationCancelledEvent {
  readonly kind: 'operation-cancelled';
  readonly callId: CallId;
  readonly resourceId: string;
  readonly action: AgentAction;
  readonly intervalMs: Millis;
}

export type LrmEvent = OperationResultEvent | OperationCancelledEvent;
