/**
 * StandaloneAgent: HEARTLINE-MIB answered directly over UDP (net-snmp's createAgent) where no
 * snmpd runs: read-only SNMPv2c communities and SNMPv3 users with authentication and privacy
 * (authPriv), from heartline.yaml `snmp.standalone`. Nothing is writable: the MIB is read-only.
 */
import snmp, { type Agent } from 'net-snmp';
import type { SnmpV3UserSettings } from '../config/index.js';
import type { Logger } from '../lib/index.js';
import { heartlineProviders, MibContents } from './mib-providers.js';
import type { MibSnapshot } from './mib-values.js';

export interface StandaloneAgentOptions {
  readonly host: string;
  readonly port: number;
  readonly root: string;
  readonly communities: readonly string[];
  readonly users: readonly SnmpV3UserSettings[];
  /** Hex; absent: net-snmp generates one per start (v3 managers then rediscover it). */
  readonly engineId?: string;
  readonly logger: Logger;
}

/** net-snmp's form of an authPriv user. */
export function v3User(user: SnmpV3UserSettings): { name: string; level: number; authProtocol: number; authKey: string; privProtocol: number; privKey: string } {
  return { name: user.name, level: snmp.SecurityLevel.authPriv, authProtocol: snmp.AuthProtocols[user.authProtocol], authKey: user.authPassword, privProtocol: snmp.PrivProtocols[user.privProtocol], privKey: user.privPassword };
}

export class StandaloneAgent {
  private constructor(
    private readonly agent: Agent,
    private readonly contents: MibContents,
  ) {}

  /** Listens on host:port; rejects with a sentence when the address cannot be bound. */
  static start(options: StandaloneAgentOptions): Promise<StandaloneAgent> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const agent = snmp.createAgent(
        { port: options.port, address: options.host, transport: options.host.includes(':') ? 'udp6' : 'udp4', accessControlModelType: snmp.AccessControlModelType.None, ...(options.engineId === undefined ? {} : { engineID: options.engineId }) },
        (error) => {
          if (error === null) return;
          if (!settled) {
            settled = true;
            reject(new Error(`cannot answer SNMP on ${options.host}:${options.port}: ${error.message}${/EACCES/.test(error.message) ? ' (ports below 1024 need root or CAP_NET_BIND_SERVICE)' : /EADDRINUSE/.test(error.message) ? ' (another agent, snmpd perhaps, listens there: use --agentx, or another port)' : ''}`));
          } else {
            options.logger.warn('SNMP request failed', { error: error.message });
          }
        },
      );
      const authorizer = agent.getAuthorizer();
      for (const community of options.communities) authorizer.addCommunity(community);
      for (const user of options.users) authorizer.addUser(v3User(user));
      const mib = agent.getMib();
      for (const provider of heartlineProviders(options.root)) mib.registerProvider(provider);
      // The socket binds asynchronously; a bind error arrives through the callback above first.
      setTimeout(() => {
        if (settled) return;
        settled = true;
        resolve(new StandaloneAgent(agent, new MibContents(mib)));
      }, 200);
    });
  }

  apply(snapshot: MibSnapshot): void {
    this.contents.apply(snapshot);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.agent.close(() => resolve()));
  }
}
