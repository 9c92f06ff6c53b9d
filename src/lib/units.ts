/**
 * Branded units and identifiers. Mixing milliseconds with counts, or a node id with a port number,
 * is a compile error instead of a failover bug.
 */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A duration or a point on a monotonic clock, in milliseconds. Integral in the simulator. */
export type Millis = Brand<number, 'Millis'>;

/** A cluster node's numeric id (1..65535), unique within one cluster and stable across restarts. */
export type NodeId = Brand<number, 'NodeId'>;

export const NODE_ID_MIN = 1;
export const NODE_ID_MAX = 0xffff;

export function millis(value: number): Millis {
  return value as Millis;
}

export function isNodeId(value: number): value is NodeId {
  return Number.isInteger(value) && value >= NODE_ID_MIN && value <= NODE_ID_MAX;
}

/** Brands a number known to be a valid node id; throws on anything else (a programming error). */
export function nodeId(value: number): NodeId {
  if (!isNodeId(value)) throw new RangeError(`node id must be an integer in ${NODE_ID_MIN}..${NODE_ID_MAX}, got ${value}`);
  return value;
}
