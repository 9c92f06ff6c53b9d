// The graph marks what cannot run: a stop the summary shows "(blocked)" is unrunnable, and so is
// what requires it (the start after a stop, the monitor after a start, mandatory start orders).
import { describe, expect, it } from 'vitest';
import { buildCib, dummy, running, run, type CibSpec } from './cib-builder.js';

const group = (id: string, members: string, meta = ''): string => `<group id="${id}">${meta}${members}</group>`;
const stopped = `<meta_attributes id="g-m"><nvpair id="g-m1" name="target-role" value="Stopped"/></meta_attributes>`;

function runnableOf(spec: CibSpec): Record<string, boolean> {
  // Probes of nodes where a resource's state is unknown are always runnable; these rows are about the rest.
  return Object.fromEntries(run(buildCib(spec)).graph.actions.filter((a) => a.kind !== 'probe').map((a) => [a.id, a.runnable]));
}

const cases: { name: string; spec: CibSpec; expected: Record<string, boolean> }[] = [
  {
    name: 'a group stop blocked by an unmanaged later member is unrunnable',
    spec: { nodes: [{ name: 'node1', lrm: running('a') + running('b') }], resources: group('g', dummy('a') + dummy('b', { 'is-managed': 'false' }), stopped) },
    expected: { 'a_stop_0@node1': false },
  },
  {
    // The move cannot happen: a's stop waits for b's blocked stop, so a is summarised as a blocked
    // Stop and no start is planned for it (Pacemaker's start is unrunnable and left out of the graph).
    name: 'the start after an unrunnable stop is not runnable',
    spec: {
      nodes: [{ name: 'node1', lrm: running('a') + running('b') }, { name: 'node2' }],
      resources: group('g', dummy('a') + dummy('b', { 'is-managed': 'false' })),
      constraints: '<rsc_location id="away" rsc="a" node="node1" score="-INFINITY"/>',
    },
    expected: { 'a_stop_0@node1': false },
  },
  {
    name: 'ordinary stops and starts are runnable',
    spec: { nodes: [{ name: 'node1', lrm: running('a') }, { name: 'node2' }], resources: dummy('a', { 'target-role': 'Stopped' }) + dummy('c', {}, '<op id="c-mon" name="monitor" interval="10s"/>') },
    expected: { 'a_stop_0@node1': true, 'c_start_0@node1': true, 'c_monitor_10000@node1': true },
  },
];

describe('runnable flag of graph actions', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(runnableOf(c.spec)).toEqual(c.expected);
    });
  }
  it('the summary marks the unrunnable stop blocked', () => {
    const result = run(buildCib(cases[0]?.spec ?? { nodes: [], resources: '' }));
    expect(result.summary.map((l) => l.replace(/\s+/g, ' ').trim())).toEqual(['* Stop a ( node1 ) due to node availability (blocked)']);
  });
});
