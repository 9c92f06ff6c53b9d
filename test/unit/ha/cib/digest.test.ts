// The CIB digest and version order. SHA-256 is checked against node:crypto; the digest must not
// change when only the XML's spelling changes (attribute order, whitespace, equivalent values) and
// must change with any change of content; versions order by admin_epoch, then epoch, then
// num_updates.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../../src/lib/index.js';
import { canonicalJson, cibDigest, cibEquals, compareCibVersions, formatCibVersion, type CibVersion } from '../../../../src/ha/cib/index.js';
import { cibXml, importCib } from './cib-fixtures.js';

describe('sha256Hex', () => {
  const inputs = ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'a'.repeat(1000), 'é€😀 ünïcode', 'lone \ud800 surrogate'];
  for (const input of inputs) {
    it(`matches node:crypto for ${JSON.stringify(input.slice(0, 20))} (${input.length} chars)`, () => {
      expect(sha256Hex(input)).toBe(createHash('sha256').update(input, 'utf8').digest('hex'));
    });
  }
});

describe('cibDigest', () => {
  const base = cibXml({
    crmConfig: '<cluster_property_set id="p"><nvpair id="p1" name="stonith-enabled" value="false"/></cluster_property_set>',
    resources: '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="m" name="monitor" interval="10s" timeout="20s"/></operations></primitive>',
    constraints: '<rsc_location id="l" rsc="a" node="n1" score="INFINITY"/>',
  });
  const digest = cibDigest(importCib(base));

  const sameContent: readonly [string, string][] = [
    ['attributes reordered', base.replace('id="a" class="ocf" provider="heartbeat" type="Dummy"', 'type="Dummy" provider="heartbeat" id="a" class="ocf"')],
    ['whitespace changed', base.replace(/\n\s*/g, '\n\t\t').replace('<op id', '<op   id')],
    ['score spelled +INFINITY', base.replace('score="INFINITY"', 'score="+INFINITY"')],
    ['interval in seconds without unit', base.replace('interval="10s"', 'interval="10"')],
    ['a comment added', base.replace('<resources>', '<resources><!-- note -->')],
  ];
  for (const [name, xml] of sameContent) {
    it(`is unchanged when ${name}`, () => {
      expect(cibDigest(importCib(xml))).toBe(digest);
    });
  }

  const otherContent: readonly [string, string][] = [
    ['a value changes', base.replace('value="false"', 'value="true"')],
    ['a score changes', base.replace('score="INFINITY"', 'score="100"')],
    ['the epoch changes', base.replace('epoch="1"', 'epoch="2"')],
    ['num_updates changes', base.replace('num_updates="2"', 'num_updates="3"')],
    ['an id changes', base.replace('id="l"', 'id="l2"')],
    ['an operation timeout changes', base.replace('timeout="20s"', 'timeout="21s"')],
    ['a status entry appears', base.replace('<status>', '<status><node_state id="n1" uname="n1"/>')],
  ];
  for (const [name, xml] of otherContent) {
    it(`changes when ${name}`, () => {
      expect(cibDigest(importCib(xml))).not.toBe(digest);
    });
  }

  it('is 64 hex digits and agrees with cibEquals', () => {
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(cibEquals(importCib(base), importCib(sameContent[0]![1]))).toBe(true);
    expect(cibEquals(importCib(base), importCib(otherContent[0]![1]))).toBe(false);
  });
});

describe('canonicalJson', () => {
  it('sorts keys, omits undefined and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [3, 1, { d: undefined, c: 'x' }], e: true })).toBe('{"a":[3,1,{"c":"x"}],"b":1,"e":true}');
  });

  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(RangeError);
  });
});

describe('compareCibVersions', () => {
  const v = (adminEpoch: number, epoch: number, numUpdates: number): CibVersion => ({ adminEpoch, epoch, numUpdates });
  const cases: readonly [CibVersion, CibVersion, number][] = [
    [v(0, 1, 2), v(0, 1, 2), 0],
    [v(0, 1, 2), v(0, 1, 3), -1],
    [v(0, 2, 0), v(0, 1, 999), 1],
    [v(1, 0, 0), v(0, 999, 999), 1],
    [v(0, 999, 999), v(1, 0, 0), -1],
    [v(2, 5, 1), v(2, 5, 0), 1],
  ];
  for (const [a, b, expected] of cases) {
    it(`${formatCibVersion(a)} vs ${formatCibVersion(b)} → ${expected}`, () => {
      expect(compareCibVersions(a, b)).toBe(expected);
      expect(compareCibVersions(b, a)).toBe(-expected || 0);
    });
  }

  it('sorts a list of versions', () => {
    const sorted = [v(0, 2, 0), v(1, 0, 0), v(0, 1, 5), v(0, 1, 0)].sort(compareCibVersions).map(formatCibVersion);
    expect(sorted).toEqual(['0.1.0', '0.1.5', '0.2.0', '1.0.0']);
  });
});
