/**
 * Checks a resource's parameters against its agent's meta-data, so that a configuration the agent
 * cannot work with is refused when it is asked for, with the parameter named, rather than failing
 * at start on some node. Pure.
 */
import { closestName } from '../../lib/index.js';
import type { AgentMetadata } from './agent-metadata.js';

export interface ParameterProblem {
  readonly parameter: string;
  /** Errors refuse the request; warnings are reported and accepted (agents ignore unknown parameters). */
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

const BOOLEAN_WORDS = new Set(['1', '0', 'yes', 'no', 'true', 'false', 'on', 'off', 'y', 'n']);

export interface ParameterCheckOptions {
  /**
   * How a parameter the meta-data does not list counts: a `warning` (the default: the agent
   * ignores it) or an `error` (a new resource's configuration, where it is most likely a typo).
   */
  readonly unknownParameters?: 'warning' | 'error';
}

/** Every problem of `params` for the agent described by `metadata` (`agentName` is for messages). */
export function checkParameters(metadata: AgentMetadata, params: Readonly<Record<string, string>>, agentName: string, options: ParameterCheckOptions = {}): ParameterProblem[] {
  const problems: ParameterProblem[] = [];
  const known = new Map(metadata.parameters.map((p) => [p.name, p]));
  for (const parameter of metadata.parameters) {
    if (parameter.required && (params[parameter.name] === undefined || params[parameter.name] === '')) {
      const what = parameter.shortDescription === undefined ? '' : ` (${parameter.shortDescription})`;
      problems.push({ parameter: parameter.name, severity: 'error', message: `parameter "${parameter.name}"${what} is required by ${agentName}` });
    }
  }
  for (const [name, value] of Object.entries(params)) {
    const parameter = known.get(name);
    if (parameter === undefined) {
      const similar = closestName(name, known.keys());
      const hint = similar === undefined ? '' : `; did you mean "${similar}"?`;
      problems.push(
        options.unknownParameters === 'error'
          ? { parameter: name, severity: 'error', message: `${agentName} has no parameter "${name}"${hint}` }
          : { parameter: name, severity: 'warning', message: `${agentName} has no parameter "${name}"; the agent will ignore it${hint}` },
      );
      continue;
    }
    if (parameter.deprecated) problems.push({ parameter: name, severity: 'warning', message: `parameter "${name}" of ${agentName} is deprecated` });
    const typeProblem = valueProblem(parameter.type, value, parameter.options);
    if (typeProblem !== undefined) problems.push({ parameter: name, severity: 'error', message: `parameter "${name}" of ${agentName}: ${typeProblem}` });
  }
  return problems;
}

function valueProblem(type: string, value: string, options: readonly string[] | undefined): string | undefined {
  switch (type) {
    case 'integer':
      return /^[+-]?\d+$/.test(value.trim()) ? undefined : `"${value}" is not an integer`;
    case 'boolean':
      return BOOLEAN_WORDS.has(value.trim().toLowerCase()) ? undefined : `"${value}" is not a boolean (yes/no, true/false, 1/0, on/off)`;
    case 'select':
      return options === undefined || options.includes(value) ? undefined : `"${value}" is not one of ${options.join(', ')}`;
    default:
      return undefined;
  }
}
