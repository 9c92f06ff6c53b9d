/**
 * `--op 'NAME [option=value ...]'`: one operation definition of a new primitive, as pcs and crm
 * write it (`monitor interval=10s timeout=20s`, `start timeout=60s`,
 * `monitor interval=11s role=Promoted`). Options are Pacemaker's `<op>` attributes; an unknown one
 * is refused with the closest known name. Pure.
 */
import { ok, type Result } from '../../lib/index.js';
import { formatDuration, ON_FAIL_VALUES, parseDuration, parsePacemakerBoolean, parseRole, sanitizeXmlId, type OnFail, type Operation } from '../cib/index.js';
import { closestNameHint, inputError, type AdminInputError } from './admin-input-error.js';
import { nvSetOf, parseNameValues, type NameValue } from './name-values.js';

const OP_OPTIONS = ['interval', 'timeout', 'role', 'on-fail', 'enabled', 'start-delay', 'record-pending', 'interval-origin', 'description', 'OCF_CHECK_LEVEL'] as const;

/** The monitor every new primitive gets when the operator gives none: failures are found only by monitors. */
export const DEFAULT_MONITOR = 'monitor interval=10s timeout=20s';

/** Parses one `--op` value into the `<op>` of resource `resourceId`. */
export function parseOperationSpec(spec: string, resourceId: string): Result<Operation, AdminInputError> {
  const words = spec.trim().split(/\s+/).filter((w) => w !== '');
  const name = words[0];
  if (name === undefined || name.includes('=')) return inputError('--op', `'${spec}' does not start with the operation's name (e.g. --op 'monitor interval=10s')`);
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) return inputError('--op', `'${name}' is not an operation name`);
  const pairs = parseNameValues(words.slice(1), `--op ${name}`);
  if (!pairs.ok) return pairs;
  const option = `--op ${name}`;
  let interval = 0;
  const fields: { -readonly [K in keyof Operation]?: Operation[K] } = {};
  const instance: NameValue[] = [];
  for (const { name: key, value } of pairs.value) {
    switch (key) {
      case 'interval':
      case 'timeout':
      case 'start-delay': {
        const duration = parseDuration(value);
        if (duration === undefined) return inputError(option, `${key}='${value}' is not a duration (10s, 500ms, 2min)`);
        if (key === 'interval') interval = duration;
        else if (key === 'timeout') fields.timeout = duration;
        else fields.startDelay = duration;
        break;
      }
      case 'role': {
        const role = parseRole(value);
        if (role === undefined) return inputError(option, `role='${value}' is not a role (Started, Promoted, Unpromoted, Stopped)`);
        fields.role = role.role;
        break;
      }
      case 'on-fail':
        if (!(ON_FAIL_VALUES as readonly string[]).includes(value)) return inputError(option, `on-fail='${value}' is not one of ${ON_FAIL_VALUES.join(', ')}`);
        fields.onFail = value as OnFail;
        break;
      case 'enabled':
      case 'record-pending': {
        const flag = parsePacemakerBoolean(value);
        if (flag === undefined) return inputError(option, `${key}='${value}' is not a boolean (true/false)`);
        if (key === 'enabled') fields.enabled = flag;
        else fields.recordPending = flag;
        break;
      }
      case 'interval-origin':
        fields.intervalOrigin = value;
        break;
      case 'description':
        fields.description = value;
        break;
      case 'OCF_CHECK_LEVEL':
        if (!/^\d+$/.test(value)) return inputError(option, `OCF_CHECK_LEVEL='${value}' is not a depth (0, 10, 20)`);
        instance.push({ name: key, value });
        break;
      default:
        return inputError(option, `'${key}' is not an operation option${closestNameHint(key, OP_OPTIONS)} (options: ${OP_OPTIONS.join(', ')})`);
    }
  }
  if (interval > 0 && name !== 'monitor') return inputError(option, `only monitors recur: a ${name} has no interval`);
  const id = sanitizeXmlId(`${resourceId}-${name}-interval-${formatDuration(interval as Operation['interval'])}`);
  return ok({ id, name, interval: interval as Operation['interval'], ...fields, instanceAttributes: nvSetOf(id, 'instance_attributes', instance), metaAttributes: [] });
}
