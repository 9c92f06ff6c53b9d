// Goal: the simulated PDU's MIB (what pdu-pass-persist serves to snmpd): GET and GETNEXT order
// (a walk visits every object once, in OID order), the rows of every model at the OIDs the
// device models name, and what a SET does (power, reboot, rename, the pass_persist error words).
import { describe, expect, it } from 'vitest';
import { initialOutlets, lookup, setEffect, type PduTableKind } from '../../../src/testbed/pdu-outlet-table.js';

function walk(kind: PduTableKind, root: string): string[] {
  const outlets = initialOutlets(kind, 2);
  const seen: string[] = [];
  let cursor = root;
  for (let guard = 0; guard < 100; guard++) {
    const next = lookup(kind, outlets, cursor, true);
    if (next === undefined || !next.oid.startsWith(`${root}.`)) break;
    seen.push(`${next.oid}=${next.value}`);
    cursor = next.oid;
  }
  return seen;
}

describe('pdu outlet table', () => {
  it('walks an APC rPDU status column in order', () => {
    expect(walk('apc', '.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4')).toEqual(['.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.1=1', '.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.2=1']);
  });

  it('serves each model at the OIDs its device model reads', () => {
    const cases: [PduTableKind, string, string][] = [
      ['apc', '.1.3.6.1.4.1.318.1.1.6.7.1.1.5.1.1.2', '1'],
      ['eaton-managed', '.1.3.6.1.4.1.534.6.6.6.1.2.2.1.3.1', '1'],
      ['eaton-switched', '.1.3.6.1.4.1.20677.2.6.2.3.0', '1'],
      ['ifmib', '.1.3.6.1.2.1.2.2.1.2.2', 'port2'],
    ];
    for (const [kind, oid, value] of cases) expect(lookup(kind, initialOutlets(kind, 2), oid, false)?.value).toBe(value);
    expect(lookup('apc', initialOutlets('apc', 2), '.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.3', false)).toBeUndefined();
  });

  it('maps SETs to power, reboot, rename or an error word', () => {
    const outlets = initialOutlets('apc', 2);
    expect(setEffect('apc', outlets, '.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.2', 'integer', '2')).toEqual({ kind: 'power', outlet: 2, on: false });
    expect(setEffect('apc', outlets, '.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.2', 'integer', '3')).toEqual({ kind: 'reboot', outlet: 2 });
    expect(setEffect('apc', outlets, '.1.3.6.1.4.1.318.1.1.6.5.1.1.5.1.1.1', 'integer', '3')).toEqual({ kind: 'power', outlet: 1, on: false });
    expect(setEffect('apc', outlets, '.1.3.6.1.4.1.318.1.1.12.3.4.1.1.2.1', 'string', '"node-a"')).toEqual({ kind: 'rename', outlet: 1, name: 'node-a' });
    expect(setEffect('apc', outlets, '.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.1', 'integer', '2')).toEqual({ kind: 'error', answer: 'not-writable' });
    expect(setEffect('apc', outlets, '.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.1', 'string', 'x')).toEqual({ kind: 'error', answer: 'wrong-type' });
    expect(setEffect('apc', outlets, '.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.1', 'integer', '9')).toEqual({ kind: 'error', answer: 'wrong-value' });
    expect(setEffect('eaton-managed', initialOutlets('eaton-managed', 2), '.1.3.6.1.4.1.534.6.6.6.1.2.2.1.3.0', 'integer', '0')).toEqual({ kind: 'power', outlet: 1, on: false });
  });
});
