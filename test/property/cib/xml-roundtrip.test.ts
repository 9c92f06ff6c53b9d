// Property: export∘import is the identity on CIB snapshots. fast-check generates whole snapshots —
// every resource, constraint, rule and status shape, values with quotes, ampersands, line breaks,
// tabs and non-ASCII characters, elements kept verbatim — and checks that importing the exported
// XML gives back an equal snapshot with the same digest, that nothing is dropped on the way, and
// that exporting again gives the same text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { millis, type Millis } from '../../../src/lib/index.js';
import {
  CONSTRAINT_ACTIONS,
  DROPPING_WARNINGS,
  ON_FAIL_VALUES,
  ORDER_KINDS,
  RESOURCE_CLASSES,
  ROLES,
  SCORE_INFINITY,
  cibDigest,
  exportCibXml,
  importCibXml,
  type Cib,
  type ClusterNode,
  type Constraint,
  type FencingLevel,
  type Group,
  type LrmRscOp,
  type NodeState,
  type NvPair,
  type NvSet,
  type Operation,
  type Primitive,
  type Resource,
  type ResourceSet,
  type Rule,
  type RuleExpression,
  type XmlAttribute,
  type XmlElement,
} from '../../../src/ha/cib/index.js';

// ---- values ----

/** Characters valid in XML 1.0, weighted towards the ones that need escaping. */
const xmlChar = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.constantFrom('&', '<', '>', '"', "'", '\t', '\n', '\r', ' ', ';', '#') },
  { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0xd7ff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('😀', '€', 'é') },
);
const text = fc.string({ unit: xmlChar, maxLength: 12 });
const id = fc.string({ unit: xmlChar, minLength: 1, maxLength: 8 });
const xmlName = fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/);
const score = fc.oneof(fc.integer({ min: -SCORE_INFINITY, max: SCORE_INFINITY }), fc.constantFrom(SCORE_INFINITY, -SCORE_INFINITY, 0));
const duration: fc.Arbitrary<Millis> = fc.oneof(fc.nat({ max: 10_000_000 }), fc.nat({ max: 1000 }).map((s) => s * 1000)).map(millis);
const role = fc.constantFrom(...ROLES);
const nat = fc.nat({ max: 2_000_000_000 });
const int = fc.integer({ min: -2_000_000_000, max: 2_000_000_000 });

/**
 * A record whose optional keys are absent (never undefined), as exactOptionalPropertyTypes wants.
 * fast-check may build such records without a prototype; spreading makes them plain objects like
 * the importer's.
 */
function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }, required: readonly (keyof T)[]): fc.Arbitrary<T> {
  return (fc.record(model, { requiredKeys: required as (keyof T)[] }) as unknown as fc.Arbitrary<T>).map((value) => ({ ...value }));
}

// ---- verbatim elements ----

function verbatim(names: fc.Arbitrary<string>, depth = 2): fc.Arbitrary<XmlElement> {
  const attributes: fc.Arbitrary<XmlAttribute[]> = fc
    .uniqueArray(fc.tuple(xmlName, text), { maxLength: 3, selector: ([n]) => n })
    .map((pairs) => pairs.map(([name, value]) => ({ name, value })).sort((a, b) => (a.name < b.name ? -1 : 1)));
  const children = depth === 0 ? fc.constant([]) : fc.array(verbatim(xmlName, depth - 1), { maxLength: 2 });
  const body = fc.option(fc.stringMatching(/^[a-zA-Z0-9.:_&<>"' -]{0,10}$/).map((t) => t.trim()), { nil: undefined }).filter((t) => t !== '');
  return fc.tuple(names, attributes, children, body).map(([name, attrs, kids, t]) => (t === undefined ? { name, attributes: attrs, children: kids } : { name, attributes: attrs, children: kids, text: t }));
}

/** A verbatim element with an optional id attribute, and that id (as the model records it). */
function verbatimWithId(names: fc.Arbitrary<string>): fc.Arbitrary<{ id?: string; xml: XmlElement }> {
  return fc.tuple(verbatim(names), fc.option(id, { nil: undefined })).map(([xml, maybeId]) => {
    const attributes = xml.attributes.filter((a) => a.name !== 'id');
    if (maybeId === undefined) return { xml: { ...xml, attributes } };
    const withId = [...attributes, { name: 'id', value: maybeId }].sort((a, b) => (a.name < b.name ? -1 : 1));
    return { id: maybeId, xml: { ...xml, attributes: withId } };
  });
}

// ---- rules and nvsets ----

const attributeExpression: fc.Arbitrary<RuleExpression> = record(
  {
    kind: fc.constant('attribute' as const),
    id,
    attribute: text,
    operation: fc.constantFrom('lt', 'gt', 'lte', 'gte', 'eq', 'ne', 'defined', 'not_defined'),
    value: text,
    type: fc.constantFrom('string', 'integer', 'number', 'version'),
    valueSource: fc.constantFrom('literal', 'param', 'meta'),
  },
  ['kind', 'id', 'attribute', 'operation'],
);

function rule(depth: number): fc.Arbitrary<Rule> {
  const expression: fc.Arbitrary<RuleExpression> =
    depth === 0
      ? attributeExpression
      : fc.oneof(
          { weight: 4, arbitrary: attributeExpression },
          { weight: 1, arbitrary: rule(depth - 1).map((r): RuleExpression => ({ kind: 'rule', rule: r })) },
          { weight: 1, arbitrary: verbatim(fc.constantFrom('date_expression', 'rsc_expression', 'op_expression')).map((xml): RuleExpression => ({ kind: 'unsupported', xml })) },
        );
  return record(
    { id, score, scoreAttribute: text, booleanOp: fc.constantFrom('and', 'or'), role, expressions: fc.array(expression, { maxLength: 3 }) },
    ['id', 'expressions'],
  );
}

const nvPair: fc.Arbitrary<NvPair> = record({ id, name: text, value: text }, ['id', 'name']);
const nvSet: fc.Arbitrary<NvSet> = record({ id, score, rules: fc.array(rule(1), { maxLength: 1 }), pairs: fc.array(nvPair, { maxLength: 4 }) }, ['id', 'rules', 'pairs']);
const nvSets = fc.array(nvSet, { maxLength: 2 });

// ---- resources ----

const operation: fc.Arbitrary<Operation> = record(
  {
    id,
    name: text,
    interval: duration,
    description: text,
    timeout: duration,
    startDelay: duration,
    intervalOrigin: text,
    enabled: fc.boolean(),
    recordPending: fc.boolean(),
    role,
    onFail: fc.constantFrom(...ON_FAIL_VALUES),
    requires: text,
    instanceAttributes: fc.array(nvSet, { maxLength: 1 }),
    metaAttributes: fc.array(nvSet, { maxLength: 1 }),
  },
  ['id', 'name', 'interval', 'instanceAttributes', 'metaAttributes'],
);

const primitive: fc.Arbitrary<Primitive> = fc
  .tuple(
    record(
      {
        kind: fc.constant('primitive' as const),
        id,
        class: fc.constantFrom(...RESOURCE_CLASSES),
        type: text,
        description: text,
        instanceAttributes: nvSets,
        metaAttributes: nvSets,
        operations: record({ id, ops: fc.array(operation, { maxLength: 3 }) }, ['ops']),
      },
      ['kind', 'id', 'class', 'type', 'instanceAttributes', 'metaAttributes'],
    ),
    fc.option(text, { nil: undefined }),
  )
  // The schema requires a provider for class ocf (and the importer does too).
  .map(([p, provider]) => (p.class === 'ocf' ? { ...p, provider: provider ?? 'heartbeat' } : provider === undefined ? p : { ...p, provider }));

const group: fc.Arbitrary<Group> = record(
  { kind: fc.constant('group' as const), id, description: text, instanceAttributes: nvSets, metaAttributes: nvSets, members: fc.array(primitive, { minLength: 1, maxLength: 3 }) },
  ['kind', 'id', 'instanceAttributes', 'metaAttributes', 'members'],
);

const resource: fc.Arbitrary<Resource> = fc.oneof(
  { weight: 4, arbitrary: primitive },
  { weight: 2, arbitrary: group },
  {
    weight: 2,
    arbitrary: record(
      { kind: fc.constant('clone' as const), id, description: text, legacyMaster: fc.boolean(), instanceAttributes: nvSets, metaAttributes: nvSets, child: fc.oneof(primitive, group) },
      ['kind', 'id', 'legacyMaster', 'instanceAttributes', 'metaAttributes', 'child'],
    ),
  },
  { weight: 1, arbitrary: verbatimWithId(fc.constantFrom('bundle', 'template', 'x-resource')).map((v): Resource => ({ kind: 'unsupported', ...v })) },
);

// ---- constraints ----

const resourceSet: fc.Arbitrary<ResourceSet> = record(
  {
    id,
    sequential: fc.boolean(),
    requireAll: fc.boolean(),
    ordering: fc.constantFrom('group', 'listed'),
    action: fc.constantFrom(...CONSTRAINT_ACTIONS),
    role,
    score,
    orderKind: fc.constantFrom(...ORDER_KINDS),
    resources: fc.array(id, { maxLength: 3 }),
  },
  ['id', 'resources'],
);
const sets = fc.array(resourceSet, { minLength: 1, maxLength: 2 });
const lifetime = fc.array(rule(0), { maxLength: 2 });

const constraint: fc.Arbitrary<Constraint> = fc.oneof(
  record(
    {
      kind: fc.constant('location' as const),
      id,
      subject: fc.oneof(
        record({ kind: fc.constant('resource' as const), rsc: text, role }, ['kind', 'rsc']),
        record({ kind: fc.constant('pattern' as const), pattern: text, role }, ['kind', 'pattern']),
        record({ kind: fc.constant('sets' as const), sets }, ['kind', 'sets']),
      ),
      placement: fc.oneof(
        record({ kind: fc.constant('node' as const), node: text, score }, ['kind', 'node', 'score']),
        record({ kind: fc.constant('rules' as const), rules: fc.array(rule(2), { minLength: 1, maxLength: 2 }) }, ['kind', 'rules']),
      ),
      resourceDiscovery: fc.constantFrom('always', 'never', 'exclusive'),
      lifetime,
    },
    ['kind', 'id', 'subject', 'placement'],
  ),
  record(
    {
      kind: fc.constant('colocation' as const),
      id,
      score,
      subject: fc.oneof(
        record({ kind: fc.constant('pair' as const), rsc: text, withRsc: text, rscRole: role, withRscRole: role, nodeAttribute: text }, ['kind', 'rsc', 'withRsc']),
        record({ kind: fc.constant('sets' as const), sets }, ['kind', 'sets']),
      ),
      lifetime,
    },
    ['kind', 'id', 'subject'],
  ),
  record(
    {
      kind: fc.constant('order' as const),
      id,
      orderKind: fc.constantFrom(...ORDER_KINDS),
      score,
      symmetrical: fc.boolean(),
      requireAll: fc.boolean(),
      subject: fc.oneof(
        record(
          { kind: fc.constant('pair' as const), first: text, then: text, firstAction: fc.constantFrom(...CONSTRAINT_ACTIONS), thenAction: fc.constantFrom(...CONSTRAINT_ACTIONS) },
          ['kind', 'first', 'then'],
        ),
        record({ kind: fc.constant('sets' as const), sets }, ['kind', 'sets']),
      ),
      lifetime,
    },
    ['kind', 'id', 'subject'],
  ),
  verbatimWithId(fc.constantFrom('rsc_ticket', 'x-constraint')).map((v): Constraint => ({ kind: 'unsupported', ...v })),
);

// ---- nodes, fencing, status ----

const clusterNode: fc.Arbitrary<ClusterNode> = record(
  { id, uname: text, type: fc.constantFrom('member', 'ping', 'remote'), description: text, score, instanceAttributes: nvSets },
  ['id', 'uname', 'instanceAttributes'],
);

const device = fc.stringMatching(/^[a-zA-Z0-9_.-]{1,8}$/);
const fencingLevel: fc.Arbitrary<FencingLevel> = record(
  { id, target: text, targetPattern: text, targetAttribute: text, targetValue: text, index: fc.integer({ min: 1, max: 9 }), devices: fc.array(device, { minLength: 1, maxLength: 3 }) },
  ['id', 'index', 'devices'],
);

/** Uninterpreted status attributes: names no status element models. */
const otherAttributes = fc
  .uniqueArray(fc.tuple(xmlName.map((n) => `x-${n}`), text), { minLength: 1, maxLength: 2, selector: ([n]) => n })
  .map((pairs) => pairs.map(([name, value]) => ({ name, value })).sort((a, b) => (a.name < b.name ? -1 : 1)));

const lrmRscOp: fc.Arbitrary<LrmRscOp> = record(
  {
    id,
    operation: text,
    operationKey: text,
    interval: nat.map(millis),
    callId: int,
    rcCode: int,
    opStatus: int,
    transitionKey: text,
    transitionMagic: text,
    lastRun: int,
    lastRcChange: int,
    execTime: nat.map(millis),
    queueTime: nat.map(millis),
    onNode: text,
    opDigest: text,
    opRestartDigest: text,
    opForceRestart: text,
    opSecureParams: text,
    opSecureDigest: text,
    exitReason: text,
    migrateSource: text,
    migrateTarget: text,
    crmFeatureSet: text,
    crmDebugOrigin: text,
    otherAttributes,
  },
  ['id', 'operation', 'interval', 'callId', 'rcCode', 'opStatus'],
);

const nodeState: fc.Arbitrary<NodeState> = record(
  {
    id,
    uname: text,
    inCcm: fc.boolean(),
    crmd: text,
    join: text,
    expected: text,
    shutdown: int,
    remoteNode: fc.boolean(),
    crmDebugOrigin: text,
    transientAttributes: record({ id, sets: nvSets }, ['sets']),
    lrm: record(
      {
        id,
        resourcesId: id,
        resources: fc.array(record({ id, class: text, provider: text, type: text, ops: fc.array(lrmRscOp, { maxLength: 3 }), otherAttributes }, ['id', 'ops']), { maxLength: 3 }),
        otherAttributes,
      },
      ['resources'],
    ),
    otherAttributes,
  },
  [],
);

// ---- the whole snapshot ----

const cib: fc.Arbitrary<Cib> = record(
  {
    version: record({ adminEpoch: nat, epoch: nat, numUpdates: nat }, ['adminEpoch', 'epoch', 'numUpdates']),
    header: record(
      {
        validateWith: text,
        haveQuorum: fc.boolean(),
        dcUuid: text,
        executionDate: int,
        crmFeatureSet: text,
        cibLastWritten: text,
        updateOrigin: text,
        updateClient: text,
        updateUser: text,
        remoteTlsPort: nat,
        remoteClearPort: nat,
        noQuorumPanic: fc.boolean(),
      },
      [],
    ),
    configuration: record(
      {
        crmConfig: nvSets,
        nodes: fc.array(clusterNode, { maxLength: 3 }),
        resources: fc.array(resource, { maxLength: 4 }),
        constraints: fc.array(constraint, { maxLength: 4 }),
        rscDefaults: nvSets,
        opDefaults: nvSets,
        fencingTopology: fc.array(fencingLevel, { maxLength: 2 }),
        unsupported: fc.array(verbatim(fc.constantFrom('acls', 'alerts', 'tags', 'x-section')), { maxLength: 2 }),
      },
      ['crmConfig', 'nodes', 'resources', 'constraints', 'unsupported'],
    ),
    status: record({ nodes: fc.array(nodeState, { maxLength: 3 }) }, ['nodes']),
  },
  ['version', 'header', 'configuration', 'status'],
);

describe('CIB XML export∘import (property)', () => {
  it('gives back an equal snapshot, with the same digest, dropping nothing', () => {
    fc.assert(
      fc.property(cib, (original) => {
        const xml = exportCibXml(original);
        const imported = importCibXml(xml);
        if (!imported.ok) throw new Error(`import of the export failed: ${JSON.stringify(imported.error)}\n${xml}`);
        expect(imported.value.cib).toStrictEqual(original);
        expect(cibDigest(imported.value.cib)).toBe(cibDigest(original));
        expect(imported.value.warnings.filter((w) => DROPPING_WARNINGS.has(w.kind))).toEqual([]);
        expect(exportCibXml(imported.value.cib)).toBe(xml);
      }),
      { numRuns: 300 },
    );
  });
});
