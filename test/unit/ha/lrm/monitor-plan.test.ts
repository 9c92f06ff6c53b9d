// Goal: the pure rules of recurring monitors: the role after each action, the monitors of each
// role, and the "report the first result and then changes only" rule.
import { describe, expect, it } from 'vitest';
import type { Millis } from '../../../../src/lib/index.js';
import { OcfRc, monitorsInRole, roleAfter, shouldReportRecurring, type MonitorSpec } from '../../../../src/ha/lrm/index.js';

const ms = (n: number): Millis => n as Millis;
const ok = { ok: true, expectedRc: OcfRc.SUCCESS, observed: 'started' } as const;
const failed = { ok: false, expectedRc: OcfRc.SUCCESS, observed: 'failed' } as const;

describe('roleAfter', () => {
  it('follows the successful role-changing actions and nothing else', () => {
    expect(roleAfter('start', ok)).toBe('Started');
    expect(roleAfter('migrate_from', ok)).toBe('Started');
    expect(roleAfter('promote', ok)).toBe('Promoted');
    expect(roleAfter('demote', ok)).toBe('Unpromoted');
    expect(roleAfter('stop', ok)).toBe('Stopped');
    expect(roleAfter('monitor', ok)).toBeUndefined();
    expect(roleAfter('notify', ok)).toBeUndefined();
    expect(roleAfter('start', failed)).toBeUndefined();
    expect(roleAfter('stop', failed)).toBeUndefined();
  });
});

describe('monitorsInRole', () => {
  const plain: MonitorSpec = { intervalMs: ms(10_000), timeoutMs: ms(20_000) };
  const started: MonitorSpec = { intervalMs: ms(12_000), timeoutMs: ms(20_000), role: 'Started' };
  const unpromoted: MonitorSpec = { intervalMs: ms(11_000), timeoutMs: ms(20_000), role: 'Unpromoted' };
  const promoted: MonitorSpec = { intervalMs: ms(9_000), timeoutMs: ms(20_000), role: 'Promoted' };
  const probeLike: MonitorSpec = { intervalMs: ms(0), timeoutMs: ms(20_000) };
  const all = [plain, started, unpromoted, promoted, probeLike];

  it('runs none when stopped, the Promoted ones when promoted, the others when running', () => {
    expect(monitorsInRole('Stopped', all)).toEqual([]);
    expect(monitorsInRole('Promoted', all)).toEqual([promoted]);
    expect(monitorsInRole('Started', all)).toEqual([plain, started, unpromoted]);
    expect(monitorsInRole('Unpromoted', all)).toEqual([plain, started, unpromoted]);
  });
});

describe('shouldReportRecurring', () => {
  it('reports the first result and every change of rc or status, and nothing else', () => {
    const running = { rc: OcfRc.SUCCESS, status: 'done' } as const;
    expect(shouldReportRecurring(undefined, running)).toBe(true);
    expect(shouldReportRecurring(running, running)).toBe(false);
    expect(shouldReportRecurring(running, { rc: OcfRc.NOT_RUNNING, status: 'done' })).toBe(true);
    expect(shouldReportRecurring({ rc: OcfRc.NOT_RUNNING, status: 'done' }, { rc: OcfRc.NOT_RUNNING, status: 'done' })).toBe(false);
    expect(shouldReportRecurring({ rc: OcfRc.ERR_GENERIC, status: 'done' }, { rc: OcfRc.ERR_GENERIC, status: 'timeout' })).toBe(true);
  });
});
