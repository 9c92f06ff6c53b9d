// The primitives every layer imports: units and ids, assertions, results, and the interfaces
// through which time, randomness and logging reach the code (their production implementations are
// in src/platform, their simulated ones in src/sim).
export { AssertionError, assert, unreachable } from './assert.js';
export type { Clock, TimerHandle } from './clock.js';
export type { LogContext, Logger } from './logger.js';
export { silentLogger } from './logger.js';
export type { BaseEffect, BaseInput, NodeCore } from './node-core.js';
export type { Random } from './random.js';
export { randomChance, randomFloat, randomInt, randomPick } from './random.js';
export type { Result } from './result.js';
export { err, ok } from './result.js';
export { SeededRandom } from './seeded-random.js';
export { sha256Hex, sha256HexOfBytes, utf8Bytes } from './sha256.js';
export type { Millis, NodeId } from './units.js';
export { NODE_ID_MAX, NODE_ID_MIN, isNodeId, millis, nodeId } from './units.js';
export { closestName, editDistance } from './edit-distance.js';
