// Shared pieces of the fencing integration tests: the device models of hw-profiles/, a quiet
// ToolRunner, fast timings for simulators, and a "node" process per test node that a power-off
// hook kills (the way a later cluster test kills a node's daemons).
import { spawn, type ChildProcess } from 'node:child_process';
import { ChildToolRunner, type FenceTimings, type PduModel, type ToolRunner } from '../../../src/fence/index.js';
import { loadProfileLibrary, pduModelOf, shippedProfileDirectory, type ProfileLibrary } from '../../../src/profiles/index.js';

export const runner = new ChildToolRunner();

/** Simulators answer in milliseconds: poll fast, give up fast. */
export const FAST: Partial<FenceTimings> = { actionTimeoutMs: 20_000, commandTimeoutMs: 8_000, powerTimeoutMs: 5_000, statusIntervalMs: 100, retries: 1 };

let library: ProfileLibrary | undefined;

export async function shippedLibrary(): Promise<ProfileLibrary> {
  library ??= await loadProfileLibrary([shippedProfileDirectory()]);
  if (library.issues.length > 0) throw new Error(`shipped profiles have problems: ${JSON.stringify(library.issues)}`);
  return library;
}

export async function pduModel(name: string): Promise<PduModel> {
  const found = (await shippedLibrary()).pduModels.get(name);
  if (found === undefined) throw new Error(`no shipped pdu-model ${name}`);
  return pduModelOf(found.profile);
}

export interface FakeNode {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The hook command that kills it (extra arguments, such as an outlet number, are ignored). */
  readonly killCommand: string[];
  alive(): boolean;
}

/**
 * A stand-in for a node's processes: a sleeping child of this test (under setpriv --pdeathsig, so
 * it dies with the test process), killed by a power-off hook through its PID. Call it in
 * beforeAll, never while a describe is collected (a filtered-out suite runs no afterAll).
 */
export function fakeNode(): FakeNode {
  const child = spawn('setpriv', ['--pdeathsig', 'SIGKILL', 'sleep', '600'], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('cannot start sleep');
  return {
    child,
    pid,
    // The hook gets extra arguments (an outlet number): `sh -c 'kill -KILL PID' sh ARGS...` ignores them.
    killCommand: ['/bin/sh', '-c', `kill -KILL ${pid}`, 'hook'],
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

/** Runs every tool inside network namespace `namespace` (`ip netns exec`), as a daemon in that namespace would. */
export function namespacedRunner(namespace: string): ToolRunner {
  return { run: (invocation) => runner.run({ ...invocation, file: 'ip', args: ['netns', 'exec', namespace, invocation.file, ...invocation.args] }) };
}
