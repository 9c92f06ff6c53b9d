/**
 * HEARTLINE-MIB's layout (mibs/HEARTLINE-MIB.txt) as data: every served scalar and table column
 * with its arc below the root and its SMI type, the notifications and the values they carry.
 * The agent registers exactly these; test/unit/snmp checks them against the MIB file's text, so
 * the MIB and the agent cannot drift apart silently.
 */

/** How a value is encoded: INTEGER (enumerations, TruthValue), Unsigned32, Gauge32, OCTET STRING. */
export type MibType = 'integer' | 'unsigned' | 'gauge' | 'string';

export interface ScalarObject {
  readonly name: string;
  /** Below the root, without the instance's `.0`. */
  readonly arc: readonly number[];
  readonly type: MibType;
}

export interface TableColumn {
  readonly name: string;
  readonly number: number;
  readonly type: MibType;
  /** An index column of the table itself (not-accessible: part of the OID, not a value). */
  readonly index?: true;
}

export interface TableObject {
  readonly name: TableName;
  /** The ENTRY's arc below the root (net-snmp's table provider OID is the entry's). */
  readonly entryArc: readonly number[];
  readonly columns: readonly TableColumn[];
  /**
   * The INDEX clause in order: a column of this table, or (`foreign`) of another table
   * (hlLinkTable's hlNodeId). A string index is its length then one sub-identifier per character.
   */
  readonly index: readonly { readonly column: string; readonly type: MibType; readonly foreign?: TableName }[];
}

export type TableName = 'hlNodeTable' | 'hlLinkTable' | 'hlResourceTable' | 'hlFenceTable' | 'hlAvailabilityTable';

export const CLUSTER_SCALARS: readonly ScalarObject[] = [
  { name: 'hlClusterName', arc: [1, 1, 1], type: 'string' },
  { name: 'hlClusterId', arc: [1, 1, 2], type: 'unsigned' },
  { name: 'hlClusterLocalNodeName', arc: [1, 1, 3], type: 'string' },
  { name: 'hlClusterDcName', arc: [1, 1, 4], type: 'string' },
  { name: 'hlClusterQuorate', arc: [1, 1, 5], type: 'integer' },
  { name: 'hlClusterViewSequence', arc: [1, 1, 6], type: 'unsigned' },
  { name: 'hlClusterViewId', arc: [1, 1, 7], type: 'string' },
  { name: 'hlClusterCibVersion', arc: [1, 1, 8], type: 'string' },
  { name: 'hlClusterCibEpoch', arc: [1, 1, 9], type: 'unsigned' },
  { name: 'hlClusterNodesConfigured', arc: [1, 1, 10], type: 'gauge' },
  { name: 'hlClusterNodesOnline', arc: [1, 1, 11], type: 'gauge' },
  { name: 'hlClusterDaemonReachable', arc: [1, 1, 12], type: 'integer' },
];

export const AVAILABILITY_SCALARS: readonly ScalarObject[] = [
  { name: 'hlAvailabilityWindowStart', arc: [1, 7, 1], type: 'string' },
  { name: 'hlAvailabilityWindowSeconds', arc: [1, 7, 2], type: 'unsigned' },
  { name: 'hlAvailabilityLowestPpm', arc: [1, 7, 3], type: 'unsigned' },
  { name: 'hlAvailabilityOutages', arc: [1, 7, 4], type: 'gauge' },
];

export const SERVED_SCALARS: readonly ScalarObject[] = [...CLUSTER_SCALARS, ...AVAILABILITY_SCALARS];

/** accessible-for-notify: carried by notifications only (instance `.0`), never served. */
export const NOTIFY_OBJECTS: readonly ScalarObject[] = [
  { name: 'hlNotifyNodeName', arc: [1, 8, 1], type: 'string' },
  { name: 'hlNotifyFromNode', arc: [1, 8, 2], type: 'string' },
  { name: 'hlNotifyToNode', arc: [1, 8, 3], type: 'string' },
  { name: 'hlNotifyDurationMs', arc: [1, 8, 4], type: 'gauge' },
  { name: 'hlNotifyOperation', arc: [1, 8, 5], type: 'string' },
  { name: 'hlNotifyReason', arc: [1, 8, 6], type: 'string' },
  { name: 'hlNotifyResourceId', arc: [1, 8, 7], type: 'string' },
];

export const TABLES: readonly TableObject[] = [
  {
    name: 'hlNodeTable',
    entryArc: [1, 2, 1],
    columns: [
      { name: 'hlNodeId', number: 1, type: 'unsigned', index: true },
      { name: 'hlNodeName', number: 2, type: 'string' },
      { name: 'hlNodeState', number: 3, type: 'integer' },
      { name: 'hlNodeIsDc', number: 4, type: 'integer' },
      { name: 'hlNodeIncarnation', number: 5, type: 'unsigned' },
    ],
    index: [{ column: 'hlNodeId', type: 'unsigned' }],
  },
  {
    name: 'hlLinkTable',
    entryArc: [1, 3, 1],
    columns: [
      { name: 'hlLinkIndex', number: 1, type: 'unsigned', index: true },
      { name: 'hlLinkName', number: 2, type: 'string' },
      { name: 'hlLinkPeerName', number: 3, type: 'string' },
      { name: 'hlLinkKind', number: 4, type: 'integer' },
      { name: 'hlLinkState', number: 5, type: 'integer' },
      { name: 'hlLinkLossPpm', number: 6, type: 'gauge' },
      { name: 'hlLinkRttUsec', number: 7, type: 'gauge' },
      { name: 'hlLinkLastHeardMs', number: 8, type: 'gauge' },
    ],
    index: [
      { column: 'hlNodeId', type: 'unsigned', foreign: 'hlNodeTable' },
      { column: 'hlLinkIndex', type: 'unsigned' },
    ],
  },
  {
    name: 'hlResourceTable',
    entryArc: [1, 4, 1],
    columns: [
      { name: 'hlResourceId', number: 1, type: 'string', index: true },
      { name: 'hlResourceAgent', number: 2, type: 'string' },
      { name: 'hlResourceRole', number: 3, type: 'integer' },
      { name: 'hlResourceNodeName', number: 4, type: 'string' },
      { name: 'hlResourceFailCount', number: 5, type: 'unsigned' },
      { name: 'hlResourceManaged', number: 6, type: 'integer' },
    ],
    index: [{ column: 'hlResourceId', type: 'string' }],
  },
  {
    name: 'hlFenceTable',
    entryArc: [1, 5, 1],
    columns: [
      { name: 'hlFenceIndex', number: 1, type: 'unsigned', index: true },
      { name: 'hlFenceTarget', number: 2, type: 'string' },
      { name: 'hlFenceDevice', number: 3, type: 'string' },
      { name: 'hlFenceAction', number: 4, type: 'integer' },
      { name: 'hlFenceResult', number: 5, type: 'integer' },
      { name: 'hlFenceTime', number: 6, type: 'string' },
      { name: 'hlFenceDurationMs', number: 7, type: 'gauge' },
      { name: 'hlFenceRequester', number: 8, type: 'string' },
      { name: 'hlFenceReason', number: 9, type: 'string' },
    ],
    index: [{ column: 'hlFenceIndex', type: 'unsigned' }],
  },
  {
    name: 'hlAvailabilityTable',
    entryArc: [1, 7, 5, 1],
    columns: [
      { name: 'hlAvailabilityResourceId', number: 1, type: 'string', index: true },
      { name: 'hlAvailabilityDowntime', number: 2, type: 'unsigned' },
      { name: 'hlAvailabilityOutageCount', number: 3, type: 'gauge' },
      { name: 'hlAvailabilityMttr', number: 4, type: 'unsigned' },
      { name: 'hlAvailabilityMttf', number: 5, type: 'unsigned' },
      { name: 'hlAvailabilityPpm', number: 6, type: 'unsigned' },
      { name: 'hlAvailabilityText', number: 7, type: 'string' },
    ],
    index: [{ column: 'hlAvailabilityResourceId', type: 'string' }],
  },
];

export type NotificationName = 'hlNodeDown' | 'hlNodeUp' | 'hlLinkDown' | 'hlLinkUp' | 'hlQuorumLost' | 'hlQuorumRegained' | 'hlResourceFailed' | 'hlFailover' | 'hlFenceResultNotification';

/** The notifications' numbers below heartlineNotifications (root.0). */
export const NOTIFICATIONS: Readonly<Record<NotificationName, number>> = {
  hlNodeDown: 1,
  hlNodeUp: 2,
  hlLinkDown: 3,
  hlLinkUp: 4,
  hlQuorumLost: 5,
  hlQuorumRegained: 6,
  hlResourceFailed: 7,
  hlFailover: 8,
  hlFenceResultNotification: 9,
};

/** Enumerations, as the MIB numbers them. */
export const NODE_STATE = { online: 1, standby: 2, maintenance: 3, 'shutting-down': 4, pending: 5, offline: 6, unclean: 7 } as const;
export const LINK_KIND = { 'udp-unicast': 1, 'udp-broadcast': 2, 'udp-multicast': 3, serial: 4 } as const;
export const LINK_STATE = { up: 1, down: 2, unknown: 3 } as const;
export const RESOURCE_ROLE = { stopped: 1, started: 2, unpromoted: 3, promoted: 4, failed: 5, multiplyActive: 6, unknown: 7 } as const;
export const FENCE_ACTION = { off: 1, on: 2, reboot: 3 } as const;
export const FENCE_RESULT = { success: 1, failed: 2, confirmedByOperator: 3 } as const;
export const TRUTH = { true: 1, false: 2 } as const;

/** Gauge32 and Unsigned32 stop here; `never` for hlLinkLastHeardMs. */
export const UNSIGNED_MAX = 4294967295;

export function tableObject(name: TableName): TableObject {
  const table = TABLES.find((t) => t.name === name);
  if (table === undefined) throw new Error(`no table ${name}`);
  return table;
}

/** `root.arc` as dotted text. */
export function oidOf(root: string, arc: readonly number[]): string {
  return [root, ...arc].join('.');
}

/** The OID of a column's instance in a row (`entry.column.index…`). */
export function columnInstanceOid(root: string, table: TableName, column: string, index: readonly (number | string)[]): string {
  const t = tableObject(table);
  const c = t.columns.find((x) => x.name === column);
  if (c === undefined) throw new Error(`no column ${column} in ${table}`);
  return [root, ...t.entryArc, c.number, ...encodeIndex(index)].join('.');
}

/** An index as sub-identifiers: a number as itself, a string as its length then its characters. */
export function encodeIndex(index: readonly (number | string)[]): number[] {
  return index.flatMap((part) => (typeof part === 'number' ? [part] : [part.length, ...[...part].map((c) => c.charCodeAt(0))]));
}
