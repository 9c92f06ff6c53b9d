/**
 * Phase "unpack": cluster options with Pacemaker 2.1.5's defaults, node states (online, offline,
 * unclean, standby, maintenance, shutdown), quorum, and rule evaluation on node attributes.
 */
import { parsePacemakerBoolean, parseScore, resolveNvSets, type Cib, type Rule, type RuleExpression, type Role } from '../cib/index.js';

export type NoQuorumPolicy = 'stop' | 'ignore' | 'freeze' | 'suicide' | 'demote';

/** The cluster options the engine uses, with their defaults applied. */
export interface ClusterOptions {
  readonly stonithEnabled: boolean;
  readonly stonithAction: string;
  readonly symmetricCluster: boolean;
  readonly noQuorumPolicy: NoQuorumPolicy;
  readonly startFailureIsFatal: boolean;
  readonly maintenanceMode: boolean;
  readonly stopOrphanResources: boolean;
  readonly stopAllResources: boolean;
  readonly defaultStickiness: number;
  readonly haveQuorum: boolean;
}

/** A cluster node as the engine sees it. */
export interface PolicyNode {
  readonly id: string;
  readonly uname: string;
  readonly online: boolean;
  /**
   * In the membership but not joined to the controller group yet (Pacemaker shows it "pending"): it
   * runs nothing, and probes there cannot run yet.
   */
  readonly pending: boolean;
  /** Expected up but gone: must be fenced before its resources are recovered. */
  unclean: boolean;
  uncleanReason?: string;
  standby: boolean;
  readonly maintenance: boolean;
  readonly shutdown: boolean;
  readonly isDc: boolean;
  /** Permanent and transient attributes merged (transient win), plus #uname, #id, #is_dc. */
  readonly attributes: ReadonlyMap<string, string>;
  /** Resources assigned so far (for load balancing ties). */
  assignedCount: number;
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return parsePacemakerBoolean(value) ?? fallback;
}

export function unpackClusterOptions(cib: Cib): ClusterOptions {
  const o = resolveNvSets(cib.configuration.crmConfig, { firstId: 'cib-bootstrap-options' });
  const action = o.get('stonith-action') ?? 'reboot';
  const nqp = (o.get('no-quorum-policy') ?? 'stop').toLowerCase();
  const stickiness = o.get('default-resource-stickiness');
  return {
    stonithEnabled: bool(o.get('stonith-enabled'), true),
    stonithAction: action === 'poweroff' ? 'off' : action,
    symmetricCluster: bool(o.get('symmetric-cluster'), true),
    noQuorumPolicy: nqp === 'ignore' || nqp === 'freeze' || nqp === 'suicide' || nqp === 'demote' ? nqp : 'stop',
    startFailureIsFatal: bool(o.get('start-failure-is-fatal'), true),
    maintenanceMode: bool(o.get('maintenance-mode'), false),
    stopOrphanResources: bool(o.get('stop-orphan-resources'), true),
    stopAllResources: bool(o.get('stop-all-resources'), false),
    defaultStickiness: stickiness === undefined ? 0 : (parseScore(stickiness) ?? 0),
    haveQuorum: cib.header.haveQuorum ?? false,
  };
}

/** Evaluates a rule against a node's attributes (date and other unsupported expressions fail). */
export function ruleMatches(rule: Rule, attributes: ReadonlyMap<string, string>, role?: Role): boolean {
  if (rule.role !== undefined && role !== undefined && rule.role !== role) return false;
  const or = rule.booleanOp === 'or';
  if (rule.expressions.length === 0) return !or;
  for (const expression of rule.expressions) {
    const passed = expressionMatches(expression, attributes);
    if (or && passed) return true;
    if (!or && !passed) return false;
  }
  return !or;
}

function expressionMatches(expression: RuleExpression, attributes: ReadonlyMap<string, string>): boolean {
  if (expression.kind === 'rule') return ruleMatches(expression.rule, attributes);
  if (expression.kind === 'unsupported') return false;
  const actual = attributes.get(expression.attribute);
  if (expression.operation === 'defined') return actual !== undefined;
  if (expression.operation === 'not_defined') return actual === undefined;
  const expected = expression.value;
  if (actual === undefined || expected === undefined) return expression.operation === 'ne';
  let cmp: number;
  const type = expression.type ?? (expression.operation === 'eq' || expression.operation === 'ne' ? 'string' : actual.includes('.') || expected.includes('.') ? 'number' : 'integer');
  if (type === 'string') cmp = actual < expected ? -1 : actual > expected ? 1 : 0;
  else if (type === 'version') cmp = compareVersions(actual, expected);
  else {
    const a = Number(actual);
    const b = Number(expected);
    if (Number.isNaN(a) || Number.isNaN(b)) cmp = actual < expected ? -1 : actual > expected ? 1 : 0;
    else cmp = Math.sign(a - b);
  }
  switch (expression.operation) {
    case 'eq':
      return cmp === 0;
    case 'ne':
      return cmp !== 0;
    case 'lt':
      return cmp < 0;
    case 'lte':
      return cmp <= 0;
    case 'gt':
      return cmp > 0;
    case 'gte':
      return cmp >= 0;
  }
  return false;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Unpacks every configured node with its state from the status section. */
export function unpackNodes(cib: Cib, options: ClusterOptions): PolicyNode[] {
  const nodes: PolicyNode[] = [];
  for (const node of cib.configuration.nodes) {
    if (node.type !== undefined && node.type !== 'member') continue;
    const state = cib.status.nodes.find((s) => s.id === node.id) ?? cib.status.nodes.find((s) => s.id === undefined && s.uname === node.uname);
    const isDc = cib.header.dcUuid === node.id;
    const base = new Map<string, string>();
    for (const [k, v] of resolveNvSets(node.instanceAttributes)) base.set(k, v);
    if (state?.transientAttributes !== undefined) for (const [k, v] of resolveNvSets(state.transientAttributes.sets)) base.set(k, v);
    base.set('#uname', node.uname);
    base.set('#id', node.id);
    base.set('#kind', 'cluster');
    base.set('#is_dc', isDc ? 'true' : 'false');
    let online = false;
    let unclean = false;
    let uncleanReason: string | undefined;
    const shutdownRequested = (state?.shutdown ?? 0) > 0 || (base.get('shutdown') ?? '0') !== '0';
    if (state === undefined) {
      // No node_state at all: with fencing enabled (startup-fencing), the node is unclean.
      if (options.stonithEnabled) {
        unclean = true;
        uncleanReason = 'node is unclean';
      }
    } else {
      const join = state.join ?? 'down';
      const peer = (state.crmd ?? 'offline') === 'online';
      if (state.inCcm === undefined && !shutdownRequested) {
        unclean = true;
        uncleanReason = 'peer has not been seen by the cluster';
      } else if (join === 'nack' || join === 'banned') {
        unclean = true;
        uncleanReason = 'peer failed Pacemaker membership criteria';
      } else if (state.inCcm === false) {
        if (state.expected === 'member' && !shutdownRequested) {
          unclean = true;
          uncleanReason = 'peer is no longer part of the cluster';
        }
      } else if (!peer) {
        if (state.expected === 'member' && !shutdownRequested) {
          unclean = true;
          uncleanReason = 'peer process is no longer available';
        }
      } else if (join === 'member') online = true;
    }
    const standby = bool(base.get('standby'), false);
    const maintenance = bool(base.get('maintenance'), false);
    const pending = !online && !unclean && state?.inCcm === true && !shutdownRequested;
    const entry: PolicyNode = { id: node.id, uname: node.uname, online, pending, unclean, standby, maintenance, shutdown: shutdownRequested && online, isDc, attributes: base, assignedCount: 0 };
    if (uncleanReason !== undefined) entry.uncleanReason = uncleanReason;
    nodes.push(entry);
  }
  return nodes;
}

/** Whether resources may be placed on the node at all. */
export function canHostResources(node: PolicyNode): boolean {
  return node.online && !node.unclean && !node.standby && !node.shutdown && !node.maintenance;
}
