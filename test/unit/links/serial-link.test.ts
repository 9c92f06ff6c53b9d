// Goal: SerialLink's own logic (framing on the wire, receive path, state reports, reopen after a
// disconnect, errors as values) without a real device.
// Method: serialport's mock binding (@serialport/binding-mock) stands in for the device, and a
// SimClock on a hand-advanced virtual time drives the reopen timer, so every step is deterministic.
// The real-device behaviour (socat ptys) is in test/integration/links/serial-link.test.ts.
import { SerialPortMock } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AssertionError, type Millis } from '../../../src/lib/index.js';
import { LinkError } from '../../../src/links/link-error.js';
import type { LinkDatagram, LinkState } from '../../../src/links/link.js';
import { encodeSerialFrame, SerialFrameDecoder } from '../../../src/links/serial-framing.js';
import { SerialLink } from '../../../src/links/serial-link.js';
import { SimClock } from '../../../src/sim/sim-clock.js';

const PATH = '/dev/ttyHEARTLINE0';
// The binding instance SerialPortMock itself uses. Importing @serialport/binding-mock here would
// load its ESM build, a second instance whose ports the CommonJS serialport never sees.
const MockBinding = SerialPortMock.binding;
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

/** Virtual time advanced by the test; timers fire in order inside advance(). */
class ManualTime {
  private current = 0;
  private agenda: { at: number; callback: () => void }[] = [];
  now(): number {
    return this.current;
  }
  schedule(afterMs: number, callback: () => void): void {
    this.agenda.push({ at: this.current + afterMs, callback });
  }
  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      this.agenda.sort((x, y) => x.at - y.at);
      const next = this.agenda[0];
      if (next === undefined || next.at > until) break;
      this.agenda.shift();
      this.current = next.at;
      next.callback();
    }
    this.current = until;
  }
}

/** Lets the mock binding's promise chains run. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

describe('SerialLink over the mock binding', () => {
  let time: ManualTime;
  let ports: SerialPortMock[];
  let link: SerialLink;
  let received: LinkDatagram[];
  let states: LinkState[];

  beforeEach(() => {
    MockBinding.reset();
    MockBinding.createPort(PATH, { echo: false, record: true });
    time = new ManualTime();
    ports = [];
    received = [];
    states = [];
    link = new SerialLink({
      name: 'serial0',
      path: PATH,
      clock: new SimClock(time),
      createPort: ({ path, baudRate }) => {
        const port = new SerialPortMock({ path, baudRate, autoOpen: false });
        ports.push(port);
        return port;
      },
    });
    link.onReceive((datagram) => received.push(datagram));
    link.onState((state) => states.push(state));
  });

  afterEach(async () => {
    await link.close();
    MockBinding.reset();
  });

  const currentPort = (): SerialPortMock => {
    const port = ports.at(-1);
    if (port?.port === undefined) throw new Error('no open mock port');
    return port;
  };

  it('is a serial link of 512-byte frames, up after open', async () => {
    await link.open();
    expect(link.kind).toBe('serial');
    expect(link.maxFrameBytes).toBe(512);
    expect(link.state).toEqual({ state: 'up' });
  });

  it('writes each frame encoded (delimited, stuffed, CRC)', async () => {
    await link.open();
    link.send(text('hello'));
    link.send(Uint8Array.of(0x7e, 0x7d));
    await settle();
    const decoder = new SerialFrameDecoder();
    expect(decoder.push(currentPort().port?.recording ?? Buffer.alloc(0))).toEqual([text('hello'), Uint8Array.of(0x7e, 0x7d)]);
    expect(link.stats().framesSent).toBe(2);
  });

  it('delivers decoded frames with the clock time and the device path, skipping garbage', async () => {
    await link.open();
    time.advance(1234);
    currentPort().port?.emitData(Buffer.from([...[0x01, 0x7e, 0x02, 0x03], ...encodeSerialFrame(text('one')), ...encodeSerialFrame(text('two'))]));
    await settle();
    expect(received.map((datagram) => new TextDecoder().decode(datagram.bytes))).toEqual(['one', 'two']);
    expect(received[0]).toMatchObject({ receivedAt: 1234 as Millis, source: PATH });
    expect(link.stats().decoder.framesDropped).toBe(1);
  });

  it('treats a frame above maxFrameBytes as a programming error', async () => {
    await link.open();
    expect(() => link.send(new Uint8Array(513))).toThrow(AssertionError);
  });

  it('goes down on a disconnect, retries every 500 ms with a new port object, and comes back up', async () => {
    await link.open();
    // What serialport does when the device vanishes under a read: close with a disconnected error.
    currentPort()._disconnected(new Error('bad file descriptor'));
    await settle();
    expect(states).toHaveLength(1);
    expect(states[0]).toMatchObject({ state: 'down' });
    expect(states[0]?.state === 'down' ? states[0].reason : '').toMatch(/device closed: .*bad file descriptor/);
    link.send(text('dropped while down'));
    expect(link.stats().sendsDropped).toBe(1);

    MockBinding.reset(); // the device is gone: opens fail
    time.advance(500);
    await settle();
    expect(ports).toHaveLength(2);
    expect(link.state.state).toBe('down');

    MockBinding.createPort(PATH, { echo: false, record: true }); // plugged back in
    time.advance(499);
    await settle();
    expect(ports).toHaveLength(2);
    time.advance(1);
    await settle();
    expect(ports).toHaveLength(3);
    expect(states.map((state) => state.state)).toEqual(['down', 'up']);
    link.send(text('after reopen'));
    await settle();
    expect(new SerialFrameDecoder().push(currentPort().port?.recording ?? Buffer.alloc(0))).toEqual([text('after reopen')]);
    expect(link.stats().reopens).toBe(1);
  });

  it('calls no handler and opens nothing after close()', async () => {
    await link.open();
    currentPort()._disconnected(new Error('gone'));
    await settle();
    await link.close();
    time.advance(5000);
    await settle();
    expect(ports).toHaveLength(1);
    expect(states).toHaveLength(1);
    link.send(text('ignored'));
  });

  it('rejects open of a missing device with a LinkError naming the path', async () => {
    MockBinding.reset();
    const failure = await link.open().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(LinkError);
    expect((failure as LinkError).message).toContain(PATH);
    expect((failure as LinkError).link).toBe('serial0');
  });

  it('rejects an empty path as invalid configuration', async () => {
    const bad = new SerialLink({ name: 'bad', path: '', clock: new SimClock(time) });
    await expect(bad.open()).rejects.toMatchObject({ name: 'LinkError', code: 'invalid-configuration' });
  });
});

describe('LinkError.fromCause', () => {
  it.each([
    [{ code: 'EADDRNOTAVAIL', message: 'bind EADDRNOTAVAIL' }, 'address-not-available', 'EADDRNOTAVAIL'],
    [{ code: 'EADDRINUSE', message: 'bind EADDRINUSE' }, 'address-in-use', 'EADDRINUSE'],
    [{ code: 'EACCES', message: 'bind EACCES' }, 'permission-denied', 'EACCES'],
    [new Error('Error: No such file or directory, cannot open /dev/ttyS9'), 'device-not-found', 'ENOENT'],
    [new Error('Error: Permission denied, cannot open /dev/ttyS0'), 'permission-denied', 'EACCES'],
    [new Error('Error Resource temporarily unavailable Cannot lock port'), 'device-busy', 'EAGAIN'],
    [new Error('something else'), 'open-failed', undefined],
    ['not even an error', 'open-failed', undefined],
  ])('%j → %s', (cause, code, errno) => {
    const error = LinkError.fromCause(cause, { link: 'l0', target: '10.0.0.1:694', action: 'cannot bind' });
    expect(error.code).toBe(code);
    expect(error.errno).toBe(errno);
    expect(error.message).toMatch(/^link l0: cannot bind 10\.0\.0\.1:694: /);
    expect(error.cause).toBe(cause);
  });
});
