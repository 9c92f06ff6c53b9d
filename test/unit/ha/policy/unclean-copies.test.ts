// A resource that does not require fencing (fence devices, requires=quorum or nothing) is not
// taken as active on unclean nodes when deciding whether it is multiply active: a copy on a node
// being fenced is just gone. A probe the executor reports "not installed" bans the node.
import { describe, expect, it } from 'vitest';
import { buildCib, dummy, running, summaryOf, type CibSpec } from './cib-builder.js';

const fenceDevice = `<primitive id="fence" class="stonith" type="fence_xvm"/>`;
const runningFence = `<lrm_resource id="fence" class="stonith" type="fence_xvm"><lrm_rsc_op id="f1" operation="start" interval="0" call-id="2" rc-code="0" op-status="0" transition-key="1:1:0:abc" transition-magic="0:0;1:1:0:abc"/></lrm_resource>`;
const notInstalledProbe = (id: string): string =>
  `<lrm_resource id="${id}" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="${id}_p" operation="monitor" interval="0" call-id="1" rc-code="1" op-status="7" transition-key="1:1:7:abc" transition-magic="7:1;1:1:7:abc"/></lrm_resource>`;
const fencing = { 'stonith-enabled': 'true' };
const fenceNode1 = "* Fence (reboot) node1 'peer is no longer part of the cluster'";

const cases: { name: string; spec: CibSpec; expected: string[] }[] = [
  {
    name: 'a fence device on a fenced node and a clean one stays where it is clean',
    spec: { nodes: [{ name: 'node1', state: 'unclean', lrm: runningFence }, { name: 'node2', lrm: runningFence }], resources: fenceDevice, options: fencing },
    expected: [fenceNode1],
  },
  {
    name: 'so does a resource with requires=quorum',
    spec: { nodes: [{ name: 'node1', state: 'unclean', lrm: running('a') }, { name: 'node2', lrm: running('a') }], resources: dummy('a', { requires: 'quorum' }), options: fencing },
    expected: [fenceNode1],
  },
  {
    name: 'a resource that requires fencing was multiply active: it restarts',
    spec: { nodes: [{ name: 'node1', state: 'unclean', lrm: running('a') }, { name: 'node2', lrm: running('a') }], resources: dummy('a'), options: fencing },
    expected: [fenceNode1, '* Restart a ( node2 )'],
  },
  {
    name: 'a probe reported not installed (op-status 7) bans the node and means stopped',
    spec: { nodes: [{ name: 'node1', lrm: notInstalledProbe('a') }, { name: 'node2' }], resources: dummy('a') },
    expected: ['* Start a ( node2 )'],
  },
];

describe('copies on unclean nodes, not-installed probes', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(summaryOf(buildCib(c.spec))).toEqual([...c.expected].sort());
    });
  }
});
