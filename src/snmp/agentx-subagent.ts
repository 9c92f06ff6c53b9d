/**
 * AgentxSubagent: HEARTLINE-MIB served through the system's snmpd as an AgentX subagent
 * (net-snmp's createSubagent), over snmpd's Unix socket (a path) or TCP (HOST:PORT).
 *
 * net-snmp 3.29's subagent, as verified (../shared/facts/ecosystem.md section 4):
 * - its PDUs must go one after another (open, then each registration, then addAgentCaps, each in
 *   the previous one's callback): fired together, some answers never came;
 * - when snmpd restarts or is not there, it emits 'close' and never reconnects: this class drops it
 *   and builds a new one, after a delay that doubles from 1 s to 30 s while snmpd stays away and
 *   starts again at 1 s after a successful registration;
 * - a registration that gets no answer (snmpd hung) is given up after `REGISTER_TIMEOUT_MS`.
 * Values are applied only once every provider is registered (net-snmp refuses values for an
 * unregistered provider), and a new subagent starts from the latest snapshot.
 */
import snmp, { type Subagent } from 'net-snmp';
import type { Logger } from '../lib/index.js';
import { oidOf } from './heartline-mib.js';
import { heartlineProviders, MibContents, toVarbind } from './mib-providers.js';
import type { MibSnapshot } from './mib-values.js';
import type { Notification } from './notifications.js';

/**
 * net-snmp 3.29 writes an AgentX OCTET STRING with SmartBuffer.writeString, which takes text only:
 * a Buffer value (DateAndTime: hlFenceTime, hlAvailabilityWindowStart) threw and closed the
 * connection. Buffers are written as they are; text goes the library's way (the MIB's strings are
 * ASCII, see mib-values.ts `display`, so its length in characters is its length in bytes).
 */
function teachAgentxBuffers(): void {
  const pdu = snmp.AgentXPdu as unknown as { writeOctetString: (buffer: AgentxWriteBuffer, value: string | Buffer) => void; heartlineBuffers?: true };
  if (pdu.heartlineBuffers === true) return;
  const original = pdu.writeOctetString.bind(pdu);
  pdu.writeOctetString = (buffer, value) => {
    if (!Buffer.isBuffer(value)) {
      original(buffer, value);
      return;
    }
    buffer.writeUInt32BE(value.length);
    buffer.writeBuffer(value);
    for (let i = 0; i < (4 - (value.length % 4)) % 4; i++) buffer.writeUInt8(0);
  };
  pdu.heartlineBuffers = true;
}

interface AgentxWriteBuffer {
  writeUInt32BE(value: number): void;
  writeUInt8(value: number): void;
  writeBuffer(value: Buffer): void;
}

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
const REGISTER_TIMEOUT_MS = 10_000;

export interface AgentxSubagentOptions {
  /** snmpd's AgentX socket: an absolute path, or HOST:PORT. */
  readonly master: string;
  readonly root: string;
  readonly logger: Logger;
}

interface Connection {
  readonly subagent: Subagent;
  contents: MibContents | undefined;
  closed: boolean;
}

export class AgentxSubagent {
  private connection: Connection | undefined;
  private latest: MibSnapshot | undefined;
  private backoffMs = BACKOFF_MIN_MS;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Registrations so far (the first, and one per snmpd restart): tests and the log read it. */
  registrations = 0;

  constructor(private readonly options: AgentxSubagentOptions) {}

  start(): void {
    teachAgentxBuffers();
    this.connect();
  }

  /** True while registered with snmpd. */
  get registered(): boolean {
    return this.connection?.contents !== undefined;
  }

  apply(snapshot: MibSnapshot): void {
    this.latest = snapshot;
    this.connection?.contents?.apply(snapshot);
  }

  /** Hands a notification to snmpd (it sends it to its own trap sinks). False when not registered. */
  notify(notification: Notification): boolean {
    const connection = this.connection;
    if (connection?.contents === undefined) return false;
    connection.subagent.notify(
      notification.oid,
      notification.varbinds.map((v) => toVarbind(v.oid, v.type, v.value)),
      () => undefined,
    );
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.drop();
  }

  private connect(): void {
    this.retry = undefined;
    if (this.stopped) return;
    const { master, root, logger } = this.options;
    const tcp = master.startsWith('/') ? undefined : /^(.*):(\d+)$/.exec(master);
    // A socket path as masterPort: net.connect takes a non-numeric string as a path (verified with snmpd 5.9).
    const subagent = snmp.createSubagent({ master: tcp?.[1]?.replace(/^\[|\]$/g, '') ?? 'localhost', masterPort: tcp === undefined || tcp === null ? master : Number(tcp[2]), timeout: 5, description: 'Heartline cluster (HEARTLINE-MIB)' });
    const connection: Connection = { subagent, contents: undefined, closed: false };
    this.connection = connection;
    const giveUp = setTimeout(() => {
      logger.warn('snmpd did not complete the AgentX registration in time; trying again', { master, timeoutMs: REGISTER_TIMEOUT_MS });
      this.lost(connection);
    }, REGISTER_TIMEOUT_MS);
    let lastError: string | undefined;
    subagent.on('error', (error: Error) => {
      lastError = error.message;
    });
    subagent.on('close', () => {
      clearTimeout(giveUp);
      if (connection.contents !== undefined) logger.warn('the AgentX connection to snmpd closed (snmpd stopped or restarted); reconnecting', { master });
      else if (this.registrations === 0 || this.backoffMs === BACKOFF_MIN_MS) logger.warn('cannot register with snmpd over AgentX; retrying', { master, reason: lastError ?? 'the connection closed', retryInMs: this.backoffMs });
      this.lost(connection);
    });
    const providers = heartlineProviders(root);
    const failed = (what: string, pdu: unknown): boolean => {
      const code = (pdu as { error?: number } | undefined)?.error ?? 0;
      if (code === 0) return false;
      logger.warn('snmpd refused an AgentX request', { master, request: what, agentxError: code, hint: code === 263 ? `another subagent already serves ${root}` : undefined });
      this.lost(connection);
      return true;
    };
    const registerNext = (i: number): void => {
      if (connection.closed) return;
      const provider = providers[i];
      if (provider === undefined) {
        subagent.addAgentCaps(oidOf(root, [2, 1, 1]), 'Heartline cluster agent (HEARTLINE-MIB)', (_error, pdu) => {
          if (connection.closed || failed('addAgentCaps', pdu)) return;
          clearTimeout(giveUp);
          connection.contents = new MibContents(subagent.getMib());
          if (this.latest !== undefined) connection.contents.apply(this.latest);
          this.registrations += 1;
          this.backoffMs = BACKOFF_MIN_MS;
          logger.info('registered with snmpd over AgentX', { master, root, registrations: this.registrations });
        });
        return;
      }
      subagent.registerProvider(provider, (_error, pdu) => {
        if (!failed(`register ${provider.name}`, pdu)) registerNext(i + 1);
      });
    };
    subagent.open((_error, pdu) => {
      if (!failed('open', pdu)) registerNext(0);
    });
  }

  /** This connection is over: drop it and build a new one after the backoff. */
  private lost(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    if (this.connection === connection) this.drop();
    if (this.stopped || this.retry !== undefined) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
    this.retry = setTimeout(() => this.connect(), delay);
  }

  private drop(): void {
    const connection = this.connection;
    this.connection = undefined;
    if (connection === undefined) return;
    connection.closed = true;
    connection.subagent.removeAllListeners('close');
    // Never subagent.close(): after snmpd went away its callback never comes; the socket is all there is.
    connection.subagent.socket?.destroy();
  }
}
