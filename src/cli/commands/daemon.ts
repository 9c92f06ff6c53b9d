import { InvalidArgumentError, Option, type Command } from 'commander';
import { isAbsolute } from 'node:path';
import { CONFIG_PATH } from '../../config/index.js';
import { DEFAULT_REALTIME_PRIORITY, DEFAULT_RSCTMP_DIR, DEFAULT_SHUTDOWN_TIMEOUT_MS, DEFAULT_SOCKET_PATH, DEFAULT_STATE_DIR, DaemonStartError, runDaemon, type DaemonOptions } from '../../daemon/index.js';
import { parseDuration } from '../../config/index.js';
import { PinoLogger } from '../../platform/index.js';
import { CommandError, ExitCode, type Terminal } from '../output.js';

interface DaemonCommandOptions {
  readonly config: string;
  readonly node?: string;
  readonly socket: string;
  readonly stateDir: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly realtimePriority: number;
  readonly rsctmp: string;
  readonly shutdownTimeout: number;
  readonly agentDir?: AgentDirectoryOptions;
}

/** What `--agent-dir` sets, as DaemonOptions.agentDirectories takes it. */
type AgentDirectoryOptions = NonNullable<DaemonOptions['agentDirectories']>;

export function registerDaemonCommand(program: Command, _terminal: Terminal): void {
  program
    .command('daemon')
    .summary('run this node of the cluster (systemd starts it; logs JSON lines to stdout)')
    .description(
      'Run this node: open its heartbeat links, join the cluster and serve the local control socket that the other ' +
        'heartline commands talk to. The configuration is checked first; a bad file, a key file readable by others ' +
        '(chmod 600 it) or an unknown node name stops the daemon before it sends anything. Each start increases the ' +
        "node's incarnation (kept in the state directory), so peers see a restart as a leave and a rejoin. SIGTERM or " +
        'SIGINT moves this node\'s resources away (bounded by --shutdown-timeout) and leaves the cluster cleanly. Logs are JSON lines on stdout (journald-friendly).',
    )
    .option('-c, --config <file>', 'the configuration file', process.env['HEARTLINE_CONFIG'] ?? CONFIG_PATH)
    .option('-n, --node <name>', "this node's name in the configuration (default: the short host name)")
    .option('-s, --socket <path>', 'the control socket', process.env['HEARTLINE_SOCKET'] ?? DEFAULT_SOCKET_PATH)
    .option('--state-dir <dir>', 'where the incarnation and the CIB (cib.sqlite) are kept', DEFAULT_STATE_DIR)
    .option('--rsctmp <dir>', "the resource agents' HA_RSCTMP (their state files; best on a tmpfs, so that a reboot clears it)", DEFAULT_RSCTMP_DIR)
    .option('--shutdown-timeout <duration>', "on SIGTERM, how long to wait for this node's resources to move before leaving anyway (a second SIGTERM leaves at once)", parseShutdownTimeout, DEFAULT_SHUTDOWN_TIMEOUT_MS)
    .option(
      '--agent-dir <class=dir>',
      'where a class of agents lives instead of the Debian default (repeatable): lsb=DIR (/etc/init.d), heartbeat=DIR (/etc/ha.d/resource.d), ocf=DIR (OCF_ROOT, /usr/lib/ocf), ocf:PROVIDER=DIR (one provider\'s agents)',
      parseAgentDirectory,
    )
    .addOption(new Option('--log-level <level>', 'the lowest level logged').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .option('--realtime-priority <n>', 'run every thread under SCHED_RR with this priority (1-99), so that a saturated CPU cannot delay heartbeats; 0 for normal scheduling', parseRealtimePriority, DEFAULT_REALTIME_PRIORITY)
    .addHelpText('after', '\nExample:\n  heartline daemon --config /etc/heartline/heartline.yaml --node alpha\n')
    .action(async (options: DaemonCommandOptions) => {
      const logger = PinoLogger.create({ level: options.logLevel }).child('daemon');
      try {
        process.exitCode = await runDaemon({
          configPath: options.config,
          ...(options.node === undefined ? {} : { nodeName: options.node }),
          socketPath: options.socket,
          stateDir: options.stateDir,
          logLevel: options.logLevel,
          realtimePriority: options.realtimePriority,
          rscTmpDir: options.rsctmp,
          shutdownTimeoutMs: options.shutdownTimeout,
          ...(options.agentDir === undefined ? {} : { agentDirectories: options.agentDir }),
          logger,
        });
      } catch (error) {
        if (error instanceof DaemonStartError && error.reason === 'not-configured') throw new CommandError('not-configured', error.message, ExitCode.notConfigured, error.hint);
        if (error instanceof DaemonStartError) throw new CommandError('start-failed', error.message, ExitCode.usage, error.hint);
        throw error;
      }
    });
}

function parseRealtimePriority(value: string): number {
  const priority = Number(value);
  if (!/^\d+$/.test(value) || priority > 99) throw new InvalidArgumentError(`a SCHED_RR priority is a whole number from 1 to 99, or 0 for normal scheduling; got '${value}'`);
  return priority;
}

function parseAgentDirectory(value: string, previous: AgentDirectoryOptions | undefined): AgentDirectoryOptions {
  const at = value.indexOf('=');
  const kind = at < 0 ? '' : value.slice(0, at);
  const directory = at < 0 ? '' : value.slice(at + 1);
  if (directory === '' || !isAbsolute(directory)) throw new InvalidArgumentError(`--agent-dir takes CLASS=/absolute/dir (lsb, heartbeat, ocf or ocf:PROVIDER); got '${value}'`);
  const current = previous ?? {};
  if (kind === 'lsb') return { ...current, initDirectory: directory };
  if (kind === 'heartbeat') return { ...current, heartbeatResourceDirectory: directory };
  if (kind === 'ocf') return { ...current, ocfRoot: directory };
  const provider = /^ocf:([A-Za-z0-9_.-]+)$/.exec(kind)?.[1];
  if (provider !== undefined) return { ...current, ocfProviderDirectories: { ...current.ocfProviderDirectories, [provider]: directory } };
  throw new InvalidArgumentError(`--agent-dir: '${kind}' is not an agent class with a directory (lsb, heartbeat, ocf or ocf:PROVIDER; systemd units are found by systemctl)`);
}

function parseShutdownTimeout(value: string): number {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.error);
  return parsed.value;
}
