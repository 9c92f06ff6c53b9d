// A scripted stand-in for net-snmp's snmpget/snmpset/snmpwalk, for driver unit tests: it serves
// the simulator's own outlet tables (src/testbed/pdu-outlet-table.ts), reads the credentials from
// the private snmp.conf the client wrote (SNMPCONFPATH), and answers the way net-snmp 5.9 does
// (exit codes and texts verified against snmpd, see src/fence/snmp-client.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolInvocation, ToolOutcome, ToolRunner } from '../../../src/fence/index.js';
import { initialOutlets, lookup, setEffect, type OutletState, type PduTableKind } from '../../../src/testbed/pdu-outlet-table.js';

export interface FakeSnmpDevice {
  readonly table: PduTableKind;
  readonly sysObjectId: string;
  readonly outlets: Record<string, OutletState>;
  readonly community: string;
  readonly readOnlyCommunity?: string;
  readonly v3?: { readonly username: string; readonly authPassword: string; readonly privPassword: string };
  /** 'silent': every request times out (device down). */
  mode?: 'normal' | 'silent' | 'hang' | 'stuck-on';
}

export function fakeDevice(table: PduTableKind, sysObjectId: string, overrides: Partial<FakeSnmpDevice> = {}): FakeSnmpDevice {
  return { table, sysObjectId, outlets: initialOutlets(table, 4), community: 'private', readOnlyCommunity: 'public', mode: 'normal', ...overrides };
}

export class FakeNetSnmp implements ToolRunner {
  readonly calls: ToolInvocation[] = [];
  constructor(private readonly device: FakeSnmpDevice) {}

  run(invocation: ToolInvocation): Promise<ToolOutcome> {
    this.calls.push(invocation);
    return Promise.resolve(this.answer(invocation));
  }

  private answer(invocation: ToolInvocation): ToolOutcome {
    const reply = (exitCode: number, stdout: string, stderr = ''): ToolOutcome => ({ exitCode, stdout, stderr, timedOut: false, aborted: false, elapsedMs: 1 });
    const conf = readFileSync(join(invocation.env?.['SNMPCONFPATH'] ?? '/nonexistent', 'snmp.conf'), 'utf8');
    const setting = (key: string): string | undefined => new RegExp(`^${key} (.*)$`, 'm').exec(conf)?.[1];
    const args = invocation.args;
    const version = args[args.indexOf('-v') + 1];
    const target = args.find((arg) => arg.startsWith('udp:')) ?? '';
    const operands = args.slice(args.indexOf(target) + 1);
    const timeout = reply(1, '', `Timeout: No Response from ${target}.\n`);
    if (this.device.mode === 'hang') return { exitCode: null, stdout: '', stderr: '', timedOut: true, aborted: false, elapsedMs: invocation.timeoutMs };
    if (this.device.mode === 'silent') return timeout;
    let writable = true;
    if (version === '3') {
      const v3 = this.device.v3;
      if (v3 === undefined || setting('defSecurityName') !== v3.username) return reply(1, '', 'snmpget: Unknown user name\n');
      if (setting('defAuthPassphrase') !== v3.authPassword || setting('defPrivPassphrase') !== v3.privPassword) return reply(1, '', 'snmpget: Authentication failure (incorrect password, community or key)\n');
    } else {
      const community = setting('defCommunity');
      if (community === this.device.readOnlyCommunity) writable = false;
      else if (community !== this.device.community) return timeout; // agents ignore a wrong community
    }
    const [oid = '', type = '', value = ''] = operands;
    const tool = invocation.file;
    if (tool === 'snmpget') {
      if (oid === '.1.3.6.1.2.1.1.2.0') return reply(0, `.1.3.6.1.2.1.1.2.0 ${this.device.sysObjectId}\n`);
      const found = lookup(this.device.table, this.device.outlets, oid, false);
      if (found === undefined) return version === '1' ? reply(2, '', `Error in packet\nReason: (noSuchName) There is no such variable name in this MIB.\nFailed object: ${oid}\n`) : reply(0, `${oid} No Such Instance currently exists at this OID\n`);
      return reply(0, `${found.oid} ${found.type === 'string' ? `"${found.value}"` : found.value}\n`);
    }
    if (tool === 'snmpwalk') {
      const lines: string[] = [];
      let cursor = oid;
      for (;;) {
        const next = lookup(this.device.table, this.device.outlets, cursor, true);
        if (next === undefined || !next.oid.startsWith(`${oid}.`)) break;
        lines.push(`${next.oid} ${next.type === 'string' ? `"${next.value}"` : next.value}`);
        cursor = next.oid;
      }
      return reply(0, lines.length === 0 ? `${oid} No Such Object available on this agent at this OID\n` : `${lines.join('\n')}\n`);
    }
    if (tool === 'snmpset') {
      if (!writable) return reply(2, '', `Error in packet.\nReason: noAccess\nFailed object: ${oid}\n`);
      const effect = setEffect(this.device.table, this.device.outlets, oid, type === 'i' ? 'integer' : 'string', value);
      if (effect.kind === 'error') {
        if (lookup(this.device.table, this.device.outlets, oid, false) === undefined) return reply(2, '', `Error in packet.\nReason: ${version === '1' ? '(noSuchName) There is no such variable name in this MIB.' : 'notWritable (That object does not support modification)'}\nFailed object: ${oid}\n`);
        return reply(2, '', `Error in packet.\nReason: wrongValue (The set value is illegal or unsupported in some way)\nFailed object: ${oid}\n`);
      }
      if (effect.kind === 'power') {
        const current = this.device.outlets[String(effect.outlet)];
        if (current !== undefined && !(this.device.mode === 'stuck-on' && !effect.on)) this.device.outlets[String(effect.outlet)] = { ...current, on: effect.on };
      }
      return reply(0, `${oid} ${value}\n`);
    }
    return reply(127, '', `unknown tool ${tool}`);
  }
}
