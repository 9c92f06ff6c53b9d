/**
 * The `snmp` section of heartline.yaml: how `heartline snmp-agent` serves HEARTLINE-MIB (as an
 * AgentX subagent of the system's snmpd, or as a standalone agent) and where it sends
 * notifications (docs/SNMP.md). The daemon itself ignores the section; only the agent reads it.
 *
 * In its own file because it is the agent's, and config-schema.ts only lists it.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';

/** The experimental arc HEARTLINE-MIB lives under until an enterprise number is registered. */
export const DEFAULT_SNMP_ROOT_OID = '1.3.6.1.3.694';
/** net-snmp's snmpd listens for subagents here by default (Debian: `master agentx`). */
export const DEFAULT_AGENTX_SOCKET = '/var/agentx/master';
export const DEFAULT_SNMP_POLL_MS = 2000;
export const DEFAULT_STANDALONE_LISTEN = '0.0.0.0:161';

const OID_TEXT = /^1(\.(0|[1-9]\d{0,9})){2,60}$/;
const ENGINE_ID = /^(0x)?[0-9a-fA-F]{10,64}$/;
const HOST_PORT = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/;

const secret = (what: string) =>
  z
    .string({ error: `${what} is a passphrase of at least 8 characters (SNMPv3, RFC 3414)` })
    .min(8, { error: `${what} is shorter than 8 characters: SNMPv3 refuses it (RFC 3414); use a longer passphrase` })
    .max(128, { error: `${what} is longer than 128 characters` });

/** An SNMPv3 user with authentication and privacy (authPriv): the only v3 level the agent offers. */
export const snmpV3UserSchema = z.strictObject({
  name: z.string({ error: 'name is the SNMPv3 user name, e.g. monitor' }).min(1).max(32, { error: 'an SNMPv3 user name has at most 32 characters' }),
  auth_protocol: z.enum(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'], { error: 'auth_protocol is one of sha (the default), sha256, sha512, sha224, sha384, md5' }).optional(),
  auth_password: secret('auth_password'),
  priv_protocol: z.enum(['aes', 'aes256b', 'aes256r', 'des'], { error: 'priv_protocol is one of aes (the default, AES-128), aes256b, aes256r, des' }).optional(),
  priv_password: secret('priv_password'),
});

const hostPort = (what: string, example: string) =>
  z.string({ error: `${what} is HOST:PORT, e.g. ${example}` }).superRefine((text, context) => {
    const match = HOST_PORT.exec(text);
    const port = match === null ? NaN : Number(match[2]);
    if (match === null || !(port >= 1 && port <= 65535)) context.addIssue({ code: 'custom', message: `'${text}' is not HOST:PORT: write e.g. ${example}`, input: text });
  });

const sinkSchema = z
  .strictObject({
    address: hostPort('address', '192.0.2.10:162'),
    version: z.enum(['2c', '3'], { error: "version is '2c' or '3' (quote it: version: '2c')" }),
    /** trap: sent once, unacknowledged; inform: acknowledged by the manager, resent until it is. */
    kind: z.enum(['trap', 'inform'], { error: 'kind is trap (the default) or inform (acknowledged, retried)' }).optional(),
    community: z.string().min(1).max(64).optional(),
    user: snmpV3UserSchema.optional(),
  })
  .superRefine((sink, context) => {
    if (sink.version === '2c' && sink.user !== undefined) context.addIssue({ code: 'custom', path: ['user'], message: "user belongs to version '3': remove it, or set version: '3'" });
    if (sink.version === '3' && sink.user === undefined) context.addIssue({ code: 'custom', path: ['user'], message: "version '3' needs user (name, auth_password, priv_password): the agent sends v3 notifications with authPriv only" });
    if (sink.version === '3' && sink.community !== undefined) context.addIssue({ code: 'custom', path: ['community'], message: "community belongs to version '2c': remove it, or set version: '2c'" });
  });

export const snmpSectionSchema = z.strictObject({
  /** Where HEARTLINE-MIB is rooted; move it under your enterprise number (docs/SNMP.md). */
  root_oid: z
    .string({ error: `root_oid is a numeric OID, e.g. ${DEFAULT_SNMP_ROOT_OID}` })
    .transform((text) => text.replace(/^\./, ''))
    .refine((text) => OID_TEXT.test(text), { error: (issue) => `'${String(issue.input)}' is not a numeric OID such as ${DEFAULT_SNMP_ROOT_OID} (digits separated by dots, starting with 1)` })
    .optional(),
  /** How often the agent asks the daemon: the delay before a change shows and before its notification. */
  poll_interval: z
    .unknown()
    .transform((value, context) => {
      const parsed = typeof value === 'number' || typeof value === 'string' ? parseDuration(value) : undefined;
      if (parsed === undefined || !parsed.ok) {
        context.addIssue({ code: 'custom', message: parsed === undefined ? "poll_interval is a duration such as '2s'" : parsed.error, input: value });
        return z.NEVER;
      }
      if (parsed.value < 200 || parsed.value > 60_000) {
        context.addIssue({ code: 'custom', message: `poll_interval must be from 200ms to 60s (default 2s), not ${parsed.value} ms`, input: value });
        return z.NEVER;
      }
      return parsed.value;
    })
    .optional(),
  /** The snmpd master's AgentX socket: an absolute path, or HOST:PORT for TCP. */
  agentx: z
    .string({ error: `agentx is snmpd's AgentX socket: a path such as ${DEFAULT_AGENTX_SOCKET}, or HOST:PORT such as 127.0.0.1:705` })
    .refine((text) => text.startsWith('/') || HOST_PORT.test(text), { error: (issue) => `'${String(issue.input)}' is neither an absolute path (${DEFAULT_AGENTX_SOCKET}) nor HOST:PORT (127.0.0.1:705)` })
    .optional(),
  /** Present: the agent answers SNMP itself (no snmpd needed) unless started with --agentx. */
  standalone: z
    .strictObject({
      listen: hostPort('listen', DEFAULT_STANDALONE_LISTEN).optional(),
      /** Read-only v2c communities. */
      communities: z.array(z.string().min(1).max(64)).max(16).optional(),
      users: z.array(snmpV3UserSchema).max(16).optional(),
    })
    .refine((section) => (section.communities?.length ?? 0) + (section.users?.length ?? 0) > 0, { error: 'standalone needs communities (SNMPv2c, read-only) or users (SNMPv3 authPriv), or nobody can read the agent' })
    .optional(),
  /** The agent's SNMPv3 engine ID in hex (standalone agent, v3 traps); default: derived from the node's name. */
  engine_id: z
    .string({ error: "engine_id is hex text in quotes (YAML reads a bare 0x... as a number), e.g. '80001f8804686561727431'" })
    .refine((text) => ENGINE_ID.test(text) && (text.replace(/^0x/, '').length % 2 === 0), { error: 'engine_id is 5 to 32 bytes in hex, e.g. 80001f8804686561727431' })
    .optional(),
  /** AgentX only: also hand each notification to snmpd, which sends it to its own trap2sink/informsink. */
  notify_via_snmpd: z.boolean().optional(),
  sinks: z.array(sinkSchema).max(16).optional(),
});

export type SnmpSection = z.output<typeof snmpSectionSchema>;

export interface SnmpV3UserSettings {
  readonly name: string;
  readonly authProtocol: 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
  readonly authPassword: string;
  readonly privProtocol: 'aes' | 'aes256b' | 'aes256r' | 'des';
  readonly privPassword: string;
}

export interface SnmpSinkSettings {
  readonly host: string;
  readonly port: number;
  readonly version: '2c' | '3';
  readonly kind: 'trap' | 'inform';
  /** v2c only (default public). */
  readonly community?: string;
  /** v3 only. */
  readonly user?: SnmpV3UserSettings;
}

/** The `snmp` section with its defaults. */
export interface SnmpSettings {
  readonly rootOid: string;
  readonly pollIntervalMs: number;
  /** A socket path, or HOST:PORT. */
  readonly agentx: string;
  readonly standalone?: { readonly host: string; readonly port: number; readonly communities: readonly string[]; readonly users: readonly SnmpV3UserSettings[] };
  readonly engineId?: string;
  readonly notifyViaSnmpd: boolean;
  readonly sinks: readonly SnmpSinkSettings[];
}

/** HOST:PORT split (the schema checked it); `[::1]:162` gives `::1`. */
export function splitHostPort(text: string): { readonly host: string; readonly port: number } {
  const match = HOST_PORT.exec(text);
  if (match === null) throw new Error(`not HOST:PORT: ${text}`);
  return { host: (match[1] as string).replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

function resolveUser(user: z.output<typeof snmpV3UserSchema>): SnmpV3UserSettings {
  return { name: user.name, authProtocol: user.auth_protocol ?? 'sha', authPassword: user.auth_password, privProtocol: user.priv_protocol ?? 'aes', privPassword: user.priv_password };
}

/** The defaults of an absent section: an AgentX subagent on snmpd's default socket, no sinks. */
export function resolveSnmp(section: SnmpSection | undefined): SnmpSettings {
  const standalone = section?.standalone;
  return {
    rootOid: section?.root_oid ?? DEFAULT_SNMP_ROOT_OID,
    pollIntervalMs: section?.poll_interval ?? DEFAULT_SNMP_POLL_MS,
    agentx: section?.agentx ?? DEFAULT_AGENTX_SOCKET,
    ...(standalone === undefined
      ? {}
      : { standalone: { ...splitHostPort(standalone.listen ?? DEFAULT_STANDALONE_LISTEN), communities: standalone.communities ?? [], users: (standalone.users ?? []).map(resolveUser) } }),
    ...(section?.engine_id === undefined ? {} : { engineId: section.engine_id.replace(/^0x/, '').toLowerCase() }),
    notifyViaSnmpd: section?.notify_via_snmpd ?? false,
    sinks: (section?.sinks ?? []).map((sink) => ({
      ...splitHostPort(sink.address),
      version: sink.version,
      kind: sink.kind ?? 'trap',
      ...(sink.version === '2c' ? { community: sink.community ?? 'public' } : {}),
      ...(sink.user === undefined ? {} : { user: resolveUser(sink.user) }),
    })),
  };
}
