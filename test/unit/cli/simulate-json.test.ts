// heartline simulate --json shows each graph action's runnable flag.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli-in-process.js';

const cib = `<cib admin_epoch="0" epoch="1" num_updates="1" have-quorum="true" dc-uuid="1" validate-with="pacemaker-3.0"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="node1"/></nodes>
<resources><group id="g"><meta_attributes id="gm"><nvpair id="gm1" name="target-role" value="Stopped"/></meta_attributes>
<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/>
<primitive id="b" class="ocf" provider="heartbeat" type="Dummy"><meta_attributes id="bm"><nvpair id="bm1" name="is-managed" value="false"/></meta_attributes></primitive></group></resources>
<constraints/></configuration>
<status><node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="l1"><lrm_resources>
<lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a1" operation="start" interval="0" call-id="1" rc-code="0" op-status="0" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/></lrm_resource>
<lrm_resource id="b" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="b1" operation="start" interval="0" call-id="2" rc-code="0" op-status="0" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/></lrm_resource>
</lrm_resources></lrm></node_state></status></cib>`;

describe('heartline simulate --json', () => {
  it('marks a blocked stop unrunnable in the graph', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heartline-simulate-'));
    try {
      const file = join(dir, 'cib.xml');
      writeFileSync(file, cib);
      const { code, out } = await cli('simulate', file, '--json');
      expect(code).toBe(0);
      const json = JSON.parse(out) as { graph: { actions: { id: string; runnable: boolean }[] } };
      expect(json.graph.actions).toEqual([expect.objectContaining({ id: 'a_stop_0@node1', runnable: false })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
