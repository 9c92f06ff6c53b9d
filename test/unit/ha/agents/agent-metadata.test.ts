// Goal: meta-data XML becomes a typed description, and parameters are checked against it so that
// a missing required parameter is refused with its name. Method: a meta-data document in the shape
// resource-agents prints (DOCTYPE, descriptions, content types, actions with timeouts), and
// malformed ones.
import { describe, expect, it } from 'vitest';
import { advisedTimeout, checkParameters, parseAgentMetadata, type AgentMetadata } from '../../../../src/ha/agents/index.js';

const XML = `<?xml version="1.0"?>
<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
<resource-agent name="Floating" version="1.0">
<version>1.1</version>
<longdesc lang="en">A floating
   address.</longdesc>
<shortdesc lang="en">Floating IP</shortdesc>
<parameters>
<parameter name="ip" unique="1" required="1">
<longdesc lang="en">The address.</longdesc>
<shortdesc lang="en">IPv4 or IPv6 address</shortdesc>
<content type="string" default="" />
</parameter>
<parameter name="cidr_netmask">
<shortdesc lang="en">Netmask</shortdesc>
<content type="integer" default="24"/>
</parameter>
<parameter name="lvs_support" reloadable="1">
<content type="boolean" default="false"/>
</parameter>
<parameter name="mode">
<content type="select" default="a"><option value="a"/><option value="b"/></content>
</parameter>
<parameter name="old"><deprecated/><content type="string"/></parameter>
</parameters>
<actions>
<action name="start" timeout="20s" />
<action name="stop" timeout="20" />
<action name="monitor" timeout="20s" interval="10s" depth="0" />
<action name="monitor" timeout="40s" interval="30s" depth="10" role="Promoted" />
<action name="meta-data" timeout="5s" />
</actions>
</resource-agent>
`;

function parsed(): AgentMetadata {
  const result = parseAgentMetadata(XML);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe('parseAgentMetadata', () => {
  it('reads the agent, its parameters and its actions', () => {
    const meta = parsed();
    expect(meta).toMatchObject({ name: 'Floating', version: '1.1', shortDescription: 'Floating IP', longDescription: 'A floating address.' });
    expect(meta.parameters.map((p) => [p.name, p.required, p.unique, p.reloadable, p.deprecated, p.type, p.default])).toEqual([
      ['ip', true, true, false, false, 'string', ''],
      ['cidr_netmask', false, false, false, false, 'integer', '24'],
      ['lvs_support', false, false, true, false, 'boolean', 'false'],
      ['mode', false, false, false, false, 'select', 'a'],
      ['old', false, false, false, true, 'string', undefined],
    ]);
    expect(meta.parameters[3]?.options).toEqual(['a', 'b']);
    expect(meta.actions).toEqual([
      { name: 'start', timeoutMs: 20_000 },
      { name: 'stop', timeoutMs: 20_000 },
      { name: 'monitor', timeoutMs: 20_000, intervalMs: 10_000, depth: 0 },
      { name: 'monitor', timeoutMs: 40_000, intervalMs: 30_000, depth: 10, role: 'Promoted' },
      { name: 'meta-data', timeoutMs: 5000 },
    ]);
    expect(advisedTimeout(meta, 'monitor', 30_000)).toBe(40_000);
    expect(advisedTimeout(meta, 'monitor')).toBe(20_000);
    expect(advisedTimeout(meta, 'promote')).toBeUndefined();
  });

  it('refuses what is not agent meta-data, saying why', () => {
    expect(parseAgentMetadata('usage: Dummy {start|stop}')).toMatchObject({ ok: false });
    expect(parseAgentMetadata('<resource-agent name="x"><parameters>')).toMatchObject({ ok: false, error: expect.stringContaining('not well-formed') as unknown });
    expect(parseAgentMetadata('<cib/>')).toMatchObject({ ok: false, error: expect.stringContaining('<cib>') as unknown });
    expect(parseAgentMetadata('<resource-agent name="x"><actions><action name="start" timeout="soon"/></actions></resource-agent>')).toMatchObject({
      ok: false,
      error: expect.stringContaining('timeout="soon"') as unknown,
    });
  });
});

describe('checkParameters', () => {
  it('refuses a missing required parameter by name', () => {
    const problems = checkParameters(parsed(), { cidr_netmask: '24' }, 'ocf:heartline:Floating');
    expect(problems).toEqual([{ parameter: 'ip', severity: 'error', message: 'parameter "ip" (IPv4 or IPv6 address) is required by ocf:heartline:Floating' }]);
  });

  it('checks value types and warns about unknown and deprecated parameters', () => {
    const problems = checkParameters(parsed(), { ip: '10.0.0.1', cidr_netmask: 'wide', lvs_support: 'maybe', mode: 'c', old: 'x', typo: '1' }, 'F');
    expect(problems.map((p) => [p.parameter, p.severity])).toEqual([
      ['cidr_netmask', 'error'],
      ['lvs_support', 'error'],
      ['mode', 'error'],
      ['old', 'warning'],
      ['typo', 'warning'],
    ]);
    expect(problems[2]?.message).toBe('parameter "mode" of F: "c" is not one of a, b');
  });

  it('accepts a complete, well-typed configuration', () => {
    expect(checkParameters(parsed(), { ip: '10.0.0.1', cidr_netmask: '16', lvs_support: 'yes', mode: 'b' }, 'F')).toEqual([]);
  });
});
