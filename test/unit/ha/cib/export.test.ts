// exportCibXml and compareCibXml: the export writes canonical spellings, escapes values so that
// they survive a re-parse exactly (quotes, ampersands, line breaks, tabs, non-ASCII), keeps
// verbatim elements, and re-imports to the same snapshot; the semantic comparison tells respelled
// values from changed ones and reports missing, extra and reordered elements.
import { describe, expect, it } from 'vitest';
import { compareCibXml, exportCibXml, parseXml, type SourceElement } from '../../../../src/ha/cib/index.js';
import { cibXml, importCib, importOk } from './cib-fixtures.js';

function parsed(text: string): SourceElement {
  const result = parseXml(text);
  if (!result.ok) return expect.fail(result.error.message);
  return result.value;
}

describe('exportCibXml', () => {
  it('writes canonical spellings that mean the same', () => {
    const xml = cibXml({
      root: 'have-quorum="1"',
      resources: '<primitive id="a" class="lsb" type="x"><operations><op id="o" name="monitor" interval="10" timeout="1500ms" role="Master" enabled="no"/></operations></primitive>',
      constraints: '<rsc_location id="l" rsc="a" node="n" score="+INFINITY"/><rsc_order id="o1" first="a" then="b" kind="optional"/>',
    });
    const out = exportCibXml(importCib(xml));
    expect(out).toContain('have-quorum="true"');
    expect(out).toContain('<op id="o" name="monitor" interval="10s" timeout="1500ms" enabled="false" role="Promoted"/>');
    expect(out).toContain('<rsc_location id="l" rsc="a" node="n" score="INFINITY"/>');
    expect(out).toContain('kind="Optional"');
    const differences = compareCibXml(parsed(xml), parsed(out));
    expect(differences.every((d) => d.kind === 'respelled-value')).toBe(true);
    expect(differences.map((d) => d.attribute).sort()).toEqual(['enabled', 'have-quorum', 'interval', 'kind', 'role', 'score']);
  });

  it('escapes values so that they re-import exactly', () => {
    const value = `say "hi" & <bye>\n\ttab 'quote' é€😀`;
    const xml = cibXml({ crmConfig: `<cluster_property_set id="p"><nvpair id="p1" name="cluster-name" value="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;')}"/></cluster_property_set>` });
    const cib = importCib(xml);
    expect(cib.configuration.crmConfig[0]?.pairs[0]?.value).toBe(value);
    expect(importCib(exportCibXml(cib))).toStrictEqual(cib);
  });

  it('keeps verbatim elements and the legacy <master>', () => {
    const xml = cibXml({
      resources: '<master id="m"><primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/></master><bundle id="b"><docker image="img" replicas="2"/></bundle>',
      constraints: '<rsc_ticket id="t" rsc="m" ticket="T" loss-policy="stop"/>',
      extra: '<alerts><alert id="al" path="/bin/true"><recipient id="r" value="/tmp/x"/></alert></alerts>',
    });
    const { cib } = importOk(xml);
    const out = exportCibXml(cib);
    expect(compareCibXml(parsed(xml), parsed(out))).toEqual([]);
    expect(importCib(out)).toStrictEqual(cib);
  });

  it('is deterministic and ends in a newline', () => {
    const cib = importCib(cibXml({ resources: '<primitive id="a" class="lsb" type="x"/>' }));
    expect(exportCibXml(cib)).toBe(exportCibXml(cib));
    expect(exportCibXml(cib).endsWith('</cib>\n')).toBe(true);
  });
});

describe('compareCibXml', () => {
  const original = parsed('<cib epoch="1"><resources><primitive id="a" x="1"/><primitive id="b"/></resources><status><n id="1"/></status></cib>');

  const cases: readonly [string, string, readonly string[]][] = [
    ['identical up to attribute order and whitespace', '<cib  epoch="1">\n<resources><primitive x="1" id="a"/>\n<primitive id="b"/></resources><status><n id="1"/></status></cib>', []],
    ['a dropped attribute', '<cib epoch="1"><resources><primitive id="a"/><primitive id="b"/></resources><status><n id="1"/></status></cib>', ["missing-attribute /cib/resources/primitive[@id='a']@x"]],
    ['a dropped element', '<cib epoch="1"><resources><primitive id="a" x="1"/></resources><status><n id="1"/></status></cib>', ["missing-element /cib/resources/primitive[@id='b']"]],
    ['an added element and attribute', '<cib epoch="1" y="2"><resources><primitive id="a" x="1"/><primitive id="b"/></resources><status><n id="1"/><n id="2"/></status></cib>', ['extra-attribute /cib@y', "extra-element /cib/status/n[@id='2']"]],
    ['a changed value', '<cib epoch="2"><resources><primitive id="a" x="1"/><primitive id="b"/></resources><status><n id="1"/></status></cib>', ['changed-value /cib@epoch']],
    ['reordered resources', '<cib epoch="1"><resources><primitive id="b"/><primitive id="a" x="1"/></resources><status><n id="1"/></status></cib>', ['reordered /cib/resources']],
  ];
  for (const [name, exported, expected] of cases) {
    it(name, () => {
      expect(compareCibXml(original, parsed(exported)).map((d) => `${d.kind} ${d.path}${d.attribute === undefined ? '' : `@${d.attribute}`}`)).toEqual(expected);
    });
  }
});
