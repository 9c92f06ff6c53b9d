// Goal: agent names parse as Pacemaker writes them, and no name can reach outside its directory.
import { describe, expect, it } from 'vitest';
import { formatAgentSpec, parseAgentSpec } from '../../../../src/ha/agents/index.js';

describe('parseAgentSpec', () => {
  it.each([
    ['ocf:heartbeat:Dummy', { standard: 'ocf', provider: 'heartbeat', type: 'Dummy' }],
    ['ocf:heartline:Dummy', { standard: 'ocf', provider: 'heartline', type: 'Dummy' }],
    ['lsb:nginx', { standard: 'lsb', type: 'nginx' }],
    ['heartbeat:IPaddr2', { standard: 'heartbeat', type: 'IPaddr2' }],
    ['systemd:getty@tty1.service', { standard: 'systemd', type: 'getty@tty1.service' }],
  ])('%s', (text, spec) => {
    const parsed = parseAgentSpec(text);
    expect(parsed).toEqual({ ok: true, value: spec });
    if (parsed.ok) expect(formatAgentSpec(parsed.value)).toBe(text);
  });

  it.each([
    ['stonith:external/ipmi', 'is not a fence-agents program'],
    ['nagios:check_http', 'unknown agent class "nagios"'],
    ['ocf:Dummy', 'is not ocf:PROVIDER:TYPE'],
    ['ocf:heartbeat:../../../bin/sh', 'is not a valid name'],
    ['ocf:..:Dummy', 'ocf provider ".." is not a valid name'],
    ['lsb:../rm', 'is not a valid name'],
    ['lsb:', 'is not lsb:NAME'],
    ['heartbeat:a:b', 'is not heartbeat:NAME'],
    ['systemd:..', 'is not a valid name'],
    ['systemd:a/b', 'is not a valid name'],
  ])('refuses %s', (text, message) => {
    const parsed = parseAgentSpec(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });
});
