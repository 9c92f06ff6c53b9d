/**
 * The fence devices and levels a CIB configures, as the fencer takes them: every `stonith:`
 * primitive becomes a device spec (its agent, its parameters for the agent, the nodes it can fence
 * and through which plug, its time limits), and the `fencing-topology` becomes levels per node.
 * Pacemaker's conventions are read the way its fencer reads them:
 *
 * - `pcmk_host_map` ("node-a:1;node-b:2", separators `;`, `,` or blanks, `:` or `=` inside) names
 *   the nodes and their plugs; `pcmk_host_list` ("node-a node-b") names nodes whose plug is their
 *   own name; `pcmk_host_check` is `static-list` by default when either is set, otherwise
 *   `dynamic-list` (the agent's `list` answers which plugs exist: the shell refuses a device whose
 *   agent cannot list, since a BMC's agent would otherwise "fence" every node by powering off its
 *   own). `none` means every node; `status` is refused (it would ask a BMC whether it can fence a
 *   node, and every BMC says yes).
 * - `pcmk_host_argument=none` keeps the plug off the agent's input.
 * - `pcmk_delay_base` (a duration, or "node:duration;...") becomes the static fence-race delay of
 *   each node the device fences (the largest when several devices fence one node);
 *   `pcmk_off_timeout` / `pcmk_reboot_timeout` the action time limit; `pcmk_off_retries` /
 *   `pcmk_reboot_retries` the retries. Other `pcmk_*` parameters are named in `notes` and ignored.
 *   No `pcmk_*` parameter is passed to the agent.
 * - A device whose `target-role` is Stopped is not used (as Pacemaker does not register it).
 * - Levels are resolved per node (name, pattern, or a permanent node attribute of the CIB), each
 *   device with the plug of that node; a device that cannot fence the node is left out of the level.
 *
 * Pure: values never reach a message (a password is a parameter like any other), only names do.
 */
import type { Millis } from '../../lib/index.js';
import { listPrimitives, parseDuration, resolveNvSets, type Configuration, type FencingLevel, type Primitive } from '../../ha/cib/index.js';
import type { FenceLevelDevice, FenceLevelSpec } from './fence-topology.js';

/** How a device knows which nodes it can fence (Pacemaker's pcmk_host_check). */
export type CibHostCheck =
  /** Exactly the nodes of the map or list, each with its plug. */
  | { readonly check: 'static-list'; readonly ports: Readonly<Record<string, string>> }
  /** The agent's `list` answers; the plug is the node's name. */
  | { readonly check: 'dynamic-list' }
  /** Every node; the plug is the node's name. */
  | { readonly check: 'none' };

/** One `stonith:` primitive as a fence device. */
export interface CibFenceDeviceSpec {
  /** The primitive's id: the device's name in levels, history and commands. */
  readonly id: string;
  /** The fence-agents program (`fence_ipmilan`). */
  readonly agent: string;
  /** Parameters for the agent (instance attributes without pcmk_*). May hold secrets: never log values. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly hosts: CibHostCheck;
  /** False with pcmk_host_argument=none: the agent never gets a plug. */
  readonly passPort: boolean;
  readonly actionTimeoutMs?: Millis;
  readonly retries?: number;
  /** pcmk_delay_base, per node it applies to ('*' for every node the device fences). */
  readonly delayBaseMs?: Readonly<Record<string, Millis>>;
}

export interface CibFencing {
  /** Usable devices in document order. */
  readonly devices: readonly CibFenceDeviceSpec[];
  /** The fencing-topology resolved per node (kind 'node' only), ports filled in. */
  readonly levels: readonly FenceLevelSpec[];
  /** The nodes some level names (their profile levels, if any, give way to these). */
  readonly nodesWithLevels: readonly string[];
  /** What makes a device or a level unusable, one sentence each, naming the resource or level and the field. */
  readonly problems: readonly string[];
  /** What is ignored (pcmk_* parameters Heartline does not use, disabled devices). */
  readonly notes: readonly string[];
  /** The cluster property priority-fencing-delay, when set (the priority fence-race delay). */
  readonly priorityDelayMs?: Millis;
}

const HOST_CHECKS = ['static-list', 'dynamic-list', 'status', 'none'] as const;
const AGENT_NAME = /^fence_[A-Za-z0-9_]+$/;
/** pcmk_* parameters read here; any other is noted as ignored. */
const USED_PCMK = new Set(['pcmk_host_list', 'pcmk_host_map', 'pcmk_host_check', 'pcmk_host_argument', 'pcmk_delay_base', 'pcmk_off_timeout', 'pcmk_reboot_timeout', 'pcmk_off_retries', 'pcmk_reboot_retries']);

/** Every `stonith:` primitive of `configuration` (document order), for callers that only need their ids. */
export function stonithPrimitives(configuration: Configuration): readonly Primitive[] {
  return listPrimitives(configuration.resources)
    .map(({ primitive }) => primitive)
    .filter((primitive) => primitive.class === 'stonith');
}

/**
 * The devices and levels of `configuration` for a cluster of `nodes` (heartline.yaml's node names;
 * the CIB's own nodes are added). Never fails: what cannot be used is left out and named in
 * `problems`.
 */
export function cibFencing(configuration: Configuration, nodes: readonly string[]): CibFencing {
  const problems: string[] = [];
  const notes: string[] = [];
  const devices: CibFenceDeviceSpec[] = [];
  for (const primitive of stonithPrimitives(configuration)) {
    const built = cibFenceDevice(primitive);
    problems.push(...built.problems);
    notes.push(...built.notes);
    if (built.device !== undefined) devices.push(built.device);
  }
  const allNodes = [...new Set([...nodes, ...configuration.nodes.filter((node) => node.type === undefined || node.type === 'member').map((node) => node.uname)])];
  const levels = resolveLevels(configuration, allNodes, devices, problems);
  const priorityText = resolveNvSets(configuration.crmConfig, { firstId: 'cib-bootstrap-options' }).get('priority-fencing-delay');
  const priorityDelayMs = priorityText === undefined ? undefined : parseDuration(priorityText);
  if (priorityText !== undefined && priorityDelayMs === undefined) problems.push(`cluster property priority-fencing-delay '${priorityText}' is not a duration (ignored)`);
  return {
    devices,
    levels,
    nodesWithLevels: [...new Set(levels.map((level) => (level.target.kind === 'node' ? level.target.node : '')))],
    problems,
    notes,
    ...(priorityDelayMs === undefined || priorityDelayMs === 0 ? {} : { priorityDelayMs }),
  };
}

/** The part of a hardware profile's fencing that merges with the CIB's. */
export interface BaseFencing {
  readonly deviceNames: readonly string[];
  readonly levels: readonly FenceLevelSpec[];
  readonly staticDelayMs: Readonly<Record<string, Millis>>;
  readonly priorityDelayMs?: Millis;
}

export interface MergedFencing {
  readonly levels: readonly FenceLevelSpec[];
  readonly capableDevices: Readonly<Record<string, readonly FenceLevelDevice[]>>;
  readonly staticDelayMs: Readonly<Record<string, Millis>>;
  readonly priorityDelayMs?: Millis;
  readonly problems: readonly string[];
}

/**
 * The profile's fencing (possibly none) beside the CIB's: a node that some CIB fencing-level names
 * is fenced by the CIB's levels only (the cluster's configuration is the newer word); any other
 * node by its profile levels; a node with neither by the CIB devices that can fence it, one at a
 * time. A CIB device named like a profile device is left out; CIB levels that name a device that
 * could not be built (`built` lacks it) are left out. Delays: the larger of the two.
 */
export function mergeFencing(base: BaseFencing, cib: CibFencing, built: ReadonlySet<string>, nodes: readonly string[]): MergedFencing {
  const problems: string[] = [];
  const profileDevices = new Set(base.deviceNames);
  for (const device of cib.devices) {
    if (profileDevices.has(device.id)) problems.push(`resource '${device.id}': the hardware profile has a fence device of the same name; rename the resource (the profile's device is used)`);
  }
  const usable = cib.devices.filter((device) => built.has(device.id) && !profileDevices.has(device.id));
  const usableIds = new Set(usable.map((device) => device.id));
  const cibLevels = cib.levels.filter((level) => {
    const missing = level.devices.filter((device) => !usableIds.has(device.device));
    if (missing.length === 0) return true;
    problems.push(`fencing level ${level.index} of ${level.target.kind === 'node' ? level.target.node : '?'}: not used, device ${missing.map((d) => `'${d.device}'`).join(', ')} cannot be used`);
    return false;
  });
  const cibNodes = new Set(cibLevels.map((level) => (level.target.kind === 'node' ? level.target.node : '')));
  const levels = [...cibLevels, ...base.levels.filter((level) => !(level.target.kind === 'node' && cibNodes.has(level.target.node)))];
  const capableDevices = cibCapableDevices(usable, nodes);
  const staticDelayMs: Record<string, Millis> = { ...base.staticDelayMs };
  for (const [node, ms] of Object.entries(cibStaticDelays(usable, nodes))) if (ms > (staticDelayMs[node] ?? 0)) staticDelayMs[node] = ms;
  const priorityDelayMs = Math.max(base.priorityDelayMs ?? 0, cib.priorityDelayMs ?? 0);
  return { levels, capableDevices, staticDelayMs, problems, ...(priorityDelayMs > 0 ? { priorityDelayMs: priorityDelayMs as Millis } : {}) };
}

/** One primitive as a device, or the problems that make it unusable (and notes on what is ignored). */
export function cibFenceDevice(primitive: Primitive): { readonly device?: CibFenceDeviceSpec; readonly problems: readonly string[]; readonly notes: readonly string[] } {
  const at = `resource '${primitive.id}'`;
  const problems: string[] = [];
  const notes: string[] = [];
  const meta = resolveNvSets(primitive.metaAttributes);
  if ((meta.get('target-role') ?? '').toLowerCase() === 'stopped') {
    return { problems, notes: [`${at}: target-role is Stopped: the device is not used for fencing`] };
  }
  if (!AGENT_NAME.test(primitive.type)) {
    return {
      problems: [`${at}: stonith:${primitive.type} is not a fence agent Heartline runs: name a fence-agents program (stonith:fence_ipmilan, stonith:fence_apc_snmp, ...)`],
      notes,
    };
  }
  // Rules may guard parameter sets (per node): for the device every set counts, as for the agent check.
  const all = resolveNvSets(primitive.instanceAttributes, { ruleMatches: () => true });
  const parameters: Record<string, string> = {};
  for (const [name, value] of all) {
    if (!name.startsWith('pcmk_')) parameters[name] = value;
    else if (!USED_PCMK.has(name)) notes.push(`${at}: ${name} is not used by Heartline's fencer (ignored)`);
  }
  const hosts = hostCheck(at, all, problems);
  const argument = all.get('pcmk_host_argument');
  if (argument !== undefined && !['none', 'port', 'plug'].includes(argument)) {
    problems.push(`${at}: pcmk_host_argument '${argument}' is not supported: Heartline passes the node's plug as plug (use port, plug or none)`);
  }
  const timeouts = (['pcmk_off_timeout', 'pcmk_reboot_timeout'] as const).flatMap((name) => {
    const text = all.get(name);
    if (text === undefined) return [];
    const ms = parseDuration(text);
    if (ms === undefined || ms === 0) {
      problems.push(`${at}: ${name} '${text}' is not a duration (write e.g. 60s)`);
      return [];
    }
    return [ms];
  });
  const retries = (['pcmk_off_retries', 'pcmk_reboot_retries'] as const).flatMap((name) => {
    const text = all.get(name);
    if (text === undefined) return [];
    if (!/^\d+$/.test(text.trim()) || Number(text) > 10) {
      problems.push(`${at}: ${name} '${text}' is not a whole number from 0 to 10`);
      return [];
    }
    return [Number(text)];
  });
  const delayBaseMs = delayBase(at, all.get('pcmk_delay_base'), problems);
  if (problems.length > 0 || hosts === undefined) return { problems, notes };
  return {
    device: {
      id: primitive.id,
      agent: primitive.type,
      parameters,
      hosts,
      passPort: argument !== 'none',
      ...(timeouts.length === 0 ? {} : { actionTimeoutMs: Math.max(...timeouts) as Millis }),
      ...(retries.length === 0 ? {} : { retries: Math.max(...retries) }),
      ...(delayBaseMs === undefined ? {} : { delayBaseMs }),
    },
    problems,
    notes,
  };
}

function hostCheck(at: string, all: ReadonlyMap<string, string>, problems: string[]): CibHostCheck | undefined {
  const listText = all.get('pcmk_host_list');
  const mapText = all.get('pcmk_host_map');
  const checkText = all.get('pcmk_host_check');
  const check = checkText ?? (listText !== undefined || mapText !== undefined ? 'static-list' : 'dynamic-list');
  if (!(HOST_CHECKS as readonly string[]).includes(check)) {
    problems.push(`${at}: pcmk_host_check '${check}' is not one of static-list, dynamic-list, none`);
    return undefined;
  }
  if (check === 'status') {
    problems.push(`${at}: pcmk_host_check=status is not supported (a BMC answers status for any node): set pcmk_host_list or pcmk_host_map`);
    return undefined;
  }
  if (check === 'none') return { check: 'none' };
  if (check === 'dynamic-list') return { check: 'dynamic-list' };
  const ports: Record<string, string> = {};
  for (const node of splitList(listText ?? '')) ports[node] = node;
  for (const entry of splitList(mapText ?? '')) {
    const match = /^([^:=]+)[:=](.*)$/.exec(entry);
    if (match === null || (match[2] ?? '') === '') {
      problems.push(`${at}: pcmk_host_map entry '${entry}' is not NODE:PLUG (write e.g. node-a:1;node-b:2)`);
      continue;
    }
    ports[match[1] ?? ''] = match[2] ?? '';
  }
  if (Object.keys(ports).length === 0) {
    problems.push(`${at}: pcmk_host_check is static-list but pcmk_host_list and pcmk_host_map name no node`);
    return undefined;
  }
  return { check: 'static-list', ports };
}

function delayBase(at: string, text: string | undefined, problems: string[]): Readonly<Record<string, Millis>> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const delays: Record<string, Millis> = {};
  const plain = parseDuration(text);
  if (plain !== undefined) return plain === 0 ? undefined : { '*': plain };
  for (const entry of splitList(text)) {
    const match = /^([^:=]+)[:=](.+)$/.exec(entry);
    const ms = match === null ? undefined : parseDuration(match[2] ?? '');
    if (match === null || ms === undefined) {
      problems.push(`${at}: pcmk_delay_base '${text}' is neither a duration nor NODE:DURATION;... (write e.g. 5s or node-a:5s;node-b:0s)`);
      return undefined;
    }
    delays[match[1] ?? ''] = ms;
  }
  return delays;
}

function splitList(text: string): string[] {
  return text.split(/[\s,;]+/).filter((part) => part !== '');
}

/**
 * Whether `device` can fence `node`, and with which plug (undefined: none is passed). For a
 * dynamic list the answer is "yes, plug = the node's name": the driver checks the agent's list.
 */
export function devicePortFor(device: CibFenceDeviceSpec, node: string): { readonly capable: boolean; readonly port?: string } {
  let port: string | undefined;
  if (device.hosts.check === 'static-list') {
    port = device.hosts.ports[node];
    if (port === undefined) return { capable: false };
  } else {
    port = node;
  }
  return device.passPort ? { capable: true, port } : { capable: true };
}

/** Per node, the devices that can fence it in document order (the fallback when no level names the node). */
export function cibCapableDevices(devices: readonly CibFenceDeviceSpec[], nodes: readonly string[]): Record<string, FenceLevelDevice[]> {
  const capable: Record<string, FenceLevelDevice[]> = {};
  for (const node of nodes) {
    capable[node] = devices.flatMap((device) => {
      const answer = devicePortFor(device, node);
      return answer.capable ? [{ device: device.id, ...(answer.port === undefined ? {} : { port: answer.port }) }] : [];
    });
  }
  return capable;
}

/** The static fence-race delay per node from the devices' pcmk_delay_base (the largest when several apply). */
export function cibStaticDelays(devices: readonly CibFenceDeviceSpec[], nodes: readonly string[]): Record<string, Millis> {
  const delays: Record<string, Millis> = {};
  for (const node of nodes) {
    for (const device of devices) {
      if (device.delayBaseMs === undefined || !devicePortFor(device, node).capable) continue;
      const ms = device.delayBaseMs[node] ?? device.delayBaseMs['*'];
      if (ms !== undefined && ms > (delays[node] ?? 0)) delays[node] = ms;
    }
  }
  return delays;
}

function resolveLevels(configuration: Configuration, nodes: readonly string[], devices: readonly CibFenceDeviceSpec[], problems: string[]): FenceLevelSpec[] {
  const byId = new Map(devices.map((device) => [device.id, device]));
  const stonithIds = new Set(stonithPrimitives(configuration).map((primitive) => primitive.id));
  const attributes = new Map(configuration.nodes.map((node) => [node.uname, resolveNvSets(node.instanceAttributes)]));
  const levels: FenceLevelSpec[] = [];
  for (const level of configuration.fencingTopology ?? []) {
    const at = `fencing-level '${level.id}'`;
    const unknown = level.devices.filter((id) => !stonithIds.has(id));
    if (unknown.length > 0) {
      problems.push(`${at}: devices names ${unknown.map((id) => `'${id}'`).join(', ')}, which ${unknown.length === 1 ? 'is not a stonith resource' : 'are not stonith resources'} of the CIB`);
      continue;
    }
    const matcher = levelMatcher(level, attributes);
    if (typeof matcher === 'string') {
      problems.push(`${at}: ${matcher}`);
      continue;
    }
    for (const node of nodes.filter(matcher)) {
      const levelDevices: FenceLevelDevice[] = [];
      let usable = true;
      for (const id of level.devices) {
        const device = byId.get(id);
        if (device === undefined) {
          usable = false; // a device the CIB has but that cannot be used: its own problem says why
          continue;
        }
        const answer = devicePortFor(device, node);
        if (!answer.capable) {
          usable = false;
          problems.push(`${at}: device '${id}' cannot fence ${node} (it is not in its pcmk_host_list or pcmk_host_map)`);
          continue;
        }
        levelDevices.push({ device: id, ...(answer.port === undefined ? {} : { port: answer.port }) });
      }
      // Every device of a level must succeed: a level missing one is not that level any more.
      if (usable) levels.push({ index: level.index, target: { kind: 'node', node }, devices: levelDevices });
      else problems.push(`${at}: not used for ${node}, since one of its devices cannot be used`);
    }
  }
  return levels;
}

function levelMatcher(level: FencingLevel, attributes: ReadonlyMap<string, ReadonlyMap<string, string>>): ((node: string) => boolean) | string {
  if (level.target !== undefined) {
    const target = level.target;
    return (node) => node === target;
  }
  if (level.targetPattern !== undefined) {
    try {
      const regex = new RegExp(level.targetPattern);
      return (node) => regex.test(node);
    } catch {
      return `target-pattern '${level.targetPattern}' is not a regular expression`;
    }
  }
  if (level.targetAttribute !== undefined) {
    const name = level.targetAttribute;
    const value = level.targetValue;
    return (node) => attributes.get(node)?.get(name) === value;
  }
  return 'names no target (target, target-pattern or target-attribute)';
}
