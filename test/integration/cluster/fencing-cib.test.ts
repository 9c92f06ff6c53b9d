// Goal: fencing through the CIB's stonith resources in the running cluster. Two daemons in network
// namespaces with heartline.yaml `fencing: { cib: true }` (no profile) get their fence devices
// from two `stonith:fence_ipmilan` resources created through the control socket (the same change
// `heartline resource create` sends); a resource with a parameter fence_ipmilan does not know is
// refused on the node it is asked on, naming it; on power loss of the active node the survivor
// fences it through its CIB device (fence_ipmilan against the simulated BMC, whose power-off kills
// the namespace's processes) and takes over the Dummy.
// Method: FencingLab with `fencing: 'cib'` (each ipmi_sim inside the namespace of the node that
// uses it, on 127.0.0.1:623), outcomes from `status`, Dummy's state files and the fence history.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { ClusterStatusReport } from '../../../src/daemon/index.js';
import { FenceHistory } from '../../../src/fence/index.js';
import { FencingLab } from '../../../src/testbed/fencing-lab.js';
import { eventually } from '../harness/eventually.js';
import { builtCli } from '../harness/fixture-program.js';
import { dummyPrimitive } from '../harness/dummy-resource.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

const RESOURCE = 'dummy';

// Stays where it runs when a node comes back or leaves standby.
const dummy = dummyPrimitive(RESOURCE);

/** The stonith resource that fences `node` through its BMC (127.0.0.1:623 in the peer's namespace). */
function fenceDevice(node: string, password: string, extra: Record<string, string> = {}): Record<string, unknown> {
  const id = `fence-${node}`;
  const params: Record<string, string> = { ip: '127.0.0.1', ipport: '623', username: 'admin', password, lanplus: '1', cipher: '3', power_wait: '0', pcmk_host_list: node, ...extra };
  return {
    kind: 'primitive',
    id,
    class: 'stonith',
    type: 'fence_ipmilan',
    instanceAttributes: [{ id: `${id}-params`, rules: [], pairs: Object.entries(params).map(([name, value]) => ({ id: `${id}-${name}`, name, value })) }],
    metaAttributes: [],
    operations: { ops: [{ id: `${id}-monitor-60s`, name: 'monitor', interval: 60_000, timeout: 20_000, instanceAttributes: [], metaAttributes: [] }] },
  };
}

describeWithPrerequisites("fencing through the CIB's stonith resources in a running cluster", ['root', 'ip', 'iptables', 'setpriv', 'ss', 'ipmi_sim', 'ipmitool', 'fence-agents'], () => {
  let fl: FencingLab | undefined;

  afterEach(async () => {
    await fl?.destroy();
    fl = undefined;
  });

  const status = async (lab: FencingLab, node: number): Promise<ClusterStatusReport> => {
    const answer = await lab.lab.request(node, 'status');
    if (!answer.ok) throw new Error(`status on ${lab.lab.nodeName(node)}: ${answer.error.message}`);
    return answer.result as ClusterStatusReport;
  };
  const stateFile = (lab: FencingLab, node: number): string => join(lab.lab.rscTmpDir(node), `Dummy-${RESOURCE}.state`);
  const runningOn = (lab: FencingLab): number[] => [0, 1].filter((node) => existsSync(stateFile(lab, node)));
  const put = (lab: FencingLab, resource: Record<string, unknown>) => lab.lab.request(0, 'cib-change', { change: { op: 'put-resource', resource }, user: 'root', client: 'integration-test' });

  it('refuses a stonith resource its agent cannot take, then fences the lost active node through its CIB device and takes over', async () => {
    const lab = await FencingLab.create({ cliPath: builtCli, fencing: 'cib' });
    fl = lab;
    const names = [lab.lab.nodeName(0), lab.lab.nodeName(1)];

    const refused = await put(lab, fenceDevice(names[0] ?? '', lab.bmcPassword(0), { ipp: '623' }));
    expect(refused.ok).toBe(false);
    expect(JSON.stringify(refused)).toContain("fence_ipmilan has no parameter 'ipp'");
    expect(JSON.stringify(refused)).not.toContain(lab.bmcPassword(0));

    for (const node of [0, 1]) {
      const answer = await put(lab, fenceDevice(names[node] ?? '', lab.bmcPassword(node)));
      expect(answer.ok, JSON.stringify(answer)).toBe(true);
    }
    const created = await put(lab, dummy);
    expect(created.ok, JSON.stringify(created)).toBe(true);
    const active = await eventually(
      async () => {
        const reports = await Promise.all([0, 1].map((node) => status(lab, node)));
        const where = reports.map((r) => r.resources.find((x) => x.id === RESOURCE)?.active.map((a) => a.node) ?? []);
        const running = runningOn(lab);
        if (running.length !== 1 || !where.every((w) => w.length === 1 && w[0] === lab.lab.nodeName(running[0] as number))) return undefined;
        return running[0];
      },
      { what: 'dummy started on one node, seen by both', timeoutMs: 30_000, intervalMs: 100, describe: () => `${lab.lab.describeLogs(0)}\n${lab.lab.describeLogs(1)}` },
    );
    const survivor = 1 - active;
    const activeName = lab.lab.nodeName(active);
    const survivorReport = await status(lab, survivor);
    expect(survivorReport.fencing).toMatchObject({ configured: true, method: 'cib', deviceProblems: [] });

    await lab.lab.net.powerLoss(active);
    await eventually(
      async () => {
        const report = await status(lab, survivor);
        const where = report.resources.find((x) => x.id === RESOURCE)?.active.map((a) => a.node) ?? [];
        return where.length === 1 && where[0] === lab.lab.nodeName(survivor) && existsSync(stateFile(lab, survivor)) ? true : undefined;
      },
      { what: 'dummy recovered on the survivor', timeoutMs: 60_000, intervalMs: 100, describe: () => lab.lab.describeLogs(survivor, 40) },
    );
    // stonith-action is reboot: off verified, then on again, through fence_ipmilan.
    expect((await lab.bmc(active).events()).map((e) => e.words.slice(0, 2).join(' '))).toEqual(['power off', 'power on']);
    const opened = FenceHistory.openReadOnly(lab.historyPath(survivor));
    if (!opened.ok) throw new Error(opened.error.message);
    const rows = opened.value.list({});
    opened.value.close();
    expect(rows[0]).toMatchObject({ target: activeName, ok: true, devices: [`fence-${activeName}`], requester: lab.lab.nodeName(survivor) });
    // No password in any daemon log line.
    for (const node of [0, 1]) for (const bmc of [0, 1]) expect(JSON.stringify(lab.lab.logEvents(node))).not.toContain(lab.bmcPassword(bmc));
  }, 150_000);
});
