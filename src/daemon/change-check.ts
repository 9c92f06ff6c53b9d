/**
 * The check a CIB change passes on the node where it is asked, before it is sent to the DC: what
 * applyCibChange cannot know because it needs this node (the agents' meta-data: an unknown agent,
 * a missing required parameter; checkChangeAgainstAgents in src/ha/agents is the daemon's default).
 * A refusal is a message naming the field; the change is then not submitted, and the CIB version
 * does not move.
 */
import type { Result } from '../lib/index.js';
import type { CibChange } from '../ha/cib/index.js';

export type ChangeCheck = (change: CibChange) => Promise<Result<void, string>>;
