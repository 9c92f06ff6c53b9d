import type { Command } from 'commander';
import type { membersReport } from '../../daemon/index.js';
import { printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';
import { askDaemon, socketOptionDefault } from './daemon-client.js';
import { formatAgo, table } from '../table.js';

type MembersReport = ReturnType<typeof membersReport>;

export function registerMembersCommand(program: Command, terminal: Terminal): void {
  withJsonOption(
    program
      .command('members')
      .summary('show the membership view, the DC and quorum')
      .description(
        "Show this node's view of the cluster: the agreed view (its id, members and DC), quorum (votes present, " +
          'votes needed, and why it is missing), and every configured node with its state (alive, dead, unknown), ' +
          'incarnation and how long ago it was last heard.',
      )
      .option('-s, --socket <path>', 'the daemon control socket', socketOptionDefault),
  )
    .addHelpText('after', '\nExamples:\n  heartline members\n  heartline members --json | jq .view.dc\n')
    .action(async (options: JsonOption & { socket: string }) => {
      const report = (await askDaemon(options.socket, 'members')) as MembersReport;
      printResult(terminal, options, report, () => renderMembers(report));
    });
}

export function renderMembers(r: MembersReport): string {
  const quorum = r.quorum.quorate ? `yes (${r.quorum.votes} of ${r.quorum.expectedVotes} votes, ${r.quorum.needed} needed${r.quorum.twoNode ? ', two-node' : ''})` : `NO: ${r.quorum.reason ?? ''}`;
  const lines = [
    `Cluster ${r.cluster.name} (id ${r.cluster.id}); this node: ${r.self.name} (id ${r.self.id}, incarnation ${r.self.incarnation})`,
    r.view === null ? 'View: none (not a member of any view)' : `View ${r.view.id}: ${r.view.members.map((m) => m.name).join(', ')}; DC: ${r.view.dc.name}`,
    `Quorum: ${quorum}`,
    '',
    table(
      ['NODE', 'ID', 'STATE', 'INCARNATION', 'LAST HEARD', 'IN VIEW'],
      r.nodes.map((n) => [n.name, String(n.id), n.status, String(n.incarnation), n.lastHeardAgoMs === null ? '-' : formatAgo(n.lastHeardAgoMs), n.inView ? 'yes' : 'no']),
    ),
  ];
  return lines.join('\n');
}
