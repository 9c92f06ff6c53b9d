// Goal: `heartline snmp-agent` for real. Two daemons in network namespaces (FencingLab: fencing
// through the heartline-testbed profile's simulated BMCs, so a fence leaves a fence history) each
// get an agent: node a's registers with a real snmpd as an AgentX subagent (over snmpd's Unix
// socket), node b's answers standalone. snmpwalk reads every table over SNMPv2c and SNMPv3
// authPriv while the cluster changes (a resource created, a link dropped, a resource failing, the
// active node losing its power and coming back); a real snmptrapd receives each notification
// through the four kinds of sinks (v2c trap and inform, v3 trap and inform); snmpd restarts and the
// subagent registers again.
// Method: snmpd, snmptrapd and the agents run in the root namespace on 127.0.0.1 at ports chosen
// per run (snmp-kit.ts); the agents read the daemons through their control sockets and state
// folders, as on a node. Outcomes are read with snmpwalk and from snmptrapd's log.
// Not covered here: quorum lost/regained (a two-node cluster keeps quorum when it loses a node,
// two_node): snmp-quorum.test.ts runs a cluster without two_node for them.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ClusterStatusReport } from '../../../src/daemon/index.js';
import { BackgroundProcess } from '../../../src/testbed/background-process.js';
import { FencingLab } from '../../../src/testbed/fencing-lab.js';
import { unusedUdpPort } from '../../../src/testbed/simulator-support.js';
import { eventually } from '../harness/eventually.js';
import { builtCli } from '../harness/fixture-program.js';
import { dummyPrimitive } from '../harness/dummy-resource.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { SnmpdMaster, snmpwalk, TrapReceiver, type ReceivedTrap, type V3Credentials } from './snmp-kit.js';

const ROOT = '.1.3.6.1.3.694';
const RESOURCE = 'dummy';
/** hlResourceId 'dummy' as an index: its length, then its characters. */
const RESOURCE_INDEX = `5.${[...RESOURCE].map((c) => c.charCodeAt(0)).join('.')}`;
const READER: V3Credentials = { user: 'hlreader', auth: 'reader-auth-4711', priv: 'reader-priv-4711' };
const TRAP_USER: V3Credentials = { user: 'hltrap', auth: 'trap-auth-4711', priv: 'trap-priv-4711' };
const INFORM_USER: V3Credentials = { user: 'hlinform', auth: 'inform-auth-4711', priv: 'inform-priv-4711' };
const ENGINE_IDS = ['8000c0de0100000001', '8000c0de0100000002'];
const NOTIFICATION = { nodeDown: 1, nodeUp: 2, linkDown: 3, linkUp: 4, resourceFailed: 7, failover: 8, fenceResult: 9 } as const;

// Stays where it runs when a node comes back or leaves standby.
const dummy = dummyPrimitive(RESOURCE);

function userYaml(c: V3Credentials): string {
  return `{ name: ${c.user}, auth_password: ${c.auth}, priv_password: ${c.priv} }`;
}

describeWithPrerequisites('heartline snmp-agent: a real snmpd and snmptrapd on a running two-node cluster', ['root', 'ip', 'iptables', 'setpriv', 'ss', 'ipmi_sim', 'ipmitool', 'snmpd', 'snmpwalk', 'snmptrapd', 'resource-agents'], () => {
  let fl: FencingLab | undefined;
  let master: SnmpdMaster | undefined;
  let trapd: TrapReceiver | undefined;
  let standalonePort = 0;
  const agents: BackgroundProcess[] = [];
  const agentLogs: string[][] = [[], []];
  const configFiles: string[] = [];

  const lab = () => (fl as FencingLab).lab;
  const nodeId = (node: number): number => lab().nodeId(node);
  /** Where node `node`'s agent answers: a's through snmpd, b's itself. */
  const portOf = (node: number): number => (node === 0 ? (master as SnmpdMaster).port : standalonePort);
  const walk = (node: number, auth: { community: string } | V3Credentials = { community: 'public' }): Map<string, string> => snmpwalk(portOf(node), ROOT, auth);
  const logsOf = (node: number): string => agentLogs[node]?.slice(-15).join('\n') ?? '';

  const status = async (node: number): Promise<ClusterStatusReport> => {
    const answer = await lab().request(node, 'status');
    if (!answer.ok) throw new Error(`status on ${lab().nodeName(node)}: ${answer.error.message}`);
    return answer.result as ClusterStatusReport;
  };
  const stateFile = (node: number): string => join(lab().rscTmpDir(node), `Dummy-${RESOURCE}.state`);
  const runningOn = (): number[] => [0, 1].filter((node) => existsSync(stateFile(node)));

  /** Waits until node `node`'s agent serves a walk satisfying `check` (which returns what is wrong, or undefined). */
  const waitForWalk = (node: number, what: string, check: (rows: Map<string, string>) => string | undefined, timeoutMs = 30_000): Promise<Map<string, string>> => {
    let problem = '';
    return eventually(
      () => {
        try {
          const rows = walk(node);
          const wrong = check(rows);
          problem = wrong ?? '';
          return wrong === undefined ? rows : undefined;
        } catch (error) {
          problem = error instanceof Error ? error.message : String(error);
          return undefined;
        }
      },
      { what, timeoutMs, intervalMs: 250, describe: () => `${problem}\n${logsOf(node)}` },
    );
  };
  const expectValue = (rows: Map<string, string>, oid: string, value: string): string | undefined => (rows.get(`${ROOT}.${oid}`) === value ? undefined : `${ROOT}.${oid} is ${rows.get(`${ROOT}.${oid}`) ?? 'missing'}, not ${value}`);
  const firstProblem = (...problems: (string | undefined)[]): string | undefined => problems.find((p) => p !== undefined);

  const startAgent = async (node: number): Promise<void> => {
    const mode = node === 0 ? ['--agentx', (master as SnmpdMaster).agentxSocket] : ['--standalone', `127.0.0.1:${standalonePort}`];
    agents[node] = await BackgroundProcess.start({
      name: `snmp-agent ${lab().nodeName(node)}`,
      argv: [process.execPath, builtCli, 'snmp-agent', '--config', configFiles[node] as string, '--node', lab().nodeName(node), '--socket', lab().socketPath(node), '--state-dir', lab().stateDir(node), ...mode],
      onStdoutLine: (line) => agentLogs[node]?.push(line),
    });
  };

  beforeAll(async () => {
    fl = await FencingLab.create({ cliPath: builtCli, pdus: false });
    master = await SnmpdMaster.start(READER);
    trapd = await TrapReceiver.start({ trapUser: TRAP_USER, informUser: INFORM_USER, senderEngineIds: ENGINE_IDS });
    standalonePort = await unusedUdpPort();
    const base = readFileSync(lab().configPath, 'utf8');
    for (const node of [0, 1]) {
      const file = join(lab().dir, `heartline-snmp-${lab().nodeName(node)}.yaml`);
      writeFileSync(
        file,
        [
          base.trimEnd(),
          'snmp:',
          '  poll_interval: 500ms',
          `  engine_id: '${ENGINE_IDS[node] as string}'`,
          ...(node === 1 ? ['  standalone:', '    communities: [public]', `    users: [${userYaml(READER)}]`] : []),
          '  sinks:',
          `    - { address: 127.0.0.1:${trapd.port}, version: '2c', community: public }`,
          `    - { address: 127.0.0.1:${trapd.port}, version: '2c', community: public, kind: inform }`,
          `    - { address: 127.0.0.1:${trapd.port}, version: '3', user: ${userYaml(TRAP_USER)} }`,
          `    - { address: 127.0.0.1:${trapd.port}, version: '3', kind: inform, user: ${userYaml(INFORM_USER)} }`,
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      configFiles[node] = file;
      await startAgent(node);
    }
    await eventually(() => (agentLogs[0]?.some((l) => l.includes('registered with snmpd over AgentX')) === true ? true : undefined), { what: "node a's agent registered with snmpd", timeoutMs: 20_000, intervalMs: 100, describe: () => `${logsOf(0)}\n${agents[0]?.stderrTail() ?? ''}` });
  }, 120_000);

  afterAll(async () => {
    const results = await Promise.allSettled([...agents.map((a) => a.stop('SIGTERM', 3000)), master?.stop(), trapd?.stop()]);
    await fl?.destroy();
    for (const file of configFiles) rmSync(file, { force: true });
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0) throw new Error(`cleanup: ${failed.map((r) => String((r).reason)).join('; ')}`);
  }, 60_000);

  /** Every kind of sink delivered notification `number` (about `about`, when given) from some agent; returns the matches. */
  let trapMark = 0;
  /** From now on, only notifications received later count. */
  const markTraps = async (): Promise<void> => {
    trapMark = (await (trapd as TrapReceiver).received()).length;
  };
  const waitForEverySink = async (number: number, what: string, about?: (trap: ReceivedTrap) => boolean, timeoutMs = 40_000): Promise<ReceivedTrap[]> => {
    const kindOf = (t: ReceivedTrap): string =>
      /^TRAP2, SNMP v2c/.test(t.security) ? 'v2c trap' : /^INFORM, SNMP v2c/.test(t.security) ? 'v2c inform' : t.security.startsWith(`TRAP2, SNMP v3, user ${TRAP_USER.user}`) ? 'v3 trap' : t.security.startsWith(`INFORM, SNMP v3, user ${INFORM_USER.user}`) ? 'v3 inform' : t.security;
    const matches = (t: ReceivedTrap): boolean => t.trapOid === `${ROOT}.0.${number}` && (about === undefined || about(t));
    let last: ReceivedTrap[] = [];
    return eventually(
      async () => {
        last = (await (trapd as TrapReceiver).received()).slice(trapMark);
        const found = last.filter(matches);
        return new Set(found.map(kindOf)).size === 4 && found.every((t) => ['v2c trap', 'v2c inform', 'v3 trap', 'v3 inform'].includes(kindOf(t))) ? found : undefined;
      },
      { what: `${what} through every kind of sink (v2c and v3, trap and inform)`, timeoutMs, intervalMs: 200, describe: () => `${last.map((t) => `${t.security} ${t.trapOid} ${[...t.values].filter(([oid]) => oid.startsWith(ROOT)).map(([oid, v]) => `${oid}=${v}`).join(' ')}`).join('\n')}\n${logsOf(0)}\n${logsOf(1)}` },
    );
  };

  it('serves every table through snmpd (AgentX) and standalone, over SNMPv2c and SNMPv3 authPriv', async () => {
    const answer = await lab().request(0, 'cib-change', { change: { op: 'put-resource', resource: dummy }, user: 'root', client: 'integration-test' });
    expect(answer.ok, JSON.stringify(answer)).toBe(true);
    const active = await eventually(() => (runningOn().length === 1 ? runningOn()[0] : undefined), { what: 'dummy started on one node', timeoutMs: 30_000, intervalMs: 100 });
    const activeName = lab().nodeName(active);
    const clusterName = (await status(0)).cluster.name;
    for (const node of [0, 1]) {
      const peer = 1 - node;
      await waitForWalk(node, `node ${lab().nodeName(node)}'s agent shows the cluster with dummy running`, (rows) =>
        firstProblem(
          expectValue(rows, '1.1.1.0', `STRING: "${clusterName}"`),
          expectValue(rows, '1.1.3.0', `STRING: "${lab().nodeName(node)}"`),
          expectValue(rows, '1.1.5.0', 'INTEGER: 1'),
          expectValue(rows, '1.1.10.0', 'Gauge32: 2'),
          expectValue(rows, '1.1.11.0', 'Gauge32: 2'),
          expectValue(rows, '1.1.12.0', 'INTEGER: 1'),
          /^STRING: "[ab]"$/.test(rows.get(`${ROOT}.1.1.4.0`) ?? '') ? undefined : `no DC name: ${rows.get(`${ROOT}.1.1.4.0`)}`,
          ...[0, 1].flatMap((n) => [expectValue(rows, `1.2.1.2.${nodeId(n)}`, `STRING: "${lab().nodeName(n)}"`), expectValue(rows, `1.2.1.3.${nodeId(n)}`, 'INTEGER: 1')]),
          ...lab().heartbeatLinks.map((link, i) => firstProblem(expectValue(rows, `1.3.1.2.${nodeId(peer)}.${i + 1}`, `STRING: "${link.name}"`), expectValue(rows, `1.3.1.5.${nodeId(peer)}.${i + 1}`, 'INTEGER: 1'))),
          expectValue(rows, `1.4.1.2.${RESOURCE_INDEX}`, 'STRING: "ocf:heartbeat:Dummy"'),
          expectValue(rows, `1.4.1.3.${RESOURCE_INDEX}`, 'INTEGER: 2'),
          expectValue(rows, `1.4.1.4.${RESOURCE_INDEX}`, `STRING: "${activeName}"`),
          expectValue(rows, `1.4.1.6.${RESOURCE_INDEX}`, 'INTEGER: 1'),
          rows.has(`${ROOT}.1.7.1.0`) && rows.has(`${ROOT}.1.7.2.0`) && rows.has(`${ROOT}.1.7.3.0`) ? undefined : 'no availability scalars',
          // The event log counts the moment between the creation and the first start as down: no exact figure here.
          /^Gauge32: \d+$/.test(rows.get(`${ROOT}.1.7.5.1.6.${RESOURCE_INDEX}`) ?? '') ? undefined : `no availability row for dummy: ${rows.get(`${ROOT}.1.7.5.1.6.${RESOURCE_INDEX}`)}`,
          /^STRING: "(100\.000|\d\d\.\d{3}) %/.test(rows.get(`${ROOT}.1.7.5.1.7.${RESOURCE_INDEX}`) ?? '') ? undefined : `availability text ${rows.get(`${ROOT}.1.7.5.1.7.${RESOURCE_INDEX}`)}`,
        ),
      );
      // SNMPv3 authPriv reads the same objects (through snmpd's own user for a, the agent's for b).
      const v2c = walk(node);
      const v3 = walk(node, READER);
      expect([...v3.keys()].sort()).toEqual([...v2c.keys()].sort());
      expect(v3.get(`${ROOT}.1.4.1.4.${RESOURCE_INDEX}`)).toBe(`STRING: "${activeName}"`);
      // A wrong passphrase reads nothing.
      expect(() => walk(node, { ...READER, priv: 'wrong-priv-0000' })).toThrow();
    }
    // The cluster-wide tables read the same on both nodes.
    const [a, b] = [walk(0), walk(1)];
    for (const prefix of ['1.2.1.2.', '1.4.1.2.', '1.4.1.3.', '1.4.1.4.']) {
      const pick = (rows: Map<string, string>) => [...rows].filter(([oid]) => oid.startsWith(`${ROOT}.${prefix}`));
      expect(pick(a)).toEqual(pick(b));
    }
  }, 90_000);

  it('a dropped heartbeat link: hlLinkState goes down and back up, hlLinkDown and hlLinkUp arrive at every sink', async () => {
    const link = lab().heartbeatLinks[0]?.name as string;
    await markTraps();
    const fault = await lab().dropLink(link);
    try {
      await waitForWalk(0, `${link} down in node a's link table`, (rows) => expectValue(rows, `1.3.1.5.${nodeId(1)}.1`, 'INTEGER: 2'));
      const downs = await waitForEverySink(NOTIFICATION.linkDown, 'hlLinkDown', (t) => [...t.values].some(([oid, v]) => oid.startsWith(`${ROOT}.1.3.1.2.`) && v === `STRING: "${link}"`));
      expect([...(downs[0]?.values.entries() ?? [])].find(([oid]) => oid.startsWith(`${ROOT}.1.3.1.5.`))?.[1]).toBe('INTEGER: 2');
      // The other link still carries the peer: both nodes stay members.
      expect(walk(1).get(`${ROOT}.1.1.11.0`)).toBe('Gauge32: 2');
    } finally {
      await fault.remove();
    }
    await markTraps();
    await waitForWalk(0, `${link} up again in node a's link table`, (rows) => expectValue(rows, `1.3.1.5.${nodeId(1)}.1`, 'INTEGER: 1'));
    await waitForEverySink(NOTIFICATION.linkUp, 'hlLinkUp', (t) => [...t.values].some(([oid, v]) => oid.startsWith(`${ROOT}.1.3.1.2.`) && v === `STRING: "${link}"`));
  }, 90_000);

  it('a failing monitor: hlResourceFailed from the DC, the restart is an hlFailover with its duration, the fail count shows', async () => {
    const active = runningOn()[0] as number;
    await markTraps();
    rmSync(stateFile(active));
    const failed = await waitForEverySink(NOTIFICATION.resourceFailed, 'hlResourceFailed for dummy', (t) => t.values.get(`${ROOT}.1.8.7.0`) === `STRING: "${RESOURCE}"`);
    expect(failed[0]?.values.get(`${ROOT}.1.8.5.0`)).toMatch(/^STRING: "monitor/);
    expect(failed[0]?.values.get(`${ROOT}.1.8.1.0`)).toBe(`STRING: "${lab().nodeName(active)}"`);
    const failovers = await waitForEverySink(NOTIFICATION.failover, 'hlFailover for dummy', (t) => t.values.get(`${ROOT}.1.8.7.0`) === `STRING: "${RESOURCE}"`);
    const duration = Number(/Gauge32: (\d+)/.exec(failovers[0]?.values.get(`${ROOT}.1.8.4.0`) ?? '')?.[1]);
    expect(duration).toBeGreaterThan(0);
    expect(duration).toBeLessThan(30_000);
    for (const node of [0, 1]) {
      await waitForWalk(node, 'the fail count and the outage in the tables', (rows) =>
        firstProblem(
          expectValue(rows, `1.4.1.5.${RESOURCE_INDEX}`, 'Gauge32: 1'),
          expectValue(rows, `1.4.1.3.${RESOURCE_INDEX}`, 'INTEGER: 2'),
          /^Gauge32: [1-9]/.test(rows.get(`${ROOT}.1.7.5.1.3.${RESOURCE_INDEX}`) ?? '') ? undefined : `no outage counted: ${rows.get(`${ROOT}.1.7.5.1.3.${RESOURCE_INDEX}`)}`,
          /^Gauge32: 9\d{5}$/.test(rows.get(`${ROOT}.1.7.3.0`) ?? '') ? undefined : `lowest availability ${rows.get(`${ROOT}.1.7.3.0`)}`,
        ),
      );
    }
  }, 90_000);

  it('snmpd restarts: the subagent registers again and the walk works again', async () => {
    const registrations = (): number => agentLogs[0]?.filter((l) => l.includes('registered with snmpd over AgentX')).length ?? 0;
    const before = registrations();
    await (master as SnmpdMaster).restart();
    await eventually(() => (registrations() > before ? true : undefined), { what: 'the subagent registered again', timeoutMs: 30_000, intervalMs: 100, describe: () => `${logsOf(0)}\n${(agents[0] as BackgroundProcess).describeStatus()}` });
    expect(agents[0]?.running).toBe(true);
    await waitForWalk(0, 'the whole MIB through the restarted snmpd', (rows) => firstProblem(expectValue(rows, '1.1.12.0', 'INTEGER: 1'), expectValue(rows, `1.4.1.2.${RESOURCE_INDEX}`, 'STRING: "ocf:heartbeat:Dummy"')));
    expect(walk(0, READER).get(`${ROOT}.1.1.3.0`)).toBe(`STRING: "${lab().nodeName(0)}"`);
  }, 60_000);

  it("the active node loses its power: hlNodeDown, hlFenceResultNotification and hlFailover arrive; the dead node's agent says its daemon is unreachable; hlNodeUp when it is back", async () => {
    const active = runningOn()[0] as number;
    const survivor = 1 - active;
    const victim = lab().nodeName(active);
    await markTraps();
    await lab().net.powerLoss(active);
    await waitForEverySink(NOTIFICATION.nodeDown, `hlNodeDown for ${victim}`, (t) => t.values.get(`${ROOT}.1.2.1.2.${nodeId(active)}`) === `STRING: "${victim}"`);
    const fences = await waitForEverySink(NOTIFICATION.fenceResult, `hlFenceResultNotification for ${victim}`, (t) => [...t.values].some(([oid, v]) => oid.startsWith(`${ROOT}.1.5.1.2.`) && v === `STRING: "${victim}"`));
    expect([...(fences[0]?.values.entries() ?? [])].find(([oid]) => oid.startsWith(`${ROOT}.1.5.1.5.`))?.[1]).toBe('INTEGER: 1');
    const failovers = await waitForEverySink(NOTIFICATION.failover, `hlFailover of dummy from ${victim}`, (t) => t.values.get(`${ROOT}.1.8.2.0`) === `STRING: "${victim}"`, 60_000);
    expect(failovers[0]?.values.get(`${ROOT}.1.8.3.0`)).toBe(`STRING: "${lab().nodeName(survivor)}"`);
    expect(Number(/Gauge32: (\d+)/.exec(failovers[0]?.values.get(`${ROOT}.1.8.4.0`) ?? '')?.[1])).toBeGreaterThan(0);
    // The survivor's tables: the victim offline, the fence in the fence table, dummy on the survivor.
    const rows = await waitForWalk(survivor, 'the survivor shows the fence and the move', (r) =>
      firstProblem(
        expectValue(r, `1.2.1.3.${nodeId(active)}`, 'INTEGER: 6'),
        expectValue(r, '1.1.11.0', 'Gauge32: 1'),
        expectValue(r, `1.4.1.4.${RESOURCE_INDEX}`, `STRING: "${lab().nodeName(survivor)}"`),
        [...r].some(([oid, v]) => oid.startsWith(`${ROOT}.1.5.1.2.`) && v === `STRING: "${victim}"`) ? undefined : 'no fence row',
      ),
    );
    const fenceRow = [...rows].find(([oid, v]) => oid.startsWith(`${ROOT}.1.5.1.2.`) && v === `STRING: "${victim}"`)?.[0].slice(`${ROOT}.1.5.1.2.`.length);
    expect(rows.get(`${ROOT}.1.5.1.3.${fenceRow}`)).toBe(`STRING: "bmc-${victim}"`);
    expect(rows.get(`${ROOT}.1.5.1.5.${fenceRow}`)).toBe('INTEGER: 1');
    expect(rows.get(`${ROOT}.1.5.1.8.${fenceRow}`)).toBe(`STRING: "${lab().nodeName(survivor)}"`);
    // The victim's agent (it ran outside the node, so it lives on) answers: daemon unreachable.
    await waitForWalk(active, "the victim's agent says its daemon is unreachable", (r) => firstProblem(expectValue(r, '1.1.12.0', 'INTEGER: 2'), expectValue(r, '1.1.4.0', '""'), expectValue(r, `1.2.1.3.${nodeId(active)}`, 'INTEGER: 6')));
    // Power back, daemon started: the DC (the survivor) announces the node, the agent finds its daemon again.
    await lab().net.powerOn(active);
    await (fl as FencingLab).restoreNode(active);
    await markTraps();
    await lab().start(active);
    await waitForEverySink(NOTIFICATION.nodeUp, `hlNodeUp for ${victim}`, (t) => t.values.get(`${ROOT}.1.2.1.2.${nodeId(active)}`) === `STRING: "${victim}"`, 60_000);
    await waitForWalk(active, "the victim's agent reads its daemon again", (r) => firstProblem(expectValue(r, '1.1.12.0', 'INTEGER: 1'), expectValue(r, '1.1.11.0', 'Gauge32: 2')), 60_000);
  }, 180_000);
});
