/**
 * Whether an agent is installed on this node, and where: asked before a resource is accepted into
 * the configuration, so that a typo in an agent name is refused with the place looked in and the
 * closest installed name, rather than failing as "not installed" on every node at start.
 * - ocf: an executable `resource.d/PROVIDER/TYPE` (or the provider's configured directory);
 * - lsb: an executable init script in the init directory;
 * - heartbeat: an executable script in the Heartbeat resource directory;
 * - systemd: a unit file (`NAME.service` unless typed; `foo@bar.service` from `foo@.service`) in
 *   one of the unit directories.
 */
import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { closestName, err, ok, type Result } from '../../lib/index.js';
import type { AgentSpec } from '../lrm/index.js';
import type { AgentDirectories } from './agent-directories.js';
import { agentSpecProblem, formatAgentSpec } from './agent-spec.js';
import { ocfAgentPath } from './ocf-agent-class.js';
import { systemdUnitName } from './systemd-agent-class.js';

/** The path of the installed agent, or a sentence naming the agent, where it looked and the closest installed name. */
export async function locateAgent(agent: AgentSpec, directories: AgentDirectories): Promise<Result<string, string>> {
  const problem = agentSpecProblem(agent);
  if (problem !== undefined) return err(problem);
  const name = formatAgentSpec(agent);
  if (agent.standard === 'stonith') {
    // fence-agents installs its programs in /usr/sbin (the fence-agent driver runs them from there).
    const path = join('/usr/sbin', agent.type);
    return (await exists(path, constants.X_OK)) ? ok(path) : err(`${name} is not installed on this node: no program ${path} (Debian package fence-agents)`);
  }
  if (agent.standard === 'systemd') {
    const unit = systemdUnitName(agent.type);
    const template = unit.replace(/@[^.]+(\.[a-z]+)$/, '@$1');
    for (const directory of directories.systemdUnitDirectories) {
      for (const file of unit === template ? [unit] : [unit, template]) {
        const path = join(directory, file);
        if (await exists(path, constants.F_OK)) return ok(path);
      }
    }
    const installed = (await Promise.all(directories.systemdUnitDirectories.map(listDirectory))).flat();
    return err(`${name} is not installed on this node: no unit file ${unit} in ${directories.systemdUnitDirectories.join(', ')}${closest(unit, installed)}`);
  }
  const path =
    agent.standard === 'ocf' ? ocfAgentPath(agent, directories) : join(agent.standard === 'lsb' ? directories.initDirectory : directories.heartbeatResourceDirectory, agent.type);
  if (await exists(path, constants.X_OK)) return ok(path);
  const directory = join(path, '..');
  const installed = await listDirectory(directory);
  if (agent.standard === 'ocf' && installed.length === 0) {
    const providers = await listDirectory(join(directories.ocfRoot, 'resource.d'));
    const known = [...new Set([...providers, ...Object.keys(directories.ocfProviderDirectories)])].sort();
    return err(`${name} is not installed on this node: there is no OCF provider "${agent.provider ?? ''}" (${directory} does not exist)${closest(agent.provider ?? '', known, 'provider ')}`);
  }
  const what = (await exists(path, constants.F_OK)) ? `${path} is not executable` : `no executable ${path}`;
  return err(`${name} is not installed on this node: ${what}${closest(agent.type, installed)}`);
}

async function exists(path: string, mode: number): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}

async function listDirectory(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch {
    return [];
  }
}

/** `; did you mean "X"?` when an installed name is close to `wanted`, else nothing. */
function closest(wanted: string, installed: readonly string[], what = ''): string {
  const best = closestName(wanted, installed);
  return best === undefined ? '' : `; did you mean ${what}"${best}"?`;
}
