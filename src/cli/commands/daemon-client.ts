import { controlRequest, DEFAULT_SOCKET_PATH, type ControlCommand } from '../../daemon/index.js';
import { CommandError, ExitCode } from '../output.js';

/** The `--socket` option every command that talks to the daemon takes. */
export const socketOptionDefault = process.env['HEARTLINE_SOCKET'] ?? DEFAULT_SOCKET_PATH;

/**
 * Asks the daemon (`args` are the request's fields besides `id` and `command`, as
 * control-protocol.ts defines them); an unreachable daemon is exit code 3 with a hint, as output.ts
 * promises, and any error the daemon answers (a refused change among them) is exit code 1 with the
 * daemon's own message.
 */
export async function askDaemon(socketPath: string, command: ControlCommand, args: Record<string, unknown> = {}, timeoutMs?: number): Promise<unknown> {
  const answer = await controlRequest(socketPath, command, args, timeoutMs);
  if (answer.ok) return answer.result;
  if (answer.error.code === 'unreachable' || answer.error.code === 'timeout') {
    throw new CommandError(answer.error.code, answer.error.message, ExitCode.unreachable, 'is the daemon running? (systemctl status heartline, or heartline daemon); use --socket if it listens elsewhere');
  }
  throw new CommandError(answer.error.code, answer.error.message);
}
