// `heartline storage create-failover-fs` and `create-clustered-fs` run in-process against a CIB
// file (--cib): --dry-run prints the change and its XML and leaves the file alone; without it the
// file gets the whole change (and `heartline simulate` reads it); refusals exit 2 naming the option
// and leave the file unchanged; --profile takes the shipped appliance's storage_layout.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importCibXml } from '../../../src/ha/cib/index.js';
import { cli } from './run-cli-in-process.js';

const CIB = `<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.0"><configuration><crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="node-a"/><node id="2" uname="node-b"/><node id="3" uname="node-c"/></nodes><resources/><constraints/></configuration>
<status>${['1', '2', '3'].map((id) => `<node_state id="${id}" uname="node-${'abc'[Number(id) - 1] ?? ''}" in_ccm="true" crmd="online" join="member" expected="member"/>`).join('')}</status></cib>`;

let scratch: string;
let file: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'heartline-layouts-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});
beforeEach(async () => {
  file = join(scratch, 'cib.xml');
  await writeFile(file, CIB);
});

function resourceIds(xml: string): string[] {
  const imported = importCibXml(xml);
  if (!imported.ok) throw new Error('not a CIB');
  return imported.value.cib.configuration.resources.map((r) => r.id ?? '');
}

describe('heartline storage create-clustered-fs --cib', () => {
  const args = ['storage', 'create-clustered-fs', '--name', 'shared', '--vg', 'vg_shared', '--lv', 'lv_data', '--directory', '/srv/shared', '--fstype', 'gfs2'];

  it('--dry-run prints the change and its XML and leaves the file as it was', async () => {
    const run = await cli(...args, '--cib', file, '--dry-run');
    expect(run.code).toBe(0);
    expect(run.out).toContain('dry run, nothing changed');
    expect(run.out).toContain('constraint order shared-after-locking start locking-clone then start shared-clone');
    expect(run.out).toContain('<clone id="shared-clone">');
    expect(run.out).toContain('<nvpair id="cib-bootstrap-options-no-quorum-policy" name="no-quorum-policy" value="freeze"/>');
    expect(await readFile(file, 'utf8')).toBe(CIB);
    const json = JSON.parse((await cli(...args, '--cib', file, '--dry-run', '--json')).out) as { ok: boolean; dryRun: boolean; change: { op: string; changes: unknown[] }; xml: string };
    expect(json).toMatchObject({ ok: true, dryRun: true, change: { op: 'batch' } });
    expect(json.change.changes).toHaveLength(5); // the property, two clones, order, colocation
    expect(json.xml).toContain('<rsc_colocation id="shared-with-locking" score="INFINITY" rsc="shared-clone" with-rsc="locking-clone"/>');
  });

  it('writes the whole stack into the file, which the policy engine then starts on every node', async () => {
    const run = await cli(...args, '--cib', file);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`written to ${file} (CIB version 0.2.0)`);
    expect(resourceIds(await readFile(file, 'utf8'))).toEqual(['locking-clone', 'shared-clone']);
    const simulated = await cli('simulate', file);
    expect(simulated.out.split('\n').filter((l) => l.includes('Start') && l.includes('shared-fs'))).toHaveLength(3);
  });

  it.each([
    [['--fstype', 'ext4'], "--fstype: 'ext4' is not a cluster filesystem"],
    [['--nodes', 'node-a,node-z'], "--nodes: 'node-z' is not a node of the cluster"],
    [['--clone-max', 'two'], "--clone-max: 'two' is not a whole number"],
  ])('refuses %j with exit 2, the file unchanged', async (extra, message) => {
    const run = await cli(...args, ...extra, '--cib', file);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
    expect(await readFile(file, 'utf8')).toBe(CIB);
  });

  it('refuses a name that exists already; nothing is half-applied', async () => {
    expect((await cli(...args, '--cib', file)).code).toBe(0);
    const written = await readFile(file, 'utf8');
    const again = await cli(...args, '--cib', file);
    expect(again.code).toBe(2);
    expect(again.err).toContain("--name: 'shared-clone' would be created, but resource 'shared-clone' exists already");
    expect(await readFile(file, 'utf8')).toBe(written);
  });

  it('requires --vg (no profile to take it from)', async () => {
    const run = await cli('storage', 'create-clustered-fs', '--name', 'x', '--lv', 'l', '--directory', '/x', '--fstype', 'gfs2', '--cib', file);
    expect(run.code).toBe(2);
    expect(run.err).toContain('--vg is required');
  });
});

describe('heartline storage create-failover-fs --cib', () => {
  it('N+1: two groups with their preferences and one backup, each one change', async () => {
    for (const [name, prefer] of [['db1', 'node-a'], ['db2', 'node-b']] as const) {
      const run = await cli('storage', 'create-failover-fs', '--name', name, '--device', `LABEL=${name}`, '--fstype', 'xfs', '--directory', `/srv/${name}`, '--service', 'ocf:heartline:Dummy', `state=/run/${name}`, '--prefer', prefer, '--backup', 'node-c', '--cib', file);
      expect(run.code, run.err).toBe(0);
    }
    const simulated = (await cli('simulate', file)).out;
    expect(simulated).toMatch(/Start\s+db1-fs\s+\(\s*node-a\s*\)/);
    expect(simulated).toMatch(/Start\s+db2-fs\s+\(\s*node-b\s*\)/);
    expect(simulated).not.toContain('node-c');
  });

  it('--profile takes the device, filesystem and mmp from the appliance storage_layout; options win', async () => {
    const run = await cli('storage', 'create-failover-fs', '--profile', 'generic-2node-ipmi-sbd', '--name', 'data', '--directory', '/srv/other', '--cib', file, '--dry-run', '--json');
    expect(run.code, run.err).toBe(0);
    const { xml } = JSON.parse(run.out) as { xml: string };
    expect(xml).toContain('name="device" value="/dev/disk/by-id/scsi-shared-data"');
    expect(xml).toContain('name="mmp" value="require"');
    expect(xml).toContain('name="directory" value="/srv/other"');
  });

  it('--profile of an appliance without storage_layout is refused', async () => {
    const run = await cli('storage', 'create-failover-fs', '--profile', 'generic-2node-ipmi', '--name', 'x', '--cib', file);
    expect(run.code).toBe(2);
    expect(run.err).toContain("appliance 'generic-2node-ipmi' has no storage_layout");
  });

  it('a change the CIB refuses exits 1 with the field, and the file is unchanged', async () => {
    await writeFile(file, CIB.replace('<resources/>', '<resources><primitive id="db-fs-start-interval-0" class="ocf" provider="heartline" type="Dummy"/></resources>'));
    const before = await readFile(file, 'utf8');
    const run = await cli('storage', 'create-failover-fs', '--name', 'db', '--device', '/dev/sdb', '--fstype', 'ext4', '--directory', '/srv/db', '--cib', file);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/changes\[0\]\..*db-fs-start-interval-0/);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('has help with examples', async () => {
    const run = await cli('storage', 'create-failover-fs', '--help');
    expect(run.out).toContain('--prefer <node>');
    expect(run.out).toContain('Examples:');
  });
});
