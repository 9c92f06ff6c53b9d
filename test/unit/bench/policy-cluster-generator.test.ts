// The clusters `heartline bench policy` generates: deterministic in (nodes, resources, seed), with
// the promised mix of groups, clones and constraints; valid CIBs (the XML export imports back
// without warnings to an equal snapshot), on which the policy engine places every resource.
import { describe, expect, it } from 'vitest';
import { generatePolicyCluster } from '../../../src/bench/policy-cluster-generator.js';
import { cibEquals, exportCibXml, importCibXml, listPrimitives } from '../../../src/ha/cib/index.js';
import { schedule } from '../../../src/ha/policy/index.js';

describe('generatePolicyCluster', () => {
  it('is deterministic in the seed', () => {
    const a = exportCibXml(generatePolicyCluster({ nodes: 3, resources: 120, seed: 9 }).cib);
    const b = exportCibXml(generatePolicyCluster({ nodes: 3, resources: 120, seed: 9 }).cib);
    const c = exportCibXml(generatePolicyCluster({ nodes: 3, resources: 120, seed: 10 }).cib);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it.each([
    [2, 100],
    [16, 400],
  ])('%i nodes x %i resources: the configured primitives and the promised mix', (nodes, resources) => {
    const { cib, shape } = generatePolicyCluster({ nodes, resources });
    // The resources asked for, plus the cluster's one fence device.
    expect(listPrimitives(cib.configuration.resources)).toHaveLength(resources + 1);
    expect(shape.groupMembers + shape.clones + shape.standalone).toBe(resources);
    expect(shape.groupMembers).toBe(Math.floor(resources / 2));
    expect(shape.clones).toBeGreaterThanOrEqual(2);
    expect(shape.promotableClones).toBeGreaterThanOrEqual(1);
    expect(shape.constraints.location).toBeGreaterThan(0);
    expect(shape.constraints.colocation).toBeGreaterThan(0);
    expect(shape.constraints.order).toBeGreaterThan(0);
    expect(shape.status.running).toBeGreaterThan(shape.status.stopped + shape.status.new);
    expect(cib.configuration.nodes).toHaveLength(nodes);
    expect(cib.status.nodes.every((n) => (n.lrm?.resources.length ?? 0) > 0)).toBe(true);
  });

  it.each([
    [2, 150],
    [16, 300],
  ])('%i nodes x %i resources: the XML imports back to the same CIB, and the engine places every resource', (nodes, resources) => {
    const cluster = generatePolicyCluster({ nodes, resources });
    const imported = importCibXml(exportCibXml(cluster.cib));
    if (!imported.ok) throw new Error(`does not import: ${imported.error.message}`);
    expect(imported.value.warnings).toEqual([]);
    expect(cibEquals(imported.value.cib, cluster.cib)).toBe(true);
    const result = schedule(imported.value.cib, { now: cluster.now });
    const unplaced = result.decisions.filter((d) => d.next === undefined).map((d) => d.resource);
    expect(unplaced).toEqual([]);
    // Every configured primitive has a decision (clone children one per instance).
    const clonesInstances = cluster.shape.clones * nodes;
    expect(result.decisions).toHaveLength(resources + 1 - cluster.shape.clones + clonesInstances);
    // Most of it already runs where it should: far fewer actions than resources (probes of the
    // nodes without history aside).
    expect(result.graph.actions.filter((a) => a.kind !== 'probe').length).toBeLessThan(result.decisions.length);
  });
});
