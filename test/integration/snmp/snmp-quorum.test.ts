// Goal: hlQuorumLost and hlQuorumRegained for real, which snmp-agent.test.ts cannot show (its
// two-node cluster keeps quorum when it loses a node). Two daemons in network namespaces with
// `quorum: { two_node: false, wait_for_all: false }`: alone, a node has 1 of 2 votes and no quorum.
// Node a's agent answers standalone and sends v2c traps to a real snmptrapd; node b's daemon is
// killed (quorum lost on a) and started again (quorum regained).
// Method: snmptrapd and the agent in the root namespace on 127.0.0.1 (snmp-kit.ts); the agent reads
// node a's daemon through its control socket and state folder; outcomes from snmpwalk and
// snmptrapd's log.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BackgroundProcess } from '../../../src/testbed/background-process.js';
import { DaemonLab } from '../../../src/testbed/daemon-lab.js';
import { unusedUdpPort } from '../../../src/testbed/simulator-support.js';
import { eventually } from '../harness/eventually.js';
import { builtCli } from '../harness/fixture-program.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { snmpwalk, TrapReceiver, type ReceivedTrap } from './snmp-kit.js';

const ROOT = '.1.3.6.1.3.694';
/** hlClusterQuorate (TruthValue: 1 true, 2 false). */
const QUORATE = `${ROOT}.1.1.5.0`;
const QUORUM_LOST = `${ROOT}.0.5`;
const QUORUM_REGAINED = `${ROOT}.0.6`;
const UNUSED_V3 = { user: 'hlunused', auth: 'unused-auth-4711', priv: 'unused-priv-4711' };

describeWithPrerequisites('heartline snmp-agent: quorum lost and regained in a two-node cluster without two_node', ['root', 'ip', 'iptables', 'setpriv', 'snmpwalk', 'snmptrapd'], () => {
  let lab: DaemonLab | undefined;
  let trapd: TrapReceiver | undefined;
  let agent: BackgroundProcess | undefined;
  let port = 0;
  const agentLog: string[] = [];

  const quorate = (): string | undefined => snmpwalk(port, `${ROOT}.1.1`, { community: 'public' }).get(QUORATE);
  const trapsOf = async (oid: string): Promise<ReceivedTrap[]> => ((await trapd?.received()) ?? []).filter((trap) => trap.trapOid === oid);
  const describe = (): string => `agent:\n${agentLog.slice(-10).join('\n')}\n${lab?.describeLogs(0, 10) ?? ''}`;

  beforeAll(async () => {
    lab = await DaemonLab.create({ nodes: 2, links: ['crossover', 'switch'], serial: false, linkKind: 'udp-unicast', fencing: true, cliPath: builtCli, quorumSection: { two_node: false, wait_for_all: false } });
    await lab.waitForFullView({ timeoutMs: 60_000 });
    trapd = await TrapReceiver.start({ trapUser: UNUSED_V3, informUser: UNUSED_V3, senderEngineIds: [] });
    port = await unusedUdpPort();
    const config = join(lab.dir, 'heartline-snmp-a.yaml');
    writeFileSync(
      config,
      [readFileSync(lab.configPath, 'utf8').trimEnd(), 'snmp:', '  poll_interval: 500ms', '  standalone:', '    communities: [public]', '  sinks:', `    - { address: 127.0.0.1:${trapd.port}, version: '2c', community: public }`, ''].join('\n'),
      { mode: 0o600 },
    );
    agent = await BackgroundProcess.start({
      name: 'snmp-agent a',
      argv: [process.execPath, builtCli, 'snmp-agent', '--config', config, '--node', lab.nodeName(0), '--socket', lab.socketPath(0), '--state-dir', lab.stateDir(0), '--standalone', `127.0.0.1:${port}`],
      onStdoutLine: (line) => agentLog.push(line),
    });
    // Walks before the agent listens time out (on a loaded machine its start takes seconds).
    await eventually(() => (agentLog.some((line) => line.includes('snmp agent started')) ? true : undefined), { what: "node a's agent listening", timeoutMs: 30_000, intervalMs: 100, describe: () => `${agentLog.join('\n')}\n${agent?.stderrTail() ?? ''}` });
  }, 120_000);

  afterAll(async () => {
    const results = await Promise.allSettled([agent?.stop('SIGTERM', 3000), trapd?.stop()]);
    await lab?.destroy();
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0) throw new Error(`cleanup: ${failed.map((r) => String(r.reason)).join('; ')}`);
  }, 60_000);

  it('hlQuorumLost when the peer dies, hlQuorumRegained when it is back; hlClusterQuorate follows', async () => {
    const cluster = lab as DaemonLab;
    await eventually(() => (quorate() === 'INTEGER: 1' ? true : undefined), { what: 'the agent reports quorum', timeoutMs: 30_000, intervalMs: 250, describe });
    expect(await trapsOf(QUORUM_LOST)).toEqual([]);

    await cluster.kill(1, 'SIGKILL');
    const [lost] = await eventually(async () => {
      const traps = await trapsOf(QUORUM_LOST);
      return traps.length > 0 ? traps : undefined;
    }, { what: 'hlQuorumLost at snmptrapd', timeoutMs: 40_000, intervalMs: 250, describe });
    expect(lost?.security).toMatch(/^TRAP2, SNMP v2c/);
    expect(lost?.values.get(QUORATE)).toBe('INTEGER: 2');
    expect(quorate()).toBe('INTEGER: 2');

    await cluster.start(1);
    await cluster.waitForFullView({ timeoutMs: 60_000 });
    const [regained] = await eventually(async () => {
      const traps = await trapsOf(QUORUM_REGAINED);
      return traps.length > 0 ? traps : undefined;
    }, { what: 'hlQuorumRegained at snmptrapd', timeoutMs: 40_000, intervalMs: 250, describe });
    expect(regained?.values.get(QUORATE)).toBe('INTEGER: 1');
    expect(quorate()).toBe('INTEGER: 1');
    // Each change once: the agent does not repeat a notification on every poll.
    expect(await trapsOf(QUORUM_LOST)).toHaveLength(1);
    expect(await trapsOf(QUORUM_REGAINED)).toHaveLength(1);
  }, 180_000);
});
