// Import warnings: everything that does not fit the model is named, never silent. Each row imports
// a document with one oddity and expects exactly the listed warnings (kind, element path with ids,
// attribute), checks that the message names the element and what happened, and checks whether
// the content reached the model.
import { describe, expect, it } from 'vitest';
import { DROPPING_WARNINGS, type Cib } from '../../../../src/ha/cib/index.js';
import { cibXml, importOk, warningKeys, type CibParts } from './cib-fixtures.js';

type Case = readonly [name: string, parts: CibParts, expected: readonly string[], kept?: (cib: Cib) => unknown, keptValue?: unknown];

const R = '/cib/configuration/resources';
const C = '/cib/configuration/constraints';

const cases: readonly Case[] = [
  ['unknown attribute on a primitive', { resources: `<primitive id="a" class="lsb" type="cron" colour="red"/>` }, [`unknown-attribute ${R}/primitive[@id='a']@colour`]],
  ['unknown child element of a primitive', { resources: `<primitive id="a" class="lsb" type="cron"><gadget id="g"/></primitive>` }, [`unknown-element ${R}/primitive[@id='a']/gadget[@id='g']`]],
  ['unknown element in status', { status: `<tickets/>` }, ['unknown-element /cib/status/tickets']],
  [
    'legacy node_state attributes are kept verbatim',
    { status: `<node_state id="n1" uname="a" ha="active" clear_shutdown="true"/>` },
    ["uninterpreted-attribute /cib/status/node_state[@id='n1']@ha", "uninterpreted-attribute /cib/status/node_state[@id='n1']@clear_shutdown"],
    (c) => c.status.nodes[0],
    { id: 'n1', uname: 'a', otherAttributes: [{ name: 'clear_shutdown', value: 'true' }, { name: 'ha', value: 'active' }] },
  ],
  [
    'old lrm_rsc_op spellings are kept verbatim',
    { status: `<node_state id="n1"><lrm><lrm_resources><lrm_resource id="r"><lrm_rsc_op id="o" operation="stop" call-id="1" rc-code="0" op-status="0" interval="0" last_rc_change="5"/></lrm_resource></lrm_resources></lrm></node_state>` },
    ["uninterpreted-attribute /cib/status/node_state[@id='n1']/lrm/lrm_resources/lrm_resource[@id='r']/lrm_rsc_op[@id='o']@last_rc_change"],
    (c) => c.status.nodes[0]?.lrm?.resources[0]?.ops[0]?.otherAttributes,
    [{ name: 'last_rc_change', value: '5' }],
  ],
  ['comment', { resources: `<!-- the web tier --><primitive id="a" class="lsb" type="cron"/>` }, [`comment-dropped ${R}`]],
  ['stray text', { resources: `hello<primitive id="a" class="lsb" type="cron"/>` }, [`text-dropped ${R}`]],
  [
    'utilization is ignored',
    { nodes: `<node id="n1" uname="a"><utilization id="u"><nvpair id="u1" name="cpu" value="2"/></utilization></node>` },
    ["ignored-element /cib/configuration/nodes/node[@id='n1']/utilization[@id='u']"],
  ],
  [
    'legacy <master> is kept as a promotable clone',
    { resources: `<master id="m"><primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/></master>` },
    [`deprecated-element ${R}/master[@id='m']`],
    (c) => c.configuration.resources[0]?.kind,
    'clone',
  ],
  [
    'legacy role names are read as the new ones',
    { constraints: `<rsc_colocation id="c" rsc="a" with-rsc="b" score="1" with-rsc-role="Master" rsc-role="Slave"/>` },
    [`deprecated-value ${C}/rsc_colocation[@id='c']@rsc-role`, `deprecated-value ${C}/rsc_colocation[@id='c']@with-rsc-role`],
    (c) => c.configuration.constraints[0],
    { kind: 'colocation', id: 'c', score: 1, subject: { kind: 'pair', rsc: 'a', withRsc: 'b', rscRole: 'Unpromoted', withRscRole: 'Promoted' } },
  ],
  ['node type normal', { nodes: `<node id="n1" uname="a" type="normal"/>` }, ["deprecated-value /cib/configuration/nodes/node[@id='n1']@type"], (c) => c.configuration.nodes[0]?.type, 'member'],
  ['legacy order score', { constraints: `<rsc_order id="o" first="a" then="b" score="INFINITY"/>` }, [`deprecated-attribute ${C}/rsc_order[@id='o']@score`], (c) => c.configuration.constraints[0], { kind: 'order', id: 'o', score: 1_000_000, subject: { kind: 'pair', first: 'a', then: 'b' } }],
  [
    'misspelled cluster option',
    { crmConfig: `<cluster_property_set id="p"><nvpair id="p1" name="no_quorum-policy" value="ignore"/></cluster_property_set>` },
    ["unknown-option /cib/configuration/crm_config/cluster_property_set[@id='p']/nvpair[@id='p1']"],
  ],
  [
    'deprecated and legacy cluster options',
    { crmConfig: `<cluster_property_set id="p"><nvpair id="p1" name="crmd-transition-delay" value="0"/><nvpair id="p2" name="default-resource-stickiness" value="1"/></cluster_property_set>` },
    ["deprecated-option /cib/configuration/crm_config/cluster_property_set[@id='p']/nvpair[@id='p1']", "deprecated-option /cib/configuration/crm_config/cluster_property_set[@id='p']/nvpair[@id='p2']"],
  ],
  [
    'misspelled meta attribute in rsc_defaults',
    { extra: `<rsc_defaults><meta_attributes id="d"><nvpair id="d1" name="migation-threshold" value="1"/></meta_attributes></rsc_defaults>` },
    ["unknown-option /cib/configuration/rsc_defaults/meta_attributes[@id='d']/nvpair[@id='d1']"],
  ],
  [
    'meta attribute written in instance_attributes',
    { resources: `<primitive id="a" class="lsb" type="cron"><instance_attributes id="ia"><nvpair id="ia1" name="target_role" value="stopped"/></instance_attributes></primitive>` },
    [`meta-in-instance-attributes ${R}/primitive[@id='a']/instance_attributes[@id='ia']/nvpair[@id='ia1']`],
  ],
  ['acls are kept verbatim', { extra: `<acls><acl_target id="admin"/></acls>` }, ['unsupported-element /cib/configuration/acls'], (c) => c.configuration.unsupported, [{ name: 'acls', attributes: [], children: [{ name: 'acl_target', attributes: [{ name: 'id', value: 'admin' }], children: [] }] }]],
  ['bundle is kept verbatim', { resources: `<bundle id="b"><docker image="x"/></bundle>` }, [`unsupported-element ${R}/bundle[@id='b']`], (c) => c.configuration.resources[0]?.kind, 'unsupported'],
  ['rsc_ticket is kept verbatim', { constraints: `<rsc_ticket id="t" rsc="a" ticket="T"/>` }, [`unsupported-element ${C}/rsc_ticket[@id='t']`], (c) => c.configuration.constraints[0]?.kind, 'unsupported'],
  [
    'date expression in a rule is kept verbatim',
    { constraints: `<rsc_location id="l" rsc="a"><rule id="r" score="1"><date_expression id="d" operation="gt" start="2020-01-01"/></rule></rsc_location>` },
    [`unsupported-element ${C}/rsc_location[@id='l']/rule[@id='r']/date_expression[@id='d']`],
  ],
  ['deprecated lifetime', { constraints: `<rsc_location id="l" rsc="a" node="n" score="1"><lifetime><rule id="r" score="0"><expression id="e" attribute="x" operation="defined"/></rule></lifetime></rsc_location>` }, [`deprecated-element ${C}/rsc_location[@id='l']/lifetime`]],
];

describe('importCibXml warnings', () => {
  for (const [name, parts, expected, kept, keptValue] of cases) {
    it(name, () => {
      const { cib, warnings } = importOk(cibXml(parts));
      expect(warningKeys(warnings)).toEqual(expected);
      for (const w of warnings) {
        // The message names the element (its path) and says what happened to it.
        expect(w.message).toContain(w.path);
        expect(w.message).toMatch(/dropped|kept|read as|ignored/);
        expect(w.line).toBeGreaterThan(0);
      }
      if (kept !== undefined) expect(kept(cib)).toStrictEqual(keptValue);
    });
  }

  it('warns about an unknown element under <cib> and an unknown root attribute', () => {
    const xml = cibXml({ root: 'flavour="vanilla"' }).replace('</cib>', '<history/></cib>');
    expect(warningKeys(importOk(xml).warnings)).toEqual(['unknown-attribute /cib@flavour', 'unknown-element /cib/history']);
  });

  it('reports the line of the element', () => {
    // <cib> is line 1 and <resources> line 5 in cibXml; two line breaks put the primitive on line 7.
    const { warnings } = importOk(cibXml({ resources: '\n\n<primitive id="a" class="lsb" type="cron" colour="red"/>' }));
    expect(warnings[0]?.line).toBe(7);
  });

  it('classifies which warnings drop content', () => {
    expect([...DROPPING_WARNINGS].sort()).toEqual(['comment-dropped', 'ignored-element', 'text-dropped', 'unknown-attribute', 'unknown-element']);
  });
});
