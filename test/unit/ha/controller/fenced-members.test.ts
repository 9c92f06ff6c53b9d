import { describe, expect, it } from 'vitest';
import { nodeId } from '../../../../src/lib/index.js';
import { FencedMembers } from '../../../../src/ha/controller/index.js';

const N1 = nodeId(1);
const N2 = nodeId(2);

describe('FencedMembers', () => {
  it('remembers a node fenced while a member, in that incarnation and after it left the view', () => {
    const fenced = new FencedMembers();
    fenced.recordFence(N2, 3);
    expect(fenced.isFenced(N2, 3)).toBe(true);
    expect(fenced.isFenced(N2, undefined)).toBe(true);
    // A view that no longer holds it changes nothing: it has not been seen alive since.
    fenced.onView(new Map([[N1, 1]]));
    expect(fenced.isFenced(N2, undefined)).toBe(true);
    expect(fenced.isFenced(N1, 1)).toBe(false);
  });

  it('forgets a node seen again with another incarnation: it restarted after its fence', () => {
    const fenced = new FencedMembers();
    fenced.recordFence(N2, 3);
    expect(fenced.isFenced(N2, 4)).toBe(false);
    fenced.onView(new Map([[N1, 1], [N2, 3]]));
    expect(fenced.isFenced(N2, 3)).toBe(true);
    fenced.onView(new Map([[N1, 1], [N2, 4]]));
    expect(fenced.isFenced(N2, 4)).toBe(false);
    expect(fenced.isFenced(N2, undefined)).toBe(false);
  });

  it('does not remember a node that was not a member when it was fenced', () => {
    const fenced = new FencedMembers();
    fenced.recordFence(N2, undefined);
    expect(fenced.isFenced(N2, undefined)).toBe(false);
  });
});
