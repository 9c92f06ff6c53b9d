// The `disk` fence driver as a hardware-profile device: the shipped shared-disk appliance builds a
// disk driver per profile, a node's level without a port fences its own slot, and a port that is
// not a slot name is refused at its line and path.
import { describe, expect, it } from 'vitest';
import { formatConfigIssue } from '../../../src/config/index.js';
import type { ToolRunner } from '../../../src/fence/index.js';
import { buildApplianceFencing, checkAppliance, loadProfileLibrary, mapSecretSource, parseProfileText, shippedProfileDirectory } from '../../../src/profiles/index.js';

const noTools: ToolRunner = { run: () => Promise.reject(new Error('no tool may run while building drivers')) };

describe('disk fence devices in hardware profiles', () => {
  it('builds the shipped shared-disk appliance: BMC first, then the fencing disk on the node\'s own slot', async () => {
    const library = await loadProfileLibrary([shippedProfileDirectory()]);
    expect(library.issues.map(formatConfigIssue)).toEqual([]);
    const appliance = library.appliances.get('generic-2node-ipmi-sbd')?.profile;
    if (appliance === undefined) throw new Error('missing');
    const built = await buildApplianceFencing(appliance, library, { runner: noTools, secrets: mapSecretSource({ 'bmc-a': 'a', 'bmc-b': 'b' }), self: 'node-a' });
    if (!built.ok) throw new Error(built.error.join('; '));
    expect([...built.value.drivers.values()].map((d) => `${d.id} ${d.kind} ${String(d.capabilities.needsPort)}`)).toEqual(['bmc-a ipmi false', 'bmc-b ipmi false', 'fencing-disk disk true']);
    expect(built.value.topology.levelsFor('node-b')).toEqual([
      { index: 1, devices: [{ device: 'bmc-b' }] },
      { index: 2, devices: [{ device: 'fencing-disk', port: 'node-b' }] },
    ]);
  });

  it('refuses a disk device that is not a device path and a port that is not a slot name', () => {
    const text = `kind: appliance
name: x
nodes:
  - { name: a, fencing: [[{ device: sbd, port: "bad name" }]] }
  - { name: b, fencing: [[{ device: sbd }]] }
links: [{ name: lan, kind: ethernet, interface: eth0 }]
fence_devices:
  - { name: sbd, driver: disk, device: /dev/sdb1 }
`;
    const parsed = parseProfileText(text, 'x.yaml');
    expect(parsed.issues).toEqual([]);
    if (parsed.document?.kind !== 'appliance') throw new Error('not an appliance');
    expect(checkAppliance(parsed.document, new Map(), new Map()).map((issue) => issue.message)).toEqual(["'bad name' is not a node's slot name on the fencing disk (leave the port out for the node's own name)"]);
    const wrong = parseProfileText(text.replace('/dev/sdb1', 'sdb1'), 'x.yaml');
    expect(wrong.issues.map((issue) => `${issue.line}: ${issue.message}`)).toEqual(["8: 'sdb1' is not a device path: write /dev/disk/by-id/... (the same disk on every node)"]);
  });
});
