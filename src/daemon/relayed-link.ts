import type { Clock, NodeId } from '../lib/index.js';
import type { Link, LinkDatagram, LinkKind, LinkState } from '../links/link.js';

/** Messages between a RelayedLink (heartbeat worker) and the SerialRelay (main thread) that owns the port. */
export type RelayToMain =
  | { readonly type: 'link-open'; readonly link: string }
  | { readonly type: 'link-send'; readonly link: string; readonly bytes: Uint8Array }
  | { readonly type: 'link-close'; readonly link: string };

export type RelayToWorker =
  | { readonly type: 'link-opened'; readonly link: string; readonly error: string | null }
  | { readonly type: 'link-datagram'; readonly link: string; readonly bytes: Uint8Array; readonly source: string }
  | { readonly type: 'link-state'; readonly link: string; readonly state: LinkState };

/**
 * RelayedLink: the heartbeat worker's stand-in for a link whose adapter cannot live in a worker
 * thread. serialport's native poller runs on the main thread's event loop only (in a worker it
 * aborts the process), so the SerialLink stays on the main thread and this class carries its
 * frames across the thread boundary. The cost: while the main thread is blocked, frames on this
 * link wait; the UDP links, which live in the worker, are unaffected.
 */
export class RelayedLink implements Link {
  private receiveHandler: ((datagram: LinkDatagram) => void) | undefined;
  private stateHandler: ((state: LinkState) => void) | undefined;
  private opened: ((error: string | null) => void) | undefined;

  constructor(
    readonly name: string,
    readonly kind: LinkKind,
    readonly maxFrameBytes: number,
    private readonly post: (message: RelayToMain) => void,
    private readonly clock: Clock,
  ) {}

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.opened = (error) => (error === null ? resolve() : reject(new Error(error)));
      this.post({ type: 'link-open', link: this.name });
    });
  }

  send(bytes: Uint8Array, _to?: NodeId): void {
    this.post({ type: 'link-send', link: this.name, bytes });
  }

  onReceive(handler: (datagram: LinkDatagram) => void): void {
    this.receiveHandler = handler;
  }

  onState(handler: (state: LinkState) => void): void {
    this.stateHandler = handler;
  }

  close(): Promise<void> {
    this.post({ type: 'link-close', link: this.name });
    this.receiveHandler = undefined;
    this.stateHandler = undefined;
    return Promise.resolve();
  }

  /** Called by the worker with each relay message for this link. */
  deliver(message: RelayToWorker): void {
    switch (message.type) {
      case 'link-opened':
        this.opened?.(message.error);
        this.opened = undefined;
        return;
      case 'link-datagram':
        this.receiveHandler?.({ bytes: message.bytes, receivedAt: this.clock.now(), source: message.source });
        return;
      case 'link-state':
        this.stateHandler?.(message.state);
        return;
    }
  }
}
