// Goal: the Prometheus endpoint tells the truth about a running cluster. Two daemons in network
// namespaces with heartline.yaml `metrics: {}` (the default address, 127.0.0.1:9664, which is each
// namespace's own loopback) serve membership, links and a real ocf:heartbeat:Dummy; after the node
// running it is killed, the survivor's endpoint counts the fence and the failover.
// Method: DaemonLab with the lab's fence program; every scrape is a Node process run inside the
// node's namespace (`ip netns exec`, fetch), so nothing listens or connects outside the lab.
// Values are read from the exposition text and compared with what the cluster did.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DaemonLab } from '../../../src/testbed/daemon-lab.js';
import { waitForPlacement } from '../harness/cluster-cli.js';
import { eventually } from '../harness/eventually.js';
import { builtCli } from '../harness/fixture-program.js';
import { dummyPrimitive } from '../harness/dummy-resource.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

const RESOURCE = 'dummy';
// Stays where it runs when a node comes back or leaves standby.
const dummy = dummyPrimitive(RESOURCE);

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of a Prometheus text exposition (no escapes in Heartline's label values). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not an exposition line: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]));
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample of `name` whose labels include `labels`, or undefined. */
function valueOf(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

const SCRAPE = `fetch('http://127.0.0.1:9664/metrics').then(async (r) => { if (!r.ok) throw new Error('HTTP ' + r.status + ': ' + (await r.text())); process.stdout.write(await r.text()); }).catch((e) => { process.stderr.write(String(e && e.cause ? e.cause : e)); process.exit(1); });`;

describeWithPrerequisites('metrics: the Prometheus endpoint of two real daemons', ['root', 'ip', 'iptables', 'setpriv'], () => {
  let lab: DaemonLab;
  let lastScrape = '';

  beforeAll(async () => {
    if (!existsSync('/usr/lib/ocf/resource.d/heartbeat/Dummy')) throw new Error('ocf:heartbeat:Dummy is missing: apt-get install resource-agents');
    lab = await DaemonLab.create({ nodes: 2, links: ['crossover', 'switch'], serial: false, linkKind: 'udp-unicast', cliPath: builtCli, fencing: true, metricsSection: {} });
  }, 60_000);

  afterAll(async () => {
    await lab?.destroy();
  });

  /** Scrapes node `node`'s endpoint from a process inside its namespace. */
  const scrape = async (node: number): Promise<Sample[]> => {
    lastScrape = await lab.net.exec(node, process.execPath, ['-e', SCRAPE]);
    return parseExposition(lastScrape);
  };
  /** Scrapes until `check` returns a value. */
  const scrapeUntil = <T>(node: number, what: string, check: (samples: Sample[]) => T | undefined, timeoutMs = 20_000): Promise<T> =>
    eventually(async () => check(await scrape(node)), { what, timeoutMs, intervalMs: 250, describe: () => `last scrape of ${lab.nodeName(node)}:\n${lastScrape.split('\n').filter((l) => !l.startsWith('#') && !l.includes('_bucket')).join('\n')}\n${lab.describeLogs(node, 15)}` });

  it('each node serves membership, quorum, the DC and every link to its peer', async () => {
    await lab.waitForFullView();
    for (const node of [0, 1]) {
      const peer = lab.nodeName(1 - node);
      const samples = await scrapeUntil(node, `${lab.nodeName(node)} sees both links to ${peer} up`, (s) => (valueOf(s, 'heartline_link_up', { peer, link: 'link0' }) === 1 && valueOf(s, 'heartline_link_up', { peer, link: 'link1' }) === 1 ? s : undefined));
      expect(valueOf(samples, 'heartline_cluster_members')).toBe(2);
      expect(valueOf(samples, 'heartline_node_member', { node: 'a' })).toBe(1);
      expect(valueOf(samples, 'heartline_node_member', { node: 'b' })).toBe(1);
      expect(valueOf(samples, 'heartline_quorate')).toBe(1);
      const info = samples.filter((s) => s.name === 'heartline_view_info');
      expect(info).toHaveLength(1);
      expect(info[0]?.labels['view_id']).toMatch(/^\d+\.\d+\.\d+$/);
      const dc = info[0]?.labels['dc'] as string;
      expect(['a', 'b']).toContain(dc);
      expect(valueOf(samples, 'heartline_dc', { node: dc })).toBe(1);
      expect(valueOf(samples, 'heartline_link_loss_ratio', { peer, link: 'link0' })).toBeGreaterThanOrEqual(0);
      expect(valueOf(samples, 'heartline_link_loss_ratio', { peer, link: 'link0' })).toBeLessThanOrEqual(1);
    }
  });

  it('a resource shows with its role on the node that runs it, and its start is timed there', async () => {
    const answer = await lab.request(0, 'cib-change', { change: { op: 'put-resource', resource: dummy }, user: 'root', client: 'integration-test' });
    expect(answer.ok, JSON.stringify(answer)).toBe(true);
    const active = await waitForPlacement(lab, RESOURCE, undefined);
    const runs = [0, 1].find((node) => lab.nodeName(node) === active) as number;
    for (const node of [0, 1]) {
      await scrapeUntil(node, `${lab.nodeName(node)} serves dummy started on ${active}`, (s) => (valueOf(s, 'heartline_resource_role', { resource: RESOURCE, node: active, role: 'Started' }) === 1 && valueOf(s, 'heartline_resource_active_instances', { resource: RESOURCE }) === 1 ? true : undefined));
    }
    const samples = await scrapeUntil(runs, 'the start counted', (s) => ((valueOf(s, 'heartline_operations_total', { agent_class: 'ocf', operation: 'start', outcome: 'ok' }) ?? 0) >= 1 ? s : undefined));
    expect(valueOf(samples, 'heartline_operation_duration_seconds_count', { agent_class: 'ocf', operation: 'start' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'heartline_operation_duration_seconds_sum', { agent_class: 'ocf', operation: 'start' })).toBeGreaterThan(0);
    // Every node probed the resource before it was started anywhere.
    expect(valueOf(samples, 'heartline_operation_duration_seconds_count', { agent_class: 'ocf', operation: 'probe' })).toBeGreaterThanOrEqual(1);
  });

  it('after the node running it is killed, the survivor counts the fence and the failover, and the peer and its links are gone', async () => {
    const active = await waitForPlacement(lab, RESOURCE, undefined);
    const victim = [0, 1].find((node) => lab.nodeName(node) === active) as number;
    const survivor = 1 - victim;
    const before = await scrape(survivor);
    expect(valueOf(before, 'heartline_failover_duration_seconds_count', { resource: RESOURCE }) ?? 0).toBe(0);
    await lab.kill(victim, 'SIGKILL');
    await eventually(() => (existsSync(lab.fenceLog) && readFileSync(lab.fenceLog, 'utf8').includes(` ${active} rc=0`) ? true : undefined), { what: `the survivor fences ${active}`, timeoutMs: 30_000, intervalMs: 100, describe: () => lab.describeLogs(survivor, 20) });
    expect(await waitForPlacement(lab, RESOURCE, lab.nodeName(survivor), { nodes: [survivor] })).toBe(lab.nodeName(survivor));
    const after = await scrapeUntil(survivor, 'the failover counted', (s) => ((valueOf(s, 'heartline_failover_duration_seconds_count', { resource: RESOURCE }) ?? 0) >= 1 ? s : undefined));
    const fences = after.filter((s) => s.name === 'heartline_fence_operations_total' && s.labels['target'] === active && s.labels['result'] === 'ok');
    expect(fences.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThanOrEqual(1);
    // The outage lasted from the loss to the start on the survivor: more than nothing, within the test's bounds.
    const failoverSeconds = valueOf(after, 'heartline_failover_duration_seconds_sum', { resource: RESOURCE }) as number;
    expect(failoverSeconds).toBeGreaterThan(0);
    expect(failoverSeconds).toBeLessThan(60);
    expect(valueOf(after, 'heartline_resource_role', { resource: RESOURCE, node: lab.nodeName(survivor), role: 'Started' })).toBe(1);
    expect(valueOf(after, 'heartline_cluster_members')).toBe(1);
    expect(valueOf(after, 'heartline_node_member', { node: active })).toBe(0);
    expect(valueOf(after, 'heartline_link_up', { peer: active, link: 'link0' })).toBe(0);
    // The survivor's log names the failover it measured, with the same nodes.
    expect(lab.logEvents(survivor).some((e) => e.msg === 'failover measured' && e['resource'] === RESOURCE && e['from'] === active && e['to'] === lab.nodeName(survivor))).toBe(true);
    // A scrape is cheap to repeat and its counters never go back.
    const again = await scrape(survivor);
    expect(valueOf(again, 'heartline_failover_duration_seconds_count', { resource: RESOURCE })).toBe(valueOf(after, 'heartline_failover_duration_seconds_count', { resource: RESOURCE }));
  });
});
