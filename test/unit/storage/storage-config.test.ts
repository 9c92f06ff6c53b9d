// heartline.yaml's `storage` section (disk fencing, quorum disk) with its defaults and messages,
// and the quorum disk's rule for a two-node split (the lease decides; with both nodes in the view,
// membership does; bigger clusters keep the majority).
import { describe, expect, it } from 'vitest';
import { formatConfigIssue, parseConfig } from '../../../src/config/index.js';
import { quorateWithQuorumDisk } from '../../../src/storage/disk-format/index.js';

const BASE = 'cluster: { name: c1, id: 7 }\nnodes:\n  - { name: alpha, id: 1 }\n  - { name: beta, id: 2 }\nlinks:\n  - name: cross\n    kind: udp-unicast\n    addresses: { alpha: 10.0.0.1, beta: 10.0.0.2 }\n';

describe('storage section', () => {
  it('reads disk fencing and the quorum disk with their defaults', () => {
    const parsed = parseConfig(`${BASE}storage:\n  disk_fencing: { device: /dev/disk/by-id/scsi-fence }\n  quorum_disk: { device: /dev/disk/by-id/scsi-fence }\n`, 'test.yaml');
    if (!parsed.ok) throw new Error(parsed.error.map(formatConfigIssue).join('\n'));
    expect(parsed.value.storage).toEqual({ diskFencing: { device: '/dev/disk/by-id/scsi-fence', watchdog: '/dev/watchdog', startMode: 'clean' }, quorumDisk: { device: '/dev/disk/by-id/scsi-fence' } });
    const full = parseConfig(`${BASE}storage:\n  disk_fencing: { device: /dev/sdb1, watchdog: /dev/watchdog1, watchdog_stand_in: '/run/t/{node}.json', start_mode: always }\n`, 'test.yaml');
    expect(full.ok && full.value.storage).toEqual({ diskFencing: { device: '/dev/sdb1', watchdog: '/dev/watchdog1', watchdogStandIn: '/run/t/{node}.json', startMode: 'always' } });
  });

  it('refuses a path that is not a device, an unknown key and an unknown start mode, on their lines', () => {
    const parsed = parseConfig(`${BASE}storage:\n  disk_fencing: { device: sdb1, start_mode: sometimes }\n  quorum_disks: { device: /dev/sdb1 }\n`, 'test.yaml');
    expect(parsed.ok).toBe(false);
    const messages = parsed.ok ? [] : parsed.error.map(formatConfigIssue);
    expect(messages.join('\n')).toMatch(/'sdb1' is not a device path/);
    expect(messages.join('\n')).toMatch(/start_mode/);
    expect(messages.join('\n')).toMatch(/quorum_disks/);
  });
});

describe('quorum disk rule', () => {
  it.each([
    // configured, members, membership quorate, holds lease -> quorate
    [2, 2, true, false, true],
    [2, 2, false, true, false],
    [2, 1, true, true, true],
    [2, 1, true, false, false],
    [2, 1, false, true, true],
    [3, 1, false, true, false],
    [3, 2, true, false, true],
  ] as const)('%i nodes, %i in the view, membership %s, lease %s: quorate %s', (configuredNodes, members, membershipQuorate, holdsLease, expected) => {
    expect(quorateWithQuorumDisk({ configuredNodes, members, membershipQuorate, holdsLease })).toBe(expected);
  });
});
