/**
 * The MIB a simulated switched PDU serves (through snmpd's pass_persist): for each device model
 * the tests know, the objects fence-agents and the snmp-pdu driver read and write, built from the
 * outlets' state, with GET, GETNEXT and SET semantics. No I/O: pdu-pass-persist.ts feeds it and
 * persists the state; the unit tests call it directly.
 *
 * Tables per model (PowerNet-MIB, EATON-EPDU-MIB, Pulizzi, IF-MIB; values as fence-agents use them):
 * - `apc` (one agent, three layouts, as a real APC serves one family): rPDU status/control/config
 *   tables (.318.1.1.12.3.{3,4,5}), sPDU MasterSwitch (.318.1.1.4.4.2.1), MasterSwitch plus
 *   (.318.1.1.6.{5,7}, switch 1 only). Which one an agent uses depends on sysObjectID.
 * - `eaton-managed`: outletControlStatus .534.6.6.6.1.2.2.1.3.(N-1), names .1.(N-1); 1 on, 0 off.
 * - `eaton-switched`: status .20677.2.6.3.N.0 (1 on, 2 off), control .20677.2.6.2.(N+1).0.
 * - `ifmib`: ifIndex/ifDescr/ifAdminStatus/ifOperStatus of .1.3.6.1.2.1.2.2.1 (1 up, 2 down).
 * Writes of "reboot" commands (APC rPDU 3/6, sPDU 3/7, MSP 2) power the outlet off and report
 * `reboot` so that the caller powers it on again after its reboot delay.
 */

export type PduTableKind = 'apc' | 'eaton-managed' | 'eaton-switched' | 'ifmib';

export interface OutletState {
  readonly name: string;
  readonly on: boolean;
  /** A reboot is in progress (APC CommandPending). */
  readonly pending?: boolean;
}

/** Outlets by number (1-based). */
export type OutletTable = Readonly<Record<string, OutletState>>;

export type SnmpType = 'integer' | 'string' | 'objectid';

/** A pass_persist answer to GET/GETNEXT: the OID, type and value; or undefined for NONE. */
export interface MibValue {
  readonly oid: string;
  readonly type: SnmpType;
  readonly value: string;
}

/** What a SET does to the outlets (or the pass_persist error word to answer). */
export type SetEffect =
  | { readonly kind: 'power'; readonly outlet: number; readonly on: boolean }
  | { readonly kind: 'reboot'; readonly outlet: number }
  | { readonly kind: 'rename'; readonly outlet: number; readonly name: string }
  | { readonly kind: 'error'; readonly answer: 'not-writable' | 'wrong-type' | 'wrong-value' | 'inconsistent-value' };

type Setter = (type: string, value: string) => SetEffect;

interface Row {
  readonly oid: readonly number[];
  readonly type: SnmpType;
  readonly value: string;
  readonly set?: Setter;
}

const APC = [1, 3, 6, 1, 4, 1, 318];

function integerCommand(outlet: number, on: readonly number[], off: readonly number[], reboot: readonly number[]): Setter {
  return (type, value) => {
    if (type !== 'integer') return { kind: 'error', answer: 'wrong-type' };
    const number = Number(value);
    if (!Number.isInteger(number)) return { kind: 'error', answer: 'wrong-value' };
    if (on.includes(number)) return { kind: 'power', outlet, on: true };
    if (off.includes(number)) return { kind: 'power', outlet, on: false };
    if (reboot.includes(number)) return { kind: 'reboot', outlet };
    return { kind: 'error', answer: 'wrong-value' };
  };
}

function nameSetter(outlet: number): Setter {
  return (type, value) => (type === 'string' || type === 'octet' ? { kind: 'rename', outlet, name: value.replace(/^"|"$/g, '') } : { kind: 'error', answer: 'wrong-type' });
}

function buildRows(kind: PduTableKind, outlets: OutletTable): Row[] {
  const rows: Row[] = [];
  const add = (oid: readonly number[], type: SnmpType, value: string | number, set?: Setter): void => {
    rows.push({ oid, type, value: String(value), ...(set === undefined ? {} : { set }) });
  };
  const entries = Object.entries(outlets)
    .map(([key, state]) => [Number(key), state] as const)
    .filter(([n]) => Number.isInteger(n) && n >= 1)
    .sort(([a], [b]) => a - b);
  switch (kind) {
    case 'apc': {
      const rpdu = [...APC, 1, 1, 12];
      add([...rpdu, 1, 8, 0], 'integer', entries.length);
      for (const [n, s] of entries) {
        add([...rpdu, 3, 3, 1, 1, 1, n], 'integer', n);
        add([...rpdu, 3, 3, 1, 1, 2, n], 'string', s.name);
        add([...rpdu, 3, 3, 1, 1, 4, n], 'integer', s.on ? 1 : 2, integerCommand(n, [1, 4], [2, 5], [3, 6]));
        add([...rpdu, 3, 4, 1, 1, 1, n], 'integer', n);
        add([...rpdu, 3, 4, 1, 1, 2, n], 'string', s.name, nameSetter(n));
        add([...rpdu, 3, 5, 1, 1, 1, n], 'integer', n);
        add([...rpdu, 3, 5, 1, 1, 2, n], 'string', s.name);
        add([...rpdu, 3, 5, 1, 1, 4, n], 'integer', s.on ? 1 : 2);
        add([...rpdu, 3, 5, 1, 1, 5, n], 'integer', s.pending === true ? 1 : 2);
      }
      const spdu = [...APC, 1, 1, 4, 4];
      add([...spdu, 1, 0], 'integer', entries.length);
      for (const [n, s] of entries) {
        add([...spdu, 2, 1, 1, n], 'integer', n);
        add([...spdu, 2, 1, 2, n], 'integer', s.pending === true ? 1 : 2);
        add([...spdu, 2, 1, 3, n], 'integer', s.on ? 1 : 2, integerCommand(n, [1, 5], [2, 6], [3, 7]));
        add([...spdu, 2, 1, 4, n], 'string', s.name, nameSetter(n));
      }
      const msp = [...APC, 1, 1, 6];
      for (const [n, s] of entries) {
        add([...msp, 5, 1, 1, 5, 1, 1, n], 'integer', s.on ? 1 : 2, integerCommand(n, [1], [3], [2]));
        add([...msp, 7, 1, 1, 4, 1, 1, n], 'string', s.name);
        add([...msp, 7, 1, 1, 5, 1, 1, n], 'integer', s.on ? 1 : 2);
      }
      break;
    }
    case 'eaton-managed': {
      const table = [1, 3, 6, 1, 4, 1, 534, 6, 6, 6, 1, 2, 2, 1];
      for (const [n, s] of entries) {
        add([...table, 1, n - 1], 'string', s.name);
        add([...table, 3, n - 1], 'integer', s.on ? 1 : 0, integerCommand(n, [1], [0], []));
      }
      break;
    }
    case 'eaton-switched': {
      const base = [1, 3, 6, 1, 4, 1, 20677, 2, 6];
      // Control index 1 is the whole unit (not simulated); outlet N is N+1.
      for (const [n, s] of entries) add([...base, 2, n + 1, 0], 'integer', s.on ? 1 : 2, integerCommand(n, [1], [2], [3]));
      for (const [n, s] of entries) add([...base, 3, n, 0], 'integer', s.on ? 1 : 2);
      break;
    }
    case 'ifmib': {
      const table = [1, 3, 6, 1, 2, 1, 2, 2, 1];
      for (const [n] of entries) add([...table, 1, n], 'integer', n);
      for (const [n, s] of entries) add([...table, 2, n], 'string', s.name);
      for (const [n, s] of entries) add([...table, 7, n], 'integer', s.on ? 1 : 2, integerCommand(n, [1], [2], []));
      for (const [n, s] of entries) add([...table, 8, n], 'integer', s.on ? 1 : 2);
      break;
    }
  }
  return rows.sort((a, b) => compareOids(a.oid, b.oid));
}

export function parseOid(text: string): number[] | undefined {
  const trimmed = text.trim().replace(/^\./, '');
  if (trimmed === '') return [];
  const parts = trimmed.split('.');
  if (parts.some((part) => !/^\d+$/.test(part))) return undefined;
  return parts.map(Number);
}

export function formatOid(oid: readonly number[]): string {
  return `.${oid.join('.')}`;
}

export function compareOids(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    const difference = (a[index] as number) - (b[index] as number);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/** GET (next = false) or GETNEXT (next = true) of `oid`; undefined answers NONE. */
export function lookup(kind: PduTableKind, outlets: OutletTable, oidText: string, next: boolean): MibValue | undefined {
  const oid = parseOid(oidText);
  if (oid === undefined) return undefined;
  const row = buildRows(kind, outlets).find((candidate) => (next ? compareOids(candidate.oid, oid) > 0 : compareOids(candidate.oid, oid) === 0));
  return row === undefined ? undefined : { oid: formatOid(row.oid), type: row.type, value: row.value };
}

/** What a SET of `oid` to `type value` (as pass_persist hands them over) does. */
export function setEffect(kind: PduTableKind, outlets: OutletTable, oidText: string, type: string, value: string): SetEffect {
  const oid = parseOid(oidText);
  if (oid === undefined) return { kind: 'error', answer: 'not-writable' };
  const row = buildRows(kind, outlets).find((candidate) => compareOids(candidate.oid, oid) === 0);
  if (row?.set === undefined) return { kind: 'error', answer: 'not-writable' };
  return row.set(type.toLowerCase(), value.trim());
}

/** The fresh table of `count` outlets, all on, named outlet1..N (ifmib: port1..N). */
export function initialOutlets(kind: PduTableKind, count: number): Record<string, OutletState> {
  const outlets: Record<string, OutletState> = {};
  for (let n = 1; n <= count; n++) outlets[String(n)] = { name: kind === 'ifmib' ? `port${n}` : `outlet${n}`, on: true };
  return outlets;
}
