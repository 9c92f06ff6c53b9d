// id-ref resolution: nvsets, nvpairs, rules, operation lists and resource sets written as
// references are resolved at import to the referenced content, remember the reference, and are
// exported as references again (so the export keeps ids unique). References to nothing, to an
// element of another kind or to another reference are errors naming the reference.
import { describe, expect, it } from 'vitest';
import { exportCibXml, importCibXml } from '../../../../src/ha/cib/index.js';
import { cibXml, importCib } from './cib-fixtures.js';

const shared = `<rsc_defaults><meta_attributes id="common"><nvpair id="common-stick" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults>`;

describe('id-ref resolution', () => {
  it('resolves a meta_attributes reference to the referenced set', () => {
    const cib = importCib(cibXml({ resources: `<primitive id="a" class="lsb" type="cron"><meta_attributes id-ref="common"/></primitive>`, extra: shared }));
    const primitive = cib.configuration.resources[0];
    expect(primitive?.kind === 'primitive' && primitive.metaAttributes).toStrictEqual([
      { id: 'common', idRef: 'common', rules: [], pairs: [{ id: 'common-stick', name: 'resource-stickiness', value: '100' }] },
    ]);
  });

  it('resolves an nvpair reference, a name on the reference winning', () => {
    const cib = importCib(
      cibXml({
        resources: `<primitive id="a" class="lsb" type="cron"><meta_attributes id="a-m"><nvpair id-ref="common-stick"/><nvpair id-ref="common-stick" name="priority"/></meta_attributes></primitive>`,
        extra: shared,
      }),
    );
    const primitive = cib.configuration.resources[0];
    expect(primitive?.kind === 'primitive' && primitive.metaAttributes[0]?.pairs).toStrictEqual([
      { id: 'common-stick', name: 'resource-stickiness', value: '100', idRef: 'common-stick' },
      { id: 'common-stick', name: 'priority', value: '100', idRef: 'common-stick' },
    ]);
  });

  it('resolves nested rule, operations and resource_set references', () => {
    const cib = importCib(
      cibXml({
        resources: `<primitive id="a" class="lsb" type="cron"><operations id="ops"><op id="mon" name="monitor" interval="10s"/></operations></primitive>
          <primitive id="b" class="lsb" type="cron"><operations id-ref="ops"/></primitive>`,
        constraints: `<rsc_location id="l1" rsc="a"><rule id="r" score="5"><expression id="e" attribute="#uname" operation="eq" value="n1"/></rule></rsc_location>
          <rsc_location id="l2" rsc="b"><rule id-ref="r"/></rsc_location>
          <rsc_order id="o1"><resource_set id="set"><resource_ref id="a"/><resource_ref id="b"/></resource_set></rsc_order>
          <rsc_colocation id="c1" score="1"><resource_set id-ref="set"/></rsc_colocation>`,
      }),
    );
    const b = cib.configuration.resources[1];
    expect(b?.kind === 'primitive' && b.operations).toStrictEqual({ id: 'ops', idRef: 'ops', ops: [{ id: 'mon', name: 'monitor', interval: 10_000, instanceAttributes: [], metaAttributes: [] }] });
    const l2 = cib.configuration.constraints[1];
    expect(l2?.kind === 'location' && l2.placement).toStrictEqual({
      kind: 'rules',
      rules: [{ id: 'r', idRef: 'r', score: 5, expressions: [{ kind: 'attribute', id: 'e', attribute: '#uname', operation: 'eq', value: 'n1' }] }],
    });
    const c1 = cib.configuration.constraints[3];
    expect(c1?.kind === 'colocation' && c1.subject).toStrictEqual({ kind: 'sets', sets: [{ id: 'set', idRef: 'set', resources: ['a', 'b'] }] });
  });

  it('exports references as references and re-imports to the same snapshot', () => {
    const xml = cibXml({
      resources: `<primitive id="a" class="lsb" type="cron"><meta_attributes id-ref="common"/><meta_attributes id="own"><nvpair id-ref="common-stick" name="priority"/></meta_attributes></primitive>`,
      extra: shared,
    });
    const cib = importCib(xml);
    const out = exportCibXml(cib);
    expect(out).toContain('<meta_attributes id-ref="common"/>');
    expect(out).toContain('<nvpair id-ref="common-stick" name="priority"/>');
    expect(importCib(out)).toStrictEqual(cib);
  });

  const errors: readonly [string, string, RegExp][] = [
    ['a reference to nothing', `<primitive id="a" class="lsb" type="cron"><meta_attributes id-ref="nowhere"/></primitive>`, /meta_attributes.*id-ref="nowhere", but no element has that id/],
    ['a reference to another kind of element', `<primitive id="a" class="lsb" type="cron"><meta_attributes id-ref="a"/></primitive>`, /id-ref="a", which is a <primitive>, not a <meta_attributes>/],
    ['an nvpair reference to nothing', `<primitive id="a" class="lsb" type="cron"><meta_attributes id="m"><nvpair id-ref="ghost"/></meta_attributes></primitive>`, /nvpair.*id-ref="ghost"/],
  ];
  for (const [name, resources, message] of errors) {
    it(`refuses ${name}, naming the reference`, () => {
      const result = importCibXml(cibXml({ resources }));
      expect(result.ok).toBe(false);
      if (result.ok || result.error.kind !== 'invalid-cib') return;
      expect(result.error.message).toMatch(message);
      expect(result.error.issues[0]?.path).toMatch(/^\/cib\/configuration\/resources\/primitive\[@id='a'\]/);
      expect(result.error.issues[0]?.attribute).toBe('id-ref');
    });
  }
});
