import { controlRequest, DEFAULT_SOCKET_PATH, type ControlCommand } from '../../daemon/index.js';
import { CommandError, ExitCode } from '../output.js';

/** The `--socket` option every command that talks to the daemon takes. */
export const socketOptionDefault = process.env['HEARTLINE_SOCKET'] ?? DEFAULT_SOCKET_PATH;

/** Asks the daemon; an unreachable daemon is exit code 3 with a hint, as output.ts promises. */
export async function askDaemon(socketPath: string, command: ControlCommand): Promise<unknown> {
  const answer = await controlRequest(socketPath, command);
  if (answer.ok) return answer.result;
  if (answer.error.code === 'unreachable' || answer.error.code === 'timeout') {
    throw new CommandError(answer.error.code, answer.error.message, ExitCode.unreachable, 'is the daemon running? (systemctl status heartline, or heartline daemon); use --socket if it listens elsewhere');
  }
  throw new CommandError(answer.error.code, answer.error.message);
}
