// The operator's configuration commands (resource, constraint, node, config show|history|rollback|
// export|import), run in-process without a daemon: every bad request is refused with exit code 2
// and a message naming the option before anything is sent (so these run with a socket where no
// daemon listens), a good request gets as far as the daemon (exit 3, unreachable), --json gives one
// error document, and each command's help explains itself with examples. The exchange with a
// running daemon is tested end to end in the integration tests.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigurationVersion } from '../../../src/cli/commands/config.js';
import { constraintText, renderConfiguration } from '../../../src/cli/configuration-view.js';
import { buildResourceCreate, buildLocationConstraint } from '../../../src/ha/admin/index.js';
import { applyCibChange, emptyCib, type Cib, type CibChange } from '../../../src/ha/cib/index.js';
import { cli } from './run-cli-in-process.js';

let scratch: string;
let socket: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'heartline-admin-cli-'));
  socket = join(scratch, 'nobody-listens.sock');
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('requests refused before anything is sent (exit 2, the option named)', () => {
  it.each([
    [['resource', 'create', 'vip', 'ocf:heartbeat'], 'AGENT: "ocf:heartbeat" is not ocf:PROVIDER:TYPE'],
    [['resource', 'create', 'vip', 'ocf:heartbeat:IPaddr2', 'ip'], "name=value: 'ip' is not name=value"],
    [['resource', 'create', 'vip', 'ocf:heartbeat:IPaddr2', '--meta', 'target-rol=Stopped'], "did you mean 'target-role'?"],
    [['resource', 'create', 'vip', 'ocf:heartbeat:IPaddr2', '--op', 'monitor intervl=10s'], "--op monitor: 'intervl' is not an operation option; did you mean 'interval'?"],
    [['resource', 'create', 'vip', 'ocf:heartbeat:IPaddr2', '--group', 'g', '--clone'], '--group: a group member cannot be cloned'],
    [['resource', 'update', 'vip'], 'nothing to change'],
    [['resource', 'update', 'vip', '--meta', 'is-managed=perhaps'], "--meta: 'perhaps' is not a valid value for is-managed"],
    [['constraint', 'add', 'location', 'l', 'vip', 'likes', 'node1'], "prefers|avoids: 'likes' is neither 'prefers' nor 'avoids'"],
    [['constraint', 'add', 'location', 'l', 'vip', 'prefers', 'node1=much'], "NODE=SCORE: 'much' is not a score"],
    [['constraint', 'add', 'colocation', 'c', 'a', 'and', 'b'], "with: expected the word 'with'"],
    [['constraint', 'add', 'order', 'o', 'a', 'then', 'b', '--kind', 'Mandatry'], "--kind: 'Mandatry' is not one of Mandatory, Optional, Serialize; did you mean 'Mandatory'?"],
    [['config', 'rollback', 'yesterday'], "VERSION: 'yesterday' is not a configuration version"],
    [['config', 'history', '--limit', 'ten'], "--limit: 'ten' is not a whole number"],
    [['config', 'export', '--format', 'crm-shell'], "--format: 'crm-shell' is not a format"],
    [['config', 'show', '--xml', '--json'], '--xml and --json'],
  ])('%j', async (argv, message) => {
    const run = await cli(...argv, '--socket', socket);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
  });

  it('a malformed XML import is refused with its line, and nothing is sent', async () => {
    const file = join(scratch, 'bad.xml');
    await writeFile(file, '<cib admin_epoch="0" epoch="1" num_updates="0">\n<configuration>\n</cib>\n');
    const run = await cli('config', 'import', file, '--socket', socket, '--json');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/bad\.xml: malformed XML at line \d+/);
    expect(JSON.parse(run.out)).toMatchObject({ ok: false, error: { code: 'bad-cib', hint: expect.stringContaining('nothing was sent') as unknown } });
  });

  it('an import the model cannot represent is refused, naming the element', async () => {
    const file = join(scratch, 'invalid.xml');
    await writeFile(file, '<cib admin_epoch="0" epoch="1" num_updates="0"><configuration><crm_config/><nodes/><resources><primitive id="p" class="ocf" provider="heartbeat"/></resources><constraints/></configuration><status/></cib>');
    const run = await cli('config', 'import', file, '--socket', socket);
    expect(run.code).toBe(2);
    expect(run.err).toContain("primitive[@id='p']");
  });

  it('import --dry-run checks a good file, prints its warnings and sends nothing', async () => {
    const file = join(scratch, 'good.xml');
    await writeFile(
      file,
      '<cib admin_epoch="0" epoch="3" num_updates="0"><configuration><crm_config/><nodes><node id="1" uname="n1"/></nodes><resources>' +
        '<primitive id="p" class="ocf" provider="heartbeat" type="Dummy" frobnicate="yes"/></resources><constraints>' +
        '<rsc_location id="l" rsc="p" node="n1" score="10"/></constraints></configuration><status/></cib>',
    );
    const run = await cli('config', 'import', file, '--dry-run', '--socket', socket);
    expect(run.code).toBe(0);
    expect(run.out).toContain('good.xml: OK (1 resource, 1 constraint, 1 warning); nothing sent (--dry-run)');
    expect(run.err).toMatch(/heartline: warning: .*good\.xml: .*frobnicate/);
  });
});

describe('good requests go to the daemon', () => {
  it.each([
    ['resource', 'create', 'vip', 'ocf:heartbeat:IPaddr2', 'ip=192.0.2.10', '--op', 'monitor interval=10s'],
    ['resource', 'delete', 'vip', '--force'],
    ['resource', 'move', 'vip', 'node2'],
    ['resource', 'ban', 'vip', 'node2'],
    ['resource', 'clear', 'vip'],
    ['resource', 'cleanup', 'vip', '--node', 'node1'],
    ['resource', 'enable', 'vip'],
    ['resource', 'disable', 'vip'],
    ['resource', 'update', 'vip', 'ip=192.0.2.11'],
    ['constraint', 'add', 'location', 'l', 'vip', 'avoids', 'node1=100'],
    ['constraint', 'add', 'colocation', 'c', 'web', 'with', 'vip', '--score', '-INFINITY'],
    ['constraint', 'add', 'order', 'o', 'vip', 'then', 'web', '--no-symmetrical'],
    ['constraint', 'remove', 'l'],
    ['node', 'standby', 'node1'],
    ['node', 'online', 'node1'],
    ['config', 'show'],
    ['config', 'history'],
    ['config', 'rollback', '0.12'],
    ['config', 'export', '--format', 'pacemaker-xml'],
  ])('%s %s %s: exit 3 with the socket named when no daemon listens', async (...argv) => {
    const run = await cli(...argv, '--socket', socket, '--json');
    expect(run.code).toBe(3);
    expect(run.err).toContain(`cannot reach the heartline daemon on ${socket}`);
    expect(JSON.parse(run.out)).toMatchObject({ ok: false, error: { code: 'unreachable' } });
  });
});

describe('help', () => {
  it.each([
    ['resource', 'create'],
    ['resource', 'move'],
    ['resource', 'cleanup'],
    ['constraint', 'add', 'colocation'],
    ['node', 'standby'],
    ['config', 'rollback'],
    ['config', 'import'],
  ])('%s %s explains itself with examples and exit codes', async (...argv) => {
    const run = await cli(...argv, '--help');
    expect(run.code).toBe(0);
    expect(run.out).toContain('Examples:');
    expect(run.out).toContain('--socket');
    expect(run.out).toContain('--json');
  });

  it('the top-level help lists the new commands', async () => {
    const { out } = await cli('--help');
    for (const command of ['resource', 'constraint', 'node', 'config']) expect(out).toMatch(new RegExp(`^\\s+${command}\\s`, 'm'));
  });
});

describe('parseConfigurationVersion', () => {
  it.each([
    ['0.12', { adminEpoch: 0, epoch: 12 }],
    ['1.7.33', { adminEpoch: 1, epoch: 7 }],
  ])('%s', (text, expected) => {
    expect(parseConfigurationVersion(text)).toEqual(expected);
  });
});

describe('config show text', () => {
  function cibWith(...changes: CibChange[]): Cib {
    const empty = emptyCib();
    if (!empty.ok) throw new Error(empty.error);
    let cib = empty.value;
    for (const change of changes) {
      const next = applyCibChange(cib, change, { now: 0, origin: 'n', user: 'u' });
      if (!next.ok) throw new Error(next.error.message);
      cib = next.value;
    }
    return cib;
  }

  it('lists nodes, resources with agent, parameters and operations, and constraints in command words', () => {
    const start = cibWith({ op: 'put-node', node: { id: '1', uname: 'node1', instanceAttributes: [] } });
    const vip = buildResourceCreate({ id: 'vip', agent: 'ocf:heartbeat:IPaddr2', params: ['ip=192.0.2.10'], meta: [], ops: [], group: 'site' }, start.configuration);
    const location = buildLocationConstraint({ id: 'site-on-node1', resource: 'site', relation: 'prefers', node: 'node1=100' });
    if (!vip.ok || !location.ok) throw new Error('refused');
    const text = renderConfiguration(cibWith({ op: 'put-node', node: { id: '1', uname: 'node1', instanceAttributes: [] } }, vip.value, location.value), '0.3.0');
    expect(text.split('\n')).toEqual(
      expect.arrayContaining(['CIB version 0.3.0', '  node1 (id 1)', '  group site', '    vip (ocf:heartbeat:IPaddr2)', '        params: ip=192.0.2.10', '        op monitor interval=10s timeout=20s', '  location site-on-node1 site prefers node1=100']),
    );
  });

  it('writes each constraint kind as the words that create it', () => {
    expect(constraintText({ kind: 'location', id: 'b', subject: { kind: 'resource', rsc: 'r' }, placement: { kind: 'node', node: 'n', score: -1_000_000 } })).toBe('location b r avoids n=INFINITY');
    expect(constraintText({ kind: 'colocation', id: 'c', score: -50, subject: { kind: 'pair', rsc: 'a', withRsc: 'b', withRscRole: 'Promoted' } })).toBe('colocation c a with b:Promoted -50');
    expect(constraintText({ kind: 'order', id: 'o', orderKind: 'Optional', subject: { kind: 'pair', first: 'a', then: 'b', firstAction: 'promote' } })).toBe('order o promote a then promote b (Optional)');
  });
});
