/**
 * What a CIB change may write as an option: the names the fine-grained changes accept (cluster
 * properties, resource meta attributes, node attributes, agent parameters) and the values of the
 * options whose type Pacemaker 2.1.5 fixes. The importer only warns about unknown names, because
 * it must take any CIB; a change asked by an operator is refused instead, because a misspelled
 * option (`no_quorum-policy`, `taget-role`) is silently ignored by the cluster and the operator
 * believes it took effect. Each check returns the problem, naming whether the name or the value is
 * wrong, as a sentence that says how to fix it, or undefined when the option is acceptable.
 */
import { editDistance } from '../../lib/index.js';
import { parseDuration } from './duration.js';
import {
  CLUSTER_OPTIONS,
  DEPRECATED_CLUSTER_OPTIONS,
  DEPRECATED_RESOURCE_META_ATTRIBUTES,
  LEGACY_CLUSTER_OPTIONS,
  META_NAMES_IN_INSTANCE_ATTRIBUTES,
  RESOURCE_META_ATTRIBUTES,
} from './known-names.js';
import { parsePacemakerBoolean } from './pacemaker-boolean.js';
import { parseRole } from './role.js';
import { parseScore } from './score.js';

/** What is wrong with an option: its name or its value. */
export interface OptionProblem {
  readonly field: 'name' | 'value';
  readonly message: string;
}

/** A value check: the problem ("must be ...") or undefined. */
type ValueCheck = (value: string) => string | undefined;

const booleanValue: ValueCheck = (v) => (parsePacemakerBoolean(v) === undefined ? 'must be a boolean (true or false)' : undefined);
const scoreValue: ValueCheck = (v) => (parseScore(v) === undefined ? 'must be a score (an integer, INFINITY or -INFINITY)' : undefined);
const integerValue: ValueCheck = (v) => (/^\s*-?\d+\s*$/.test(v) ? undefined : 'must be an integer');
const countValue: ValueCheck = (v) => (/^\s*\d+\s*$/.test(v) ? undefined : 'must be a non-negative integer');
const durationValue: ValueCheck = (v) => (parseDuration(v) === undefined ? "must be a duration (a number of seconds, or a number with a unit: 500ms, 30s, 5min, 1h)" : undefined);
const roleValue: ValueCheck = (v) => (parseRole(v) === undefined ? 'must be a role: Stopped, Started, Unpromoted or Promoted' : undefined);
function oneOf(...allowed: string[]): ValueCheck {
  return (v) => (allowed.includes(v.trim().toLowerCase()) ? undefined : `must be one of ${allowed.join(', ')}`);
}

/** Value types of the cluster properties whose type Pacemaker 2.1.5 fixes; other known names take any text. */
const CLUSTER_PROPERTY_VALUES: ReadonlyMap<string, ValueCheck> = new Map<string, ValueCheck>([
  ...[
    'stonith-enabled', 'symmetric-cluster', 'maintenance-mode', 'start-failure-is-fatal', 'enable-startup-probes', 'shutdown-lock', 'have-watchdog',
    'concurrent-fencing', 'startup-fencing', 'stop-all-resources', 'stop-orphan-resources', 'stop-orphan-actions', 'remove-after-stop', 'enable-acl',
  ].map((name): [string, ValueCheck] => [name, booleanValue]),
  ...['batch-limit', 'migration-limit', 'pe-error-series-max', 'pe-warn-series-max', 'pe-input-series-max', 'node-action-limit'].map((name): [string, ValueCheck] => [name, integerValue]),
  ...['stonith-max-attempts', 'cluster-ipc-limit'].map((name): [string, ValueCheck] => [name, countValue]),
  ...['node-health-base', 'node-health-green', 'node-health-yellow', 'node-health-red'].map((name): [string, ValueCheck] => [name, scoreValue]),
  ...[
    'stonith-timeout', 'cluster-delay', 'dc-deadtime', 'cluster-recheck-interval', 'shutdown-lock-limit', 'priority-fencing-delay', 'election-timeout',
    'shutdown-escalation', 'join-integration-timeout', 'join-finalization-timeout', 'transition-delay',
  ].map((name): [string, ValueCheck] => [name, durationValue]),
  ['no-quorum-policy', oneOf('stop', 'freeze', 'ignore', 'demote', 'suicide')],
  ['stonith-action', oneOf('reboot', 'off', 'poweroff')],
  ['placement-strategy', oneOf('default', 'utilization', 'minimal', 'balanced')],
  ['node-health-strategy', oneOf('none', 'migrate-on-red', 'only-green', 'progressive', 'custom')],
  ['fence-reaction', oneOf('stop', 'panic')],
]);

/** Value types of the resource meta attributes whose type Pacemaker 2.1.5 fixes. */
const RESOURCE_META_VALUES: ReadonlyMap<string, ValueCheck> = new Map<string, ValueCheck>([
  ['target-role', roleValue],
  ...[
    'is-managed', 'maintenance', 'allow-migrate', 'critical', 'allow-unhealthy-nodes', 'remote-allow-migrate', 'globally-unique', 'interleave', 'ordered',
    'notify', 'promotable', 'collocated',
  ].map((name): [string, ValueCheck] => [name, booleanValue]),
  ...['priority', 'resource-stickiness', 'migration-threshold'].map((name): [string, ValueCheck] => [name, scoreValue]),
  ...['clone-max', 'clone-node-max', 'clone-min', 'promoted-max', 'promoted-node-max'].map((name): [string, ValueCheck] => [name, countValue]),
  ...['failure-timeout', 'remote-connect-timeout'].map((name): [string, ValueCheck] => [name, durationValue]),
  ['requires', oneOf('nothing', 'quorum', 'fencing', 'unfencing')],
  ['multiple-active', oneOf('block', 'stop_only', 'stop_start', 'stop_unexpected')],
]);

/** Node attributes the cluster itself reads. */
const NODE_ATTRIBUTE_VALUES: ReadonlyMap<string, ValueCheck> = new Map<string, ValueCheck>([
  ['standby', booleanValue],
  ['maintenance', booleanValue],
]);

/** Names written as nvpair names: not empty, no blanks or control characters. */
export function checkOptionName(name: unknown): OptionProblem | undefined {
  if (typeof name !== 'string' || name.length === 0) return nameProblem('must be a non-empty option name');
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f=]/.test(name)) return nameProblem(`'${name}' must not contain blanks, control characters or '='`);
  return undefined;
}

function nameProblem(message: string): OptionProblem {
  return { field: 'name', message };
}

/** A cluster property (crm_config) name and value; unknown, deprecated and legacy names are refused. */
export function checkClusterProperty(name: string, value: string | undefined): OptionProblem | undefined {
  const invalid = checkOptionName(name);
  if (invalid !== undefined) return invalid;
  const deprecated = DEPRECATED_CLUSTER_OPTIONS.get(name);
  if (deprecated !== undefined) return nameProblem(`'${name}' is a deprecated name: set '${deprecated}' instead`);
  if (LEGACY_CLUSTER_OPTIONS.has(name)) return nameProblem(`'${name}' is a legacy option that Pacemaker 2.1's schema refuses${suggestion(name, CLUSTER_OPTIONS)}`);
  if (!CLUSTER_OPTIONS.has(name)) return nameProblem(`'${name}' is not a cluster property${suggestion(name, CLUSTER_OPTIONS)}`);
  return valueProblem(name, value, CLUSTER_PROPERTY_VALUES);
}

/** A resource meta attribute; unknown and deprecated names are refused. */
export function checkResourceMeta(name: string, value: string | undefined): OptionProblem | undefined {
  const invalid = checkOptionName(name);
  if (invalid !== undefined) return invalid;
  const deprecated = DEPRECATED_RESOURCE_META_ATTRIBUTES.get(name);
  if (deprecated !== undefined) return nameProblem(`'${name}' is a deprecated name: set '${deprecated}' instead`);
  if (!RESOURCE_META_ATTRIBUTES.has(name)) return nameProblem(`'${name}' is not a resource meta attribute${suggestion(name, RESOURCE_META_ATTRIBUTES)}; agent parameters are set with set-resource-param`);
  return valueProblem(name, value, RESOURCE_META_VALUES);
}

/** An agent parameter (instance attribute); names that are meta attributes are refused. */
export function checkResourceParam(name: string, value: string | undefined): OptionProblem | undefined {
  const invalid = checkOptionName(name);
  if (invalid !== undefined) return invalid;
  if (META_NAMES_IN_INSTANCE_ATTRIBUTES.has(name)) return nameProblem(`'${name}' is a resource meta attribute, not an agent parameter: set it with set-resource-meta`);
  return valueProblem(name, value, new Map());
}

/** A node attribute (permanent or transient): any name; standby and maintenance must be booleans. */
export function checkNodeAttribute(name: string, value: string | undefined): OptionProblem | undefined {
  return checkOptionName(name) ?? valueProblem(name, value, NODE_ATTRIBUTE_VALUES);
}

function valueProblem(name: string, value: unknown, checks: ReadonlyMap<string, ValueCheck>): OptionProblem | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return { field: 'value', message: `the value of '${name}' must be text, or absent to remove it` };
  const problem = checks.get(name)?.(value);
  return problem === undefined ? undefined : { field: 'value', message: `'${value}' is not a valid value for ${name}: it ${problem}` };
}

/** ` (did you mean 'X'?)` for the closest known name within a small edit distance, else ''. */
function suggestion(name: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best === undefined ? '' : ` (did you mean '${best}'?)`;
}
