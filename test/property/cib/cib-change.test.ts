// Properties of applyCibChange over random sequences of changes (resources, constraints, options,
// node attributes, membership, cleanups, batches; valid and invalid alike) on a small cluster:
// - whatever an accepted change builds exports to Pacemaker XML and imports back to an equal
//   snapshot with the same digest;
// - the version only moves forward, by the rule (configuration: epoch + 1 and num_updates 0;
//   status: num_updates + 1), and a change that changes nothing returns the snapshot itself;
// - a batch gives the same configuration and status as its changes applied one by one, and is
//   refused whole (with the failing index in the field) when one of them is refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { millis } from '../../../src/lib/index.js';
import {
  applyCibChange,
  cibDigest,
  compareCibVersions,
  exportCibXml,
  importCibXml,
  type Cib,
  type CibChange,
  type CibChangeMeta,
} from '../../../src/ha/cib/index.js';

const START_XML = `<cib admin_epoch="0" epoch="5" num_updates="7" validate-with="pacemaker-3.0">
  <configuration>
    <crm_config/>
    <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
    <resources>
      <primitive id="r1" class="ocf" provider="heartbeat" type="Dummy"/>
      <group id="g1"><primitive id="g1-a" class="ocf" provider="heartbeat" type="Dummy"/><primitive id="g1-b" class="lsb" type="foo"/></group>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="1"><instance_attributes id="status-1"><nvpair id="status-1-fc" name="fail-count-r1#start_0" value="1"/></instance_attributes></transient_attributes>
      <lrm id="1"><lrm_resources><lrm_resource id="r1" class="ocf" provider="heartbeat" type="Dummy">
        <lrm_rsc_op id="r1_last_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0"/>
      </lrm_resource></lrm_resources></lrm>
    </node_state>
  </status>
</cib>`;

function startCib(): Cib {
  const imported = importCibXml(START_XML);
  if (!imported.ok) throw new Error(JSON.stringify(imported.error));
  return imported.value.cib;
}

const META: CibChangeMeta = { now: 1_800_000_000, origin: 'n1', user: 'root', client: 'property-test' };

// Small pools, so that changes collide with each other (same ids, deleted resources, ...).
const resourceId = fc.constantFrom('r1', 'r2', 'r3', 'g1', 'g1-a', 'g1-b', 'ghost');
const constraintId = fc.constantFrom('c1', 'c2', 'c3');
const node = fc.constantFrom('n1', 'n2', 'n3');
const text = fc.string({ maxLength: 6 });
const score = fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.constantFrom(1_000_000, -1_000_000, 2_000_000));

const meta: fc.Arbitrary<CibChange> = fc.record({
  op: fc.constant('set-resource-meta' as const),
  id: resourceId,
  name: fc.constantFrom('target-role', 'is-managed', 'resource-stickiness', 'migration-threshold', 'bogus'),
  value: fc.option(fc.constantFrom('Stopped', 'Started', 'true', 'false', '100', 'INFINITY', 'x&<"y'), { nil: undefined }),
}).map(withoutUndefined);

const param: fc.Arbitrary<CibChange> = fc.record({ op: fc.constant('set-resource-param' as const), id: resourceId, name: fc.constantFrom('ip', 'port', 'path'), value: fc.option(text, { nil: undefined }) }).map(withoutUndefined);

const putResource: fc.Arbitrary<CibChange> = fc
  .tuple(resourceId, fc.constantFrom('ocf', 'lsb', 'systemd'), fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }))
  .map(([id, cls, interval]): CibChange => ({
    op: 'put-resource',
    resource: {
      kind: 'primitive',
      id,
      class: cls,
      ...(cls === 'ocf' ? { provider: 'heartbeat' } : {}),
      type: 'Dummy',
      instanceAttributes: [],
      metaAttributes: [],
      ...(interval === undefined ? {} : { operations: { ops: [{ id: `${id}-monitor`, name: 'monitor', interval: millis(interval * 1000), instanceAttributes: [], metaAttributes: [] }] } }),
    },
  }));

const putConstraint: fc.Arbitrary<CibChange> = fc.oneof(
  fc.tuple(constraintId, resourceId, node, score).map(([id, rsc, n, s]): CibChange => ({
    op: 'put-constraint',
    constraint: { kind: 'location', id, subject: { kind: 'resource', rsc }, placement: { kind: 'node', node: n, score: s } },
  })),
  fc.tuple(constraintId, resourceId, resourceId, score).map(([id, rsc, withRsc, s]): CibChange => ({
    op: 'put-constraint',
    constraint: { kind: 'colocation', id, score: s, subject: { kind: 'pair', rsc, withRsc } },
  })),
  fc.tuple(constraintId, fc.uniqueArray(resourceId, { minLength: 1, maxLength: 3 })).map(([id, resources]): CibChange => ({
    op: 'put-constraint',
    constraint: { kind: 'order', id, subject: { kind: 'sets', sets: [{ id: `${id}-set`, resources }] } },
  })),
);

const simple: fc.Arbitrary<CibChange> = fc.oneof(
  meta,
  param,
  putResource,
  putConstraint,
  fc.record({ op: fc.constant('delete-resource' as const), id: resourceId, cascade: fc.boolean() }),
  fc.record({ op: fc.constant('delete-constraint' as const), id: constraintId }),
  fc.record({ op: fc.constant('set-cluster-property' as const), name: fc.constantFrom('stonith-enabled', 'no-quorum-policy', 'batch-limit', 'no_quorum_policy'), value: fc.option(fc.constantFrom('true', 'stop', '10', 'freeze'), { nil: undefined }) }).map(withoutUndefined),
  fc.record({ op: fc.constant('set-node-attribute' as const), node, name: fc.constantFrom('standby', 'pingd'), value: fc.option(fc.constantFrom('on', 'off', '100'), { nil: undefined }), lifetime: fc.constantFrom('permanent' as const, 'transient' as const) }).map(withoutUndefined),
  fc.record({ op: fc.constant('clear-failures' as const), resource: resourceId, node: fc.option(node, { nil: undefined }) }).map(withoutUndefined),
  fc.record({ op: fc.constant('set-node-state' as const), node, state: fc.record({ inCcm: fc.boolean(), crmd: fc.constantFrom('online' as const, 'offline' as const), join: fc.constantFrom('member' as const, 'down' as const) }, { requiredKeys: [] }).map((s) => ({ ...s })) }),
  fc.record({ op: fc.constant('set-cluster-state' as const), haveQuorum: fc.boolean(), dcUuid: fc.option(fc.constantFrom('1', '2'), { nil: undefined }) }).map(withoutUndefined),
  fc.tuple(fc.constantFrom('3', '4'), node).map(([id, uname]): CibChange => ({ op: 'put-node', node: { id, uname, instanceAttributes: [] } })),
);

const change: fc.Arbitrary<CibChange> = fc.oneof({ weight: 5, arbitrary: simple }, { weight: 1, arbitrary: fc.array(simple, { maxLength: 4 }).map((changes): CibChange => ({ op: 'batch', changes })) });

/** The record without its undefined properties (the model's optional fields are absent, never undefined). */
function withoutUndefined(value: object): CibChange {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as unknown as CibChange;
}

describe('applyCibChange (property)', () => {
  it('every accepted change round-trips through Pacemaker XML, and versions move by the rule', () => {
    const seen = { accepted: 0, refused: 0, unchanged: 0 };
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 12 }), (changes) => {
        let cib = startCib();
        for (const next of changes) {
          const result = applyCibChange(cib, next, META);
          if (!result.ok) {
            seen.refused++;
            expect(result.error.field.length).toBeGreaterThan(0);
            expect(result.error.message.length).toBeGreaterThan(0);
            continue;
          }
          const after = result.value;
          if (after === cib) {
            seen.unchanged++;
            continue;
          }
          seen.accepted++;
          expect(compareCibVersions(after.version, cib.version)).toBeGreaterThan(0);
          if (after.configuration !== cib.configuration) {
            expect(after.version).toEqual({ adminEpoch: cib.version.adminEpoch, epoch: cib.version.epoch + 1, numUpdates: 0 });
          } else {
            expect(after.version).toEqual({ ...cib.version, numUpdates: cib.version.numUpdates + 1 });
          }
          const xml = exportCibXml(after);
          const back = importCibXml(xml);
          if (!back.ok) throw new Error(`import of the export failed: ${JSON.stringify(back.error)}\n${xml}`);
          expect(back.value.cib).toStrictEqual(after);
          expect(cibDigest(back.value.cib)).toBe(cibDigest(after));
          cib = after;
        }
      }),
      { numRuns: 200 },
    );
    // The generators must exercise all three outcomes, or the property says little.
    console.log(`cib-change property: ${JSON.stringify(seen)}`);
    expect(Math.min(seen.accepted, seen.refused, seen.unchanged)).toBeGreaterThan(50);
  });

  it('a batch equals its changes one by one, or is refused whole at the failing change', () => {
    fc.assert(
      fc.property(fc.array(simple, { minLength: 1, maxLength: 6 }), (changes) => {
        const start = startCib();
        const batched = applyCibChange(start, { op: 'batch', changes }, META);
        let cib = start;
        let failedAt = -1;
        for (const [index, next] of changes.entries()) {
          const result = applyCibChange(cib, next, META);
          if (!result.ok) {
            failedAt = index;
            break;
          }
          cib = result.value;
        }
        if (failedAt >= 0) {
          expect(batched.ok).toBe(false);
          if (!batched.ok) expect(batched.error.field.startsWith(`changes[${failedAt}].`)).toBe(true);
          return;
        }
        if (!batched.ok) throw new Error(`batch refused: ${JSON.stringify(batched.error)}`);
        expect(batched.value.configuration).toStrictEqual(cib.configuration);
        expect(batched.value.status).toStrictEqual(cib.status);
      }),
      { numRuns: 300 },
    );
  });
});
