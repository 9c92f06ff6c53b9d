// Import errors: malformed XML is an error with its line (and column); well-formed XML that is not
// a CIB the model represents is an error listing every issue, each naming the element path with
// ids, the attribute and the line. importCibXml never throws.
import { describe, expect, it } from 'vitest';
import { formatCibImportError, importCibXml } from '../../../../src/ha/cib/index.js';
import { cibXml } from './cib-fixtures.js';

describe('importCibXml: malformed XML', () => {
  const cases: readonly [string, string, number][] = [
    ['an unclosed element', '<cib>\n  <configuration>\n</cib>\n', 3],
    ['mismatched tags on line 4', '<cib admin_epoch="0" epoch="0" num_updates="0">\n<configuration>\n<nodes>\n</resources>\n</configuration>\n</cib>', 4],
    ['a repeated attribute', '<cib epoch="1" epoch="2"/>', 1],
    ['an undefined entity', '<cib>\n<x a="&nbsp;"/>\n</cib>', 2],
    ['two root elements', '<cib/>\n<cib/>', 2],
    ['an empty document', '', 1],
    ['text that is not XML', 'hello world', 1],
  ];
  for (const [name, text, line] of cases) {
    it(`${name} is an error at line ${line}`, () => {
      const result = importCibXml(text);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.kind).toBe('malformed-xml');
      if (result.error.kind === 'malformed-xml') expect(result.error.line).toBe(line);
      expect(formatCibImportError(result.error)).toMatch(/^malformed XML at line \d+/);
    });
  }
});

describe('importCibXml: invalid CIBs', () => {
  const cases: readonly [string, string, readonly RegExp[]][] = [
    ['a root other than <cib>', '<configuration/>', [/root element is <configuration>, not <cib>/]],
    ['missing version attributes', '<cib><configuration/></cib>', [/\/cib \(line 1\) has no 'admin_epoch'/, /no 'epoch'/, /no 'num_updates'/]],
    ['a negative epoch', cibXml().replace('epoch="1"', 'epoch="-1"'), [/epoch="-1", which is not a non-negative integer/]],
    ['no configuration', '<cib admin_epoch="0" epoch="0" num_updates="0"><status/></cib>', [/exactly one <configuration>/]],
    ['a primitive without class and type', cibXml({ resources: '<primitive id="p"/>' }), [/primitive\[@id='p'\] \(line 5\) has no 'class'/, /has no 'type'/]],
    ['an unknown resource class', cibXml({ resources: '<primitive id="p" class="magic" type="x"/>' }), [/class="magic", which is not a resource class/]],
    ['an ocf primitive without provider', cibXml({ resources: '<primitive id="p" class="ocf" type="Dummy"/>' }), [/class ocf but no 'provider'/]],
    ['an operation without interval', cibXml({ resources: '<primitive id="p" class="lsb" type="x"><operations><op id="o" name="monitor"/></operations></primitive>' }), [/op\[@id='o'\].*has no 'interval'/]],
    ['a bad duration', cibXml({ resources: '<primitive id="p" class="lsb" type="x"><operations><op id="o" name="monitor" interval="soon"/></operations></primitive>' }), [/interval="soon", which is not a duration/]],
    ['a bad on-fail', cibXml({ resources: '<primitive id="p" class="lsb" type="x"><operations><op id="o" name="monitor" interval="1" on-fail="panic"/></operations></primitive>' }), [/on-fail="panic", which is not one of ignore, block/]],
    ['a bad score', cibXml({ constraints: '<rsc_location id="l" rsc="a" node="n" score="lots"/>' }), [/rsc_location\[@id='l'\].*score="lots", which is not a score/]],
    ['a bad role', cibXml({ constraints: '<rsc_location id="l" rsc="a" node="n" score="1" role="Boss"/>' }), [/role="Boss", which is not a role/]],
    ['a bad boolean', cibXml({ constraints: '<rsc_order id="o" first="a" then="b" symmetrical="maybe"/>' }), [/symmetrical="maybe", which is not a boolean/]],
    ['a location with neither node nor rule', cibXml({ constraints: '<rsc_location id="l" rsc="a"/>' }), [/rsc_location\[@id='l'\].*neither node and score nor a rule/]],
    ['a location with node but no score', cibXml({ constraints: '<rsc_location id="l" rsc="a" node="n"/>' }), [/has no 'score'/]],
    ['a colocation with only rsc', cibXml({ constraints: '<rsc_colocation id="c" rsc="a" score="1"/>' }), [/rsc_colocation\[@id='c'\].*has no 'with-rsc'/]],
    ['an order with sets and first/then', cibXml({ constraints: '<rsc_order id="o" first="a" then="b"><resource_set id="s"><resource_ref id="a"/></resource_set></rsc_order>' }), [/either first and then or resource sets/]],
    ['a clone with two children', cibXml({ resources: '<clone id="c"><primitive id="a" class="lsb" type="x"/><primitive id="b" class="lsb" type="x"/></clone>' }), [/clone\[@id='c'\].*2 primitive\/group children; a clone has exactly one/]],
    ['an empty group', cibXml({ resources: '<group id="g"/>' }), [/group\[@id='g'\].*no primitives/]],
    ['a bad lrm_rsc_op', cibXml({ status: '<node_state id="n"><lrm><lrm_resources><lrm_resource id="r"><lrm_rsc_op id="x" operation="start" call-id="a" rc-code="0" op-status="0"/></lrm_resource></lrm_resources></lrm></node_state>' }), [/lrm_rsc_op\[@id='x'\].*has no 'interval'/, /call-id="a", which is not an integer/]],
  ];
  for (const [name, text, messages] of cases) {
    it(`refuses ${name}`, () => {
      const result = importCibXml(text);
      expect(result.ok).toBe(false);
      if (result.ok || result.error.kind !== 'invalid-cib') return expect.fail(`expected invalid-cib, got ${JSON.stringify(result)}`);
      const all = result.error.issues.map((i) => i.message);
      expect(all).toHaveLength(messages.length);
      messages.forEach((m, i) => expect(all[i]).toMatch(m));
      for (const issue of result.error.issues) {
        expect(issue.message).toContain(issue.path);
        expect(issue.line).toBeGreaterThan(0);
      }
      expect(result.error.message).toMatch(messages[0]!);
    });
  }

  it('summarises several issues in the message', () => {
    const result = importCibXml(cibXml({ resources: '<primitive id="p"/>' }));
    expect(!result.ok && result.error.message).toMatch(/has no 'class'.*\(and 1 more\)$/);
  });
});
