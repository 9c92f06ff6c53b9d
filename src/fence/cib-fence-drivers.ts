/**
 * The drivers of the CIB's fence devices (`stonith:fence_*` primitives, mapped by cibFencing in
 * plan/): one fence-agent driver per device, registered through the agent's meta-data (an unknown
 * agent, a missing required parameter or an unknown one is a problem naming it). A driver whose
 * spec did not change since the last build is reused, so that a CIB change that does not touch
 * the fence devices runs no agent.
 *
 * The parameters (passwords included) go to the agent on its stdin; problems name parameters,
 * never their values.
 */
import { canonicalJson } from '../ha/cib/index.js';
import type { CibFenceDeviceSpec } from './plan/index.js';
import { registerFenceAgent } from './fence-agent-driver.js';
import type { FenceDriver, FenceTimings } from './fence-driver.js';
import type { ToolRunner } from './tool-runner.js';

export interface CibFenceDriversOptions {
  readonly runner: ToolRunner;
  /** Timings for every CIB device (pcmk_*_timeout and _retries override per device). */
  readonly timings?: Partial<FenceTimings>;
}

/** One build: the drivers that could be made and the problems of the others. */
export interface CibFenceDriverSet {
  readonly drivers: ReadonlyMap<string, FenceDriver>;
  readonly problems: readonly string[];
}

/** Builds drivers for CIB device specs, reusing the previous build's driver of an unchanged spec. */
export class CibFenceDriverBuilder {
  private built = new Map<string, { readonly key: string; readonly driver: FenceDriver }>();

  constructor(private readonly options: CibFenceDriversOptions) {}

  async build(devices: readonly CibFenceDeviceSpec[]): Promise<CibFenceDriverSet> {
    const next = new Map<string, { readonly key: string; readonly driver: FenceDriver }>();
    const problems: string[] = [];
    for (const device of devices) {
      const key = canonicalJson({ device, timings: this.options.timings ?? {} });
      const previous = this.built.get(device.id);
      if (previous !== undefined && previous.key === key) {
        next.set(device.id, previous);
        continue;
      }
      const made = await buildCibFenceDriver(device, this.options);
      if (made.ok) next.set(device.id, { key, driver: made.driver });
      else problems.push(...made.problems);
    }
    this.built = next;
    return { drivers: new Map([...next].map(([id, entry]) => [id, entry.driver])), problems };
  }
}

/** One device's driver, or its problems (each naming the resource and the parameter). */
export async function buildCibFenceDriver(device: CibFenceDeviceSpec, options: CibFenceDriversOptions): Promise<{ readonly ok: true; readonly driver: FenceDriver } | { readonly ok: false; readonly problems: readonly string[] }> {
  const at = `resource '${device.id}'`;
  const timings: Partial<FenceTimings> = {
    ...options.timings,
    ...(device.actionTimeoutMs === undefined ? {} : { actionTimeoutMs: device.actionTimeoutMs }),
    ...(device.retries === undefined ? {} : { retries: device.retries }),
  };
  const registered = await registerFenceAgent({ id: device.id, agent: device.agent, parameters: device.parameters, runner: options.runner, timings });
  if (!registered.ok) return { ok: false, problems: registered.error.map((problem) => `${at}: ${problem.replace(`device ${device.id}: `, '')}`) };
  const metadata = registered.value.metadata;
  if (device.hosts.check === 'dynamic-list' && !(metadata.actions.includes('list') && metadata.parameters.some((parameter) => parameter.name === 'plug'))) {
    return {
      ok: false,
      problems: [`${at}: ${device.agent} cannot list the nodes it fences, so pcmk_host_check=dynamic-list cannot tell them: set pcmk_host_list (or pcmk_host_map) to the node(s) it fences`],
    };
  }
  return { ok: true, driver: registered.value };
}
