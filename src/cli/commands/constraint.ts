import type { Command } from 'commander';
import { buildColocationConstraint, buildConstraintRemove, buildLocationConstraint, buildOrderConstraint } from '../../ha/admin/index.js';
import type { Terminal } from '../output.js';
import { built } from './cib-client.js';
import { applyChange, CHANGE_EXIT_CODES, withDaemonOptions, type DaemonOptions } from './cib-command.js';

/**
 * `heartline constraint add location|colocation|order ...` and `constraint remove ID`: the
 * two-resource constraints in words (src/ha/admin/constraint-add.ts), one CIB change each.
 */
export function registerConstraintCommand(program: Command, terminal: Terminal): void {
  const constraint = program
    .command('constraint')
    .summary('add and remove location, colocation and order constraints')
    .description(
      'Constraints say where resources may run (location), which run together or apart (colocation) and in which ' +
        'order they start (order). Each has an id of your choice; adding one with the id of an existing constraint ' +
        "replaces it. A constraint naming an unknown resource or node is refused. 'heartline config show' lists them.",
    );
  const add = constraint.command('add').summary('add a location, colocation or order constraint').description('Add (or replace, by id) a constraint; see each kind for its words.');

  withDaemonOptions(
    add
      .command('location')
      .argument('<id>', 'the constraint id')
      .argument('<resource>', 'the resource it places')
      .argument('<prefers|avoids>', 'prefers: a positive score; avoids: a negative one')
      .argument('<node[=score]>', 'the node, with the strength of the preference (INFINITY when absent: must / must not)')
      .option('--role <role>', 'only for instances in this role (Promoted, Unpromoted)')
      .summary('prefer or avoid a node for a resource')
      .description(
        'RESOURCE prefers (or avoids) NODE with SCORE: a score of INFINITY (the default) means it runs only there ' +
          '(prefers) or never there (avoids); a finite score is a preference weighed against stickiness and the other ' +
          'constraints. The sign comes from the word: "avoids node1=100" is -100.',
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline constraint add location vip-on-node1 vip prefers node1=100\n  heartline constraint add location db-not-node3 db avoids node3\n' + CHANGE_EXIT_CODES)
    .action(async (id: string, resource: string, relation: string, node: string, options: DaemonOptions & { role?: string }) => {
      const change = built(buildLocationConstraint({ id, resource, relation, node, ...(options.role === undefined ? {} : { role: options.role }) }));
      await applyChange(terminal, options, `constraint add location ${id} ${resource} ${relation} ${node}`, change);
    });

  withDaemonOptions(
    add
      .command('colocation')
      .argument('<id>', 'the constraint id')
      .argument('<resource>', 'the dependent resource: placed according to the other')
      .argument('<with>', "the word 'with'")
      .argument('<with-resource>', 'the resource placed first')
      .argument('[score]', 'INFINITY (default): always together; -INFINITY: never together; finite: a preference')
      .option('--score <score>', 'the score, for negative values (same as the SCORE argument)')
      .option('--role <role>', 'RESOURCE only in this role')
      .option('--with-role <role>', 'WITH-RESOURCE only in this role (e.g. Promoted: run where the promoted instance runs)')
      .summary('run a resource together with (or apart from) another')
      .description(
        'Place RESOURCE relative to WITH-RESOURCE: with a positive score on the same node, with a negative score on ' +
          'another node. WITH-RESOURCE is placed first; if it cannot run, an INFINITY colocation stops RESOURCE too. ' +
          'Negative scores look like options to the shell parser: give them with --score=-INFINITY or after "--".',
      ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  heartline constraint add colocation web-with-vip web with vip\n  heartline constraint add colocation apart db1 with db2 --score=-INFINITY\n  heartline constraint add colocation app-with-primary app with db-clone --with-role Promoted\n' +
        CHANGE_EXIT_CODES,
    )
    .action(async (id: string, resource: string, keyword: string, withResource: string, score: string | undefined, options: DaemonOptions & { score?: string; role?: string; withRole?: string }) => {
      const finalScore = options.score ?? score;
      const change = built(
        buildColocationConstraint({
          id,
          resource,
          keyword,
          withResource,
          ...(finalScore === undefined ? {} : { score: finalScore }),
          ...(options.role === undefined ? {} : { role: options.role }),
          ...(options.withRole === undefined ? {} : { withRole: options.withRole }),
        }),
      );
      await applyChange(terminal, options, `constraint add colocation ${id} ${resource} with ${withResource}${finalScore === undefined ? '' : ` ${finalScore}`}`, change);
    });

  withDaemonOptions(
    add
      .command('order')
      .argument('<id>', 'the constraint id')
      .argument('<first>', 'the resource started first')
      .argument('<then>', "the word 'then'")
      .argument('<then-resource>', 'the resource started after it')
      .option('--kind <kind>', 'Mandatory (default): THEN waits, and restarts when FIRST restarts; Optional: only when both happen in one transition; Serialize: never at the same time')
      .option('--first-action <action>', 'the action of FIRST: start (default), stop, promote, demote')
      .option('--then-action <action>', 'the action of THEN (default: the action of FIRST)')
      .option('--no-symmetrical', 'do not also stop in the reverse order')
      .summary('start one resource after another')
      .description(
        'Start THEN-RESOURCE only after FIRST has started (or the given actions), and, unless --no-symmetrical, stop ' +
          'them in the reverse order. Order says nothing about where they run: add a colocation for that.',
      ),
  )
    .addHelpText('after', '\nExamples:\n  heartline constraint add order vip-then-web vip then web\n  heartline constraint add order promote-then-app db-clone then app --first-action promote --then-action start\n' + CHANGE_EXIT_CODES)
    .action(async (id: string, first: string, keyword: string, then: string, options: DaemonOptions & { kind?: string; firstAction?: string; thenAction?: string; symmetrical?: boolean }) => {
      const change = built(
        buildOrderConstraint({
          id,
          first,
          keyword,
          then,
          ...(options.kind === undefined ? {} : { kind: options.kind }),
          ...(options.firstAction === undefined ? {} : { firstAction: options.firstAction }),
          ...(options.thenAction === undefined ? {} : { thenAction: options.thenAction }),
          ...(options.symmetrical === false ? { symmetrical: false } : {}),
        }),
      );
      await applyChange(terminal, options, `constraint add order ${id} ${first} then ${then}`, change);
    });

  withDaemonOptions(
    constraint
      .command('remove')
      .argument('<id>', 'the constraint id')
      .summary('remove a constraint by id')
      .description("Remove constraint ID. An unknown id is refused with the list of constraint ids. Moves and bans are removed with 'heartline resource clear'."),
  )
    .addHelpText('after', '\nExamples:\n  heartline constraint remove vip-on-node1\n' + CHANGE_EXIT_CODES)
    .action(async (id: string, options: DaemonOptions) => {
      await applyChange(terminal, options, `constraint remove ${id}`, buildConstraintRemove(id));
    });
}
