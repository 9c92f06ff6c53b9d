// Goal: `heartline demo --non-interactive`, the README's main job, tells its whole story on this
// machine and exits 0: the cluster forms, the service (IPaddr2 + WebDemo) answers from one node,
// that node loses its power, the survivor fences it and answers. Method: the built CLI as a child
// process and its --json report (the story goes to stderr).
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import type { DemoReport } from '../../../src/cli/commands/demo.js';
import { BMC_LAB_REQUIREMENTS, missingRequirements } from '../../../src/testbed/requirements.js';
import { builtCli } from '../harness/fixture-program.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

describeWithPrerequisites('heartline demo --non-interactive', ['root', 'ip', 'iptables', 'socat', 'setpriv', 'resource-agents'], () => {
  it('takes over after the power loss of the serving node and exits 0', () => {
    const run = spawnSync(process.execPath, [builtCli, 'demo', '--non-interactive', '--json'], { encoding: 'utf8', timeout: 240_000 });
    expect(run.status, `stderr:\n${run.stderr}`).toBe(0);
    const report = JSON.parse(run.stdout) as DemoReport;
    expect(report.nodes).toEqual(['a', 'b']);
    expect(report.serviceAddress).toMatch(/^10\.213\.\d+\.100$/);
    // Fencing through the simulated BMCs whenever ipmi_sim and ipmitool are installed.
    expect(report.fencing).toBe(missingRequirements(BMC_LAB_REQUIREMENTS).length === 0 ? 'bmc' : 'command');
    const { takeover } = report;
    expect(takeover.lostNode).toBe(report.servedBefore);
    expect(takeover.survivor).not.toBe(takeover.lostNode);
    // Nothing moves before the lost node is fenced: detection, then fencing, then the answer.
    expect(takeover.fencedMs).toBeDefined();
    expect(takeover.detectedMs).toBeGreaterThan(0);
    expect(takeover.fencedMs as number).toBeGreaterThanOrEqual(takeover.detectedMs);
    expect(takeover.servedMs).toBeGreaterThan(takeover.fencedMs as number);
    expect(run.stderr).toContain('$ heartline resource create vip ocf:heartbeat:IPaddr2');
    expect(run.stderr).toMatch(/Takeover|the service answers again/);
  }, 300_000);
});
