// Goal: the serial console menu works, for real, on a running two-node cluster: every menu path,
// a switch-over that really moves the resource, clearing a real failure, a fence refused because
// the typed name was wrong (the peer is not fenced), and the daemon-down path (the menu says so,
// starts it with its start command, and sees it answer). No screen exceeds 80x24.
// Method: DaemonLab (two daemons in network namespaces, the lab's fence program) with an
// ocf:heartbeat:Dummy; `heartline console --device` on one end of a socat null-modem and tmux
// (80x24, TERM=vt100, NO_COLOR=1) on the other, driven by send-keys and read by capture-pane.
// Outcomes are checked with `status` over the control sockets, the agent's state files and the
// fence program's log, never with the console's own words alone.
import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DaemonLab } from '../../../src/testbed/daemon-lab.js';
import { statusOverSocket, waitForPlacement } from '../harness/cluster-cli.js';
import { eventually } from '../harness/eventually.js';
import { builtCli } from '../harness/fixture-program.js';
import { dummyPrimitive } from '../harness/dummy-resource.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { SerialConsole, TERMINAL_COLUMNS, TERMINAL_ROWS } from '../harness/serial-console.js';

const RESOURCE = 'dummy';
const MAIN_MENU = /Heartline: main menu[\s\S]*Choice \(number, Enter to refresh\):/;

// Stays where it runs when a node comes back or leaves standby.
const dummy = dummyPrimitive(RESOURCE);

describeWithPrerequisites('the serial console menu on a running two-node cluster', ['root', 'ip', 'iptables', 'setpriv', 'socat', 'tmux', 'resource-agents'], () => {
  let lab: DaemonLab;
  let terminal: SerialConsole;
  let dir: string;
  let startMarker: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heartline-console-test-'));
    // The start command the menu runs when the daemon is down: it leaves a mark, and the test
    // starts node a's daemon in its namespace (as systemctl would start the unit).
    startMarker = join(dir, 'start-requested');
    const startScript = join(dir, 'start-daemon');
    writeFileSync(startScript, `#!/bin/sh\necho "start requested" >> ${startMarker}\n`, { mode: 0o755 });
    lab = await DaemonLab.create({ nodes: 2, links: ['crossover', 'switch'], serial: false, linkKind: 'udp-unicast', cliPath: builtCli, fencing: true });
    const created = await lab.request(0, 'cib-change', { change: { op: 'put-resource', resource: dummy }, user: 'root', client: 'integration-test' });
    if (!created.ok) throw new Error(`cannot create ${RESOURCE}: ${created.error.message}`);
    await waitForPlacement(lab, RESOURCE, undefined);
    terminal = await SerialConsole.start(['--socket', lab.socketPath(0), '--state-dir', lab.stateDir(0), '--config', lab.configPath, '--start-command', startScript, '--start-timeout', '60s']);
  }, 120_000);

  afterAll(async () => {
    await terminal?.destroy();
    await lab?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const names = (): { readonly self: string; readonly peer: string } => ({ self: lab.nodeName(0), peer: lab.nodeName(1) });
  const placement = async (): Promise<string | undefined> => (await statusOverSocket(lab, 0)).resources.find((r) => r.id === RESOURCE)?.active[0]?.node;
  const backToMenu = (): Promise<string[]> => terminal.choose('0', MAIN_MENU);

  it('shows the main menu with the cluster in one line', async () => {
    const rows = await terminal.waitFor(/All nodes online, no failures\./);
    expect(rows.join('\n')).toContain(`cluster ${(await statusOverSocket(lab, 0)).cluster.name}, this node ${names().self}`);
    expect(rows.join('\n')).toMatch(/10 {2}First-boot setup/);
  });

  it('1: cluster status lists nodes, DC, quorum, links per peer, resources and failures', async () => {
    const where = await placement();
    const rows = (await terminal.choose('1', /Heartline: cluster status[\s\S]*Failures: none/)).join('\n');
    expect(rows).toMatch(/Quorum: yes \(2 of 2 votes\)/);
    expect(rows).toMatch(new RegExp(`^  ${names().peer}\\s+online`, 'm'));
    expect(rows).toMatch(new RegExp(`^  ${names().peer}: link0 up .*; link1 up`, 'm'));
    expect(rows).toMatch(new RegExp(`^  ${RESOURCE}\\s+Started on ${where ?? '?'}`, 'm'));
    await terminal.choose('r', /Heartline: cluster status/);
    await backToMenu();
  });

  it('7, 8, 9: link health, recent events and the availability report', async () => {
    const links = (await terminal.choose('7', /Heartline: link health[\s\S]*Frames:/)).join('\n');
    expect(links).toMatch(new RegExp(`^${names().peer}\\s+link0\\s+up`, 'm'));
    await backToMenu();
    const events = (await terminal.choose('8', /Heartline: recent events/)).join('\n');
    expect(events).toMatch(/node-up|daemon-start/);
    await backToMenu();
    const availability = (await terminal.choose('9', /Heartline: availability report[\s\S]*Window/)).join('\n');
    expect(availability).toMatch(new RegExp(`${RESOURCE}: availability`));
    await backToMenu();
  });

  it('2: puts a node in standby and back online, each after a confirmation', async () => {
    const peer = names().peer;
    await terminal.choose('2', /Heartline: node standby \/ online/);
    await terminal.choose('2', new RegExp(`Put node ${peer} in standby[\\s\\S]*Same as: heartline node standby ${peer}[\\s\\S]*Do it\\? \\(yes/no\\):`));
    await terminal.choose('yes', new RegExp(`Heartline: done: node ${peer} standby[\\s\\S]*The cluster accepted the change`));
    await eventually(async () => ((await statusOverSocket(lab, 0)).nodes.find((n) => n.name === peer)?.state === 'standby' ? true : undefined), { what: `${peer} in standby`, timeoutMs: 15_000 });
    await terminal.choose('', MAIN_MENU);
    await terminal.choose('2', /Heartline: node standby \/ online/);
    await terminal.choose('2', new RegExp(`Take node ${peer} out of standby`));
    await terminal.choose('y', new RegExp(`Heartline: done: node ${peer} online`));
    await eventually(async () => ((await statusOverSocket(lab, 0)).nodes.find((n) => n.name === peer)?.state === 'online' ? true : undefined), { what: `${peer} online`, timeoutMs: 15_000 });
    await terminal.choose('', MAIN_MENU);
  });

  it('3: stops and starts a resource, cancels a move, and says when there is no move to clear', async () => {
    await terminal.choose('3', /Heartline: move, stop or start a resource[\s\S]*1 {2}dummy/);
    await terminal.choose('1', /Heartline: resource dummy[\s\S]*2 {2}Stop it/);
    await terminal.choose('2', /confirm: stop dummy[\s\S]*heartline resource disable dummy/);
    await terminal.choose('yes', /done: stop dummy/);
    await waitForPlacement(lab, RESOURCE, 'stopped');
    await terminal.choose('', MAIN_MENU);
    await terminal.choose('3', /1 {2}dummy\s+Stopped \(disabled\)/);
    await terminal.choose('1', /Heartline: resource dummy/);
    await terminal.choose('3', /confirm: start dummy/);
    await terminal.choose('yes', /done: start dummy/);
    const started = await waitForPlacement(lab, RESOURCE, undefined);
    await terminal.choose('', MAIN_MENU);
    // A move, declined at the confirmation: nothing changes.
    const other = started === names().self ? names().peer : names().self;
    await terminal.choose('3', /1 {2}dummy/);
    await terminal.choose('1', /Heartline: resource dummy/);
    await terminal.choose('1', /Heartline: move dummy to/);
    const target = (await terminal.screen()).map((row) => new RegExp(`^\\s*(\\d+)\\s+${other}\\s`).exec(row)?.[1]).find((n) => n !== undefined) ?? '';
    await terminal.choose(target, new RegExp(`confirm: move dummy to ${other}`));
    await terminal.choose('no', /Cancelled: move dummy to .* was not done\./);
    expect(await placement()).toBe(started);
    await terminal.choose('3', /1 {2}dummy/);
    await terminal.choose('1', /Heartline: resource dummy/);
    await terminal.choose('4', /Nothing to do: 'dummy' has no move or ban constraints/);
    await terminal.choose('', MAIN_MENU);
  });

  it('5: switches over, and the resource really moves to the peer', async () => {
    const from = await placement();
    const to = from === names().self ? names().peer : names().self;
    await terminal.choose('5', new RegExp(`confirm: switch over from ${from ?? '?'} to ${to}[\\s\\S]*Move dummy from`));
    await terminal.choose('yes', new RegExp(`done: switch over[\\s\\S]*Every resource now runs on ${to}:[\\s\\S]*dummy: Started on ${to}`), { timeoutMs: 60_000 });
    expect(await waitForPlacement(lab, RESOURCE, to)).toBe(to);
    // The agent really runs there, and only there.
    const runsOn = [0, 1].filter((node) => existsSync(join(lab.rscTmpDir(node), `Dummy-${RESOURCE}.state`))).map((node) => lab.nodeName(node));
    expect(runsOn).toEqual([to]);
    await terminal.choose('', MAIN_MENU);
    // Clear the move it left, through the menu.
    await terminal.choose('3', /1 {2}dummy/);
    await terminal.choose('1', /Heartline: resource dummy/);
    await terminal.choose('4', /confirm: clear moves of dummy/);
    await terminal.choose('yes', /done: clear moves of dummy/);
    await terminal.choose('', MAIN_MENU);
    const constraints = await lab.request(0, 'cib-query');
    expect(constraints.ok && JSON.stringify((constraints.result as { cib: { configuration: { constraints: unknown[] } } }).cib.configuration.constraints)).not.toContain('cli-prefer-dummy');
  });

  it('4: clears a real failure of the resource', async () => {
    await terminal.choose('4', /There are no failures to clear/);
    await terminal.choose('', MAIN_MENU);
    // The resource's state file vanishes where it runs: its monitor fails and counts a failure.
    const where = await placement();
    const node = [0, 1].find((n) => lab.nodeName(n) === where) as number;
    unlinkSync(join(lab.rscTmpDir(node), `Dummy-${RESOURCE}.state`));
    await eventually(async () => ((await statusOverSocket(lab, 0)).failures.failCounts.length > 0 ? true : undefined), { what: 'a fail count of dummy', timeoutMs: 30_000 });
    await terminal.choose('4', /Heartline: clear failures[\s\S]*dummy on [\s\S]*fail-count/);
    await terminal.choose('a', /confirm: clear all failures|confirm: clear failures of dummy/);
    await terminal.choose('yes', /done: clear/);
    await eventually(async () => {
      const report = await statusOverSocket(lab, 0);
      return report.failures.failCounts.length === 0 && report.failures.failedOperations.length === 0 ? true : undefined;
    }, { what: 'no failures left', timeoutMs: 30_000 });
    await terminal.choose('', MAIN_MENU);
  });

  it('6: refuses to fence the peer when the typed name is wrong; the peer is not fenced', async () => {
    const peer = names().peer;
    await terminal.choose('6', new RegExp(`confirm: fence ${peer}[\\s\\S]*Type ${peer} to fence it:`));
    await terminal.choose(`${peer}x`, new RegExp(`failed: fence ${peer}[\\s\\S]*Refused: you typed '${peer}x', not '${peer}'\\.[\\s\\S]*${peer} was not fenced`));
    await terminal.choose('', MAIN_MENU);
    expect(existsSync(lab.fenceLog) ? readFileSync(lab.fenceLog, 'utf8') : '').not.toContain(peer);
    const report = await statusOverSocket(lab, 0);
    expect(report.nodes.map((n) => n.state)).toEqual(['online', 'online']);
    expect(report.fencing.recent).toEqual([]);
  });

  it('says when the daemon is down, offers to start it, runs the start command and sees it answer', async () => {
    await lab.kill(0, 'SIGTERM');
    await terminal.choose('', /The heartline daemon is NOT RUNNING on this node\.[\s\S]*s {2}Start the daemon/);
    // A screen that needs the daemon says so too, with the way back.
    await terminal.choose('1', /Heartline: the daemon is not running[\s\S]*1 {2}Start the daemon now/);
    await terminal.choose('0', MAIN_MENU);
    await terminal.choose('s', /confirm: start the daemon[\s\S]*Run: /);
    await terminal.enter('yes');
    await eventually(() => (existsSync(startMarker) ? true : undefined), { what: 'the start command ran', timeoutMs: 15_000 });
    await lab.start(0);
    await terminal.waitFor(/done: start the daemon[\s\S]*The daemon answers: cluster/, { timeoutMs: 60_000 });
    await terminal.choose('', MAIN_MENU);
  });

  it('quits on q; no screen ever exceeded 80x24, each began with its title', async () => {
    await terminal.enter('q');
    expect(await terminal.exited(10_000)).toEqual({ code: 0, signal: null });
    expect(terminal.screens.length).toBeGreaterThan(30);
    for (const rows of terminal.screens) {
      expect(rows.length).toBeLessThanOrEqual(TERMINAL_ROWS);
      for (const row of rows) expect(row.length).toBeLessThanOrEqual(TERMINAL_COLUMNS);
      // A screen taller than the terminal would have scrolled its title off the top.
      if (rows.some((row) => row.startsWith('Heartline: '))) expect(rows[0]).toMatch(/^Heartline: /);
    }
  });
});
