// Helpers over the resource tree: listPrimitives walks top-level primitives, group members and
// clone children in document order with their containers; isPromotableClone follows Pacemaker's
// detect_promotable (a true `promotable` meta value, or the legacy <master> element).
import { describe, expect, it } from 'vitest';
import { isPromotableClone, listPrimitives, type Clone } from '../../../../src/ha/cib/index.js';
import { cibXml, importCib } from './cib-fixtures.js';

describe('listPrimitives', () => {
  it('lists every primitive in document order with its group and clone', () => {
    const cib = importCib(
      cibXml({
        resources: `<primitive id="a" class="lsb" type="x"/>
          <group id="g"><primitive id="g1" class="lsb" type="x"/><primitive id="g2" class="lsb" type="x"/></group>
          <clone id="c"><group id="cg"><primitive id="cg1" class="lsb" type="x"/></group></clone>
          <clone id="d"><primitive id="d1" class="lsb" type="x"/></clone>
          <bundle id="b"/>`,
      }),
    );
    expect(listPrimitives(cib.configuration.resources).map((p) => [p.primitive.id, p.group?.id, p.clone?.id])).toEqual([
      ['a', undefined, undefined],
      ['g1', 'g', undefined],
      ['g2', 'g', undefined],
      ['cg1', 'cg', 'c'],
      ['d1', undefined, 'd'],
    ]);
  });
});

describe('isPromotableClone', () => {
  const clone = (legacyMaster: boolean): Clone => ({ kind: 'clone', id: 'c', legacyMaster, instanceAttributes: [], metaAttributes: [], child: { kind: 'primitive', id: 'p', class: 'lsb', type: 'x', instanceAttributes: [], metaAttributes: [] } });
  const cases: readonly [boolean, string | undefined, boolean][] = [
    [false, undefined, false],
    [false, 'true', true],
    [false, 'yes', true],
    [false, 'false', false],
    [false, 'bogus', false],
    [true, undefined, true],
    [true, 'false', true],
  ];
  for (const [legacyMaster, promotable, expected] of cases) {
    it(`${legacyMaster ? '<master>' : '<clone>'} with promotable=${String(promotable)} → ${expected}`, () => {
      expect(isPromotableClone(clone(legacyMaster), promotable)).toBe(expected);
    });
  }
});
