// A fast-check generator of small Pacemaker clusters for the policy engine's properties: 2-5
// nodes in random states (online, offline, unclean, standby), primitives, a group, an anonymous
// clone, a promotable clone and a unique clone, each running somewhere or nowhere (sometimes with
// a failed monitor or start in its history), location/colocation/order constraints between them,
// and the cluster options that change the picture (fencing, quorum, no-quorum-policy, opt-in,
// stickiness). Besides the CIB it returns the shape (which ids are what, which orders exist), so
// that properties can check the graph against what was asked without parsing XML back.
import fc from 'fast-check';
import type { Cib } from '../../../src/ha/cib/index.js';
import { buildCib, dummy, lrm, type CibSpec, type NodeSpec } from '../../unit/ha/policy/cib-builder.js';

type Action = 'start' | 'stop' | 'promote' | 'demote';

/** One order constraint as generated. */
export interface GeneratedOrder {
  readonly first: string;
  readonly then: string;
  readonly firstAction: Action;
  readonly thenAction: Action;
  readonly kind: 'Mandatory' | 'Optional';
  readonly symmetrical: boolean;
}

/** A generated cluster: the CIB and what it contains. */
export interface GeneratedCluster {
  readonly spec: CibSpec;
  readonly cib: Cib;
  /** Configured resource id -> the instance ids the engine reports for it (`r0`; group members; `cd:0`, ...). */
  readonly instancesOf: (id: string, instanceIds: readonly string[]) => string[];
  /** Instance ids that may run on one node at most: primitives, group members, unique clone instances. */
  readonly isExclusive: (instanceId: string) => boolean;
  /** The promotable clone's child id and promoted-max, when there is one. */
  readonly promotable?: { readonly child: string; readonly promotedMax: number };
  readonly orders: readonly GeneratedOrder[];
  /** Whether `id` is a clone. */
  readonly isClone: (id: string) => boolean;
  /** Clones with interleave=true: an order from another clone links instances on the same node only. */
  readonly interleaved: ReadonlySet<string>;
  /** Whether some colocation has a finite (advisory) score. */
  readonly advisoryColocation: boolean;
  /** rsc_defaults resource-stickiness, when set. */
  readonly stickiness?: string;
  /** The unique clone's clone-node-max, when there is one. */
  readonly uniqueNodeMax?: number;
}

const STATES = ['online', 'online', 'online', 'online', 'offline', 'unclean', 'standby'] as const;
const MONITOR = '<op id="ID-mon" name="monitor" interval="10s"/>';
const PROMOTABLE_MONITORS = '<op id="ID-mon-p" name="monitor" interval="10s" role="Promoted"/><op id="ID-mon-u" name="monitor" interval="11s" role="Unpromoted"/>';
const ops = (id: string, template: string): string => template.replaceAll('ID', id);

/** A primitive's history on one node: running, running with a failed monitor, or a failed start. */
type History = 'running' | 'failed-monitor' | 'failed-start';

function historyOf(id: string, history: History): string {
  switch (history) {
    case 'running':
      return lrm(id, [['start', 0, 2], ['monitor', 0, 3, 10000]]);
    case 'failed-monitor':
      return lrm(id, [['start', 0, 2], ['monitor', 7, 3, 10000]]);
    case 'failed-start':
      return lrm(id, [['start', 1, 2]]);
  }
}

const nvs = (id: string, pairs: Readonly<Record<string, string>>): string =>
  `<meta_attributes id="${id}">${Object.entries(pairs)
    .map(([k, v]) => `<nvpair id="${id}-${k}" name="${k}" value="${v}"/>`)
    .join('')}</meta_attributes>`;

const placement = fc.record({
  node: fc.integer({ min: -1, max: 4 }),
  second: fc.option(fc.integer({ min: 0, max: 4 }), { freq: 8 }),
  history: fc.constantFrom<History>('running', 'running', 'running', 'failed-monitor', 'failed-start'),
});

const raw = fc.record({
  nodeStates: fc.array(fc.constantFrom(...STATES), { minLength: 5, maxLength: 5 }),
  nodeCount: fc.integer({ min: 2, max: 5 }),
  primitives: fc.array(placement, { maxLength: 4 }),
  group: fc.option(fc.record({ members: fc.integer({ min: 2, max: 3 }), node: fc.integer({ min: -1, max: 4 }), running: fc.integer({ min: 0, max: 3 }), failed: fc.boolean() })),
  clone: fc.option(fc.record({ running: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), cloneMax: fc.option(fc.integer({ min: 1, max: 5 })), interleave: fc.boolean() })),
  promotable: fc.option(
    fc.record({
      roles: fc.array(fc.constantFrom(0, 1, 1, 2), { minLength: 5, maxLength: 5 }),
      scores: fc.array(fc.option(fc.integer({ min: 0, max: 20 })), { minLength: 5, maxLength: 5 }),
      targetRole: fc.constantFrom(undefined, undefined, 'Unpromoted', 'Stopped'),
    }),
  ),
  unique: fc.option(fc.record({ cloneMax: fc.integer({ min: 2, max: 4 }), nodeMax: fc.integer({ min: 1, max: 2 }), placements: fc.array(fc.integer({ min: -1, max: 4 }), { minLength: 4, maxLength: 4 }) })),
  targetRoles: fc.array(fc.constantFrom(undefined, undefined, undefined, 'Stopped'), { minLength: 4, maxLength: 4 }),
  locations: fc.array(fc.record({ rsc: fc.nat(), node: fc.integer({ min: 0, max: 4 }), score: fc.constantFrom('INFINITY', '-INFINITY', '100', '-50', '10'), promoted: fc.boolean() }), { maxLength: 4 }),
  colocations: fc.array(fc.record({ a: fc.nat(), b: fc.nat(), score: fc.constantFrom('INFINITY', '-INFINITY', '50', '-20'), withPromoted: fc.boolean() }), { maxLength: 3 }),
  orders: fc.array(
    fc.record({
      a: fc.nat(),
      b: fc.nat(),
      firstAction: fc.constantFrom<Action | undefined>(undefined, undefined, undefined, 'promote', 'stop'),
      thenAction: fc.constantFrom<Action | undefined>(undefined, undefined, undefined, 'start', 'promote'),
      kind: fc.constantFrom<'Mandatory' | 'Optional'>('Mandatory', 'Mandatory', 'Optional'),
      symmetrical: fc.constantFrom(true, true, false),
    }),
    { maxLength: 3 },
  ),
  stonith: fc.boolean(),
  quorum: fc.constantFrom(true, true, true, false),
  noQuorumPolicy: fc.constantFrom('stop', 'freeze', 'ignore'),
  symmetric: fc.constantFrom(true, true, true, false),
  stickiness: fc.constantFrom(undefined, '0', '50', 'INFINITY'),
});

/**
 * The orders as links between resource phases: `R:down` (stop, demote) always precedes `R:up`
 * (start, promote); an order links first's phase to then's, and a symmetrical one also then's
 * inverse phase to first's inverse phase (Pacemaker's invert_action).
 */
function phaseLinks(orders: readonly GeneratedOrder[]): [string, string][] {
  const phase = (action: Action): 'up' | 'down' => (action === 'start' || action === 'promote' ? 'up' : 'down');
  const flip = (p: 'up' | 'down'): 'up' | 'down' => (p === 'up' ? 'down' : 'up');
  const links: [string, string][] = [];
  for (const o of orders) {
    links.push([`${o.first}:${phase(o.firstAction)}`, `${o.then}:${phase(o.thenAction)}`]);
    if (o.symmetrical) links.push([`${o.then}:${flip(phase(o.thenAction))}`, `${o.first}:${flip(phase(o.firstAction))}`]);
  }
  for (const id of new Set(orders.flatMap((o) => [o.first, o.then]))) links.push([`${id}:down`, `${id}:up`]);
  return links;
}

/** Whether the orders loop (A before B before A), which the transition graph cannot satisfy. */
function ordersLoop(orders: readonly GeneratedOrder[]): boolean {
  const links = phaseLinks(orders);
  const next = new Map<string, string[]>();
  for (const [a, b] of links) next.set(a, [...(next.get(a) ?? []), b]);
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string): boolean => {
    if (state.get(id) === 'open') return true;
    if (state.get(id) === 'done') return false;
    state.set(id, 'open');
    const loops = (next.get(id) ?? []).some(visit);
    state.set(id, 'done');
    return loops;
  };
  return [...next.keys()].some(visit);
}

/** Small generated clusters (see the file header). */
export const clusterArbitrary: fc.Arbitrary<GeneratedCluster> = raw.map((g) => {
  const nodeNames = Array.from({ length: g.nodeCount }, (_, i) => `node${i}`);
  const onNode = (i: number): number | undefined => (i >= 0 && i < g.nodeCount ? i : undefined);
  const lrmOn: string[] = nodeNames.map(() => '');
  const transient: Record<string, string>[] = nodeNames.map(() => ({}));

  const resources: string[] = [];
  const aggregates = new Map<string, string[]>();
  const exclusive = new Set<string>();
  const clonePrefixes = new Map<string, string>();
  const interleaved = new Set<string>();
  const movable: string[] = [];
  let promotable: GeneratedCluster['promotable'];

  g.primitives.forEach((p, i) => {
    const id = `r${i}`;
    const targetRole = g.targetRoles[i];
    resources.push(dummy(id, targetRole === undefined ? {} : { 'target-role': targetRole }, ops(id, MONITOR)));
    exclusive.add(id);
    movable.push(id);
    const first = onNode(p.node);
    if (first !== undefined) lrmOn[first] += historyOf(id, p.history);
    const second = p.second === null ? undefined : onNode(p.second);
    if (first !== undefined && second !== undefined && second !== first) lrmOn[second] += historyOf(id, 'running');
  });

  if (g.group !== null) {
    const members = Array.from({ length: g.group.members }, (_, i) => `g${i}`);
    resources.push(`<group id="g">${members.map((m) => dummy(m, {}, ops(m, MONITOR))).join('')}</group>`);
    aggregates.set('g', members);
    for (const m of members) exclusive.add(m);
    movable.push('g');
    const node = onNode(g.group.node);
    if (node !== undefined)
      members.slice(0, g.group.running).forEach((m, i) => {
        lrmOn[node] += historyOf(m, g.group?.failed === true && i === g.group.running - 1 ? 'failed-monitor' : 'running');
      });
  }

  if (g.clone !== null) {
    const cloneMeta: Record<string, string> = g.clone.cloneMax === null ? {} : { 'clone-max': String(g.clone.cloneMax) };
    if (g.clone.interleave) {
      cloneMeta.interleave = 'true';
      interleaved.add('c');
    }
    const meta = Object.keys(cloneMeta).length === 0 ? '' : nvs('c-meta', cloneMeta);
    resources.push(`<clone id="c">${meta}${dummy('cd', {}, ops('cd', MONITOR))}</clone>`);
    clonePrefixes.set('c', 'cd:');
    movable.push('c');
    nodeNames.forEach((_, i) => {
      if (g.clone?.running[i] === true) lrmOn[i] += historyOf('cd', 'running');
    });
  }

  if (g.promotable !== null) {
    const meta: Record<string, string> = { promotable: 'true', 'promoted-max': '1' };
    if (g.promotable.targetRole !== undefined) meta['target-role'] = g.promotable.targetRole;
    resources.push(`<clone id="ms">${nvs('ms-meta', meta)}${dummy('s', {}, ops('s', PROMOTABLE_MONITORS))}</clone>`);
    clonePrefixes.set('ms', 's:');
    promotable = { child: 's', promotedMax: 1 };
    nodeNames.forEach((_, i) => {
      const role = g.promotable?.roles[i] ?? 0;
      if (role === 1) lrmOn[i] += lrm('s', [['start', 0, 4], ['monitor', 0, 5, 11000]]);
      if (role === 2) lrmOn[i] += lrm('s', [['start', 0, 4], ['promote', 0, 5], ['monitor', 8, 6, 10000, 8]]);
      const score = g.promotable?.scores[i];
      if (score !== undefined && score !== null) (transient[i] as Record<string, string>)['master-s'] = String(score);
    });
  }

  if (g.unique !== null) {
    const meta = nvs('uc-meta', { 'globally-unique': 'true', 'clone-max': String(g.unique.cloneMax), 'clone-node-max': String(g.unique.nodeMax) });
    resources.push(`<clone id="uc">${meta}${dummy('u', {}, ops('u', MONITOR))}</clone>`);
    clonePrefixes.set('uc', 'u:');
    movable.push('uc');
    const perNode = new Map<number, number>();
    for (let n = 0; n < g.unique.cloneMax; n++) {
      const node = onNode(g.unique.placements[n] ?? -1);
      if (node === undefined || (perNode.get(node) ?? 0) >= g.unique.nodeMax) continue;
      perNode.set(node, (perNode.get(node) ?? 0) + 1);
      lrmOn[node] += historyOf(`u:${n}`, 'running');
    }
  }

  // Constraints name configured resources by index into this list (wrapping around).
  const targets = [...movable, ...(promotable === undefined ? [] : ['ms'])];
  const pick = (n: number): string | undefined => (targets.length === 0 ? undefined : targets[n % targets.length]);
  let constraints = '';
  g.locations.forEach((l, i) => {
    const rsc = pick(l.rsc);
    if (rsc === undefined || l.node >= g.nodeCount) return;
    if (rsc === 'ms' && l.promoted) {
      constraints += `<rsc_location id="loc${i}" rsc="ms"><rule id="loc${i}-r" score="${l.score}" role="Promoted"><expression id="loc${i}-e" attribute="#uname" operation="eq" value="node${l.node}"/></rule></rsc_location>`;
    } else constraints += `<rsc_location id="loc${i}" rsc="${rsc}" node="node${l.node}" score="${l.score}"/>`;
  });
  let advisoryColocation = false;
  g.colocations.forEach((c, i) => {
    const a = pick(c.a);
    const b = pick(c.b);
    // Colocations between two clones, or of a clone with a primitive, are legal but rare in
    // practice; the generator keeps primitives and the group as dependents.
    if (a === undefined || b === undefined || a === b || clonePrefixes.has(a)) return;
    const role = b === 'ms' && c.withPromoted ? ' with-rsc-role="Promoted"' : '';
    constraints += `<rsc_colocation id="col${i}" rsc="${a}" with-rsc="${b}" score="${c.score}"${role}/>`;
    if (!c.score.endsWith('INFINITY')) advisoryColocation = true;
  });
  const orders: GeneratedOrder[] = [];
  g.orders.forEach((o, i) => {
    const first = pick(o.a);
    const then = pick(o.b);
    if (first === undefined || then === undefined || first === then) return;
    // promote/demote actions exist only for the promotable clone.
    const firstAction = (o.firstAction === 'promote' && first !== 'ms' ? undefined : o.firstAction) ?? 'start';
    const thenAction = (o.thenAction === 'promote' && then !== 'ms' ? undefined : o.thenAction) ?? firstAction;
    if ((thenAction === 'promote' || thenAction === 'demote') && then !== 'ms') return;
    const order: GeneratedOrder = { first, then, firstAction, thenAction, kind: o.kind, symmetrical: o.symmetrical };
    // Orders that loop (A start before B start, and B start before A start through a symmetrical
    // stop order) are a configuration error Pacemaker does not resolve either (its graph would wait
    // forever): keep the orders acyclic.
    if (ordersLoop([...orders, order])) return;
    orders.push(order);
    constraints += `<rsc_order id="ord${i}" first="${first}" then="${then}" first-action="${firstAction}" then-action="${thenAction}" kind="${o.kind}" symmetrical="${o.symmetrical}"/>`;
  });

  const nodes: NodeSpec[] = nodeNames.map((name, i) => {
    const attrs = transient[i] as Record<string, string>;
    return { name, state: g.nodeStates[i] ?? 'online', lrm: lrmOn[i] ?? '', ...(Object.keys(attrs).length === 0 ? {} : { transient: attrs }) };
  });
  const options: Record<string, string> = { 'stonith-enabled': String(g.stonith), 'no-quorum-policy': g.noQuorumPolicy, 'symmetric-cluster': String(g.symmetric) };
  const spec: CibSpec = {
    nodes,
    resources: resources.join(''),
    constraints,
    quorum: g.quorum,
    options,
    ...(g.stickiness === undefined ? {} : { rscDefaults: { 'resource-stickiness': g.stickiness } }),
  };
  const instancesOf = (id: string, instanceIds: readonly string[]): string[] => {
    const prefix = clonePrefixes.get(id);
    if (prefix !== undefined) return instanceIds.filter((x) => x.startsWith(prefix));
    return aggregates.get(id) ?? [id];
  };
  // fast-check prints this instead of the whole object (the CIB, closures) in a counterexample.
  const description = [
    ...nodes.map((n) => `${n.name} ${n.state ?? 'online'}${n.transient === undefined ? '' : ` ${JSON.stringify(n.transient)}`}: ${[...(n.lrm ?? '').matchAll(/<lrm_rsc_op id="([^"]+)"[^>]*rc-code="(\d+)"/g)].map((m) => `${m[1]}=${m[2]}`).join(' ')}`),
    `resources: ${spec.resources.replace(/<operations>.*?<\/operations>/g, '').replace(/ class="ocf" provider="heartbeat" type="Dummy"/g, '')}`,
    `constraints: ${constraints}`,
    `options: ${JSON.stringify({ ...options, quorum: g.quorum, stickiness: g.stickiness })}`,
  ].join('\n');
  return {
    [fc.toStringMethod]: () => `\n${description}\n`,
    spec,
    cib: buildCib(spec),
    instancesOf,
    isExclusive: (instanceId) => exclusive.has(instanceId) || instanceId.startsWith('u:'),
    ...(promotable === undefined ? {} : { promotable }),
    ...(g.unique === null ? {} : { uniqueNodeMax: g.unique.nodeMax }),
    orders,
    isClone: (id) => clonePrefixes.has(id),
    advisoryColocation,
    interleaved,
    ...(g.stickiness === undefined ? {} : { stickiness: g.stickiness }),
  };
});
