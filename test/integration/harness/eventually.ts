/**
 * Waiting for something that happens over real time: the testbed's `eventually` (poll until a
 * condition holds, then fail with what was awaited and the state seen last) and `sleep`, which the
 * tests import from here beside the other harness pieces. The implementation lives in
 * src/testbed/eventually.ts because the testbed itself (PtyPair, DaemonLab) waits the same way.
 */
export { eventually, sleep, type EventuallyOptions } from '../../../src/testbed/eventually.js';
