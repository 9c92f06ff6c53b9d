// Goal: every agent class the issue names runs in the cluster, not only Dummy: an LSB init script
// and a Heartbeat v1 script (the project's fixtures) and ocf:heartbeat:IPaddr2 with a floating
// address on the lab's switch, each started on exactly one node and moved when that node goes to
// standby.
// Method: one DaemonLab with fencing; `agents` gives each node its own copy of test/fixtures/init.d
// and test/fixtures/resource.d (as each machine has its own /etc/init.d), which the daemons use
// through `--agent-dir`. Resources are created with the built CLI; where each really runs is read
// from the agents' traces on each node (the LSB daemon's pid file and live process, the Heartbeat
// script's state file, the address in `ip -n NS addr`) and compared with `status --json`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from '../../../src/testbed/command.js';
import { DaemonLab } from '../../../src/testbed/daemon-lab.js';
import { cliOk, statusOf, waitForPlacement } from '../harness/cluster-cli.js';
import { eventually } from '../harness/eventually.js';
import { builtCli } from '../harness/fixture-program.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const SWITCH = 1;

describeWithPrerequisites('LSB, Heartbeat v1 and IPaddr2 agents in a two-node cluster', ['root', 'ip', 'iptables', 'setpriv'], () => {
  let lab: DaemonLab;
  let vip = '';
  const nodes = [0, 1] as const;

  beforeAll(async () => {
    if (!existsSync('/usr/lib/ocf/resource.d/heartbeat/IPaddr2')) throw new Error('ocf:heartbeat:IPaddr2 is missing: apt-get install resource-agents');
    lab = await DaemonLab.create({
      nodes: 2,
      links: ['crossover', 'switch'],
      serial: false,
      linkKind: 'udp-unicast',
      cliPath: builtCli,
      fencing: true,
      agents: { lsb: join(fixtures, 'init.d'), heartbeat: join(fixtures, 'resource.d') },
    });
    // The lab's switch subnet is 10.213.X.0/24 with nodes at .1 and .2; .100 floats.
    vip = lab.net.address(0, SWITCH).replace(/\.\d+$/, '.100');
  }, 60_000);

  afterAll(async () => {
    await lab?.destroy();
  });

  /** Alive and not a zombie, as the LSB fixture itself judges its daemon. */
  const alive = (pid: number): boolean => {
    try {
      return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  const lsbRunning = (node: number): boolean => {
    const pidFile = join(lab.agentDir(node), 'run', 'heartline-fixture-daemon.pid');
    return existsSync(pidFile) && alive(Number(readFileSync(pidFile, 'utf8').trim()));
  };
  const heartbeatRunning = (node: number): boolean => existsSync(join(lab.agentDir(node), 'run', 'hbsvc.state'));
  const addressHeld = async (node: number): Promise<boolean> => (await runCommand('ip', ['-n', lab.net.namespace(node), '-o', 'addr', 'show'])).includes(` ${vip}/24 `);
  /** Where each resource really runs, by the agents' traces on each node. */
  const really = async (): Promise<Record<string, string[]>> => {
    const held = await Promise.all(nodes.map((node) => addressHeld(node)));
    const names = (test: (node: number) => boolean): string[] => nodes.filter(test).map((node) => lab.nodeName(node));
    return { lsbsvc: names(lsbRunning), hbsvc: names(heartbeatRunning), vip: names((node) => held[node] === true) };
  };
  const RESOURCES = ['lsbsvc', 'hbsvc', 'vip'] as const;

  it('each agent starts its resource on exactly one node, where status says it runs', async () => {
    const monitor = ['--op', 'monitor interval=2s timeout=20s'];
    await cliOk(lab, 0, ['resource', 'create', 'lsbsvc', 'lsb:heartline-fixture-daemon', ...monitor]);
    await cliOk(lab, 1, ['resource', 'create', 'hbsvc', 'heartbeat:HeartlineFixture', '1=hbsvc.state', '2=hello', ...monitor]);
    await cliOk(lab, 0, ['resource', 'create', 'vip', 'ocf:heartbeat:IPaddr2', `ip=${vip}`, 'cidr_netmask=24', ...monitor]);
    const placed: Record<string, string[]> = {};
    for (const id of RESOURCES) placed[id] = [await waitForPlacement(lab, id, undefined)];
    expect(await really()).toEqual(placed);
    // The Heartbeat script got its positional parameters.
    const hbNode = nodes.find((node) => lab.nodeName(node) === placed['hbsvc']?.[0]) as number;
    expect(readFileSync(join(lab.agentDir(hbNode), 'run', 'hbsvc.state'), 'utf8')).toBe('hello\n');
    const report = await statusOf(lab, 1);
    expect(Object.fromEntries(report.resources.map((r) => [r.id, r.agent]))).toEqual({ lsbsvc: 'lsb:heartline-fixture-daemon', hbsvc: 'heartbeat:HeartlineFixture', vip: 'ocf:heartbeat:IPaddr2' });
    expect(report.failures).toEqual({ failCounts: [], failedOperations: [] });
  });

  it('standby moves every one of them to the other node, and back when the other node goes to standby', async () => {
    for (const [standby, survivor] of [
      [0, 1],
      [1, 0],
    ] as const) {
      await cliOk(lab, survivor, ['node', 'online', lab.nodeName(survivor)]);
      await cliOk(lab, survivor, ['node', 'standby', lab.nodeName(standby)]);
      const there = lab.nodeName(survivor);
      for (const id of RESOURCES) expect(await waitForPlacement(lab, id, there)).toBe(there);
      await eventually(async () => (JSON.stringify(await really()) === JSON.stringify({ lsbsvc: [there], hbsvc: [there], vip: [there] }) ? true : undefined), {
        what: `every agent's trace on ${there} only`,
        timeoutMs: 10_000,
        intervalMs: 200,
        describe: () => nodes.map((n) => lab.describeLogs(n, 15)).join('\n'),
      });
      expect((await statusOf(lab, standby)).nodes.find((n) => n.name === lab.nodeName(standby))?.state).toBe('standby');
    }
    expect((await statusOf(lab, 0)).failures).toEqual({ failCounts: [], failedOperations: [] });
  });
});
