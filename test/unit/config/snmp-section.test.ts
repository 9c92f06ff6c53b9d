// heartline.yaml's `snmp` section (src/config/snmp-section.ts): its defaults, every field
// resolved, and a refusal with the field named for each mistake an operator is likely to make.
import { describe, expect, it } from 'vitest';
import { formatConfigIssue, parseConfig, type HeartlineConfig } from '../../../src/config/index.js';

const BASE = ['cluster: { name: c1, id: 7 }', 'nodes:\n  - { name: alpha, id: 1 }\n  - { name: beta, id: 2 }', 'links:\n  - { name: cross, kind: udp-unicast, addresses: { alpha: 10.0.0.1, beta: 10.0.0.2 } }'].join('\n');

function parse(snmp: string): { config?: HeartlineConfig; issues: string[] } {
  const result = parseConfig(`${BASE}\n${snmp}\n`, 'test.yaml');
  return result.ok ? { config: result.value, issues: [] } : { issues: result.error.map(formatConfigIssue) };
}

describe('the snmp section', () => {
  it('is optional; an empty one means an AgentX subagent on snmpd\'s default socket under the experimental arc', () => {
    expect(parse('').config?.snmp).toBeUndefined();
    expect(parse('snmp: {}').config?.snmp).toEqual({ rootOid: '1.3.6.1.3.694', pollIntervalMs: 2000, agentx: '/var/agentx/master', notifyViaSnmpd: false, sinks: [] });
  });

  it('resolves every field', () => {
    const { config, issues } = parse(
      [
        'snmp:',
        '  root_oid: .1.3.6.1.4.1.99999.1',
        '  poll_interval: 500ms',
        '  agentx: 127.0.0.1:705',
        "  engine_id: '0x80001F8804686C'",
        '  notify_via_snmpd: true',
        '  standalone:',
        '    listen: 127.0.0.1:16161',
        '    communities: [public]',
        '    users: [{ name: mon, auth_password: authpass1, priv_password: privpass1, auth_protocol: sha256 }]',
        '  sinks:',
        "    - { address: 192.0.2.10:162, version: '2c' }",
        "    - { address: '[2001:db8::1]:10162', version: '3', kind: inform, user: { name: trap, auth_password: authpass2, priv_password: privpass2, priv_protocol: aes256b } }",
      ].join('\n'),
    );
    expect(issues).toEqual([]);
    expect(config?.snmp).toEqual({
      rootOid: '1.3.6.1.4.1.99999.1',
      pollIntervalMs: 500,
      agentx: '127.0.0.1:705',
      engineId: '80001f8804686c',
      notifyViaSnmpd: true,
      standalone: { host: '127.0.0.1', port: 16161, communities: ['public'], users: [{ name: 'mon', authProtocol: 'sha256', authPassword: 'authpass1', privProtocol: 'aes', privPassword: 'privpass1' }] },
      sinks: [
        { host: '192.0.2.10', port: 162, version: '2c', kind: 'trap', community: 'public' },
        { host: '2001:db8::1', port: 10162, version: '3', kind: 'inform', user: { name: 'trap', authProtocol: 'sha', authPassword: 'authpass2', privProtocol: 'aes256b', privPassword: 'privpass2' } },
      ],
    });
  });

  it.each([
    ['a root that is not an OID', 'snmp: { root_oid: enterprises.99999 }', /snmp\.root_oid: 'enterprises\.99999' is not a numeric OID/],
    ['a poll too fast', 'snmp: { poll_interval: 50ms }', /snmp\.poll_interval: poll_interval must be from 200ms to 60s/],
    ['an AgentX socket that is neither', 'snmp: { agentx: agentx.sock }', /snmp\.agentx: 'agentx\.sock' is neither an absolute path/],
    ['a standalone agent nobody may read', 'snmp: { standalone: { listen: 0.0.0.0:161 } }', /snmp\.standalone: standalone needs communities/],
    ['a short v3 passphrase', "snmp: { sinks: [{ address: 10.0.0.9:162, version: '3', user: { name: u, auth_password: short, priv_password: privpass1 } }] }", /snmp\.sinks\[0\]\.user\.auth_password: auth_password is shorter than 8 characters/],
    ['a v3 sink without a user', "snmp: { sinks: [{ address: 10.0.0.9:162, version: '3' }] }", /snmp\.sinks\[0\]\.user: version '3' needs user/],
    ['a community on a v3 sink', "snmp: { sinks: [{ address: 10.0.0.9:162, version: '3', community: public, user: { name: u, auth_password: authpass1, priv_password: privpass1 } }] }", /snmp\.sinks\[0\]\.community: community belongs to version '2c'/],
    ['a sink without a port', "snmp: { sinks: [{ address: 10.0.0.9, version: '2c' }] }", /snmp\.sinks\[0\]\.address: '10\.0\.0\.9' is not HOST:PORT/],
    ['an engine id YAML read as a number', 'snmp: { engine_id: 0x80001F8804686C }', /snmp\.engine_id: engine_id is hex text in quotes/],
    ['an unknown key', 'snmp: { trapsink: 10.0.0.9 }', /snmp.*trapsink/],
  ])('refuses %s', (_what, text, message) => {
    const { issues } = parse(text);
    expect(issues.join('\n')).toMatch(message);
  });
});
