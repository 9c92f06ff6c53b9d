// Probes on pending nodes: a node in the membership that has not joined yet cannot run probes, so
// a resource that is active nowhere and unknown there cannot start yet; what runs is left alone.
import { describe, expect, it } from 'vitest';
import { importCibXml, type Cib } from '../../../../src/ha/cib/index.js';
import { running, summaryOf } from './cib-builder.js';

const cloneOf = (id: string): string => `<clone id="${id}-clone"><primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy"/></clone>`;
const primitive = (id: string): string => `<primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy"/>`;

/** node1 online; node2 pending (in_ccm, controller up, join down); lrm per node. */
function cib(resources: string, lrm1: string, lrm2: string): Cib {
  const state = (id: string, name: string, up: boolean, lrm: string): string =>
    `<node_state id="${id}" uname="${name}" in_ccm="true" crmd="online" join="${up ? 'member' : 'down'}" expected="member"><lrm id="l${id}"><lrm_resources>${lrm}</lrm_resources></lrm></node_state>`;
  const xml =
    `<cib admin_epoch="0" epoch="1" num_updates="1" have-quorum="true" dc-uuid="1" validate-with="pacemaker-3.0"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>` +
    `<nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes><resources>${resources}</resources><constraints/></configuration>` +
    `<status>${state('1', 'node1', true, lrm1)}${state('2', 'node2', false, lrm2)}</status></cib>`;
  const imported = importCibXml(xml);
  if (!imported.ok) throw new Error(JSON.stringify(imported.error));
  return imported.value.cib;
}

const probed = (id: string): string => `<lrm_resource id="${id}" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="${id}_p" operation="monitor" interval="0" call-id="1" rc-code="7" op-status="0" transition-key="1:1:7:abc" transition-magic="0:7;1:1:7:abc"/></lrm_resource>`;

const cases: { name: string; cib: Cib; expected: string[] }[] = [
  { name: 'unknown on a pending node: the start is blocked', cib: cib(primitive('a'), '', ''), expected: ['* Start a ( node1 ) blocked'] },
  { name: 'known (probed) on the pending node: it starts', cib: cib(primitive('a'), '', probed('a')), expected: ['* Start a ( node1 )'] },
  { name: 'already active: it keeps running', cib: cib(primitive('a'), running('a'), ''), expected: [] },
  { name: 'an anonymous clone is known through any instance number', cib: cib(cloneOf('c'), '', probed('c:1')), expected: ['* Start c:0 ( node1 )'] },
  { name: 'an active clone is left alone, an unknown primitive is blocked', cib: cib(cloneOf('c') + primitive('x'), running('c'), ''), expected: ['* Start x ( node1 ) blocked'] },
];

describe('probes on pending nodes', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(summaryOf(c.cib)).toEqual([...c.expected].sort());
    });
  }
});
