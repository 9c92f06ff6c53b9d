/**
 * Agent names as Pacemaker writes them: `ocf:PROVIDER:TYPE`, `lsb:NAME`, `heartbeat:NAME`,
 * `systemd:UNIT`. Names become file paths (`$OCF_ROOT/resource.d/PROVIDER/TYPE`, `/etc/init.d/NAME`),
 * so anything that could leave its directory is refused here, before a path is ever built. Pure.
 */
import { err, ok, type Result } from '../../lib/index.js';
import type { AgentSpec, AgentStandard } from '../lrm/operation.js';

const STANDARDS: readonly AgentStandard[] = ['ocf', 'lsb', 'heartbeat', 'systemd', 'stonith'];

/** A file name: letters, digits and . _ + - (systemd also uses @ and \ for instances and escapes). */
const NAME = /^[A-Za-z0-9_.+-]+$/;
const UNIT_NAME = /^[A-Za-z0-9_.+@:\\-]+$/;

/** Parses `ocf:heartbeat:Dummy` and friends; the error names what is wrong. */
export function parseAgentSpec(text: string): Result<AgentSpec, string> {
  const parts = text.split(':');
  const standard = parts[0] ?? '';
  if (!isStandard(standard)) {
    return err(`unknown agent class "${standard}" in "${text}": expected ocf:PROVIDER:TYPE, lsb:NAME, heartbeat:NAME, systemd:UNIT or stonith:FENCE_AGENT`);
  }
  if (standard === 'ocf') {
    if (parts.length !== 3) return err(`"${text}" is not ocf:PROVIDER:TYPE`);
    const spec: AgentSpec = { standard, provider: parts[1] ?? '', type: parts[2] ?? '' };
    const problem = agentSpecProblem(spec);
    return problem === undefined ? ok(spec) : err(problem);
  }
  // A systemd unit name may itself contain ':' (escaped paths); everything after the class is the unit.
  const type = standard === 'systemd' ? parts.slice(1).join(':') : parts.length === 2 ? (parts[1] ?? '') : '';
  if (type === '') return err(`"${text}" is not ${standard}:NAME`);
  const spec: AgentSpec = { standard, type };
  const problem = agentSpecProblem(spec);
  return problem === undefined ? ok(spec) : err(problem);
}

/** Why `spec` cannot name an agent (a name that is empty, `.`/`..`, or has a path separator), or undefined. */
export function agentSpecProblem(spec: AgentSpec): string | undefined {
  if (spec.standard === 'ocf') {
    if (spec.provider === undefined || !isFileName(spec.provider)) return `ocf provider "${spec.provider ?? ''}" is not a valid name`;
  } else if (spec.provider !== undefined) {
    return `${spec.standard} agents have no provider (got "${spec.provider}")`;
  }
  if (spec.standard === 'stonith') {
    return /^fence_[A-Za-z0-9_]+$/.test(spec.type) ? undefined : `stonith agent "${spec.type}" is not a fence-agents program: name one such as fence_ipmilan or fence_apc_snmp`;
  }
  const valid = spec.standard === 'systemd' ? UNIT_NAME.test(spec.type) && spec.type !== '.' && spec.type !== '..' : isFileName(spec.type);
  return valid ? undefined : `${spec.standard} agent name "${spec.type}" is not a valid name`;
}

export function formatAgentSpec(spec: AgentSpec): string {
  return spec.standard === 'ocf' ? `ocf:${spec.provider ?? ''}:${spec.type}` : `${spec.standard}:${spec.type}`;
}

function isStandard(text: string): text is AgentStandard {
  return (STANDARDS as readonly string[]).includes(text);
}

function isFileName(text: string): boolean {
  return NAME.test(text) && text !== '.' && text !== '..';
}
