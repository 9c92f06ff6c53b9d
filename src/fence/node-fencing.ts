/**
 * NodeFencing: what the daemon asks of fencing, whatever does it. The controller's `fence` effects
 * (the policy engine's fence actions) and `heartline fence NODE` become one `fence` call each; the
 * answer is a value, never a rejection. Implementations: a command run per request (the test bed
 * and `heartline demo`, where "power off" kills a namespace's processes) and the Fencer over the
 * devices of a hardware profile (real PDUs and BMCs, with topology levels and a fence history).
 */
export type NodeFenceAction = 'off' | 'reboot' | 'on';

export interface NodeFenceRequest {
  /** The node to fence, by name. */
  readonly target: string;
  readonly action: NodeFenceAction;
  /** Why, in words (`peer lost`, `stop failed for db`, `asked by root with heartline fence`). */
  readonly reason: string;
  /** Who asked: a node name, or `user@node` for an operator. */
  readonly requester: string;
}

export type NodeFenceResult =
  | { readonly ok: true; readonly device: string; readonly durationMs: number }
  | { readonly ok: false; readonly reason: string; readonly durationMs: number };

export interface NodeFencing {
  fence(request: NodeFenceRequest): Promise<NodeFenceResult>;
  /**
   * An outcome another member broadcast (optional: only fencers that join or delay requests use
   * it). A success for a target this node is still waiting to fence ends that wait.
   */
  notice?(target: string, action: NodeFenceAction, ok: boolean, by: string): void;
  /**
   * A person verified that `target` is off (`heartline fence confirm`): requests for it end, and a
   * fencer with a history records the confirmation with `by` (optional).
   */
  confirm?(target: string, by: string): void;
  /** Stops pending work (daemon shutdown); pending calls resolve with ok: false. */
  close(): Promise<void>;
}
