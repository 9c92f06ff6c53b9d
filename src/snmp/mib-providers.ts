/**
 * HEARTLINE-MIB in net-snmp's terms: the providers (scalars and tables) to register under a root,
 * and MibContents, which keeps a net-snmp Mib equal to the latest MibSnapshot by adding, changing
 * and deleting only what differs (a walk between two polls sees one snapshot or the next, never a
 * mix: the update is synchronous).
 */
import snmp, { type Mib, type Provider, type Value, type Varbind } from 'net-snmp';
import { oidOf, SERVED_SCALARS, TABLES, type MibType, type TableName } from './heartline-mib.js';
import type { MibSnapshot, MibValue } from './mib-values.js';

export function objectType(type: MibType): number {
  switch (type) {
    case 'integer':
      return snmp.ObjectType.Integer;
    case 'unsigned':
      return snmp.ObjectType.Unsigned32;
    case 'gauge':
      return snmp.ObjectType.Gauge;
    case 'string':
      return snmp.ObjectType.OctetString;
  }
}

/** Every served provider, tables after the node table (hlLinkTable's index names hlNodeTable's column). */
export function heartlineProviders(root: string): Provider[] {
  const readOnly = snmp.MaxAccess['read-only'];
  const scalars: Provider[] = SERVED_SCALARS.map((s) => ({ name: s.name, type: snmp.MibProviderType.Scalar, oid: oidOf(root, s.arc), scalarType: objectType(s.type), maxAccess: readOnly }));
  const tables: Provider[] = TABLES.map((t) => ({
    name: t.name,
    type: snmp.MibProviderType.Table,
    oid: oidOf(root, t.entryArc),
    maxAccess: snmp.MaxAccess['not-accessible'],
    tableColumns: t.columns.map((c) => ({ number: c.number, name: c.name, type: objectType(c.type), maxAccess: c.index === true ? snmp.MaxAccess['not-accessible'] : readOnly })),
    tableIndex: t.index.map((i) => ({ columnName: i.column, ...(i.foreign === undefined ? {} : { foreign: i.foreign }) })),
  }));
  return [...scalars, ...tables];
}

export function toVarbind(oid: string, type: MibType, value: MibValue): Varbind {
  return { oid, type: objectType(type), value };
}

const sameValue = (a: MibValue | undefined, b: MibValue): boolean => (Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : a === b);

interface HeldRow {
  readonly index: readonly (string | number)[];
  readonly values: readonly MibValue[];
}

/** One Mib's contents; make a new one for a new Mib (a re-created subagent). */
export class MibContents {
  private readonly scalars = new Map<string, MibValue>();
  private readonly rows = new Map<TableName, Map<string, HeldRow>>();

  constructor(private readonly mib: Mib) {}

  apply(snapshot: MibSnapshot): void {
    for (const [name, value] of Object.entries(snapshot.scalars)) {
      if (this.scalars.has(name) && sameValue(this.scalars.get(name), value)) continue;
      this.mib.setScalarValue(name, value);
      this.scalars.set(name, value);
    }
    for (const table of TABLES) {
      const held = this.rows.get(table.name) ?? new Map<string, HeldRow>();
      this.rows.set(table.name, held);
      const wanted = new Map(snapshot.tables[table.name].map((row) => [JSON.stringify(row.index), row]));
      for (const [key, row] of held) {
        if (!wanted.has(key)) {
          this.mib.deleteTableRow(table.name, [...row.index]);
          held.delete(key);
        }
      }
      // Foreign index values lead the row (hlLinkTable: hlNodeId), then the table's own columns.
      const offset = table.index.filter((i) => i.foreign !== undefined).length;
      for (const [key, row] of wanted) {
        const before = held.get(key);
        if (before === undefined) {
          this.mib.addTableRow(table.name, [...row.values] as Value[]);
        } else {
          table.columns.forEach((column, i) => {
            const value = row.values[offset + i];
            if (value !== undefined && column.index !== true && !sameValue(before.values[offset + i], value)) this.mib.setTableSingleCell(table.name, column.number, [...row.index], value);
          });
        }
        held.set(key, row);
      }
    }
  }
}
