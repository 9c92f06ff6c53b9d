// Goal: the agent check the daemon runs on a CIB change before it is submitted refuses unknown
// agents (naming where it looked and the closest installed name), missing required and unknown
// parameters of OCF agents (with the closest known name), and parameters the other classes cannot
// take, and accepts good changes and changes that leave primitives as they were. Method: the
// builders of src/ha/admin make the changes as the CLI does; AgentClassRunner answers with Debian's
// real resource-agents (ocf:heartbeat:Dummy, IPaddr2), the project's ocf:heartline:Dummy, and the
// LSB and Heartbeat fixture scripts; systemd units are looked for in a temporary unit directory.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildResourceCreate, buildResourceUpdate, type ResourceCreateRequest } from '../../../src/ha/admin/index.js';
import { AgentClassRunner, checkChangeAgainstAgents } from '../../../src/ha/agents/index.js';
import { applyCibChange, emptyCib, type Cib, type CibChange } from '../../../src/ha/cib/index.js';
import { ChildProcessRunner } from '../../../src/ha/lrm/index.js';
import { SystemClock } from '../../../src/platform/index.js';
import { describeWithPrerequisites } from '../harness/prerequisites.js';
import { FIXTURES, temporaryDirectory } from './lrm-kit.js';

describeWithPrerequisites('the agent check of CIB changes, against real agents', ['resource-agents'], () => {
  const clock = new SystemClock();
  let scratch: { path: string; remove: () => Promise<void> };
  let agents: AgentClassRunner;
  let cib: Cib;

  beforeAll(async () => {
    scratch = await temporaryDirectory('change-check');
    const units = join(scratch.path, 'units');
    await mkdir(units);
    await writeFile(join(units, 'webapp.service'), '[Service]\nExecStart=/bin/true\n');
    await writeFile(join(units, 'worker@.service'), '[Service]\nExecStart=/bin/true\n');
    agents = new AgentClassRunner({
      processes: new ChildProcessRunner({ clock }),
      clock,
      directories: {
        rscTmpDirectory: scratch.path,
        initDirectory: join(FIXTURES, 'init.d'),
        heartbeatResourceDirectory: join(FIXTURES, 'resource.d'),
        systemdUnitDirectories: [units],
      },
    });
    const empty = emptyCib();
    if (!empty.ok) throw new Error(empty.error);
    cib = empty.value;
  });

  afterAll(async () => {
    await scratch?.remove();
  });

  const create = (fields: Partial<ResourceCreateRequest>): CibChange => {
    const built = buildResourceCreate({ id: 'r', agent: 'ocf:heartbeat:Dummy', params: [], meta: [], ops: [], ...fields }, cib.configuration);
    if (!built.ok) throw new Error(built.error.message);
    return built.value;
  };
  const check = (change: CibChange, on: Cib = cib) => checkChangeAgainstAgents(change, on, agents);

  it.each([
    ['ocf:heartbeat:Dummy', ['state=/tmp/x.state']],
    ['ocf:heartbeat:IPaddr2', ['ip=192.0.2.10', 'cidr_netmask=24']],
    ['ocf:heartline:Dummy', ['op_sleep=0']],
    ['lsb:heartline-fixture-daemon', []],
    ['heartbeat:HeartlineFixture', ['1=a', '2=b']],
    ['systemd:webapp', []],
    ['systemd:worker@1', []],
  ])('accepts %s with %j', async (agent, params) => {
    expect(await check(create({ agent, params }))).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ['ocf:heartbeat:Dumy', [], /resource 'r': ocf:heartbeat:Dumy is not installed on this node: no executable \/usr\/lib\/ocf\/resource.d\/heartbeat\/Dumy; did you mean "Dummy"\?/],
    ['ocf:heartbaet:Dummy', [], /there is no OCF provider "heartbaet" \(\/usr\/lib\/ocf\/resource.d\/heartbaet does not exist\); did you mean provider "heartbeat"\?/],
    ['lsb:nosuchscript', [], /lsb:nosuchscript is not installed on this node: no executable .*init.d\/nosuchscript/],
    ['systemd:webap', [], /no unit file webap.service in .*units; did you mean "webapp.service"\?/],
    ['ocf:heartbeat:IPaddr2', ['cidr_netmask=24'], /resource 'r': parameter "ip" \(IPv4 or IPv6 address\) is required by ocf:heartbeat:IPaddr2/],
    ['ocf:heartbeat:Dummy', ['stat=/tmp/x'], /ocf:heartbeat:Dummy has no parameter "stat"; did you mean "state"\?/],
    ['ocf:heartline:Dummy', ['op_sleep=slow'], /parameter "op_sleep" of ocf:heartline:Dummy: "slow" is not an integer/],
    ['heartbeat:HeartlineFixture', ['2=b'], /positional parameters "1", "2", ... without gaps/],
    ['lsb:heartline-fixture-daemon', ['port=80'], /lsb:heartline-fixture-daemon takes no parameters .*remove "port"/],
  ])('refuses %s with %j', async (agent, params, message) => {
    const checked = await check(create({ agent, params }));
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.error).toMatch(message);
  });

  it('checks the resulting parameters of an update: removing a required one is refused, an unchanged primitive is not checked', async () => {
    const withIp = applyCibChange(cib, create({ agent: 'ocf:heartbeat:IPaddr2', params: ['ip=192.0.2.10'] }), { now: 0, origin: 'n', user: 'u' });
    if (!withIp.ok) throw new Error(withIp.error.message);
    const removeIp = buildResourceUpdate({ id: 'r', params: ['ip='], meta: [] });
    if (!removeIp.ok) throw new Error(removeIp.error.message);
    expect(await check(removeIp.value, withIp.value)).toMatchObject({ ok: false, error: expect.stringContaining('"ip"') as unknown });
    const typo = buildResourceUpdate({ id: 'r', params: ['cidr_netmsk=24'], meta: [] });
    if (!typo.ok) throw new Error(typo.error.message);
    expect(await check(typo.value, withIp.value)).toMatchObject({ ok: false, error: expect.stringContaining('did you mean "cidr_netmask"') as unknown });
    // A meta change leaves the agent and its parameters alone: nothing to ask the agent.
    expect(await check({ op: 'set-resource-meta', id: 'r', name: 'target-role', value: 'Stopped' }, withIp.value)).toEqual({ ok: true, value: undefined });
  });

  it('reports every bad primitive of a batch, and leaves changes that do not apply to the DC', async () => {
    const both = { op: 'batch', changes: [create({ id: 'a', agent: 'ocf:heartbeat:Nope' }), create({ id: 'b', agent: 'lsb:nope' })] } as const;
    const checked = await check(both);
    expect(checked.ok ? '' : checked.error).toMatch(/resource 'a': .*; resource 'b': /);
    expect(await check({ op: 'delete-resource', id: 'missing' })).toEqual({ ok: true, value: undefined });
  });
});
