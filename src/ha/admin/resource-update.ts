/**
 * `heartline resource update ID [name=value ...] [--meta name=value]` and `resource enable|disable
 * ID`: changes to an existing resource's agent parameters and meta attributes, one set-resource-param
 * or set-resource-meta change per name in one batch (all or nothing). `name=` (empty) removes the
 * parameter or attribute. Pure.
 */
import { ok, type Result } from '../../lib/index.js';
import { checkResourceMeta, checkResourceParam, type CibChange } from '../cib/index.js';
import { inputError, type AdminInputError } from './admin-input-error.js';
import { parseNameValues } from './name-values.js';

export interface ResourceUpdateRequest {
  readonly id: string;
  readonly params: readonly string[];
  readonly meta: readonly string[];
}

export function buildResourceUpdate(request: ResourceUpdateRequest): Result<CibChange, AdminInputError> {
  const { id } = request;
  if (request.params.length === 0 && request.meta.length === 0) return inputError('name=value', 'nothing to change: give agent parameters as name=value and meta attributes with --meta name=value (name= removes one)');
  const params = parseNameValues(request.params, 'name=value');
  if (!params.ok) return params;
  const meta = parseNameValues(request.meta, '--meta');
  if (!meta.ok) return meta;
  const changes: CibChange[] = [];
  for (const { name, value } of params.value) {
    const problem = checkResourceParam(name, value === '' ? undefined : value);
    if (problem !== undefined) return inputError(`${name}=`, problem.message.replace('set it with set-resource-meta', 'give it with --meta'));
    changes.push(value === '' ? { op: 'set-resource-param', id, name } : { op: 'set-resource-param', id, name, value });
  }
  for (const { name, value } of meta.value) {
    const problem = checkResourceMeta(name, value === '' ? undefined : value);
    if (problem !== undefined) return inputError('--meta', problem.message.replace('agent parameters are set with set-resource-param', 'agent parameters are given as name=value'));
    changes.push(value === '' ? { op: 'set-resource-meta', id, name } : { op: 'set-resource-meta', id, name, value });
  }
  return ok(changes.length === 1 ? (changes[0] as CibChange) : { op: 'batch', changes });
}

/** enable: target-role=Started (the cluster may start it); disable: target-role=Stopped (it stops it everywhere). */
export function buildResourceTargetRole(id: string, enable: boolean): CibChange {
  return { op: 'set-resource-meta', id, name: 'target-role', value: enable ? 'Started' : 'Stopped' };
}

/** `resource delete ID [--force]`: --force also deletes the constraints that name it (cascade). */
export function buildResourceDelete(id: string, force: boolean): CibChange {
  return force ? { op: 'delete-resource', id, cascade: true } : { op: 'delete-resource', id };
}

/** `resource cleanup ID [--node N]`: forgets its failures and operation history, so the cluster looks again. */
export function buildResourceCleanup(id: string, node?: string): CibChange {
  return node === undefined ? { op: 'clear-failures', resource: id } : { op: 'clear-failures', resource: id, node };
}
