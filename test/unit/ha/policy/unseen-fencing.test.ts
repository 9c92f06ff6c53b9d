// With fencing enabled, the history of a cleanly offline node is read too: a resource it shows
// active makes the node unclean ("thought to be active there"). When such a node cannot be fenced
// (no quorum), its resources' stops are blocked, and the summary says why they would stop.
import { describe, expect, it } from 'vitest';
import { buildCib, dummy, running, summaryOf, type CibSpec } from './cib-builder.js';

const ban = (rsc: string, node: string): string => `<rsc_location id="ban-${rsc}" rsc="${rsc}" node="${node}" score="-INFINITY"/>`;
const spec = (options: Readonly<Record<string, string>>, quorum: boolean, constraints = ''): CibSpec => ({
  nodes: [{ name: 'node1' }, { name: 'node2', state: 'offline', lrm: running('a') }],
  resources: dummy('a'),
  constraints,
  options,
  quorum,
});

const cases: { name: string; spec: CibSpec; expected: string[] }[] = [
  { name: 'with fencing and quorum the node is fenced', spec: spec({ 'stonith-enabled': 'true' }, true), expected: ["* Fence (reboot) node2 'a is thought to be active there'", '* Move a ( node2 -> node1 )'] },
  { name: 'without fencing the history of an offline node is ignored', spec: spec({ 'stonith-enabled': 'false' }, true), expected: ['* Start a ( node1 )'] },
  { name: 'no quorum, freeze: the move is blocked by the stop', spec: spec({ 'stonith-enabled': 'true', 'no-quorum-policy': 'freeze' }, false), expected: ['* Stop a ( node2 ) blocked'] },
  { name: 'no quorum, stop: the start elsewhere is unrunnable too', spec: spec({ 'stonith-enabled': 'true', 'no-quorum-policy': 'stop' }, false), expected: ['* Stop a ( node2 ) due to no quorum (blocked)'] },
  { name: 'no quorum, nowhere to go', spec: spec({ 'stonith-enabled': 'true', 'no-quorum-policy': 'freeze' }, false, ban('a', 'node1')), expected: ['* Stop a ( node2 ) due to node availability (blocked)'] },
];

describe('resources on nodes that must be fenced', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(summaryOf(buildCib(c.spec))).toEqual([...c.expected].sort());
    });
  }
});
