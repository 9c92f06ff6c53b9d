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
  /** Test hook (only with HEARTLINE_TEST_HOOKS=1): keep the main thread busy for `ms`. */
  z.strictObject({ id: z.number().int(), command: z.literal('block-main'), ms: z.number().int().min(1).max(60_000) }),
]);

export type ControlRequest = z.infer<typeof controlRequestSchema>;
export type ControlCommand = ControlRequest['command'];

export type ControlResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: { readonly code: string; readonly message: string } };
