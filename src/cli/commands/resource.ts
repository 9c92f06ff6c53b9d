import type { Command } from 'commander';
import {
  buildResourceBan,
  buildResourceCleanup,
  buildResourceClear,
  buildResourceCreate,
  buildResourceDelete,
  buildResourceMove,
  buildResourceTargetRole,
  buildResourceUpdate,
  DEFAULT_MONITOR,
  type ResourceCreateRequest,
} from '../../ha/admin/index.js';
import { emptyCib } from '../../ha/cib/index.js';
import type { Terminal } from '../output.js';
import { built, queryCib } from './cib-client.js';
import { applyChange, CHANGE_EXIT_CODES, collect, withDaemonOptions, type DaemonOptions } from './cib-command.js';

interface CreateOptions extends DaemonOptions {
  readonly meta?: string[];
  readonly op?: string[];
  readonly group?: string;
  readonly clone?: boolean;
  readonly promotable?: boolean;
}

/**
 * `heartline resource ...`: the operator's changes to resources, each one CIB change sent to the
 * DC through the local daemon (src/ha/admin builds them, the daemon checks the agents on this node
 * and the DC applies the change whole or refuses it).
 */
export function registerResourceCommand(program: Command, terminal: Terminal): void {
  const resource = program
    .command('resource')
    .summary('create, change, move and clean up resources')
    .description(
      'Commands that change the resources of the cluster configuration (the CIB). Each sends one change to the ' +
        "DC through this node's daemon; the change is applied whole or refused whole with a message naming the " +
        "field. Agents are checked on the node you run the command on: an unknown agent, a missing required " +
        'parameter or an unknown parameter is refused before anything changes.',
    );

  withDaemonOptions(
    resource
      .command('create')
      .argument('<id>', 'the new resource id (letters, digits, _ . -)')
      .argument('<agent>', 'the resource agent: ocf:PROVIDER:TYPE, lsb:NAME, heartbeat:NAME or systemd:UNIT')
      .argument('[params...]', "agent parameters as name=value (OCF: the agent's meta-data lists them)")
      .option('--meta <name=value>', 'a meta attribute (target-role, resource-stickiness, migration-threshold, ...); repeatable', collect)
      .option('--op <spec>', `an operation, quoted: 'NAME [interval=D] [timeout=D] [role=R] [on-fail=A] ...'; repeatable; default '${DEFAULT_MONITOR}'`, collect)
      .option('--group <group>', 'append the resource to this group (created when it does not exist)')
      .option('--clone', 'run the resource on every node, as clone ID-clone')
      .option('--promotable', 'a promotable clone (ID-clone with promotable=true): the agent promotes one instance')
      .summary('create a resource from an agent, its parameters, options and operations')
      .description(
        'Create resource ID run by AGENT. Parameters are name=value words after the agent; meta attributes, ' +
          'operations and placement in a group or clone are options. Without --op the resource gets one monitor ' +
          `(${DEFAULT_MONITOR}), because only a monitor notices that a running resource failed. A new resource ` +
          'starts as soon as the cluster can place it, unless --meta target-role=Stopped. An existing id is ' +
          "refused: change a resource with 'heartline resource update'. Clone options (clone-max, " +
          'clone-node-max, interleave, notify, promoted-max, ...) given with --meta go on the clone.',
      ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  heartline resource create vip ocf:heartbeat:IPaddr2 ip=192.0.2.10 cidr_netmask=24\n' +
        "  heartline resource create web systemd:nginx --group site --op 'monitor interval=20s timeout=30s'\n" +
        '  heartline resource create state ocf:heartline:Dummy --meta target-role=Stopped\n' +
        '  heartline resource create db ocf:heartbeat:pgsql --promotable --meta promoted-max=1 \\\n' +
        "      --op 'monitor interval=10s role=Promoted' --op 'monitor interval=11s role=Unpromoted'\n" +
        '  heartline resource create ping ocf:pacemaker:ping host_list=192.0.2.1 --clone --json\n' +
        CHANGE_EXIT_CODES,
    )
    .action(async (id: string, agent: string, params: string[], options: CreateOptions) => {
      const request: ResourceCreateRequest = {
        id,
        agent,
        params,
        meta: options.meta ?? [],
        ops: options.op ?? [],
        ...(options.group === undefined ? {} : { group: options.group }),
        ...(options.clone === true ? { clone: true } : {}),
        ...(options.promotable === true ? { promotable: true } : {}),
      };
      // The words alone first, so a typo is reported (exit 2) even when the daemon cannot be reached.
      const empty = emptyCib();
      if (empty.ok) built(buildResourceCreate(request, empty.value.configuration));
      const { cib } = await queryCib(options.socket);
      await applyChange(terminal, options, `resource create ${id} (${agent})`, built(buildResourceCreate(request, cib.configuration)));
    });

  withDaemonOptions(
    resource
      .command('delete')
      .argument('<id>', 'the resource (a top-level resource or a group member)')
      .option('--force', 'also delete the constraints that name it (otherwise they make the deletion fail)')
      .summary('delete a resource; the cluster stops it first')
      .description(
        'Delete resource ID from the configuration. The cluster stops it wherever it runs (its history stays, so it ' +
          'is stopped as an orphan). Refused while constraints name it, listing them, unless --force, which deletes ' +
          'those constraints too. A clone is deleted by its clone id; a group member alone, unless it is the last one.',
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline resource delete vip\n  heartline resource delete web --force\n' + CHANGE_EXIT_CODES)
    .action(async (id: string, options: DaemonOptions & { force?: boolean }) => {
      await applyChange(terminal, options, `resource delete ${id}${options.force === true ? ' --force' : ''}`, buildResourceDelete(id, options.force === true));
    });

  withDaemonOptions(
    resource
      .command('update')
      .argument('<id>', 'the resource')
      .argument('[params...]', 'agent parameters as name=value; name= removes one')
      .option('--meta <name=value>', 'a meta attribute; name= removes it; repeatable', collect)
      .summary("change a resource's agent parameters and meta attributes")
      .description(
        'Set or remove agent parameters (name=value words; name= removes) and meta attributes (--meta) of resource ' +
          'ID, all in one change. Parameters are checked against the agent on this node: the result must still have ' +
          "every required parameter, and an unknown name is refused with the closest known one. A parameter change " +
          'restarts the resource (or reloads it, when the agent marks the parameter reloadable).',
      ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  heartline resource update vip ip=192.0.2.11\n  heartline resource update vip --meta resource-stickiness=100 --meta migration-threshold=3\n  heartline resource update vip nic=\n' +
        CHANGE_EXIT_CODES,
    )
    .action(async (id: string, params: string[], options: DaemonOptions & { meta?: string[] }) => {
      const change = built(buildResourceUpdate({ id, params, meta: options.meta ?? [] }));
      await applyChange(terminal, options, `resource update ${id} ${[...params, ...(options.meta ?? []).map((m) => `--meta ${m}`)].join(' ')}`.trim(), change);
    });

  withDaemonOptions(
    resource
      .command('move')
      .argument('<id>', 'the resource')
      .argument('<node>', 'where it should run')
      .summary('move a resource to a node (until cleared)')
      .description(
        'Make resource ID run on NODE: writes the location constraint cli-prefer-ID with score INFINITY for NODE, as ' +
          "crm_resource --move does (a later move replaces it). The constraint stays: the resource keeps preferring " +
          "NODE, even after a failover and the node's return, until 'heartline resource clear ID'.",
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline resource move vip node2\n  heartline resource clear vip      # let the cluster place it again\n' + CHANGE_EXIT_CODES)
    .action(async (id: string, node: string, options: DaemonOptions) => {
      await applyChange(terminal, options, `resource move ${id} ${node}`, buildResourceMove(id, node));
    });

  withDaemonOptions(
    resource
      .command('ban')
      .argument('<id>', 'the resource')
      .argument('<node>', 'where it must not run')
      .summary('keep a resource off a node (until cleared)')
      .description(
        'Keep resource ID off NODE: writes the location constraint cli-ban-ID-on-NODE with score -INFINITY, as ' +
          "crm_resource --ban does. If it runs there it moves away. Remove with 'heartline resource clear ID'.",
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline resource ban vip node1\n' + CHANGE_EXIT_CODES)
    .action(async (id: string, node: string, options: DaemonOptions) => {
      await applyChange(terminal, options, `resource ban ${id} ${node}`, buildResourceBan(id, node));
    });

  withDaemonOptions(
    resource
      .command('clear')
      .argument('<id>', 'the resource')
      .summary('remove the constraints of earlier moves and bans of a resource')
      .description(
        'Delete the cli-prefer-ID and every cli-ban-ID-on-NODE constraint of resource ID (the ones move and ban write, ' +
          'and crm_resource too), so that the cluster places it by its other constraints again. The resource may stay ' +
          'where it is (stickiness). Exits 2 when there is nothing to clear.',
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline resource clear vip\n' + CHANGE_EXIT_CODES)
    .action(async (id: string, options: DaemonOptions) => {
      const { cib } = await queryCib(options.socket);
      await applyChange(terminal, options, `resource clear ${id}`, built(buildResourceClear(id, cib.configuration)));
    });

  withDaemonOptions(
    resource
      .command('cleanup')
      .argument('<id>', 'the resource (any resource in the status, even one already deleted)')
      .option('--node <node>', 'only on this node (default: every node)')
      .summary("forget a resource's failures so the cluster tries it again")
      .description(
        "Forget resource ID's operation history, fail counts and last failures (on NODE, or everywhere), as " +
          'crm_resource --cleanup does. The cluster probes it again and, if nothing else forbids it, may start it on ' +
          'the nodes where failures had banned it (migration-threshold).',
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline resource cleanup db\n  heartline resource cleanup db --node node2\n' + CHANGE_EXIT_CODES)
    .action(async (id: string, options: DaemonOptions & { node?: string }) => {
      await applyChange(terminal, options, `resource cleanup ${id}${options.node === undefined ? '' : ` --node ${options.node}`}`, buildResourceCleanup(id, options.node));
    });

  for (const enable of [true, false]) {
    const verb = enable ? 'enable' : 'disable';
    withDaemonOptions(
      resource
        .command(verb)
        .argument('<id>', 'the resource')
        .summary(enable ? 'let the cluster start a resource (target-role=Started)' : 'stop a resource everywhere and keep it stopped (target-role=Stopped)')
        .description(
          enable
            ? 'Set the meta attribute target-role=Started of resource ID: the cluster starts it where it can.'
            : 'Set the meta attribute target-role=Stopped of resource ID: the cluster stops it everywhere and does not start it ' +
                "again until 'heartline resource enable ID'. Resources that depend on it (order, colocation, group members after it) stop too.",
        ),
    )
      .addHelpText('after', `\nExamples:\n  heartline resource ${verb} web\n` + CHANGE_EXIT_CODES)
      .action(async (id: string, options: DaemonOptions) => {
        await applyChange(terminal, options, `resource ${verb} ${id}`, buildResourceTargetRole(id, enable));
      });
  }
}
