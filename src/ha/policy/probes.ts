/**
 * Phase "probes", as far as it changes decisions (probe actions themselves are not scheduled):
 * Pacemaker probes a resource on every online node where its state is unknown, and a resource
 * that is active nowhere starts only after its probes. A probe on a pending node (in the
 * membership, not joined yet) cannot run, so such a start is blocked ("Start X ( N )  blocked").
 * An active resource is not stopped for it. Clones are probed and started as a whole: an
 * anonymous clone is known on a node when any of its instances has history there.
 */
import type { Cib } from '../cib/index.js';
import type { Instance, ResourceModel } from './model.js';
import type { PolicyNode } from './unpack.js';

function isActive(inst: Instance): boolean {
  return [...inst.current.values()].some((s) => s.role !== 'Stopped');
}

/** The lrm_resource ids in each pending node's history. */
function historyIdsOfPendingNodes(cib: Cib, nodes: readonly PolicyNode[]): Set<string>[] {
  const out: Set<string>[] = [];
  for (const node of nodes) {
    if (!node.pending) continue;
    const state = cib.status.nodes.find((s) => s.id === node.id) ?? cib.status.nodes.find((s) => s.id === undefined && s.uname === node.uname);
    out.push(new Set((state?.lrm?.resources ?? []).map((r) => r.id)));
  }
  return out;
}

function isKnown(inst: Instance, ids: ReadonlySet<string>): boolean {
  const clone = inst.unit.clone;
  if (clone === undefined || clone.unique) return ids.has(inst.id);
  const base = inst.primitive.id;
  for (const id of ids) if (id === base || id.replace(/:\d+$/, '') === base) return true;
  return false;
}

/** Blocks the starts of inactive resources whose state on a pending node is unknown. */
export function blockStartsAwaitingProbes(cib: Cib, model: ResourceModel, nodes: readonly PolicyNode[]): void {
  const pendingHistories = historyIdsOfPendingNodes(cib, nodes);
  if (pendingHistories.length === 0) return;
  for (const inst of model.instances.values()) {
    if (!inst.managed || inst.blocked || inst.next === undefined || isActive(inst)) continue;
    // A clone's start waits for its probes only while no instance of it is active anywhere.
    const clone = inst.unit.clone;
    if (clone !== undefined && clone.instances.some((u) => u.members.some(isActive))) continue;
    if (pendingHistories.every((ids) => isKnown(inst, ids))) continue;
    inst.blockedStart = inst.next;
    delete inst.next;
    inst.nextRole = 'Stopped';
  }
}
