// The daemon's storage wiring over a fencing disk in a temporary file: the watcher starts on this
// node's slot and pets the stand-in; the quorum disk decides quorum only when a two-node cluster
// is split, after the lease is taken, and a lease change asks the daemon to re-apply its view; a
// pill in the slot at start (mode clean) and a node without a slot stop the start with the fix.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatConfigIssue, parseConfig, type HeartlineConfig } from '../../../src/config/index.js';
import type { ClusterView } from '../../../src/daemon/membership-driver.js';
import { startDaemonStorage } from '../../../src/daemon/daemon-storage.js';
import { silentLogger, type NodeId } from '../../../src/lib/index.js';
import { resolveDiskTimeouts } from '../../../src/storage/disk-format/index.js';
import { FileBlockDevice, SharedDisk } from '../../../src/storage/index.js';
import { ManualClock } from '../ha/lrm/lrm-test-kit.js';

let dir: string;
let diskPath: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'heartline-daemon-storage-'));
  diskPath = join(dir, 'fence.img');
  await writeFile(diskPath, new Uint8Array(64 * 1024));
  const device = FileBlockDevice.open(diskPath);
  if (!device.ok) throw new Error(device.error);
  const timeouts = resolveDiskTimeouts({ watchdogTimeoutMs: 2000 });
  if (!timeouts.ok) throw new Error(timeouts.error.join('; '));
  const made = SharedDisk.initialize(device.value, { nodes: ['alpha', 'beta'], timeouts: timeouts.value, sectorSize: 512, diskId: 'cd'.repeat(16), wallNow: 0 });
  if (!made.ok) throw new Error(made.error);
  made.value.close();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** heartline.yaml without a storage section, plus one pointing at the test's disk (a file: the schema wants /dev/ paths). */
function config(wanted: { readonly diskFencing?: boolean; readonly quorumDisk?: boolean }): HeartlineConfig {
  const text = 'cluster: { name: c1, id: 7 }\nnodes:\n  - { name: alpha, id: 1 }\n  - { name: beta, id: 2 }\nlinks:\n  - name: cross\n    kind: udp-unicast\n    addresses: { alpha: 10.0.0.1, beta: 10.0.0.2 }\n';
  const parsed = parseConfig(text, 'test.yaml');
  if (!parsed.ok) throw new Error(parsed.error.map(formatConfigIssue).join('\n'));
  return {
    ...parsed.value,
    storage: {
      ...(wanted.diskFencing === true ? { diskFencing: { device: diskPath, watchdog: '/dev/watchdog', watchdogStandIn: join(dir, '{node}-wd.json'), startMode: 'clean' as const } } : {}),
      ...(wanted.quorumDisk === true ? { quorumDisk: { device: diskPath } } : {}),
    },
  };
}

const view = (members: number[], quorate: boolean): ClusterView => ({ members: members.map((id) => ({ id: id as NodeId, incarnation: 1 })), dc: (members[0] ?? null) as NodeId | null, quorate });

async function run(clock: ManualClock, ms: number): Promise<void> {
  for (let elapsed = 0; elapsed < ms; elapsed += 50) {
    clock.advance(50);
    for (let turn = 0; turn < 5; turn++) await Promise.resolve();
  }
}

describe('daemon storage', () => {
  it('runs the watcher and lets the lease decide quorum only in a two-node split', async () => {
    const clock = new ManualClock();
    let changes = 0;
    const started = startDaemonStorage({ config: config({ diskFencing: true, quorumDisk: true }), nodeName: 'alpha', clock, logger: silentLogger, onSelfFence: () => {}, onQuorumDiskChange: () => changes++ });
    if (!started.ok) throw new Error(started.error.message);
    const storage = started.value;
    expect(JSON.parse(await readFile(join(dir, 'alpha-wd.json'), 'utf8'))).toMatchObject({ state: 'armed' });
    expect(storage.adjustView(view([1, 2], true)).quorate).toBe(true);
    expect(storage.adjustView(view([1], true)).quorate).toBe(false); // split, no lease yet
    await run(clock, 3000);
    expect(changes).toBe(1);
    expect(storage.status()).toMatchObject({ quorumDisk: { holds: true }, diskFencing: { node: 'alpha', petting: true } });
    expect(storage.adjustView(view([1], true)).quorate).toBe(true);
    expect(storage.adjustView(view([1, 2], false)).quorate).toBe(false); // both present: membership decides
    storage.close();
    expect(JSON.parse(await readFile(join(dir, 'alpha-wd.json'), 'utf8'))).toMatchObject({ state: 'closed' });
  });

  it('refuses to start on a slot holding a pill, and for a node without a slot, with the fix', () => {
    const opened = SharedDisk.openPath(diskPath);
    if (!opened.ok) throw new Error(opened.error);
    opened.value.sendMessage('alpha', 'poison', 'beta', 0);
    opened.value.close();
    const clock = new ManualClock();
    const options = { clock, logger: silentLogger, onSelfFence: () => {}, onQuorumDiskChange: () => {} };
    const pill = startDaemonStorage({ ...options, config: config({ diskFencing: true }), nodeName: 'alpha' });
    expect(pill.ok ? '' : pill.error.message).toMatch(/holds 'poison' for alpha .* clear/);
    const stranger = startDaemonStorage({ ...options, config: config({ diskFencing: true }), nodeName: 'gamma' });
    expect(stranger.ok ? '' : stranger.error.message).toMatch(/node 'gamma' has no slot/);
  });
});
