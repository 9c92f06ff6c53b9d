// Goal: the serial link carries frames both ways over a real tty, survives garbage on the line,
// and recovers by itself when its cable is unplugged and plugged back in.
// Method: a socat pty pair is the null-modem cable; two link-node processes (the BUILT link from
// dist/) hold one end each. Garbage is written straight into one end beside the link (socat
// carries it to the other), and the cable is "unplugged" by killing socat (SIGTERM removes the
// device symlinks; SIGKILL leaves them dangling) and "plugged in" by starting it again.
import { lstat, stat } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeSerialFrame } from '../../../src/links/serial-framing.js';
import { PtyPair } from '../../../src/testbed/pty-pair.js';
import { fixtureProgram } from '../harness/fixture-program.js';
import { eventually, sleep } from '../harness/eventually.js';
import { NsProcess } from '../harness/ns-process.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { expectDelivery, LinkNodeClient } from './link-node-client.js';

interface SerialStats {
  readonly reopens: number;
  readonly decoder: { readonly framesDecoded: number; readonly framesDropped: number; readonly crcErrors: number; readonly oversizeFrames: number };
}

describeWithPrerequisites('serial link over a socat null-modem', ['socat', 'setpriv'], () => {
  let pty: PtyPair;
  let a: LinkNodeClient;
  let b: LinkNodeClient;
  let linkSerial = 0;

  beforeAll(async () => {
    pty = await PtyPair.start();
    const program = fixtureProgram('link-node');
    a = new LinkNodeClient(await NsProcess.start({ name: 'a', program }));
    b = new LinkNodeClient(await NsProcess.start({ name: 'b', program }));
  });

  afterAll(async () => {
    await Promise.all([a?.process.stop(), b?.process.stop()]);
    await pty?.destroy();
  });

  /** Opens a fresh pair of links (a new name per test) on the two ends, runs `body`, closes them. */
  async function withLinks(body: (link: string) => Promise<void>): Promise<void> {
    const link = `s${linkSerial++}`;
    await a.open({ kind: 'serial', name: link, path: pty.pathA });
    await b.open({ kind: 'serial', name: link, path: pty.pathB });
    try {
      await body(link);
    } finally {
      if (pty.pid === undefined) await pty.restart();
      await a.close(link);
      await b.close(link);
    }
  }

  it('delivers frames both ways, stamped with the device path', async () => {
    await withLinks(async (link) => {
      const atB = await expectDelivery({ from: a, fromLink: link, to: b, toLink: link, text: 'serial a->b' });
      expect(atB['source']).toBe(pty.pathB);
      await expectDelivery({ from: b, fromLink: link, to: a, toLink: link, text: 'serial b->a' });
      const since = b.cursor();
      await a.send(link, 'burst', { count: 50 });
      await eventually(() => (b.receivedTexts(link, since).length >= 50 ? true : undefined), { what: 'b has all 50 frames of the burst' });
      expect(b.receivedTexts(link, since)).toEqual(Array.from({ length: 50 }, (_, i) => `burst#${i}`));
    });
  });

  it('skips garbage on the line (noise, stray delimiters, a truncated frame, a flood) and the next frame gets through', async () => {
    const truncated = encodeSerialFrame(new TextEncoder().encode('this frame is cut in half by an unplugged cable'));
    const garbage: readonly (readonly [string, Uint8Array])[] = [
      ['noise', Uint8Array.from([0x01, 0x02, 0xff, 0x00, 0x55, 0xaa, 0x13, 0x37])],
      ['stray delimiters and escapes', Uint8Array.from([0x7e, 0x41, 0x42, 0x7d, 0x7e, 0x7d, 0x01, 0x43, 0x44, 0x45, 0x46, 0x47, 0x7e, 0x48])],
      ['a truncated frame', truncated.subarray(0, truncated.length >> 1)],
      ['a 4 KiB flood without a delimiter', new Uint8Array(4096).fill(0x5a)],
    ];
    await withLinks(async (link) => {
      await expectDelivery({ from: a, fromLink: link, to: b, toLink: link, text: 'before garbage' });
      for (const [what, bytes] of garbage) {
        const before = await b.stats<SerialStats>(link);
        const since = b.cursor();
        await pty.inject('A', bytes);
        await a.send(link, `after ${what}`);
        // Sent once, on a lossless line: it must arrive, and nothing else may.
        await eventually(() => (b.receivedTexts(link, since).length > 0 ? true : undefined), { what: `b receives the frame after ${what}` });
        await sleep(50);
        expect(b.receivedTexts(link, since), what).toEqual([`after ${what}`]);
        const after = await b.stats<SerialStats>(link);
        expect(after.decoder.framesDropped, what).toBeGreaterThan(before.decoder.framesDropped);
      }
      expect((await b.stats<SerialStats>(link)).decoder.oversizeFrames).toBeGreaterThan(0);
    });
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`goes down when socat is killed with ${signal}, retries, and comes back up with frames flowing when it restarts`, async () => {
      await withLinks(async (link) => {
        await expectDelivery({ from: a, fromLink: link, to: b, toLink: link, text: `before ${signal}` });
        const sinceA = a.cursor();
        const sinceB = b.cursor();
        await pty.kill(signal);
        await a.waitForState(link, 'down', { since: sinceA, reason: /disconnected|closed|bad file descriptor/i });
        await b.waitForState(link, 'down', { since: sinceB });
        if (signal === 'SIGKILL') {
          // socat could not clean up: the device symlink dangles, so each reopen meets ENOENT.
          await expect(lstat(pty.pathA)).resolves.toBeDefined();
          await expect(stat(pty.pathA)).rejects.toMatchObject({ code: 'ENOENT' });
        } else {
          await expect(lstat(pty.pathA)).rejects.toMatchObject({ code: 'ENOENT' });
        }
        // Several 500 ms reopen attempts fail while the cable is out; the link stays down meanwhile.
        await a.send(link, 'into the void');
        await sleep(1200);
        expect(a.states(link, sinceA).map((event) => event['state'])).toEqual(['down']);
        await pty.restart();
        await a.waitForState(link, 'up', { since: sinceA });
        await b.waitForState(link, 'up', { since: sinceB });
        await expectDelivery({ from: a, fromLink: link, to: b, toLink: link, text: `a->b after ${signal}` });
        await expectDelivery({ from: b, fromLink: link, to: a, toLink: link, text: `b->a after ${signal}` });
        expect((await a.stats<SerialStats>(link)).reopens).toBe(1);
      });
    });
  }

  it('fails to open a missing device with a LinkError naming the path (ENOENT)', async () => {
    const path = `${pty.dir}/ttyMissing`;
    const failure = await a.openFailure({ kind: 'serial', name: 'missing', path });
    expect(failure.code).toBe('device-not-found');
    expect(failure.errno).toBe('ENOENT');
    expect(failure.message).toContain(path);
  });
});
