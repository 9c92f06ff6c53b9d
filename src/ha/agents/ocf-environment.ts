/**
 * The environment of an OCF agent (OCF RA API 1.1, plus what Pacemaker adds): the action is the
 * only argument, everything else arrives here. Parameters stay out of `ps` this way. Pure.
 *
 * - OCF_ROOT, OCF_RA_VERSION_MAJOR/MINOR (1.1), OCF_RESOURCE_INSTANCE, OCF_RESOURCE_TYPE,
 *   OCF_RESOURCE_PROVIDER, HA_RSCTMP, OCF_EXIT_REASON_PREFIX, PATH.
 * - OCF_RESKEY_<name> for each instance parameter.
 * - OCF_RESKEY_CRM_meta_<name> for each meta attribute of the resource, then of the operation
 *   (dashes become underscores: clone-max → CRM_meta_clone_max), then the operation's own
 *   CRM_meta_timeout and CRM_meta_interval in milliseconds. The interval is always set, 0 for a
 *   one-shot operation: agents recognise a probe by `CRM_meta_interval=0` (ocf_is_probe).
 * - OCF_RESKEY_CRM_meta_on_node, the node's name, when the runner knows it.
 * - OCF_CHECK_LEVEL for a monitor with a depth.
 */
import { err, ok, type Result } from '../../lib/index.js';
import type { AgentOperation } from '../lrm/index.js';
import { EXIT_REASON_PREFIX } from '../lrm/index.js';

export interface OcfEnvironmentSettings {
  readonly ocfRoot: string;
  readonly rscTmpDirectory: string;
  readonly path: string;
  /** This node's name: OCF_RESKEY_CRM_meta_on_node, as Pacemaker sets it. */
  readonly nodeName?: string;
}

/** Characters an environment variable name may hold so that a shell agent can read it. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The environment for `operation`; an error names a parameter or meta name no shell could read. */
export function ocfEnvironment(operation: AgentOperation, settings: OcfEnvironmentSettings): Result<Record<string, string>, string> {
  const { resource } = operation;
  const env: Record<string, string> = {
    PATH: settings.path,
    OCF_ROOT: settings.ocfRoot,
    OCF_RA_VERSION_MAJOR: '1',
    OCF_RA_VERSION_MINOR: '1',
    OCF_RESOURCE_INSTANCE: resource.id,
    OCF_RESOURCE_TYPE: resource.agent.type,
    OCF_RESOURCE_PROVIDER: resource.agent.provider ?? '',
    HA_RSCTMP: settings.rscTmpDirectory,
    OCF_EXIT_REASON_PREFIX: EXIT_REASON_PREFIX,
  };
  for (const [name, value] of Object.entries(resource.params)) {
    if (!SHELL_NAME.test(name)) return err(`parameter name "${name}" cannot be passed to an OCF agent (letters, digits and _ only)`);
    env[`OCF_RESKEY_${name}`] = value;
  }
  for (const [name, value] of [...Object.entries(resource.meta ?? {}), ...Object.entries(operation.meta ?? {})]) {
    const key = name.replaceAll('-', '_');
    if (!SHELL_NAME.test(key)) return err(`meta attribute "${name}" cannot be passed to an OCF agent`);
    env[`OCF_RESKEY_CRM_meta_${key}`] = value;
  }
  env['OCF_RESKEY_CRM_meta_timeout'] = String(operation.timeoutMs);
  env['OCF_RESKEY_CRM_meta_interval'] = String(operation.intervalMs);
  if (settings.nodeName !== undefined) env['OCF_RESKEY_CRM_meta_on_node'] = settings.nodeName;
  if (operation.depth !== undefined) env['OCF_CHECK_LEVEL'] = String(operation.depth);
  return ok(env);
}
