/**
 * The cluster status screen: nodes, DC, quorum, links per peer, resources and failures, from the
 * same `status` and `links` reports `heartline status` and `heartline links` print, shortened to
 * fit 80 columns. Pure.
 */
import type { ClusterStatusReport } from '../../daemon/index.js';
import type { LinksReport } from '../cluster-gateway.js';
import type { Screen } from '../screen-layout.js';
import type { Style } from '../terminal-style.js';
import { BACK } from './common-choices.js';

/** "cluster web (2/2 nodes online), this node a, DC a, quorum yes": the second row of every screen. */
export function statusContext(report: ClusterStatusReport): string {
  const online = report.nodes.filter((n) => n.state === 'online').length;
  return `cluster ${report.cluster.name}, this node ${report.self.name}, DC ${report.dc?.name ?? 'none'}, quorum ${report.quorum.quorate ? 'yes' : 'NO'}, ${online}/${report.nodes.length} nodes online`;
}

export function nodeStateWord(state: string, style: Style): string {
  if (state === 'online') return style.ok(state);
  if (state === 'unclean' || state === 'offline') return style.bad(state.toUpperCase());
  return style.warn(state);
}

/** Where a resource of the report runs, in words: "Started on a", "FAILED on b", "Stopped (disabled)". */
export function resourcePlacement(resource: ClusterStatusReport['resources'][number], style: Style): string {
  if (resource.active.length === 0) {
    const disabled = resource.targetRole !== null && resource.targetRole.toLowerCase() === 'stopped';
    return style.warn(`Stopped${disabled ? ' (disabled)' : ''}`);
  }
  const where = resource.active.map((a) => (a.failed ? style.bad(`FAILED on ${a.node}`) : `${a.role} on ${a.node}`)).join(', ');
  return `${where}${resource.active.length > 1 ? style.bad(' (ACTIVE ON SEVERAL NODES)') : ''}${resource.managed ? '' : ' (unmanaged)'}`;
}

/** The failure lines of a report: failed operations, then fail counts; empty when there is none. */
export function failureLines(report: ClusterStatusReport): string[] {
  return [
    ...report.failures.failedOperations.map((f) => `${f.resource} ${f.operation}${f.interval > 0 ? ` (every ${f.interval / 1000} s)` : ''} on ${f.node}: rc ${f.rc}${f.exitReason === null ? '' : ` '${f.exitReason}'`}${f.lastRcChange === null ? '' : ` at ${shortTime(f.lastRcChange * 1000)}`}`),
    ...report.failures.failCounts.map((f) => `${f.resource} on ${f.node}: ${f.operation} fail-count ${f.count}`),
  ];
}

/** "2026-11-28 17:41:54Z". */
export function shortTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function linkLines(links: LinksReport, style: Style): string[] {
  const byPeer = new Map<string, string[]>();
  for (const p of links.peers) {
    const state = p.state === 'up' ? style.ok('up') : style.bad(p.state.toUpperCase());
    const rtt = p.rttMs === null ? '' : `, rtt ${p.rttMs.toFixed(1)} ms`;
    byPeer.set(p.peerName, [...(byPeer.get(p.peerName) ?? []), `${p.link} ${state} (loss ${p.lossPercent.toFixed(1)}%${rtt})`]);
  }
  return [...byPeer].map(([peer, rows]) => `  ${peer}: ${rows.join('; ')}`);
}

export function statusScreen(report: ClusterStatusReport, links: LinksReport | undefined, style: Style): Screen {
  const body: string[] = [];
  const quorum = report.quorum.quorate ? style.ok(`yes (${report.quorum.votes} of ${report.quorum.expectedVotes} votes)`) : style.bad(`NO (${report.quorum.reason ?? 'no reason given'})`);
  body.push(`DC: ${report.dc?.name ?? style.bad('none')}   Quorum: ${quorum}   CIB ${report.cib.version}`);
  body.push(`Fencing: ${report.fencing.configured ? (report.fencing.method ?? 'configured') : style.warn('NOT CONFIGURED (a lost node is not fenced)')}`);
  for (const f of report.fencing.inProgress) body.push(`  fencing ${f.target} now (${f.action}), asked by ${f.requester}`);
  body.push('Nodes:');
  for (const n of report.nodes) body.push(`  ${n.name.padEnd(16)} ${nodeStateWord(n.state, style)}${n.dc ? ' (DC)' : ''}${n.name === report.self.name ? ' (this node)' : ''}`);
  body.push('Links:');
  if (links === undefined) body.push('  (the daemon did not report its links)');
  else if (links.peers.length === 0) body.push('  no peer');
  else body.push(...linkLines(links, style));
  body.push('Resources:');
  if (report.resources.length === 0) body.push('  none configured');
  for (const r of report.resources) body.push(`  ${r.id.padEnd(16)} ${resourcePlacement(r, style)}`);
  const failures = failureLines(report);
  body.push(`Failures:${failures.length === 0 ? ' none' : ''}`);
  body.push(...failures.map((f) => `  ${style.bad(f)}`));
  return { title: 'cluster status', context: statusContext(report), body, choices: [{ key: 'r', label: 'Refresh' }, BACK] };
}
