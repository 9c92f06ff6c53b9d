// importCibXml, element by element: each kind of CIB element is imported from a small document and
// the model value it becomes is compared with the expected value in full (so a field that is
// dropped, renamed or mistyped fails the case). One table row per element kind and form; a final
// group checks the root attributes and that the snapshot is frozen.
import { describe, expect, it } from 'vitest';
import type { Cib } from '../../../../src/ha/cib/index.js';
import { cibXml, importOk, type CibParts } from './cib-fixtures.js';

type Case = readonly [name: string, parts: CibParts, select: (cib: Cib) => unknown, expected: unknown];

const cases: readonly Case[] = [
  [
    'cluster_property_set with nvpairs',
    {
      crmConfig: `<cluster_property_set id="cib-bootstrap-options" score="5">
          <nvpair id="o1" name="stonith-enabled" value="false"/>
          <nvpair id="o2" name="no-quorum-policy" value="ignore"/>
          <nvpair id="o3" name="batch-limit"/>
        </cluster_property_set>`,
    },
    (c) => c.configuration.crmConfig,
    [
      {
        id: 'cib-bootstrap-options',
        score: 5,
        rules: [],
        pairs: [
          { id: 'o1', name: 'stonith-enabled', value: 'false' },
          { id: 'o2', name: 'no-quorum-policy', value: 'ignore' },
          { id: 'o3', name: 'batch-limit' },
        ],
      },
    ],
  ],
  [
    'node with type, score and attributes',
    { nodes: `<node id="n1" uname="alpha" type="member" score="-2000"><instance_attributes id="n1-ia"><nvpair id="n1-sb" name="standby" value="on"/></instance_attributes></node>` },
    (c) => c.configuration.nodes,
    [{ id: 'n1', uname: 'alpha', type: 'member', score: -2000, instanceAttributes: [{ id: 'n1-ia', rules: [], pairs: [{ id: 'n1-sb', name: 'standby', value: 'on' }] }] }],
  ],
  [
    'primitive with agent, sets and operations',
    {
      resources: `<primitive id="db" class="ocf" provider="heartbeat" type="pgsql" description="the database">
          <instance_attributes id="db-ia"><nvpair id="db-ia-1" name="pgdata" value="/srv"/></instance_attributes>
          <meta_attributes id="db-ma"><nvpair id="db-ma-1" name="target-role" value="Started"/></meta_attributes>
          <operations id="db-ops">
            <op id="db-start" name="start" interval="0" timeout="60s" on-fail="restart"/>
            <op id="db-mon" name="monitor" interval="10" timeout="20" role="Promoted" start-delay="5s" enabled="false" record-pending="true"/>
            <op id="db-deep" name="monitor" interval="1h" on-fail="block">
              <instance_attributes id="db-deep-ia"><nvpair id="db-deep-lvl" name="OCF_CHECK_LEVEL" value="10"/></instance_attributes>
              <meta_attributes id="db-deep-ma"><nvpair id="db-deep-to" name="timeout" value="90s"/></meta_attributes>
            </op>
          </operations>
        </primitive>`,
    },
    (c) => c.configuration.resources,
    [
      {
        kind: 'primitive',
        id: 'db',
        class: 'ocf',
        provider: 'heartbeat',
        type: 'pgsql',
        description: 'the database',
        instanceAttributes: [{ id: 'db-ia', rules: [], pairs: [{ id: 'db-ia-1', name: 'pgdata', value: '/srv' }] }],
        metaAttributes: [{ id: 'db-ma', rules: [], pairs: [{ id: 'db-ma-1', name: 'target-role', value: 'Started' }] }],
        operations: {
          id: 'db-ops',
          ops: [
            { id: 'db-start', name: 'start', interval: 0, timeout: 60_000, onFail: 'restart', instanceAttributes: [], metaAttributes: [] },
            { id: 'db-mon', name: 'monitor', interval: 10_000, timeout: 20_000, role: 'Promoted', startDelay: 5000, enabled: false, recordPending: true, instanceAttributes: [], metaAttributes: [] },
            {
              id: 'db-deep',
              name: 'monitor',
              interval: 3_600_000,
              onFail: 'block',
              instanceAttributes: [{ id: 'db-deep-ia', rules: [], pairs: [{ id: 'db-deep-lvl', name: 'OCF_CHECK_LEVEL', value: '10' }] }],
              metaAttributes: [{ id: 'db-deep-ma', rules: [], pairs: [{ id: 'db-deep-to', name: 'timeout', value: '90s' }] }],
            },
          ],
        },
      },
    ],
  ],
  [
    'stonith primitive without provider, empty operations',
    { resources: `<primitive id="fence" class="stonith" type="fence_ipmilan"><operations/></primitive>` },
    (c) => c.configuration.resources,
    [{ kind: 'primitive', id: 'fence', class: 'stonith', type: 'fence_ipmilan', instanceAttributes: [], metaAttributes: [], operations: { ops: [] } }],
  ],
  [
    'group with ordered members',
    {
      resources: `<group id="g"><meta_attributes id="g-ma"><nvpair id="g-o" name="ordered" value="true"/></meta_attributes>
          <primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2"/>
          <primitive id="web" class="systemd" type="nginx"/>
        </group>`,
    },
    (c) => c.configuration.resources,
    [
      {
        kind: 'group',
        id: 'g',
        instanceAttributes: [],
        metaAttributes: [{ id: 'g-ma', rules: [], pairs: [{ id: 'g-o', name: 'ordered', value: 'true' }] }],
        members: [
          { kind: 'primitive', id: 'ip', class: 'ocf', provider: 'heartbeat', type: 'IPaddr2', instanceAttributes: [], metaAttributes: [] },
          { kind: 'primitive', id: 'web', class: 'systemd', type: 'nginx', instanceAttributes: [], metaAttributes: [] },
        ],
      },
    ],
  ],
  [
    'anonymous clone of a primitive with clone meta attributes',
    {
      resources: `<clone id="c"><meta_attributes id="c-ma">
          <nvpair id="c1" name="clone-max" value="2"/><nvpair id="c2" name="clone-node-max" value="1"/>
          <nvpair id="c3" name="globally-unique" value="false"/><nvpair id="c4" name="interleave" value="true"/>
          <nvpair id="c5" name="ordered" value="true"/><nvpair id="c6" name="notify" value="true"/>
        </meta_attributes><primitive id="ping" class="ocf" provider="pacemaker" type="ping"/></clone>`,
    },
    (c) => c.configuration.resources[0],
    {
      kind: 'clone',
      id: 'c',
      legacyMaster: false,
      instanceAttributes: [],
      metaAttributes: [
        {
          id: 'c-ma',
          rules: [],
          pairs: [
            { id: 'c1', name: 'clone-max', value: '2' },
            { id: 'c2', name: 'clone-node-max', value: '1' },
            { id: 'c3', name: 'globally-unique', value: 'false' },
            { id: 'c4', name: 'interleave', value: 'true' },
            { id: 'c5', name: 'ordered', value: 'true' },
            { id: 'c6', name: 'notify', value: 'true' },
          ],
        },
      ],
      child: { kind: 'primitive', id: 'ping', class: 'ocf', provider: 'pacemaker', type: 'ping', instanceAttributes: [], metaAttributes: [] },
    },
  ],
  [
    'promotable clone of a group',
    {
      resources: `<clone id="ms"><meta_attributes id="ms-ma"><nvpair id="ms-p" name="promotable" value="true"/></meta_attributes>
          <group id="ms-g"><primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/></group></clone>`,
    },
    (c) => c.configuration.resources[0],
    {
      kind: 'clone',
      id: 'ms',
      legacyMaster: false,
      instanceAttributes: [],
      metaAttributes: [{ id: 'ms-ma', rules: [], pairs: [{ id: 'ms-p', name: 'promotable', value: 'true' }] }],
      child: { kind: 'group', id: 'ms-g', instanceAttributes: [], metaAttributes: [], members: [{ kind: 'primitive', id: 's', class: 'ocf', provider: 'pacemaker', type: 'Stateful', instanceAttributes: [], metaAttributes: [] }] },
    },
  ],
  [
    'legacy <master> element',
    { resources: `<master id="m"><primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/></master>` },
    (c) => c.configuration.resources[0],
    { kind: 'clone', id: 'm', legacyMaster: true, instanceAttributes: [], metaAttributes: [], child: { kind: 'primitive', id: 's', class: 'ocf', provider: 'pacemaker', type: 'Stateful', instanceAttributes: [], metaAttributes: [] } },
  ],
  [
    'rsc_location with node and score, and role',
    { constraints: `<rsc_location id="l1" rsc="db" node="alpha" score="+INFINITY" role="Promoted" resource-discovery="exclusive"/>` },
    (c) => c.configuration.constraints,
    [{ kind: 'location', id: 'l1', subject: { kind: 'resource', rsc: 'db', role: 'Promoted' }, placement: { kind: 'node', node: 'alpha', score: 1_000_000 }, resourceDiscovery: 'exclusive' }],
  ],
  [
    'rsc_location with rules: boolean-op, #uname, defined/not_defined, comparisons, types, score-attribute, nested rule',
    {
      constraints: `<rsc_location id="l2" rsc-pattern="^web">
          <rule id="r1" score="-INFINITY" boolean-op="or" role="Unpromoted">
            <expression id="e1" attribute="#uname" operation="eq" value="alpha"/>
            <expression id="e2" attribute="pingd" operation="not_defined"/>
            <expression id="e3" attribute="pingd" operation="lte" value="0" type="integer"/>
            <rule id="r1n" score="0"><expression id="e4" attribute="#is_dc" operation="ne" value="true"/></rule>
          </rule>
          <rule id="r2" score-attribute="pingd"><expression id="e5" attribute="pingd" operation="defined"/>
            <expression id="e6" attribute="v" operation="gte" value="2.1" type="version" value-source="literal"/>
            <expression id="e7" attribute="v" operation="GT" value="1" type="Number"/><expression id="e8" attribute="v" operation="lt" value="9"/></rule>
        </rsc_location>`,
    },
    (c) => c.configuration.constraints,
    [
      {
        kind: 'location',
        id: 'l2',
        subject: { kind: 'pattern', pattern: '^web' },
        placement: {
          kind: 'rules',
          rules: [
            {
              id: 'r1',
              score: -1_000_000,
              booleanOp: 'or',
              role: 'Unpromoted',
              expressions: [
                { kind: 'attribute', id: 'e1', attribute: '#uname', operation: 'eq', value: 'alpha' },
                { kind: 'attribute', id: 'e2', attribute: 'pingd', operation: 'not_defined' },
                { kind: 'attribute', id: 'e3', attribute: 'pingd', operation: 'lte', value: '0', type: 'integer' },
                { kind: 'rule', rule: { id: 'r1n', score: 0, expressions: [{ kind: 'attribute', id: 'e4', attribute: '#is_dc', operation: 'ne', value: 'true' }] } },
              ],
            },
            {
              id: 'r2',
              scoreAttribute: 'pingd',
              expressions: [
                { kind: 'attribute', id: 'e5', attribute: 'pingd', operation: 'defined' },
                { kind: 'attribute', id: 'e6', attribute: 'v', operation: 'gte', value: '2.1', type: 'version', valueSource: 'literal' },
                { kind: 'attribute', id: 'e7', attribute: 'v', operation: 'gt', value: '1', type: 'number' },
                { kind: 'attribute', id: 'e8', attribute: 'v', operation: 'lt', value: '9' },
              ],
            },
          ],
        },
      },
    ],
  ],
  [
    'rsc_colocation pair with roles and node-attribute',
    { constraints: `<rsc_colocation id="c1" rsc="fs" with-rsc="drbd" score="INFINITY" rsc-role="Started" with-rsc-role="Promoted" node-attribute="site"/>` },
    (c) => c.configuration.constraints,
    [{ kind: 'colocation', id: 'c1', score: 1_000_000, subject: { kind: 'pair', rsc: 'fs', withRsc: 'drbd', rscRole: 'Started', withRscRole: 'Promoted', nodeAttribute: 'site' } }],
  ],
  [
    'rsc_colocation with resource sets',
    {
      constraints: `<rsc_colocation id="c2" score="-INFINITY">
          <resource_set id="s1" sequential="false" role="Promoted"><resource_ref id="a"/><resource_ref id="b"/></resource_set>
          <resource_set id="s2" ordering="listed"><resource_ref id="c"/></resource_set>
        </rsc_colocation>`,
    },
    (c) => c.configuration.constraints,
    [
      {
        kind: 'colocation',
        id: 'c2',
        score: -1_000_000,
        subject: {
          kind: 'sets',
          sets: [
            { id: 's1', sequential: false, role: 'Promoted', resources: ['a', 'b'] },
            { id: 's2', ordering: 'listed', resources: ['c'] },
          ],
        },
      },
    ],
  ],
  [
    'rsc_order pair with actions, kind and symmetrical',
    { constraints: `<rsc_order id="o1" first="drbd" first-action="promote" then="fs" then-action="start" kind="Optional" symmetrical="false"/>` },
    (c) => c.configuration.constraints,
    [{ kind: 'order', id: 'o1', orderKind: 'Optional', symmetrical: false, subject: { kind: 'pair', first: 'drbd', then: 'fs', firstAction: 'promote', thenAction: 'start' } }],
  ],
  [
    'rsc_order with the legacy score and kind in another letter case',
    { constraints: `<rsc_order id="o2" first="a" then="b" score="0"/><rsc_order id="o3" first="a" then="b" kind="serialize"/>` },
    (c) => c.configuration.constraints,
    [
      { kind: 'order', id: 'o2', score: 0, subject: { kind: 'pair', first: 'a', then: 'b' } },
      { kind: 'order', id: 'o3', orderKind: 'Serialize', subject: { kind: 'pair', first: 'a', then: 'b' } },
    ],
  ],
  [
    'rsc_order with resource sets, require-all and actions',
    {
      constraints: `<rsc_order id="o4" kind="Mandatory" require-all="false">
          <resource_set id="os1" sequential="true" require-all="false" action="promote"><resource_ref id="a"/></resource_set>
          <resource_set id="os2" action="start" kind="Optional" score="10"><resource_ref id="b"/><resource_ref id="c"/></resource_set>
        </rsc_order>`,
    },
    (c) => c.configuration.constraints,
    [
      {
        kind: 'order',
        id: 'o4',
        orderKind: 'Mandatory',
        requireAll: false,
        subject: {
          kind: 'sets',
          sets: [
            { id: 'os1', sequential: true, requireAll: false, action: 'promote', resources: ['a'] },
            { id: 'os2', action: 'start', orderKind: 'Optional', score: 10, resources: ['b', 'c'] },
          ],
        },
      },
    ],
  ],
  [
    'constraints keep document order across kinds',
    { constraints: `<rsc_order id="x1" first="a" then="b"/><rsc_location id="x2" rsc="a" node="n" score="1"/><rsc_colocation id="x3" rsc="a" with-rsc="b" score="1"/>` },
    (c) => c.configuration.constraints.map((x) => x.id),
    ['x1', 'x2', 'x3'],
  ],
  [
    'rsc_defaults and op_defaults',
    {
      extra: `<rsc_defaults><meta_attributes id="rd"><nvpair id="rd1" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults>
        <op_defaults><meta_attributes id="od"><nvpair id="od1" name="timeout" value="120s"/></meta_attributes></op_defaults>`,
    },
    (c) => [c.configuration.rscDefaults, c.configuration.opDefaults],
    [[{ id: 'rd', rules: [], pairs: [{ id: 'rd1', name: 'resource-stickiness', value: '100' }] }], [{ id: 'od', rules: [], pairs: [{ id: 'od1', name: 'timeout', value: '120s' }] }]],
  ],
  [
    'empty and absent optional sections differ',
    { extra: `<op_defaults/>` },
    (c) => [c.configuration.rscDefaults, c.configuration.opDefaults, c.configuration.fencingTopology],
    [undefined, [], undefined],
  ],
  [
    'fencing topology levels',
    {
      extra: `<fencing-topology><fencing-level id="f1" target="alpha" index="1" devices="ipmi-a"/>
          <fencing-level id="f2" target-pattern="node.*" index="2" devices="pdu1,pdu2"/>
          <fencing-level id="f3" target-attribute="rack" target-value="r1" index="3" devices="sbd"/></fencing-topology>`,
    },
    (c) => c.configuration.fencingTopology,
    [
      { id: 'f1', target: 'alpha', index: 1, devices: ['ipmi-a'] },
      { id: 'f2', targetPattern: 'node.*', index: 2, devices: ['pdu1', 'pdu2'] },
      { id: 'f3', targetAttribute: 'rack', targetValue: 'r1', index: 3, devices: ['sbd'] },
    ],
  ],
  [
    'node_state with membership, transient attributes and history in order',
    {
      status: `<node_state id="n1" uname="alpha" in_ccm="true" crmd="online" join="member" expected="member" crm-debug-origin="do_update_resource" shutdown="0">
          <transient_attributes id="n1-t"><instance_attributes id="n1-t-ia">
            <nvpair id="t1" name="fail-count-db#monitor_10000" value="3"/><nvpair id="t2" name="last-failure-db#monitor_10000" value="1500000000"/>
            <nvpair id="t3" name="master-db" value="10"/></instance_attributes></transient_attributes>
          <lrm id="n1-l"><lrm_resources id="n1-lr"><lrm_resource id="db" class="ocf" provider="heartbeat" type="pgsql">
            <lrm_rsc_op id="db_last_0" operation_key="db_start_0" operation="start" crm-debug-origin="crm_simulate" crm_feature_set="3.0.1"
              transition-key="1:2:0:abc" transition-magic="0:0;1:2:0:abc" exit-reason="" on_node="alpha" call-id="5" rc-code="0" op-status="0"
              interval="0" last-run="1500000000" last-rc-change="1500000001" exec-time="120" queue-time="3" op-digest="d1"
              op-force-restart=" state " op-restart-digest="d2" op-secure-params=" passwd " op-secure-digest="d3"/>
            <lrm_rsc_op id="db_monitor_10000" operation="monitor" call-id="-1" rc-code="193" op-status="-1" interval="10000"/>
          </lrm_resource></lrm_resources></lrm>
        </node_state>
        <node_state uname="beta" in_ccm="false" crmd="offline" join="down" expected="down"/>`,
    },
    (c) => c.status.nodes,
    [
      {
        id: 'n1',
        uname: 'alpha',
        inCcm: true,
        crmd: 'online',
        join: 'member',
        expected: 'member',
        shutdown: 0,
        crmDebugOrigin: 'do_update_resource',
        transientAttributes: {
          id: 'n1-t',
          sets: [
            {
              id: 'n1-t-ia',
              rules: [],
              pairs: [
                { id: 't1', name: 'fail-count-db#monitor_10000', value: '3' },
                { id: 't2', name: 'last-failure-db#monitor_10000', value: '1500000000' },
                { id: 't3', name: 'master-db', value: '10' },
              ],
            },
          ],
        },
        lrm: {
          id: 'n1-l',
          resourcesId: 'n1-lr',
          resources: [
            {
              id: 'db',
              class: 'ocf',
              provider: 'heartbeat',
              type: 'pgsql',
              ops: [
                {
                  id: 'db_last_0',
                  operation: 'start',
                  operationKey: 'db_start_0',
                  interval: 0,
                  callId: 5,
                  rcCode: 0,
                  opStatus: 0,
                  transitionKey: '1:2:0:abc',
                  transitionMagic: '0:0;1:2:0:abc',
                  lastRun: 1_500_000_000,
                  lastRcChange: 1_500_000_001,
                  execTime: 120,
                  queueTime: 3,
                  onNode: 'alpha',
                  opDigest: 'd1',
                  opRestartDigest: 'd2',
                  opForceRestart: ' state ',
                  opSecureParams: ' passwd ',
                  opSecureDigest: 'd3',
                  exitReason: '',
                  crmFeatureSet: '3.0.1',
                  crmDebugOrigin: 'crm_simulate',
                },
                { id: 'db_monitor_10000', operation: 'monitor', interval: 10_000, callId: -1, rcCode: 193, opStatus: -1 },
              ],
            },
          ],
        },
      },
      { uname: 'beta', inCcm: false, crmd: 'offline', join: 'down', expected: 'down' },
    ],
  ],
];

describe('importCibXml: each element kind', () => {
  for (const [name, parts, select, expected] of cases) {
    it(name, () => {
      const { cib } = importOk(cibXml(parts));
      expect(select(cib)).toStrictEqual(expected);
    });
  }
});

describe('importCibXml: the root', () => {
  it('reads the version and every root attribute', () => {
    const xml = cibXml().replace(
      '<cib admin_epoch="0" epoch="1" num_updates="2" validate-with="pacemaker-3.0">',
      `<cib admin_epoch="3" epoch="44" num_updates="555" validate-with="pacemaker-3.7" crm_feature_set="3.16.2" have-quorum="1" dc-uuid="n1"
        execution-date="1533840941" cib-last-written="Fri Jul 13 13:50:59 2012" update-origin="alpha" update-client="cibadmin" update-user="root"
        remote-tls-port="0" remote-clear-port="1" no-quorum-panic="0">`,
    );
    const { cib, warnings } = importOk(xml);
    expect(warnings).toEqual([]);
    expect(cib.version).toStrictEqual({ adminEpoch: 3, epoch: 44, numUpdates: 555 });
    expect(cib.header).toStrictEqual({
      validateWith: 'pacemaker-3.7',
      crmFeatureSet: '3.16.2',
      haveQuorum: true,
      dcUuid: 'n1',
      executionDate: 1_533_840_941,
      cibLastWritten: 'Fri Jul 13 13:50:59 2012',
      updateOrigin: 'alpha',
      updateClient: 'cibadmin',
      updateUser: 'root',
      remoteTlsPort: 0,
      remoteClearPort: 1,
      noQuorumPanic: false,
    });
  });

  it('returns a deeply frozen snapshot', () => {
    const { cib } = importOk(cibXml({ resources: '<primitive id="a" class="lsb" type="cron"/>' }));
    expect(Object.isFrozen(cib)).toBe(true);
    expect(Object.isFrozen(cib.configuration.resources)).toBe(true);
    expect(Object.isFrozen(cib.configuration.resources[0])).toBe(true);
  });

  it('has no warnings for a CIB the model covers completely', () => {
    expect(importOk(cibXml({ resources: '<primitive id="a" class="lsb" type="cron"/>' })).warnings).toEqual([]);
  });
});
