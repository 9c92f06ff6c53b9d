/**
 * The LRM's side of `stonith:` resources. Pacemaker's fencer registers a fence device when the
 * cluster starts its stonith resource and checks it with the device's monitor; the daemon does the
 * same through its fencing (ProfileFencing with `fencing.cib: true`): start = the device is in use
 * here and its monitor succeeds (the device answers and takes the credentials), stop = forget it,
 * monitor = not running (7) unless started here, else the device's monitor. The fencer uses every
 * usable CIB device whether or not its resource runs on this node (as Pacemaker's does, placement
 * only says where the device is monitored).
 *
 * Every other standard goes to the agent classes (`next`).
 */
import type { ProfileFencing } from '../fence/profile-fencing.js';
import { OcfRc, type AgentOperation, type AgentRunner, type OperationResult } from '../ha/lrm/index.js';
import type { Clock, Millis } from '../lib/index.js';

export class FenceDeviceAgentRunner implements AgentRunner {
  private readonly started = new Set<string>();

  constructor(
    private readonly next: AgentRunner,
    private readonly fencing: Pick<ProfileFencing, 'monitorDevice' | 'cibProblems'>,
    private readonly clock: Clock,
  ) {}

  async run(operation: AgentOperation): Promise<OperationResult> {
    if (operation.resource.agent.standard !== 'stonith') return this.next.run(operation);
    const id = operation.resource.id;
    const begun = this.clock.now();
    const answer = (rc: OcfRc, reason?: string): OperationResult => ({ rc, status: 'done', ...(reason === undefined ? {} : { exitReason: reason }), execTimeMs: (this.clock.now() - begun) as Millis, stdout: '', stderr: '' });
    const action = operation.action;
    if (action !== 'start' && action !== 'stop' && action !== 'monitor') return { ...answer(OcfRc.ERR_UNIMPLEMENTED, `a fence device has no ${action} action`), status: 'not-supported' };
    switch (action) {
      case 'stop':
        this.started.delete(id);
        return answer(OcfRc.SUCCESS);
      case 'start':
      case 'monitor': {
        if (action === 'monitor' && !this.started.has(id)) return answer(OcfRc.NOT_RUNNING);
        const result = await this.fencing.monitorDevice(id);
        if (result === undefined) {
          this.started.delete(id);
          const problem = this.fencing.cibProblems().find((text) => text.startsWith(`resource '${id}'`));
          return { ...answer(OcfRc.ERR_CONFIGURED, problem ?? `fence device ${id} is not in use on this node`), status: 'error-hard' };
        }
        if (!result.ok) return answer(OcfRc.ERR_GENERIC, `fence device ${id}: ${result.reason}`);
        if (action === 'start') this.started.add(id);
        return answer(OcfRc.SUCCESS);
      }
    }
  }
}
