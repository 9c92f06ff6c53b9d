/**
 * The cluster configuration as text for people (`heartline config show`): cluster properties,
 * nodes with their permanent attributes, resources as a tree with agent, parameters, meta
 * attributes and operations, and constraints one per line in the words `heartline constraint add`
 * takes. What the model keeps verbatim (rules, resource sets, unsupported elements) is summarised;
 * `config show --xml` prints everything.
 */
import { formatDuration, formatScore, type Cib, type Constraint, type NvSet, type Operation, type Primitive, type Resource } from '../ha/cib/index.js';

function pairs(sets: readonly NvSet[]): string {
  return sets
    .flatMap((set) => set.pairs.map((p) => `${p.name}=${p.value ?? ''}${set.rules.length > 0 ? ' (with rules)' : ''}`))
    .join(' ');
}

function agentOf(p: Primitive): string {
  return p.class === 'ocf' ? `ocf:${p.provider ?? ''}:${p.type}` : `${p.class}:${p.type}`;
}

function operationText(op: Operation): string {
  const parts = [op.name, `interval=${formatDuration(op.interval)}`];
  if (op.timeout !== undefined) parts.push(`timeout=${formatDuration(op.timeout)}`);
  if (op.role !== undefined) parts.push(`role=${op.role}`);
  if (op.onFail !== undefined) parts.push(`on-fail=${op.onFail}`);
  if (op.enabled === false) parts.push('enabled=false');
  return parts.join(' ');
}

function primitiveLines(p: Primitive, indent: string): string[] {
  const lines = [`${indent}${p.id} (${agentOf(p)})`];
  const params = pairs(p.instanceAttributes);
  if (params !== '') lines.push(`${indent}    params: ${params}`);
  const meta = pairs(p.metaAttributes);
  if (meta !== '') lines.push(`${indent}    meta: ${meta}`);
  for (const op of p.operations?.ops ?? []) lines.push(`${indent}    op ${operationText(op)}`);
  return lines;
}

/** A resource as indented lines (agent, parameters, meta attributes, operations), as `config show` prints it. */
export function resourceLines(resource: Resource, indent: string): string[] {
  switch (resource.kind) {
    case 'primitive':
      return primitiveLines(resource, indent);
    case 'group': {
      const meta = pairs(resource.metaAttributes);
      return [`${indent}group ${resource.id}${meta === '' ? '' : ` (meta: ${meta})`}`, ...resource.members.flatMap((m) => primitiveLines(m, `${indent}  `))];
    }
    case 'clone': {
      const meta = pairs(resource.metaAttributes);
      return [`${indent}clone ${resource.id}${meta === '' ? '' : ` (meta: ${meta})`}`, ...resourceLines(resource.child, `${indent}  `)];
    }
    case 'unsupported':
      return [`${indent}${resource.xml.name} ${resource.id ?? ''} (kept as written; see --xml)`];
  }
}

/** One constraint in the words of `heartline constraint add` where it has that form. */
export function constraintText(c: Constraint): string {
  switch (c.kind) {
    case 'location': {
      const subject = c.subject.kind === 'resource' ? c.subject.rsc : c.subject.kind === 'pattern' ? `pattern ${c.subject.pattern}` : 'resource sets';
      if (c.placement.kind === 'rules') return `location ${c.id} ${subject} (rules)`;
      const { node, score } = c.placement;
      return `location ${c.id} ${subject} ${score < 0 ? 'avoids' : 'prefers'} ${node}=${formatScore(Math.abs(score))}`;
    }
    case 'colocation':
      return c.subject.kind === 'pair'
        ? `colocation ${c.id} ${c.subject.rsc}${c.subject.rscRole === undefined ? '' : `:${c.subject.rscRole}`} with ${c.subject.withRsc}${c.subject.withRscRole === undefined ? '' : `:${c.subject.withRscRole}`} ${formatScore(c.score ?? 0)}`
        : `colocation ${c.id} (resource sets) ${formatScore(c.score ?? 0)}`;
    case 'order':
      return c.subject.kind === 'pair'
        ? `order ${c.id} ${c.subject.firstAction ?? 'start'} ${c.subject.first} then ${c.subject.thenAction ?? c.subject.firstAction ?? 'start'} ${c.subject.then}${c.orderKind === undefined ? '' : ` (${c.orderKind})`}${c.symmetrical === false ? ' (not symmetrical)' : ''}`
        : `order ${c.id} (resource sets)`;
    case 'unsupported':
      return `${c.xml.name} ${c.id ?? ''} (kept as written; see --xml)`;
  }
}

export function renderConfiguration(cib: Cib, version: string): string {
  const { configuration } = cib;
  const lines = [`CIB version ${version}`];
  const properties = pairs(configuration.crmConfig);
  lines.push('', 'Cluster properties:', properties === '' ? '  (defaults)' : `  ${properties}`);
  lines.push('', 'Nodes:');
  if (configuration.nodes.length === 0) lines.push('  (none)');
  for (const node of configuration.nodes) {
    const attributes = pairs(node.instanceAttributes);
    lines.push(`  ${node.uname} (id ${node.id})${attributes === '' ? '' : `: ${attributes}`}`);
  }
  lines.push('', 'Resources:');
  if (configuration.resources.length === 0) lines.push('  (none)');
  for (const resource of configuration.resources) lines.push(...resourceLines(resource, '  '));
  lines.push('', 'Constraints:');
  if (configuration.constraints.length === 0) lines.push('  (none)');
  for (const constraint of configuration.constraints) lines.push(`  ${constraintText(constraint)}`);
  const defaults = pairs(configuration.rscDefaults ?? []);
  if (defaults !== '') lines.push('', `Resource defaults: ${defaults}`);
  const opDefaults = pairs(configuration.opDefaults ?? []);
  if (opDefaults !== '') lines.push('', `Operation defaults: ${opDefaults}`);
  return lines.join('\n');
}
