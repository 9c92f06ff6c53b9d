/**
 * Where each agent class finds its agents, and what every agent's environment starts from. The
 * defaults are Debian's; every path is configurable so that tests run fixture agents and a
 * packaged install can point elsewhere.
 */
import { fileURLToPath } from 'node:url';

export interface AgentDirectories {
  /** OCF_ROOT: `resource.d/PROVIDER/TYPE` under it, and the shell library agents source from `lib/`. */
  readonly ocfRoot: string;
  /**
   * Providers found outside `OCF_ROOT/resource.d` (the directory holding the provider's agents).
   * By default `heartline` is the project's own `agents/ocf/heartline`.
   */
  readonly ocfProviderDirectories: Readonly<Record<string, string>>;
  /** LSB init scripts. */
  readonly initDirectory: string;
  /** Heartbeat v1 resource scripts. */
  readonly heartbeatResourceDirectory: string;
  /** The systemctl command the systemd class runs. */
  readonly systemctl: string;
  /**
   * Where unit files are looked for when a resource is configured (systemd's system unit path, in
   * its order), so that an unknown unit is refused even on a machine where systemd does not run.
   */
  readonly systemdUnitDirectories: readonly string[];
  /** HA_RSCTMP: agents' state files (Dummy's among them); a tmpfs recreated at boot. */
  readonly rscTmpDirectory: string;
  /** PATH in every agent's environment: agents call ip, mount, ... and a daemon's PATH may lack sbin. */
  readonly path: string;
}

/** The project's own OCF provider directory, `agents/ocf/heartline` at the package root. */
export const HEARTLINE_OCF_PROVIDER_DIRECTORY = fileURLToPath(new URL('../../../agents/ocf/heartline', import.meta.url));

export const DEFAULT_AGENT_DIRECTORIES: AgentDirectories = {
  ocfRoot: '/usr/lib/ocf',
  ocfProviderDirectories: { heartline: HEARTLINE_OCF_PROVIDER_DIRECTORY },
  initDirectory: '/etc/init.d',
  heartbeatResourceDirectory: '/etc/ha.d/resource.d',
  systemctl: 'systemctl',
  systemdUnitDirectories: ['/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'],
  rscTmpDirectory: '/run/resource-agents',
  path: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
};
