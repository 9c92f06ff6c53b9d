// The systemd unit starts the daemon with the node flags and environment the test bed uses
// (src/daemon/node-options.ts), so that what `bench footprint` measures is what a node runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAEMON_ENVIRONMENT, DAEMON_NODE_OPTIONS } from '../../../src/daemon/node-options.js';

const unit = readFileSync(new URL('../../../systemd/heartline.service', import.meta.url), 'utf8');

/** Every Environment= assignment of the unit, quotes removed (systemd.exec: "VAR=value with spaces"). */
function unitEnvironment(text: string): Map<string, string> {
  const assignments = new Map<string, string>();
  for (const match of text.matchAll(/^Environment=(.*)$/gm)) {
    const raw = (match[1] as string).trim();
    const assignment = raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    const equals = assignment.indexOf('=');
    assignments.set(assignment.slice(0, equals), assignment.slice(equals + 1));
  }
  return assignments;
}

describe('the daemon unit and the test bed start node alike', () => {
  const environment = unitEnvironment(unit);

  it('passes DAEMON_NODE_OPTIONS as HEARTLINE_NODE_FLAGS (NODE_OPTIONS refuses --single-threaded)', () => {
    expect(environment.get('HEARTLINE_NODE_FLAGS')?.split(/\s+/)).toEqual([...DAEMON_NODE_OPTIONS]);
    expect(environment.has('NODE_OPTIONS')).toBe(false);
  });

  it('sets DAEMON_ENVIRONMENT', () => {
    for (const [name, value] of Object.entries(DAEMON_ENVIRONMENT)) expect(environment.get(name), name).toBe(value);
  });
});
