/**
 * An agent's meta-data (OCF 1.1 `<resource-agent>` XML) as a typed description: its parameters
 * (required, unique, type, default) and its actions with their advised timeouts and intervals.
 * Parsing goes through the CIB's XML reader (fast-xml-parser underneath), so a malformed document is
 * an error with a line number, and unknown elements are ignored as OCF asks. Pure.
 */
import { err, ok, type Millis, type Result } from '../../lib/index.js';
import { parseDuration, parseRole, parseXml, type Role, type SourceElement } from '../cib/index.js';

export interface AgentParameter {
  readonly name: string;
  /** The resource cannot be configured without it. */
  readonly required: boolean;
  /** No two resources of this agent may share its value (an IP address, a state file). */
  readonly unique: boolean;
  /** A change can be applied by `reload` instead of a restart (OCF 1.1 `reloadable`). */
  readonly reloadable: boolean;
  readonly deprecated: boolean;
  /** The `<content type>`: string, integer, boolean, select, time, ... (string when absent). */
  readonly type: string;
  readonly default?: string;
  /** For type select: the allowed values. */
  readonly options?: readonly string[];
  readonly shortDescription?: string;
  readonly longDescription?: string;
}

export interface AgentActionDescription {
  readonly name: string;
  readonly timeoutMs?: Millis;
  readonly intervalMs?: Millis;
  readonly depth?: number;
  readonly role?: Role;
}

export interface AgentMetadata {
  readonly name: string;
  readonly version?: string;
  readonly shortDescription?: string;
  readonly longDescription?: string;
  readonly parameters: readonly AgentParameter[];
  readonly actions: readonly AgentActionDescription[];
}

/** Parses meta-data XML. Errors name the line and what is wrong. */
export function parseAgentMetadata(xml: string): Result<AgentMetadata, string> {
  const parsed = parseXml(xml);
  if (!parsed.ok) return err(`meta-data is not well-formed XML (line ${String(parsed.error.line)}): ${parsed.error.message}`);
  const root = parsed.value;
  if (root.name !== 'resource-agent') return err(`meta-data root element is <${root.name}>, expected <resource-agent>`);
  const name = root.attributes.get('name');
  if (name === undefined || name === '') return err('meta-data <resource-agent> has no name');
  const parameters: AgentParameter[] = [];
  for (const element of children(children(root, 'parameters')[0], 'parameter')) {
    const parameter = parseParameter(element);
    if (!parameter.ok) return parameter;
    parameters.push(parameter.value);
  }
  const actions: AgentActionDescription[] = [];
  for (const element of children(children(root, 'actions')[0], 'action')) {
    const action = parseAction(element);
    if (!action.ok) return action;
    actions.push(action.value);
  }
  const version = text(children(root, 'version')[0]) ?? root.attributes.get('version');
  const shortDescription = text(children(root, 'shortdesc')[0]);
  const longDescription = text(children(root, 'longdesc')[0]);
  return ok({
    name,
    ...(version === undefined ? {} : { version }),
    ...(shortDescription === undefined ? {} : { shortDescription }),
    ...(longDescription === undefined ? {} : { longDescription }),
    parameters,
    actions,
  });
}

/** The advised timeout of `action` (for a monitor, of the one with `intervalMs`, else the first). */
export function advisedTimeout(metadata: AgentMetadata, action: string, intervalMs?: number): Millis | undefined {
  const matching = metadata.actions.filter((a) => a.name === action);
  const exact = intervalMs === undefined ? undefined : matching.find((a) => (a.intervalMs ?? 0) === intervalMs);
  return (exact ?? matching[0])?.timeoutMs;
}

function parseParameter(element: SourceElement): Result<AgentParameter, string> {
  const name = element.attributes.get('name');
  if (name === undefined || name === '') return err(`meta-data line ${String(element.line)}: <parameter> without a name`);
  const content = children(element, 'content')[0];
  const defaultValue = content?.attributes.get('default');
  const options = children(content, 'option')
    .map((option) => option.attributes.get('value'))
    .filter((value): value is string => value !== undefined);
  const shortDescription = text(children(element, 'shortdesc')[0]);
  const longDescription = text(children(element, 'longdesc')[0]);
  return ok({
    name,
    required: flag(element.attributes.get('required')),
    unique: flag(element.attributes.get('unique')),
    reloadable: flag(element.attributes.get('reloadable')),
    deprecated: children(element, 'deprecated').length > 0 || flag(element.attributes.get('deprecated')),
    type: content?.attributes.get('type') ?? 'string',
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
    ...(options.length === 0 ? {} : { options }),
    ...(shortDescription === undefined ? {} : { shortDescription }),
    ...(longDescription === undefined ? {} : { longDescription }),
  });
}

function parseAction(element: SourceElement): Result<AgentActionDescription, string> {
  const name = element.attributes.get('name');
  const where = `meta-data line ${String(element.line)}`;
  if (name === undefined || name === '') return err(`${where}: <action> without a name`);
  const duration = (attribute: string): Result<Millis | undefined, string> => {
    const value = element.attributes.get(attribute);
    if (value === undefined) return ok(undefined);
    const parsed = parseDuration(value);
    return parsed === undefined ? err(`${where}: action ${name} has ${attribute}="${value}", not a duration`) : ok(parsed);
  };
  const timeout = duration('timeout');
  if (!timeout.ok) return timeout;
  const interval = duration('interval');
  if (!interval.ok) return interval;
  const depthText = element.attributes.get('depth');
  const depth = depthText === undefined ? undefined : Number(depthText);
  if (depth !== undefined && !Number.isInteger(depth)) return err(`${where}: action ${name} has depth="${depthText ?? ''}", not an integer`);
  const roleText = element.attributes.get('role');
  const role = roleText === undefined ? undefined : parseRole(roleText)?.role;
  return ok({
    name,
    ...(timeout.value === undefined ? {} : { timeoutMs: timeout.value }),
    ...(interval.value === undefined ? {} : { intervalMs: interval.value }),
    ...(depth === undefined ? {} : { depth }),
    ...(role === undefined ? {} : { role }),
  });
}

function children(element: SourceElement | undefined, name: string): SourceElement[] {
  if (element === undefined) return [];
  return element.children.filter((child): child is SourceElement => child.kind === 'element' && child.name === name);
}

/** The element's text, whitespace runs folded; undefined when absent or blank. */
function text(element: SourceElement | undefined): string | undefined {
  if (element === undefined) return undefined;
  const joined = element.children
    .map((child) => (child.kind === 'text' ? child.text : ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return joined === '' ? undefined : joined;
}

/** OCF writes booleans as 0/1; true/yes are accepted too. */
function flag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes'].includes(value.trim().toLowerCase());
}
