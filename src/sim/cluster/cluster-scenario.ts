/**
 * The whole stack under simulation: N nodes, each running the real membership, reliable channel,
 * CIB replica, controller (policy engine + transition engine) with a simulated LRM, over a seeded
 * faulty network, with daemon crashes and freezes, resources dying under their agents, agents
 * failing starts and stops, and a simulated fence device that powers nodes off (and on again).
 *
 * Every run also has the storage group `store` = `fs` (a Filesystem on the simulated shared disk,
 * SimSharedDisk, which has no multi-mount protection) + `writer` (a service writing to it).
 *
 * Checked on every step (safety): no exclusive resource is active on two powered nodes; the shared
 * disk is never mounted on two powered nodes (read from the disk's own mount table, as MountWatch
 * reads the kernel's); the writer runs only where the disk is mounted (the group's order).
 * Checked at the end, after a quiet phase (liveness and convergence): every node is up, all agree
 * on the view, the DC and the CIB; every resource whose starts never failed runs exactly once.
 */
import { SeededRandom, millis, nodeId, randomChance, randomInt, randomPick, type Millis, type NodeId } from '../../lib/index.js';
import { applyCibChange, importCibXml, type Cib, type CibChange } from '../../ha/cib/index.js';
import { cibStatusChanges } from '../../ha/controller/index.js';
import { schedule } from '../../ha/policy/index.js';
import { swarmFaultSchedule, type ScheduledFault } from '../fault-schedule.js';
import { replayCommand } from '../replay.js';
import { Simulation, type NodeContext, type SimChecker, type SimulationResult, type SimulationView, type StepRecord } from '../simulation.js';
import { simulatedMembershipConfig } from '../scenarios/membership-scenario.js';
import { ClusterNode, type ClusterNodeEvent, type ClusterWire } from './cluster-node.js';
import { NO_AGENT_FAULTS, SimLrm, type SimAgentFaults } from './sim-lrm.js';
import { SimWorld } from './sim-world.js';

const SHAPE_STREAM = 2;
const FAULT_STREAM = 3;
const WORLD_STREAM = 4;
/** Wall-clock seconds at simulated time 0 (the policy engine counts failure timeouts in it). */
const EPOCH_SECONDS = 1_800_000_000;

export interface ClusterRunOptions {
  readonly nodeCount: number;
  readonly resourceCount: number;
  readonly links: readonly string[];
  readonly faultPhaseMs: number;
  readonly endMs: number;
  readonly agentFaults: SimAgentFaults;
  readonly resourceDeaths: number;
}

export interface ClusterRun {
  readonly options: ClusterRunOptions;
  readonly result: SimulationResult;
  readonly replay: string;
}

export function clusterOptions(seed: number, overrides: { nodeCount?: number } = {}): ClusterRunOptions {
  const random = new SeededRandom(seed, SHAPE_STREAM);
  const nodeCount = overrides.nodeCount ?? randomPick(random, [2, 2, 2, 3]);
  const resourceCount = randomInt(random, 1, 4);
  const links = ['eth0', 'eth1'].slice(0, randomInt(random, 1, 2));
  const faultPhaseMs = randomInt(random, 0, 8000);
  const faulty = randomChance(random, 0.3);
  const agentFaults = faulty ? { failStartRate: 0.05, failStopRate: 0.03, hangRate: 0.02 } : NO_AGENT_FAULTS;
  const resourceDeaths = faultPhaseMs === 0 ? 0 : randomInt(random, 0, 3);
  // Long enough after the faults for initdead, detection, fencing, a reboot and recovery, and for
  // an operation that hung just before the faults stopped to time out (20 s) and be recovered.
  const endMs = faultPhaseMs + (faulty ? 50_000 : 30_000);
  return { nodeCount, resourceCount, links, faultPhaseMs, endMs, agentFaults, resourceDeaths };
}

/** The storage group's members, in start order: the Filesystem on the shared disk, then its writer. */
export const STORAGE_GROUP = { id: 'store', filesystem: 'fs', writer: 'writer' } as const;

/** The configuration every node starts with: Dummy resources and the storage group, with monitors, fencing on. */
export function initialClusterCib(nodeIds: readonly NodeId[], resourceCount: number): Cib {
  const nodes = nodeIds.map((id) => `<node id="${id}" uname="n${id}"/>`).join('');
  const primitive = (id: string, provider: string, type: string): string =>
    `<primitive id="${id}" class="ocf" provider="${provider}" type="${type}"><operations><op id="${id}-monitor" name="monitor" interval="2s" timeout="20s"/></operations></primitive>`;
  const resources =
    Array.from({ length: resourceCount }, (_, i) => primitive(`r${i + 1}`, 'heartbeat', 'Dummy')).join('') +
    `<group id="${STORAGE_GROUP.id}">${primitive(STORAGE_GROUP.filesystem, 'heartline', 'Filesystem')}${primitive(STORAGE_GROUP.writer, 'heartline', 'RecordWriter')}</group>`;
  const xml =
    `<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.0"><configuration><crm_config><cluster_property_set id="cib-bootstrap-options">` +
    `<nvpair id="opt-stonith" name="stonith-enabled" value="true"/><nvpair id="opt-stickiness" name="default-resource-stickiness" value="100"/>` +
    `</cluster_property_set></crm_config><nodes>${nodes}</nodes><resources>${resources}</resources><constraints/></configuration><status/></cib>`;
  const imported = importCibXml(xml);
  if (!imported.ok) throw new Error(`the simulated cluster's CIB does not import: ${JSON.stringify(imported.error)}`);
  return imported.value.cib;
}

export function runCluster(
  seed: number,
  options: { nodeCount?: number; keepTrace?: boolean; onTraceLine?: (line: string) => void; faults?: readonly ScheduledFault[]; /** SimWorld's broken Filesystem stop (checks the checker). */ lazyUnmount?: boolean } = {},
): ClusterRun {
  const shape = clusterOptions(seed, options.nodeCount === undefined ? {} : { nodeCount: options.nodeCount });
  const nodeIds = Array.from({ length: shape.nodeCount }, (_, i) => nodeId(i + 1));
  const world = new SimWorld(new Set([STORAGE_GROUP.filesystem]), options.lazyUnmount ?? false);
  const worldRandom = new SeededRandom(seed, WORLD_STREAM);
  const initial = initialClusterCib(nodeIds, shape.resourceCount);
  const resources = [...Array.from({ length: shape.resourceCount }, (_, i) => `r${i + 1}`), STORAGE_GROUP.filesystem, STORAGE_GROUP.writer];
  const wallClock = (now: Millis): number => EPOCH_SECONDS + now / 1000;
  const faults =
    options.faults ??
    swarmFaultSchedule(new SeededRandom(seed, FAULT_STREAM), { nodeIds, faultPhaseMs: shape.faultPhaseMs, meanFaultGapMs: 700, allowCrashes: true, links: shape.links });
  // eslint-disable-next-line prefer-const -- the protocol needs the simulation, which needs the protocol
  let simulation: Simulation<ClusterWire, ClusterNodeEvent>;
  const protocol = {
    name: 'cluster',
    createNode: (context: NodeContext) => {
      const id = context.id;
      const lrm = new SimLrm(id, `n${id}`, context.incarnation, world, context.random, shape.agentFaults, wallClock, shape.faultPhaseMs);
      const membershipConfig = simulatedMembershipConfig(id, nodeIds, shape.links);
      return new ClusterNode<CibChange>(
        id,
        context.incarnation,
        membershipConfig,
        {
          self: id,
          nodes: nodeIds.map((n) => ({ id: n, name: `n${n}` })),
          initialCib: world.readDisk(id) ?? initial,
          applyChange: applyCibChange,
          changes: cibStatusChanges,
          schedule: (cib, now) => schedule(cib, { now, recordScores: false }),
          transition: { batchLimit: 0, concurrentFencing: false },
          resultGraceMs: 5000,
          queryTimeoutMs: 1000,
          wallClock,
          startupGraceMs: membershipConfig.timing.initdeadMs,
        },
        lrm,
        {
          persist: (node, cib) => world.writeDisk(node, cib),
          fenceDelayMs: () => randomInt(worldRandom, 100, 600),
          fence: (by, target) => {
            const targetId = nodeIds.find((n) => `n${n}` === target);
            // A device that lost power itself (fenced first, in a fence race) fences no one.
            if (targetId === undefined || !world.isPowered(by)) return false;
            world.powerOff(targetId);
            world.fences.push({ atMs: simulation.nowMs, by, target: targetId });
            simulation.injectFault(0, { kind: 'crash', node: targetId });
            // The node reboots: power back on, daemon starts a few seconds later.
            simulation.clock.setTimer(millis(randomInt(worldRandom, 2000, 4000)), () => {
              world.powerOn(targetId);
              simulation.injectFault(0, { kind: 'restart', node: targetId });
            });
            return true;
          },
        },
      );
    },
    describeMessage: (m: ClusterWire) => (m.k === 'm' ? `m:${m.m.type}` : `c:${m.m.kind}#${m.m.seq}`),
    describeEffect: (e: ClusterNodeEvent) => describeEvent(e),
  };
  simulation = new Simulation<ClusterWire, ClusterNodeEvent>({
    seed,
    protocol,
    nodeIds,
    faults,
    endMs: shape.endMs,
    links: shape.links,
    dedupeFrames: true,
    checkers: [new ExclusiveResourceChecker(world, resources), new SharedDiskChecker(world), new ClusterEndChecker(world, resources, nodeIds)],
    keepTrace: options.keepTrace ?? false,
    hasPower: (node) => world.isPowered(node),
    ...(options.onTraceLine === undefined ? {} : { onTraceLine: options.onTraceLine }),
  });
  // Resources die under their agents now and then during the fault phase. Not the Filesystem: a
  // mount does not vanish under a running writer (an unmount would fail while the writer has files
  // open), so the group-order check would report the fault, not the cluster.
  for (let i = 0; i < shape.resourceDeaths; i++) {
    simulation.clock.setTimer(millis(randomInt(worldRandom, 0, shape.faultPhaseMs)), () => {
      const active = world.active().filter((entry) => !world.diskResources.has(entry.resource));
      if (active.length === 0) return;
      const victim = randomPick(worldRandom, active);
      world.setState(victim.node, victim.resource, 'stopped');
    });
  }
  const result = simulation.run();
  const extra = options.nodeCount === undefined ? [] : ['--nodes', String(options.nodeCount)];
  return { options: shape, result, replay: replayCommand('cluster', seed, extra) };
}

function describeEvent(e: ClusterNodeEvent): string {
  switch (e.kind) {
    case 'view':
      return `view members=${e.members.map((m) => `n${m.id}.${m.incarnation}`).join(',')} dc=${e.dc === null ? '-' : `n${e.dc}`} quorate=${e.quorate}`;
    case 'transition':
      return `transition ${e.text}`;
    case 'fence-request':
      return `fence-request ${e.target}`;
    case 'problem':
      return `problem ${e.message}`;
    case 'reply':
      return `reply ${e.requestId} ${e.result.ok ? 'ok' : 'refused'}`;
  }
}

/** Safety: an exclusive resource is never active on two powered nodes. */
class ExclusiveResourceChecker implements SimChecker<ClusterWire, ClusterNodeEvent> {
  constructor(
    private readonly world: SimWorld,
    private readonly resources: readonly string[],
  ) {}

  onStep(_step: StepRecord<ClusterWire, ClusterNodeEvent>): string | undefined {
    for (const r of this.resources) {
      const where = this.world.activeNodes(r);
      if (where.length > 1) return `${r} is active on ${where.map((n) => `n${n}`).join(' and ')} at once`;
    }
    return undefined;
  }
}

/**
 * Safety of the shared disk, on every step: mounted on at most one powered node (no double mount,
 * judged from the disk's mount table, not from the resource's state), and the writer active only
 * on a node that has the disk mounted (else it would write into the bare mount point).
 */
class SharedDiskChecker implements SimChecker<ClusterWire, ClusterNodeEvent> {
  constructor(private readonly world: SimWorld) {}

  onStep(_step: StepRecord<ClusterWire, ClusterNodeEvent>): string | undefined {
    const mounted = this.world.diskMountedOn();
    if (mounted.length > 1) return `the shared disk ${this.world.disk.name} is mounted on ${mounted.map((n) => `n${n}`).join(' and ')} at once`;
    for (const node of this.world.activeNodes(STORAGE_GROUP.writer)) {
      if (!mounted.includes(node)) return `${STORAGE_GROUP.writer} is active on n${node}, where ${this.world.disk.name} is not mounted`;
    }
    return undefined;
  }
}

/** Liveness and convergence at the end of the quiet phase. */
class ClusterEndChecker implements SimChecker<ClusterWire, ClusterNodeEvent> {
  constructor(
    private readonly world: SimWorld,
    private readonly resources: readonly string[],
    private readonly nodeIds: readonly NodeId[],
  ) {}

  atEnd(view: SimulationView): string | undefined {
    const down = this.nodeIds.filter((n) => !view.isUp(n));
    if (down.length > 0) return `nodes ${down.map((n) => `n${n}`).join(',')} are not up at the end`;
    const stacks = this.nodeIds.map((n) => (view.coreOf(n) as ClusterNode<CibChange>).stack);
    const describe = (): string => stacks.map((s, i) => `n${this.nodeIds[i]}: ${JSON.stringify({ cib: s.replica.status(), controller: s.controller.status() })}`).join('; ');
    const digests = new Set(stacks.map((s) => s.replica.status().digest));
    if (digests.size !== 1) return `the nodes hold different CIBs at the end: ${describe()}`;
    if (stacks.some((s) => s.controller.status().transition !== undefined || s.controller.status().pendingWrites > 0)) return `a transition or a status write is still in progress at the end: ${describe()}`;
    for (const r of this.resources) {
      // A failed start bans a resource from its node (start-failure-is-fatal): it may have nowhere left.
      if (this.world.startFailures.has(r)) continue;
      // A group member after a member that cannot start anywhere has nowhere to run either.
      if (r === STORAGE_GROUP.writer && this.world.startFailures.has(STORAGE_GROUP.filesystem)) continue;
      const where = this.world.activeNodes(r);
      if (where.length !== 1) return `${r} is active on ${where.length} nodes at the end (${where.map((n) => `n${n}`).join(',')}); ${describe()}`;
    }
    return undefined;
  }
}

