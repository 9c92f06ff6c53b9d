// mibs/HEARTLINE-MIB.txt as two independent MIB compilers read it: libsmi's smilint (the issue's
// acceptance check: no errors at level 3, and no warnings either) and net-snmp's snmptranslate
// (the parser of the tools operators will point at the agent), which must place the objects at
// the OIDs docs/SNMP.md lists. Debian ships no IETF base modules, so both get the stand-ins of
// test/fixtures/smi-base after the system's own MIB path (real modules, when installed, win).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DEFAULT_SNMP_ROOT_OID } from '../../../src/config/index.js';
import { NOTIFICATIONS, NOTIFY_OBJECTS, SERVED_SCALARS, TABLES } from '../../../src/snmp/heartline-mib.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const mib = `${root}mibs/HEARTLINE-MIB.txt`;
const smiBase = `${root}test/fixtures/smi-base`;

function smilint(level: number): string {
  const result = spawnSync('smilint', ['-l', String(level), '-s', mib], { encoding: 'utf8', env: { ...process.env, SMIPATH: `:${smiBase}` } });
  // smilint exits 0 even when it reports errors: what it prints is the verdict.
  return `${result.stdout}${result.stderr}`.trim();
}

function snmptranslate(...args: string[]): string {
  const result = spawnSync('snmptranslate', ['-M', `${smiBase}:${root}mibs`, '-m', 'HEARTLINE-MIB', ...args], { encoding: 'utf8', env: { ...process.env, MIBS: '' } });
  expect(result.stderr.trim()).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.trim();
}

describeWithPrerequisites('HEARTLINE-MIB', ['smilint', 'snmptranslate'], () => {
  it('has no errors for smilint -l 3', () => {
    expect(smilint(3)).toBe('');
  });

  it('has no warnings either (smilint -l 6)', () => {
    expect(smilint(6)).toBe('');
  });

  it('is found by smilint: a missing import would be an error, so the check is real', () => {
    const result = spawnSync('smilint', ['-l', '3', '-s', mib], { encoding: 'utf8', env: { ...process.env, SMIPATH: '/nonexistent' } });
    expect(`${result.stdout}${result.stderr}`).toMatch(/failed to locate MIB module `SNMPv2-SMI'/);
  });

  it('places the objects at the OIDs docs/SNMP.md lists (net-snmp parses it too)', () => {
    const expected: Readonly<Record<string, string>> = {
      heartlineMIB: '.1.3.6.1.3.694',
      hlClusterName: '.1.3.6.1.3.694.1.1.1',
      hlClusterQuorate: '.1.3.6.1.3.694.1.1.5',
      hlClusterCibVersion: '.1.3.6.1.3.694.1.1.8',
      hlNodeState: '.1.3.6.1.3.694.1.2.1.3',
      hlLinkState: '.1.3.6.1.3.694.1.3.1.5',
      hlLinkRttUsec: '.1.3.6.1.3.694.1.3.1.7',
      hlResourceRole: '.1.3.6.1.3.694.1.4.1.3',
      hlResourceFailCount: '.1.3.6.1.3.694.1.4.1.5',
      hlFenceResult: '.1.3.6.1.3.694.1.5.1.5',
      hlAvailabilityPpm: '.1.3.6.1.3.694.1.7.5.1.6',
      hlNotifyDurationMs: '.1.3.6.1.3.694.1.8.4',
      hlNodeDown: '.1.3.6.1.3.694.0.1',
      hlFailover: '.1.3.6.1.3.694.0.8',
      hlFenceResultNotification: '.1.3.6.1.3.694.0.9',
      hlCompliance: '.1.3.6.1.3.694.2.1.1',
    };
    for (const [name, oid] of Object.entries(expected)) expect(snmptranslate('-On', `HEARTLINE-MIB::${name}`), name).toBe(oid);
  });

  it('indexes the link table by peer node id and link position', () => {
    expect(snmptranslate('-Td', 'HEARTLINE-MIB::hlLinkEntry')).toMatch(/INDEX\s+\{ hlNodeId, hlLinkIndex \}/);
  });

  it('agrees with the agent (src/snmp/heartline-mib.ts): every object at its OID with its type, and every read-only object served', () => {
    const root = `.${DEFAULT_SNMP_ROOT_OID}`;
    const names = [...SERVED_SCALARS, ...NOTIFY_OBJECTS].map((o) => o.name).concat(TABLES.flatMap((t) => t.columns.map((c) => c.name)), Object.keys(NOTIFICATIONS), TABLES.map((t) => t.name.replace(/Table$/, 'Entry')));
    // One snmptranslate for all the OIDs and one for all the definitions (a call per name takes seconds).
    const oids = snmptranslate('-On', ...names.map((n) => `HEARTLINE-MIB::${n}`)).split('\n').filter((line) => line !== '');
    const oid = new Map(names.map((n, i) => [n, oids[i]]));
    const definitions = new Map(snmptranslate('-Td', ...names.map((n) => `HEARTLINE-MIB::${n}`)).split(/^HEARTLINE-MIB::/m).filter((b) => b !== '').map((block) => [block.slice(0, block.indexOf('\n')), block]));
    const syntaxOf = (name: string): string => /SYNTAX\s+([A-Za-z0-9]+)/.exec(definitions.get(name) ?? '')?.[1] ?? '?';
    const typeFits = (type: string, syntax: string): boolean => ({ string: ['OCTET'], integer: ['INTEGER'], unsigned: ['Unsigned32', 'Gauge32'], gauge: ['Gauge32'] })[type]?.includes(syntax) ?? false;
    const served: string[] = [];
    for (const scalar of [...SERVED_SCALARS, ...NOTIFY_OBJECTS]) {
      expect(oid.get(scalar.name), scalar.name).toBe(`${root}.${scalar.arc.join('.')}`);
      expect(typeFits(scalar.type, syntaxOf(scalar.name)), `${scalar.name}: ${scalar.type} vs ${syntaxOf(scalar.name)}`).toBe(true);
      if (SERVED_SCALARS.includes(scalar)) served.push(scalar.name);
    }
    for (const table of TABLES) {
      const index = /INDEX\s+\{ ([^}]*) \}/.exec(definitions.get(table.name.replace(/Table$/, 'Entry')) ?? '')?.[1];
      expect(index, table.name).toBe(table.index.map((i) => i.column).join(', '));
      for (const column of table.columns) {
        expect(oid.get(column.name), column.name).toBe(`${root}.${table.entryArc.join('.')}.${column.number}`);
        expect(typeFits(column.type, syntaxOf(column.name)), `${column.name}: ${column.type} vs ${syntaxOf(column.name)}`).toBe(true);
        if (column.index !== true) served.push(column.name);
      }
    }
    for (const [name, number] of Object.entries(NOTIFICATIONS)) expect(oid.get(name), name).toBe(`${root}.0.${number}`);
    // Every read-only object the MIB defines is one the agent serves, and no other.
    const readOnly = [...readFileSync(mib, 'utf8').matchAll(/^(\w+) OBJECT-TYPE[\s\S]*?MAX-ACCESS\s+(\S+)/gm)].filter((m) => m[2] === 'read-only').map((m) => m[1]);
    expect([...served].sort()).toEqual([...readOnly].sort());
  });
});
