/**
 * Ids in a configuration. Pacemaker's schema types every element id as an XML ID, unique in the
 * whole document; a change that would add an id already in use is refused. References (`id-ref`)
 * repeat the id they name and are not counted, nor is the content they resolved to; node ids are
 * not XML IDs in the schema (they are numbers) and are not counted either.
 */
import type { Configuration } from './configuration.js';

/** An XML NCName made of ASCII letters, digits, `_`, `.` and `-`, starting with a letter or `_`. */
const XML_ID = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Whether `id` is acceptable as a new element id. */
export function isValidXmlId(id: unknown): id is string {
  return typeof id === 'string' && XML_ID.test(id);
}

/** The problem with a new id, for messages: undefined when valid. */
export function xmlIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.length === 0) return 'must be a non-empty id';
  if (!XML_ID.test(id)) return `'${id}' is not a valid id: use letters, digits, '_', '.' and '-', starting with a letter or '_'`;
  return undefined;
}

/** An id made from `text` by replacing what an XML id may not hold (Pacemaker's crm_xml_sanitize_id). */
export function sanitizeXmlId(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_.-]/g, '.');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/** `base`, or `base-1`, `base-2`, ... whichever is not taken. */
export function unusedId(base: string, taken: (id: string) => boolean): string {
  const clean = sanitizeXmlId(base);
  if (!taken(clean)) return clean;
  for (let n = 1; ; n++) if (!taken(`${clean}-${n}`)) return `${clean}-${n}`;
}

/**
 * Calls `visit(id, path)` for every element id in `value` (a model object or array), with the
 * path of the `id` field below `path` (`resource.operations.ops[1].id`). Verbatim XML is not
 * searched.
 */
export function visitIds(value: unknown, path: string, visit: (id: string, path: string) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => visitIds(item, `${path}[${index}]`, visit));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  if (record['idRef'] !== undefined) return;
  if (typeof record['id'] === 'string') visit(record['id'], `${path}.id`);
  for (const [key, child] of Object.entries(record)) {
    if (key !== 'xml' && typeof child === 'object') visitIds(child, `${path}.${key}`, visit);
  }
}

/**
 * Every id in the configuration with a description of its owner ("resource 'db'", "constraint
 * 'loc-1'", ...), the first owner winning. `skip` leaves out one top-level resource or constraint
 * (the one a change replaces).
 */
export function idsInUse(configuration: Configuration, skip?: object): Map<string, string> {
  const ids = new Map<string, string>();
  const add = (owner: string) => (id: string) => {
    if (!ids.has(id)) ids.set(id, owner);
  };
  for (const set of configuration.crmConfig) visitIds(set, '', add(`cluster property set '${set.id}'`));
  for (const node of configuration.nodes) visitIds(node.instanceAttributes, '', add(`node '${node.uname}'`));
  for (const resource of configuration.resources) if (resource !== skip) visitIds(resource, '', add(`resource '${resource.id ?? resource.kind}'`));
  for (const constraint of configuration.constraints) if (constraint !== skip) visitIds(constraint, '', add(`constraint '${constraint.id ?? constraint.kind}'`));
  visitIds(configuration.rscDefaults, '', add('rsc_defaults'));
  visitIds(configuration.opDefaults, '', add('op_defaults'));
  for (const level of configuration.fencingTopology ?? []) visitIds(level, '', add(`fencing level '${level.id}'`));
  return ids;
}
