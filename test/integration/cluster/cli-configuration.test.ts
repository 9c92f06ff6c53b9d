// Goal: the configuration commands an operator types, end to end against two real daemons: resource
// create/move/clear/disable/enable/cleanup, node standby/online, constraint add/remove, config
// show/export/import/history/rollback; bad requests refused with a clear message and the CIB
// version unchanged; a failing monitor recovered in place, then moved after migration-threshold.
// Method: one DaemonLab with fencing and real ocf:heartbeat:Dummy agents; every change goes through
// the BUILT CLI (`node dist/cli/main.js ... --socket`), outcomes are read from `status --json` and
// `config show --json` on both nodes and from Dummy's state files (each node has its own
// HA_RSCTMP, so a state file says where Dummy really runs). The tests run in order on one cluster.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Configuration } from '../../../src/ha/cib/index.js';
import { DaemonLab } from '../../../src/testbed/daemon-lab.js';
import { cliOk, configurationVersion, runCli, statusOf, statusOverSocket, waitForPlacement } from '../harness/cluster-cli.js';
import { eventually } from '../harness/eventually.js';
import { builtCli } from '../harness/fixture-program.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

interface ShowJson {
  readonly version: string;
  readonly configuration: Configuration;
}

describeWithPrerequisites('the configuration commands against two real daemons', ['root', 'ip', 'iptables', 'setpriv'], () => {
  let lab: DaemonLab;
  const nodes = [0, 1] as const;

  beforeAll(async () => {
    if (!existsSync('/usr/lib/ocf/resource.d/heartbeat/Dummy')) throw new Error('ocf:heartbeat:Dummy is missing: apt-get install resource-agents');
    lab = await DaemonLab.create({ nodes: 2, links: ['crossover', 'switch'], serial: false, linkKind: 'udp-unicast', cliPath: builtCli, fencing: true });
  }, 60_000);

  afterAll(async () => {
    await lab?.destroy();
  });

  const stateFile = (node: number, id: string): string => join(lab.rscTmpDir(node), `Dummy-${id}.state`);
  /** The nodes where Dummy `id` really runs (its state file exists). */
  const runningOn = (id: string): string[] => nodes.filter((node) => existsSync(stateFile(node, id))).map((node) => lab.nodeName(node));
  const show = async (node: number): Promise<ShowJson> => JSON.parse((await cliOk(lab, node, ['config', 'show', '--json'])).stdout) as ShowJson;
  const versions = async (): Promise<string[]> => Promise.all(nodes.map(async (node) => configurationVersion(await statusOf(lab, node))));
  const other = (name: string): string => (name === lab.nodeName(0) ? lab.nodeName(1) : lab.nodeName(0));

  it('resource create starts a Dummy once; bad requests are refused with the field named and the version unchanged', async () => {
    const created = await cliOk(lab, 1, ['resource', 'create', 'web', 'ocf:heartbeat:Dummy', '--meta', 'resource-stickiness=100', '--op', 'monitor interval=2s timeout=20s']);
    expect(created.stdout).toMatch(/resource create web \(ocf:heartbeat:Dummy\): done \(CIB version \d+\.\d+\.\d+\)/);
    const where = await waitForPlacement(lab, 'web', undefined);
    expect(runningOn('web')).toEqual([where]);
    expect(await lab.cliText(0, 'status')).toMatch(new RegExp(`\\* web\\s+\\(ocf:heartbeat:Dummy\\):\\s+Started ${where}`));

    const before = await versions();
    expect(before[0]).toBe(before[1]);
    const refusals: { args: string[]; code: number; message: RegExp }[] = [
      { args: ['resource', 'create', 'ghost', 'ocf:heartbeat:NoSuchAgent'], code: 1, message: /NoSuchAgent/ },
      { args: ['resource', 'create', 'vip', 'ocf:heartbeat:IPaddr2', 'cidr_netmask=24'], code: 1, message: /\bip\b.*required|required.*\bip\b/ },
      { args: ['constraint', 'add', 'location', 'loc-ghost', 'no-such-resource', 'prefers', lab.nodeName(0)], code: 1, message: /no-such-resource/ },
    ];
    const malformed = join(lab.dir, 'malformed.xml');
    writeFileSync(malformed, '<cib admin_epoch="0" epoch="1" num_updates="0"><configuration><resources><primitive id="x"');
    refusals.push({ args: ['config', 'import', malformed], code: 2, message: /malformed\.xml/ });
    for (const refusal of refusals) {
      const run = await runCli(lab, 0, refusal.args);
      expect({ args: refusal.args, code: run.code }).toEqual({ args: refusal.args, code: refusal.code });
      expect(run.stderr).toMatch(refusal.message);
      expect(run.stdout).not.toMatch(/done/);
    }
    expect(await versions()).toEqual(before);
    expect((await show(1)).configuration.resources.map((r) => r.id)).toEqual(['web']);
    expect(runningOn('web')).toEqual([where]);
  });

  it('resource move moves it, resource clear removes the constraint and it stays', async () => {
    const from = await waitForPlacement(lab, 'web', undefined);
    const to = other(from);
    await cliOk(lab, 0, ['resource', 'move', 'web', to]);
    expect(await waitForPlacement(lab, 'web', to)).toBe(to);
    expect(runningOn('web')).toEqual([to]);
    expect((await show(0)).configuration.constraints.map((c) => c.id)).toEqual(['cli-prefer-web']);
    await cliOk(lab, 1, ['resource', 'clear', 'web']);
    await eventually(async () => ((await show(0)).configuration.constraints.length === 0 ? true : undefined), { what: 'cli-prefer-web gone on node a', timeoutMs: 10_000, intervalMs: 200 });
    expect((await show(1)).configuration.constraints).toEqual([]);
    expect(await waitForPlacement(lab, 'web', to)).toBe(to);
  });

  it('node standby moves it away, node online makes the node usable again', async () => {
    const from = await waitForPlacement(lab, 'web', undefined);
    const to = other(from);
    await cliOk(lab, 0, ['node', 'standby', from]);
    expect(await waitForPlacement(lab, 'web', to)).toBe(to);
    expect(runningOn('web')).toEqual([to]);
    expect((await statusOf(lab, 1)).nodes.find((n) => n.name === from)?.state).toBe('standby');
    await cliOk(lab, 1, ['node', 'online', from]);
    await eventually(async () => ((await statusOverSocket(lab, 0)).nodes.every((n) => n.state === 'online') ? true : undefined), { what: 'both nodes online', timeoutMs: 10_000, intervalMs: 200 });
    // Stickiness keeps it where it runs.
    expect(await waitForPlacement(lab, 'web', to)).toBe(to);
  });

  it('resource disable stops it everywhere, enable starts it once', async () => {
    await cliOk(lab, 0, ['resource', 'disable', 'web']);
    await waitForPlacement(lab, 'web', 'stopped');
    expect(runningOn('web')).toEqual([]);
    expect((await statusOf(lab, 1)).resources.find((r) => r.id === 'web')?.targetRole).toBe('Stopped');
    await cliOk(lab, 1, ['resource', 'enable', 'web']);
    const where = await waitForPlacement(lab, 'web', undefined);
    expect(runningOn('web')).toEqual([where]);
    expect((await statusOf(lab, 0)).resources.find((r) => r.id === 'web')?.targetRole).toBe('Started');
  });

  it('constraint add moves it, constraint remove deletes the constraint', async () => {
    const from = await waitForPlacement(lab, 'web', undefined);
    await cliOk(lab, 1, ['constraint', 'add', 'location', 'web-avoids', 'web', 'avoids', from]);
    expect(await waitForPlacement(lab, 'web', other(from))).toBe(other(from));
    expect((await show(0)).configuration.constraints.map((c) => c.id)).toEqual(['web-avoids']);
    expect((await cliOk(lab, 0, ['config', 'show'])).stdout).toContain('web-avoids');
    await cliOk(lab, 0, ['constraint', 'remove', 'web-avoids']);
    await eventually(async () => ((await show(1)).configuration.constraints.length === 0 ? true : undefined), { what: 'web-avoids gone on node b', timeoutMs: 10_000, intervalMs: 200 });
  });

  it('config export, import of the export, history and rollback to an earlier version', async () => {
    const where = await waitForPlacement(lab, 'web', undefined);
    const shown = await cliOk(lab, 0, ['config', 'show']);
    expect(shown.stdout).toContain('web');
    const exported = join(lab.dir, 'exported.xml');
    const written = await cliOk(lab, 0, ['config', 'export', '--format', 'pacemaker-xml', '-o', exported]);
    expect(written.stdout).toContain(exported);
    const [beforeImport] = await versions();
    // The export imported as it is changes nothing: the same version, no history entry.
    const same = await cliOk(lab, 1, ['config', 'import', exported]);
    expect(same.stdout).toMatch(/config import .*: done/);
    expect(await versions()).toEqual([beforeImport, beforeImport]);
    // Edited (web's stickiness 100 -> 200), as an operator edits an export: a new version, web kept and left running.
    const xml = readFileSync(exported, 'utf8');
    expect(xml).toMatch(/name="resource-stickiness" value="100"/);
    const edited = join(lab.dir, 'edited.xml');
    writeFileSync(edited, xml.replace(/name="resource-stickiness" value="100"/, 'name="resource-stickiness" value="200"'));
    const imported = await cliOk(lab, 1, ['config', 'import', edited]);
    expect(imported.stdout).toMatch(/config import .*edited\.xml: done/);
    const afterImport = await eventually(
      async () => {
        const v = await versions();
        return v[0] === v[1] && v[0] !== beforeImport ? v[0] : undefined;
      },
      { what: 'the import gave both nodes a new version', timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(Number(afterImport?.split('.')[1])).toBeGreaterThan(Number(beforeImport?.split('.')[1]));
    expect((await show(0)).configuration.resources.map((r) => r.id)).toEqual(['web']);
    expect(JSON.stringify((await show(0)).configuration.resources[0])).toContain('"value":"200"');
    expect(await waitForPlacement(lab, 'web', where)).toBe(where);
    expect(runningOn('web')).toEqual([where]);

    // A resource created after that version, then the rollback to it.
    await cliOk(lab, 0, ['resource', 'create', 'late', 'ocf:heartbeat:Dummy', '--op', 'monitor interval=2s timeout=20s']);
    const lateOn = await waitForPlacement(lab, 'late', undefined);
    expect(runningOn('late')).toEqual([lateOn]);
    const history = JSON.parse((await cliOk(lab, 1, ['config', 'history', '--json'])).stdout) as { entries: { version: { adminEpoch: number; epoch: number }; description: string; user: string; origin: string }[] };
    const descriptions = history.entries.map((e) => e.description);
    expect(descriptions[0]).toMatch(/resource create late/);
    expect(descriptions).toContainEqual(expect.stringMatching(/config import/));
    expect(descriptions).toContainEqual(expect.stringMatching(/resource create web/));
    const target = history.entries.find((e) => `${e.version.adminEpoch}.${e.version.epoch}` === afterImport);
    expect(target, JSON.stringify(history.entries.slice(0, 4))).toBeDefined();
    const rolled = await cliOk(lab, 0, ['config', 'rollback', afterImport ?? '']);
    expect(rolled.stdout).toMatch(new RegExp(`config rollback to ${afterImport?.replace('.', '\\.') ?? ''}: done`));
    // The orphan is stopped where it ran, then forgotten by status on both nodes.
    let seen: unknown;
    await eventually(
      async () => {
        const reports = await Promise.all(nodes.map((node) => statusOverSocket(lab, node)));
        seen = { really: runningOn('late'), late: reports.map((r) => r.resources.find((x) => x.id === 'late') ?? null), transition: reports.map((r) => r.lastTransition) };
        return runningOn('late').length === 0 && reports.every((r) => r.resources.every((x) => x.id !== 'late' || x.state === 'stopped')) ? true : undefined;
      },
      { what: 'late stopped after the rollback', timeoutMs: 20_000, intervalMs: 250, describe: () => `${JSON.stringify(seen, null, 1)}\n${nodes.map((n) => lab.describeLogs(n, 15)).join('\n')}` },
    );
    expect((await show(1)).configuration.resources.map((r) => r.id)).toEqual(['web']);
    expect(await waitForPlacement(lab, 'web', where)).toBe(where);
    const [afterRollback] = await versions();
    expect(Number(afterRollback?.split('.')[1])).toBeGreaterThan(Number(afterImport?.split('.')[1]));
    const newest = JSON.parse((await cliOk(lab, 0, ['config', 'history', '--limit', '1', '--json'])).stdout) as typeof history;
    expect(newest.entries.map((e) => e.description)).toEqual([`config rollback to ${afterImport ?? ''}`]);
  });

  it('a failing monitor: recovered on the same node, moved after migration-threshold failures, fail counts cleared by cleanup', async () => {
    await cliOk(lab, 0, ['resource', 'create', 'flaky', 'ocf:heartbeat:Dummy', '--meta', 'migration-threshold=2', '--meta', 'resource-stickiness=100', '--op', 'monitor interval=2s timeout=20s']);
    const home = await waitForPlacement(lab, 'flaky', undefined);
    const homeIndex = nodes.find((node) => lab.nodeName(node) === home) as number;
    const failCount = async (): Promise<string | undefined> => (await statusOverSocket(lab, 1 - homeIndex)).failures.failCounts.find((f) => f.resource === 'flaky' && f.node === home && f.operation.startsWith('monitor'))?.count;

    // First failure: the monitor sees Dummy gone (rc 7), the cluster restarts it in place.
    rmSync(stateFile(homeIndex, 'flaky'));
    await eventually(async () => ((await failCount()) === '1' && existsSync(stateFile(homeIndex, 'flaky')) ? true : undefined), {
      what: `flaky restarted on ${home} with fail count 1`,
      timeoutMs: 20_000,
      intervalMs: 200,
      describe: () => lab.describeLogs(homeIndex, 20),
    });
    expect(await waitForPlacement(lab, 'flaky', home)).toBe(home);
    const report = await statusOf(lab, homeIndex);
    expect(report.failures.failedOperations.map((f) => [f.node, f.resource, f.operation, f.interval, f.rc])).toContainEqual([home, 'flaky', 'monitor', 2000, 7]);
    expect(await lab.cliText(homeIndex, 'status')).toMatch(/flaky/);

    // Second failure: fail count 2 = migration-threshold, so it must leave that node.
    rmSync(stateFile(homeIndex, 'flaky'));
    expect(await waitForPlacement(lab, 'flaky', other(home))).toBe(other(home));
    expect(runningOn('flaky')).toEqual([other(home)]);
    expect(await failCount()).toBe('2');

    // cleanup clears the fail counts and failed operations (on every node's view).
    await cliOk(lab, 0, ['resource', 'cleanup', 'flaky']);
    let seen: unknown;
    await eventually(
      async () => {
        const reports = await Promise.all(nodes.map((node) => statusOverSocket(lab, node)));
        seen = reports.map((r) => ({ self: r.self.name, cib: r.cib.version, failures: r.failures, flaky: r.resources.find((x) => x.id === 'flaky') }));
        return reports.every((r) => !r.failures.failCounts.some((f) => f.resource === 'flaky') && !r.failures.failedOperations.some((f) => f.resource === 'flaky')) ? true : undefined;
      },
      { what: 'no fail count or failed operation of flaky after cleanup', timeoutMs: 15_000, intervalMs: 200, describe: () => `${JSON.stringify(seen, null, 1)}\n${nodes.map((n) => lab.describeLogs(n, 15)).join('\n')}` },
    );
    const after = await statusOf(lab, 0);
    expect([...after.failures.failCounts, ...after.failures.failedOperations].filter((f) => f.resource === 'flaky')).toEqual([]);
    // Still running once (stickiness keeps it where it is).
    expect(await waitForPlacement(lab, 'flaky', other(home))).toBe(other(home));
    expect(runningOn('flaky')).toEqual([other(home)]);
  });
});
