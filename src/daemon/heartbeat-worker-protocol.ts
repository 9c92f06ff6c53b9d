import type { HeartlineConfig } from '../config/index.js';
import type { MembershipEvent } from '../ha/membership/index.js';
import type { AuthKeyFile } from '../links/auth-key.js';
import type { NodeId } from '../lib/index.js';
import type { ClusterView, DriverStatus } from './membership-driver.js';
import type { RelayToMain, RelayToWorker } from './relayed-link.js';

/** What the daemon hands the heartbeat worker at its start (structured-cloned plain data). */
export interface HeartbeatWorkerData {
  readonly config: HeartlineConfig;
  readonly nodeName: string;
  readonly incarnation: number;
  readonly authKeys: AuthKeyFile;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export type ToHeartbeatWorker =
  | { readonly type: 'status'; readonly id: number }
  | { readonly type: 'stop' }
  /** One application message (HaStack's JSON, as UTF-8) for the reliable channel to `to`. */
  | { readonly type: 'channel-send'; readonly to: NodeId; readonly payload: Uint8Array }
  | RelayToWorker;

export type FromHeartbeatWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'fatal'; readonly message: string }
  | { readonly type: 'event'; readonly event: MembershipEvent }
  | { readonly type: 'status'; readonly id: number; readonly status: DriverStatus }
  | { readonly type: 'stopped' }
  /** The view changed (members, DC, quorum as one event), in order with the channel's deliveries. */
  | { readonly type: 'view'; readonly view: ClusterView }
  /** A message the reliable channel delivered, exactly once and in order per sender. */
  | { readonly type: 'channel-deliver'; readonly from: NodeId; readonly payload: Uint8Array }
  | RelayToMain;
