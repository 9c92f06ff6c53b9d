/**
 * The agent check of a CIB change, run by the daemon on the node where the change is asked (before
 * it goes to the DC): every primitive the change adds, or whose agent or parameters it changes,
 * must name an agent installed on this node, and for OCF agents its parameters must suit the
 * agent's meta-data (every required one given, no unknown one, values of the declared type).
 * Primitives the change leaves as they were are not checked again, so a rollback or an import
 * is not refused for an agent that is missing here but was accepted before. A `stonith:` primitive
 * is a fence device: its fence agent must be installed, its parameters must suit the agent's
 * meta-data (required ones given under their new or old name, no unknown one), and its pcmk_*
 * parameters must read as the fencer reads them (cibFencing in src/fence/plan).
 *
 * The change is first applied (applyCibChange, pure) to this node's CIB to see its result; when it
 * does not apply, there is nothing to check here: the DC refuses it with applyCibChange's message.
 */
import { ok, err, type Result } from '../../lib/index.js';
import { applyCibChange, canonicalJson, listPrimitives, resolveNvSets, type Cib, type CibChange, type Primitive } from '../cib/index.js';
import { cibFenceDevice, checkFenceAgentParameters, type FenceAgentMetadata } from '../../fence/index.js';
import type { AgentSpec } from '../lrm/index.js';
import type { AgentMetadata } from './agent-metadata.js';
import { formatAgentSpec } from './agent-spec.js';
import { heartbeatArguments } from './heartbeat-agent-class.js';
import { checkParameters } from './parameter-check.js';

/** What the check asks about agents; AgentClassRunner is the production one. */
export interface AgentInspector {
  /** The installed agent's path, or a sentence naming the agent and where it looked. */
  locate(agent: AgentSpec): Promise<Result<string, string>>;
  /** The agent's meta-data (OCF: what `meta-data` prints). */
  metadata(agent: AgentSpec): Promise<Result<AgentMetadata, string>>;
  /** A fence agent's meta-data (`fence_x -o metadata`); absent: stonith resources are not checked here. */
  fenceAgentMetadata?(agent: string): Promise<Result<FenceAgentMetadata, string>>;
}

/**
 * Ok when every primitive `change` adds or alters in `cib` passes the agent checks; otherwise the
 * problems, each naming the resource, the agent and the parameter (several joined by "; ").
 * Never rejects: an agent that cannot describe itself is a problem, not an exception.
 */
export async function checkChangeAgainstAgents(change: CibChange, cib: Cib, agents: AgentInspector): Promise<Result<void, string>> {
  const applied = applyCibChange(cib, change, { now: 0, origin: 'agent-check', user: 'agent-check' });
  if (!applied.ok || applied.value.configuration === cib.configuration) return ok(undefined);
  const before = new Map(listPrimitives(cib.configuration.resources).map(({ primitive }) => [primitive.id, primitive]));
  const problems: string[] = [];
  for (const { primitive } of listPrimitives(applied.value.configuration.resources)) {
    const previous = before.get(primitive.id);
    if (previous !== undefined && sameAgentAndParameters(previous, primitive)) continue;
    problems.push(...(await primitiveProblems(primitive, agents)));
  }
  return problems.length === 0 ? ok(undefined) : err(problems.join('; '));
}

function sameAgentAndParameters(a: Primitive, b: Primitive): boolean {
  return a.class === b.class && a.provider === b.provider && a.type === b.type && canonicalJson(a.instanceAttributes) === canonicalJson(b.instanceAttributes);
}

/** Every parameter of the primitive, from all its sets: a set guarded by a rule still configures the agent somewhere. */
function parametersOf(primitive: Primitive): Record<string, string> {
  return Object.fromEntries(resolveNvSets(primitive.instanceAttributes, { ruleMatches: () => true }));
}

async function primitiveProblems(primitive: Primitive, agents: AgentInspector): Promise<string[]> {
  const at = `resource '${primitive.id}'`;
  if (primitive.class === 'stonith') return fenceDeviceProblems(primitive, agents);
  if (primitive.class !== 'ocf' && primitive.class !== 'lsb' && primitive.class !== 'heartbeat' && primitive.class !== 'systemd') {
    return [`${at}: Heartline runs ocf, lsb, heartbeat and systemd agents, not ${primitive.class}:${primitive.type}${primitive.class === 'service' ? ` (write lsb:${primitive.type} or systemd:${primitive.type})` : ''}`];
  }
  const agent: AgentSpec = primitive.class === 'ocf' ? { standard: 'ocf', provider: primitive.provider ?? '', type: primitive.type } : { standard: primitive.class, type: primitive.type };
  const name = formatAgentSpec(agent);
  const located = await agents.locate(agent);
  if (!located.ok) return [`${at}: ${located.error}`];
  const params = parametersOf(primitive);
  switch (agent.standard) {
    case 'ocf': {
      const metadata = await agents.metadata(agent);
      if (!metadata.ok) return [`${at}: ${metadata.error}`];
      return checkParameters(metadata.value, params, name, { unknownParameters: 'error' })
        .filter((p) => p.severity === 'error')
        .map((p) => `${at}: ${p.message}`);
    }
    case 'heartbeat': {
      const args = heartbeatArguments(params);
      return args.ok ? [] : [`${at}: ${args.error}`];
    }
    case 'lsb':
    case 'systemd': {
      const names = Object.keys(params);
      return names.length === 0 ? [] : [`${at}: ${name} takes no parameters (${agent.standard} agents are called with start, stop and status only); remove ${names.map((n) => `"${n}"`).join(', ')}`];
    }
    case 'stonith':
      return []; // handled above
  }
}

/** A fence device's problems: its pcmk_* parameters, its agent, and its parameters against the agent's meta-data. */
async function fenceDeviceProblems(primitive: Primitive, agents: AgentInspector): Promise<string[]> {
  const at = `resource '${primitive.id}'`;
  const mapped = cibFenceDevice(primitive);
  if (mapped.problems.length > 0) return [...mapped.problems];
  // A disabled device is checked all the same: it is meant to be enabled later.
  const device = mapped.device ?? cibFenceDevice({ ...primitive, metaAttributes: [] }).device;
  if (device === undefined || agents.fenceAgentMetadata === undefined) return [];
  const metadata = await agents.fenceAgentMetadata(device.agent);
  if (!metadata.ok) return [`${at}: ${metadata.error}`];
  return checkFenceAgentParameters(metadata.value, device.parameters).map((problem) => `${at}: ${problem}`);
}
