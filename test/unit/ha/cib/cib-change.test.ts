// applyCibChange: every change the DC applies, and every reason it refuses one. Method: one CIB
// imported from XML (two nodes; a primitive, a group, a clone and a fence device; constraints of
// every kind; status with history and fail counts on both nodes), then tables of changes with what
// each must do to it, and of refused changes with the field they must name. Every accepted change
// is also checked for its version bump, header, freezing, and for leaving the input untouched.
import { describe, expect, it } from 'vitest';
import { millis } from '../../../../src/lib/index.js';
import {
  applyCibChange,
  cibDigest,
  exportCibXml,
  formatCibTimestamp,
  importCibXml,
  resolveNvSets,
  type Cib,
  type CibChange,
  type CibChangeMeta,
  type Constraint,
  type Primitive,
  type Resource,
} from '../../../../src/ha/cib/index.js';
import { cibXml, importCib } from './cib-fixtures.js';

const BASE = importCib(
  cibXml({
    crmConfig: `<cluster_property_set id="cib-bootstrap-options">
        <nvpair id="opt-stonith" name="stonith-enabled" value="true"/>
      </cluster_property_set>`,
    nodes: `<node id="1" uname="node1"/><node id="2" uname="node2">
        <instance_attributes id="nodes-2"><nvpair id="nodes-2-standby" name="standby" value="off"/></instance_attributes>
      </node>`,
    resources: `
      <primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2">
        <instance_attributes id="ip-params"><nvpair id="ip-params-ip" name="ip" value="10.0.0.10"/></instance_attributes>
        <meta_attributes id="ip-meta"><nvpair id="ip-meta-target-role" name="target-role" value="Started"/></meta_attributes>
        <operations><op id="ip-monitor-10s" name="monitor" interval="10s"/></operations>
      </primitive>
      <group id="web">
        <primitive id="web-fs" class="ocf" provider="heartbeat" type="Filesystem"/>
        <primitive id="web-server" class="ocf" provider="heartbeat" type="apache"/>
      </group>
      <clone id="ping-clone"><primitive id="ping" class="ocf" provider="pacemaker" type="ping"/></clone>
      <primitive id="fence1" class="stonith" type="fence_ipmilan"/>`,
    constraints: `
      <rsc_location id="loc-ip" rsc="ip" node="node1" score="100"/>
      <rsc_colocation id="col-web-ip" rsc="web" with-rsc="ip" score="INFINITY"/>
      <rsc_order id="ord-ip-web" first="ip" then="web"/>
      <rsc_colocation id="col-set" score="10">
        <resource_set id="col-set-a"><resource_ref id="web-fs"/><resource_ref id="ping-clone"/></resource_set>
      </rsc_colocation>`,
    extra: `<fencing-topology><fencing-level id="fl-1" target="node1" index="1" devices="fence1"/></fencing-topology>`,
    status: `
      <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
        <transient_attributes id="1"><instance_attributes id="status-1">
          <nvpair id="status-1-fc-ip" name="fail-count-ip#monitor_10000" value="1"/>
          <nvpair id="status-1-lf-ip" name="last-failure-ip#monitor_10000" value="1700000000"/>
          <nvpair id="status-1-fc-ipx" name="fail-count-ipx#start_0" value="1"/>
          <nvpair id="status-1-pingd" name="pingd" value="100"/>
        </instance_attributes></transient_attributes>
        <lrm id="1"><lrm_resources>
          <lrm_resource id="ip" class="ocf" provider="heartbeat" type="IPaddr2">
            <lrm_rsc_op id="ip_last_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0"/>
          </lrm_resource>
          <lrm_resource id="ping:0" class="ocf" provider="pacemaker" type="ping">
            <lrm_rsc_op id="ping_last_0" operation="start" call-id="4" rc-code="0" op-status="0" interval="0"/>
          </lrm_resource>
          <lrm_resource id="old" class="ocf" provider="heartbeat" type="Dummy">
            <lrm_rsc_op id="old_last_0" operation="stop" call-id="2" rc-code="0" op-status="0" interval="0"/>
          </lrm_resource>
        </lrm_resources></lrm>
      </node_state>
      <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member">
        <transient_attributes id="2"><instance_attributes id="status-2">
          <nvpair id="status-2-fc-ping" name="fail-count-ping:1#monitor_10000" value="2"/>
          <nvpair id="status-2-fc-ip" name="fail-count-ip#start_0" value="INFINITY"/>
        </instance_attributes></transient_attributes>
        <lrm id="2"><lrm_resources>
          <lrm_resource id="ping:1" class="ocf" provider="pacemaker" type="ping">
            <lrm_rsc_op id="ping_last_0" operation="start" call-id="2" rc-code="0" op-status="0" interval="0"/>
          </lrm_resource>
        </lrm_resources></lrm>
      </node_state>`,
  }),
);
const BASE_DIGEST = cibDigest(BASE);
const META: CibChangeMeta = { now: 1_795_853_220, origin: 'node1', user: 'root', client: 'heartline-cli' };

function apply(change: CibChange, cib: Cib = BASE): Cib {
  const result = applyCibChange(cib, change, META);
  if (!result.ok) expect.fail(`refused: ${result.error.field}: ${result.error.message}`);
  return result.value;
}

function refusal(change: CibChange, cib: Cib = BASE): { field: string; message: string } {
  const result = applyCibChange(cib, change, META);
  if (result.ok) expect.fail('the change was accepted');
  return result.error;
}

const dummy = (id: string, extra: Partial<Primitive> = {}): Primitive => ({
  kind: 'primitive',
  id,
  class: 'ocf',
  provider: 'heartbeat',
  type: 'Dummy',
  instanceAttributes: [],
  metaAttributes: [],
  ...extra,
});

const location = (id: string, rsc: string, node: string, score = 50): Constraint => ({ kind: 'location', id, subject: { kind: 'resource', rsc }, placement: { kind: 'node', node, score } });

const metaOf = (cib: Cib, id: string): ReadonlyMap<string, string> => {
  const all = cib.configuration.resources.flatMap((r): Resource[] => (r.kind === 'group' ? [r, ...r.members] : r.kind === 'clone' ? [r, r.child] : [r]));
  const found = all.find((r) => r.id === id);
  if (found === undefined || found.kind === 'unsupported') throw new Error(`no resource ${id}`);
  return resolveNvSets(found.metaAttributes);
};
const paramsOf = (cib: Cib, id: string): ReadonlyMap<string, string> => {
  const found = cib.configuration.resources.find((r) => r.id === id);
  if (found?.kind !== 'primitive') throw new Error(`no primitive ${id}`);
  return resolveNvSets(found.instanceAttributes);
};
const properties = (cib: Cib): ReadonlyMap<string, string> => resolveNvSets(cib.configuration.crmConfig, { firstId: 'cib-bootstrap-options' });
const transient = (cib: Cib, uname: string): string[] =>
  (cib.status.nodes.find((s) => s.uname === uname)?.transientAttributes?.sets ?? []).flatMap((s) => s.pairs.map((p) => `${p.name}=${p.value}`));
const lrmIds = (cib: Cib, uname: string): string[] => (cib.status.nodes.find((s) => s.uname === uname)?.lrm?.resources ?? []).map((r) => r.id);
const constraintIds = (cib: Cib): (string | undefined)[] => cib.configuration.constraints.map((c) => c.id);
const resourceIds = (cib: Cib): (string | undefined)[] => cib.configuration.resources.map((r) => r.id);

interface Accepted {
  readonly name: string;
  readonly change: CibChange;
  readonly bumps: 'epoch' | 'num_updates';
  readonly check: (cib: Cib) => void;
}

const ACCEPTED: readonly Accepted[] = [
  {
    name: 'replace-configuration with a rolled-back configuration',
    change: { op: 'replace-configuration', configuration: { ...BASE.configuration, constraints: [] } },
    bumps: 'epoch',
    check: (cib) => expect(cib.configuration.constraints).toEqual([]),
  },
  {
    name: 'put-resource creates a primitive at the end',
    change: { op: 'put-resource', resource: dummy('db', { operations: { ops: [{ id: 'db-monitor', name: 'monitor', interval: millis(10_000), instanceAttributes: [], metaAttributes: [] }] } }) },
    bumps: 'epoch',
    check: (cib) => expect(resourceIds(cib)).toEqual(['ip', 'web', 'ping-clone', 'fence1', 'db']),
  },
  {
    name: 'put-resource replaces a resource in place',
    change: { op: 'put-resource', resource: dummy('ip') },
    bumps: 'epoch',
    check: (cib) => {
      expect(resourceIds(cib)).toEqual(['ip', 'web', 'ping-clone', 'fence1']);
      expect(cib.configuration.resources[0]).toMatchObject({ type: 'Dummy' });
    },
  },
  {
    name: 'put-resource creates a group and a promotable clone',
    change: {
      op: 'put-resource',
      resource: {
        kind: 'clone',
        id: 'db-clone',
        legacyMaster: false,
        instanceAttributes: [],
        metaAttributes: [{ id: 'db-clone-meta', rules: [], pairs: [{ id: 'db-clone-meta-promotable', name: 'promotable', value: 'true' }] }],
        child: { kind: 'group', id: 'db-group', instanceAttributes: [], metaAttributes: [], members: [dummy('db-a'), dummy('db-b')] },
      },
    },
    bumps: 'epoch',
    check: (cib) => expect(resourceIds(cib)).toContain('db-clone'),
  },
  {
    name: 'delete-resource of an unconstrained resource',
    change: { op: 'delete-resource', id: 'web-server' },
    bumps: 'epoch',
    check: (cib) => {
      const web = cib.configuration.resources[1];
      expect(web?.kind === 'group' && web.members.map((m) => m.id)).toEqual(['web-fs']);
    },
  },
  {
    name: 'delete-resource with cascade drops pair constraints and shrinks sets',
    change: { op: 'delete-resource', id: 'web', cascade: true },
    bumps: 'epoch',
    check: (cib) => {
      expect(resourceIds(cib)).toEqual(['ip', 'ping-clone', 'fence1']);
      expect(constraintIds(cib)).toEqual(['loc-ip', 'col-set']);
      const set = cib.configuration.constraints[1];
      expect(set?.kind === 'colocation' && set.subject.kind === 'sets' && set.subject.sets[0]?.resources).toEqual(['ping-clone']);
      expect(lrmIds(cib, 'node1')).toContain('ip'); // the status keeps history: the policy engine stops orphans
    },
  },
  {
    name: 'set-resource-meta updates the pair where it is',
    change: { op: 'set-resource-meta', id: 'ip', name: 'target-role', value: 'Stopped' },
    bumps: 'epoch',
    check: (cib) => {
      expect(metaOf(cib, 'ip').get('target-role')).toBe('Stopped');
      expect(cib.configuration.resources[0]?.kind === 'primitive' && cib.configuration.resources[0].metaAttributes[0]?.pairs[0]?.id).toBe('ip-meta-target-role');
    },
  },
  {
    name: 'set-resource-meta creates a meta_attributes set on a group member',
    change: { op: 'set-resource-meta', id: 'web-fs', name: 'is-managed', value: 'false' },
    bumps: 'epoch',
    check: (cib) => {
      expect(metaOf(cib, 'web-fs').get('is-managed')).toBe('false');
      const group = cib.configuration.resources[1];
      expect(group?.kind === 'group' && group.members[0]?.metaAttributes).toEqual([
        { id: 'web-fs-meta_attributes', rules: [], pairs: [{ id: 'web-fs-meta_attributes-is-managed', name: 'is-managed', value: 'false' }] },
      ]);
    },
  },
  {
    name: 'set-resource-meta on a clone child and on a clone',
    change: { op: 'batch', changes: [{ op: 'set-resource-meta', id: 'ping', name: 'resource-stickiness', value: '10' }, { op: 'set-resource-meta', id: 'ping-clone', name: 'clone-max', value: '2' }] },
    bumps: 'epoch',
    check: (cib) => {
      expect(metaOf(cib, 'ping').get('resource-stickiness')).toBe('10');
      expect(metaOf(cib, 'ping-clone').get('clone-max')).toBe('2');
    },
  },
  {
    name: 'set-resource-meta without a value removes it',
    change: { op: 'set-resource-meta', id: 'ip', name: 'target-role' },
    bumps: 'epoch',
    check: (cib) => expect(metaOf(cib, 'ip').has('target-role')).toBe(false),
  },
  {
    name: 'set-resource-param sets and adds agent parameters',
    change: { op: 'batch', changes: [{ op: 'set-resource-param', id: 'ip', name: 'ip', value: '10.0.0.11' }, { op: 'set-resource-param', id: 'ip', name: 'cidr_netmask', value: '24' }] },
    bumps: 'epoch',
    check: (cib) => expect(Object.fromEntries(paramsOf(cib, 'ip'))).toEqual({ ip: '10.0.0.11', cidr_netmask: '24' }),
  },
  {
    name: 'set-resource-param without a value removes it',
    change: { op: 'set-resource-param', id: 'ip', name: 'ip' },
    bumps: 'epoch',
    check: (cib) => expect(paramsOf(cib, 'ip').size).toBe(0),
  },
  {
    name: 'put-constraint adds a location constraint',
    change: { op: 'put-constraint', constraint: location('ban-ip', 'ip', 'node2', -1_000_000) },
    bumps: 'epoch',
    check: (cib) => expect(constraintIds(cib)).toEqual(['loc-ip', 'col-web-ip', 'ord-ip-web', 'col-set', 'ban-ip']),
  },
  {
    name: 'put-constraint replaces a constraint in place',
    change: { op: 'put-constraint', constraint: location('loc-ip', 'ip', 'node2') },
    bumps: 'epoch',
    check: (cib) => expect(cib.configuration.constraints[0]).toMatchObject({ id: 'loc-ip', placement: { node: 'node2', score: 50 } }),
  },
  {
    name: 'put-constraint adds order and colocation constraints with sets',
    change: {
      op: 'batch',
      changes: [
        { op: 'put-constraint', constraint: { kind: 'order', id: 'ord-2', orderKind: 'Optional', subject: { kind: 'pair', first: 'web', then: 'ping-clone', firstAction: 'start', thenAction: 'start' } } },
        { op: 'put-constraint', constraint: { kind: 'colocation', id: 'col-2', score: -100, subject: { kind: 'sets', sets: [{ id: 'col-2-s', resources: ['ip', 'web-server'], role: 'Started' }] } } },
      ],
    },
    bumps: 'epoch',
    check: (cib) => expect(constraintIds(cib).slice(-2)).toEqual(['ord-2', 'col-2']),
  },
  {
    name: 'delete-constraint',
    change: { op: 'delete-constraint', id: 'col-web-ip' },
    bumps: 'epoch',
    check: (cib) => expect(constraintIds(cib)).toEqual(['loc-ip', 'ord-ip-web', 'col-set']),
  },
  {
    name: 'set-cluster-property updates cib-bootstrap-options',
    change: { op: 'set-cluster-property', name: 'no-quorum-policy', value: 'freeze' },
    bumps: 'epoch',
    check: (cib) => {
      expect(properties(cib).get('no-quorum-policy')).toBe('freeze');
      expect(cib.configuration.crmConfig[0]?.pairs.map((p) => p.id)).toEqual(['opt-stonith', 'cib-bootstrap-options-no-quorum-policy']);
    },
  },
  {
    name: 'set-cluster-property without a value removes it',
    change: { op: 'set-cluster-property', name: 'stonith-enabled' },
    bumps: 'epoch',
    check: (cib) => expect(properties(cib).has('stonith-enabled')).toBe(false),
  },
  {
    name: 'put-node adds a node',
    change: { op: 'put-node', node: { id: '3', uname: 'node3', instanceAttributes: [] } },
    bumps: 'epoch',
    check: (cib) => expect(cib.configuration.nodes.map((n) => n.uname)).toEqual(['node1', 'node2', 'node3']),
  },
  {
    name: 'set-node-attribute permanent creates the node set (standby)',
    change: { op: 'set-node-attribute', node: 'node1', name: 'standby', value: 'on', lifetime: 'permanent' },
    bumps: 'epoch',
    check: (cib) => expect(cib.configuration.nodes[0]?.instanceAttributes).toEqual([{ id: 'nodes-1', rules: [], pairs: [{ id: 'nodes-1-standby', name: 'standby', value: 'on' }] }]),
  },
  {
    name: 'set-node-attribute permanent updates and removes',
    change: { op: 'batch', changes: [{ op: 'set-node-attribute', node: 'node2', name: 'standby', value: 'on', lifetime: 'permanent' }, { op: 'set-node-attribute', node: 'node2', name: 'standby', lifetime: 'permanent' }] },
    bumps: 'epoch',
    check: (cib) => expect(resolveNvSets(cib.configuration.nodes[1]?.instanceAttributes ?? []).size).toBe(0),
  },
  {
    name: 'set-node-attribute transient writes the status',
    change: { op: 'set-node-attribute', node: 'node1', name: 'pingd', value: '200', lifetime: 'transient' },
    bumps: 'num_updates',
    check: (cib) => expect(transient(cib, 'node1')).toContain('pingd=200'),
  },
  {
    name: 'set-node-attribute transient on a node without status creates its node_state',
    change: { op: 'batch', changes: [{ op: 'put-node', node: { id: '3', uname: 'node3', instanceAttributes: [] } }, { op: 'set-node-attribute', node: 'node3', name: 'shutdown', value: '0', lifetime: 'transient' }] },
    bumps: 'epoch',
    check: (cib) => expect(cib.status.nodes[2]).toEqual({ id: '3', uname: 'node3', transientAttributes: { id: '3', sets: [{ id: 'status-3', rules: [], pairs: [{ id: 'status-3-shutdown', name: 'shutdown', value: '0' }] }] } }),
  },
  {
    name: 'clear-failures of a primitive on every node',
    change: { op: 'clear-failures', resource: 'ip' },
    bumps: 'num_updates',
    check: (cib) => {
      expect(lrmIds(cib, 'node1')).toEqual(['ping:0', 'old']);
      expect(transient(cib, 'node1')).toEqual(['fail-count-ipx#start_0=1', 'pingd=100']);
      expect(transient(cib, 'node2')).toEqual(['fail-count-ping:1#monitor_10000=2']);
    },
  },
  {
    name: 'clear-failures of a clone on one node clears its instances there only',
    change: { op: 'clear-failures', resource: 'ping-clone', node: 'node2' },
    bumps: 'num_updates',
    check: (cib) => {
      expect(lrmIds(cib, 'node1')).toEqual(['ip', 'ping:0', 'old']);
      expect(lrmIds(cib, 'node2')).toEqual([]);
      expect(transient(cib, 'node2')).toEqual(['fail-count-ip#start_0=INFINITY']);
    },
  },
  {
    name: 'clear-failures of an orphan only the status knows',
    change: { op: 'clear-failures', resource: 'old' },
    bumps: 'num_updates',
    check: (cib) => expect(lrmIds(cib, 'node1')).toEqual(['ip', 'ping:0']),
  },
  {
    name: 'set-node-state records membership',
    change: { op: 'set-node-state', node: 'node2', state: { inCcm: false, crmd: 'offline', join: 'down', expected: 'down' } },
    bumps: 'num_updates',
    check: (cib) => expect(cib.status.nodes[1]).toMatchObject({ id: '2', inCcm: false, crmd: 'offline', join: 'down', expected: 'down' }),
  },
  {
    name: 'set-node-state creates the node_state of a configured node',
    change: { op: 'batch', changes: [{ op: 'put-node', node: { id: '3', uname: 'node3', instanceAttributes: [] } }, { op: 'set-node-state', node: 'node3', state: { inCcm: true, crmd: 'online', join: 'pending' } }] },
    bumps: 'epoch',
    check: (cib) => expect(cib.status.nodes[2]).toEqual({ id: '3', uname: 'node3', inCcm: true, crmd: 'online', join: 'pending' }),
  },
  {
    name: 'set-cluster-state records quorum and the DC',
    change: { op: 'set-cluster-state', haveQuorum: true, dcUuid: '1' },
    bumps: 'num_updates',
    check: (cib) => expect(cib.header).toMatchObject({ haveQuorum: true, dcUuid: '1' }),
  },
  {
    name: 'a batch sees its earlier changes (resource, then a constraint on it)',
    change: { op: 'batch', changes: [{ op: 'put-resource', resource: dummy('db') }, { op: 'put-constraint', constraint: location('loc-db', 'db', 'node2') }] },
    bumps: 'epoch',
    check: (cib) => expect(constraintIds(cib)).toContain('loc-db'),
  },
  {
    name: 'a batch deletes a constraint, then the resource it named',
    change: { op: 'batch', changes: [{ op: 'delete-constraint', id: 'loc-ip' }, { op: 'delete-constraint', id: 'col-web-ip' }, { op: 'delete-constraint', id: 'ord-ip-web' }, { op: 'delete-resource', id: 'ip' }] },
    bumps: 'epoch',
    check: (cib) => expect(resourceIds(cib)).toEqual(['web', 'ping-clone', 'fence1']),
  },
];

describe('applyCibChange: accepted changes', () => {
  it.each(ACCEPTED)('$name', ({ change, bumps, check }) => {
    const cib = apply(change);
    check(cib);
    if (bumps === 'epoch') {
      expect(cib.version).toEqual({ adminEpoch: 0, epoch: 2, numUpdates: 0 });
      expect(cib.header.cibLastWritten).toBe('Sat Nov 28 08:07:00 2026');
    } else {
      expect(cib.version).toEqual({ adminEpoch: 0, epoch: 1, numUpdates: 3 });
      expect(cib.header.cibLastWritten).toBeUndefined();
    }
    expect(cib.header).toMatchObject({ updateOrigin: 'node1', updateUser: 'root', updateClient: 'heartline-cli', validateWith: 'pacemaker-3.0' });
    expect(Object.isFrozen(cib)).toBe(true);
    expect(Object.isFrozen(cib.configuration.resources)).toBe(true);
    expect(Object.isFrozen(cib.status.nodes)).toBe(true);
    expect(cibDigest(BASE)).toBe(BASE_DIGEST);
    // Whatever a change builds, Pacemaker XML holds it exactly.
    const back = importCibXml(exportCibXml(cib));
    expect(back.ok && back.value.cib).toStrictEqual(cib);
  });

  it('copies values from the change instead of freezing the caller\'s objects', () => {
    const resource = dummy('db');
    const cib = apply({ op: 'put-resource', resource });
    expect(Object.isFrozen(resource)).toBe(false);
    expect(cib.configuration.resources[4]).toEqual(resource);
  });

  it('keeps unchanged parts shared with the input snapshot', () => {
    const cib = apply({ op: 'set-resource-meta', id: 'ip', name: 'target-role', value: 'Stopped' });
    expect(cib.status).toBe(BASE.status);
    expect(cib.configuration.constraints).toBe(BASE.configuration.constraints);
    expect(cib.configuration.resources[1]).toBe(BASE.configuration.resources[1]);
  });

  it('removes update-client when the meta has no client, and keeps the other header fields', () => {
    const result = applyCibChange(BASE, { op: 'set-cluster-state', haveQuorum: false }, { now: 0, origin: 'node2', user: 'hacluster' });
    expect(result.ok && result.value.header).toEqual({ validateWith: 'pacemaker-3.0', haveQuorum: false, updateOrigin: 'node2', updateUser: 'hacluster' });
  });

  it('a configuration change after status changes resets num_updates', () => {
    const status = apply({ op: 'set-cluster-state', haveQuorum: true });
    const config = apply({ op: 'delete-constraint', id: 'loc-ip' }, status);
    expect([status.version, config.version]).toEqual([
      { adminEpoch: 0, epoch: 1, numUpdates: 3 },
      { adminEpoch: 0, epoch: 2, numUpdates: 0 },
    ]);
  });
});

describe('applyCibChange: changes that change nothing return the same snapshot', () => {
  it.each<[string, CibChange]>([
    ['the same meta value', { op: 'set-resource-meta', id: 'ip', name: 'target-role', value: 'Started' }],
    ['removing an absent meta attribute', { op: 'set-resource-meta', id: 'ip', name: 'is-managed' }],
    ['the same parameter value', { op: 'set-resource-param', id: 'ip', name: 'ip', value: '10.0.0.10' }],
    ['the same cluster property', { op: 'set-cluster-property', name: 'stonith-enabled', value: 'true' }],
    ['the same configuration', { op: 'replace-configuration', configuration: JSON.parse(JSON.stringify(BASE.configuration)) as Cib['configuration'] }],
    ['the same node', { op: 'put-node', node: { id: '1', uname: 'node1', instanceAttributes: [] } }],
    ['the same transient attribute', { op: 'set-node-attribute', node: 'node1', name: 'pingd', value: '100', lifetime: 'transient' }],
    ['the same node state', { op: 'set-node-state', node: 'node1', state: { inCcm: true, join: 'member' } }],
    ['the same cluster state', { op: 'set-cluster-state', haveQuorum: false }],
    ['clearing a resource with no history on that node', { op: 'clear-failures', resource: 'web', node: 'node2' }],
    ['an empty batch', { op: 'batch', changes: [] }],
  ])('%s', (_name, change) => {
    const cib = BASE.header.haveQuorum === undefined && change.op === 'set-cluster-state' ? apply(change) : BASE;
    expect(applyCibChange(cib, change, META)).toEqual({ ok: true, value: cib });
    if (cib === BASE) expect((applyCibChange(cib, change, META) as { value: Cib }).value).toBe(BASE);
  });
});

interface Refused {
  readonly name: string;
  readonly change: CibChange;
  readonly field: string;
  readonly message: RegExp;
}

const bad = (value: unknown): never => value as never;

const REFUSED: readonly Refused[] = [
  { name: 'an unknown op', change: bad({ op: 'frobnicate' }), field: 'op', message: /'frobnicate' is not a CIB change/ },
  { name: 'not an object', change: bad(null), field: 'op', message: /must be a change object/ },
  // replace-configuration
  {
    name: 'an import whose constraint names an unknown resource',
    change: { op: 'replace-configuration', configuration: { ...BASE.configuration, constraints: [location('loc-x', 'nope', 'node1')] } },
    field: 'configuration.constraints[0].subject.rsc',
    message: /names resource 'nope', which is not configured/,
  },
  {
    name: 'an import whose constraint names an unknown node',
    change: { op: 'replace-configuration', configuration: { ...BASE.configuration, constraints: [location('loc-x', 'ip', 'node9')] } },
    field: 'configuration.constraints[0].placement.node',
    message: /names node 'node9', which is not a cluster node \(nodes: node1, node2\)/,
  },
  {
    name: 'an import with a duplicate id across a resource and a constraint',
    change: { op: 'replace-configuration', configuration: { ...BASE.configuration, constraints: [location('ip', 'ip', 'node1')] } },
    field: 'configuration.constraints[0].id',
    message: /id 'ip' is used twice \(also at configuration.resources\[0\].id\)/,
  },
  {
    name: 'an import with two nodes of one name',
    change: { op: 'replace-configuration', configuration: { ...BASE.configuration, nodes: [...BASE.configuration.nodes, { id: '3', uname: 'node1', instanceAttributes: [] }] } },
    field: 'configuration.nodes[2].uname',
    message: /two nodes are named 'node1'/,
  },
  { name: 'an import that is not a configuration', change: bad({ op: 'replace-configuration', configuration: { resources: 3 } }), field: 'configuration.crmConfig', message: /must be a list/ },
  // put-resource
  { name: 'a resource with an invalid id', change: { op: 'put-resource', resource: dummy('1db') }, field: 'resource.id', message: /'1db' is not a valid id/ },
  { name: 'a resource with an unknown class', change: { op: 'put-resource', resource: dummy('db', { class: bad('ocff') }) }, field: 'resource.class', message: /'ocff' is not a resource class/ },
  { name: 'an ocf resource without a provider', change: { op: 'put-resource', resource: { kind: 'primitive', id: 'db', class: 'ocf', type: 'Dummy', instanceAttributes: [], metaAttributes: [] } }, field: 'resource.provider', message: /provider for class ocf/ },
  { name: 'a resource without an agent type', change: { op: 'put-resource', resource: dummy('db', { type: '' }) }, field: 'resource.type', message: /agent's name/ },
  { name: 'a resource id already used by a constraint', change: { op: 'put-resource', resource: dummy('loc-ip') }, field: 'resource.id', message: /id 'loc-ip' is already used by constraint 'loc-ip'/ },
  {
    name: 'a resource whose operation id is used elsewhere',
    change: { op: 'put-resource', resource: dummy('db', { operations: { ops: [{ id: 'ip-monitor-10s', name: 'monitor', interval: millis(10_000), instanceAttributes: [], metaAttributes: [] }] } }) },
    field: 'resource.operations.ops[0].id',
    message: /already used by resource 'ip'/,
  },
  {
    name: 'a resource with the same id twice inside',
    change: { op: 'put-resource', resource: { kind: 'group', id: 'g', instanceAttributes: [], metaAttributes: [], members: [dummy('a'), dummy('a')] } },
    field: 'resource.members[1].id',
    message: /used twice \(also at resource.members\[0\].id\)/,
  },
  {
    name: 'two operations with one name and interval',
    change: {
      op: 'put-resource',
      resource: dummy('db', {
        operations: {
          ops: [
            { id: 'm1', name: 'monitor', interval: millis(10_000), instanceAttributes: [], metaAttributes: [] },
            { id: 'm2', name: 'monitor', interval: millis(10_000), role: 'Promoted', instanceAttributes: [], metaAttributes: [] },
          ],
        },
      }),
    },
    field: 'resource.operations.ops[1]',
    message: /a second 'monitor' operation with interval 10000 ms/,
  },
  { name: 'an operation with a negative interval', change: { op: 'put-resource', resource: dummy('db', { operations: { ops: [{ id: 'm', name: 'monitor', interval: millis(-1), instanceAttributes: [], metaAttributes: [] }] } }) }, field: 'resource.operations.ops[0].interval', message: /not a duration/ },
  { name: 'an operation with a bad role', change: { op: 'put-resource', resource: dummy('db', { operations: { ops: [{ id: 'm', name: 'monitor', interval: millis(1000), role: bad('Master'), instanceAttributes: [], metaAttributes: [] }] } }) }, field: 'resource.operations.ops[0].role', message: /'Master' is not a role/ },
  { name: 'an operation with a bad on-fail', change: { op: 'put-resource', resource: dummy('db', { operations: { ops: [{ id: 'm', name: 'monitor', interval: millis(1000), onFail: bad('explode'), instanceAttributes: [], metaAttributes: [] }] } }) }, field: 'resource.operations.ops[0].onFail', message: /'explode' is not an on-fail value/ },
  {
    name: 'a resource with a misspelled meta attribute',
    change: { op: 'put-resource', resource: dummy('db', { metaAttributes: [{ id: 'db-meta', rules: [], pairs: [{ id: 'db-meta-t', name: 'taget-role', value: 'Stopped' }] }] }) },
    field: 'resource.metaAttributes[0].pairs[0].name',
    message: /'taget-role' is not a resource meta attribute \(did you mean 'target-role'\?\)/,
  },
  {
    name: 'a resource with a bad meta value',
    change: { op: 'put-resource', resource: dummy('db', { metaAttributes: [{ id: 'db-meta', rules: [], pairs: [{ id: 'db-meta-t', name: 'target-role', value: 'Up' }] }] }) },
    field: 'resource.metaAttributes[0].pairs[0].value',
    message: /'Up' is not a valid value for target-role/,
  },
  { name: 'an empty group', change: { op: 'put-resource', resource: { kind: 'group', id: 'g', instanceAttributes: [], metaAttributes: [], members: [] } }, field: 'resource.members', message: /at least one member/ },
  { name: 'a verbatim resource', change: { op: 'put-resource', resource: bad({ kind: 'unsupported', id: 'b', xml: { name: 'bundle', attributes: [], children: [] } }) }, field: 'resource.kind', message: /only primitives, groups and clones/ },
  { name: 'a group member put as a top-level resource', change: { op: 'put-resource', resource: dummy('web-fs') }, field: 'resource.id', message: /inside group 'web'.*put the group instead/ },
  {
    name: 'a replacement that drops a member a constraint names',
    change: { op: 'put-resource', resource: { kind: 'group', id: 'web', instanceAttributes: [], metaAttributes: [], members: [dummy('web-server')] } },
    field: 'resource',
    message: /drops 'web-fs', which constraint 'col-set' names/,
  },
  // delete-resource
  { name: 'deleting an unknown resource', change: { op: 'delete-resource', id: 'nope' }, field: 'id', message: /there is no resource 'nope' \(resources: 'ip', 'web', 'web-fs'/ },
  { name: 'deleting a constrained resource', change: { op: 'delete-resource', id: 'ip' }, field: 'id', message: /named by constraints 'loc-ip', 'col-web-ip', 'ord-ip-web': delete them first, or delete with cascade/ },
  { name: 'deleting a group whose member is constrained', change: { op: 'delete-resource', id: 'web' }, field: 'id', message: /'col-web-ip', 'ord-ip-web', 'col-set'/ },
  { name: 'deleting the resource inside a clone', change: { op: 'delete-resource', id: 'ping' }, field: 'id', message: /inside clone 'ping-clone': delete the clone instead/ },
  { name: 'deleting a fence device the topology uses', change: { op: 'delete-resource', id: 'fence1', cascade: true }, field: 'id', message: /fencing level 'fl-1' use 'fence1'/ },
  {
    name: 'deleting the only member of a group',
    change: { op: 'batch', changes: [{ op: 'delete-resource', id: 'web-server' }, { op: 'delete-resource', id: 'web-fs', cascade: true }] },
    field: 'changes[1].id',
    message: /only member of group 'web': delete the group instead/,
  },
  // set-resource-meta / set-resource-param
  { name: 'a meta attribute of an unknown resource', change: { op: 'set-resource-meta', id: 'nope', name: 'target-role', value: 'Stopped' }, field: 'id', message: /there is no resource 'nope'/ },
  { name: 'an unknown meta attribute', change: { op: 'set-resource-meta', id: 'ip', name: 'migation-threshold', value: '3' }, field: 'name', message: /did you mean 'migration-threshold'/ },
  { name: 'a deprecated meta attribute', change: { op: 'set-resource-meta', id: 'ping-clone', name: 'master-max', value: '1' }, field: 'name', message: /set 'promoted-max' instead/ },
  { name: 'a bad target-role', change: { op: 'set-resource-meta', id: 'ip', name: 'target-role', value: 'running' }, field: 'value', message: /'running' is not a valid value for target-role: it must be a role/ },
  { name: 'a bad is-managed', change: { op: 'set-resource-meta', id: 'ip', name: 'is-managed', value: 'maybe' }, field: 'value', message: /must be a boolean/ },
  { name: 'a bad migration-threshold', change: { op: 'set-resource-meta', id: 'ip', name: 'migration-threshold', value: 'three' }, field: 'value', message: /must be a score/ },
  { name: 'a bad failure-timeout', change: { op: 'set-resource-meta', id: 'ip', name: 'failure-timeout', value: '5 fortnights' }, field: 'value', message: /must be a duration/ },
  { name: 'a value that is not text', change: bad({ op: 'set-resource-meta', id: 'ip', name: 'target-role', value: 3 }), field: 'value', message: /must be text/ },
  { name: 'a meta attribute with an empty name', change: { op: 'set-resource-meta', id: 'ip', name: '', value: 'x' }, field: 'name', message: /non-empty option name/ },
  { name: 'a parameter of a group', change: { op: 'set-resource-param', id: 'web', name: 'x', value: '1' }, field: 'id', message: /a group; agent parameters belong to its primitives \('web-fs', 'web-server'\)/ },
  { name: 'a meta attribute set as a parameter', change: { op: 'set-resource-param', id: 'ip', name: 'target-role', value: 'Stopped' }, field: 'name', message: /is a resource meta attribute, not an agent parameter/ },
  { name: 'a parameter name with a blank', change: { op: 'set-resource-param', id: 'ip', name: 'a b', value: '1' }, field: 'name', message: /must not contain blanks/ },
  // put-constraint / delete-constraint
  { name: 'a constraint naming an unknown resource', change: { op: 'put-constraint', constraint: location('loc-x', 'nope', 'node1') }, field: 'constraint.subject.rsc', message: /names resource 'nope', which is not configured: create the resource first/ },
  { name: 'a constraint naming an unknown node', change: { op: 'put-constraint', constraint: location('loc-x', 'ip', 'node3') }, field: 'constraint.placement.node', message: /names node 'node3', which is not a cluster node/ },
  { name: 'a constraint with an invalid score', change: { op: 'put-constraint', constraint: location('loc-x', 'ip', 'node1', 2_000_000) }, field: 'constraint.placement.score', message: /2000000 is not a score/ },
  { name: 'a constraint with a fractional score', change: { op: 'put-constraint', constraint: location('loc-x', 'ip', 'node1', 1.5) }, field: 'constraint.placement.score', message: /1.5 is not a score/ },
  { name: 'a constraint with a NaN score', change: { op: 'put-constraint', constraint: location('loc-x', 'ip', 'node1', Number.NaN) }, field: 'constraint.placement.score', message: /null is not a score/ },
  { name: 'a constraint whose id is a resource id', change: { op: 'put-constraint', constraint: location('ip', 'ip', 'node1') }, field: 'constraint.id', message: /already used by resource 'ip'/ },
  { name: 'a constraint with a bad role', change: { op: 'put-constraint', constraint: { kind: 'location', id: 'l', subject: { kind: 'resource', rsc: 'ip', role: bad('Slave') }, placement: { kind: 'node', node: 'node1', score: 1 } } }, field: 'constraint.subject.role', message: /'Slave' is not a role: use one of Stopped, Started, Unpromoted, Promoted/ },
  { name: 'a colocation naming an unknown with-rsc', change: { op: 'put-constraint', constraint: { kind: 'colocation', id: 'c', score: 10, subject: { kind: 'pair', rsc: 'ip', withRsc: 'nope' } } }, field: 'constraint.subject.withRsc', message: /names resource 'nope'/ },
  { name: 'a colocation of a resource with itself', change: { op: 'put-constraint', constraint: { kind: 'colocation', id: 'c', score: 10, subject: { kind: 'pair', rsc: 'ip', withRsc: 'ip' } } }, field: 'constraint.subject.withRsc', message: /cannot be colocated with itself/ },
  { name: 'an order with a bad action', change: { op: 'put-constraint', constraint: { kind: 'order', id: 'o', subject: { kind: 'pair', first: 'ip', then: 'web', firstAction: bad('begin') } } }, field: 'constraint.subject.firstAction', message: /'begin' is not an action/ },
  { name: 'an order with a bad kind', change: { op: 'put-constraint', constraint: { kind: 'order', id: 'o', orderKind: bad('Always'), subject: { kind: 'pair', first: 'ip', then: 'web' } } }, field: 'constraint.orderKind', message: /'Always' is not an order kind/ },
  { name: 'a set naming an unknown resource', change: { op: 'put-constraint', constraint: { kind: 'order', id: 'o', subject: { kind: 'sets', sets: [{ id: 'o-s', resources: ['ip', 'ghost'] }] } } }, field: 'constraint.subject.sets[0].resources[1]', message: /names resource 'ghost'/ },
  { name: 'an empty resource set', change: { op: 'put-constraint', constraint: { kind: 'order', id: 'o', subject: { kind: 'sets', sets: [{ id: 'o-s', resources: [] }] } } }, field: 'constraint.subject.sets[0].resources', message: /at least one resource/ },
  { name: 'a location rule with a bad operation', change: { op: 'put-constraint', constraint: { kind: 'location', id: 'l', subject: { kind: 'resource', rsc: 'ip' }, placement: { kind: 'rules', rules: [{ id: 'r', score: 10, expressions: [{ kind: 'attribute', id: 'e', attribute: 'pingd', operation: bad('like') }] }] } } }, field: 'constraint.placement.rules[0].expressions[0].operation', message: /'like' is not an expression operation/ },
  { name: 'a location with an invalid pattern', change: { op: 'put-constraint', constraint: { kind: 'location', id: 'l', subject: { kind: 'pattern', pattern: '(' }, placement: { kind: 'node', node: 'node1', score: 1 } } }, field: 'constraint.subject.pattern', message: /not a valid regular expression/ },
  { name: 'a verbatim constraint', change: { op: 'put-constraint', constraint: { kind: 'unsupported', id: 't', xml: { name: 'rsc_ticket', attributes: [], children: [] } } }, field: 'constraint.kind', message: /only location, colocation and order/ },
  { name: 'deleting an unknown constraint', change: { op: 'delete-constraint', id: 'nope' }, field: 'id', message: /there is no constraint 'nope' \(constraints: 'loc-ip', 'col-web-ip', 'ord-ip-web', 'col-set'\)/ },
  // set-cluster-property
  { name: 'an unknown cluster property', change: { op: 'set-cluster-property', name: 'no_quorum-policy', value: 'stop' }, field: 'name', message: /not a cluster property \(did you mean 'no-quorum-policy'\?\)/ },
  { name: 'a deprecated cluster property', change: { op: 'set-cluster-property', name: 'crmd-transition-delay', value: '0' }, field: 'name', message: /set 'transition-delay' instead/ },
  { name: 'a legacy cluster property', change: { op: 'set-cluster-property', name: 'default-resource-stickiness', value: '100' }, field: 'name', message: /legacy option/ },
  { name: 'a bad no-quorum-policy', change: { op: 'set-cluster-property', name: 'no-quorum-policy', value: 'panic' }, field: 'value', message: /must be one of stop, freeze, ignore, demote, suicide/ },
  { name: 'a bad stonith-enabled', change: { op: 'set-cluster-property', name: 'stonith-enabled', value: 'sure' }, field: 'value', message: /must be a boolean/ },
  { name: 'a bad batch-limit', change: { op: 'set-cluster-property', name: 'batch-limit', value: 'lots' }, field: 'value', message: /must be an integer/ },
  { name: 'a bad cluster-recheck-interval', change: { op: 'set-cluster-property', name: 'cluster-recheck-interval', value: 'often' }, field: 'value', message: /must be a duration/ },
  // put-node
  { name: 'a node named like another', change: { op: 'put-node', node: { id: '3', uname: 'node1', instanceAttributes: [] } }, field: 'node.uname', message: /node '1' is already named 'node1'/ },
  { name: 'a node without a name', change: { op: 'put-node', node: { id: '3', uname: '', instanceAttributes: [] } }, field: 'node.uname', message: /node's name/ },
  { name: 'renaming a node a constraint names', change: { op: 'put-node', node: { id: '1', uname: 'nodeA', instanceAttributes: [] } }, field: 'node.uname', message: /renaming 'node1' would leave 'loc-ip'/ },
  { name: 'a node with a bad standby value', change: { op: 'put-node', node: { id: '3', uname: 'node3', instanceAttributes: [{ id: 'n3', rules: [], pairs: [{ id: 'n3-s', name: 'standby', value: 'perhaps' }] }] } }, field: 'node.instanceAttributes[0].pairs[0].value', message: /must be a boolean/ },
  // set-node-attribute
  { name: 'a permanent attribute of an unknown node', change: { op: 'set-node-attribute', node: 'node9', name: 'standby', value: 'on', lifetime: 'permanent' }, field: 'node', message: /there is no node 'node9' \(nodes: 'node1', 'node2'\); add it with put-node first/ },
  { name: 'a transient attribute of an unknown node', change: { op: 'set-node-attribute', node: 'node9', name: 'pingd', value: '1', lifetime: 'transient' }, field: 'node', message: /there is no node 'node9'/ },
  { name: 'a bad standby value', change: { op: 'set-node-attribute', node: 'node1', name: 'standby', value: 'yes please', lifetime: 'permanent' }, field: 'value', message: /'yes please' is not a valid value for standby/ },
  { name: 'a bad lifetime', change: bad({ op: 'set-node-attribute', node: 'node1', name: 'pingd', value: '1', lifetime: 'forever' }), field: 'lifetime', message: /'permanent'.*'transient'/ },
  // clear-failures
  { name: 'cleanup of an unknown resource', change: { op: 'clear-failures', resource: 'ghost' }, field: 'resource', message: /there is no resource 'ghost'/ },
  { name: 'cleanup on an unknown node', change: { op: 'clear-failures', resource: 'ip', node: 'node9' }, field: 'node', message: /there is no node 'node9'/ },
  // set-node-state / set-cluster-state
  { name: 'the state of an unknown node', change: { op: 'set-node-state', node: 'node9', state: { inCcm: true } }, field: 'node', message: /there is no node 'node9'/ },
  { name: 'a bad join state', change: { op: 'set-node-state', node: 'node1', state: { join: bad('joined') } }, field: 'state.join', message: /joined must be one of member, down, pending, banned/ },
  { name: 'a bad crmd state', change: { op: 'set-node-state', node: 'node1', state: { crmd: bad('up') } }, field: 'state.crmd', message: /must be one of online, offline/ },
  { name: 'a bad shutdown time', change: { op: 'set-node-state', node: 'node1', state: { shutdown: -1 } }, field: 'state.shutdown', message: /seconds since the Unix epoch/ },
  { name: 'a bad quorum flag', change: bad({ op: 'set-cluster-state', haveQuorum: 'yes' }), field: 'haveQuorum', message: /true or false/ },
  // batch
  {
    name: 'a batch whose second change fails names it, and applies nothing',
    change: { op: 'batch', changes: [{ op: 'put-resource', resource: dummy('db') }, { op: 'put-constraint', constraint: location('loc-db', 'dbx', 'node1') }] },
    field: 'changes[1].constraint.subject.rsc',
    message: /names resource 'dbx'/,
  },
  {
    name: 'a nested batch names the path down to the field',
    change: { op: 'batch', changes: [{ op: 'set-cluster-property', name: 'batch-limit', value: '10' }, { op: 'batch', changes: [{ op: 'set-resource-meta', id: 'ip', name: 'target-role', value: 'Up' }] }] },
    field: 'changes[1].changes[0].value',
    message: /'Up' is not a valid value for target-role/,
  },
  { name: 'a batch that is not a list', change: bad({ op: 'batch', changes: 'all' }), field: 'changes', message: /must be a list of changes/ },
];

describe('applyCibChange: refused changes', () => {
  it.each(REFUSED)('$name', ({ change, field, message }) => {
    const error = refusal(change);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(cibDigest(BASE)).toBe(BASE_DIGEST);
  });
});

describe('formatCibTimestamp', () => {
  it.each([
    [0, 'Thu Jan  1 00:00:00 1970'],
    [1_795_853_220, 'Sat Nov 28 08:07:00 2026'],
    [951_782_400, 'Tue Feb 29 00:00:00 2000'],
    [-86_400, 'Wed Dec 31 00:00:00 1969'],
    [4_102_444_799.9, 'Thu Dec 31 23:59:59 2099'],
  ])('%d -> %s', (seconds, text) => {
    expect(formatCibTimestamp(seconds)).toBe(text);
  });
});
