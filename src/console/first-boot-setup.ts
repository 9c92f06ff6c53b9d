/**
 * First-boot setup from the console: the appliance profile and this node's name become
 * heartline.yaml (the text `heartline profile apply` writes, checked as `heartline config check`
 * checks it), the cluster key is generated (`generateAuthKey`, as the key file's documentation
 * says) or imported from the other node, and the daemon's node name goes into the service's
 * environment file (HEARTLINE_DAEMON_OPTIONS=--node NAME, read by heartline.service), so the node
 * does not depend on its host name. Files are written whole (temporary file, then rename); the key
 * with mode 600, and so are the fence devices' secrets (passwords, communities) typed at the
 * console, one file each in the secrets folder. Errors are values in words.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { AUTH_KEY_PATH, generateAuthKey, parseAuthKey } from '../links/auth-key.js';
import { err, ok, type Result } from '../lib/index.js';
import { SECRETS_DIRECTORY, type ApplianceProfile } from '../profiles/index.js';
import { CommandError } from '../cli/output.js';
import { checkedApplianceConfig } from '../cli/commands/profile.js';

export interface SetupPaths {
  readonly config: string;
  readonly authkey: string;
  /** The service's environment file (/etc/default/heartline). */
  readonly defaultsFile: string;
  readonly profileDirs: readonly string[];
  /** Where the fence devices' secrets go, one file each (default: `secrets` beside the configuration). */
  readonly secretsDir?: string;
}

/** The secrets folder of `paths`. */
export function secretsDirectory(paths: SetupPaths): string {
  return resolve(paths.secretsDir ?? join(dirname(paths.config), 'secrets'));
}

export type KeySource = { readonly kind: 'generate' } | { readonly kind: 'keep' } | { readonly kind: 'import'; readonly text: string; readonly from: string };

export interface SetupAnswers {
  readonly appliance: ApplianceProfile;
  readonly node: string;
  /** Per UDP link of the appliance, its subnet (NETWORK/PREFIX). */
  readonly subnets: Readonly<Record<string, string>>;
  readonly key: KeySource;
  /** Fence device secrets typed at the console, by secret name (written mode 600); absent ones are left as they are. */
  readonly secrets?: Readonly<Record<string, string>>;
}

/** The heartline.yaml text for the answers, or what is wrong in words. */
export function setupConfigText(paths: SetupPaths, answers: Pick<SetupAnswers, 'appliance' | 'node' | 'subnets'>): Result<string, string> {
  try {
    const authkey = resolve(paths.authkey);
    const secretsDir = secretsDirectory(paths);
    return ok(
      checkedApplianceConfig(answers.appliance, paths.profileDirs, resolve(paths.config), {
        node: answers.node,
        subnets: answers.subnets,
        ...(authkey === AUTH_KEY_PATH ? {} : { authkey }),
        ...(secretsDir === SECRETS_DIRECTORY ? {} : { secretsDir }),
      }),
    );
  } catch (error) {
    return err(error instanceof CommandError ? error.message : String(error));
  }
}

/**
 * The key text to import from what the operator typed: a path to the other node's key file, or
 * one of its key lines (`1 sha256 HEX`); checked as the daemon checks the file.
 */
export async function importedKey(answer: string): Promise<Result<KeySource, string>> {
  const trimmed = answer.trim();
  let text: string;
  let from: string;
  if (trimmed.startsWith('/')) {
    try {
      text = await readFile(trimmed, 'utf8');
    } catch (error) {
      return err(`cannot read ${trimmed}: ${error instanceof Error ? error.message : String(error)}`);
    }
    from = trimmed;
  } else {
    const id = /^(\d{1,3})\s/.exec(trimmed)?.[1];
    if (id === undefined) return err("that is neither a file path (starting with /) nor a key line like '1 sha256 <64 hex digits>'");
    text = `# Heartline authentication keys, imported at the console: keep this file mode 600 and identical on every node.\nauth ${id}\n${trimmed}\n`;
    from = 'the key line typed';
  }
  const parsed = parseAuthKey(text, from);
  if (!parsed.ok) return err(`${parsed.error.message} (${parsed.error.hint})`);
  return ok({ kind: 'import', text, from });
}

async function writeWhole(path: string, text: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, text, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}

/**
 * The variables of the service's environment file that carry `--node` to a unit: the daemon's
 * (heartline.service) and the SNMP agent's (heartline-snmp.service), which must name the same node.
 */
const NODE_OPTION_VARIABLES = ['HEARTLINE_DAEMON_OPTIONS', 'HEARTLINE_SNMP_OPTIONS'] as const;

/** The environment file with every unit's options naming the node; other lines and options are kept. */
export function defaultsFileText(previous: string, node: string): string {
  const lines = previous === '' ? ['# Read by heartline.service and heartline-snmp.service (see the units).'] : previous.replace(/\n$/, '').split('\n');
  for (const variable of NODE_OPTION_VARIABLES) {
    const pattern = new RegExp(`^\\s*${variable}=`);
    const at = lines.findIndex((line) => pattern.test(line));
    const options = at < 0 ? '' : (lines[at] ?? '').replace(pattern, '').replace(/^"(.*)"$/, '$1');
    const kept = options.replace(/(^|\s)(--node|-n)(=|\s+)\S+/g, '').trim();
    const line = `${variable}="${kept === '' ? '' : `${kept} `}--node ${node}"`;
    if (at < 0) lines.push(line);
    else lines[at] = line;
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the key, heartline.yaml and the environment file; returns one line per file written. */
export async function writeSetup(paths: SetupPaths, answers: SetupAnswers, configText: string): Promise<Result<string[], string>> {
  const written: string[] = [];
  try {
    if (answers.key.kind !== 'keep') {
      await writeWhole(paths.authkey, answers.key.kind === 'generate' ? generateAuthKey() : answers.key.text, 0o600);
      written.push(answers.key.kind === 'generate' ? `wrote a new cluster key to ${paths.authkey} (mode 600): copy it to the other node` : `wrote the key from ${answers.key.from} to ${paths.authkey} (mode 600)`);
    }
    const secrets = Object.entries(answers.secrets ?? {});
    if (secrets.length > 0) {
      const directory = secretsDirectory(paths);
      await mkdir(directory, { recursive: true, mode: 0o700 });
      await chmod(directory, 0o700);
      for (const [name, value] of secrets) await writeWhole(join(directory, name), `${value}\n`, 0o600);
      written.push(`wrote ${secrets.length === 1 ? 'the secret' : `${secrets.length} secrets`} ${secrets.map(([name]) => name).join(', ')} to ${directory} (mode 600)`);
    }
    await writeWhole(paths.config, configText, 0o644);
    written.push(`wrote ${paths.config} (appliance ${answers.appliance.name}, this node ${answers.node})`);
    let previous = '';
    try {
      previous = await readFile(paths.defaultsFile, 'utf8');
    } catch {
      // No file yet: it is created.
    }
    await writeWhole(paths.defaultsFile, defaultsFileText(previous, answers.node), 0o644);
    written.push(`wrote ${paths.defaultsFile} (the daemon and the SNMP agent run as node ${answers.node})`);
    return ok(written);
  } catch (error) {
    const done = written.length === 0 ? 'nothing was written' : `done before it: ${written.join('; ')}`;
    return err(`${error instanceof Error ? error.message : String(error)} (${done})`);
  }
}
