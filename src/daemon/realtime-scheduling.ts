import { execFileSync } from 'node:child_process';
import type { Logger } from '../lib/index.js';

/** The default SCHED_RR priority: above every normal process, far below the kernel's own threads. */
export const DEFAULT_REALTIME_PRIORITY = 10;

/**
 * Puts every thread of this process under the real-time policy SCHED_RR, as Heartbeat's
 * `realtime on` and corosync do. Measured (docs/MEMBERSHIP.md): with both CPUs saturated by
 * ordinary processes, a worker thread's 100 ms timer fired up to 153 ms late under the normal
 * policy (and a heartbeat worker went silent past deadtime once), but at most 14 ms late under
 * SCHED_RR. Threads created later (the heartbeat worker) inherit the policy, so call this before
 * starting them. The kernel's RT throttling (sched_rt_runtime_us) still leaves 5 % of each second to
 * normal processes, so a runaway daemon cannot lock the box. Node has no sched_setscheduler, hence
 * util-linux's `chrt`. Failure (no CAP_SYS_NICE, no chrt) is not fatal: the daemon runs with
 * normal scheduling and says so.
 */
export function applyRealtimeScheduling(priority: number, logger: Logger): boolean {
  if (priority === 0) {
    logger.warn('real-time scheduling off: heartbeats may be delayed when the CPUs are saturated', { priority });
    return false;
  }
  try {
    execFileSync('chrt', ['--rr', '--all-tasks', '--pid', String(priority), String(process.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    logger.info('real-time scheduling on', { policy: 'SCHED_RR', priority });
    return true;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    logger.warn('could not switch to real-time scheduling; heartbeats may be delayed when the CPUs are saturated', { priority, error: stderr !== undefined && stderr !== '' ? stderr : (error as Error).message });
    return false;
  }
}
