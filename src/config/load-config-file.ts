/**
 * loadConfigFile: reads heartline.yaml from disk and parses it. Every way this can fail is a
 * value naming the file: it does not exist, it cannot be read (permissions, a directory, a device,
 * too large), or its content has issues.
 */
import { readFile, stat } from 'node:fs/promises';
import { err, type Result } from '../lib/index.js';
import type { ConfigIssue } from './config-issue.js';
import type { HeartlineConfig } from './heartline-config.js';
import { parseConfig } from './parse-config.js';

/** The default location of the configuration. */
export const CONFIG_PATH = '/etc/heartline/heartline.yaml';

/** A configuration file is a few kilobytes; a megabyte means the wrong file was named. */
export const CONFIG_FILE_BYTES_MAX = 1024 * 1024;

export type ConfigFileError =
  | { readonly code: 'missing'; readonly file: string; readonly message: string; readonly hint: string }
  | { readonly code: 'unreadable'; readonly file: string; readonly message: string; readonly hint: string }
  | { readonly code: 'invalid'; readonly file: string; readonly message: string; readonly issues: readonly ConfigIssue[] };

/** Reads and parses the file at `path`. Never throws; issues name `path` as their source. */
export async function loadConfigFile(path: string = CONFIG_PATH): Promise<Result<HeartlineConfig, ConfigFileError>> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) return err({ code: 'unreadable', file: path, message: `${path} is not a regular file`, hint: 'name the configuration file itself, e.g. /etc/heartline/heartline.yaml' });
    if (info.size > CONFIG_FILE_BYTES_MAX) return err({ code: 'unreadable', file: path, message: `${path} is ${info.size} bytes, too large for a configuration file (at most ${CONFIG_FILE_BYTES_MAX})`, hint: 'check that this is the right file' });
    text = await readFile(path, 'utf8');
  } catch (error) {
    return err(readError(path, error));
  }
  const parsed = parseConfig(text, path);
  if (parsed.ok) return parsed;
  const count = parsed.error.length;
  return err({ code: 'invalid', file: path, message: `${path} has ${count} ${count === 1 ? 'problem' : 'problems'}`, issues: parsed.error });
}

function readError(path: string, error: unknown): ConfigFileError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'ENOENT') return { code: 'missing', file: path, message: `${path} does not exist`, hint: 'create it from docs/examples/heartline.yaml, or convert a Heartbeat setup with `heartline import heartbeat /etc/ha.d`' };
  if (code === 'EACCES' || code === 'EPERM') return { code: 'unreadable', file: path, message: `${path} cannot be read by this user`, hint: `run as root, or check the owner and mode of ${path}` };
  if (code === 'ENOTDIR') return { code: 'missing', file: path, message: `${path} does not exist (a part of the path is not a directory)`, hint: 'check the path' };
  return { code: 'unreadable', file: path, message: `${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`, hint: `check that ${path} is a readable file` };
}
