/**
 * Fencing topology (`configuration/fencing-topology`): which fence devices to try, level by level,
 * for each target node. Levels with a lower index are tried first; all devices of a level must
 * succeed for the level to succeed.
 */

/** `<fencing-level>`: exactly one way of naming the target is set. */
export interface FencingLevel {
  readonly id: string;
  /** A node name. */
  readonly target?: string;
  /** A regular expression over node names. */
  readonly targetPattern?: string;
  /** A node attribute name; nodes whose value equals `targetValue` are targets. */
  readonly targetAttribute?: string;
  readonly targetValue?: string;
  /** 1 or more; lower runs first. */
  readonly index: number;
  /** Fence device (resource) ids, in the order written (comma-separated in the XML). */
  readonly devices: readonly string[];
}
