/**
 * From the event log to the timeline the availability report reads: `resource-up|down|excluded`
 * become service-state changes; a `daemon-stop` or `daemon-start` makes every resource this node
 * knew `excluded` at that moment, because between a stop (or a crash) and the next start this
 * node saw nothing and claims nothing. After a crash the time between the last event and the
 * restart counts as the state before it (the log cannot know when the crash happened).
 */
import type { ServiceStateChange } from '../ha/availability/index.js';
import type { ClusterEvent } from './event-log.js';

export function serviceTimeline(events: readonly ClusterEvent[]): ServiceStateChange[] {
  const known = new Set<string>();
  const changes: ServiceStateChange[] = [];
  for (const event of [...events].sort((a, b) => a.atMs - b.atMs)) {
    switch (event.kind) {
      case 'resource-up':
      case 'resource-down':
      case 'resource-excluded':
        known.add(event.subject);
        changes.push({ atMs: event.atMs, resource: event.subject, state: event.kind === 'resource-up' ? 'up' : event.kind === 'resource-down' ? 'down' : 'excluded' });
        break;
      case 'daemon-start':
      case 'daemon-stop':
        for (const resource of known) changes.push({ atMs: event.atMs, resource, state: 'excluded' });
        break;
      case 'node-up':
      case 'node-down':
      case 'link-up':
      case 'link-down':
      case 'quorum-gained':
      case 'quorum-lost':
      case 'fence-ok':
      case 'fence-failed':
        // A node lost with a resource shows as that resource's own `down` change.
        break;
    }
  }
  return changes;
}
