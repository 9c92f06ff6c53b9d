// Goal: the running cluster, for real. Two daemons in network namespaces replicate the CIB, place
// a real ocf:heartbeat:Dummy created over the control socket on exactly one node, fence a node that
// dies with the resource (through heartline.yaml's fencing command) and recover the resource on
// the survivor, and recover their CIB from disk after both restart.
// Method: DaemonLab with fencing (the lab's fence program kills every process of the target's
// namespace by PID and empties its HA_RSCTMP); each node has its own HA_RSCTMP, so Dummy's state
// file says where it really runs. Outcomes are read from `status` over the control sockets, the
// agent's state files and the fence program's log.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ClusterStatusReport } from '../../../src/daemon/index.js';
import { DaemonLab } from '../../../src/testbed/daemon-lab.js';
import { eventually } from '../harness/eventually.js';
import { builtCli } from '../harness/fixture-program.js';
import { dummyPrimitive } from '../harness/dummy-resource.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

const RESOURCE = 'dummy';

// Stays where it runs when a node comes back or leaves standby.
const dummy = dummyPrimitive(RESOURCE);

describeWithPrerequisites('the running cluster: two daemons, a real Dummy, fencing, CIB on disk', ['root', 'ip', 'iptables', 'setpriv'], () => {
  let lab: DaemonLab;

  beforeAll(async () => {
    if (!existsSync('/usr/lib/ocf/resource.d/heartbeat/Dummy')) throw new Error('ocf:heartbeat:Dummy is missing: apt-get install resource-agents');
    lab = await DaemonLab.create({ nodes: 2, links: ['crossover', 'switch'], serial: false, linkKind: 'udp-unicast', cliPath: builtCli, fencing: true });
  }, 60_000);

  afterAll(async () => {
    await lab?.destroy();
  });

  const status = async (node: number): Promise<ClusterStatusReport> => {
    const answer = await lab.request(node, 'status');
    if (!answer.ok) throw new Error(`status on ${lab.nodeName(node)}: ${answer.error.message}`);
    return answer.result as ClusterStatusReport;
  };
  const stateFile = (node: number): string => join(lab.rscTmpDir(node), `Dummy-${RESOURCE}.state`);
  const runningNodes = (): number[] => [0, 1].filter((node) => existsSync(stateFile(node)));

  /** Waits until every listed node's status shows the resource started on exactly one node, the same one, and returns it. */
  const waitForPlacement = (nodes: readonly number[], what: string, timeoutMs = 30_000): Promise<string> => {
    let last: unknown;
    return eventually(
      async () => {
        const reports = await Promise.all(nodes.map((node) => status(node)));
        last = reports.map((r) => ({ self: r.self.name, dc: r.dc?.name, cib: r.cib, resources: r.resources, transition: r.lastTransition, problems: r.problems.slice(-3) }));
        const where = reports.map((r) => r.resources.find((x) => x.id === RESOURCE));
        const first = where[0];
        if (first === undefined || first.state !== 'started' || first.active.length !== 1) return undefined;
        if (!where.every((w) => w?.state === 'started' && w.active.length === 1 && w.active[0]?.node === first.active[0]?.node)) return undefined;
        return first.active[0]?.node;
      },
      { what, timeoutMs, intervalMs: 100, describe: () => `${JSON.stringify(last, null, 1)}\n${nodes.map((n) => lab.describeLogs(n, 15)).join('\n')}` },
    );
  };

  it('a Dummy created over the control socket starts on exactly one node', async () => {
    const answer = await lab.request(0, 'cib-change', { change: { op: 'put-resource', resource: dummy }, user: 'root', client: 'integration-test' });
    expect(answer.ok, JSON.stringify(answer)).toBe(true);
    const active = await waitForPlacement([0, 1], 'dummy started on one node, seen by both');
    const activeIndex = [0, 1].find((node) => lab.nodeName(node) === active) as number;
    expect(runningNodes()).toEqual([activeIndex]);
    // Both nodes hold the same configuration version.
    const [a, b] = await Promise.all([status(0), status(1)]);
    expect(a.cib.version.split('.').slice(0, 2)).toEqual(b.cib.version.split('.').slice(0, 2));
    // `heartline status`, as JSON and as crm_mon-like text.
    const json = (await lab.cli(1, 'status')) as ClusterStatusReport;
    expect(json.resources.find((r) => r.id === RESOURCE)?.active.map((x) => x.node)).toEqual([active]);
    expect(json.nodes.map((n) => n.state)).toEqual(['online', 'online']);
    // A bad change is refused whole, naming the field, and the version does not move.
    const bad = await lab.request(1, 'cib-change', { change: { op: 'put-constraint', constraint: { kind: 'location', id: 'loc-nowhere', subject: { kind: 'resource', rsc: 'no-such-resource' }, placement: { kind: 'node', node: 'a', score: 100 } } }, user: 'root' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.code).toBe('rejected');
    expect(!bad.ok && bad.error.message).toMatch(/no-such-resource/);
    expect((await status(1)).cib.version.split('.').slice(0, 2)).toEqual(b.cib.version.split('.').slice(0, 2));
    const text = await lab.cliText(1, 'status');
    expect(text).toContain('Online: [ ');
    expect(text).toMatch(new RegExp(`\\* ${RESOURCE}\\s+\\(ocf:heartbeat:Dummy\\):\\s+Started ${active}`));
  });

  it('a node killed with the resource is fenced through the command, and the survivor starts it', async () => {
    const active = lab.nodeName(runningNodes()[0] as number);
    const victim = [0, 1].find((node) => lab.nodeName(node) === active) as number;
    const survivor = 1 - victim;
    await lab.kill(victim, 'SIGKILL');
    const fenced = await eventually(() => (existsSync(lab.fenceLog) && readFileSync(lab.fenceLog, 'utf8').includes(` ${active} rc=0`) ? true : undefined), {
      what: `the survivor fences ${active}`,
      timeoutMs: 30_000,
      intervalMs: 100,
      describe: () => `${existsSync(lab.fenceLog) ? readFileSync(lab.fenceLog, 'utf8') : 'no fence log'}\n${lab.describeLogs(survivor, 20)}`,
    });
    expect(fenced).toBe(true);
    const now = await waitForPlacement([survivor], 'dummy started on the survivor');
    expect(now).toBe(lab.nodeName(survivor));
    expect(runningNodes()).toEqual([survivor]);
    const report = await status(survivor);
    expect(report.nodes.find((n) => n.name === active)?.state).toBe('offline');
    // The survivor's event log has the story, and `heartline availability` (reading the file) counts the outage.
    const eventsFile = join(lab.stateDir(survivor), 'events.sqlite');
    let lastEvents = '';
    const events = await eventually(
      async () => {
        const listed = await lab.cliRun(survivor, ['events', '--events', eventsFile, '--json', '--limit', '1000'], { socket: false });
        const parsed = JSON.parse(listed.stdout) as { events: { kind: string; subject: string; atMs: number }[] };
        lastEvents = parsed.events.map((e) => `${e.atMs} ${e.kind} ${e.subject}`).join('\n');
        // Complete once the start on the survivor, after the fence, is recorded.
        const fencedAt = parsed.events.findLastIndex((e) => e.kind === 'fence-ok' && e.subject === active);
        return fencedAt >= 0 && parsed.events.slice(fencedAt).some((e) => e.kind === 'resource-up' && e.subject === RESOURCE) ? parsed.events : undefined;
      },
      { what: 'the outage and the recovery in the event log', timeoutMs: 10_000, intervalMs: 200, describe: () => lastEvents },
    );
    const order = (kind: string, subject: string): number => events.findLastIndex((e) => e.kind === kind && e.subject === subject);
    expect(order('node-down', active)).toBeGreaterThanOrEqual(0);
    expect(order('fence-ok', active)).toBeGreaterThan(order('node-down', active));
    expect(order('resource-down', RESOURCE)).toBeLessThan(order('fence-ok', active));
    expect(order('resource-up', RESOURCE)).toBeGreaterThan(order('fence-ok', active));
    const availability = await lab.cliRun(survivor, ['availability', '--events', eventsFile, '--resource', RESOURCE, '--json'], { socket: false });
    expect(availability.code, availability.stderr).toBe(0);
    const [dummyAvailability] = (JSON.parse(availability.stdout) as { resources: { resource: string; outages: number; downNow: boolean; mttrMs: number; availability: number }[] }).resources;
    expect(dummyAvailability).toMatchObject({ resource: RESOURCE, downNow: false });
    expect(dummyAvailability?.outages).toBeGreaterThanOrEqual(1);
    // The outage lasted from the loss to the start on the survivor: more than nothing, less than the test's bound.
    expect(dummyAvailability?.mttrMs).toBeGreaterThan(0);
    expect(dummyAvailability?.mttrMs).toBeLessThan(30_000);
    expect(dummyAvailability?.availability).toBeLessThan(1);
  });

  it('both daemons restarted recover the CIB from disk: same epoch, resource still configured and running once', async () => {
    const survivor = runningNodes()[0] as number;
    const before = (await status(survivor)).cib.version.split('.').map(Number);
    // A clean stop (SIGTERM): the survivor, alone, stops Dummy before it leaves (graceful shutdown).
    const stoppedAt = lab.cursor(survivor);
    await lab.kill(survivor, 'SIGTERM');
    expect(lab.logEvents(survivor).slice(stoppedAt).map((e) => e.msg)).toContain('graceful shutdown: resources moved');
    expect(runningNodes()).toEqual([]);
    await Promise.all([0, 1].map((node) => lab.start(node)));
    await lab.waitForFullView();
    const where = await waitForPlacement([0, 1], 'dummy running once after both restarted', 45_000);
    expect(['a', 'b']).toContain(where);
    const after = (await status(0)).cib.version.split('.').map(Number);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toBe(before[1]);
    const query = await lab.request(0, 'cib-query');
    expect(query.ok).toBe(true);
    expect(JSON.stringify((query as { result: unknown }).result)).toContain('"id":"dummy"');
    expect(runningNodes()).toHaveLength(1);
    const history = await lab.request(1, 'cib-history');
    expect(history.ok).toBe(true);
  });

  it('standby moves the resource to the other node', async () => {
    const from = runningNodes()[0] as number;
    const to = 1 - from;
    const answer = await lab.request(to, 'cib-change', { change: { op: 'set-node-attribute', node: lab.nodeName(from), name: 'standby', value: 'on', lifetime: 'permanent' }, user: 'root' });
    expect(answer.ok, JSON.stringify(answer)).toBe(true);
    await eventually(async () => ((await waitForPlacement([0, 1], 'placed')) === lab.nodeName(to) ? true : undefined), { what: 'dummy moved off the standby node', timeoutMs: 30_000, intervalMs: 200 });
    expect(runningNodes()).toEqual([to]);
    const report = await status(from);
    expect(report.nodes.find((n) => n.name === lab.nodeName(from))?.state).toBe('standby');
  });

  it('a clean stop (SIGTERM) of the active node moves the resource first, and nobody is fenced', async () => {
    const first = await status(0);
    for (const n of first.nodes.filter((x) => x.standby)) {
      const off = await lab.request(0, 'cib-change', { change: { op: 'set-node-attribute', node: n.name, name: 'standby', lifetime: 'permanent' }, user: 'root' });
      expect(off.ok, JSON.stringify(off)).toBe(true);
    }
    const from = runningNodes()[0] as number;
    const to = 1 - from;
    const fencesBefore = existsSync(lab.fenceLog) ? readFileSync(lab.fenceLog, 'utf8') : '';
    const since = lab.cursor(from);
    await lab.kill(from, 'SIGTERM');
    expect(lab.logEvents(from).slice(since).map((e) => e.msg)).toContain('graceful shutdown: resources moved');
    expect(await waitForPlacement([to], 'dummy runs on the peer')).toBe(lab.nodeName(to));
    expect(runningNodes()).toEqual([to]);
    expect(existsSync(lab.fenceLog) ? readFileSync(lab.fenceLog, 'utf8') : '').toBe(fencesBefore);
    expect((await status(to)).nodes.find((n) => n.name === lab.nodeName(from))?.state).toBe('offline');
    await lab.start(from);
    await lab.waitForFullView();
    // Back, it is online again (its old shutdown request is over) and the resource stays put.
    await eventually(async () => ((await status(to)).nodes.every((n) => n.state === 'online') ? true : undefined), { what: 'both nodes online again', timeoutMs: 10_000, intervalMs: 100 });
    expect(await waitForPlacement([0, 1], 'dummy still on the peer')).toBe(lab.nodeName(to));
  });

  it('a clean stop of a node with nothing running on it is not fenced, whether it is the DC or not', async () => {
    const fenceLog = (): string => (existsSync(lab.fenceLog) ? readFileSync(lab.fenceLog, 'utf8') : '');
    for (const role of ['the DC', 'not the DC'] as const) {
      const dcName = (await status(0)).dc?.name;
      const dc = [0, 1].find((node) => lab.nodeName(node) === dcName);
      expect(dc, 'a DC').toBeDefined();
      const idle = role === 'the DC' ? (dc as number) : 1 - (dc as number);
      const busy = 1 - idle;
      if (runningNodes().includes(idle)) {
        // Make the idle node idle: standby sends the resource to the other node, where stickiness keeps it.
        expect((await lab.request(busy, 'cib-change', { change: { op: 'set-node-attribute', node: lab.nodeName(idle), name: 'standby', value: 'on', lifetime: 'permanent' }, user: 'root' })).ok).toBe(true);
        // Right after the request, status may still show it where it was: wait for the move.
        await eventually(async () => ((await waitForPlacement([0, 1], 'placed')) === lab.nodeName(busy) ? true : undefined), { what: 'dummy moved off the node to stop', timeoutMs: 30_000, intervalMs: 200 });
        expect(runningNodes()).toEqual([busy]);
        expect((await lab.request(busy, 'cib-change', { change: { op: 'set-node-attribute', node: lab.nodeName(idle), name: 'standby', lifetime: 'permanent' }, user: 'root' })).ok).toBe(true);
      }
      const fencesBefore = fenceLog();
      await lab.kill(idle, 'SIGTERM');
      await eventually(async () => ((await status(busy)).nodes.find((n) => n.name === lab.nodeName(idle))?.state === 'offline' ? true : undefined), { what: `${lab.nodeName(idle)} (${role}) offline after its clean stop`, timeoutMs: 10_000, intervalMs: 100, describe: () => lab.describeLogs(busy, 15) });
      // A fence would have come within a transition of the view change; give it that time.
      await eventually(async () => ((await status(busy)).lastTransition?.status !== 'running' ? true : undefined), { what: 'the DC idle', timeoutMs: 10_000, intervalMs: 100 });
      expect(fenceLog(), `${lab.nodeName(idle)} (${role}) was fenced after a clean stop`).toBe(fencesBefore);
      expect(runningNodes()).toEqual([busy]);
      await lab.start(idle);
      await lab.waitForFullView();
      await eventually(async () => ((await status(busy)).nodes.every((n) => n.state === 'online') ? true : undefined), { what: 'both nodes online again', timeoutMs: 10_000, intervalMs: 100 });
    }
  });

  it('a failing monitor (the resource dies under its agent) is recovered on the same node, and the failure shows', async () => {
    const node = runningNodes()[0] as number;
    rmSync(stateFile(node));
    const report = await eventually(
      async () => {
        const r = await status(node);
        return existsSync(stateFile(node)) && r.failures.failCounts.some((f) => f.resource === RESOURCE) ? r : undefined;
      },
      { what: 'dummy restarted after its monitor failed, with a fail count', timeoutMs: 20_000, intervalMs: 100, describe: () => lab.describeLogs(node, 20) },
    );
    expect(report.failures.failedOperations.map((f) => [f.resource, f.operation, f.interval, f.rc])).toContainEqual([RESOURCE, 'monitor', 2000, 7]);
    expect(await waitForPlacement([0, 1], 'dummy running again')).toBe(lab.nodeName(node));
    expect(runningNodes()).toEqual([node]);
  });

  it('losing the DC: the survivor becomes DC, fences it, and the service runs on', async () => {
    // Standby off again: the resource stays where it runs (stickiness).
    const first = await status(0);
    for (const n of first.nodes.filter((x) => x.standby)) {
      const off = await lab.request(0, 'cib-change', { change: { op: 'set-node-attribute', node: n.name, name: 'standby', lifetime: 'permanent' }, user: 'root' });
      expect(off.ok, JSON.stringify(off)).toBe(true);
    }
    const running = await waitForPlacement([0, 1], 'dummy placed after standby is cleared');
    const dcName = (await status(0)).dc?.name;
    const dc = [0, 1].find((node) => lab.nodeName(node) === dcName) as number;
    const survivor = 1 - dc;
    const since = lab.cursor(survivor);
    const fencesBefore = existsSync(lab.fenceLog) ? readFileSync(lab.fenceLog, 'utf8').split('\n').filter((l) => l.includes(` ${lab.nodeName(dc)} rc=0`)).length : 0;
    await lab.kill(dc, 'SIGKILL');
    await eventually(async () => ((await status(survivor)).dc?.name === lab.nodeName(survivor) ? true : undefined), { what: 'the survivor is DC', timeoutMs: 10_000, intervalMs: 100, describe: () => lab.describeLogs(survivor, 20) });
    await eventually(() => (readFileSync(lab.fenceLog, 'utf8').split('\n').filter((l) => l.includes(` ${lab.nodeName(dc)} rc=0`)).length > fencesBefore ? true : undefined), {
      what: 'the old DC is fenced',
      timeoutMs: 30_000,
      intervalMs: 100,
      describe: () => `${readFileSync(lab.fenceLog, 'utf8')}\n${lab.describeLogs(survivor, 20)}`,
    });
    expect(await waitForPlacement([survivor], 'dummy runs on the survivor')).toBe(lab.nodeName(survivor));
    expect(runningNodes()).toEqual([survivor]);
    if (running === lab.nodeName(survivor)) {
      // It ran on the survivor all along: never stopped there.
      const stops = lab.logEvents(survivor).slice(since).filter((e) => e.msg === 'operation requested' && e['operation'] === 'stop');
      expect(stops).toEqual([]);
    }
  });
});
