/**
 * The CLI's side of the CIB requests of the control protocol (src/daemon/control-protocol.ts):
 * cib-query, cib-change, cib-history and cib-configuration-at. Each checks the shape of what the
 * daemon answered, so a daemon of another version is a clear error rather than a crash.
 */
import { userInfo } from 'node:os';
import type { CibChange, Cib, Configuration } from '../../ha/cib/index.js';
import type { CibHistoryEntry } from '../../ha/cib-store/index.js';
import type { AdminInputError } from '../../ha/admin/index.js';
import type { Result } from '../../lib/index.js';
import { CommandError, ExitCode } from '../output.js';
import { askDaemon } from './daemon-client.js';

/** update-client of every change the CLI makes. */
export const CLI_CLIENT = 'heartline-cli';

/** A change waits for the DC, which may be another node: give it longer than a status query. */
const CHANGE_TIMEOUT_MS = 30_000;

export interface CibQueryAnswer {
  readonly version: string;
  /** False while this node's CIB is not the DC's (no DC yet, or this node not synced). */
  readonly authoritative: boolean;
  readonly cib: Cib;
}

function badAnswer(command: string, what: string): CommandError {
  return new CommandError('bad-response', `the daemon answered ${command} without ${what}: is it a different heartline version?`, ExitCode.failed);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export async function queryCib(socket: string): Promise<CibQueryAnswer> {
  const answer = await askDaemon(socket, 'cib-query');
  if (!isObject(answer) || typeof answer['version'] !== 'string' || !isObject(answer['cib']) || !isObject(answer['cib']['configuration']) || !Array.isArray(answer['cib']['configuration']['resources'])) {
    throw badAnswer('cib-query', 'a CIB');
  }
  return { version: answer['version'], authoritative: answer['authoritative'] === true, cib: answer['cib'] as unknown as Cib };
}

/** Sends `change`; returns the CIB version after it. A refusal throws the daemon's message (exit 1). */
export async function submitChange(socket: string, change: CibChange, description: string): Promise<string> {
  return (await submitChangeWithWarnings(socket, change, description, 'refuse')).version;
}

/** What a change sent with agentCheck 'warn' gets back: the version, and the agent check's problems it did not refuse on. */
export interface SubmittedChange {
  readonly version: string;
  readonly warnings: readonly string[];
}

/** submitChange, choosing whether the agent check on the daemon's node refuses the change or only warns. */
export async function submitChangeWithWarnings(socket: string, change: CibChange, description: string, agentCheck: 'refuse' | 'warn'): Promise<SubmittedChange> {
  const answer = await askDaemon(socket, 'cib-change', { change, user: currentUser(), client: CLI_CLIENT, description: description.slice(0, 200), ...(agentCheck === 'warn' ? { agentCheck } : {}) }, CHANGE_TIMEOUT_MS);
  if (!isObject(answer) || typeof answer['version'] !== 'string') throw badAnswer('cib-change', 'the new version');
  const warnings = Array.isArray(answer['warnings']) ? answer['warnings'].filter((w): w is string => typeof w === 'string') : [];
  return { version: answer['version'], warnings };
}

export async function cibHistory(socket: string, limit?: number): Promise<readonly CibHistoryEntry[]> {
  const answer = await askDaemon(socket, 'cib-history', limit === undefined ? {} : { limit });
  if (!isObject(answer) || !Array.isArray(answer['entries'])) throw badAnswer('cib-history', 'entries');
  return answer['entries'] as CibHistoryEntry[];
}

export async function configurationAt(socket: string, adminEpoch: number, epoch: number): Promise<{ version: string; configuration: Configuration }> {
  const answer = await askDaemon(socket, 'cib-configuration-at', { adminEpoch, epoch });
  if (!isObject(answer) || !isObject(answer['configuration'])) throw badAnswer('cib-configuration-at', 'a configuration');
  return { version: typeof answer['version'] === 'string' ? answer['version'] : `${adminEpoch}.${epoch}`, configuration: answer['configuration'] as unknown as Configuration };
}

/** Who asks: the user who ran sudo when there is one, else this process's user. */
export function currentUser(): string {
  const sudoUser = process.env['SUDO_USER'];
  const name = sudoUser !== undefined && sudoUser !== '' ? sudoUser : userInfo().username;
  return name.slice(0, 64) || 'unknown';
}

/** The value of a builder's result, or a usage error (exit 2) naming the option. */
export function built<T>(result: Result<T, AdminInputError>): T {
  if (result.ok) return result.value;
  throw new CommandError('usage', `${result.error.option}: ${result.error.message}`, ExitCode.usage);
}
