import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { CONFIG_PATH, parseDuration } from '../../config/index.js';
import { ClusterGateway, ConsoleSession, ConsoleTerminal, DEFAULT_START_COMMAND, terminalCapabilities } from '../../console/index.js';
import { DEFAULT_STATE_DIR } from '../../daemon/index.js';
import { CommandError, ExitCode, type Terminal } from '../output.js';
import { span } from './availability.js';
import { socketOptionDefault } from './daemon-client.js';
import { collect, DIR_HELP, profileDirectories } from './profile.js';

interface ConsoleOptions {
  readonly config: string;
  readonly socket: string;
  readonly device?: string;
  readonly stateDir: string;
  readonly authkey?: string;
  readonly defaultsFile: string;
  readonly dir?: string[];
  readonly startCommand: string;
  readonly startTimeout: number;
}

const DEFAULTS_FILE = '/etc/default/heartline';

function parseTimeout(value: string): number {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.error);
  return parsed.value;
}

/** `heartline console`: the operator's menu on a serial console (src/console). */
export function registerConsoleCommand(program: Command, terminal: Terminal): void {
  program
    .command('console')
    .summary('the operator menu for a serial console (VT100, 80x24): status, actions, first-boot setup')
    .description(
      'Numbered menus for the serial console of an appliance, in plain ASCII on a VT100-class terminal of 80 columns ' +
        'and 24 rows (colours only when TERM names a colour terminal and NO_COLOR is unset). Type a number and Enter. ' +
        'The screens: cluster status (nodes, DC, quorum, links per peer, resources, failures), node standby/online, ' +
        'move, stop or start a resource, clear failures, switch over now (move the resources active on a node to its ' +
        'peer), fence the peer (confirmed by typing its name), link health, recent events, the availability report, and ' +
        'first-boot setup (hardware profile, node name, cluster key, heartline.yaml, start the service).\n\n' +
        'Every action shows what it will do and the heartline command that does the same, asks to confirm, and shows ' +
        "the result. The menu talks to this node's daemon through its control socket, as the other commands do, and " +
        'reads the event log from the state directory. When the daemon does not answer, the menu says so and offers to ' +
        'start it (--start-command).\n\n' +
        'Input: ^H and DEL erase a character, ^U the line, ^C or ^D cancel (back). Lines are sent with CR LF. Without ' +
        '--device the menu uses stdin and stdout, which is how heartline-console@ttyS0.service runs it (systemctl enable ' +
        "--now heartline-console@ttyS0); the device's line speed is left as it is (set it with stty or the unit). " +
        'Quitting ends the program; the unit starts the menu again. Exits 0 when the operator quits or the line hangs ' +
        'up, 2 when the device cannot be opened.',
    )
    .option('-c, --config <file>', 'the configuration file that setup writes', process.env['HEARTLINE_CONFIG'] ?? CONFIG_PATH)
    .option('-s, --socket <path>', 'the daemon control socket (or HEARTLINE_SOCKET)', socketOptionDefault)
    .option('--device <tty>', 'a serial device to run on (e.g. /dev/ttyS0) instead of stdin/stdout')
    .option('--state-dir <dir>', "the daemon's state directory, where the event log (events.sqlite) is", DEFAULT_STATE_DIR)
    .option('--authkey <file>', 'where setup writes the cluster key (default: authkey beside the configuration file)')
    .option('--defaults-file <file>', 'the service environment file where setup sets the node name', DEFAULTS_FILE)
    .option('-d, --dir <directory>', `${DIR_HELP} (setup lists their appliances)`, collect)
    .option('--start-command <command>', 'how to start the daemon: words run without a shell (or HEARTLINE_CONSOLE_START_COMMAND)', process.env['HEARTLINE_CONSOLE_START_COMMAND'] ?? DEFAULT_START_COMMAND)
    .addOption(new Option('--start-timeout <duration>', 'how long the start command may run, then how long the daemon may take to answer').argParser(parseTimeout).default(30_000, '30s'))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  heartline console                                  # on this terminal\n' +
        '  heartline console --device /dev/ttyS0              # on the first serial port\n' +
        '  systemctl enable --now heartline-console@ttyS0     # always, on the serial console\n' +
        '  heartline console --config /tmp/h/heartline.yaml --defaults-file /tmp/h/default --start-command "true"\n' +
        '\nFiles written by first-boot setup: the configuration (--config), the key (--authkey, mode 600) and\n' +
        '--defaults-file (HEARTLINE_DAEMON_OPTIONS="--node NAME", read by heartline.service).\n',
    )
    .action(async (options: ConsoleOptions) => {
      const capabilities = terminalCapabilities(process.env);
      const opened = await ConsoleTerminal.open(options.device, capabilities.clearScreen);
      if (!opened.ok) throw new CommandError('device', opened.error, ExitCode.usage, 'give a serial device (/dev/ttyS0) that exists and that you may open');
      const consoleTerminal = opened.value;
      const config = resolve(options.config);
      const session = new ConsoleSession({
        gateway: new ClusterGateway({ socket: options.socket, stateDir: options.stateDir }),
        terminal: consoleTerminal,
        style: capabilities.style,
        setup: { config, authkey: resolve(options.authkey ?? join(dirname(config), 'authkey')), defaultsFile: resolve(options.defaultsFile), profileDirs: profileDirectories(options) },
        startCommand: options.startCommand,
        startTimeoutMs: options.startTimeout,
        switchoverTimeoutMs: 60_000,
        hostName: hostname().split('.')[0] ?? '',
        span,
        now: () => Date.now(),
        sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
        reportError: (message) => terminal.err(`heartline console: error: ${message}`),
      });
      try {
        await session.run();
      } finally {
        consoleTerminal.close();
      }
    });
}
