import type { Millis, NodeId } from '../lib/index.js';

/** The kinds of heartbeat link Heartline drives. A crossover cable is a unicast or broadcast link on its own subnet. */
export type LinkKind = 'udp-unicast' | 'udp-broadcast' | 'udp-multicast' | 'serial';

/** One datagram (UDP) or one de-framed message (serial) as it arrived, still encoded. */
export interface LinkDatagram {
  readonly bytes: Uint8Array;
  /** Monotonic time of arrival, from the link's Clock. */
  readonly receivedAt: Millis;
  /** Where it came from: `ip:port` for UDP, the device path for serial. For logs and diagnostics only. */
  readonly source: string;
}

/** The local state of a link, as the adapter sees it (not per peer: peer health is derived from frames). */
export type LinkState =
  | { readonly state: 'up' }
  | { readonly state: 'down'; readonly reason: string };

/**
 * Link: one heartbeat path, best-effort and unordered, like memberlist's Transport. It moves opaque
 * frames; framing of the byte stream (serial), not the frame format, is its business, and so is
 * reopening a device or socket that went away. Authentication, sequence numbers and fragmentation
 * live above it (src/links/frame-*.ts), so every link kind gets them alike.
 *
 * Contract:
 * - `open()` resolves when the link can send and receive, or rejects with a LinkError naming the
 *   address or device and the cause; after that the link never throws: send failures and device
 *   loss are reported through `onState`, and the link keeps trying to recover by itself.
 * - `send(bytes, to)` is fire-and-forget. `to` selects the peer on unicast links and is ignored by
 *   broadcast, multicast and serial links (they reach every peer on the medium). A frame larger
 *   than `maxFrameBytes` is a programming error.
 * - Every received datagram is passed to the `onReceive` handler, including ones this node sent
 *   itself (broadcast loops back); the layer above filters by sender id.
 * - `close()` releases the socket or device; no handler is called after it resolves.
 */
export interface Link {
  readonly name: string;
  readonly kind: LinkKind;
  readonly maxFrameBytes: number;
  open(): Promise<void>;
  send(bytes: Uint8Array, to?: NodeId): void;
  onReceive(handler: (datagram: LinkDatagram) => void): void;
  onState(handler: (state: LinkState) => void): void;
  close(): Promise<void>;
}
