// parseGroupId: the gid of a group from /etc/group text (the daemon gives its socket to haclient).
import { describe, expect, it } from 'vitest';
import { parseGroupId } from '../../../src/platform/unix-group.js';

describe('parseGroupId', () => {
  const text = 'root:x:0:\nadm:x:4:syslog\nhaclient:x:998:alice,bob\nhaclient2:x:997:\nbroken:x:notanumber:\n';
  it('finds the group by its exact name', () => {
    expect(parseGroupId(text, 'haclient')).toBe(998);
    expect(parseGroupId(text, 'root')).toBe(0);
  });
  it('is undefined for a missing group or a malformed line', () => {
    expect(parseGroupId(text, 'hacluster')).toBeUndefined();
    expect(parseGroupId(text, 'broken')).toBeUndefined();
    expect(parseGroupId('', 'haclient')).toBeUndefined();
  });
});
