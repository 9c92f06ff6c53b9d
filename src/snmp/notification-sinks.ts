/**
 * NotificationSinks: sends every notification to the managers of heartline.yaml `snmp.sinks`,
 * as an SNMPv2c or SNMPv3 (authPriv) trap or inform. A trap is sent once; an inform is resent
 * (net-snmp's retries) until the manager acknowledges it. A v3 trap carries this agent's engine
 * ID (`snmp.engine_id`), which the manager's user entry must name (snmptrapd: `createUser -e`);
 * a v3 inform uses the manager's engine ID, discovered on the way.
 * A failure is logged with the sink and never stops the agent.
 */
import snmp, { type Session } from 'net-snmp';
import type { SnmpSinkSettings } from '../config/index.js';
import type { Logger } from '../lib/index.js';
import { toVarbind } from './mib-providers.js';
import type { Notification } from './notifications.js';
import { v3User } from './standalone-agent.js';

const INFORM_TIMEOUT_MS = 2000;
const INFORM_RETRIES = 3;

interface Sink {
  readonly settings: SnmpSinkSettings;
  readonly session: Session;
  readonly label: string;
}

export class NotificationSinks {
  private readonly sinks: Sink[];
  /** Sent (trap sent, or inform acknowledged) and failed, per sink label: the log and tests read them. */
  readonly counts = new Map<string, { sent: number; failed: number }>();

  constructor(
    settings: readonly SnmpSinkSettings[],
    private readonly logger: Logger,
    engineId: string | undefined,
  ) {
    this.sinks = settings.map((s) => {
      const label = `${s.kind} v${s.version} ${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`;
      const common = { trapPort: s.port, port: s.port, timeout: INFORM_TIMEOUT_MS, retries: INFORM_RETRIES, transport: s.host.includes(':') ? ('udp6' as const) : ('udp4' as const) };
      const session =
        s.version === '3' && s.user !== undefined
          ? snmp.createV3Session(s.host, v3User(s.user), { ...common, ...(engineId === undefined ? {} : { engineID: engineId }) })
          : snmp.createSession(s.host, s.community ?? 'public', { ...common, version: snmp.Version2c });
      // A session's socket error (unreachable network) is reported per send; never crash on it.
      session.on('error', (error: Error) => logger.warn('SNMP notification sink error', { sink: label, error: error.message }));
      this.counts.set(label, { sent: 0, failed: 0 });
      return { settings: s, session, label };
    });
  }

  get size(): number {
    return this.sinks.length;
  }

  /** Sends to every sink; resolves when every trap is sent and every inform answered or given up. */
  send(notification: Notification): Promise<void> {
    const varbinds = notification.varbinds.map((v) => toVarbind(v.oid, v.type, v.value));
    return Promise.all(
      this.sinks.map(
        (sink) =>
          new Promise<void>((resolve) => {
            const done = (error: Error | null): void => {
              const count = this.counts.get(sink.label);
              if (error === null) {
                if (count !== undefined) count.sent += 1;
              } else {
                if (count !== undefined) count.failed += 1;
                this.logger.warn('SNMP notification not delivered', { sink: sink.label, notification: notification.name, error: error.message });
              }
              resolve();
            };
            try {
              if (sink.settings.kind === 'inform') sink.session.inform(notification.oid, varbinds, {}, done);
              else sink.session.trap(notification.oid, varbinds, {}, done);
            } catch (error) {
              done(error instanceof Error ? error : new Error(String(error)));
            }
          }),
      ),
    ).then(() => undefined);
  }

  close(): void {
    for (const sink of this.sinks) sink.session.close();
  }
}
