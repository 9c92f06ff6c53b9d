// Production implementations of the interfaces in src/lib: the system's monotonic clock, the
// kernel's randomness and pino's JSON lines. The daemon's driver wires them in; cores never see them.
export { CryptoRandom } from './crypto-random.js';
export { PinoLogger } from './pino-logger.js';
export { SystemClock } from './system-clock.js';
