/**
 * "This node is not configured yet": heartline.yaml is missing, or it is still the template the
 * Debian package installs (packaging/deb/heartline.yaml, whose cluster is named `unconfigured`).
 * The daemon then exits with NOT_CONFIGURED_EXIT_CODE, which systemd/heartline.service lists in
 * RestartPreventExitStatus: restarting cannot help until a person configures the node, and a
 * unit restarting every two seconds only floods the journal. Any other start failure (a broken
 * file, a bad key) keeps its own exit status and message.
 */
import type { ConfigFileError, HeartlineConfig } from '../config/index.js';
import type { Result } from '../lib/index.js';

/** LSB's "program is not configured" (systemd calls exit status 6 NOTCONFIGURED). */
export const NOT_CONFIGURED_EXIT_CODE = 6;

/** The cluster name of the packaged template; reserved: a configured cluster never has it. */
export const TEMPLATE_CLUSTER_NAME = 'unconfigured';

/** What to do about it, for every "not configured" message. */
export const CONFIGURE_HINT =
  'configure this node: run the first-boot setup of `heartline console`, or write the file from the appliance\'s hardware profile with `heartline profile apply APPLIANCE --node NAME --subnet LINK=NETWORK/PREFIX` (see heartline profile list); then `systemctl restart heartline`';

/** Why the node is not configured (a sentence naming the file), or undefined when it is configured or broken in another way. */
export function notConfiguredReason(configPath: string, loaded: Result<HeartlineConfig, ConfigFileError>): string | undefined {
  if (!loaded.ok) return loaded.error.code === 'missing' ? `this node is not configured: ${loaded.error.message}` : undefined;
  if (loaded.value.cluster.name === TEMPLATE_CLUSTER_NAME) {
    return `this node is not configured: ${configPath} is still the package's template (its cluster is named '${TEMPLATE_CLUSTER_NAME}', its nodes are placeholders)`;
  }
  return undefined;
}
