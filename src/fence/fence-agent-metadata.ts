/**
 * The meta-data of a fence-agents program (`fence_x -o metadata`): its parameters (with the
 * required, deprecated and obsoletes marks) and its actions. Parsed once when a device using the
 * agent is registered, so that a missing required parameter is refused by name before the first
 * fence, not discovered during it.
 */
import { XMLParser } from 'fast-xml-parser';
import { err, ok, type Result } from '../lib/index.js';

export interface FenceAgentParameter {
  readonly name: string;
  readonly required: boolean;
  /** An old name kept for compatibility (ipaddr, login, passwd, port, ...). */
  readonly deprecated: boolean;
  /** The old name this parameter replaces. */
  readonly obsoletes?: string;
  readonly type?: string;
  readonly defaultValue?: string;
  readonly shortdesc?: string;
}

export interface FenceAgentMetadata {
  readonly name: string;
  readonly shortdesc?: string;
  readonly parameters: readonly FenceAgentParameter[];
  readonly actions: readonly string[];
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['parameter', 'action', 'symlink', 'option'].includes(name) });

export function parseFenceAgentMetadata(xml: string): Result<FenceAgentMetadata, string> {
  let document: unknown;
  try {
    document = parser.parse(xml);
  } catch (error) {
    return err(`the meta-data is not XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const agent = (document as { 'resource-agent'?: Record<string, unknown> })['resource-agent'];
  if (agent === undefined || typeof agent !== 'object') return err('the meta-data has no <resource-agent> element');
  const name = typeof agent['name'] === 'string' ? agent['name'] : '';
  if (name === '') return err('the meta-data names no agent');
  const parameterList = ((agent['parameters'] as { parameter?: Record<string, unknown>[] } | undefined)?.parameter ?? []).map((raw): FenceAgentParameter => {
    const content = raw['content'] as Record<string, unknown> | undefined;
    const shortdesc = raw['shortdesc'];
    const text = typeof shortdesc === 'object' && shortdesc !== null ? (shortdesc as Record<string, unknown>)['#text'] : shortdesc;
    return {
      name: attributeText(raw['name']),
      required: raw['required'] === '1',
      deprecated: raw['deprecated'] === '1',
      ...(typeof raw['obsoletes'] === 'string' ? { obsoletes: raw['obsoletes'] } : {}),
      ...(typeof content?.['type'] === 'string' ? { type: content['type'] } : {}),
      ...(content?.['default'] === undefined ? {} : { defaultValue: attributeText(content['default']) }),
      ...(typeof text === 'string' ? { shortdesc: text } : {}),
    };
  });
  const actions = ((agent['actions'] as { action?: Record<string, unknown>[] } | undefined)?.action ?? []).map((action) => attributeText(action['name'])).filter((a) => a !== '');
  return ok({ name, ...(typeof agent['shortdesc'] === 'string' ? { shortdesc: agent['shortdesc'] } : {}), parameters: parameterList, actions });
}

/** An attribute's value as text (fast-xml-parser gives strings, or numbers and booleans for some values). */
function attributeText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** Parameters the fencer itself supplies per call: never "missing" in a device's configuration. */
const SUPPLIED_PER_CALL = new Set(['action', 'plug', 'port', 'nodename']);

/**
 * The problems of giving `given` to the agent: required parameters that are missing (a parameter
 * counts as given under its new or its old name), and names the agent does not know.
 */
export function checkFenceAgentParameters(metadata: FenceAgentMetadata, given: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const known = new Set(metadata.parameters.map((p) => p.name));
  const has = (name: string): boolean => Object.hasOwn(given, name) || Object.hasOwn(given, name.replace(/_/g, '-'));
  for (const parameter of metadata.parameters) {
    if (!parameter.required || parameter.deprecated || SUPPLIED_PER_CALL.has(parameter.name)) continue;
    if (parameter.defaultValue !== undefined) continue;
    if (has(parameter.name) || (parameter.obsoletes !== undefined && has(parameter.obsoletes))) continue;
    problems.push(`parameter '${parameter.name}'${parameter.shortdesc === undefined ? '' : ` (${parameter.shortdesc})`} is required by ${metadata.name}`);
  }
  for (const name of Object.keys(given)) {
    if (!known.has(name) && !known.has(name.replace(/-/g, '_'))) problems.push(`${metadata.name} has no parameter '${name}'`);
  }
  return problems;
}
