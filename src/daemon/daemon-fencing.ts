/**
 * The daemon's NodeFencing from heartline.yaml's `fencing` section: nothing (NoFencing), a program
 * (CommandFencing), or fence devices (ProfileFencing, with its fence history in the state folder
 * unless `fencing.history` says otherwise): a hardware profile's (`profile`), the CIB's
 * (`cib: true`, rebuilt by `applyCib` whenever the CIB's configuration changes), or both. A profile
 * that cannot be used is an error value with what to do; the daemon refuses to start with it. A
 * CIB device that cannot be used is logged and left out (the CIB is the cluster's, and one bad
 * resource must not stop a node); `heartline fence-device list` shows why.
 */
import { join } from 'node:path';
import type { HeartlineConfig } from '../config/index.js';
import type { NodeFencing } from '../fence/node-fencing.js';
import { createProfileFencing, type ProfileFencing } from '../fence/profile-fencing.js';
import type { FenceOutcome, FenceRequest } from '../fence/plan/index.js';
import type { ProcessRunner } from '../ha/lrm/index.js';
import type { Clock, Logger, Result } from '../lib/index.js';
import { err, ok } from '../lib/index.js';
import { DEFAULT_PROFILE_DIRECTORY, loadProfileLibrary } from '../profiles/index.js';
import { CommandFencing, NoFencing } from './command-fencing.js';

export interface DaemonFencingOptions {
  readonly config: HeartlineConfig;
  readonly nodeName: string;
  readonly stateDir: string;
  readonly processes: ProcessRunner;
  readonly clock: Clock;
  readonly logger: Logger;
  /** PATH for a fencing program. */
  readonly path: string;
  /** Total resource priority per node now (profile fencing's priority delay). */
  readonly priorities: () => Readonly<Record<string, number>>;
  /** This node learned that it was fenced (profile fencing's planner). */
  readonly onStopSelf: (reason: string) => void;
}

export interface DaemonFencing {
  readonly fencing: NodeFencing;
  /** For logs and status: `command /path`, `profile NAME`, `cib`, `profile NAME + cib`, or null. */
  readonly description: string | null;
  /** Set with `fencing.cib: true`: the fencing that follows the CIB's stonith resources. */
  readonly devices?: ProfileFencing;
}

/** Why the fencing section cannot be used, with the fix. */
export interface DaemonFencingError {
  readonly message: string;
  readonly hint: string;
}

export async function buildDaemonFencing(options: DaemonFencingOptions): Promise<Result<DaemonFencing, DaemonFencingError>> {
  const section = options.config.fencing;
  const log = options.logger;
  if (section === undefined) return ok({ fencing: new NoFencing(), description: null });
  if (section.kind === 'command') {
    return ok({
      fencing: new CommandFencing({ command: section.command, timeoutMs: section.timeoutMs, processes: options.processes, clock: options.clock, logger: log, path: options.path }),
      description: `command ${section.command}`,
    });
  }
  const dirs = section.profileDirs ?? [DEFAULT_PROFILE_DIRECTORY];
  const library = await loadProfileLibrary(section.profile === undefined ? [] : dirs);
  if (section.profile !== undefined) {
    const appliance = library.appliances.get(section.profile);
    if (appliance === undefined) {
      const problems = library.issues.map((issue) => `${issue.source}:${issue.line}:${issue.column}: ${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`);
      const known = [...library.appliances.keys()].sort().join(', ') || 'none';
      return err({
        message: `fencing.profile: no valid appliance profile named '${section.profile}' in ${dirs.join(', ')} (valid ones: ${known})${problems.length === 0 ? '' : `; problems found:\n  ${problems.join('\n  ')}`}`,
        hint: `check the name with: heartline profile list${section.profileDirs === undefined ? '' : dirs.map((d) => ` --dir ${d}`).join('')}, and the files with: heartline profile validate ${dirs.join(' ')}`,
      });
    }
    const profileNodes = new Set(appliance.profile.nodes.map((node) => node.name));
    const missing = options.config.nodes.map((node) => node.name).filter((name) => !profileNodes.has(name));
    if (missing.length > 0) {
      return err({
        message: `fencing.profile: appliance '${section.profile}' has no fence levels for node(s) ${missing.join(', ')} of heartline.yaml (its nodes: ${[...profileNodes].join(', ')})`,
        hint: 'name the nodes in heartline.yaml as the profile names them, or use a profile that lists every node',
      });
    }
  }
  const historyPath = section.historyPath ?? join(options.stateDir, 'fence-history.sqlite');
  const built = await createProfileFencing({
    library,
    ...(section.profile === undefined ? {} : { appliance: section.profile }),
    ...(section.cib ? { cib: { nodes: options.config.nodes.map((node) => node.name) } } : {}),
    self: options.nodeName,
    ...(section.secretsDir === undefined ? {} : { secretsDir: section.secretsDir }),
    historyPath,
    clock: options.clock,
    logger: log,
    priorities: options.priorities,
    onOutcome: (request: FenceRequest, outcome: FenceOutcome) => log.debug('fence outcome recorded', { target: request.target, ok: outcome.ok }),
    onStopSelf: options.onStopSelf,
  });
  const name = section.profile ?? 'cib';
  if (!built.ok) {
    const hint =
      built.error.kind === 'devices'
        ? `fix each problem listed; test a device with: heartline fence-device test DEVICE --profile ${name}${section.secretsDir === undefined ? '' : ` --secrets ${section.secretsDir}`}`
        : built.error.kind === 'history'
          ? `give another file with fencing.history, or fix the one named (its folder must exist and be writable)`
          : 'check fencing.profile and the node names';
    return err({ message: `fencing.profile: ${built.error.message}${built.error.problems.length > 1 ? `\n  ${built.error.problems.join('\n  ')}` : ''}`, hint });
  }
  const description = [...(section.profile === undefined ? [] : [`profile ${section.profile}`]), ...(section.cib ? ['cib'] : [])].join(' + ');
  return ok({ fencing: built.value, description, ...(section.cib ? { devices: built.value } : {}) });
}
