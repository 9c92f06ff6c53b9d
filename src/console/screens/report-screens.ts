/**
 * The read-only reports: link health (the `links` request), recent events (the event log, as
 * `heartline events`) and the availability report (as `heartline availability`), each shortened
 * to 80 columns: one line per link, per event, two per resource. Pure.
 */
import type { LoggedEvent } from '../../events/index.js';
import type { AvailabilityFigures, LinksReport } from '../cluster-gateway.js';
import type { Screen } from '../screen-layout.js';
import type { Style } from '../terminal-style.js';
import { BACK } from './common-choices.js';
import { shortTime } from './status-screen.js';

const REFRESH = { key: 'r', label: 'Refresh' } as const;

function ago(ms: number | null): string {
  if (ms === null) return 'never';
  if (ms < 1000) return `${Math.round(ms)} ms ago`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s ago`;
  return `${Math.round(ms / 60_000)} min ago`;
}

export function linksScreen(links: LinksReport, context: string | undefined, style: Style): Screen {
  const body = ['PEER        LINK        STATE  HEARD         LOSS    RTT'];
  for (const p of links.peers) {
    const state = (p.state === 'up' ? style.ok : style.bad)(p.state.padEnd(5));
    body.push(`${p.peerName.slice(0, 11).padEnd(12)}${p.link.slice(0, 11).padEnd(12)}${state}  ${ago(p.lastHeardAgoMs).padEnd(12)}  ${`${p.lossPercent.toFixed(1)}%`.padEnd(6)}  ${p.rttMs === null ? '-' : `${p.rttMs.toFixed(1)} ms`}`);
  }
  if (links.peers.length === 0) body.push('no peer configured');
  body.push('', 'This node:');
  for (const l of links.local) body.push(`  ${l.name} (${l.kind}): ${l.openError !== null ? style.bad(`failed to open: ${l.openError}`) : l.state.state === 'up' ? style.ok('up') : style.bad(`down: ${l.state.reason}`)}`);
  const drops = Object.entries(links.frames.dropped).filter(([, count]) => count > 0);
  body.push(`Frames: ${links.frames.accepted} accepted; dropped: ${drops.length === 0 ? 'none' : drops.map(([reason, count]) => `${reason} ${count}`).join(', ')}`);
  body.push('A peer stays alive while any one of its links is up.');
  return { title: 'link health', ...(context === undefined ? {} : { context }), body, choices: [REFRESH, BACK] };
}

function eventDetail(event: LoggedEvent): string {
  const parts = [event.node === undefined ? '' : `on ${event.node}`, event.detail === undefined ? '' : Object.entries(event.detail).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')];
  return parts.filter((p) => p !== '').join(' ');
}

export function eventsScreen(events: readonly LoggedEvent[], file: string, context: string | undefined, style: Style): Screen {
  const body = events.length === 0 ? [`No events recorded in ${file}.`] : events.map((e) => {
    const kind = /down|lost|failed/.test(e.kind) ? style.bad(e.kind) : e.kind;
    return `${shortTime(e.atMs).slice(5)} ${kind} ${e.subject}${eventDetail(e) === '' ? '' : ` ${eventDetail(e)}`}`;
  });
  return { title: `recent events (newest first, ${events.length})`, ...(context === undefined ? {} : { context }), body, choices: [REFRESH, BACK] };
}

/** A duration for people: 850 ms, 12.3 s, 4 min 5 s, 3 h 20 min, 2 d 4 h. */
export type SpanFormat = (ms: number) => string;

export function availabilityScreen(figures: AvailabilityFigures, span: SpanFormat, context: string | undefined, style: Style): Screen {
  const body = [`Window ${shortTime(figures.fromMs)} .. ${shortTime(figures.toMs)} (${span(figures.toMs - figures.fromMs)}), ${figures.events} events.`];
  if (figures.resources.length === 0) body.push('No resource recorded in the event log yet.');
  for (const r of figures.resources) {
    const availability = r.availability === null ? 'n/a' : `${(r.availability * 100).toFixed(4)} %`;
    const nines = r.availability === null ? '' : r.nines === null ? ' (no downtime)' : ` (${r.nines.toFixed(2)} nines)`;
    body.push(`${r.resource}${r.downNow ? style.bad(' DOWN NOW') : ''}: availability ${availability}${nines}`);
    body.push(`  ${r.outages} outage(s), down ${span(r.downtimeMs)}, MTTR ${r.mttrMs === null ? '-' : span(r.mttrMs)}, MTTF ${r.mttfMs === null ? '-' : span(r.mttfMs)}, ${r.downtimePerYearMs === null ? '' : `${span(r.downtimePerYearMs)}/year at this rate`}`);
  }
  body.push('', 'Availability = MTTF / (MTTF + MTTR); disabled or unmanaged time does not count.');
  return { title: 'availability report', ...(context === undefined ? {} : { context }), body, choices: [REFRESH, BACK] };
}
