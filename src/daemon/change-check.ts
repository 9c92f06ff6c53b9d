/**
 * The check a CIB change passes on the node where it is asked, before it is sent to the DC: what
 * applyCibChange cannot know because it needs this node (the agents' meta-data: an unknown agent,
 * a missing required parameter). A refusal is a message naming the field; the change is then not
 * submitted, and the CIB version does not move.
 */
import { ok, type Result } from '../lib/index.js';
import type { CibChange } from '../ha/cib/index.js';

export type ChangeCheck = (change: CibChange) => Promise<Result<void, string>>;

// TODO(src/ha/admin): the admin layer fills this in with the agents' meta-data checks
// (AgentClassRunner.checkResource for put-resource and set-resource-param).
export const acceptEveryChange: ChangeCheck = () => Promise.resolve(ok(undefined));
