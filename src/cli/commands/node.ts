import type { Command } from 'commander';
import { buildNodeStandby } from '../../ha/admin/index.js';
import type { Terminal } from '../output.js';
import { applyChange, CHANGE_EXIT_CODES, withDaemonOptions, type DaemonOptions } from './cib-command.js';

/** `heartline node standby|online NODE`: the permanent standby attribute of a node. */
export function registerNodeCommand(program: Command, terminal: Terminal): void {
  const node = program
    .command('node')
    .summary('put nodes in standby and back online')
    .description('Commands about cluster nodes as the configuration knows them (their permanent attributes).');

  withDaemonOptions(
    node
      .command('standby')
      .argument('<node>', 'the node name')
      .summary('move every resource off a node and keep them off')
      .description(
        'Put NODE in standby: the permanent node attribute standby=on. The cluster stops or moves every resource running ' +
          'there and places none there until the node is online again; the node stays a member (it votes, its heartbeats ' +
          'count). The attribute is permanent: the node stays in standby across restarts. Use it before maintenance.',
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline node standby node1\n  heartline node online node1\n' + CHANGE_EXIT_CODES)
    .action(async (name: string, options: DaemonOptions) => {
      await applyChange(terminal, options, `node standby ${name}`, buildNodeStandby(name, true));
    });

  withDaemonOptions(
    node
      .command('online')
      .argument('<node>', 'the node name')
      .summary('let a node in standby run resources again')
      .description('Remove the standby attribute of NODE: the cluster may place resources there again (they move back only where constraints or stickiness say so).'),
  )
    .addHelpText('after', '\nExamples:\n  heartline node online node1\n' + CHANGE_EXIT_CODES)
    .action(async (name: string, options: DaemonOptions) => {
      await applyChange(terminal, options, `node online ${name}`, buildNodeStandby(name, false));
    });
}
