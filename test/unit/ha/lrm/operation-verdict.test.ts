// Goal: judgeOperation's table: which rc counts as success for which request, and what each
// result says about the resource's state. Method: one row per case, covering probes, recurring
// monitors by role, stops answering "not running", and executions that did not complete.
import { describe, expect, it } from 'vitest';
import { OcfRc, expectedRc, isProbe, judgeOperation, type OperationStatus, type VerdictRequest } from '../../../../src/ha/lrm/index.js';
import type { OcfRc as Rc } from '../../../../src/ha/lrm/index.js';

interface Row {
  readonly name: string;
  readonly request: VerdictRequest;
  readonly rc: Rc;
  readonly status?: OperationStatus;
  readonly ok: boolean;
  readonly observed: string;
}

const probe: VerdictRequest = { action: 'monitor', intervalMs: 0 };
const monitor: VerdictRequest = { action: 'monitor', intervalMs: 10_000 };
const promotedMonitor: VerdictRequest = { action: 'monitor', intervalMs: 10_000, role: 'Promoted' };

const rows: readonly Row[] = [
  { name: 'probe finds it running', request: probe, rc: OcfRc.SUCCESS, ok: true, observed: 'started' },
  { name: 'probe finds it stopped', request: probe, rc: OcfRc.NOT_RUNNING, ok: true, observed: 'stopped' },
  { name: 'probe finds it promoted', request: probe, rc: OcfRc.RUNNING_PROMOTED, ok: true, observed: 'promoted' },
  { name: 'probe finds it failed', request: probe, rc: OcfRc.ERR_GENERIC, ok: false, observed: 'failed' },
  { name: 'probe: agent not installed here', request: probe, rc: OcfRc.ERR_INSTALLED, status: 'not-installed', ok: false, observed: 'not-installed' },
  { name: 'probe: agent says not installed', request: probe, rc: OcfRc.ERR_INSTALLED, ok: false, observed: 'not-installed' },
  { name: 'monitor running', request: monitor, rc: OcfRc.SUCCESS, ok: true, observed: 'started' },
  { name: 'monitor finds it stopped: a failure', request: monitor, rc: OcfRc.NOT_RUNNING, ok: false, observed: 'stopped' },
  { name: 'monitor finds it promoted when it should not be', request: monitor, rc: OcfRc.RUNNING_PROMOTED, ok: false, observed: 'promoted' },
  { name: 'Promoted monitor running promoted', request: promotedMonitor, rc: OcfRc.RUNNING_PROMOTED, ok: true, observed: 'promoted' },
  { name: 'Promoted monitor finds it only started', request: promotedMonitor, rc: OcfRc.SUCCESS, ok: false, observed: 'started' },
  { name: 'Promoted monitor: failed promoted', request: promotedMonitor, rc: OcfRc.FAILED_PROMOTED, ok: false, observed: 'failed-promoted' },
  { name: 'monitor timed out', request: monitor, rc: OcfRc.ERR_GENERIC, status: 'timeout', ok: false, observed: 'unknown' },
  { name: 'start ok', request: { action: 'start', intervalMs: 0 }, rc: OcfRc.SUCCESS, ok: true, observed: 'started' },
  { name: 'start fails', request: { action: 'start', intervalMs: 0 }, rc: OcfRc.ERR_CONFIGURED, ok: false, observed: 'failed' },
  { name: 'start answering not running is a failure', request: { action: 'start', intervalMs: 0 }, rc: OcfRc.NOT_RUNNING, ok: false, observed: 'failed' },
  { name: 'stop ok', request: { action: 'stop', intervalMs: 0 }, rc: OcfRc.SUCCESS, ok: true, observed: 'stopped' },
  { name: 'stop answering not running reached its goal', request: { action: 'stop', intervalMs: 0 }, rc: OcfRc.NOT_RUNNING, ok: true, observed: 'stopped' },
  { name: 'stop fails (fencing follows)', request: { action: 'stop', intervalMs: 0 }, rc: OcfRc.ERR_GENERIC, ok: false, observed: 'failed' },
  { name: 'stop timed out', request: { action: 'stop', intervalMs: 0 }, rc: OcfRc.ERR_GENERIC, status: 'timeout', ok: false, observed: 'unknown' },
  { name: 'promote ok', request: { action: 'promote', intervalMs: 0 }, rc: OcfRc.SUCCESS, ok: true, observed: 'promoted' },
  { name: 'demote ok', request: { action: 'demote', intervalMs: 0 }, rc: OcfRc.SUCCESS, ok: true, observed: 'started' },
  { name: 'notify tells nothing about the state', request: { action: 'notify', intervalMs: 0 }, rc: OcfRc.SUCCESS, ok: true, observed: 'unchanged' },
  { name: 'unsupported action', request: { action: 'promote', intervalMs: 0 }, rc: OcfRc.ERR_UNIMPLEMENTED, status: 'not-supported', ok: false, observed: 'unknown' },
];

describe('judgeOperation', () => {
  it.each(rows)('$name', (row) => {
    const verdict = judgeOperation(row.request, { rc: row.rc, status: row.status ?? 'done' });
    expect({ ok: verdict.ok, observed: verdict.observed }).toEqual({ ok: row.ok, observed: row.observed });
  });

  it('expects 7 of a probe (as Pacemaker records it), 8 of a Promoted monitor, 0 otherwise', () => {
    expect(expectedRc(probe)).toBe(OcfRc.NOT_RUNNING);
    expect(expectedRc(promotedMonitor)).toBe(OcfRc.RUNNING_PROMOTED);
    expect(expectedRc(monitor)).toBe(OcfRc.SUCCESS);
    expect(expectedRc({ action: 'stop', intervalMs: 0 })).toBe(OcfRc.SUCCESS);
    expect(isProbe(probe)).toBe(true);
    expect(isProbe(monitor)).toBe(false);
    expect(isProbe({ action: 'start', intervalMs: 0 })).toBe(false);
  });
});
