// The operator's request builders: each table row is what an operator types and the CIB change it
// must become (or the option its error must name); accepted changes are then applied with
// applyCibChange to a small CIB, so the builders and the change language cannot drift apart.
import { describe, expect, it } from 'vitest';
import {
  buildColocationConstraint,
  buildLocationConstraint,
  buildNodeStandby,
  buildOrderConstraint,
  buildResourceBan,
  buildResourceClear,
  buildResourceCreate,
  buildResourceMove,
  buildResourceUpdate,
  parseOperationSpec,
  type ResourceCreateRequest,
} from '../../../../src/ha/admin/index.js';
import { applyCibChange, importCibXml, findResource, type Cib, type CibChange, type Primitive } from '../../../../src/ha/cib/index.js';

const CIB_XML = `<cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-3.0">
  <configuration><crm_config/>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
    <resources>
      <primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2">
        <instance_attributes id="ip-instance_attributes"><nvpair id="ip-instance_attributes-ip" name="ip" value="10.0.0.10"/></instance_attributes>
      </primitive>
      <group id="web"><primitive id="web-fs" class="ocf" provider="heartline" type="Dummy"/></group>
    </resources>
    <constraints>
      <rsc_location id="cli-prefer-ip" rsc="ip" node="node1" score="INFINITY"/>
      <rsc_location id="cli-ban-ip-on-node2" rsc="ip" node="node2" score="-INFINITY"/>
      <rsc_location id="keep-web" rsc="web" node="node1" score="50"/>
    </constraints>
  </configuration><status/></cib>`;

function baseCib(): Cib {
  const imported = importCibXml(CIB_XML);
  if (!imported.ok) throw new Error(JSON.stringify(imported.error));
  return imported.value.cib;
}

function applied(change: CibChange): Cib {
  const result = applyCibChange(baseCib(), change, { now: 1_700_000_000, origin: 'node1', user: 'root' });
  if (!result.ok) throw new Error(`${result.error.field}: ${result.error.message}`);
  return result.value;
}

const create = (fields: Partial<ResourceCreateRequest>): ResourceCreateRequest => ({ id: 'db', agent: 'ocf:heartbeat:Dummy', params: [], meta: [], ops: [], ...fields });

describe('buildResourceCreate', () => {
  it('makes a primitive with parameters, meta attributes, operations and a default monitor', () => {
    const built = buildResourceCreate(create({ params: ['state=/run/db.state'], meta: ['target-role=Stopped'] }), baseCib().configuration);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const cib = applied(built.value);
    const db = findResource(cib.configuration.resources, 'db')?.resource as Primitive;
    expect(db).toMatchObject({ kind: 'primitive', class: 'ocf', provider: 'heartbeat', type: 'Dummy' });
    expect(db.instanceAttributes[0]?.pairs).toEqual([{ id: 'db-instance_attributes-state', name: 'state', value: '/run/db.state' }]);
    expect(db.metaAttributes[0]?.pairs[0]).toMatchObject({ name: 'target-role', value: 'Stopped' });
    expect(db.operations?.ops).toEqual([expect.objectContaining({ id: 'db-monitor-interval-10s', name: 'monitor', interval: 10_000, timeout: 20_000 })]);
    expect(cib.version.epoch).toBe(6);
  });

  it.each([
    ['lsb:ntp', { class: 'lsb', type: 'ntp' }],
    ['heartbeat:IPaddr2', { class: 'heartbeat', type: 'IPaddr2' }],
    ['systemd:nginx', { class: 'systemd', type: 'nginx' }],
    ['ocf:heartline:Dummy', { class: 'ocf', provider: 'heartline', type: 'Dummy' }],
  ])('reads agent %s', (agent, expected) => {
    const built = buildResourceCreate(create({ agent }), baseCib().configuration);
    expect(built.ok && built.value.op === 'put-resource' && built.value.resource).toMatchObject(expected);
  });

  it('clones (promotable: with promotable=true) and puts clone options on the clone', () => {
    const built = buildResourceCreate(create({ promotable: true, meta: ['clone-max=2', 'resource-stickiness=10'] }), baseCib().configuration);
    if (!built.ok) throw new Error(built.error.message);
    const clone = findResource(applied(built.value).configuration.resources, 'db-clone')?.resource;
    expect(clone?.kind).toBe('clone');
    if (clone?.kind !== 'clone') return;
    expect(clone.metaAttributes[0]?.pairs.map((p) => [p.name, p.value])).toEqual([['promotable', 'true'], ['clone-max', '2']]);
    expect(clone.child.metaAttributes[0]?.pairs.map((p) => p.name)).toEqual(['resource-stickiness']);
  });

  it('keeps promotable=true given with --clone --meta', () => {
    const built = buildResourceCreate(create({ clone: true, meta: ['promotable=true'] }), baseCib().configuration);
    expect(built.ok && built.value.op === 'put-resource' && built.value.resource.kind === 'clone' && built.value.resource.metaAttributes[0]?.pairs.map((p) => p.name)).toEqual(['promotable']);
  });

  it('appends to an existing group and creates a missing one', () => {
    const existing = buildResourceCreate(create({ group: 'web' }), baseCib().configuration);
    if (!existing.ok) throw new Error(existing.error.message);
    const web = findResource(applied(existing.value).configuration.resources, 'web')?.resource;
    expect(web?.kind === 'group' && web.members.map((m) => m.id)).toEqual(['web-fs', 'db']);
    const fresh = buildResourceCreate(create({ group: 'dbgroup' }), baseCib().configuration);
    if (!fresh.ok) throw new Error(fresh.error.message);
    expect(findResource(applied(fresh.value).configuration.resources, 'dbgroup')?.resource.kind).toBe('group');
  });

  it.each([
    ['an existing id', create({ id: 'ip' }), 'ID', /exists already/],
    ['an id inside a group', create({ id: 'web-fs' }), 'ID', /in group 'web'/],
    ['a bad id', create({ id: '9lives' }), 'ID', /not a valid id/],
    ['an unknown class', create({ agent: 'upstart:foo' }), 'AGENT', /unknown agent class "upstart"/],
    ['an ocf agent without provider', create({ agent: 'ocf:Dummy' }), 'AGENT', /not ocf:PROVIDER:TYPE/],
    ['a path in an agent name', create({ agent: 'lsb:../../bin/sh' }), 'AGENT', /not a valid name/],
    ['a word without =', create({ params: ['ip'] }), 'name=value', /'ip' is not name=value/],
    ['a parameter given twice', create({ params: ['a=1', 'a=2'] }), 'name=value', /given twice/],
    ['a meta attribute as a parameter', create({ params: ['target-role=Stopped'] }), 'target-role=', /give it with --meta/],
    ['an unknown meta attribute', create({ meta: ['target-rol=Stopped'] }), '--meta', /did you mean 'target-role'/],
    ['a clone option without --clone', create({ meta: ['clone-max=2'] }), '--meta', /add --clone/],
    ['--group with --clone', create({ group: 'g', clone: true }), '--group', /cannot be cloned/],
    ['a group that is a primitive', create({ group: 'ip' }), '--group', /'ip' is a primitive, not a group/],
    ['an op option typo', create({ ops: ['monitor intervl=10s'] }), '--op monitor', /did you mean 'interval'/],
    ['a bad interval', create({ ops: ['monitor interval=often'] }), '--op monitor', /not a duration/],
    ['a recurring start', create({ ops: ['start interval=10s'] }), '--op start', /only monitors recur/],
    ['two monitors with one interval', create({ ops: ['monitor interval=10s', 'monitor interval=10s timeout=5s'] }), '--op', /own interval/],
    ['an op without a name', create({ ops: ['interval=10s'] }), '--op', /does not start with the operation's name/],
  ])('refuses %s, naming the option', (_what, request, option, message) => {
    const built = buildResourceCreate(request, baseCib().configuration);
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.error.option).toBe(option);
    expect(built.error.message).toMatch(message);
  });
});

describe('parseOperationSpec', () => {
  it.each([
    ['monitor interval=10s timeout=20s', { id: 'r-monitor-interval-10s', name: 'monitor', interval: 10_000, timeout: 20_000 }],
    ['monitor interval=11s role=Promoted', { id: 'r-monitor-interval-11s', role: 'Promoted' }],
    ['monitor interval=30 role=Slave on-fail=restart', { interval: 30_000, role: 'Unpromoted', onFail: 'restart' }],
    ['start timeout=60s', { id: 'r-start-interval-0', name: 'start', interval: 0, timeout: 60_000 }],
    ['monitor interval=1min enabled=false OCF_CHECK_LEVEL=10', { interval: 60_000, enabled: false, instanceAttributes: [expect.objectContaining({ pairs: [expect.objectContaining({ name: 'OCF_CHECK_LEVEL', value: '10' })] })] }],
  ])('reads %s', (spec, expected) => {
    const op = parseOperationSpec(spec, 'r');
    expect(op.ok && op.value).toMatchObject(expected);
  });
});

describe('buildResourceUpdate', () => {
  it('sets and removes parameters and meta attributes in one batch', () => {
    const built = buildResourceUpdate({ id: 'ip', params: ['ip=10.0.0.11', 'nic='], meta: ['resource-stickiness=100'] });
    expect(built).toEqual({
      ok: true,
      value: {
        op: 'batch',
        changes: [
          { op: 'set-resource-param', id: 'ip', name: 'ip', value: '10.0.0.11' },
          { op: 'set-resource-param', id: 'ip', name: 'nic' },
          { op: 'set-resource-meta', id: 'ip', name: 'resource-stickiness', value: '100' },
        ],
      },
    });
    if (built.ok) expect(applied(built.value).version.epoch).toBe(6);
  });

  it.each([
    [{ params: [], meta: [] }, 'name=value', /nothing to change/],
    [{ params: ['x'], meta: [] }, 'name=value', /not name=value/],
    [{ params: [], meta: ['is-managed=perhaps'] }, '--meta', /not a valid value for is-managed/],
  ])('refuses %j naming %s', (fields, option, message) => {
    const built = buildResourceUpdate({ id: 'ip', ...fields });
    expect(built.ok ? undefined : built.error).toMatchObject({ option, message: expect.stringMatching(message) as unknown });
  });
});

describe('move, ban and clear', () => {
  it('move writes cli-prefer-ID with INFINITY, replacing an earlier move', () => {
    const cib = applied(buildResourceMove('ip', 'node2'));
    expect(cib.configuration.constraints.find((c) => c.id === 'cli-prefer-ip')).toEqual({ kind: 'location', id: 'cli-prefer-ip', subject: { kind: 'resource', rsc: 'ip' }, placement: { kind: 'node', node: 'node2', score: 1_000_000 } });
    expect(cib.configuration.constraints).toHaveLength(3);
  });

  it('ban writes cli-ban-ID-on-NODE with -INFINITY', () => {
    const cib = applied(buildResourceBan('web', 'node2'));
    expect(cib.configuration.constraints.find((c) => c.id === 'cli-ban-web-on-node2')).toMatchObject({ placement: { kind: 'node', node: 'node2', score: -1_000_000 } });
  });

  it('move to an unknown node is refused where the change is applied, naming the node', () => {
    const result = applyCibChange(baseCib(), buildResourceMove('ip', 'node9'), { now: 0, origin: 'n', user: 'u' });
    expect(result.ok ? '' : result.error.message).toContain('node9');
  });

  it("clear leaves another resource's bans alone even when their ids start alike", () => {
    const withOther = applied({ op: 'batch', changes: [{ op: 'put-resource', resource: { kind: 'primitive', id: 'ip-on-x', class: 'lsb', type: 'x', instanceAttributes: [], metaAttributes: [] } }, buildResourceBan('ip-on-x', 'node1')] });
    const built = buildResourceClear('ip', withOther.configuration);
    if (!built.ok) throw new Error(built.error.message);
    const cleared = applyCibChange(withOther, built.value, { now: 0, origin: 'n', user: 'u' });
    expect(cleared.ok && cleared.value.configuration.constraints.map((c) => c.id)).toEqual(['keep-web', 'cli-ban-ip-on-x-on-node1']);
  });

  it('clear deletes every move and ban of the resource and nothing else', () => {
    const built = buildResourceClear('ip', baseCib().configuration);
    if (!built.ok) throw new Error(built.error.message);
    expect(applied(built.value).configuration.constraints.map((c) => c.id)).toEqual(['keep-web']);
    expect(buildResourceClear('web', baseCib().configuration)).toMatchObject({ ok: false, error: { option: 'ID', message: expect.stringContaining('nothing to clear') as unknown } });
  });
});

describe('constraint add', () => {
  it.each([
    [{ relation: 'prefers', node: 'node1' }, 1_000_000],
    [{ relation: 'prefers', node: 'node1=200' }, 200],
    [{ relation: 'avoids', node: 'node1' }, -1_000_000],
    [{ relation: 'avoids', node: 'node1=50' }, -50],
  ])('location %j scores %i', (fields, score) => {
    const built = buildLocationConstraint({ id: 'loc', resource: 'ip', ...fields });
    if (!built.ok) throw new Error(built.error.message);
    expect(applied(built.value).configuration.constraints.at(-1)).toMatchObject({ id: 'loc', placement: { node: 'node1', score } });
  });

  it('colocation and order become pair constraints the CIB accepts', () => {
    const colocation = buildColocationConstraint({ id: 'web-with-ip', resource: 'web', keyword: 'with', withResource: 'ip', score: '-100' });
    const order = buildOrderConstraint({ id: 'ip-then-web', first: 'ip', keyword: 'then', then: 'web', kind: 'optional', firstAction: 'start', symmetrical: false });
    if (!colocation.ok || !order.ok) throw new Error('refused');
    const cib = applied({ op: 'batch', changes: [colocation.value, order.value] });
    expect(cib.configuration.constraints.slice(-2)).toEqual([
      { kind: 'colocation', id: 'web-with-ip', score: -100, subject: { kind: 'pair', rsc: 'web', withRsc: 'ip' } },
      { kind: 'order', id: 'ip-then-web', orderKind: 'Optional', symmetrical: false, subject: { kind: 'pair', first: 'ip', then: 'web', firstAction: 'start' } },
    ]);
  });

  it.each([
    [buildLocationConstraint({ id: 'l', resource: 'ip', relation: 'likes', node: 'node1' }), 'prefers|avoids'],
    [buildLocationConstraint({ id: 'l', resource: 'ip', relation: 'prefers', node: 'node1=lots' }), 'NODE=SCORE'],
    [buildLocationConstraint({ id: 'l', resource: 'ip', relation: 'prefers', node: 'node1=-5' }), 'NODE=SCORE'],
    [buildLocationConstraint({ id: '1l', resource: 'ip', relation: 'prefers', node: 'node1' }), 'ID'],
    [buildColocationConstraint({ id: 'c', resource: 'a', keyword: 'and', withResource: 'b' }), 'with'],
    [buildColocationConstraint({ id: 'c', resource: 'a', keyword: 'with', withResource: 'a' }), 'WITH_RSC'],
    [buildColocationConstraint({ id: 'c', resource: 'a', keyword: 'with', withResource: 'b', withRole: 'Boss' }), '--with-role'],
    [buildOrderConstraint({ id: 'o', first: 'a', keyword: 'before', then: 'b' }), 'then'],
    [buildOrderConstraint({ id: 'o', first: 'a', keyword: 'then', then: 'b', kind: 'Mandatry' }), '--kind'],
    [buildOrderConstraint({ id: 'o', first: 'a', keyword: 'then', then: 'b', thenAction: 'strat' }), '--then-action'],
  ])('refuses a bad request naming %#', (built, option) => {
    expect(built.ok ? undefined : built.error.option).toBe(option);
  });

  it('a constraint naming an unknown resource is refused where it is applied', () => {
    const built = buildLocationConstraint({ id: 'loc', resource: 'nope', relation: 'prefers', node: 'node1' });
    if (!built.ok) throw new Error(built.error.message);
    const result = applyCibChange(baseCib(), built.value, { now: 0, origin: 'n', user: 'u' });
    expect(result.ok ? undefined : result.error.field).toBe('constraint.subject.rsc');
  });
});

describe('node standby and online', () => {
  it('sets and removes the permanent standby attribute', () => {
    const standby = applied(buildNodeStandby('node2', true));
    const node2 = standby.configuration.nodes.find((n) => n.uname === 'node2');
    expect(node2?.instanceAttributes.flatMap((s) => s.pairs).map((p) => [p.name, p.value])).toEqual([['standby', 'on']]);
    const online = applyCibChange(standby, buildNodeStandby('node2', false), { now: 0, origin: 'n', user: 'u' });
    expect(online.ok && online.value.configuration.nodes.find((n) => n.uname === 'node2')?.instanceAttributes.flatMap((s) => s.pairs)).toEqual([]);
  });
});
