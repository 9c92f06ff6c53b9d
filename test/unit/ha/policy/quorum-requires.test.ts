// The `requires` meta attribute and no-quorum-policy: which starts and promotions may run without
// quorum (Pacemaker's unpack_requires and the runnable check of start and promote actions).
import { describe, expect, it } from 'vitest';
import { buildCib, dummy, lrm, run, running, summaryOf, type CibSpec } from './cib-builder.js';

const fence = (id: string, meta: Readonly<Record<string, string>> = {}): string =>
  `<primitive id="${id}" class="stonith" type="fence_xvm">${Object.keys(meta).length === 0 ? '' : `<meta_attributes id="${id}-m">${Object.entries(meta).map(([k, v], i) => `<nvpair id="${id}-m${i}" name="${k}" value="${v}"/>`).join('')}</meta_attributes>`}</primitive>`;

const promotable = `<clone id="ms"><meta_attributes id="ms-m"><nvpair id="ms-p" name="promotable" value="true"/></meta_attributes><primitive id="st" class="ocf" provider="pacemaker" type="Stateful"/></clone>`;
const promoted = (id: string): string => lrm(id, [['start', 0, 2], ['promote', 0, 3]]);

const noQuorum = (policy: string, extra: Partial<CibSpec> & Pick<CibSpec, 'nodes' | 'resources'>): CibSpec => ({ quorum: false, ...extra, options: { 'stonith-enabled': 'true', 'no-quorum-policy': policy, ...extra.options } });

const cases: { name: string; spec: CibSpec; expected: string[] }[] = [
  { name: 'a fence device requires quorum by default', spec: noQuorum('stop', { nodes: [{ name: 'node1' }], resources: fence('fence') }), expected: ['* Start fence ( node1 ) due to no quorum (blocked)'] },
  { name: 'a fence device with requires=nothing starts without quorum', spec: noQuorum('stop', { nodes: [{ name: 'node1' }], resources: fence('fence', { requires: 'nothing' }) }), expected: ['* Start fence ( node1 )'] },
  { name: 'a fence device cannot require unfencing: quorum instead', spec: noQuorum('stop', { nodes: [{ name: 'node1' }], resources: fence('fence', { requires: 'unfencing' }) }), expected: ['* Start fence ( node1 ) due to no quorum (blocked)'] },
  { name: 'an unknown value falls back to the default', spec: noQuorum('stop', { nodes: [{ name: 'node1' }], resources: fence('fence', { requires: 'bogus' }) }), expected: ['* Start fence ( node1 ) due to no quorum (blocked)'] },
  { name: 'requires=nothing keeps running and starts without quorum', spec: noQuorum('stop', { nodes: [{ name: 'node1', lrm: running('a') }], resources: dummy('a', { requires: 'nothing' }) + dummy('b', { requires: 'nothing' }) }), expected: ['* Start b ( node1 )'] },
  { name: 'requires from rsc_defaults', spec: noQuorum('stop', { nodes: [{ name: 'node1' }], resources: dummy('a'), rscDefaults: { requires: 'nothing' } }), expected: ['* Start a ( node1 )'] },
  { name: 'requires=fencing (the default with fencing) stops without quorum', spec: noQuorum('stop', { nodes: [{ name: 'node1', lrm: running('a') }], resources: dummy('a') }), expected: ['* Stop a ( node1 ) due to no quorum'] },
  { name: 'requires=quorum without fencing stops without quorum', spec: noQuorum('stop', { nodes: [{ name: 'node1', lrm: running('a') }], resources: dummy('a', { requires: 'quorum' }), options: { 'stonith-enabled': 'false' } }), expected: ['* Stop a ( node1 ) due to no quorum'] },
  {
    name: 'freeze: a running instance is not promoted',
    spec: noQuorum('freeze', { nodes: [{ name: 'node1', lrm: lrm('st', [['start', 0, 2]]), transient: { 'master-st': '10' } }], resources: promotable }),
    expected: [],
  },
  {
    name: 'freeze: a promoted instance stays promoted',
    spec: noQuorum('freeze', { nodes: [{ name: 'node1', lrm: promoted('st'), transient: { 'master-st': '10' } }], resources: promotable }),
    expected: [],
  },
  {
    name: 'demote: promotable instances are demoted, the rest stops',
    spec: noQuorum('demote', { nodes: [{ name: 'node1', lrm: promoted('st') + running('a'), transient: { 'master-st': '10' } }], resources: promotable + dummy('a') }),
    expected: ['* Demote st:0 ( Promoted -> Unpromoted node1 )', '* Stop a ( node1 ) due to no quorum'],
  },
];

describe('requires and no-quorum-policy', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(summaryOf(buildCib(c.spec))).toEqual([...c.expected].sort());
    });
  }
});

describe('requires and fencing in the graph', () => {
  it('starts wait for fencing unless they require nothing', () => {
    const cib = buildCib({ nodes: [{ name: 'node1', state: 'unclean' }, { name: 'node2' }], resources: dummy('a') + dummy('b', { requires: 'nothing' }), options: { 'stonith-enabled': 'true' } });
    const fenceEdges = run(cib).graph.edges.filter((e) => e.before === 'fence-reboot@node1').map((e) => e.after);
    expect(fenceEdges).toEqual(['a_start_0@node2']);
  });
});
