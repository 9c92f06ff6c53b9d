/**
 * UdpLink: the Link adapter over Node's dgram for the three UDP kinds. One socket per link, bound
 * so that it hears only its own link (Node has no SO_BINDTODEVICE and no IP_PKTINFO, so the bind
 * address is what pins a socket to a link):
 *
 * | kind          | bound to                          | sends to                      |
 * |---------------|-----------------------------------|-------------------------------|
 * | udp-unicast   | this node's address on the link    | each peer's address           |
 * | udp-broadcast | the subnet-directed broadcast addr | the same broadcast address    |
 * | udp-multicast | the link's multicast group         | the group, out of one interface |
 *
 * Why these binds: a socket bound to a unicast address receives no broadcasts, and one bound to
 * 0.0.0.0 receives the broadcasts and multicast groups of every link on the node (Linux
 * IP_MULTICAST_ALL), so a frame could arrive on the wrong link and hide that link's failure. Bound
 * to the broadcast address or to the group (one group per link), a socket hears only its link.
 * Sockets bound to a broadcast or group address still send with the interface's own source
 * address, which the kernel picks from the route (or from setMulticastInterface).
 *
 * Invariants: after `open()` resolves nothing throws; a failed send (ENETUNREACH while the
 * interface is down, EPERM from a firewall) turns the state down, a later successful send or an
 * arriving datagram turns it up again; a socket error closes the socket and the link rebinds every
 * second until it works. Datagrams are never queued while the link is down: a stale heartbeat is
 * worse than none.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIPv4 } from 'node:net';
import { assert, millis, silentLogger, type Clock, type Logger, type Millis, type NodeId, type TimerHandle } from '../lib/index.js';
import { LinkError } from './link-error.js';
import type { Link, LinkDatagram, LinkState } from './link.js';
import { LINK_DOWN_NOT_OPEN, LinkListeners } from './link-listeners.js';

/** Heartbeat's UDP port, ours too by default. Privileged: binding it needs root or CAP_NET_BIND_SERVICE. */
export const HEARTLINE_UDP_PORT = 694;

/**
 * The largest frame a UDP link carries: an Ethernet MTU of 1500 less IPv4 (20) and UDP (8) headers
 * less room for a VLAN tag or a tunnel, so a frame is never fragmented by IP (a lost fragment
 * loses the whole datagram, doubling the loss rate of big frames).
 */
export const UDP_FRAME_BYTES_MAX = 1400;

/** How long a link whose socket failed waits between attempts to bind a new one. */
export const UDP_REBIND_INTERVAL_MS: Millis = millis(1000);

interface UdpLinkCommonOptions {
  /** The link's configured name, used in logs and errors ("eth1", "crossover"). */
  readonly name: string;
  /** Defaults to HEARTLINE_UDP_PORT; all nodes of a link use the same port. */
  readonly port?: number;
  /** Stamps `receivedAt` and runs the rebind timer. */
  readonly clock: Clock;
  readonly logger?: Logger;
}

/** A point-to-point or small-cluster link: frames go to each peer's own address. */
export interface UdpUnicastLinkOptions extends UdpLinkCommonOptions {
  readonly kind: 'udp-unicast';
  /** This node's address on the link; the socket binds to it. */
  readonly localAddress: string;
  /** Each peer's address on this link. The map is read at every send, so the caller may update it (and must not for a peer while a send to it is meant). */
  readonly peers: ReadonlyMap<NodeId, string>;
}

/** A subnet-broadcast link: one send reaches every node on the subnet, including this one. */
export interface UdpBroadcastLinkOptions extends UdpLinkCommonOptions {
  readonly kind: 'udp-broadcast';
  /** The subnet-directed broadcast address of the link (e.g. 10.0.1.255), never 255.255.255.255 (it needs a default route). */
  readonly broadcastAddress: string;
}

/** A multicast link: one group per link; this node does not hear its own frames (loopback off). */
export interface UdpMulticastLinkOptions extends UdpLinkCommonOptions {
  readonly kind: 'udp-multicast';
  /** The group, unique to this link (two links sharing a group would hear each other's frames). */
  readonly group: string;
  /** This node's address on the link: the membership and the egress interface are pinned to it. */
  readonly interfaceAddress: string;
  /** Defaults to 1: heartbeats never leave the link's own segment. */
  readonly ttl?: number;
}

export type UdpLinkOptions = UdpUnicastLinkOptions | UdpBroadcastLinkOptions | UdpMulticastLinkOptions;

/** Counts since open, for `heartline status` and tests. */
export interface UdpLinkStats {
  readonly datagramsSent: number;
  readonly datagramsReceived: number;
  /** Send callbacks that reported an error (each one is also a state report). */
  readonly sendErrors: number;
  /** Sends not attempted: no socket (rebinding), or no address for the peer. */
  readonly sendsDropped: number;
  /** Received datagrams dropped because they were empty or larger than maxFrameBytes. */
  readonly datagramsDropped: number;
}


/** The UDP Link. See the file header for the binding rules and link.ts for the contract. */
export class UdpLink implements Link {
  readonly name: string;
  readonly kind: UdpLinkOptions['kind'];
  readonly maxFrameBytes = UDP_FRAME_BYTES_MAX;
  private readonly port: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly listeners: LinkListeners;
  private socket: Socket | undefined;
  private lifecycle: 'new' | 'opening' | 'open' | 'closed' = 'new';
  private lastSendFailed = false;
  private rebindTimer: TimerHandle | undefined;
  private rebinding: Promise<void> | undefined;
  private readonly counts = { datagramsSent: 0, datagramsReceived: 0, sendErrors: 0, sendsDropped: 0, datagramsDropped: 0 };

  constructor(private readonly options: UdpLinkOptions) {
    this.name = options.name;
    this.kind = options.kind;
    this.port = options.port ?? HEARTLINE_UDP_PORT;
    this.clock = options.clock;
    this.log = (options.logger ?? silentLogger).child(`links:${options.name}`);
    this.listeners = new LinkListeners(this.log, () => this.lifecycle === 'open');
  }

  /** Binds and configures the socket. Rejects with a LinkError (invalid configuration, EADDRNOTAVAIL, EADDRINUSE, EACCES). Call once. */
  async open(): Promise<void> {
    assert(this.lifecycle === 'new', `link ${this.name}: open() called twice`);
    this.lifecycle = 'opening';
    const invalid = this.validate();
    if (invalid !== undefined) {
      this.lifecycle = 'closed';
      throw new LinkError('invalid-configuration', { link: this.name, target: this.target(), action: 'cannot use', cause: new Error(invalid) });
    }
    try {
      this.socket = await this.bindSocket();
    } catch (error) {
      this.lifecycle = 'closed';
      throw error;
    }
    if ((this.lifecycle as string) === 'closed') {
      // close() ran while we were binding: release what we just made.
      await closeSocket(this.socket);
      this.socket = undefined;
      throw new LinkError('open-failed', { link: this.name, target: this.target(), action: 'cannot open', cause: new Error('closed while opening') });
    }
    this.lifecycle = 'open';
    this.listeners.reset({ state: 'up' });
    this.log.info('link opened', { kind: this.kind, target: this.target() });
  }

  /**
   * Sends one frame, fire-and-forget. On a unicast link `to` picks the peer and an absent `to`
   * sends to every peer; broadcast and multicast links ignore `to`. Before open and after close it
   * does nothing.
   */
  send(bytes: Uint8Array, to?: NodeId): void {
    assert(bytes.length <= this.maxFrameBytes, `link ${this.name}: frame of ${bytes.length} bytes exceeds ${this.maxFrameBytes}`);
    if (this.lifecycle !== 'open') return;
    const socket = this.socket;
    if (socket === undefined) {
      this.counts.sendsDropped++;
      return;
    }
    for (const address of this.destinations(to)) {
      try {
        socket.send(bytes, this.port, address, (error) => this.onSendResult(socket, address, error));
      } catch (error) {
        // dgram throws synchronously only on a socket that is already closed (a socket error
        // raced with this send); the rebind path owns the recovery.
        this.onSendResult(socket, address, error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  onReceive(handler: (datagram: LinkDatagram) => void): void {
    this.listeners.onReceive(handler);
  }

  /** Handlers hear changes only: after open() resolves the link is up without an event. */
  onState(handler: (state: LinkState) => void): void {
    this.listeners.onState(handler);
  }

  /** Closes the socket and stops rebinding; resolves when the socket is released. Idempotent. */
  async close(): Promise<void> {
    if (this.lifecycle === 'closed') return;
    this.lifecycle = 'closed';
    if (this.rebindTimer !== undefined) this.clock.clearTimer(this.rebindTimer);
    this.rebindTimer = undefined;
    await this.rebinding;
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) await closeSocket(socket);
    this.listeners.reset(LINK_DOWN_NOT_OPEN);
  }

  /** The state as last reported (or 'up' right after open). */
  get state(): LinkState {
    return this.listeners.state;
  }

  stats(): UdpLinkStats {
    return { ...this.counts };
  }

  private destinations(to: NodeId | undefined): readonly string[] {
    const options = this.options;
    switch (options.kind) {
      case 'udp-unicast': {
        if (to === undefined) return [...options.peers.values()];
        const address = options.peers.get(to);
        if (address === undefined) {
          this.counts.sendsDropped++;
          this.log.debug('no address for peer on this link', { peer: to });
          return [];
        }
        return [address];
      }
      case 'udp-broadcast':
        return [options.broadcastAddress];
      case 'udp-multicast':
        return [options.group];
    }
  }

  private onSendResult(socket: Socket, address: string, error: Error | null): void {
    if (this.lifecycle !== 'open' || socket !== this.socket) return;
    if (error !== null) {
      this.counts.sendErrors++;
      this.lastSendFailed = true;
      const code = (error as NodeJS.ErrnoException).code ?? error.message;
      this.setState({ state: 'down', reason: `send to ${address}:${this.port} failed: ${code}` });
      return;
    }
    this.counts.datagramsSent++;
    this.lastSendFailed = false;
    this.setState({ state: 'up' });
  }

  private onMessage(socket: Socket, message: Buffer, source: string): void {
    if (this.lifecycle !== 'open' || socket !== this.socket) return;
    if (message.length === 0 || message.length > this.maxFrameBytes) {
      this.counts.datagramsDropped++;
      return;
    }
    this.counts.datagramsReceived++;
    // A datagram proves the receive path only; while our own sends fail the link stays down, or
    // it would flap between up and down at the heartbeat rate.
    if (!this.lastSendFailed) this.setState({ state: 'up' });
    this.listeners.deliver({ bytes: message, receivedAt: this.clock.now(), source });
  }

  private onSocketError(socket: Socket, error: Error): void {
    if (this.lifecycle !== 'open' || socket !== this.socket) return;
    this.log.warn('socket failed, rebinding', { error: error.message });
    this.socket = undefined;
    void closeSocket(socket);
    this.setState({ state: 'down', reason: `socket error: ${(error as NodeJS.ErrnoException).code ?? error.message}` });
    this.scheduleRebind();
  }

  private scheduleRebind(): void {
    this.rebindTimer = this.clock.setTimer(UDP_REBIND_INTERVAL_MS, () => {
      this.rebindTimer = undefined;
      this.rebinding = this.rebind().finally(() => {
        this.rebinding = undefined;
      });
    });
  }

  private async rebind(): Promise<void> {
    if (this.lifecycle !== 'open') return;
    let socket: Socket;
    try {
      socket = await this.bindSocket();
    } catch (error) {
      this.log.debug('rebind failed', { error: error instanceof Error ? error.message : String(error) });
      if (this.lifecycle === 'open') this.scheduleRebind();
      return;
    }
    if (this.lifecycle !== 'open') {
      await closeSocket(socket);
      return;
    }
    this.socket = socket;
    this.lastSendFailed = false;
    this.setState({ state: 'up' });
  }

  /** A new socket, bound and configured for this link's kind, with its listeners attached; or a LinkError. */
  private async bindSocket(): Promise<Socket> {
    const options = this.options;
    const socket = createSocket({ type: 'udp4', reuseAddr: false, lookup: literalLookup });
    const bindAddress = options.kind === 'udp-unicast' ? options.localAddress : options.kind === 'udp-broadcast' ? options.broadcastAddress : options.group;
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ port: this.port, address: bindAddress }, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await closeSocket(socket);
      throw LinkError.fromCause(error, {
        link: this.name,
        target: `${bindAddress}:${this.port}`,
        action: 'cannot bind',
        hints: { 'permission-denied': `ports below 1024 need root or CAP_NET_BIND_SERVICE` },
      });
    }
    try {
      // Options that need a bound socket. setBroadcast must follow bind (facts §2).
      if (options.kind === 'udp-broadcast') socket.setBroadcast(true);
      if (options.kind === 'udp-multicast') {
        socket.addMembership(options.group, options.interfaceAddress);
        socket.setMulticastInterface(options.interfaceAddress);
        socket.setMulticastTTL(options.ttl ?? 1);
        socket.setMulticastLoopback(false);
      }
    } catch (error) {
      await closeSocket(socket);
      throw LinkError.fromCause(error, { link: this.name, target: this.target(), action: 'cannot configure' });
    }
    socket.on('message', (message, remote) => this.onMessage(socket, message, `${remote.address}:${remote.port}`));
    socket.on('error', (error) => this.onSocketError(socket, error));
    return socket;
  }

  /** What this link opens, as it appears in errors and logs. */
  private target(): string {
    const options = this.options;
    switch (options.kind) {
      case 'udp-unicast':
        return `${options.localAddress}:${this.port}`;
      case 'udp-broadcast':
        return `${options.broadcastAddress}:${this.port}`;
      case 'udp-multicast':
        return `${options.group}:${this.port} via ${options.interfaceAddress}`;
    }
  }

  /** The first thing wrong with the options, as a sentence naming the field; undefined when they are fine. */
  private validate(): string | undefined {
    const options = this.options;
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) return `port must be an integer in 1..65535, got ${this.port}`;
    switch (options.kind) {
      case 'udp-unicast': {
        if (!isIPv4(options.localAddress)) return `localAddress must be an IPv4 address, got "${options.localAddress}"`;
        for (const [peer, address] of options.peers) if (!isIPv4(address)) return `peers[${peer}] must be an IPv4 address, got "${address}"`;
        return undefined;
      }
      case 'udp-broadcast':
        if (!isIPv4(options.broadcastAddress)) return `broadcastAddress must be an IPv4 address, got "${options.broadcastAddress}"`;
        if (options.broadcastAddress === '255.255.255.255') return 'broadcastAddress must be the subnet-directed broadcast address, not 255.255.255.255 (it needs a default route)';
        return undefined;
      case 'udp-multicast': {
        if (!isIPv4(options.group) || !isMulticastGroup(options.group)) return `group must be an IPv4 multicast address (224.0.0.0/4), got "${options.group}"`;
        if (!isIPv4(options.interfaceAddress)) return `interfaceAddress must be an IPv4 address, got "${options.interfaceAddress}"`;
        const ttl = options.ttl ?? 1;
        if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255) return `ttl must be an integer in 1..255, got ${ttl}`;
        return undefined;
      }
    }
  }

  private setState(next: LinkState): void {
    this.listeners.change(next);
  }
}

function isMulticastGroup(address: string): boolean {
  const first = Number(address.split('.')[0]);
  return first >= 224 && first <= 239;
}

/** Closes a dgram socket, resolving when it is released; a socket that is already closed resolves at once. */
function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      // ERR_SOCKET_DGRAM_NOT_RUNNING: already closed, which is what we wanted.
      resolve();
    }
  });
}

/**
 * dgram resolves every send's address through its lookup function, by default dns.lookup, which
 * answers even an address literal on the next tick. Link addresses are literals (the configuration
 * accepts nothing else): answering those at once saves a deferred callback per heartbeat sent.
 */
const literalLookup = ((hostname: string, options: unknown, callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void): void => {
  if (isIPv4(hostname)) callback(null, hostname, 4);
  else (dnsLookup as unknown as (h: string, o: unknown, c: typeof callback) => void)(hostname, options, callback);
}) as unknown as typeof dnsLookup;
