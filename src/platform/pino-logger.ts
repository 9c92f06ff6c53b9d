import { pino, type Logger as PinoInstance, type LevelWithSilent } from 'pino';
import type { LogContext, Logger } from '../lib/index.js';

/**
 * PinoLogger: the production Logger. One JSON object per line (journald and log shippers take it as
 * is) with `component`, `msg` and the context fields at the top level. The destination defaults to
 * stdout; commands whose stdout is their answer (`--json` output) pass stderr (fd 2).
 */
export class PinoLogger implements Logger {
  private constructor(private readonly pinoLogger: PinoInstance) {}

  static create(options: { level?: LevelWithSilent; destinationFd?: 1 | 2; name?: string } = {}): PinoLogger {
    const destination = pino.destination({ fd: options.destinationFd ?? 1, sync: true });
    const instance = pino(
      {
        name: options.name ?? 'heartline',
        level: options.level ?? 'info',
        base: { pid: process.pid },
        timestamp: pino.stdTimeFunctions.isoTime,
      },
      destination,
    );
    return new PinoLogger(instance);
  }

  debug(message: string, context?: LogContext): void {
    this.pinoLogger.debug(context ?? {}, message);
  }

  info(message: string, context?: LogContext): void {
    this.pinoLogger.info(context ?? {}, message);
  }

  warn(message: string, context?: LogContext): void {
    this.pinoLogger.warn(context ?? {}, message);
  }

  error(message: string, context?: LogContext): void {
    this.pinoLogger.error(context ?? {}, message);
  }

  child(component: string): Logger {
    return new PinoLogger(this.pinoLogger.child({ component }));
  }
}
