import { z } from 'zod';

/**
 * The local control protocol between `heartline` commands and the daemon: one JSON object per
 * line over a Unix socket. The client sends one request and reads one response; the daemon checks
 * every request against this schema and answers a bad one with an error, never by dying.
 */
export const DEFAULT_SOCKET_PATH = '/run/heartline/heartline.sock';

export const controlRequestSchema = z.discriminatedUnion('command', [
  z.strictObject({ id: z.number().int(), command: z.literal('status') }),
  z.strictObject({ id: z.number().int(), command: z.literal('members') }),
  z.strictObject({ id: z.number().int(), command: z.literal('links') }),
  /**
   * A change to the CIB (src/ha/cib/cib-change.ts, `CibChange`), forwarded to the DC and applied
   * whole or refused whole. `change` is checked by applyCibChange (total on any input) and, for
   * resources, against the agents' meta-data on this node; `user` and `client` go into the CIB
   * header and the configuration history. Result: `{ version: "admin_epoch.epoch.num_updates" }`;
   * a refusal is error code `rejected` with the message naming the field. `agentCheck: 'warn'`
   * (default `refuse`): the agent check's problems do not refuse the change but come back as
   * `warnings` (for agents not installed on the asking node, e.g. DLM on a node without it).
   */
  z.strictObject({ id: z.number().int(), command: z.literal('cib-change'), change: z.unknown(), user: z.string().min(1).max(64), client: z.string().min(1).max(64).optional(), description: z.string().max(200).optional(), agentCheck: z.enum(['refuse', 'warn']).optional() }),
  /** This node's current CIB. Result: `{ version, authoritative, cib }` (cib: the Cib snapshot as JSON). */
  z.strictObject({ id: z.number().int(), command: z.literal('cib-query') }),
  /** The configuration history (newest first). Result: `{ entries: CibHistoryEntry[] }` (src/ha/cib-store). */
  z.strictObject({ id: z.number().int(), command: z.literal('cib-history'), limit: z.number().int().min(1).max(10_000).optional() }),
  /** One configuration of the history. Result: `{ version, configuration }`; unknown version = error `not-found`. */
  z.strictObject({ id: z.number().int(), command: z.literal('cib-configuration-at'), adminEpoch: z.number().int().min(0), epoch: z.number().int().min(0) }),
  /**
   * Fence a node now through this node's fencing (`heartline fence NODE`); the outcome goes to
   * every member and a success tells the DC the node is down. Result: `{ target, action, device,
   * durationMs }`; a failed fence is error code `fence-failed` with every attempt in the message;
   * an unknown node, or this node itself, is `rejected`.
   */
  z.strictObject({ id: z.number().int(), command: z.literal('fence'), target: z.string().min(1).max(64), action: z.enum(['off', 'reboot']), user: z.string().min(1).max(64) }),
  /**
   * A person verified that `target` is off (`heartline fence confirm NODE`, stonith_admin
   * --confirm): the DC records it as fenced and its resources are recovered. Refused (`rejected`)
   * while the node is a member of this node's view. Result: `{ target, confirmedBy }`.
   */
  z.strictObject({ id: z.number().int(), command: z.literal('fence-confirm'), target: z.string().min(1).max(64), user: z.string().min(1).max(64) }),
  /** Test hook (only with HEARTLINE_TEST_HOOKS=1): keep the main thread busy for `ms`. */
  z.strictObject({ id: z.number().int(), command: z.literal('block-main'), ms: z.number().int().min(1).max(60_000) }),
]);

export type ControlRequest = z.infer<typeof controlRequestSchema>;
export type ControlCommand = ControlRequest['command'];

export type ControlResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: { readonly code: string; readonly message: string } };
