/**
 * Synthetic clusters for `heartline bench policy`: a deterministic CIB of N nodes and R configured
 * primitives, shaped like a large real deployment. Half of the primitives are members of groups of
 * 4-5, about 1 % are the children of clones (one in four promotable), the rest stand alone; location
 * constraints (by node and by rule), colocations, orders and a few ordered resource sets are mixed
 * in. The status section says most of it already runs: every running primitive has a probe, a
 * start and a recurring monitor on its node (and a probe that found it stopped on one other node),
 * a few failed a monitor (fail counts included), some were stopped and some are new.
 *
 * The same (nodes, resources, seed) always gives the same CIB, on every machine: randomness comes
 * from SeededRandom only. The CIB is built as a model value; `exportCibXml` turns it into the XML
 * that crm_simulate reads.
 */
import { SCORE_INFINITY, type Cib, type ClusterNode, type ColocationConstraint, type Constraint, type LocationConstraint, type LrmResource, type LrmRscOp, type NodeState, type NvSet, type Operation, type OrderConstraint, type Primitive, type Resource, type Role } from '../ha/cib/index.js';
import { millis, randomChance, randomInt, SeededRandom, type Random } from '../lib/index.js';

export interface PolicyClusterSpec {
  readonly nodes: number;
  /** Configured primitives (group members and clone children included, each counted once). */
  readonly resources: number;
  readonly seed?: number;
}

/** What a generated cluster holds, for reports. */
export interface PolicyClusterShape {
  readonly nodes: number;
  readonly resources: number;
  readonly groups: number;
  readonly groupMembers: number;
  readonly clones: number;
  readonly promotableClones: number;
  readonly standalone: number;
  readonly constraints: { readonly location: number; readonly colocation: number; readonly order: number };
  /** Primitives (or clone instances) the status shows running, stopped, failed, or never seen. */
  readonly status: { readonly running: number; readonly stopped: number; readonly failed: number; readonly new: number; readonly lrmResources: number; readonly ops: number };
}

export interface PolicyCluster {
  readonly cib: Cib;
  readonly shape: PolicyClusterShape;
  /** The CIB's execution-date: "now" for the policy engine. */
  readonly now: number;
}

export const DEFAULT_POLICY_CLUSTER_SEED = 20_250_401;
const NOW = 1_700_000_000;
const RACKS = 4;
const MONITOR_MS = 10_000;
const PROMOTED_MONITOR_MS = 9_000;

const emptySet = (id: string, pairs: Readonly<Record<string, string>>): NvSet => ({ id, rules: [], pairs: Object.entries(pairs).map(([name, value]) => ({ id: `${id}-${name}`, name, value })) });

function operation(owner: string, name: string, intervalMs: number, timeoutMs: number, role?: Role): Operation {
  return { id: `${owner}-${name}-${intervalMs}`, name, interval: millis(intervalMs), timeout: millis(timeoutMs), ...(role === undefined ? {} : { role }), instanceAttributes: [], metaAttributes: [] };
}

function primitive(id: string, type: 'Dummy' | 'IPaddr2' | 'Filesystem' | 'Stateful', promotable = false): Primitive {
  const ops = promotable
    ? [operation(id, 'monitor', PROMOTED_MONITOR_MS, 20_000, 'Promoted'), operation(id, 'monitor', MONITOR_MS, 20_000, 'Unpromoted'), operation(id, 'start', 0, 60_000), operation(id, 'stop', 0, 60_000), operation(id, 'promote', 0, 60_000), operation(id, 'demote', 0, 60_000)]
    : [operation(id, 'monitor', MONITOR_MS, 20_000), operation(id, 'start', 0, 60_000), operation(id, 'stop', 0, 60_000)];
  const params: Record<string, string> = type === 'IPaddr2' ? { ip: `10.${(id.length * 7) % 250}.0.1`, cidr_netmask: '24' } : type === 'Filesystem' ? { device: `/dev/vg/${id}`, directory: `/srv/${id}`, fstype: 'xfs' } : { state: `/run/${id}.state` };
  return { kind: 'primitive', id, class: 'ocf', provider: type === 'Stateful' || type === 'Dummy' ? 'pacemaker' : 'heartbeat', type, instanceAttributes: [emptySet(`${id}-params`, params)], metaAttributes: [], operations: { ops } };
}

/** One primitive's history on one node, built op by op with increasing call ids. */
class HistoryBuilder {
  private readonly ops: LrmRscOp[] = [];
  constructor(
    private readonly rscId: string,
    private readonly calls: { next: number },
  ) {}

  op(operation: string, intervalMs: number, rc: number, expectedRc: number): this {
    const callId = this.calls.next++;
    const key = `${callId}:${(callId % 97) + 1}:${expectedRc}:6f1e2d3c-0000-4000-8000-${String(callId).padStart(12, '0')}`;
    this.ops.push({
      id: `${this.rscId}_${operation === 'monitor' && intervalMs === 0 ? 'monitor' : operation}_${intervalMs}${rc !== expectedRc ? `_failed` : ''}`,
      operation,
      operationKey: `${this.rscId}_${operation}_${intervalMs}`,
      interval: millis(intervalMs),
      callId,
      rcCode: rc,
      opStatus: 0,
      transitionKey: key,
      transitionMagic: `0:${rc};${key}`,
      lastRun: NOW - 3600 + (callId % 1800),
      lastRcChange: NOW - 3600 + (callId % 1800),
      execTime: millis(20),
      queueTime: millis(0),
      crmFeatureSet: '3.16.2',
    });
    return this;
  }

  build(type: string): LrmResource {
    return { id: this.rscId, class: 'ocf', provider: type === 'Stateful' || type === 'Dummy' ? 'pacemaker' : 'heartbeat', type, ops: this.ops };
  }
}

type UnitState = 'running' | 'stopped' | 'failed' | 'new';

/** Builds a synthetic cluster (see the file comment). Deterministic in (nodes, resources, seed). */
export function generatePolicyCluster(spec: PolicyClusterSpec): PolicyCluster {
  if (!Number.isInteger(spec.nodes) || spec.nodes < 1) throw new RangeError(`generatePolicyCluster: nodes must be a positive integer, got ${spec.nodes}`);
  if (!Number.isInteger(spec.resources) || spec.resources < 1) throw new RangeError(`generatePolicyCluster: resources must be a positive integer, got ${spec.resources}`);
  const random: Random = new SeededRandom(spec.seed ?? DEFAULT_POLICY_CLUSTER_SEED);
  const width = String(spec.resources).length;
  const pad = (n: number): string => String(n).padStart(width, '0');
  const nodeNames = Array.from({ length: spec.nodes }, (_, i) => `node-${String(i + 1).padStart(2, '0')}`);
  const pickNode = (): number => randomInt(random, 0, spec.nodes - 1);

  // How the primitives split: clone children (1 %, at least 2), group members (half), standalone.
  const cloneCount = Math.min(spec.resources, Math.max(2, Math.round(spec.resources * 0.01)));
  let groupBudget = Math.min(spec.resources - cloneCount, Math.floor(spec.resources / 2));
  let standaloneBudget = spec.resources - cloneCount - groupBudget;
  let cloneBudget = cloneCount;

  const resources: Resource[] = [];
  const constraints: Constraint[] = [];
  /** Per node: the lrm_resources and transient attributes the status section will hold. */
  const lrm: LrmResource[][] = nodeNames.map(() => []);
  const transient: Record<string, string>[] = nodeNames.map(() => ({}));
  const calls = nodeNames.map(() => ({ next: 2 }));
  const counts = { groups: 0, groupMembers: 0, clones: 0, promotable: 0, standalone: 0, location: 0, colocation: 0, order: 0, running: 0, stopped: 0, failed: 0, new: 0, ops: 0 };

  const groups: string[] = [];
  const standalone: string[] = [];
  const clones: { id: string; promotable: boolean }[] = [];
  /** Where a unit (group or standalone primitive) runs now, for constraints that should hold. */
  const unitNode = new Map<string, number>();
  const tiedToClone = new Set<string>();

  const drawState = (): UnitState => {
    const x = randomInt(random, 0, 99);
    return x < 83 ? 'running' : x < 85 ? 'failed' : x < 92 ? 'stopped' : 'new';
  };

  /** Records one primitive's history: on `node` as `state`, plus a probe on one other node. */
  const recordPrimitive = (rsc: Primitive, node: number, state: UnitState): void => {
    counts[state]++;
    if (state === 'new') return;
    const h = new HistoryBuilder(rsc.id, calls[node] as { next: number });
    h.op('monitor', 0, 7, 7).op('start', 0, 0, 0);
    if (state === 'stopped') h.op('stop', 0, 0, 0);
    else if (state === 'failed') {
      h.op('monitor', MONITOR_MS, 7, 0);
      const attrs = transient[node] as Record<string, string>;
      attrs[`fail-count-${rsc.id}#monitor_${MONITOR_MS}`] = '1';
      attrs[`last-failure-${rsc.id}#monitor_${MONITOR_MS}`] = String(NOW - 600);
    } else h.op('monitor', MONITOR_MS, 0, 0);
    (lrm[node] as LrmResource[]).push(h.build(rsc.type));
    if (spec.nodes > 1) {
      const other = (node + 1) % spec.nodes;
      (lrm[other] as LrmResource[]).push(new HistoryBuilder(rsc.id, calls[other] as { next: number }).op('monitor', 0, 7, 7).build(rsc.type));
    }
  };

  const addLocation = (rsc: string): void => {
    const id = `loc-${rsc}`;
    let c: LocationConstraint;
    if (randomChance(random, 0.2)) {
      // A rule on a node attribute: prefer the nodes of one rack.
      const rack = `rack-${randomInt(random, 1, RACKS)}`;
      c = { kind: 'location', id, subject: { kind: 'resource', rsc }, placement: { kind: 'rules', rules: [{ id: `${id}-rule`, score: 50, expressions: [{ kind: 'attribute', id: `${id}-expr`, attribute: 'rack', operation: 'eq', value: rack }] }] } };
    } else {
      c = { kind: 'location', id, subject: { kind: 'resource', rsc }, placement: { kind: 'node', node: nodeNames[pickNode()] as string, score: randomInt(random, 1, 9) * 10 } };
    }
    constraints.push(c);
    counts.location++;
  };

  const colocate = (id: string, rsc: string, withRsc: string, score: number, withRscRole?: Role): void => {
    const c: ColocationConstraint = { kind: 'colocation', id, score, subject: { kind: 'pair', rsc, withRsc, ...(withRscRole === undefined ? {} : { withRscRole }) } };
    constraints.push(c);
    counts.colocation++;
  };

  const order = (id: string, first: string, then: string, firstAction: 'start' | 'promote' = 'start'): void => {
    const c: OrderConstraint = { kind: 'order', id, orderKind: 'Mandatory', subject: { kind: 'pair', first, then, firstAction, thenAction: 'start' } };
    constraints.push(c);
    counts.order++;
  };

  let groupNo = 0;
  let primitiveNo = 0;
  let cloneNo = 0;
  while (groupBudget + standaloneBudget + cloneBudget > 0) {
    const draw = randomInt(random, 1, groupBudget + standaloneBudget + cloneBudget);
    if (draw <= groupBudget) {
      const size = Math.min(groupBudget, groupBudget <= 5 ? groupBudget : randomInt(random, 4, 5));
      groupBudget -= size;
      const id = `grp-${pad(++groupNo)}`;
      const types = ['IPaddr2', 'Filesystem', 'Dummy', 'Dummy', 'Dummy'] as const;
      const members = Array.from({ length: size }, (_, i) => primitive(`${id}-${['ip', 'fs', 'app', 'mon', 'log'][i] ?? `m${i}`}`, types[i] ?? 'Dummy'));
      resources.push({ kind: 'group', id, instanceAttributes: [], metaAttributes: [], members });
      const node = pickNode();
      const state = drawState();
      unitNode.set(id, node);
      // A failure hits one member; the others run.
      members.forEach((m, i) => recordPrimitive(m, node, state === 'failed' && i !== size - 1 ? 'running' : state));
      groups.push(id);
      counts.groups++;
      counts.groupMembers += size;
      if (randomChance(random, 0.3)) addLocation(id);
    } else if (draw <= groupBudget + standaloneBudget) {
      standaloneBudget--;
      const id = `rsc-${pad(++primitiveNo)}`;
      const rsc = primitive(id, randomChance(random, 0.3) ? 'IPaddr2' : 'Dummy');
      resources.push(rsc);
      standalone.push(id);
      counts.standalone++;
      // Some standalone resources follow a group (colocated and ordered after it), like a VIP.
      const group = groups.length > 0 && randomChance(random, 0.2) ? groups[randomInt(random, 0, groups.length - 1)] : undefined;
      const node = group === undefined ? pickNode() : (unitNode.get(group) as number);
      unitNode.set(id, node);
      recordPrimitive(rsc, node, drawState());
      if (group !== undefined) {
        colocate(`col-${id}-with-${group}`, id, group, SCORE_INFINITY);
        order(`ord-${group}-then-${id}`, group, id);
      } else if (randomChance(random, 0.15)) addLocation(id);
      else if (standalone.length > 1 && randomChance(random, 0.05)) {
        // Keep two services apart when possible (an advisory anti-colocation).
        const other = standalone[randomInt(random, 0, standalone.length - 2)] as string;
        colocate(`anti-${id}-${other}`, id, other, -100);
      }
    } else {
      cloneBudget--;
      const promotable = cloneNo % 4 === 1;
      const id = `cln-${pad(++cloneNo)}`;
      const childId = `${id}-child`;
      const child = primitive(childId, promotable ? 'Stateful' : 'Dummy', promotable);
      resources.push({ kind: 'clone', id, legacyMaster: false, instanceAttributes: [], metaAttributes: [emptySet(`${id}-meta`, promotable ? { promotable: 'true', interleave: 'true' } : { interleave: 'true' })], child });
      clones.push({ id, promotable });
      counts.clones++;
      if (promotable) counts.promotable++;
      const fresh = randomChance(random, 0.1);
      const promotedNode = pickNode();
      for (let n = 0; n < spec.nodes; n++) {
        // The promotion scores (crm_attribute -p, set by the agent) are there for new clones too, so that one instance is promoted.
        if (promotable) (transient[n] as Record<string, string>)[`master-${childId}`] = n === promotedNode ? '10' : '5';
        if (fresh) {
          counts.new++;
          continue;
        }
        counts.running++;
        // Pacemaker 2 records anonymous clone instances under the child's id.
        const h = new HistoryBuilder(childId, calls[n] as { next: number }).op('monitor', 0, 7, 7).op('start', 0, 0, 0);
        if (promotable && n === promotedNode) h.op('promote', 0, 0, 0).op('monitor', PROMOTED_MONITOR_MS, 8, 8);
        else h.op('monitor', MONITOR_MS, 0, 0);
        (lrm[n] as LrmResource[]).push(h.build(child.type));
      }
      // Groups that need the clone: colocated with it (its promoted instance, when promotable) and ordered after it.
      const group = groups.length > 0 && randomChance(random, 0.5) ? groups[randomInt(random, 0, groups.length - 1)] : undefined;
      // One clone per group at most: two promoted instances on different nodes could not both hold it.
      if (group !== undefined && !tiedToClone.has(group)) {
        tiedToClone.add(group);
        colocate(`col-${group}-with-${id}`, group, id, SCORE_INFINITY, promotable ? 'Promoted' : undefined);
        order(`ord-${id}-then-${group}`, id, group, promotable ? 'promote' : 'start');
      }
    }
  }
  // A few start sequences across standalone services, as ordered resource sets.
  for (let i = 0; i + 3 <= standalone.length && i < standalone.length * 0.05; i += 20) {
    const members = standalone.slice(i, i + 3);
    constraints.push({ kind: 'order', id: `ord-set-${i}`, orderKind: 'Optional', subject: { kind: 'sets', sets: [{ id: `ord-set-${i}-s`, resources: members }] } });
    counts.order++;
  }

  const nodes: ClusterNode[] = nodeNames.map((uname, i) => ({ id: String(i + 1), uname, instanceAttributes: [emptySet(`nodes-${i + 1}`, { rack: `rack-${(i % RACKS) + 1}` })] }));
  const status: NodeState[] = nodeNames.map((uname, i) => {
    const attrs = { ...(transient[i] as Record<string, string>) };
    return {
      id: String(i + 1),
      uname,
      inCcm: true,
      crmd: 'online',
      join: 'member',
      expected: 'member',
      crmDebugOrigin: 'do_update_resource',
      transientAttributes: { id: String(i + 1), sets: [emptySet(`status-${i + 1}`, attrs)] },
      lrm: { id: String(i + 1), resources: lrm[i] as LrmResource[] },
    };
  });
  // One fence device for the whole cluster, so stonith-enabled=true is a configuration Pacemaker accepts.
  resources.unshift({ kind: 'primitive', id: 'fence-ipmi', class: 'stonith', type: 'fence_ipmilan', instanceAttributes: [emptySet('fence-ipmi-params', { pcmk_host_list: nodeNames.join(' '), ip: '10.0.0.250' })], metaAttributes: [], operations: { ops: [operation('fence-ipmi', 'monitor', 60_000, 20_000)] } });
  const fenceHistory = new HistoryBuilder('fence-ipmi', calls[0] as { next: number }).op('monitor', 0, 7, 7).op('start', 0, 0, 0).op('monitor', 60_000, 0, 0).build('fence_ipmilan');
  (lrm[0] as LrmResource[]).unshift({ id: fenceHistory.id, class: 'stonith', type: 'fence_ipmilan', ops: fenceHistory.ops });
  for (const list of lrm) for (const r of list) counts.ops += r.ops.length;

  const cib: Cib = {
    version: { adminEpoch: 0, epoch: 1, numUpdates: 1 },
    header: { validateWith: 'pacemaker-3.9', crmFeatureSet: '3.16.2', haveQuorum: true, dcUuid: '1', executionDate: NOW },
    configuration: {
      crmConfig: [emptySet('cib-bootstrap-options', { 'stonith-enabled': 'true', 'no-quorum-policy': 'stop', 'cluster-name': 'bench' })],
      nodes,
      resources,
      constraints,
      rscDefaults: [emptySet('rsc-options', { 'resource-stickiness': '100' })],
      unsupported: [],
    },
    status: { nodes: status },
  };
  const shape: PolicyClusterShape = {
    nodes: spec.nodes,
    resources: spec.resources,
    groups: counts.groups,
    groupMembers: counts.groupMembers,
    clones: counts.clones,
    promotableClones: counts.promotable,
    standalone: counts.standalone,
    constraints: { location: counts.location, colocation: counts.colocation, order: counts.order },
    status: { running: counts.running, stopped: counts.stopped, failed: counts.failed, new: counts.new, lrmResources: lrm.reduce((s, l) => s + l.length, 0), ops: counts.ops },
  };
  return { cib, shape, now: NOW };
}
