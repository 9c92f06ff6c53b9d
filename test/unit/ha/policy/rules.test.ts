// One row per semantic rule of Pacemaker 2.1's scheduler that the policy engine implements (the
// rows in placement.test.ts, failures.test.ts and ordering-clones.test.ts cover the basic cases and
// are not repeated here). Each row names its rule ("area: rule"), builds the smallest CIB that
// shows it and asserts the crm_simulate Transition Summary lines, or, where the rule is about the
// graph or the scores, the actions, edges or allocation scores. Rows marked "regression" pin an
// engine bug found by the property tests (test/property/policy).
import { describe, expect, it } from 'vitest';
import { SCORE_INFINITY, addScores, parseScore } from '../../../../src/ha/cib/index.js';
import type { PolicyResult } from '../../../../src/ha/policy/index.js';
import { buildCib, clone, dummy, group, lrm, op, promotable, promoted, run, running, summaryOf, type CibSpec } from './cib-builder.js';

const NOW = 1_700_000_000;
const two = (a: { lrm?: string; transient?: Record<string, string> } = {}, b: { lrm?: string; transient?: Record<string, string> } = {}): CibSpec['nodes'] => [
  { name: 'node1', ...a },
  { name: 'node2', ...b },
];
const location = (id: string, rsc: string, node: string, score: string): string => `<rsc_location id="${id}" rsc="${rsc}" node="${node}" score="${score}"/>`;
const ruleLocation = (id: string, rsc: string, rule: string): string => `<rsc_location id="${id}" rsc="${rsc}">${rule}</rsc_location>`;
const expr = (id: string, attribute: string, operation: string, value?: string): string => `<expression id="${id}" attribute="${attribute}" operation="${operation}"${value === undefined ? '' : ` value="${value}"`}/>`;
const failedMonitor = (id: string, interval = 10000, expected = 0): string => lrm(id, [['start', 0, 2], ['monitor', 1, 3, interval, expected]]);
const stateful = (id: string, ops = ''): string => dummy(id, {}, ops);

describe('score arithmetic', () => {
  const rows: { rule: string; sum: [number, number]; expected: number }[] = [
    { rule: 'score: INFINITY + -INFINITY = -INFINITY', sum: [SCORE_INFINITY, -SCORE_INFINITY], expected: -SCORE_INFINITY },
    { rule: 'score: -INFINITY absorbs a finite score', sum: [-SCORE_INFINITY, 5000], expected: -SCORE_INFINITY },
    { rule: 'score: INFINITY absorbs a finite score', sum: [SCORE_INFINITY, -5000], expected: SCORE_INFINITY },
    { rule: 'score: sums saturate at INFINITY (1,000,000)', sum: [999_999, 2], expected: SCORE_INFINITY },
    { rule: 'score: sums saturate at -INFINITY', sum: [-999_999, -2], expected: -SCORE_INFINITY },
    { rule: 'score: finite sums are exact', sum: [300, -500], expected: -200 },
  ];
  it.each(rows)('$rule', ({ sum, expected }) => {
    expect(addScores(...sum)).toBe(expected);
  });

  it('score: values beyond INFINITY parse as INFINITY', () => {
    expect([parseScore('2000000'), parseScore('-2000000'), parseScore('+INFINITY')]).toEqual([SCORE_INFINITY, -SCORE_INFINITY, SCORE_INFINITY]);
  });

  it('score: allocation scores saturate at INFINITY', () => {
    const result = run(buildCib({ nodes: two(), resources: dummy('rsc'), constraints: location('l1', 'rsc', 'node1', '600000') + location('l2', 'rsc', 'node1', '600000') }));
    expect(result.scores).toContainEqual({ resource: 'rsc', node: 'node1', score: SCORE_INFINITY, kind: 'allocation' });
  });
});

interface Row {
  readonly rule: string;
  readonly spec: CibSpec;
  readonly expected: readonly string[];
}

const rows: Row[] = [
  // Scores in placement.
  { rule: 'score: INFINITY and -INFINITY on one node make it unusable', spec: { nodes: two(), resources: dummy('rsc'), constraints: location('l1', 'rsc', 'node1', 'INFINITY') + location('l2', 'rsc', 'node1', '-INFINITY') }, expected: ['* Start rsc ( node2 )'] },

  // Symmetric and opt-in clusters.
  { rule: 'symmetric cluster: every node allowed at 0, ties go to the node with fewer resources', spec: { nodes: two({ lrm: running('a') }), resources: dummy('a') + dummy('b') }, expected: ['* Start b ( node2 )'] },
  { rule: 'opt-in cluster: a location of score 0 allows a node', spec: { nodes: two(), resources: dummy('rsc'), constraints: location('l', 'rsc', 'node2', '0'), options: { 'symmetric-cluster': 'false' } }, expected: ['* Start rsc ( node2 )'] },
  { rule: 'opt-in cluster: a running resource without a location stops', spec: { nodes: two({ lrm: running('rsc') }), resources: dummy('rsc'), options: { 'symmetric-cluster': 'false' } }, expected: ['* Stop rsc ( node1 ) due to node availability'] },

  // Stickiness.
  { rule: 'stickiness: primitives are not sticky by default', spec: { nodes: two({ lrm: running('rsc') }), resources: dummy('rsc'), constraints: location('l', 'rsc', 'node2', '1') }, expected: ['* Move rsc ( node1 -> node2 )'] },
  { rule: 'stickiness: rsc_defaults resource-stickiness applies to every resource', spec: { nodes: two({ lrm: running('rsc') }), resources: dummy('rsc'), constraints: location('l', 'rsc', 'node2', '100'), rscDefaults: { 'resource-stickiness': '200' } }, expected: [] },
  { rule: 'stickiness: a resource-stickiness of its own wins over rsc_defaults', spec: { nodes: two({ lrm: running('rsc') }), resources: dummy('rsc', { 'resource-stickiness': '0' }), constraints: location('l', 'rsc', 'node2', '100'), rscDefaults: { 'resource-stickiness': '200' } }, expected: ['* Move rsc ( node1 -> node2 )'] },
  { rule: 'stickiness: INFINITY stickiness outweighs an INFINITY preference elsewhere', spec: { nodes: two({ lrm: running('rsc') }), resources: dummy('rsc', { 'resource-stickiness': 'INFINITY' }), constraints: location('l', 'rsc', 'node2', 'INFINITY') }, expected: [] },
  { rule: 'stickiness: clones are sticky by default (1)', spec: { nodes: two({ lrm: running('cd') }), resources: clone('c', dummy('cd'), { 'clone-max': '1' }), constraints: location('l', 'c', 'node2', '1') }, expected: [] },
  { rule: 'stickiness: resource-stickiness=0 on a clone removes its default', spec: { nodes: two({ lrm: running('cd') }), resources: clone('c', dummy('cd'), { 'clone-max': '1', 'resource-stickiness': '0' }), constraints: location('l', 'c', 'node2', '1') }, expected: ['* Move cd:0 ( node1 -> node2 )'] },

  // Location rules.
  {
    rule: 'location rule: an expression on a node attribute',
    spec: { nodes: [{ name: 'node1', attributes: { site: 'west' } }, { name: 'node2', attributes: { site: 'east' } }], resources: dummy('rsc'), constraints: ruleLocation('l', 'rsc', `<rule id="r" score="100">${expr('e', 'site', 'eq', 'east')}</rule>`) },
    expected: ['* Start rsc ( node2 )'],
  },
  {
    rule: 'location rule: boolean-op=and needs every expression',
    spec: {
      nodes: [{ name: 'node1', attributes: { site: 'east', rack: '1' } }, { name: 'node2', attributes: { site: 'east', rack: '2' } }, { name: 'node3', attributes: { site: 'west', rack: '2' } }],
      resources: dummy('rsc'),
      constraints: ruleLocation('l', 'rsc', `<rule id="r" score="100" boolean-op="and">${expr('e1', 'site', 'eq', 'east')}${expr('e2', 'rack', 'eq', '2')}</rule>`),
    },
    expected: ['* Start rsc ( node2 )'],
  },
  {
    rule: 'location rule: boolean-op=or needs one expression',
    spec: {
      nodes: [{ name: 'node1', attributes: { site: 'west', rack: '1' } }, { name: 'node2', attributes: { site: 'east', rack: '2' } }, { name: 'node3', attributes: { site: 'east', rack: '1' } }],
      resources: dummy('rsc'),
      constraints: ruleLocation('l', 'rsc', `<rule id="r" score="-INFINITY" boolean-op="or">${expr('e1', 'site', 'eq', 'west')}${expr('e2', 'rack', 'eq', '2')}</rule>`),
    },
    expected: ['* Start rsc ( node3 )'],
  },
  {
    rule: 'location rule: score-attribute takes the score from the node attribute',
    spec: { nodes: [{ name: 'node1', attributes: { weight: '10' } }, { name: 'node2', attributes: { weight: '20' } }], resources: dummy('rsc'), constraints: ruleLocation('l', 'rsc', `<rule id="r" score-attribute="weight">${expr('e', 'weight', 'defined')}</rule>`) },
    expected: ['* Start rsc ( node2 )'],
  },
  {
    rule: 'location rule: gt without a type compares integers, not strings',
    spec: { nodes: [{ name: 'node1', attributes: { cpus: '3' } }, { name: 'node2', attributes: { cpus: '10' } }], resources: dummy('rsc'), constraints: ruleLocation('l', 'rsc', `<rule id="r" score="100">${expr('e', 'cpus', 'gt', '4')}</rule>`) },
    expected: ['* Start rsc ( node2 )'],
  },
  {
    rule: 'location rule: not_defined matches nodes without the attribute',
    spec: { nodes: [{ name: 'node1' }, { name: 'node2', attributes: { storage: 'yes' } }], resources: dummy('rsc'), constraints: ruleLocation('l', 'rsc', `<rule id="r" score="-INFINITY">${expr('e', 'storage', 'not_defined')}</rule>`) },
    expected: ['* Start rsc ( node2 )'],
  },
  {
    rule: 'location rule: role=Promoted only changes the promotion score',
    spec: {
      nodes: two({ lrm: running('s'), transient: { 'master-s': '5' } }, { lrm: running('s'), transient: { 'master-s': '5' } }),
      resources: promotable('ms', stateful('s')),
      constraints: ruleLocation('l', 'ms', `<rule id="r" score="100" role="Promoted">${expr('e', '#uname', 'eq', 'node2')}</rule>`),
    },
    expected: ['* Promote s:1 ( Unpromoted -> Promoted node2 )'],
  },

  // Colocation.
  { rule: 'colocation: an advisory positive score pulls the dependent to the primary', spec: { nodes: two({}, { lrm: running('a') }), resources: dummy('a') + dummy('b'), constraints: '<rsc_colocation id="c" rsc="b" with-rsc="a" score="50"/>' }, expected: ['* Start b ( node2 )'] },
  {
    rule: 'colocation: an advisory score yields to a ban of the dependent',
    // a is sticky: without stickiness the dependent's ban, scaled by 50/INFINITY, moves a too.
    spec: { nodes: two({}, { lrm: running('a') }), resources: dummy('a', { 'resource-stickiness': '100' }) + dummy('b'), constraints: '<rsc_colocation id="c" rsc="b" with-rsc="a" score="50"/>' + location('l', 'b', 'node2', '-INFINITY') },
    expected: ['* Start b ( node1 )'],
  },
  {
    rule: "colocation: a dependent's preferences count in the primary's placement (scaled by score/INFINITY)",
    spec: { nodes: two({}, { lrm: running('a') }), resources: dummy('a') + dummy('b'), constraints: '<rsc_colocation id="c" rsc="b" with-rsc="a" score="50"/>' + location('l', 'b', 'node2', '-INFINITY') },
    expected: ['* Move a ( node2 -> node1 )', '* Start b ( node1 )'],
  },
  {
    rule: 'colocation: a negative advisory score outweighs a smaller preference',
    spec: { nodes: two({ lrm: running('a') }), resources: dummy('a') + dummy('b'), constraints: '<rsc_colocation id="c" rsc="b" with-rsc="a" score="-50"/>' + location('l', 'b', 'node1', '10') },
    expected: ['* Start b ( node2 )'],
  },
  {
    rule: 'colocation: a mandatory dependent of a primary that cannot run stops',
    spec: { nodes: two({ lrm: running('b') }), resources: dummy('a', { 'target-role': 'Stopped' }) + dummy('b'), constraints: '<rsc_colocation id="c" rsc="b" with-rsc="a" score="INFINITY"/>' },
    expected: ['* Stop b ( node1 ) due to node availability'],
  },
  {
    rule: 'colocation: with-rsc-role=Promoted follows the promoted instance',
    spec: {
      nodes: two({ lrm: running('s'), transient: { 'master-s': '5' } }, { lrm: promoted('s'), transient: { 'master-s': '10' } }),
      resources: promotable('ms', stateful('s')) + dummy('ip'),
      constraints: '<rsc_colocation id="c" rsc="ip" with-rsc="ms" with-rsc-role="Promoted" score="INFINITY"/>',
    },
    expected: ['* Start ip ( node2 )'],
  },
  {
    rule: 'colocation: a set colocates each member with the one before it',
    spec: { nodes: two({}, { lrm: running('a') }), resources: dummy('a') + dummy('b'), constraints: '<rsc_colocation id="c" score="INFINITY"><resource_set id="s"><resource_ref id="a"/><resource_ref id="b"/></resource_set></rsc_colocation>' },
    expected: ['* Start b ( node2 )'],
  },
  {
    rule: 'colocation: chains (c with b, b with a) follow the first primary',
    spec: { nodes: two({}, { lrm: running('a') }), resources: dummy('a') + dummy('b') + dummy('c'), constraints: '<rsc_colocation id="c1" rsc="b" with-rsc="a" score="INFINITY"/><rsc_colocation id="c2" rsc="c" with-rsc="b" score="INFINITY"/>' },
    expected: ['* Start b ( node2 )', '* Start c ( node2 )'],
  },

  // Ordering.
  {
    rule: 'order: symmetrical=false does not stop then when first stops',
    spec: { nodes: two({ lrm: running('a') + running('b') }), resources: dummy('a', { 'target-role': 'Stopped' }) + dummy('b'), constraints: '<rsc_order id="o" first="a" then="b" symmetrical="false"/>' },
    expected: ['* Stop a ( node1 ) due to node availability'],
  },

  // Groups.
  {
    rule: 'group: a failed member recovers and the members after it restart',
    spec: { nodes: two({ lrm: failedMonitor('g1') + running('g2') }), resources: group('g', [dummy('g1'), dummy('g2')]) },
    expected: ['* Recover g1 ( node1 )', '* Restart g2 ( node1 ) due to required g1 start'],
  },
  {
    rule: 'group: members after one that cannot run stay stopped',
    spec: { nodes: two(), resources: group('g', [dummy('g1'), dummy('g2')]), constraints: location('l1', 'g1', 'node1', '-INFINITY') + location('l2', 'g1', 'node2', '-INFINITY') },
    expected: [],
  },
  {
    rule: 'group: target-role=Stopped on the group stops every member',
    spec: { nodes: two({ lrm: running('g1') + running('g2') }), resources: group('g', [dummy('g1'), dummy('g2')], { 'target-role': 'Stopped' }) },
    expected: ['* Stop g1 ( node1 ) due to node availability', '* Stop g2 ( node1 ) due to node availability'],
  },

  // Clones.
  { rule: 'clone: clone-max limits the number of instances', spec: { nodes: [{ name: 'node1' }, { name: 'node2' }, { name: 'node3' }], resources: clone('c', dummy('d'), { 'clone-max': '2' }) }, expected: ['* Start d:0 ( node1 )', '* Start d:1 ( node2 )'] },
  { rule: 'clone: anonymous instances run one per node (clone-node-max 1)', spec: { nodes: [{ name: 'node1' }], resources: clone('c', dummy('d'), { 'clone-max': '2' }) }, expected: ['* Start d:0 ( node1 )'] },
  {
    rule: 'clone: globally-unique instances may share a node up to clone-node-max',
    spec: { nodes: [{ name: 'node1' }], resources: clone('c', dummy('u'), { 'globally-unique': 'true', 'clone-max': '2', 'clone-node-max': '2' }) },
    expected: ['* Start u:0 ( node1 )', '* Start u:1 ( node1 )'],
  },
  {
    rule: 'clone: a failed instance recovers in place',
    spec: { nodes: two({ lrm: failedMonitor('d') }, { lrm: running('d') }), resources: clone('c', dummy('d')) },
    expected: ['* Recover d:0 ( node1 )'],
  },
  {
    rule: 'regression: clone: a running instance keeps its node when a better node is full',
    spec: {
      nodes: [{ name: 'node0', state: 'offline' }, { name: 'node1', lrm: running('cd') }, { name: 'node2', state: 'offline' }, { name: 'node3', lrm: running('cd') }],
      resources: clone('c', dummy('cd')),
      constraints: location('l', 'c', 'node1', 'INFINITY'),
    },
    expected: [],
  },
  {
    rule: 'regression: clone: displaced anonymous instances are not swapped between nodes',
    spec: {
      nodes: [{ name: 'node0', lrm: running('g0') + running('g1') + running('cd') }, { name: 'node1', lrm: running('cd') }, { name: 'node2', lrm: running('cd') }],
      resources: group('g', [dummy('g0'), dummy('g1')]) + clone('c', dummy('cd')),
      constraints: location('l', 'c', 'node1', 'INFINITY'),
      rscDefaults: { 'resource-stickiness': '0' },
    },
    expected: [],
  },
  {
    rule: 'regression: fencing disabled: a lost node\'s history claims no clone instance',
    spec: { nodes: [{ name: 'node0', state: 'unclean', lrm: running('cd') }, { name: 'node1', lrm: running('cd') }], resources: clone('c', dummy('cd'), { 'clone-max': '1' }) },
    expected: [],
  },

  // Promotable clones.
  {
    rule: 'promotable: promoted-max=2 promotes the two best instances',
    spec: {
      nodes: [
        { name: 'node1', lrm: running('s'), transient: { 'master-s': '5' } },
        { name: 'node2', lrm: running('s'), transient: { 'master-s': '10' } },
        { name: 'node3', lrm: running('s'), transient: { 'master-s': '20' } },
      ],
      resources: promotable('ms', stateful('s'), { 'promoted-max': '2' }),
    },
    expected: ['* Promote s:1 ( Unpromoted -> Promoted node2 )', '* Promote s:2 ( Unpromoted -> Promoted node3 )'],
  },
  {
    rule: 'promotable: the promoted instance stays while its score is the best',
    spec: { nodes: two({ lrm: promoted('s'), transient: { 'master-s': '10' } }, { lrm: running('s'), transient: { 'master-s': '5' } }), resources: promotable('ms', stateful('s')) },
    expected: [],
  },
  {
    rule: 'target-role: Unpromoted demotes a promoted instance',
    spec: { nodes: [{ name: 'node1', lrm: promoted('s'), transient: { 'master-s': '10' } }], resources: promotable('ms', stateful('s'), { 'target-role': 'Unpromoted' }) },
    expected: ['* Demote s:0 ( Promoted -> Unpromoted node1 )'],
  },

  // Failures.
  {
    rule: 'failure-timeout: an expired failure no longer counts',
    spec: {
      nodes: two({ lrm: lrm('rsc', [['start', 0, 2], ['monitor', 1, 3, 10000, 0, NOW - 3600]]), transient: { 'fail-count-rsc#monitor_10000': '1', 'last-failure-rsc#monitor_10000': String(NOW - 3600) } }),
      resources: dummy('rsc', { 'migration-threshold': '1', 'failure-timeout': '60s' }),
    },
    expected: [],
  },
  {
    rule: 'failure-timeout: a failure younger than the timeout still bans the node',
    spec: {
      nodes: two({ lrm: lrm('rsc', [['start', 0, 2], ['monitor', 1, 3, 10000, 0, NOW - 10]]), transient: { 'fail-count-rsc#monitor_10000': '1', 'last-failure-rsc#monitor_10000': String(NOW - 10) } }),
      resources: dummy('rsc', { 'migration-threshold': '1', 'failure-timeout': '60s' }),
    },
    expected: ['* Recover rsc ( node1 -> node2 )'],
  },
  {
    rule: 'regression: fail-count: below migration-threshold the resource recovers in place (counted once)',
    spec: { nodes: two({ lrm: failedMonitor('rsc'), transient: { 'fail-count-rsc#monitor_10000': '2' } }), resources: dummy('rsc', { 'migration-threshold': '3' }) },
    expected: ['* Recover rsc ( node1 )'],
  },
  {
    rule: 'start-failure-is-fatal: a failed start (fail count INFINITY) moves the resource',
    spec: { nodes: two({ lrm: lrm('rsc', [['start', 1, 2]]), transient: { 'fail-count-rsc#start_0': 'INFINITY' } }), resources: dummy('rsc') },
    expected: ['* Recover rsc ( node1 -> node2 )'],
  },
  { rule: 'on-fail=stop: a failed monitor stops the resource', spec: { nodes: two({ lrm: failedMonitor('rsc') }), resources: dummy('rsc', {}, op('m', 'monitor', '10s', 'on-fail="stop"')) }, expected: ['* Stop rsc ( node1 ) due to node availability'] },
  {
    rule: 'on-fail=fence: a failed monitor fences the node',
    spec: { nodes: two({ lrm: failedMonitor('rsc') }), resources: dummy('rsc', {}, op('m', 'monitor', '10s', 'on-fail="fence"')), options: { 'stonith-enabled': 'true' } },
    expected: ["* Fence (reboot) node1 'rsc failed there'", '* Recover rsc ( node1 -> node2 )'],
  },
  {
    rule: 'on-fail=standby: a failed monitor moves everything off the node',
    spec: { nodes: two({ lrm: failedMonitor('rsc') + running('other') }), resources: dummy('rsc', {}, op('m', 'monitor', '10s', 'on-fail="standby"')) + dummy('other') },
    expected: ['* Recover rsc ( node1 -> node2 )', '* Move other ( node1 -> node2 )'],
  },
  {
    rule: 'on-fail=demote: a failed promoted monitor demotes in place',
    spec: {
      nodes: [{ name: 'node1', lrm: lrm('s', [['start', 0, 2], ['promote', 0, 3], ['monitor', 1, 4, 10000, 8]]), transient: { 'master-s': '10' } }],
      resources: promotable('ms', stateful('s', op('m', 'monitor', '10s', 'role="Promoted" on-fail="demote"'))),
    },
    expected: ['* Demote s:0 ( Promoted -> Unpromoted node1 )'],
  },

  // Standby, maintenance, management.
  { rule: 'maintenance: a resource on a node in maintenance is left alone', spec: { nodes: [{ name: 'node1', state: 'maintenance', lrm: running('rsc') }, { name: 'node2' }], resources: dummy('rsc'), constraints: location('l', 'rsc', 'node2', 'INFINITY') }, expected: [] },
  {
    rule: 'maintenance-mode: the cluster starts and stops nothing',
    spec: { nodes: two({ lrm: running('a') }), resources: dummy('a', { 'target-role': 'Stopped' }) + dummy('b'), options: { 'maintenance-mode': 'true' } },
    expected: [],
  },
  { rule: 'is-managed=false: a stopped unmanaged resource is not started', spec: { nodes: two(), resources: dummy('rsc', { 'is-managed': 'false' }) }, expected: [] },
  { rule: 'target-role: Started (the default) starts', spec: { nodes: two(), resources: dummy('rsc', { 'target-role': 'Started' }) }, expected: ['* Start rsc ( node1 )'] },

  // Orphans.
  { rule: 'orphan: an active resource absent from the configuration is stopped', spec: { nodes: two({ lrm: running('old') }), resources: dummy('rsc'), constraints: location('l', 'rsc', 'node2', '10') }, expected: ['* Start rsc ( node2 )', '* Stop old ( node1 ) due to node availability'] },
  { rule: 'orphan: stop-orphan-resources=false leaves it running', spec: { nodes: two({ lrm: running('old') }), resources: dummy('rsc'), constraints: location('l', 'rsc', 'node2', '10'), options: { 'stop-orphan-resources': 'false' } }, expected: ['* Start rsc ( node2 )'] },

  // Fencing and quorum.
  {
    rule: 'stonith-action=off: nodes are fenced with off',
    spec: { nodes: [{ name: 'node1', state: 'unclean', lrm: running('rsc') }, { name: 'node2' }], resources: dummy('rsc'), options: { 'stonith-enabled': 'true', 'stonith-action': 'off' } },
    expected: ["* Fence (off) node1 'peer is no longer part of the cluster'", '* Move rsc ( node1 -> node2 )'],
  },
  {
    rule: 'no-quorum-policy=stop: nothing starts without quorum',
    spec: { nodes: two(), resources: dummy('rsc'), quorum: false },
    expected: ['* Start rsc ( node1 ) due to no quorum (blocked)'],
  },
  {
    rule: 'no-quorum-policy=ignore: resources start without quorum',
    spec: { nodes: two(), resources: dummy('rsc'), quorum: false, options: { 'no-quorum-policy': 'ignore' } },
    expected: ['* Start rsc ( node1 )'],
  },
  {
    rule: 'regression: no-quorum-policy=freeze: no instance is promoted without quorum',
    spec: { nodes: two({ lrm: running('s'), transient: { 'master-s': '10' } }, { lrm: running('s'), transient: { 'master-s': '5' } }), resources: promotable('ms', stateful('s')), quorum: false, options: { 'no-quorum-policy': 'freeze' } },
    expected: [],
  },
];

describe('scheduling rules (Transition Summary)', () => {
  it.each(rows)('$rule', ({ spec, expected }) => {
    expect(summaryOf(buildCib(spec), NOW)).toEqual([...expected].sort());
  });
});

/** Whether the graph has a path from action `from` to action `to`. */
function hasPath(result: PolicyResult, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of result.graph.edges) if (e.before === id) stack.push(e.after);
  }
  return false;
}

const ids = (result: PolicyResult): string[] => result.graph.actions.map((a) => a.id);

describe('scheduling rules (graph)', () => {
  it('order: a mandatory order puts then-start after first-start', () => {
    const result = run(buildCib({ nodes: two(), resources: dummy('a') + dummy('b'), constraints: '<rsc_order id="o" first="a" then="b"/>' }), NOW);
    expect(hasPath(result, 'a_start_0@node1', 'b_start_0@node2')).toBe(true);
  });

  it('order: kind=Serialize adds no start order', () => {
    const result = run(buildCib({ nodes: two(), resources: dummy('a') + dummy('b'), constraints: '<rsc_order id="o" first="a" then="b" kind="Serialize"/>' }), NOW);
    expect(ids(result)).toEqual(expect.arrayContaining(['a_start_0@node1', 'b_start_0@node2']));
    expect(hasPath(result, 'a_start_0@node1', 'b_start_0@node2')).toBe(false);
  });

  it('order: a symmetrical order stops then before first', () => {
    const cib = buildCib({ nodes: [{ name: 'node1', state: 'standby', lrm: running('a') + running('b') }, { name: 'node2' }], resources: dummy('a') + dummy('b'), constraints: '<rsc_order id="o" first="a" then="b"/>' });
    const result = run(cib, NOW);
    expect(hasPath(result, 'b_stop_0@node1', 'a_stop_0@node1')).toBe(true);
    expect(hasPath(result, 'a_start_0@node2', 'b_start_0@node2')).toBe(true);
  });

  it('order: first-action=promote then-action=start puts the start after the promotion', () => {
    const cib = buildCib({
      nodes: [{ name: 'node1', lrm: running('s'), transient: { 'master-s': '10' } }],
      resources: promotable('ms', stateful('s')) + dummy('ip'),
      constraints: '<rsc_order id="o" first="ms" first-action="promote" then="ip" then-action="start"/>',
    });
    expect(hasPath(run(cib, NOW), 's:0_promote_0@node1', 'ip_start_0@node1')).toBe(true);
  });

  it('regression: order: first-action=stop then-action=stop puts the stops in that order', () => {
    const cib = buildCib({ nodes: [{ name: 'node1', state: 'standby', lrm: running('a') + running('b') }, { name: 'node2' }], resources: dummy('a') + dummy('b'), constraints: '<rsc_order id="o" first="a" first-action="stop" then="b" then-action="stop"/>' });
    const result = run(cib, NOW);
    expect(hasPath(result, 'a_stop_0@node1', 'b_stop_0@node1')).toBe(true);
    // Symmetrical: the inverse (then start before first start) holds too.
    expect(hasPath(result, 'b_start_0@node2', 'a_start_0@node2')).toBe(true);
  });

  it('order: a sequential set orders each member after the one before it', () => {
    const cib = buildCib({ nodes: two(), resources: dummy('a') + dummy('b') + dummy('c'), constraints: '<rsc_order id="o"><resource_set id="s"><resource_ref id="a"/><resource_ref id="b"/><resource_ref id="c"/></resource_set></rsc_order>' });
    const result = run(cib, NOW);
    const start = (r: string): string => ids(result).find((id) => id.startsWith(`${r}_start_0@`)) ?? `${r}?`;
    expect([hasPath(result, start('a'), start('b')), hasPath(result, start('b'), start('c'))]).toEqual([true, true]);
  });

  it('group: members start in order, on one node', () => {
    const result = run(buildCib({ nodes: two(), resources: group('g', [dummy('g1'), dummy('g2'), dummy('g3')]) }), NOW);
    expect(ids(result).filter((id) => id.includes('_start_'))).toEqual(['g1_start_0@node1', 'g2_start_0@node1', 'g3_start_0@node1']);
    expect([hasPath(result, 'g1_start_0@node1', 'g2_start_0@node1'), hasPath(result, 'g2_start_0@node1', 'g3_start_0@node1')]).toEqual([true, true]);
  });

  it('clone: interleave orders each instance only after the first clone instance on its node', () => {
    const cib = buildCib({
      nodes: two(),
      resources: clone('A', dummy('a')) + clone('B', dummy('b'), { interleave: 'true' }),
      constraints: '<rsc_order id="o" first="A" then="B"/>',
    });
    const result = run(cib, NOW);
    const on = (r: string, node: string): string => ids(result).find((id) => id.startsWith(`${r}:`) && id.includes('_start_') && id.endsWith(`@${node}`)) ?? `${r}@${node}?`;
    expect(hasPath(result, on('a', 'node1'), on('b', 'node1'))).toBe(true);
    expect(hasPath(result, on('a', 'node2'), on('b', 'node2'))).toBe(true);
  });

  it('clone: interleave does not order an instance after the first clone instance on another node', () => {
    const cib = buildCib({
      nodes: two(),
      resources: clone('A', dummy('a')) + clone('B', dummy('b'), { interleave: 'true' }),
      constraints: '<rsc_order id="o" first="A" then="B"/>',
    });
    const result = run(cib, NOW);
    const on = (r: string, node: string): string => ids(result).find((id) => id.startsWith(`${r}:`) && id.includes('_start_') && id.endsWith(`@${node}`)) ?? `${r}@${node}?`;
    expect(hasPath(result, on('a', 'node1'), on('b', 'node2'))).toBe(false);
  });

  it('clone: without interleave every instance waits for the whole first clone', () => {
    const cib = buildCib({ nodes: two(), resources: clone('A', dummy('a')) + clone('B', dummy('b')), constraints: '<rsc_order id="o" first="A" then="B"/>' });
    const result = run(cib, NOW);
    const on = (r: string, node: string): string => ids(result).find((id) => id.startsWith(`${r}:`) && id.includes('_start_') && id.endsWith(`@${node}`)) ?? `${r}@${node}?`;
    expect(hasPath(result, on('a', 'node1'), on('b', 'node2'))).toBe(true);
  });

  it('regression: clone: an orphan instance stops before another instance starts on its node', () => {
    const cib = buildCib({ nodes: [{ name: 'node0', state: 'standby', lrm: running('cd') }, { name: 'node2', lrm: running('cd') }], resources: clone('c', dummy('cd'), { 'clone-max': '1' }) });
    const result = run(cib, NOW);
    const stop = result.graph.actions.find((a) => a.kind === 'stop' && a.node === 'node2');
    const start = result.graph.actions.find((a) => a.kind === 'start' && a.node === 'node2');
    expect(stop !== undefined && start !== undefined && hasPath(result, stop.id, start.id)).toBe(true);
  });

  it('regression: promotable: a promotion waits for the stop of the promoted instance on a fenced node', () => {
    const cib = buildCib({
      nodes: [{ name: 'node1', state: 'unclean', lrm: promoted('s'), transient: { 'master-s': '10' } }, { name: 'node2', lrm: running('s'), transient: { 'master-s': '5' } }],
      resources: promotable('ms', stateful('s')),
      options: { 'stonith-enabled': 'true' },
    });
    const result = run(cib, NOW);
    const promote = result.graph.actions.find((a) => a.kind === 'promote');
    expect(promote?.node).toBe('node2');
    expect(hasPath(result, 'fence-reboot@node1', promote?.id ?? '')).toBe(true);
  });

  it('fencing: an unclean node that cannot be fenced (no quorum) keeps its resources: nothing starts elsewhere', () => {
    const cib = buildCib({ nodes: [{ name: 'node1', state: 'unclean', lrm: running('rsc') }, { name: 'node2' }], resources: dummy('rsc'), options: { 'stonith-enabled': 'true' }, quorum: false });
    const result = run(cib, NOW);
    expect(result.graph.actions.filter((a) => a.kind === 'fence' || (a.kind === 'start' && a.resource === 'rsc'))).toEqual([]);
  });

  it('fencing: the recovery of a fenced node\'s resources waits for the fencing', () => {
    const cib = buildCib({ nodes: [{ name: 'node1', state: 'unclean', lrm: running('g1') + running('g2') }, { name: 'node2' }], resources: group('g', [dummy('g1'), dummy('g2')]), options: { 'stonith-enabled': 'true' } });
    const result = run(cib, NOW);
    expect([hasPath(result, 'fence-reboot@node1', 'g1_start_0@node2'), hasPath(result, 'fence-reboot@node1', 'g2_start_0@node2')]).toEqual([true, true]);
  });
});
