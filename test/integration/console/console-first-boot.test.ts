// Goal: a new appliance is set up from the serial console: with no configuration and no daemon,
// the menu says both, and first-boot setup (pick the shipped test profile, name the node, give the
// link subnets, generate the key) writes a heartline.yaml that `heartline config check` accepts,
// a key file of mode 600 and the node name for the service, then runs the start command. A second
// node, still with the package's template configuration, imports the first one's key from a file.
// No screen exceeds 80x24.
// Method: `heartline console --device` on a socat null-modem, tmux (80x24, TERM=vt100, NO_COLOR=1)
// on the other end; every file in a temporary folder; the start command is a script that leaves a
// mark (no daemon is started, so the menu then says the daemon does not answer).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { eventually } from '../harness/eventually.js';
import { builtCli } from '../harness/fixture-program.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { SerialConsole, TERMINAL_COLUMNS, TERMINAL_ROWS } from '../harness/serial-console.js';

const run = promisify(execFile);

describeWithPrerequisites('first-boot setup from the serial console', ['setpriv', 'socat', 'tmux'], () => {
  let dir: string;
  let terminal: SerialConsole | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heartline-console-setup-'));
    writeFileSync(join(dir, 'start-daemon'), `#!/bin/sh\necho "$0" >> ${join(dir, 'start-requested')}\n`, { mode: 0o755 });
  });

  afterEach(async () => {
    const screens = terminal?.screens ?? [];
    await terminal?.destroy();
    terminal = undefined;
    for (const rows of screens) {
      expect(rows.length).toBeLessThanOrEqual(TERMINAL_ROWS);
      for (const row of rows) expect(row.length).toBeLessThanOrEqual(TERMINAL_COLUMNS);
      if (rows.some((row) => row.startsWith('Heartline: '))) expect(rows[0]).toMatch(/^Heartline: /);
    }
  });

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const startConsole = (node: string): Promise<SerialConsole> =>
    SerialConsole.start(['--socket', join(dir, node, 'no-daemon.sock'), '--config', join(dir, node, 'etc/heartline.yaml'), '--defaults-file', join(dir, node, 'default/heartline'), '--state-dir', join(dir, node, 'state'), '--start-command', join(dir, 'start-daemon'), '--start-timeout', '2s']);

  /** Walks setup up to the key screen: profile heartline-testbed, node `node`, both subnets. */
  async function setupUpToKey(console: SerialConsole, node: string): Promise<void> {
    const rows = await console.choose('10', /first-boot setup 1\/5: hardware profile[\s\S]*heartline-testbed/);
    const number = rows.map((row) => /^\s*(\d+)\s+heartline-testbed /.exec(row)?.[1]).find((n) => n !== undefined) ?? '';
    const nodes = await console.choose(number, /first-boot setup 2\/5: this node/);
    const nodeNumber = nodes.map((row) => new RegExp(`^\\s*(\\d+)\\s+${node}$`).exec(row)?.[1]).find((n) => n !== undefined) ?? '';
    await console.choose(nodeNumber, /3\/5: link link0 \(1 of 2\)[\s\S]*Subnet of link0/);
    // A wrong answer is refused in words and asked again.
    await console.choose('10.213.1.0', /'10\.213\.1\.0' is not NETWORK\/PREFIX/);
    await console.choose('10.213.1.0/24', /3\/5: link link1 \(2 of 2\)/);
    await console.choose('10.213.2.0/24', /4\/5: cluster key/);
  }

  /** Skips the three secret prompts (bmc-a shown already) up to the plan. */
  async function skipSecrets(console: SerialConsole): Promise<void> {
    await console.choose('', /fence secret bmc-b \(2 of 3\)/);
    await console.choose('', /fence secret pdu-community \(3 of 3\)/);
    await console.choose('', /confirm: write the configuration[\s\S]*REPLACE/);
  }

  it('sets up the first node: the menu says what is missing, setup writes the files and runs the start command', async () => {
    terminal = await startConsole('a');
    const menu = (await terminal.waitFor(/Heartline: main menu/)).join('\n');
    expect(menu).toContain('This node is not set up:');
    expect(menu).toContain('The heartline daemon is NOT RUNNING on this node.');
    await setupUpToKey(terminal, 'a');
    // The profile's fence devices name three secrets: two are typed (masked), one is skipped.
    const secretPrompt = await terminal.choose('1', /5\/5: fence secret bmc-a \(1 of 3\)[\s\S]*IPMI password[\s\S]*bmc-a \(Enter skips/);
    expect(secretPrompt.join('\n')).toContain(join(dir, 'a/etc/secrets'));
    const typed = await terminal.choose('bmc-a-pass', /fence secret bmc-b \(2 of 3\)/);
    expect(typed.join('\n')).not.toContain('bmc-a-pass');
    await terminal.choose('bmc-b-pass', /fence secret pdu-community \(3 of 3\)[\s\S]*SNMP write community/);
    await terminal.choose('', /confirm: write the configuration[\s\S]*page 1 of 2/);
    const planEnd = (await terminal.choose('', /Write a NEW cluster key[\s\S]*page 2 of 2/)).join('\n');
    expect(planEnd).toMatch(/Write the secrets bmc-a, bmc-b to/);
    expect(planEnd).toMatch(/NOT written \(skipped\): pdu-community/);
    await terminal.choose('yes', /done: first-boot setup[\s\S]*wrote a new cluster key[\s\S]*Start it\? \(yes\/no\):/);
    await terminal.choose('yes', /failed: start the daemon[\s\S]*start-daemon: done[\s\S]*The daemon does not answer yet/, { timeoutMs: 20_000 });
    expect(readFileSync(join(dir, 'start-requested'), 'utf8')).toContain('start-daemon');
    await terminal.choose('', /Heartline: main menu/);
    expect((await terminal.screen()).join('\n')).not.toContain('This node is not set up');
    await terminal.enter('q');
    expect(await terminal.exited(10_000)).toEqual({ code: 0, signal: null });

    const config = join(dir, 'a/etc/heartline.yaml');
    const check = await run(process.execPath, [builtCli, 'config', 'check', config]);
    expect(check.stdout).toMatch(/OK \(2 nodes, 2 links\)/);
    const text = readFileSync(config, 'utf8');
    expect(text).toContain('profile: heartline-testbed');
    expect(text).toContain('a: 10.213.1.1/24');
    expect(text).toContain(`authkey: ${join(dir, 'a/etc/authkey')}`);
    expect(statSync(join(dir, 'a/etc/authkey')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'a/default/heartline'), 'utf8')).toContain('HEARTLINE_DAEMON_OPTIONS="--node a"');
    // The secrets, where the configuration says they are, readable by root only.
    expect(text).toContain(`secrets_dir: ${join(dir, 'a/etc/secrets')}`);
    expect(statSync(join(dir, 'a/etc/secrets')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(dir, 'a/etc/secrets/bmc-a'), 'utf8')).toBe('bmc-a-pass\n');
    expect(statSync(join(dir, 'a/etc/secrets/bmc-b')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'a/etc/secrets/pdu-community'))).toBe(false);
  });

  it("sets up the second node with the first node's key, and cancelling writes nothing", async () => {
    // The package's template is in place, as after `dpkg -i`: the menu still asks for setup.
    const template = readFileSync(new URL('../../../packaging/deb/heartline.yaml', import.meta.url), 'utf8');
    mkdirSync(join(dir, 'b/etc'), { recursive: true });
    writeFileSync(join(dir, 'b/etc/heartline.yaml'), template);
    terminal = await startConsole('b');
    await terminal.waitFor(/Heartline: main menu[\s\S]*This node is not set up:[\s\S]*is still the[\s\S]*package's template/);
    // Cancel at the plan: nothing is written.
    await setupUpToKey(terminal, 'b');
    await terminal.choose('1', /fence secret bmc-a \(1 of 3\)/);
    await skipSecrets(terminal);
    await terminal.enter('');
    await terminal.choose('no', /Setup cancelled: nothing was written\./);
    expect(readFileSync(join(dir, 'b/etc/heartline.yaml'), 'utf8')).toBe(template);
    expect(existsSync(join(dir, 'b/etc/authkey'))).toBe(false);
    // Import the key: a wrong path is refused in words, then the first node's file is taken.
    await setupUpToKey(terminal, 'b');
    await terminal.choose('2', /import the key[\s\S]*Path or key line/);
    await terminal.choose('/no/such/authkey', /cannot read \/no\/such\/authkey/);
    await terminal.choose(join(dir, 'a/etc/authkey'), /fence secret bmc-a \(1 of 3\)/);
    await skipSecrets(terminal);
    await terminal.enter('');
    await terminal.choose('yes', /Start it\? \(yes\/no\):/);
    await terminal.choose('no', /Setup done; the daemon was not started/);
    await terminal.enter('q');
    await eventually(async () => (await terminal?.exited(100)) ?? undefined, { what: 'the console exits', timeoutMs: 10_000 });
    expect(readFileSync(join(dir, 'b/etc/authkey'), 'utf8')).toBe(readFileSync(join(dir, 'a/etc/authkey'), 'utf8'));
    expect(readFileSync(join(dir, 'b/default/heartline'), 'utf8')).toContain('--node b');
    // The same cluster: both files differ only in their comments naming the node.
    const strip = (file: string): string => readFileSync(file, 'utf8').replace(/^#.*\n/gm, '').replaceAll(join(dir, 'a'), 'X').replaceAll(join(dir, 'b'), 'X');
    expect(strip(join(dir, 'b/etc/heartline.yaml'))).toBe(strip(join(dir, 'a/etc/heartline.yaml')));
  });
});
