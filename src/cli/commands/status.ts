import type { Command } from 'commander';
import type { ClusterStatusReport } from '../../daemon/index.js';
import { printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';
import { askDaemon, socketOptionDefault } from './daemon-client.js';

export function registerStatusCommand(program: Command, terminal: Terminal): void {
  withJsonOption(
    program
      .command('status')
      .summary('show the cluster: nodes, DC, quorum, resources and failures (like crm_mon -1)')
      .description(
        "Show the cluster as this node's daemon sees it, once: every node with its state (online, standby, " +
          'shutting-down, pending, offline, unclean), the DC, quorum, the CIB version, every resource with the node it ' +
          'runs on and its role, the failures (fail counts and failed operations) and the last transition. Resource ' +
          'placement is read from the CIB with the policy engine\'s own rules.',
      )
      .option('-s, --socket <path>', 'the daemon control socket', socketOptionDefault),
  )
    .addHelpText('after', '\nExamples:\n  heartline status\n  heartline status --json | jq \'.resources[] | {id, active}\'\n')
    .action(async (options: JsonOption & { socket: string }) => {
      const report = (await askDaemon(options.socket, 'status')) as ClusterStatusReport;
      printResult(terminal, options, report, () => renderStatus(report));
    });
}

export function renderStatus(r: ClusterStatusReport): string {
  const lines: string[] = [];
  lines.push('Cluster Summary:');
  lines.push(`  * Cluster: ${r.cluster.name} (id ${r.cluster.id}); this node: ${r.self.name}`);
  lines.push(`  * Current DC: ${r.dc === null ? 'NONE' : r.dc.name} - partition ${r.quorum.quorate ? 'with' : 'WITHOUT'} quorum${r.quorum.quorate ? '' : ` (${r.quorum.reason ?? 'no reason given'})`}`);
  const joining = r.dc !== null && r.dc.name === r.self.name && !r.cib.authoritative;
  lines.push(`  * CIB version: ${r.cib.version}${joining ? ' (the DC is still collecting the members\' CIBs)' : ''}${r.cib.lastWritten === null ? '' : `; last written ${r.cib.lastWritten}${r.cib.updateOrigin === null ? '' : ` by ${r.cib.updateUser ?? '?'} on ${r.cib.updateOrigin}`}`}`);
  const configured = r.resources.filter((x) => x.state !== 'orphaned').length;
  lines.push(`  * ${r.nodes.length} node${r.nodes.length === 1 ? '' : 's'} configured; ${configured} resource instance${configured === 1 ? '' : 's'} configured`);
  lines.push(`  * Fencing: ${r.fencing.configured ? `${r.fencing.method ?? ''}${r.fencing.stonithEnabled ? '' : ' (stonith-enabled=false in the CIB)'}` : 'NOT CONFIGURED (stonith-enabled=false semantics: a lost node is not fenced)'}`);
  for (const f of r.fencing.inProgress) lines.push(`    fencing ${f.target} (${f.action}) since ${new Date(f.startedAtMs).toISOString()}, asked by ${f.requester}`);
  for (const problem of r.fencing.deviceProblems) lines.push(`    fence device not usable: ${problem}`);
  lines.push('');
  lines.push('Node List:');
  const byState = new Map<string, string[]>();
  for (const n of r.nodes) byState.set(n.state, [...(byState.get(n.state) ?? []), n.name + (n.dc ? ' (DC)' : '')]);
  const labels: Record<string, string> = { online: 'Online', standby: 'Node standby', maintenance: 'Node maintenance', 'shutting-down': 'Shutting down', pending: 'Pending', offline: 'OFFLINE', unclean: 'UNCLEAN (offline)' };
  for (const [state, names] of byState) lines.push(`  * ${labels[state] ?? state}: [ ${names.join(' ')} ]`);
  for (const n of r.nodes) {
    if (n.state === 'unclean' && 'reason' in n) lines.push(`    ${n.name}: ${String(n.reason)}`);
    if ('fenceFailure' in n && n.fenceFailure !== undefined) lines.push(`    ${n.name}: FENCE FAILED (${n.fenceFailure.by}, ${new Date(n.fenceFailure.atMs).toISOString()}): ${n.fenceFailure.reason}`);
  }
  lines.push('');
  lines.push('Full List of Resources:');
  if (r.resources.length === 0) lines.push('  * No resources');
  for (const res of r.resources) {
    const agent = res.agent === null ? '' : ` (${res.agent})`;
    const unmanaged = res.managed ? '' : ' (unmanaged)';
    const disabled = res.targetRole !== null && res.targetRole.toLowerCase() === 'stopped' ? ' (disabled)' : '';
    if (res.active.length === 0) lines.push(`  * ${res.id}\t${agent}:\t Stopped${disabled}${unmanaged}`);
    const orphaned = res.state === 'orphaned' ? 'ORPHANED ' : '';
    for (const a of res.active) lines.push(`  * ${res.id}\t${agent}:\t ${orphaned}${a.failed ? 'FAILED' : a.role} ${a.node}${res.active.length > 1 && orphaned === '' ? ' (multiply active)' : ''}${unmanaged}`);
    if ('orphan' in res && res.orphan !== undefined) lines.push(`      ${res.orphan}`);
    if ('waitingForFence' in res && res.waitingForFence !== undefined) lines.push(`      ${res.waitingForFence}`);
  }
  const recent = r.fencing.recent.slice(-5);
  if (recent.length > 0) {
    lines.push('');
    lines.push('Fencing History (recent, as this node heard it):');
    for (const f of recent) lines.push(`  * ${f.action} of ${f.target} by ${f.by}: ${f.ok ? (f.confirmed === true ? 'confirmed by a person' : `done (${f.detail})`) : `FAILED: ${f.detail}`} at ${new Date(f.atMs).toISOString()}`);
  }
  if (r.failures.failCounts.length > 0 || r.failures.failedOperations.length > 0) {
    lines.push('');
    lines.push('Failed Resource Actions:');
    for (const f of r.failures.failedOperations) {
      lines.push(`  * ${f.resource}_${f.operation}_${f.interval} on ${f.node} returned ${f.rc} (op-status ${f.opStatus})${f.exitReason === null ? '' : ` '${f.exitReason}'`}${f.lastRcChange === null ? '' : ` at ${new Date(f.lastRcChange * 1000).toISOString()}`}`);
    }
    lines.push('');
    lines.push('Migration Summary:');
    for (const f of r.failures.failCounts) lines.push(`  * Node ${f.node}: ${f.resource}: ${f.operation} fail-count=${f.count}`);
  }
  if (r.lastTransition !== null) {
    const t = r.lastTransition;
    lines.push('');
    lines.push(`Last transition with actions: ${t.graphId} (${t.actions} action${t.actions === 1 ? '' : 's'}) ${t.status}${t.reason === null ? '' : `: ${t.reason}`}`);
    for (const s of t.summary) lines.push(`  ${s.trim()}`);
  }
  return lines.join('\n');
}
