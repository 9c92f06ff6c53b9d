import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatDuration, parseDuration } from '../../config/index.js';
import { millis } from '../../lib/index.js';
import { applyRealtimeScheduling, DEFAULT_REALTIME_PRIORITY } from '../../daemon/realtime-scheduling.js';
import { PinoLogger, SystemClock } from '../../platform/index.js';
import { isFencingMessage, parseDiskMessage, resolveDiskTimeouts, SECTOR_SIZES, type DiskMessage, type SectorSize } from '../../storage/disk-format/index.js';
import { DeviceWatchdog, DiskWatcher, FileBlockDevice, FileWatchdog, QuorumDisk, SharedDisk, type StartMode, type Watchdog } from '../../storage/index.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';
import { table } from '../table.js';
import { currentUser } from './cib-client.js';

/**
 * The fencing-disk commands under `heartline storage`: disk-init (write the layout), disk-dump
 * (show it), disk-message (write a message into a node's slot), disk-watch (run a node's watcher
 * in the foreground: for sites and tests without the daemon's wiring).
 */
export function registerStorageDiskCommands(storage: Command, terminal: Terminal): void {
  withJsonOption(
    storage
      .command('disk-init')
      .argument('<device>', 'the fencing disk: a small partition or LUN every node sees, e.g. /dev/disk/by-id/scsi-...-part1')
      .summary('initialize a fencing disk: header, one slot per node, the quorum lease')
      .description(
        'Writes the fencing layout to DEVICE: a header with the timeouts every node and fencer uses, ' +
          'the quorum-disk lease sector, and one slot (mailbox + heartbeat sector) per node. Timeouts ' +
          'follow sbd: msgwait = 2 x the watchdog timeout, loop = 1 s (at most a fifth of the watchdog ' +
          'timeout), lease timeout = msgwait; the rules between them are checked. DEVICE must hold ' +
          '2 + 2 x slots sectors (34 KiB for 16 slots of 512 bytes). Refuses a device that already has a ' +
          'fencing header unless --force: re-initializing a disk in use clears every pill.',
      )
      .requiredOption('--nodes <names>', 'the nodes, comma-separated, each gets a slot (a,b)', parseNodes)
      .option('--watchdog-timeout <duration>', 'the watchdog timeout of every node (default 5s)', parseMillis)
      .option('--msgwait <duration>', 'how long a fencer waits after a pill (default 2 x watchdog timeout)', parseMillis)
      .option('--loop <duration>', 'how often a node reads its slot (default 1s)', parseMillis)
      .option('--lease-timeout <duration>', 'quorum-disk lease timeout (default msgwait)', parseMillis)
      .option('--slots <count>', 'slots to allocate, for nodes added later (default 16)', parseSlots)
      .addOption(new Option('--sector-size <bytes>', 'sector size (default: the device\'s logical block size, else 512)').choices(SECTOR_SIZES.map(String)))
      .option('--force', 'overwrite an existing fencing header (only while no node uses the disk)'),
  )
    .addHelpText('after', '\nExamples:\n  heartline storage disk-init /dev/disk/by-id/scsi-shared-fence --nodes node-a,node-b\n  heartline storage disk-init /dev/loop7 --nodes a,b --watchdog-timeout 2s --json\n')
    .action((device: string, options: JsonOption & { nodes: string[]; watchdogTimeout?: number; msgwait?: number; loop?: number; leaseTimeout?: number; slots?: number; sectorSize?: string; force?: boolean }) => {
      const timeouts = resolveDiskTimeouts({
        ...(options.watchdogTimeout === undefined ? {} : { watchdogTimeoutMs: options.watchdogTimeout }),
        ...(options.msgwait === undefined ? {} : { msgwaitMs: options.msgwait }),
        ...(options.loop === undefined ? {} : { loopMs: options.loop, ioTimeoutMs: options.loop }),
        ...(options.leaseTimeout === undefined ? {} : { leaseTimeoutMs: options.leaseTimeout }),
      });
      if (!timeouts.ok) throw new CommandError('usage', `the timeouts break the rules: ${timeouts.error.join('; ')}`, ExitCode.usage);
      const opened = FileBlockDevice.open(device);
      if (!opened.ok) throw new CommandError('device', opened.error, ExitCode.failed);
      const block = opened.value;
      try {
        const existing = SharedDisk.open(block);
        if (existing.ok && options.force !== true) {
          throw new CommandError('initialized', `${device} already holds a fencing layout (disk ${existing.value.header.diskId}, ${existing.value.header.slotCount} slots)`, ExitCode.usage, 'pass --force to overwrite it, only while no node uses the disk: every pill and heartbeat is lost');
        }
        const sectorSize = (options.sectorSize === undefined ? sectorSizeOf(block) : Number(options.sectorSize)) as SectorSize;
        const made = SharedDisk.initialize(block, { nodes: options.nodes, timeouts: timeouts.value, sectorSize, ...(options.slots === undefined ? {} : { slotCount: options.slots }), diskId: randomBytes(16).toString('hex'), wallNow: Date.now() });
        if (!made.ok) throw new CommandError('init-failed', made.error, /node|slot count/.test(made.error) ? ExitCode.usage : ExitCode.failed);
        const header = made.value.header;
        printResult(terminal, options, { ok: true, device, direct: block.direct, header, nodes: options.nodes }, () =>
          [`${device}: fencing disk ${header.diskId} initialized (${header.slotCount} slots of ${header.sectorSize}-byte sectors, direct I/O ${block.direct ? 'yes' : 'no'})`, `nodes: ${options.nodes.join(', ')}`, describeTimeouts(header)].join('\n'),
        );
      } finally {
        block.close();
      }
    });

  withJsonOption(
    storage
      .command('disk-dump')
      .argument('<device>', 'the fencing disk')
      .summary('show a fencing disk: timeouts, every slot\'s message and heartbeat, the lease')
      .description('Reads the header, the quorum lease and every allocated slot of DEVICE: the message in each mailbox (clear, test, poison, off) with its sender and sequence, and the heartbeat the node last wrote (counter, state, acknowledged sequence, when). Read-only.'),
  )
    .addHelpText('after', '\nExamples:\n  heartline storage disk-dump /dev/disk/by-id/scsi-shared-fence\n  heartline storage disk-dump /dev/loop7 --json | jq \'.slots[] | {node, message}\'\n')
    .action((device: string, options: JsonOption) => {
      const disk = openDisk(device);
      try {
        const slots = disk.slots();
        if (!slots.ok) throw new CommandError('device', slots.error, ExitCode.failed);
        const lease = disk.readLease();
        if (!lease.ok) throw new CommandError('device', lease.error, ExitCode.failed);
        const now = Date.now();
        const rows = slots.value.map((view) => ({
          slot: view.slot,
          node: view.node,
          message: view.mailbox.message,
          sequence: view.mailbox.sequence,
          sender: view.mailbox.sender,
          messageWrittenAt: view.mailbox.writtenAtWallMs,
          heartbeat: view.heartbeat === undefined ? null : { counter: view.heartbeat.counter, state: view.heartbeat.state, acknowledgedSequence: view.heartbeat.acknowledgedSequence, writtenAt: view.heartbeat.writtenAtWallMs },
        }));
        printResult(terminal, options, { ok: true, device, direct: disk.device.direct, header: disk.header, lease: lease.value ?? null, slots: rows }, () =>
          [
            `${device}: fencing disk ${disk.header.diskId}, format ${disk.header.version}, ${disk.header.slotCount} slots of ${disk.header.sectorSize} bytes`,
            describeTimeouts(disk.header),
            `quorum lease: ${lease.value === undefined || lease.value.owner === '' ? 'never taken' : `${lease.value.owner} (counter ${lease.value.counter}, written ${ago(now, lease.value.writtenAtWallMs)})`}`,
            '',
            table(
              ['SLOT', 'NODE', 'MESSAGE', 'SEQ', 'SENDER', 'HEARTBEAT', 'STATE', 'WRITTEN'],
              rows.map((row) => [String(row.slot), row.node, row.message, String(row.sequence), row.sender || '-', row.heartbeat === null ? '-' : String(row.heartbeat.counter), row.heartbeat?.state ?? 'never', row.heartbeat === null ? '-' : ago(now, row.heartbeat.writtenAt)]),
            ),
          ].join('\n'),
        );
      } finally {
        disk.close();
      }
    });

  withJsonOption(
    storage
      .command('disk-message')
      .argument('<device>', 'the fencing disk')
      .argument('<node>', 'the node whose slot gets the message')
      .argument('<message>', 'clear | test | poison | off', parseMessage)
      .summary('write a message into a node\'s slot: clear, test, poison (reset) or off')
      .description(
        'Writes MESSAGE into NODE\'s mailbox on the fencing disk, with the next sequence number and ' +
          'user@host as the sender. poison makes the node reset itself at once (sbd\'s "reset"), off makes ' +
          'it power itself off; a node that cannot read its slot is reset by its watchdog instead, so ' +
          'the node is gone at most msgwait after the write. test is logged and acknowledged by the node ' +
          '(see disk-dump). clear removes a pill so that a fenced node may start again (start mode clean). ' +
          'This command does not wait msgwait; the disk fence driver does.',
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline storage disk-message /dev/loop7 node-b test\n  heartline storage disk-message /dev/disk/by-id/scsi-shared-fence node-b poison\n  heartline storage disk-message /dev/loop7 node-b clear --json\n')
    .action((device: string, node: string, message: DiskMessage, options: JsonOption) => {
      const disk = openDisk(device);
      try {
        const sender = `${currentUser()}@${hostname().split('.')[0] ?? 'host'}`.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 63);
        const sent = disk.sendMessage(node, message, sender, Date.now());
        if (!sent.ok) throw new CommandError(/has no slot/.test(sent.error) ? 'unknown-node' : 'device', sent.error, /has no slot/.test(sent.error) ? ExitCode.usage : ExitCode.failed);
        printResult(terminal, options, { ok: true, device, node, message, sequence: sent.value.sequence, sender, msgwaitMs: disk.header.msgwaitMs }, () =>
          isFencingMessage(message)
            ? `'${message}' written for ${node} (sequence ${sent.value.sequence}): ${node} fences itself within ${formatDuration(millis(disk.header.loopMs + disk.header.ioTimeoutMs))}, or its watchdog resets it; it is gone at most ${formatDuration(millis(disk.header.msgwaitMs))} (msgwait) from now`
            : `'${message}' written for ${node} (sequence ${sent.value.sequence})`,
        );
      } finally {
        disk.close();
      }
    });

  storage
    .command('disk-watch')
    .argument('<device>', 'the fencing disk')
    .summary('run a node\'s disk watcher in the foreground (poison pill, heartbeat, watchdog, quorum lease)')
    .description(
      'Runs this node\'s side of disk fencing until SIGTERM or SIGINT: every loop interval it reads its ' +
        'slot, fences itself at once on poison or off, writes its heartbeat and pets the watchdog while ' +
        'it can read its slot. (Without the daemon there is no cluster to see: losing the disk means a ' +
        'watchdog reset.) With --quorum-disk it also takes and renews the quorum lease. Logs are JSON ' +
        'lines on stdout. A clean stop disarms the watchdog (magic close). The daemon runs the same ' +
        'watcher when heartline.yaml has storage.disk_fencing.',
    )
    .requiredOption('--node <name>', 'this node\'s slot name')
    .option('--watchdog <device>', 'the watchdog device', '/dev/watchdog')
    .option('--watchdog-stand-in <file>', 'test stand-in: pet a JSON file a harness watches instead of a device')
    .addOption(new Option('--start-mode <mode>', 'clean: refuse to start while the slot holds a pill; always: ignore an old pill').choices(['clean', 'always']).default('clean'))
    .option('--quorum-disk', 'also hold the quorum-disk lease when this node can')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--realtime-priority <priority>', 'SCHED_RR priority (0: normal scheduling), so that a busy machine does not delay the loop past the watchdog timeout', parseRealtimePriority, DEFAULT_REALTIME_PRIORITY)
    .addHelpText('after', '\nExamples:\n  heartline storage disk-watch /dev/disk/by-id/scsi-shared-fence --node node-a\n  heartline storage disk-watch /dev/loop7 --node a --watchdog-stand-in /run/test/a-watchdog.json --quorum-disk\n')
    .action(async (device: string, options: { node: string; watchdog: string; watchdogStandIn?: string; startMode: StartMode; quorumDisk?: boolean; logLevel: string; realtimePriority: number }) => {
      const disk = openDisk(device);
      const logger = PinoLogger.create({ level: options.logLevel as 'info', destinationFd: 1 }).child('storage');
      // As sbd does: a watcher that the scheduler leaves waiting past the watchdog timeout gets its node reset.
      applyRealtimeScheduling(options.realtimePriority, logger);
      const clock = new SystemClock();
      const watchdog: Watchdog = options.watchdogStandIn === undefined ? new DeviceWatchdog(options.watchdog) : new FileWatchdog(options.watchdogStandIn, disk.header.watchdogTimeoutMs);
      const watcher = new DiskWatcher({ disk, node: options.node, watchdog, clock, logger, startMode: options.startMode });
      const started = watcher.start();
      if (!started.ok) {
        disk.close();
        throw new CommandError('start', started.error, ExitCode.failed);
      }
      const quorum = options.quorumDisk === true ? new QuorumDisk({ disk, node: options.node, clock, logger }) : undefined;
      quorum?.start();
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          quorum?.stop();
          watcher.stop();
          logger.info('disk watcher stopped', { node: options.node });
          resolve();
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      disk.close();
    });
}

function openDisk(device: string): SharedDisk {
  const disk = SharedDisk.openPath(device);
  if (!disk.ok) throw new CommandError('device', disk.error, /no fencing header|does not start with/.test(disk.error) ? ExitCode.usage : ExitCode.failed, /blank|does not start/.test(disk.error) ? 'initialize it: heartline storage disk-init DEVICE --nodes a,b' : undefined);
  return disk.value;
}

function sectorSizeOf(device: FileBlockDevice): SectorSize {
  const size = device.logicalBlockSize();
  return size === 4096 ? 4096 : 512;
}

function describeTimeouts(header: { watchdogTimeoutMs: number; msgwaitMs: number; loopMs: number; ioTimeoutMs: number; leaseTimeoutMs: number }): string {
  const d = (ms: number): string => formatDuration(millis(ms));
  return `timeouts: watchdog ${d(header.watchdogTimeoutMs)}, msgwait ${d(header.msgwaitMs)}, loop ${d(header.loopMs)}, io ${d(header.ioTimeoutMs)}, lease ${d(header.leaseTimeoutMs)}`;
}

function ago(now: number, then: number): string {
  const ms = Math.max(0, now - then);
  return ms < 1000 ? `${ms} ms ago` : `${(ms / 1000).toFixed(1)} s ago`;
}

function parseNodes(value: string): string[] {
  const nodes = value.split(',').map((node) => node.trim()).filter((node) => node !== '');
  if (nodes.length === 0) throw new InvalidArgumentError('name the nodes, comma-separated: --nodes a,b');
  return nodes;
}

function parseMillis(value: string): number {
  const parsed = parseDuration(/^\d+$/.test(value) ? Number(value) : value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.error);
  return parsed.value;
}

function parseRealtimePriority(value: string): number {
  const priority = Number(value);
  if (!/^\d+$/.test(value) || priority > 99) throw new InvalidArgumentError(`a SCHED_RR priority is a whole number from 1 to 99, or 0 for normal scheduling; got '${value}'`);
  return priority;
}

function parseSlots(value: string): number {
  const slots = Number(value);
  if (!Number.isInteger(slots) || slots < 1 || slots > 255) throw new InvalidArgumentError(`'${value}' is not a slot count 1..255`);
  return slots;
}

function parseMessage(value: string): DiskMessage {
  const message = parseDiskMessage(value);
  if (message === undefined) throw new InvalidArgumentError(`'${value}' is not a message: clear, test, poison or off`);
  return message;
}
