import { createConnection } from 'node:net';
import type { ControlCommand, ControlResponse } from './control-protocol.js';

/** `code` is `unreachable`, `timeout`, `bad-response`, or the daemon's own error code. */
export interface ControlClientError {
  readonly code: string;
  readonly message: string;
}

/**
 * Sends one request to the daemon over its control socket and returns its result, or an error
 * value: `unreachable` when no daemon listens (with the socket path in the message), `timeout`
 * when it does not answer in time, or the daemon's own error.
 */
export function controlRequest(socketPath: string, command: ControlCommand, args: Record<string, unknown> = {}, timeoutMs = 5000): Promise<{ ok: true; result: unknown } | { ok: false; error: ControlClientError }> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    let buffered = '';
    let settled = false;
    const finish = (outcome: { ok: true; result: unknown } | { ok: false; error: ControlClientError }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ ok: false, error: { code: 'timeout', message: `the daemon on ${socketPath} did not answer within ${timeoutMs} ms` } }), timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${JSON.stringify({ id: 1, command, ...args })}\n`));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      try {
        const response = JSON.parse(buffered.slice(0, newline)) as ControlResponse;
        finish(response.ok ? { ok: true, result: response.result } : { ok: false, error: response.error });
      } catch {
        finish({ ok: false, error: { code: 'bad-response', message: `the daemon on ${socketPath} sent a response that is not JSON` } });
      }
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? 'no daemon is listening there' : error.code === 'EACCES' ? 'permission denied (run as root or as a member of group haclient)' : error.message;
      finish({ ok: false, error: { code: 'unreachable', message: `cannot reach the heartline daemon on ${socketPath}: ${reason}` } });
    });
    socket.once('close', () => finish({ ok: false, error: { code: 'bad-response', message: `the daemon on ${socketPath} closed the connection without answering` } }));
  });
}
