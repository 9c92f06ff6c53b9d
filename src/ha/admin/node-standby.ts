/**
 * `heartline node standby|online NODE`: the permanent node attribute `standby` (Pacemaker's
 * crm_standby --lifetime forever). A node in standby runs no resources: the cluster moves them
 * away; online removes the attribute. Permanent, so a standby node stays so across restarts. Pure.
 */
import type { CibChange } from '../cib/index.js';

export function buildNodeStandby(node: string, standby: boolean): CibChange {
  return standby ? { op: 'set-node-attribute', node, name: 'standby', value: 'on', lifetime: 'permanent' } : { op: 'set-node-attribute', node, name: 'standby', lifetime: 'permanent' };
}
