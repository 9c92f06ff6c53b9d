import type { Command } from 'commander';
import type { linksReport } from '../../daemon/index.js';
import { printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';
import { askDaemon, socketOptionDefault } from './daemon-client.js';
import { formatAgo, table } from '../table.js';

type LinksReport = ReturnType<typeof linksReport>;

export function registerLinksCommand(program: Command, terminal: Terminal): void {
  withJsonOption(
    program
      .command('links')
      .summary('show the health of every heartbeat link towards every peer')
      .description(
        'Show each heartbeat link towards each peer: up or down (down after deadtime without a heartbeat on that ' +
          'link), how long ago a heartbeat last arrived, the loss over the last 64 heartbeats and the smoothed ' +
          "round-trip time; then this node's own link adapters and the frames dropped, by reason (bad tag, replay, " +
          'malformed, unknown cluster, ...). A peer stays alive while any one of its links is up.',
      )
      .option('-s, --socket <path>', 'the daemon control socket', socketOptionDefault),
  )
    .addHelpText('after', '\nExamples:\n  heartline links\n  heartline links --json | jq \'.peers[] | select(.state != "up")\'\n')
    .action(async (options: JsonOption & { socket: string }) => {
      const report = (await askDaemon(options.socket, 'links')) as LinksReport;
      printResult(terminal, options, report, () => renderLinks(report));
    });
}

export function renderLinks(r: LinksReport): string {
  const drops = Object.entries(r.frames.dropped).filter(([, count]) => count > 0);
  return [
    table(
      ['PEER', 'LINK', 'STATE', 'LAST HEARD', 'LOSS', 'RTT'],
      r.peers.map((p) => [p.peerName, p.link, p.state, p.lastHeardAgoMs === null ? '-' : formatAgo(p.lastHeardAgoMs), `${p.lossPercent.toFixed(1)}%`, p.rttMs === null ? '-' : `${p.rttMs.toFixed(1)} ms`]),
    ),
    '',
    `Local links: ${r.local.map((l) => `${l.name} (${l.kind}) ${l.openError !== null ? `failed to open: ${l.openError}` : l.state.state === 'up' ? 'up' : `down: ${l.state.reason}`}`).join('; ')}`,
    `Frames: ${r.frames.accepted} accepted, ${r.frames.delivered} messages; dropped: ${drops.length === 0 ? 'none' : drops.map(([reason, count]) => `${reason} ${count}`).join(', ')}`,
  ].join('\n');
}
