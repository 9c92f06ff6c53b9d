/**
 * exportCibXml: a CIB snapshot → Pacemaker CIB XML. Deterministic: the same snapshot always gives
 * the same text. Values are written in their canonical spelling (scores as INFINITY/-INFINITY or
 * integers, booleans as true/false, roles by their current names, durations as `0`, `Ns` or
 * `Nms`), which Pacemaker reads as the same values; references (id-ref) are written back as
 * references; elements kept verbatim are written as they were read (attributes sorted by name).
 */
import { formatDuration } from '../duration.js';
import { formatPacemakerBoolean } from '../pacemaker-boolean.js';
import { formatScore } from '../score.js';
import type { Cib } from '../cib.js';
import type { Configuration } from '../configuration.js';
import type { Constraint, ResourceSet } from '../constraints.js';
import type { FencingLevel } from '../fencing-topology.js';
import type { ClusterNode } from '../nodes.js';
import type { NvPair, NvSet } from '../nvset.js';
import type { Operation, OperationSet, Primitive, Resource, Group } from '../resources.js';
import type { Rule, RuleExpression } from '../rule.js';
import type { LrmResource, LrmRscOp, NodeState, Status } from '../status.js';
import type { XmlAttribute, XmlElement } from '../xml-element.js';
import { writeXml } from './write-xml.js';

/** The CIB as Pacemaker XML text (no XML declaration; ends in a newline). */
export function exportCibXml(cib: Cib): string {
  return writeXml(cibToXmlElement(cib));
}

/** The CIB as an element tree, before serialization. */
export function cibToXmlElement(cib: Cib): XmlElement {
  const h = cib.header;
  const exporter = new Exporter(cib);
  return element(
    'cib',
    [
      ['admin_epoch', String(cib.version.adminEpoch)],
      ['epoch', String(cib.version.epoch)],
      ['num_updates', String(cib.version.numUpdates)],
      ['validate-with', h.validateWith],
      ['crm_feature_set', h.crmFeatureSet],
      ['have-quorum', bool(h.haveQuorum)],
      ['dc-uuid', h.dcUuid],
      ['execution-date', num(h.executionDate)],
      ['cib-last-written', h.cibLastWritten],
      ['update-origin', h.updateOrigin],
      ['update-client', h.updateClient],
      ['update-user', h.updateUser],
      ['remote-tls-port', num(h.remoteTlsPort)],
      ['remote-clear-port', num(h.remoteClearPort)],
      ['no-quorum-panic', bool(h.noQuorumPanic)],
    ],
    [exporter.configuration(cib.configuration), exporter.status(cib.status)],
  );
}

type AttributeList = readonly (readonly [string, string | undefined])[];

function element(name: string, attributes: AttributeList, children: readonly XmlElement[] = [], others: readonly XmlAttribute[] = []): XmlElement {
  const present: XmlAttribute[] = [];
  for (const [n, v] of attributes) if (v !== undefined) present.push({ name: n, value: v });
  return { name, attributes: [...present, ...others], children };
}

function bool(value: boolean | undefined): string | undefined {
  return value === undefined ? undefined : formatPacemakerBoolean(value);
}

function num(value: number | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

function score(value: number | undefined): string | undefined {
  return value === undefined ? undefined : formatScore(value);
}

/** Holds what references need: the pairs they may point to. */
class Exporter {
  /** Non-reference nvpairs by id (first in document order), to write a reference's overrides only. */
  private readonly pairsById = new Map<string, NvPair>();

  constructor(cib: Cib) {
    collectPairs(cib, this.pairsById);
  }

  configuration(c: Configuration): XmlElement {
    const children: XmlElement[] = [
      element('crm_config', [], c.crmConfig.map((s) => this.nvSet('cluster_property_set', s))),
      element('nodes', [], c.nodes.map((n) => this.node(n))),
      element('resources', [], c.resources.map((r) => this.resource(r))),
      element('constraints', [], c.constraints.map((x) => this.constraint(x))),
    ];
    if (c.rscDefaults !== undefined) children.push(element('rsc_defaults', [], c.rscDefaults.map((s) => this.nvSet('meta_attributes', s))));
    if (c.opDefaults !== undefined) children.push(element('op_defaults', [], c.opDefaults.map((s) => this.nvSet('meta_attributes', s))));
    if (c.fencingTopology !== undefined) children.push(element('fencing-topology', [], c.fencingTopology.map(fencingLevel)));
    children.push(...c.unsupported);
    return element('configuration', [], children);
  }

  nvSet(name: string, set: NvSet): XmlElement {
    if (set.idRef !== undefined) return element(name, [['id-ref', set.idRef]]);
    return element(name, [['id', set.id], ['score', score(set.score)]], [...set.rules.map((r) => this.rule(r)), ...set.pairs.map((p) => this.nvPair(p))]);
  }

  nvPair(pair: NvPair): XmlElement {
    if (pair.idRef === undefined) return element('nvpair', [['id', pair.id], ['name', pair.name], ['value', pair.value]]);
    // A reference carries only what differs from the pair it names.
    const target = this.pairsById.get(pair.idRef);
    return element('nvpair', [
      ['id-ref', pair.idRef],
      ['name', target?.name === pair.name ? undefined : pair.name],
      ['value', target?.value === pair.value ? undefined : pair.value],
    ]);
  }

  rule(rule: Rule): XmlElement {
    if (rule.idRef !== undefined) return element('rule', [['id-ref', rule.idRef]]);
    return element(
      'rule',
      [['id', rule.id], ['score', score(rule.score)], ['score-attribute', rule.scoreAttribute], ['boolean-op', rule.booleanOp], ['role', rule.role]],
      rule.expressions.map((e) => this.expression(e)),
    );
  }

  expression(e: RuleExpression): XmlElement {
    switch (e.kind) {
      case 'attribute':
        return element('expression', [['id', e.id], ['attribute', e.attribute], ['operation', e.operation], ['value', e.value], ['type', e.type], ['value-source', e.valueSource]]);
      case 'rule':
        return this.rule(e.rule);
      case 'unsupported':
        return e.xml;
    }
  }

  node(n: ClusterNode): XmlElement {
    return element(
      'node',
      [['id', n.id], ['uname', n.uname], ['type', n.type], ['description', n.description], ['score', score(n.score)]],
      n.instanceAttributes.map((s) => this.nvSet('instance_attributes', s)),
    );
  }

  resource(r: Resource): XmlElement {
    switch (r.kind) {
      case 'primitive':
        return this.primitive(r);
      case 'group':
        return this.group(r);
      case 'clone':
        return element(r.legacyMaster ? 'master' : 'clone', [['id', r.id], ['description', r.description]], [
          ...this.sets(r.instanceAttributes, r.metaAttributes),
          r.child.kind === 'primitive' ? this.primitive(r.child) : this.group(r.child),
        ]);
      case 'unsupported':
        return r.xml;
    }
  }

  private sets(instance: readonly NvSet[], meta: readonly NvSet[]): XmlElement[] {
    return [...instance.map((s) => this.nvSet('instance_attributes', s)), ...meta.map((s) => this.nvSet('meta_attributes', s))];
  }

  primitive(p: Primitive): XmlElement {
    const children = this.sets(p.instanceAttributes, p.metaAttributes);
    if (p.operations !== undefined) children.push(this.operations(p.operations));
    return element('primitive', [['id', p.id], ['class', p.class], ['provider', p.provider], ['type', p.type], ['description', p.description]], children);
  }

  group(g: Group): XmlElement {
    return element('group', [['id', g.id], ['description', g.description]], [...this.sets(g.instanceAttributes, g.metaAttributes), ...g.members.map((m) => this.primitive(m))]);
  }

  operations(o: OperationSet): XmlElement {
    if (o.idRef !== undefined) return element('operations', [['id-ref', o.idRef]]);
    return element('operations', [['id', o.id]], o.ops.map((op) => this.operation(op)));
  }

  operation(op: Operation): XmlElement {
    return element(
      'op',
      [
        ['id', op.id],
        ['name', op.name],
        ['interval', formatDuration(op.interval)],
        ['description', op.description],
        ['timeout', op.timeout === undefined ? undefined : formatDuration(op.timeout)],
        ['start-delay', op.startDelay === undefined ? undefined : formatDuration(op.startDelay)],
        ['interval-origin', op.intervalOrigin],
        ['enabled', bool(op.enabled)],
        ['record-pending', bool(op.recordPending)],
        ['role', op.role],
        ['on-fail', op.onFail],
        ['requires', op.requires],
      ],
      this.sets(op.instanceAttributes, op.metaAttributes),
    );
  }

  constraint(c: Constraint): XmlElement {
    switch (c.kind) {
      case 'location': {
        const s = c.subject;
        const p = c.placement;
        return element(
          'rsc_location',
          [
            ['id', c.id],
            ['rsc', s.kind === 'resource' ? s.rsc : undefined],
            ['rsc-pattern', s.kind === 'pattern' ? s.pattern : undefined],
            ['role', s.kind === 'sets' ? undefined : s.role],
            ['node', p.kind === 'node' ? p.node : undefined],
            ['score', p.kind === 'node' ? formatScore(p.score) : undefined],
            ['resource-discovery', c.resourceDiscovery],
          ],
          [...(s.kind === 'sets' ? s.sets.map((x) => this.resourceSet(x)) : []), ...(p.kind === 'rules' ? p.rules.map((r) => this.rule(r)) : []), ...this.lifetime(c.lifetime)],
        );
      }
      case 'colocation': {
        const s = c.subject;
        const pair = s.kind === 'pair' ? s : undefined;
        return element(
          'rsc_colocation',
          [
            ['id', c.id],
            ['score', score(c.score)],
            ['rsc', pair?.rsc],
            ['with-rsc', pair?.withRsc],
            ['rsc-role', pair?.rscRole],
            ['with-rsc-role', pair?.withRscRole],
            ['node-attribute', pair?.nodeAttribute],
          ],
          [...(s.kind === 'sets' ? s.sets.map((x) => this.resourceSet(x)) : []), ...this.lifetime(c.lifetime)],
        );
      }
      case 'order': {
        const s = c.subject;
        const pair = s.kind === 'pair' ? s : undefined;
        return element(
          'rsc_order',
          [
            ['id', c.id],
            ['first', pair?.first],
            ['first-action', pair?.firstAction],
            ['then', pair?.then],
            ['then-action', pair?.thenAction],
            ['kind', c.orderKind],
            ['score', score(c.score)],
            ['symmetrical', bool(c.symmetrical)],
            ['require-all', bool(c.requireAll)],
          ],
          [...(s.kind === 'sets' ? s.sets.map((x) => this.resourceSet(x)) : []), ...this.lifetime(c.lifetime)],
        );
      }
      case 'unsupported':
        return c.xml;
    }
  }

  private lifetime(rules: readonly Rule[] | undefined): XmlElement[] {
    return rules === undefined ? [] : [element('lifetime', [], rules.map((r) => this.rule(r)))];
  }

  resourceSet(s: ResourceSet): XmlElement {
    if (s.idRef !== undefined) return element('resource_set', [['id-ref', s.idRef]]);
    return element(
      'resource_set',
      [
        ['id', s.id],
        ['sequential', bool(s.sequential)],
        ['require-all', bool(s.requireAll)],
        ['ordering', s.ordering],
        ['action', s.action],
        ['role', s.role],
        ['score', score(s.score)],
        ['kind', s.orderKind],
      ],
      s.resources.map((id) => element('resource_ref', [['id', id]])),
    );
  }

  status(s: Status): XmlElement {
    return element('status', [], s.nodes.map((n) => this.nodeState(n)));
  }

  nodeState(n: NodeState): XmlElement {
    const children: XmlElement[] = [];
    if (n.transientAttributes !== undefined) {
      children.push(element('transient_attributes', [['id', n.transientAttributes.id]], n.transientAttributes.sets.map((s) => this.nvSet('instance_attributes', s))));
    }
    if (n.lrm !== undefined) {
      children.push(element('lrm', [['id', n.lrm.id]], [element('lrm_resources', [['id', n.lrm.resourcesId]], n.lrm.resources.map(lrmResource))], n.lrm.otherAttributes));
    }
    return element(
      'node_state',
      [
        ['id', n.id],
        ['uname', n.uname],
        ['in_ccm', bool(n.inCcm)],
        ['crmd', n.crmd],
        ['crm-debug-origin', n.crmDebugOrigin],
        ['join', n.join],
        ['expected', n.expected],
        ['shutdown', num(n.shutdown)],
        ['remote_node', bool(n.remoteNode)],
      ],
      children,
      n.otherAttributes,
    );
  }
}

function fencingLevel(l: FencingLevel): XmlElement {
  return element('fencing-level', [
    ['id', l.id],
    ['target', l.target],
    ['target-pattern', l.targetPattern],
    ['target-attribute', l.targetAttribute],
    ['target-value', l.targetValue],
    ['index', String(l.index)],
    ['devices', l.devices.join(',')],
  ]);
}

function lrmResource(r: LrmResource): XmlElement {
  return element('lrm_resource', [['id', r.id], ['type', r.type], ['class', r.class], ['provider', r.provider]], r.ops.map(lrmRscOp), r.otherAttributes);
}

function lrmRscOp(o: LrmRscOp): XmlElement {
  return element('lrm_rsc_op', [
    ['id', o.id],
    ['operation_key', o.operationKey],
    ['operation', o.operation],
    ['crm-debug-origin', o.crmDebugOrigin],
    ['crm_feature_set', o.crmFeatureSet],
    ['transition-key', o.transitionKey],
    ['transition-magic', o.transitionMagic],
    ['exit-reason', o.exitReason],
    ['on_node', o.onNode],
    ['call-id', String(o.callId)],
    ['rc-code', String(o.rcCode)],
    ['op-status', String(o.opStatus)],
    ['interval', String(o.interval)],
    ['last-run', num(o.lastRun)],
    ['last-rc-change', num(o.lastRcChange)],
    ['exec-time', num(o.execTime)],
    ['queue-time', num(o.queueTime)],
    ['op-digest', o.opDigest],
    ['op-force-restart', o.opForceRestart],
    ['op-restart-digest', o.opRestartDigest],
    ['op-secure-params', o.opSecureParams],
    ['op-secure-digest', o.opSecureDigest],
    ['migrate_source', o.migrateSource],
    ['migrate_target', o.migrateTarget],
  ], [], o.otherAttributes);
}

/** Every non-reference nvpair in the snapshot by id, first occurrence winning (Pacemaker's lookup order). */
function collectPairs(value: unknown, into: Map<string, NvPair>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectPairs(v, into);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'pairs' && Array.isArray(child)) {
      for (const pair of child as NvPair[]) if (pair.idRef === undefined && !into.has(pair.id)) into.set(pair.id, pair);
    } else {
      collectPairs(child, into);
    }
  }
}
