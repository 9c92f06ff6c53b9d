/**
 * Logger: injected into every component, never global. Messages are stable event phrases
 * ("peer declared dead"); details go in the context object so that they can be queried in the JSON
 * lines. Production writes through pino (platform/pino-logger.ts); the simulator records into its
 * trace; tests may use `silentLogger`.
 *
 * Levels: error needs an operator; warn means degraded; info marks state transitions; debug is
 * per-message detail.
 */
export type LogContext = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, context?: LogContext): void;
  info(message: string, context?: LogContext): void;
  warn(message: string, context?: LogContext): void;
  error(message: string, context?: LogContext): void;
  /** A logger for a sub-component; `component` is a colon path such as "ha:membership". */
  child(component: string): Logger;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
