// Goal: heartline.yaml `fencing: { cib: true }` alone gives the daemon device fencing that follows
// the CIB (no profile is loaded): described as `cib`, with no device until the CIB has one, and a
// fence without devices fails with the reason instead of hanging. Method: buildDaemonFencing on a
// parsed configuration, a CIB without stonith resources applied through applyCib.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { buildDaemonFencing } from '../../../src/daemon/daemon-fencing.js';
import { emptyCib } from '../../../src/ha/cib/index.js';
import { ChildProcessRunner } from '../../../src/ha/lrm/index.js';
import { silentLogger } from '../../../src/lib/index.js';
import { SystemClock } from '../../../src/platform/index.js';

const dir = mkdtempSync(join(tmpdir(), 'heartline-daemon-fencing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const YAML = `cluster: { name: lab, id: 1 }
nodes: [{ name: alpha, id: 1 }, { name: beta, id: 2 }]
links: [{ name: lan, kind: udp-unicast, addresses: { alpha: 10.213.1.1, beta: 10.213.1.2 } }]
fencing: { cib: true }
`;

describe('buildDaemonFencing with fencing.cib', () => {
  it('builds CIB-following fencing without a profile; with no stonith resource a fence fails with the reason', async () => {
    const config = parseConfig(YAML, 'heartline.yaml');
    if (!config.ok) throw new Error(JSON.stringify(config.error));
    const clock = new SystemClock();
    const built = await buildDaemonFencing({
      config: config.value,
      nodeName: 'alpha',
      stateDir: dir,
      processes: new ChildProcessRunner({ clock }),
      clock,
      logger: silentLogger,
      path: '/usr/bin:/bin',
      priorities: () => ({}),
      onStopSelf: () => undefined,
    });
    if (!built.ok) throw new Error(built.error.message);
    expect(built.value.description).toBe('cib');
    const devices = built.value.devices;
    if (devices === undefined) throw new Error('no CIB-following fencing');
    const cib = emptyCib();
    if (!cib.ok) throw new Error(cib.error);
    await devices.applyCib(cib.value.configuration);
    expect(devices.deviceNames()).toEqual([]);
    const result = await built.value.fencing.fence({ target: 'beta', action: 'off', reason: 'peer lost', requester: 'alpha' });
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.reason).toMatch(/no fence device can reach beta/);
    await built.value.fencing.close();
  });
});
