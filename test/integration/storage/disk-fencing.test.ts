// Goal: disk fencing and the quorum disk with real parts: one loop device as the shared disk, two
// nodes as network namespaces, each running the built `heartline storage disk-watch` (its watcher,
// the watchdog stand-in, the quorum lease) and a stand-in resource (a sleep). The stand-in's
// harness plays the hardware: when a node fences itself or stops petting, it kills every process
// of the node's namespace (NetnsLab.powerLoss). Scenarios: a poison pill written with
// `disk-message` fences its target before msgwait has passed (the fencer's proof), and a fenced
// node refuses to start until its slot is cleared; a frozen watcher is reset by the watchdog; the
// `disk` fence driver fences a node; the quorum lease has exactly one holder in a full split and
// moves only once the holder is gone. Method: timings from a disk initialized with a 2 s watchdog
// (loop 400 ms, msgwait 4 s, lease 4 s); every check is a bound from docs/STORAGE.md, never a speed.
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { SystemClock } from '../../../src/platform/index.js';
import { createDiskFenceDriver } from '../../../src/storage/index.js';
import type { BackgroundProcess } from '../../../src/testbed/background-process.js';
import { runCommand } from '../../../src/testbed/command.js';
import { LoopDisk } from '../../../src/testbed/loop-disk.js';
import { NetnsLab } from '../../../src/testbed/netns.js';
import { WatchdogHarness } from '../../../src/testbed/watchdog-harness.js';
import { eventually, sleep } from '../harness/eventually.js';
import { builtCli } from '../harness/fixture-program.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';

const NAMES = ['a', 'b'] as const;
const MSGWAIT_MS = 4000;
const WATCHDOG_MS = 2000;
const LEASE_MS = 4000;

interface LogLine {
  readonly msg: string;
  readonly [key: string]: unknown;
}

interface RunningNode {
  readonly index: number;
  readonly watcher: BackgroundProcess;
  readonly resource: BackgroundProcess;
  readonly harness: WatchdogHarness;
  readonly logs: LogLine[];
  /** performance.now() of each log line's arrival, by message. */
  readonly seenAt: Map<string, number>;
}

describeWithPrerequisites('disk fencing and the quorum disk on a shared loop device', ['root', 'ip', 'setpriv', 'losetup'], () => {
  let lab: NetnsLab;
  let disk: LoopDisk;
  let folder: string;
  const nodes: (RunningNode | undefined)[] = [undefined, undefined];

  const cli = async (...args: string[]): Promise<string> => runCommand(process.execPath, [builtCli, 'storage', ...args]);
  const dump = async (): Promise<{ lease: { owner: string } | null; slots: { node: string; message: string; heartbeat: { counter: number; state: string; acknowledgedSequence: number } | null }[] }> =>
    JSON.parse(await cli('disk-dump', disk.device, '--json')) as never;

  async function start(index: number, options: { readonly expectRefusal?: boolean } = {}): Promise<RunningNode> {
    const name = NAMES[index] as string;
    const logs: LogLine[] = [];
    const seenAt = new Map<string, number>();
    const standIn = join(folder, `${name}-watchdog.json`);
    await rm(standIn, { force: true });
    const watcher = await lab.spawn(index, {
      name: `disk watcher ${name}`,
      argv: [process.execPath, builtCli, 'storage', 'disk-watch', disk.device, '--node', name, '--watchdog-stand-in', standIn, '--quorum-disk'],
      onStdoutLine: (line) => {
        try {
          const parsed = JSON.parse(line) as LogLine;
          logs.push(parsed);
          if (!seenAt.has(parsed.msg)) seenAt.set(parsed.msg, performance.now());
        } catch {
          // Not a log line.
        }
      },
    });
    if (options.expectRefusal === true) {
      const status = await watcher.exited;
      expect(status.code).toBe(1);
      expect(watcher.stderrTail()).toMatch(new RegExp(`holds 'poison' for ${name}.*disk-message ${disk.device} ${name} clear`));
      return undefined as never;
    }
    await eventually(() => (seenAt.has('disk watcher started') ? true : undefined), { what: `watcher ${name} started`, timeoutMs: 10_000, describe: () => watcher.stderrTail() });
    const resource = await lab.spawn(index, { name: `resource ${name}`, argv: ['sleep', '600'] });
    const harness = new WatchdogHarness({ path: standIn, onReset: () => lab.powerLoss(index) }).start();
    const node = { index, watcher, resource, harness, logs, seenAt };
    nodes[index] = node;
    return node;
  }

  async function stopAll(): Promise<void> {
    for (const node of nodes) {
      if (node === undefined) continue;
      node.harness.stop();
      await node.watcher.stop('SIGTERM');
      await node.resource.stop('SIGKILL');
    }
    nodes.fill(undefined);
    for (const index of [0, 1]) await lab.powerOn(index);
  }

  async function freshDisk(): Promise<void> {
    await cli('disk-init', disk.device, '--nodes', 'a,b', '--watchdog-timeout', `${WATCHDOG_MS}ms`, '--force');
  }

  beforeAll(async () => {
    lab = await NetnsLab.create({ nodes: 2, links: ['crossover'] });
    disk = await LoopDisk.create(1024 * 1024);
    folder = await mkdtemp(join(tmpdir(), 'heartline-sbd-test-'));
  });
  afterEach(stopAll);
  afterAll(async () => {
    await stopAll().catch(() => undefined);
    await lab?.destroy();
    await disk?.destroy();
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });

  it('a poison pill fences its target before msgwait has passed; the fenced node stays down until its slot is cleared', async () => {
    await freshDisk();
    const [a, b] = [await start(0), await start(1)];
    const before = await dump();
    await sleep(1000);
    const after = await dump();
    for (const slot of [0, 1]) expect(after.slots[slot]?.heartbeat?.counter ?? 0).toBeGreaterThan(before.slots[slot]?.heartbeat?.counter ?? 0);

    await cli('disk-message', disk.device, 'b', 'poison');
    await eventually(() => (b.resource.running ? undefined : true), { what: "b's resource is killed", timeoutMs: MSGWAIT_MS * 3, intervalMs: 20 });
    const deadAt = Date.now();
    // Measured from the pill's write (the wall-clock time the CLI stamped into the mailbox), not
    // from the CLI's start, which a loaded machine can delay by seconds.
    const deadAfterMs = deadAt - ((await dump()).slots[1] as unknown as { messageWrittenAt: number }).messageWrittenAt;
    console.log(`poison pill written to b's processes dead: at most ${Math.round(deadAfterMs)} ms (msgwait ${MSGWAIT_MS} ms); ${b.harness.reset?.why ?? ''}`);
    expect(deadAfterMs).toBeLessThan(MSGWAIT_MS);
    expect(b.harness.reset?.why).toMatch(/^self-fence \(reboot\): 'poison' from root@/);
    await eventually(() => (b.watcher.running ? undefined : true), { what: "b's watcher is killed too" });
    expect(a.resource.running && a.watcher.running).toBe(true);
    const slotB = (await dump()).slots[1];
    expect(slotB).toMatchObject({ node: 'b', message: 'poison', heartbeat: { state: 'self-fencing', acknowledgedSequence: 1 } });

    await lab.powerOn(1);
    await start(1, { expectRefusal: true });
    await cli('disk-message', disk.device, 'b', 'clear');
    const again = await start(1);
    await sleep(1000);
    expect(again.watcher.running && again.resource.running).toBe(true);
  }, 60_000);

  it('a node that stops petting (its watcher frozen) is reset by the watchdog', async () => {
    await freshDisk();
    const [a] = [await start(0), await start(1)];
    const frozenAt = performance.now();
    a.watcher.signal('SIGSTOP');
    await eventually(() => (a.resource.running ? undefined : true), { what: "a's resource is killed", timeoutMs: WATCHDOG_MS * 3 });
    const resetAfterMs = performance.now() - frozenAt;
    console.log(`frozen watcher to reset: ${Math.round(resetAfterMs)} ms (watchdog timeout ${WATCHDOG_MS} ms); ${a.harness.reset?.why ?? ''}`);
    expect(a.harness.reset?.why).toMatch(/^not petted for/);
    expect(resetAfterMs).toBeLessThan(MSGWAIT_MS);
    expect(nodes[1]?.resource.running).toBe(true);
  }, 60_000);

  it('the disk fence driver fences a node: the pill, msgwait, then success with the target gone', async () => {
    await freshDisk();
    const [a, b] = [await start(0), await start(1)];
    const driver = createDiskFenceDriver({ id: 'fencing-disk', device: disk.device, sender: 'b', clock: new SystemClock() });
    expect(await driver.run({ action: 'status', port: 'a' })).toMatchObject({ ok: true, power: 'on' });
    const result = await driver.run({ action: 'off', port: 'a' });
    expect(result).toMatchObject({ ok: true, action: 'off', power: 'off' });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(MSGWAIT_MS);
    // The driver's success is the proof: the target must be gone by now.
    expect(a.resource.running).toBe(false);
    expect(a.harness.reset?.why).toMatch(/^self-fence \(off\): 'off' from b/);
    expect(b.resource.running).toBe(true);
    expect(await driver.run({ action: 'status', port: 'a' })).toMatchObject({ ok: true, power: 'off' });
    expect(await driver.run({ action: 'list' })).toMatchObject({ ok: true, ports: [{ port: 'a', power: 'off' }, { port: 'b', power: 'on' }] });
    expect(await driver.run({ action: 'off', port: 'z' })).toMatchObject({ ok: false, code: 'unknown-target' });
  }, 60_000);

  it('the quorum lease has one holder in a full split, and moves only once the holder is gone', async () => {
    await freshDisk();
    const started = [await start(0), await start(1)];
    await lab.setLinkDown(0, 0);
    await lab.setLinkDown(1, 0);
    const holder = await eventually(() => started.find((node) => node.seenAt.has('quorum disk lease acquired')), { what: 'a node acquires the lease', timeoutMs: LEASE_MS * 3 });
    const other = started[1 - holder.index] as RunningNode;
    await sleep(2 * LEASE_MS);
    expect(other.seenAt.has('quorum disk lease acquired')).toBe(false);
    expect(holder.seenAt.has('quorum disk lease lost')).toBe(false);
    expect((await dump()).lease?.owner).toBe(NAMES[holder.index]);

    const goneAt = performance.now();
    await lab.powerLoss(holder.index);
    holder.harness.stop();
    const takenAt = await eventually(() => other.seenAt.get('quorum disk lease acquired'), { what: 'the survivor acquires the lease', timeoutMs: LEASE_MS * 4 });
    console.log(`holder ${NAMES[holder.index]} lost power; survivor ${NAMES[other.index]} holds the lease after ${Math.round(takenAt - goneAt)} ms (lease timeout ${LEASE_MS} ms)`);
    expect(takenAt).toBeGreaterThan(goneAt);
    expect((await dump()).lease?.owner).toBe(NAMES[other.index]);
  }, 90_000);
});
