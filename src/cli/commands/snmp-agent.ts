import { hostname } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { CONFIG_PATH, DEFAULT_SNMP_ROOT_OID, formatConfigIssue, loadConfigFile, resolveSnmp, splitHostPort } from '../../config/index.js';
import { DEFAULT_SOCKET_PATH } from '../../daemon/control-protocol.js';
import { EVENT_LOG_FILE } from '../../events/event-log.js';
import { FENCE_HISTORY_FILE } from '../../fence/fence-history.js';
import { PinoLogger } from '../../platform/pino-logger.js';
import { SnmpAgentService, type SnmpAgentMode } from '../../snmp/snmp-agent-service.js';
import { CommandError, ExitCode, type Terminal } from '../output.js';

/** The daemon's state folder (src/daemon DEFAULT_STATE_DIR), without loading the daemon's modules. */
const DEFAULT_STATE_DIR = '/var/lib/heartline';
const HOST_PORT = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/;

interface SnmpAgentOptions {
  readonly config: string;
  readonly node?: string;
  readonly socket: string;
  readonly stateDir: string;
  readonly agentx?: string;
  readonly standalone?: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

function parseAgentx(value: string): string {
  if (value.startsWith('/') || HOST_PORT.test(value)) return value;
  throw new InvalidArgumentError(`'${value}' is neither snmpd's AgentX socket path (/var/agentx/master) nor HOST:PORT (127.0.0.1:705)`);
}

function parseListen(value: string): string {
  const match = HOST_PORT.exec(value);
  if (match !== null && Number(match[2]) >= 1 && Number(match[2]) <= 65535) return value;
  throw new InvalidArgumentError(`'${value}' is not ADDRESS:PORT, e.g. 0.0.0.0:161 or 127.0.0.1:16161`);
}

/** `heartline snmp-agent`: HEARTLINE-MIB and its notifications, beside the daemon. */
export function registerSnmpAgentCommand(program: Command, _terminal: Terminal): void {
  program
    .command('snmp-agent')
    .summary('serve HEARTLINE-MIB over SNMP (AgentX subagent of snmpd, or standalone) and send its traps')
    .description(
      "Serves this node's view of the cluster as HEARTLINE-MIB (mibs/HEARTLINE-MIB.txt, installed in " +
        '/usr/share/snmp/mibs): cluster scalars, the node, link, resource and fence history tables and the ' +
        'availability figures; and sends its notifications (node down/up, link down/up, quorum lost/regained, ' +
        'resource failed, failover with the time it took, fence result) to the trap and inform sinks of ' +
        'heartline.yaml `snmp.sinks` (SNMPv2c, or SNMPv3 with authentication and privacy).\n\n' +
        "It runs beside the daemon (systemd: heartline-snmp.service) and reads what `heartline status`, `members` " +
        "and `links` read, over the daemon's control socket, every `snmp.poll_interval` (default 2 s), plus the " +
        "fence history and the event log in the daemon's state folder. While the daemon is down it keeps answering " +
        '(hlClusterDaemonReachable is false(2)).\n\n' +
        "AgentX (the default): the agent registers with the system's snmpd as a subagent, on snmpd's AgentX socket " +
        '(`snmp.agentx` or --agentx; default /var/agentx/master; snmpd.conf needs `master agentx`). snmpd keeps its own ' +
        'access control (communities, v3 users, views). When snmpd restarts the agent registers again, retrying after ' +
        '1 s and doubling the wait up to 30 s.\n\n' +
        'Standalone: where no snmpd runs, the agent answers SNMP itself on ADDRESS:PORT (`snmp.standalone` in ' +
        'heartline.yaml: listen, read-only v2c communities, SNMPv3 authPriv users; or --standalone ADDRESS:PORT). ' +
        'Port 161 needs root (or CAP_NET_BIND_SERVICE).\n\n' +
        `The MIB sits under ${DEFAULT_SNMP_ROOT_OID} (experimental) unless \`snmp.root_oid\` moves it under an ` +
        'enterprise number (docs/SNMP.md). Logs are JSON lines on stdout. Runs until SIGTERM or SIGINT. Exit codes: ' +
        '0 stopped by a signal, 2 bad configuration or options, 1 the standalone address cannot be bound.',
    )
    .option('-c, --config <file>', 'the configuration file', process.env['HEARTLINE_CONFIG'] ?? CONFIG_PATH)
    .option('-n, --node <name>', "this node's name in the configuration (default: the short host name, as the daemon)")
    .option('-s, --socket <path>', "the daemon's control socket", process.env['HEARTLINE_SOCKET'] ?? DEFAULT_SOCKET_PATH)
    .option('--state-dir <dir>', "the daemon's state folder (events.sqlite, fence-history.sqlite)", DEFAULT_STATE_DIR)
    .option('--agentx <socket>', "register with snmpd over AgentX on this socket path or HOST:PORT (overrides heartline.yaml)", parseAgentx)
    .option('--standalone <address:port>', 'answer SNMP directly on ADDRESS:PORT instead (communities and users from snmp.standalone)', parseListen)
    .addOption(new Option('--log-level <level>', 'the lowest level logged').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  heartline snmp-agent                                  # AgentX on /var/agentx/master\n' +
        '  heartline snmp-agent --agentx tcp-host:705            # AgentX over TCP (HOST:PORT)\n' +
        '  heartline snmp-agent --standalone 0.0.0.0:161         # no snmpd on this machine\n' +
        '  snmpwalk -v2c -c public -On localhost 1.3.6.1.3.694   # read it\n' +
        '\nheartline.yaml:\n' +
        '  snmp:\n' +
        '    agentx: /var/agentx/master\n' +
        '    sinks:\n' +
        "      - { address: 192.0.2.10:162, version: '2c', community: public }\n" +
        "      - { address: 192.0.2.11:162, version: '3', kind: inform,\n" +
        '          user: { name: monitor, auth_password: ..., priv_password: ... } }\n',
    )
    .action(async (options: SnmpAgentOptions) => {
      if (options.agentx !== undefined && options.standalone !== undefined) throw new CommandError('usage', 'give --agentx or --standalone, not both', ExitCode.usage);
      const loaded = await loadConfigFile(options.config);
      if (!loaded.ok) {
        const error = loaded.error;
        const message = error.code === 'invalid' ? [error.message, ...error.issues.map((issue) => `  ${formatConfigIssue(issue)}`)].join('\n') : error.message;
        throw new CommandError(`config-${error.code}`, message, ExitCode.usage, error.code === 'invalid' ? `check it with: heartline config check ${options.config}` : error.hint);
      }
      const config = loaded.value;
      const nodeName = options.node ?? hostname().split('.')[0] ?? '';
      if (!config.nodes.some((n) => n.name === nodeName)) {
        throw new CommandError('unknown-node', `${nodeName} is not a node of ${options.config} (its nodes: ${config.nodes.map((n) => n.name).join(', ')})`, ExitCode.usage, 'name this node with --node, as for heartline daemon');
      }
      const settings = config.snmp ?? resolveSnmp(undefined);
      const mode: SnmpAgentMode =
        options.standalone !== undefined
          ? { kind: 'standalone', ...splitHostPort(options.standalone) }
          : options.agentx !== undefined || settings.standalone === undefined
            ? { kind: 'agentx', master: options.agentx ?? settings.agentx }
            : { kind: 'standalone', host: settings.standalone.host, port: settings.standalone.port };
      if (mode.kind === 'standalone' && (settings.standalone?.communities.length ?? 0) + (settings.standalone?.users.length ?? 0) === 0) {
        throw new CommandError('usage', 'a standalone agent needs someone to answer: add snmp.standalone.communities (v2c) or snmp.standalone.users (v3) to heartline.yaml', ExitCode.usage);
      }
      const logger = PinoLogger.create({ level: options.logLevel }).child('snmp');
      const service = new SnmpAgentService({
        config,
        settings,
        localNodeName: nodeName,
        mode,
        socketPath: options.socket,
        eventsPath: join(options.stateDir, EVENT_LOG_FILE),
        fenceHistoryPath: config.fencing?.kind === 'devices' && config.fencing.historyPath !== undefined ? config.fencing.historyPath : join(options.stateDir, FENCE_HISTORY_FILE),
        logger,
      });
      try {
        await service.start();
      } catch (error) {
        await service.stop();
        throw new CommandError('start-failed', error instanceof Error ? error.message : String(error), ExitCode.failed);
      }
      await new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          logger.info('snmp agent stopping', { signal });
          void service.stop().then(resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}
