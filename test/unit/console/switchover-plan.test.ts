// Goal: "switch over now" moves exactly the resources active on one node to its online peer, in
// one change; asks when the source or target is not obvious; refuses in words when it cannot.
// Method: status reports and configurations made by hand.
import { describe, expect, it } from 'vitest';
import { planSwitchover, switchoverDone } from '../../../src/console/index.js';
import { clone, configuration, group, node, primitive, report, row } from './console-fixtures.js';

const config = configuration([primitive('db'), group('site', ['vip', 'web']), clone('ping-clone', 'ping'), primitive('idle')]);

describe('planSwitchover', () => {
  it('moves every primitive and group active on the one busy node to its peer, clones excepted', () => {
    const status = report([node('a', 'online'), node('b', 'online')], [row('db', [{ node: 'a' }]), row('vip', [{ node: 'a' }]), row('web', [{ node: 'a' }]), row('ping:0', [{ node: 'a' }]), row('ping:1', [{ node: 'b' }]), row('idle', [])]);
    const step = planSwitchover(status, config);
    expect(step.kind).toBe('plan');
    if (step.kind !== 'plan') return;
    expect(step).toMatchObject({ from: 'a', to: 'b', resources: ['db', 'site'] });
    expect(step.change).toEqual({
      op: 'batch',
      changes: [
        { op: 'put-constraint', constraint: { kind: 'location', id: 'cli-prefer-db', subject: { kind: 'resource', rsc: 'db' }, placement: { kind: 'node', node: 'b', score: 1_000_000 } } },
        { op: 'put-constraint', constraint: { kind: 'location', id: 'cli-prefer-site', subject: { kind: 'resource', rsc: 'site' }, placement: { kind: 'node', node: 'b', score: 1_000_000 } } },
      ],
    });
  });

  it('asks which node to empty when resources run on both, then plans from the answer', () => {
    const status = report([node('a', 'online'), node('b', 'online')], [row('db', [{ node: 'a' }]), row('vip', [{ node: 'b' }]), row('web', [{ node: 'b' }])]);
    expect(planSwitchover(status, config)).toEqual({ kind: 'choose-from', nodes: ['a', 'b'] });
    const step = planSwitchover(status, config, { from: 'b' });
    expect(step).toMatchObject({ kind: 'plan', from: 'b', to: 'a', resources: ['site'], change: { op: 'put-constraint' } });
  });

  it('asks for the target when several peers are online', () => {
    const status = report([node('a', 'online'), node('b', 'online'), node('c', 'online')], [row('db', [{ node: 'a' }])]);
    expect(planSwitchover(status, config)).toEqual({ kind: 'choose-to', from: 'a', nodes: ['b', 'c'] });
  });

  it.each([
    ['nothing runs', report([node('a', 'online'), node('b', 'online')], [row('db', [])]), /nothing to switch over/],
    ['the peer is in standby', report([node('a', 'online'), node('b', 'standby')], [row('db', [{ node: 'a' }])]), /b is standby/],
    ['the peer is offline', report([node('a', 'online'), node('b', 'offline')], [row('db', [{ node: 'a' }])]), /b is offline/],
  ])('refuses in words when %s', (_name, status, reason) => {
    const step = planSwitchover(status, config);
    expect(step.kind).toBe('impossible');
    expect(step.kind === 'impossible' && step.reason).toMatch(reason);
  });

  it('is done when every moved resource runs on the target alone', () => {
    const moving = report([node('a', 'online'), node('b', 'online')], [row('db', [{ node: 'b' }]), row('vip', [{ node: 'b' }]), row('web', [{ node: 'a' }])]);
    expect(switchoverDone(moving, config, ['db', 'site'], 'b')).toBe(false);
    const done = report([node('a', 'online'), node('b', 'online')], [row('db', [{ node: 'b' }]), row('vip', [{ node: 'b' }]), row('web', [{ node: 'b' }])]);
    expect(switchoverDone(done, config, ['db', 'site'], 'b')).toBe(true);
  });
});
