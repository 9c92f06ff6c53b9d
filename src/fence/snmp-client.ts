/**
 * SnmpClient: SNMP get, set and walk through net-snmp's command-line tools (snmpget, snmpset,
 * snmpwalk from Debian's `snmp` package), with numeric OIDs only (`-m ''`, no MIB files needed)
 * and results as values.
 *
 * Secrets never reach the argument list: for every command the client writes a private
 * snmp.conf (defCommunity, or defSecurityName, defAuthPassphrase, defPrivPassphrase, ...) into a
 * fresh directory of mode 0700, points the tool at it with SNMPCONFPATH (which replaces every
 * other configuration path, ~/.snmp included) and SNMP_PERSISTENT_DIR, and removes the directory
 * afterwards. Only the version, the address and the OIDs are visible in `ps`.
 *
 * net-snmp's answers, mapped (verified against snmpd 5.9):
 * - "Timeout: No Response" → unreachable; an agent ignores a wrong v1/v2c community, so this is
 *   also what a wrong community looks like, and the reason says so;
 * - "Authentication failure", "Unknown user name", "Unsupported security level" → auth (SNMPv3);
 * - v2c "No Such Instance/Object" and v1 "(noSuchName)" → unknown-target (v1 also answers a
 *   set with a read-only community this way);
 * - "noAccess", "notWritable", "authorizationError" → auth (the community or user may not write);
 * - "badValue", "wrongValue", "wrongType", other packet errors → device-error.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { err, ok } from '../lib/index.js';
import { switchFailure, type SwitchAnswer, type SwitchFailure } from './power-switch.js';
import type { ToolRunner } from './tool-runner.js';

export type SnmpCredentials =
  | { readonly version: '1' | '2c'; readonly community: string }
  | {
      readonly version: '3';
      readonly username: string;
      readonly securityLevel: 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';
      readonly authProtocol?: 'MD5' | 'SHA' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';
      readonly authPassword?: string;
      readonly privProtocol?: 'DES' | 'AES' | 'AES-192' | 'AES-256';
      readonly privPassword?: string;
    };

export interface SnmpClientOptions {
  readonly host: string;
  /** UDP port; default 161. */
  readonly port?: number;
  readonly credentials: SnmpCredentials;
  readonly runner: ToolRunner;
  /** One tool run's limit (killed after it). */
  readonly commandTimeoutMs: number;
  /** net-snmp's per-request timeout (-t) in seconds and retries (-r); defaults 1 and 2. */
  readonly requestTimeoutS?: number;
  readonly requestRetries?: number;
  /** Directory for the private configuration directories; default the system's temporary directory. */
  readonly scratchDirectory?: string;
}

/** One varbind of an answer: the numeric OID (leading dot) and the value as text (quotes removed). */
export interface SnmpVarbind {
  readonly oid: string;
  readonly value: string;
}

export class SnmpClient {
  readonly target: string;

  constructor(private readonly options: SnmpClientOptions) {
    this.target = `udp:${options.host}:${options.port ?? 161}`;
  }

  /** GET one OID. */
  async get(oid: string, signal?: AbortSignal): Promise<SwitchAnswer<SnmpVarbind>> {
    const answer = await this.runTool('snmpget', [oid], signal);
    if (!answer.ok) return answer;
    const varbind = parseVarbinds(answer.value).at(-1);
    if (varbind === undefined) return switchFailure('device-error', `snmpget ${oid} at ${this.target} printed no value`);
    if (/^No Such (Instance|Object)/.test(varbind.value)) return switchFailure('unknown-target', `${this.target} has no object ${oid} (no such outlet or port on this device, or the wrong device model)`);
    return ok(varbind);
  }

  /** SET one OID to an INTEGER. */
  async setInteger(oid: string, value: number, signal?: AbortSignal): Promise<SwitchAnswer<void>> {
    const answer = await this.runTool('snmpset', [oid, 'i', String(value)], signal);
    return answer.ok ? ok(undefined) : answer;
  }

  /** WALK a subtree; an empty subtree answers an empty list. */
  async walk(rootOid: string, signal?: AbortSignal): Promise<SwitchAnswer<SnmpVarbind[]>> {
    const answer = await this.runTool('snmpwalk', [rootOid], signal);
    if (!answer.ok) return answer;
    return ok(parseVarbinds(answer.value).filter((varbind) => !/^No (Such|more variables)/.test(varbind.value)));
  }

  private async runTool(tool: 'snmpget' | 'snmpset' | 'snmpwalk', operands: readonly string[], signal?: AbortSignal): Promise<SwitchAnswer<string>> {
    const credentials = this.options.credentials;
    const directory = await mkdtemp(join(this.options.scratchDirectory ?? tmpdir(), 'heartline-snmp-'));
    try {
      await writeFile(join(directory, 'snmp.conf'), snmpConf(credentials), { mode: 0o600 });
      const outcome = await this.options.runner.run({
        file: tool,
        args: ['-m', '', '-Oeqn', '-v', credentials.version, '-t', String(this.options.requestTimeoutS ?? 1), '-r', String(this.options.requestRetries ?? 2), this.target, ...operands],
        env: { SNMPCONFPATH: directory, SNMP_PERSISTENT_DIR: directory, HOME: directory },
        timeoutMs: this.options.commandTimeoutMs,
        ...(signal === undefined ? {} : { signal }),
      });
      if (outcome.spawnError !== undefined) {
        return switchFailure('not-installed', outcome.spawnError === 'ENOENT' ? `${tool} is not installed (Debian package snmp)` : `${tool} cannot be started: ${outcome.spawnError}`);
      }
      if (outcome.timedOut || outcome.aborted) return switchFailure('timeout', `${tool} at ${this.target} did not finish within ${this.options.commandTimeoutMs} ms`);
      const text = `${outcome.stderr}\n${outcome.stdout}`;
      if (outcome.exitCode === 0 && !/^Error in packet/m.test(text)) return ok(outcome.stdout);
      return err(this.explain(tool, operands[0] ?? '', text));
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  private explain(tool: string, oid: string, text: string): SwitchFailure {
    const credentials = this.options.credentials;
    const who = credentials.version === '3' ? `SNMPv3 user '${credentials.username}'` : `SNMPv${credentials.version} community`;
    if (/Timeout: No Response/.test(text)) {
      const community = credentials.version === '3' ? '' : ', or the community is wrong (an SNMP agent does not answer a wrong community)';
      return { code: 'unreachable', reason: `no answer from ${this.target}: check the device's address, port and network${community}` };
    }
    if (/Authentication failure|Unknown user name|Unknown security name|Unsupported security level|Decryption error/i.test(text)) {
      return { code: 'auth', reason: `${this.target} refused the credentials of ${who}: check the user name, the passphrases and the auth/priv protocols` };
    }
    if (/noSuchName/.test(text)) {
      const readOnly = tool === 'snmpset' && credentials.version === '1' ? ' (SNMPv1 also answers this to a set with a read-only community)' : '';
      return { code: 'unknown-target', reason: `${this.target} has no object ${oid}: no such outlet or port, or the wrong device model${readOnly}` };
    }
    if (/noAccess|notWritable|authorizationError|readOnly/i.test(text)) {
      return { code: 'auth', reason: `${this.target} does not let ${who} write ${oid}: use the read-write community or a user with write access${/notWritable/.test(text) ? ' (or the outlet does not exist)' : ''}` };
    }
    const reason = /Reason: (.*)/.exec(text)?.[1]?.trim() ?? firstLine(text);
    return { code: 'device-error', reason: `${tool} ${oid} at ${this.target} failed: ${reason}` };
  }
}

function firstLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).find((line) => line !== '') ?? 'no output';
}

/** Lines of `-Oeqn` output: ".1.3.6.1.2.1.1.2.0 .1.3.6.1.4.1.318.1.3.4.5" or '.1.3... "outlet 1"'. */
export function parseVarbinds(text: string): SnmpVarbind[] {
  const varbinds: SnmpVarbind[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\.[0-9.]+)\s+(.*)$/.exec(line.trim());
    if (match === null) continue;
    let value = (match[2] ?? '').trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).replace(/\\"/g, '"');
    varbinds.push({ oid: match[1] as string, value });
  }
  return varbinds;
}

/** The private snmp.conf that carries the secrets. Values are written raw: net-snmp reads the rest of the line. */
export function snmpConf(credentials: SnmpCredentials): string {
  const lines: string[] = [];
  if (credentials.version !== '3') {
    lines.push(`defCommunity ${credentials.community}`);
  } else {
    lines.push(`defSecurityName ${credentials.username}`, `defSecurityLevel ${credentials.securityLevel}`);
    if (credentials.authProtocol !== undefined) lines.push(`defAuthType ${credentials.authProtocol}`);
    if (credentials.authPassword !== undefined) lines.push(`defAuthPassphrase ${credentials.authPassword}`);
    if (credentials.privProtocol !== undefined) lines.push(`defPrivType ${credentials.privProtocol}`);
    if (credentials.privPassword !== undefined) lines.push(`defPrivPassphrase ${credentials.privPassword}`);
  }
  return `${lines.join('\n')}\n`;
}
