// The node's side of disk fencing and the `disk` driver, over a disk in memory and a manual clock:
// a pill fences at the next loop (resources first, then the reset); `test` is acknowledged; the
// watchdog is petted while the disk or the cluster is seen and stops when both are lost; start
// mode `clean` refuses a slot holding a pill; the driver writes the pill, waits msgwait, and its
// status, list, on and abort behave as documented.
import { describe, expect, it } from 'vitest';
import { silentLogger, type Result } from '../../../src/lib/index.js';
import { resolveDiskTimeouts } from '../../../src/storage/disk-format/index.js';
import { createDiskFenceDriver, DiskWatcher, MemoryBlockDevice, SharedDisk, type ResetAction, type Watchdog } from '../../../src/storage/index.js';
import { ManualClock } from '../ha/lrm/lrm-test-kit.js';

class RecordingWatchdog implements Watchdog {
  readonly description = 'recording';
  readonly events: string[] = [];
  arm(): Result<void, string> {
    this.events.push('arm');
    return { ok: true, value: undefined };
  }
  pet(): Result<void, string> {
    this.events.push('pet');
    return { ok: true, value: undefined };
  }
  close(): void {
    this.events.push('close');
  }
  resetNow(action: ResetAction, reason: string): void {
    this.events.push(`reset ${action} ${reason}`);
  }
}

function setup() {
  const timeouts = resolveDiskTimeouts({ watchdogTimeoutMs: 2000 });
  if (!timeouts.ok) throw new Error(timeouts.error.join('; '));
  const device = new MemoryBlockDevice('/dev/mem-disk', 64 * 512);
  const clock = new ManualClock();
  const made = SharedDisk.initialize(device, { nodes: ['a', 'b'], timeouts: timeouts.value, sectorSize: 512, diskId: 'ab'.repeat(16), wallNow: clock.wallNow() });
  if (!made.ok) throw new Error(made.error);
  const reopen = (): Result<SharedDisk, string> => SharedDisk.open(device);
  return { device, clock, disk: made.value, reopen, timeouts: timeouts.value };
}

describe('DiskWatcher', () => {
  it('fences itself at the next loop when a pill arrives: resources first, then the reset', () => {
    const { clock, disk } = setup();
    const watchdog = new RecordingWatchdog();
    const fenced: string[] = [];
    const watcher = new DiskWatcher({ disk, node: 'b', watchdog, clock, logger: silentLogger, onSelfFence: (message) => fenced.push(message) });
    expect(watcher.start()).toEqual({ ok: true, value: undefined });
    clock.advance(1000);
    expect(watchdog.events.filter((e) => e === 'pet').length).toBeGreaterThanOrEqual(2);
    expect(disk.sendMessage('b', 'poison', 'a', clock.wallNow()).ok).toBe(true);
    clock.advance(400);
    expect(fenced).toEqual(['poison']);
    expect(watchdog.events.at(-1)).toMatch(/^reset reboot 'poison' from a/);
    const heartbeat = disk.readHeartbeat(1);
    expect(heartbeat.ok && heartbeat.value?.state).toBe('self-fencing');
    const pets = watchdog.events.length;
    clock.advance(5000);
    expect(watchdog.events.length).toBe(pets); // no more pets after a self-fence
  });

  it('logs and acknowledges a test message without fencing; off means power off', () => {
    const { clock, disk } = setup();
    const watchdog = new RecordingWatchdog();
    const watcher = new DiskWatcher({ disk, node: 'a', watchdog, clock, logger: silentLogger });
    watcher.start();
    disk.sendMessage('a', 'test', 'operator@host', clock.wallNow());
    clock.advance(400);
    const heartbeat = disk.readHeartbeat(0);
    expect(heartbeat.ok && heartbeat.value?.acknowledgedSequence).toBe(1);
    expect(watchdog.events.some((e) => e.startsWith('reset'))).toBe(false);
    disk.sendMessage('a', 'off', 'b', clock.wallNow());
    clock.advance(400);
    expect(watchdog.events.at(-1)).toMatch(/^reset off/);
  });

  it('pets while the disk or the cluster is seen, and stops when both are lost', () => {
    const { clock, disk, device } = setup();
    const watchdog = new RecordingWatchdog();
    let cluster = true;
    const watcher = new DiskWatcher({ disk, node: 'a', watchdog, clock, logger: silentLogger, clusterHealthy: () => cluster });
    watcher.start();
    device.failure = 'EIO';
    const before = watchdog.events.length;
    clock.advance(800);
    expect(watchdog.events.length).toBe(before + 2); // the cluster keeps it alive
    cluster = false;
    clock.advance(800);
    expect(watchdog.events.length).toBe(before + 2);
    expect(watcher.status().petting).toBe(false);
    device.failure = undefined;
    clock.advance(400);
    expect(watcher.status().petting).toBe(true);
  });

  it('refuses to start on a slot holding a pill (start mode clean), starts with always', () => {
    const { clock, disk } = setup();
    disk.sendMessage('a', 'poison', 'b', clock.wallNow());
    const clean = new DiskWatcher({ disk, node: 'a', watchdog: new RecordingWatchdog(), clock, logger: silentLogger });
    const refused = clean.start();
    expect(refused.ok ? '' : refused.error).toMatch(/holds 'poison' for a .*disk-message \/dev\/mem-disk a clear/);
    const always = new DiskWatcher({ disk, node: 'a', watchdog: new RecordingWatchdog(), clock, logger: silentLogger, startMode: 'always' });
    expect(always.start().ok).toBe(true);
    clock.advance(1000);
    expect(always.status().selfFenced).toBe(false);
    const unknown = new DiskWatcher({ disk, node: 'z', watchdog: new RecordingWatchdog(), clock, logger: silentLogger });
    const missing = unknown.start();
    expect(missing.ok ? '' : missing.error).toMatch(/node 'z' has no slot .*slots: a, b/);
  });

  it('disarms the watchdog (magic close) on a clean stop', () => {
    const { clock, disk } = setup();
    const watchdog = new RecordingWatchdog();
    const watcher = new DiskWatcher({ disk, node: 'a', watchdog, clock, logger: silentLogger });
    watcher.start();
    watcher.stop();
    expect(watchdog.events.at(-1)).toBe('close');
  });
});

describe('disk fence driver', () => {
  it('writes the pill, waits msgwait, then reports the target off', async () => {
    const { clock, reopen, disk, timeouts } = setup();
    const driver = createDiskFenceDriver({ id: 'sbd', device: '/dev/mem-disk', sender: 'a', clock, open: reopen });
    let result: unknown;
    const running = driver.run({ action: 'reboot', port: 'b' }).then((r) => (result = r));
    await Promise.resolve();
    const mailbox = disk.readMailbox(1);
    expect(mailbox.ok && mailbox.value?.message).toBe('poison');
    clock.advance(timeouts.msgwaitMs - 1);
    await Promise.resolve();
    expect(result).toBeUndefined();
    clock.advance(1);
    await running;
    expect(result).toMatchObject({ ok: true, action: 'reboot', power: 'off', elapsedMs: timeouts.msgwaitMs });
    expect(await driver.run({ action: 'status', port: 'b' })).toMatchObject({ ok: true, power: 'off' });
    expect(await driver.run({ action: 'on', port: 'b' })).toMatchObject({ ok: true, power: 'on' });
    expect(await driver.run({ action: 'status', port: 'b' })).toMatchObject({ ok: true, power: 'on' });
    expect(await driver.run({ action: 'list' })).toMatchObject({ ok: true, ports: [{ port: 'a', power: 'on' }, { port: 'b', power: 'on' }] });
  });

  it('answers unknown-target for a node without a slot, and timeout when aborted during msgwait', async () => {
    const { clock, reopen } = setup();
    const driver = createDiskFenceDriver({ id: 'sbd', device: '/dev/mem-disk', sender: 'a', clock, open: reopen });
    expect(await driver.run({ action: 'off', port: 'z' })).toMatchObject({ ok: false, code: 'unknown-target' });
    const abort = new AbortController();
    const running = driver.run({ action: 'off', port: 'b', signal: abort.signal });
    await Promise.resolve();
    abort.abort();
    expect(await running).toMatchObject({ ok: false, code: 'timeout' });
  });
});
