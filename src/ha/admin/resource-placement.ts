/**
 * `resource move ID NODE`, `resource ban ID NODE` and `resource clear ID`: the location constraints
 * Pacemaker's crm_resource writes for an operator's placement wish, with its ids, so that either
 * tool can clear what the other set:
 * - move: `cli-prefer-ID`, score INFINITY for NODE (one per resource: a new move replaces it);
 * - ban: `cli-ban-ID-on-NODE`, score -INFINITY for NODE (one per node);
 * - clear: deletes every `cli-prefer-ID` and `cli-ban-ID-on-*` constraint of the resource.
 * The constraints stay until cleared: a moved resource does not move back by itself. Pure.
 */
import { ok, type Result } from '../../lib/index.js';
import { SCORE_INFINITY, sanitizeXmlId, type CibChange, type Configuration, type LocationConstraint } from '../cib/index.js';
import { inputError, type AdminInputError } from './admin-input-error.js';

export function movePreferenceId(resource: string): string {
  return sanitizeXmlId(`cli-prefer-${resource}`);
}

export function banId(resource: string, node: string): string {
  return sanitizeXmlId(`cli-ban-${resource}-on-${node}`);
}

export function buildResourceMove(resource: string, node: string): CibChange {
  return { op: 'put-constraint', constraint: placement(movePreferenceId(resource), resource, node, SCORE_INFINITY) };
}

export function buildResourceBan(resource: string, node: string): CibChange {
  return { op: 'put-constraint', constraint: placement(banId(resource, node), resource, node, -SCORE_INFINITY) };
}

/**
 * The deletion of every move and ban constraint of `resource` in `configuration`, or an error when
 * there is none (so the operator learns that nothing was there to clear).
 */
export function buildResourceClear(resource: string, configuration: Configuration): Result<CibChange, AdminInputError> {
  const prefer = movePreferenceId(resource);
  const banPrefix = sanitizeXmlId(`cli-ban-${resource}-on-`);
  // The id prefix alone could match another resource's bans (cli-ban-ip-on-x-on-n for resource ip-on-x), so the subject must be this resource.
  const ids = configuration.constraints.flatMap((c) =>
    c.kind === 'location' && c.subject.kind === 'resource' && c.subject.rsc === resource && (c.id === prefer || c.id.startsWith(banPrefix)) ? [c.id] : [],
  );
  if (ids.length === 0) return inputError('ID', `'${resource}' has no move or ban constraints (${prefer}, ${banPrefix}NODE): nothing to clear`);
  const changes: CibChange[] = ids.map((id) => ({ op: 'delete-constraint', id }));
  return ok(changes.length === 1 ? (changes[0] as CibChange) : { op: 'batch', changes });
}

function placement(id: string, rsc: string, node: string, score: number): LocationConstraint {
  return { kind: 'location', id, subject: { kind: 'resource', rsc }, placement: { kind: 'node', node, score } };
}
