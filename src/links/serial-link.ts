/**
 * SerialLink: the Link adapter for a null-modem cable, over serialport. It writes each frame
 * through serial-framing.ts (delimited, stuffed, CRC-32) and decodes the byte stream back into
 * frames, dropping and counting whatever garbage the line delivers.
 *
 * A cable can be unplugged, a USB adapter can vanish and come back, and in the tests the socat
 * null-modem is killed and restarted. serialport reports each of these as a 'close' event carrying
 * a disconnected error (or an 'error'); the link then reports itself down and tries to open the
 * device again every `reopenIntervalMs` with a NEW port object, because a serialport object
 * cannot be reopened after a disconnect. While the device is missing the attempts fail with ENOENT,
 * and the first one that succeeds brings the link up. Frames sent while the link is down are
 * dropped, not queued: a stale heartbeat is worse than none.
 *
 * It relies on no modem line (DCD, CTS): a pty has none, and many cables do not wire them. It never
 * calls `SerialPort.list()`, which spawns udevadm and fails on machines without udev.
 */
import { assert, millis, silentLogger, type Clock, type Logger, type Millis, type NodeId, type TimerHandle } from '../lib/index.js';
import { LinkError } from './link-error.js';
import type { Link, LinkDatagram, LinkState } from './link.js';
import { LINK_DOWN_NOT_OPEN, LinkListeners } from './link-listeners.js';
import { encodeSerialFrame, SERIAL_FRAME_PAYLOAD_BYTES_MAX, SerialFrameDecoder, type SerialFrameDecoderStats } from './serial-framing.js';

/** How often a lost device is tried again. */
export const SERIAL_REOPEN_INTERVAL_MS: Millis = millis(500);

/**
 * How many bytes may wait in the port's write queue before new frames are dropped. A peer that
 * stops reading (or a cable whose far end is not open) would otherwise grow the queue without
 * bound; a few frames' worth is enough to ride out a slow line.
 */
export const SERIAL_WRITE_BACKLOG_BYTES_MAX = 8 * 1024;

/**
 * The part of a serialport port object the link uses. serialport's `SerialPort` and
 * `SerialPortMock` both satisfy it, so a unit test can hand in the mock binding's port.
 */
export interface SerialPortHandle {
  readonly isOpen: boolean;
  /** Bytes accepted by write() and not yet handed to the device. */
  readonly writableLength: number;
  open(callback: (error: Error | null) => void): void;
  write(data: Uint8Array, callback: (error: Error | null | undefined) => void): boolean;
  close(callback: (error: Error | null) => void): void;
  on(event: 'data' | 'close' | 'error', listener: (...args: never[]) => void): unknown;
}

export interface SerialLinkOptions {
  /** The link's configured name, used in logs and errors ("ttyS0"). */
  readonly name: string;
  /** The device, e.g. /dev/ttyS0 or a socat pty link. */
  readonly path: string;
  /** Defaults to 115200; both ends must agree (a pty ignores it). */
  readonly baudRate?: number;
  /** Stamps `receivedAt` and runs the reopen timer. */
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Defaults to SERIAL_REOPEN_INTERVAL_MS. */
  readonly reopenIntervalMs?: Millis;
  /** The largest payload, which is also maxFrameBytes; defaults to SERIAL_FRAME_PAYLOAD_BYTES_MAX. Both ends must agree. */
  readonly payloadBytesMax?: number;
  /**
   * Makes a new, not yet opened port object for each open attempt. Defaults to serialport's
   * `SerialPort` with `autoOpen: false`; unit tests pass `SerialPortMock`.
   */
  readonly createPort?: CreatePort;
}

type CreatePort = (options: { readonly path: string; readonly baudRate: number }) => SerialPortHandle;

/**
 * serialport's `SerialPort`, loaded at the first open: it costs a process about 8 MiB of memory,
 * which a node without serial links should not carry.
 */
async function serialportCreatePort(): Promise<CreatePort> {
  const { SerialPort } = await import('serialport');
  return ({ path, baudRate }) => new SerialPort({ path, baudRate, autoOpen: false });
}

/** Counts since open, for `heartline status` and tests. */
export interface SerialLinkStats {
  readonly framesSent: number;
  /** Frames not written: the device was gone, or the write queue was full. */
  readonly sendsDropped: number;
  /** Writes that failed (each is followed by a reopen). */
  readonly sendErrors: number;
  /** Times the device was lost and reopened. */
  readonly reopens: number;
  /** What the decoder saw: frames received, and frames dropped by reason. */
  readonly decoder: SerialFrameDecoderStats;
}


/** The serial Link. See the file header and link.ts for the contract. */
export class SerialLink implements Link {
  readonly name: string;
  readonly kind = 'serial' as const;
  readonly maxFrameBytes: number;
  private readonly path: string;
  private readonly baudRate: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly listeners: LinkListeners;
  private readonly reopenIntervalMs: Millis;
  private createPort: CreatePort | undefined;
  private readonly decoder: SerialFrameDecoder;
  private port: SerialPortHandle | undefined;
  private lifecycle: 'new' | 'opening' | 'open' | 'closed' = 'new';
  private reopenTimer: TimerHandle | undefined;
  private reopening: Promise<void> | undefined;
  private readonly counts = { framesSent: 0, sendsDropped: 0, sendErrors: 0, reopens: 0 };

  constructor(options: SerialLinkOptions) {
    this.name = options.name;
    this.path = options.path;
    this.baudRate = options.baudRate ?? 115200;
    this.clock = options.clock;
    this.log = (options.logger ?? silentLogger).child(`links:${options.name}`);
    this.listeners = new LinkListeners(this.log, () => this.lifecycle === 'open');
    this.reopenIntervalMs = options.reopenIntervalMs ?? SERIAL_REOPEN_INTERVAL_MS;
    this.maxFrameBytes = options.payloadBytesMax ?? SERIAL_FRAME_PAYLOAD_BYTES_MAX;
    this.decoder = new SerialFrameDecoder(this.maxFrameBytes);
    this.createPort = options.createPort;
  }

  /** Opens the device. Rejects with a LinkError (ENOENT device-not-found, EACCES, busy, bad configuration). Call once. */
  async open(): Promise<void> {
    assert(this.lifecycle === 'new', `link ${this.name}: open() called twice`);
    this.lifecycle = 'opening';
    if (this.path === '' || !Number.isInteger(this.baudRate) || this.baudRate <= 0) {
      this.lifecycle = 'closed';
      const problem = this.path === '' ? 'path must not be empty' : `baudRate must be a positive integer, got ${this.baudRate}`;
      throw new LinkError('invalid-configuration', { link: this.name, target: this.path, action: 'cannot use', cause: new Error(problem) });
    }
    let port: SerialPortHandle;
    try {
      port = await this.openPort();
    } catch (error) {
      this.lifecycle = 'closed';
      throw error;
    }
    if ((this.lifecycle as string) === 'closed') {
      await closePort(port);
      throw new LinkError('open-failed', { link: this.name, target: this.path, action: 'cannot open', cause: new Error('closed while opening') });
    }
    this.port = port;
    this.lifecycle = 'open';
    this.listeners.reset({ state: 'up' });
    this.log.info('link opened', { path: this.path, baudRate: this.baudRate });
  }

  /** Writes one frame, fire-and-forget; `to` is ignored (a cable reaches the one peer on it). Dropped while the device is gone or its queue is full. */
  send(bytes: Uint8Array, _to?: NodeId): void {
    assert(bytes.length <= this.maxFrameBytes, `link ${this.name}: frame of ${bytes.length} bytes exceeds ${this.maxFrameBytes}`);
    if (this.lifecycle !== 'open') return;
    const port = this.port;
    if (port === undefined || !port.isOpen || port.writableLength > SERIAL_WRITE_BACKLOG_BYTES_MAX) {
      this.counts.sendsDropped++;
      return;
    }
    port.write(encodeSerialFrame(bytes, this.maxFrameBytes), (error) => {
      if (error === null || error === undefined) this.counts.framesSent++;
      else this.counts.sendErrors++; // the port's 'error' or 'close' event drives the recovery
    });
  }

  onReceive(handler: (datagram: LinkDatagram) => void): void {
    this.listeners.onReceive(handler);
  }

  /** Handlers hear changes only: after open() resolves the link is up without an event. */
  onState(handler: (state: LinkState) => void): void {
    this.listeners.onState(handler);
  }

  /** Closes the device and stops reopening; resolves when the device is released. Idempotent. */
  async close(): Promise<void> {
    if (this.lifecycle === 'closed') return;
    this.lifecycle = 'closed';
    if (this.reopenTimer !== undefined) this.clock.clearTimer(this.reopenTimer);
    this.reopenTimer = undefined;
    await this.reopening;
    const port = this.port;
    this.port = undefined;
    if (port !== undefined) await closePort(port);
    this.listeners.reset(LINK_DOWN_NOT_OPEN);
  }

  /** The state as last reported (or 'up' right after open). */
  get state(): LinkState {
    return this.listeners.state;
  }

  stats(): SerialLinkStats {
    return { ...this.counts, decoder: this.decoder.stats() };
  }

  /** A new port object, opened, with listeners attached; or a LinkError. */
  private async openPort(): Promise<SerialPortHandle> {
    let port: SerialPortHandle;
    try {
      this.createPort ??= await serialportCreatePort();
      port = this.createPort({ path: this.path, baudRate: this.baudRate });
      const opening = port;
      await new Promise<void>((resolve, reject) => opening.open((error) => (error === null ? resolve() : reject(error))));
    } catch (error) {
      throw LinkError.fromCause(error, {
        link: this.name,
        target: this.path,
        action: 'cannot open',
        hints: { 'permission-denied': 'the daemon needs read and write access to the device (root, or the dialout group)' },
      });
    }
    port.on('data', (chunk: Buffer) => this.onData(port, chunk));
    port.on('close', (error?: Error | null) => this.onPortLost(port, `device closed: ${error?.message ?? 'closed'}`));
    port.on('error', (error: Error) => this.onPortLost(port, `device error: ${error.message}`));
    return port;
  }

  private onData(port: SerialPortHandle, chunk: Buffer): void {
    if (this.lifecycle !== 'open' || port !== this.port) return;
    const before = this.decoder.stats().framesDropped;
    const frames = this.decoder.push(chunk);
    const dropped = this.decoder.stats().framesDropped - before;
    if (dropped > 0) this.log.debug('dropped damaged frames', { count: dropped });
    if (frames.length === 0) return;
    const receivedAt = this.clock.now();
    for (const bytes of frames) {
      if (this.lifecycle !== 'open') return;
      this.listeners.deliver({ bytes, receivedAt, source: this.path });
    }
  }

  /** The device went away (cable, adapter, socat) or failed: release it, go down, start reopening. */
  private onPortLost(port: SerialPortHandle, reason: string): void {
    if (this.lifecycle !== 'open' || port !== this.port) return;
    this.port = undefined;
    this.counts.reopens++;
    // An 'error' may leave the port open; close it so that its descriptor is not leaked. After a
    // disconnect it is closed already and this is a no-op.
    void closePort(port);
    this.decoder.reset();
    this.setState({ state: 'down', reason });
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    this.reopenTimer = this.clock.setTimer(this.reopenIntervalMs, () => {
      this.reopenTimer = undefined;
      this.reopening = this.reopen().finally(() => {
        this.reopening = undefined;
      });
    });
  }

  private async reopen(): Promise<void> {
    if (this.lifecycle !== 'open') return;
    let port: SerialPortHandle;
    try {
      port = await this.openPort();
    } catch (error) {
      this.log.debug('reopen failed', { error: error instanceof Error ? error.message : String(error) });
      if (this.lifecycle === 'open') this.scheduleReopen();
      return;
    }
    if (this.lifecycle !== 'open') {
      await closePort(port);
      return;
    }
    this.port = port;
    this.setState({ state: 'up' });
  }

  private setState(next: LinkState): void {
    this.listeners.change(next);
  }
}

/** Closes a port, resolving when it is released; a port that is closed already resolves at once. */
function closePort(port: SerialPortHandle): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve) => {
    // A close error means the descriptor is gone anyway; there is nothing left to release.
    port.close(() => resolve());
  });
}
