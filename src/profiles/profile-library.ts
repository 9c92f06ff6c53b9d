/**
 * ProfileLibrary: every hardware profile of one or more directories (hw-profiles/ as shipped, plus
 * a site's own), parsed and checked together, with every problem located as FILE:LINE:COL: path.
 *
 * Steps per file: YAML syntax, then the schema (hardware-profile-schema.ts). Then across files:
 * names unique per kind, and for each appliance: unique node, link and device names; every device
 * model exists and suits its driver; every node has fence levels naming existing devices, with a
 * port exactly where the device needs one (a PDU outlet that parses, never one on a BMC); a BMC
 * fences one node only; a serial link's baud is supported (schema). A profile with any problem is
 * left out of the library, so nothing half-checked is ever used.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { compareConfigIssues, formatConfigPath, positionOf, SchemaIssueExplainer, type ConfigIssue, type PathIssue } from '../config/index.js';
import { parsePduPort } from '../fence/index.js';
import { profileDocumentSchema, type ApplianceProfile, type BmcModelProfile, type PduModelProfile, type ProfileDocument } from './hardware-profile-schema.js';

/** One problem of a profile file: the same shape as a configuration issue (FILE:LINE:COL: path: message). */
export type ProfileIssue = ConfigIssue;

export interface LoadedProfile<T> {
  readonly profile: T;
  /** The file it came from. */
  readonly source: string;
}

export interface ProfileLibrary {
  readonly appliances: ReadonlyMap<string, LoadedProfile<ApplianceProfile>>;
  readonly pduModels: ReadonlyMap<string, LoadedProfile<PduModelProfile>>;
  readonly bmcModels: ReadonlyMap<string, LoadedProfile<BmcModelProfile>>;
  /** Every problem found, sorted by file, line and column. Empty when everything is valid. */
  readonly issues: readonly ProfileIssue[];
  /** The files read. */
  readonly files: readonly string[];
}

/** A parsed file, with the means to place an issue found later in it. */
interface ParsedFile {
  readonly source: string;
  readonly document?: ProfileDocument;
  readonly locate: (path: readonly PropertyKey[], message: string, target?: 'key' | 'value') => ProfileIssue;
  readonly issues: ProfileIssue[];
}

const FILE_BYTES_MAX = 1024 * 1024;
const ALIAS_EXPANSIONS_MAX = 100;

/** Parses one profile document. `source` is copied into every issue. Pure; never throws. */
export function parseProfileText(text: string, source: string): { readonly document?: ProfileDocument; readonly issues: ProfileIssue[]; readonly locate: ParsedFile['locate'] } {
  const lineCounter = new LineCounter();
  const yaml: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate: ParsedFile['locate'] = (path, message, target = 'value') => {
    const { line, column } = positionOf(yaml, lineCounter, path, target);
    return { source, path: formatConfigPath(path), line, column, message };
  };
  if (yaml.errors.length > 0) {
    const issues = yaml.errors.map((error): ProfileIssue => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { source, path: '', line, column: col, message: `YAML syntax: ${error.message.split('\n')[0] ?? error.message}` };
    });
    return { issues, locate };
  }
  let data: unknown;
  try {
    data = yaml.toJS({ maxAliasCount: ALIAS_EXPANSIONS_MAX });
  } catch (error) {
    return { issues: [{ source, path: '', line: 1, column: 1, message: `YAML: ${error instanceof Error ? error.message : String(error)}` }], locate };
  }
  if (data === null || data === undefined) {
    return { issues: [{ source, path: '', line: 1, column: 1, message: "the file is empty: a profile starts with 'kind: appliance', 'kind: pdu-model' or 'kind: bmc-model'" }], locate };
  }
  const explainer = new SchemaIssueExplainer();
  const parsed = profileDocumentSchema.safeParse(data, { error: explainer.errorMap });
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue) => explainer.explain(issue)).map((issue: PathIssue) => locate(issue.path, issue.message, issue.target));
    return { issues: issues.sort(compareConfigIssues), locate };
  }
  return { document: parsed.data, issues: [], locate };
}

/** The .yaml/.yml files under `directory`, recursively, in a stable order. */
async function profileFiles(directory: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(directory, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...(await profileFiles(path)));
    else if (/\.ya?ml$/.test(entry.name)) found.push(path);
  }
  return found;
}

/**
 * Loads every profile in `paths` (directories are searched recursively for .yaml/.yml; files are
 * read as given). Never throws: an unreadable path is an issue too.
 */
export async function loadProfileLibrary(paths: readonly string[]): Promise<ProfileLibrary> {
  const parsedFiles: ParsedFile[] = [];
  const issues: ProfileIssue[] = [];
  const files: string[] = [];
  for (const path of paths) {
    let list: string[];
    try {
      list = (await stat(path)).isDirectory() ? await profileFiles(path) : [path];
    } catch (error) {
      issues.push({ source: path, path: '', line: 1, column: 1, message: `cannot be read: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    for (const file of list) {
      files.push(file);
      try {
        const info = await stat(file);
        if (info.size > FILE_BYTES_MAX) {
          issues.push({ source: file, path: '', line: 1, column: 1, message: `${info.size} bytes is too large for a profile (at most ${FILE_BYTES_MAX})` });
          continue;
        }
        const text = await readFile(file, 'utf8');
        const parsed = parseProfileText(text, file);
        parsedFiles.push({ source: file, ...(parsed.document === undefined ? {} : { document: parsed.document }), locate: parsed.locate, issues: parsed.issues });
      } catch (error) {
        issues.push({ source: file, path: '', line: 1, column: 1, message: `cannot be read: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
  }
  return checkLibrary(parsedFiles, issues, files);
}

function checkLibrary(parsedFiles: readonly ParsedFile[], readIssues: ProfileIssue[], files: string[]): ProfileLibrary {
  const issues = [...readIssues];
  const byKind = { appliance: new Map<string, ParsedFile>(), 'pdu-model': new Map<string, ParsedFile>(), 'bmc-model': new Map<string, ParsedFile>() };
  for (const file of parsedFiles) {
    issues.push(...file.issues);
    const document = file.document;
    if (document === undefined) continue;
    const seen = byKind[document.kind];
    const earlier = seen.get(document.name);
    if (earlier !== undefined) {
      issues.push(file.locate(['name'], `another ${document.kind} is named '${document.name}' (${relative('.', earlier.source)}): names must be unique`));
      continue;
    }
    seen.set(document.name, file);
  }
  const pduModels = new Map<string, LoadedProfile<PduModelProfile>>();
  const bmcModels = new Map<string, LoadedProfile<BmcModelProfile>>();
  for (const [name, file] of byKind['pdu-model']) if (file.document?.kind === 'pdu-model') pduModels.set(name, { profile: file.document, source: file.source });
  for (const [name, file] of byKind['bmc-model']) if (file.document?.kind === 'bmc-model') bmcModels.set(name, { profile: file.document, source: file.source });
  const appliances = new Map<string, LoadedProfile<ApplianceProfile>>();
  for (const [name, file] of byKind.appliance) {
    if (file.document?.kind !== 'appliance') continue;
    const problems = checkAppliance(file.document, pduModels, bmcModels).map((problem) => file.locate(problem.path, problem.message, problem.target));
    issues.push(...problems);
    if (problems.length === 0) appliances.set(name, { profile: file.document, source: file.source });
  }
  issues.sort((a, b) => a.source.localeCompare(b.source) || compareConfigIssues(a, b));
  return { appliances, pduModels, bmcModels, issues, files };
}

/** The cross-entry rules of one appliance; each problem with its path in the file. */
export function checkAppliance(appliance: ApplianceProfile, pduModels: ReadonlyMap<string, unknown>, bmcModels: ReadonlyMap<string, unknown>): PathIssue[] {
  const problems: PathIssue[] = [];
  const problem = (path: readonly PropertyKey[], message: string): void => {
    problems.push({ path, target: 'value', message });
  };
  unique(appliance.nodes.map((node) => node.name), (index, name) => problem(['nodes', index, 'name'], `node '${name}' is named twice`));
  unique(appliance.links.map((link) => link.name), (index, name) => problem(['links', index, 'name'], `link '${name}' is named twice`));
  unique(appliance.fence_devices.map((device) => device.name), (index, name) => problem(['fence_devices', index, 'name'], `fence device '${name}' is named twice`));
  unique(appliance.shared_storage?.map((storage) => storage.name) ?? [], (index, name) => problem(['shared_storage', index, 'name'], `shared storage '${name}' is named twice`));

  const devices = new Map(appliance.fence_devices.map((device) => [device.name, device]));
  appliance.fence_devices.forEach((device, index) => {
    if (device.driver === 'snmp-pdu' && !pduModels.has(device.model)) problem(['fence_devices', index, 'model'], `no pdu-model named '${device.model}' (known: ${[...pduModels.keys()].sort().join(', ') || 'none'})`);
    if (device.driver === 'ipmi' && !bmcModels.has(device.model)) problem(['fence_devices', index, 'model'], `no bmc-model named '${device.model}' (known: ${[...bmcModels.keys()].sort().join(', ') || 'none'})`);
    if (device.driver === 'snmp-pdu' && device.snmp.version === '3') {
      const v3 = device.snmp;
      if (v3.security_level !== 'noAuthNoPriv' && (v3.auth_protocol === undefined || v3.auth_secret === undefined)) problem(['fence_devices', index, 'snmp'], `security level ${v3.security_level} needs auth_protocol and auth_secret`);
      if (v3.security_level === 'authPriv' && (v3.priv_protocol === undefined || v3.priv_secret === undefined)) problem(['fence_devices', index, 'snmp'], 'security level authPriv needs priv_protocol and priv_secret');
    }
  });

  const bmcTargets = new Map<string, string>();
  appliance.nodes.forEach((node, nodeIndex) => {
    node.fencing.forEach((level, levelIndex) => {
      level.forEach((entry, entryIndex) => {
        const path = ['nodes', nodeIndex, 'fencing', levelIndex, entryIndex];
        const device = devices.get(entry.device);
        if (device === undefined) {
          problem([...path, 'device'], `no fence device named '${entry.device}' (the devices are: ${[...devices.keys()].join(', ')})`);
          return;
        }
        if (device.driver === 'ipmi') {
          if (entry.port !== undefined) problem([...path, 'port'], `'${device.name}' is a BMC: it fences its own node and takes no port`);
          const other = bmcTargets.get(device.name);
          if (other !== undefined && other !== node.name) problem([...path, 'device'], `BMC '${device.name}' already fences node '${other}': a BMC powers only its own node`);
          bmcTargets.set(device.name, node.name);
        }
        if (device.driver === 'disk' && entry.port !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(entry.port)) problem([...path, 'port'], `'${entry.port}' is not a node's slot name on the fencing disk (leave the port out for the node's own name)`);
        if (device.driver === 'snmp-pdu') {
          if (entry.port === undefined) problem(path, `'${device.name}' is a PDU: say which outlet feeds ${node.name} (port: "3")`);
          // A port that starts with a digit must be a number or switch:outlet; anything else is an outlet's name.
          else if (/^\d/.test(entry.port) && !parsePduPort(entry.port).ok) problem([...path, 'port'], `'${entry.port}' is not an outlet: write its number ("3"), switch:outlet ("2:3") or the outlet's name`);
        }
      });
      if (level.length > 1 && new Set(level.map((entry) => `${entry.device}/${entry.port ?? ''}`)).size < level.length) problem(['nodes', nodeIndex, 'fencing', levelIndex], 'the same device and port appear twice in one level');
    });
  });
  problems.push(...storageLayoutProblems(appliance));
  return problems;
}

/** The storage layout's references: shared_storage entries that exist and suit their use, the layout's own needs. */
function storageLayoutProblems(appliance: ApplianceProfile): PathIssue[] {
  const layout = appliance.storage_layout;
  if (layout === undefined) return [];
  const problems: PathIssue[] = [];
  const problem = (key: string, message: string): void => {
    problems.push({ path: ['storage_layout', key], target: 'value', message });
  };
  const storage = new Map((appliance.shared_storage ?? []).map((entry) => [entry.name, entry]));
  const names = [...storage.keys()].join(', ') || 'none: add a shared_storage section';
  for (const key of ['data', 'fencing_disk', 'quorum_disk'] as const) {
    const name = layout[key];
    if (name === undefined) continue;
    const entry = storage.get(name);
    if (entry === undefined) problem(key, `no shared_storage entry named '${name}' (entries: ${names})`);
    else if (key !== 'data' && entry.kind !== 'block') problem(key, `'${name}' is ${entry.kind} storage: a ${key === 'fencing_disk' ? 'fencing' : 'quorum'} disk is a partition of a block device every node sees`);
  }
  const diskFence = appliance.fence_devices.find((device) => device.driver === 'disk');
  const fencingDisk = layout.fencing_disk === undefined ? undefined : storage.get(layout.fencing_disk);
  if (diskFence !== undefined && fencingDisk?.kind === 'block' && fencingDisk.device !== diskFence.device) {
    problem('fencing_disk', `'${fencingDisk.name}' is ${fencingDisk.device}, but fence device '${diskFence.name}' writes to ${diskFence.device}: name the same partition`);
  }
  const clustered = layout.filesystem !== undefined && ['gfs2', 'ocfs2'].includes(layout.filesystem.fstype);
  if (layout.kind === 'n-to-n') {
    if (layout.vg === undefined || layout.lv === undefined) problem(layout.vg === undefined ? 'vg' : 'lv', 'an n-to-n layout mounts a logical volume of a shared VG: give vg and lv');
    if (layout.filesystem !== undefined && !clustered) problem('filesystem', `an n-to-n layout mounts a cluster filesystem on every node: fstype gfs2 or ocfs2, not ${layout.filesystem.fstype}`);
  } else if (clustered) {
    problem('filesystem', `${layout.filesystem?.fstype ?? ''} is a cluster filesystem: its layout is n-to-n`);
  }
  if (layout.filesystem?.mmp !== undefined && layout.filesystem.fstype !== 'ext4') problem('filesystem', `mmp is ext4's multi-mount protection; ${layout.filesystem.fstype} has none`);
  if (layout.kind === 'n-plus-1') {
    if (layout.backup_node === undefined) problem('backup_node', 'an n-plus-1 layout names the node every group fails over to: give backup_node');
    else if (!appliance.nodes.some((node) => node.name === layout.backup_node)) problem('backup_node', `'${layout.backup_node}' is not a node of the appliance (nodes: ${appliance.nodes.map((node) => node.name).join(', ')})`);
    if (appliance.nodes.length < 3) problem('kind', `n-plus-1 needs at least three nodes (two or more active, one backup); this appliance has ${appliance.nodes.length}`);
  } else if (layout.backup_node !== undefined) {
    problem('backup_node', `only an n-plus-1 layout has a backup node (this one is ${layout.kind})`);
  }
  return problems;
}

function unique(names: readonly string[], onDuplicate: (index: number, name: string) => void): void {
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (seen.has(name)) onDuplicate(index, name);
    seen.add(name);
  });
}
