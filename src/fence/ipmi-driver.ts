/**
 * The `ipmi` fence driver: a node's BMC through `ipmitool -I lanplus` (IPMI 2.0 RMCP+), with the
 * cipher suite and privilege level of its profile, and `onoff` (verified off, then verified on; the
 * default) or `cycle` reboots.
 *
 * The password is handed over in the environment variable IPMI_PASSWORD with `-E`: the argument
 * list of a process is readable by every user in /proc, its environment only by its owner and
 * root. (`-f FILE` would work too, but needs a file on disk for the length of the call.)
 *
 * ipmitool's answers, mapped (verified against OpenIPMI's ipmi_sim and ipmitool 1.8.19, which run
 * with -v so that the reason of a failed session is printed):
 * - "Chassis Power is on|off" → the power state; anything else on a status call is a device error;
 * - "RAKP 2 HMAC is invalid" (wrong password), "unauthorized name" (unknown user),
 *   "insufficient privilege" → auth;
 * - "invalid authentication algorithm" / "no matching cipher suite" → config (the BMC refuses the
 *   cipher suite);
 * - "Get Auth Capabilities error" / "No response" / "Unable to establish" without a reason → unreachable.
 */
import { ok } from '../lib/index.js';
import type { PowerState } from './plan/index.js';
import { DEFAULT_FENCE_TIMINGS, type FenceTimings } from './fence-driver.js';
import { PowerSwitchDriver, switchFailure, type PowerSwitch, type RebootMethod, type SwitchAnswer } from './power-switch.js';
import type { ToolRunner } from './tool-runner.js';

export type IpmiPrivilege = 'callback' | 'user' | 'operator' | 'administrator';

export interface IpmiDriverOptions {
  readonly id: string;
  readonly host: string;
  /** UDP port; default 623. */
  readonly port?: number;
  readonly username: string;
  readonly password: string;
  /** RMCP+ cipher suite (`-C`). 3 (SHA1/AES) is widely supported; modern BMCs often want 17. */
  readonly cipherSuite?: number;
  readonly privilege?: IpmiPrivilege;
  readonly method?: RebootMethod;
  /** ipmitool's per-message timeout (-N, seconds) and retries (-R); defaults 1 and 2. */
  readonly messageTimeoutS?: number;
  readonly messageRetries?: number;
  readonly runner: ToolRunner;
  readonly timings?: Partial<FenceTimings>;
  /** The ipmitool program; default "ipmitool" on PATH. */
  readonly ipmitoolPath?: string;
}

export function createIpmiDriver(options: IpmiDriverOptions): PowerSwitchDriver {
  return new PowerSwitchDriver({
    id: options.id,
    kind: 'ipmi',
    needsPort: false,
    rebootMethod: options.method ?? 'onoff',
    ...(options.timings === undefined ? {} : { timings: options.timings }),
    powerSwitch: new IpmiPowerSwitch(options),
  });
}

export class IpmiPowerSwitch implements PowerSwitch {
  private readonly target: string;

  constructor(private readonly options: IpmiDriverOptions) {
    this.target = `${options.host}:${options.port ?? 623}`;
  }

  async readPower(_port: string | undefined, signal: AbortSignal): Promise<SwitchAnswer<PowerState>> {
    const answer = await this.chassisPower('status', signal);
    if (!answer.ok) return answer;
    const match = /Chassis Power is\s*(on|off)/i.exec(answer.value);
    if (match === null) return switchFailure('device-error', `the BMC at ${this.target} answered a status request with '${firstLine(answer.value)}'`);
    return ok((match[1] as string).toLowerCase() as PowerState);
  }

  async setPower(_port: string | undefined, state: PowerState, signal: AbortSignal): Promise<SwitchAnswer<void>> {
    const answer = await this.chassisPower(state, signal);
    if (!answer.ok) return answer;
    if (!/Chassis Power Control: (Down\/Off|Up\/On)/i.test(answer.value)) return switchFailure('device-error', `the BMC at ${this.target} answered power ${state} with '${firstLine(answer.value)}'`);
    return ok(undefined);
  }

  async cycle(_port: string | undefined, signal: AbortSignal): Promise<SwitchAnswer<void>> {
    const answer = await this.chassisPower('cycle', signal);
    if (!answer.ok) return answer;
    if (!/Chassis Power Control: Cycle/i.test(answer.value)) return switchFailure('device-error', `the BMC at ${this.target} answered power cycle with '${firstLine(answer.value)}'`);
    return ok(undefined);
  }

  async monitor(signal: AbortSignal): Promise<SwitchAnswer<void>> {
    const answer = await this.readPower(undefined, signal);
    return answer.ok ? ok(undefined) : answer;
  }

  /** The argument list, without any secret (exported for the tests that prove it). */
  argumentsFor(subcommand: 'status' | 'on' | 'off' | 'cycle'): string[] {
    const o = this.options;
    return [
      '-I', 'lanplus',
      '-H', o.host,
      '-p', String(o.port ?? 623),
      '-U', o.username,
      '-E',
      '-C', String(o.cipherSuite ?? 3),
      '-L', (o.privilege ?? 'administrator').toUpperCase(),
      '-N', String(o.messageTimeoutS ?? 1),
      '-R', String(o.messageRetries ?? 2),
      '-v',
      'chassis', 'power', subcommand,
    ];
  }

  private async chassisPower(subcommand: 'status' | 'on' | 'off' | 'cycle', signal: AbortSignal): Promise<SwitchAnswer<string>> {
    const timeoutMs = this.options.timings?.commandTimeoutMs ?? DEFAULT_FENCE_TIMINGS.commandTimeoutMs;
    const outcome = await this.options.runner.run({
      file: this.options.ipmitoolPath ?? 'ipmitool',
      args: this.argumentsFor(subcommand),
      env: { IPMI_PASSWORD: this.options.password },
      timeoutMs,
      signal,
    });
    if (outcome.spawnError !== undefined) {
      return switchFailure('not-installed', outcome.spawnError === 'ENOENT' ? 'ipmitool is not installed (Debian package ipmitool)' : `ipmitool cannot be started: ${outcome.spawnError}`);
    }
    if (outcome.timedOut || outcome.aborted) return switchFailure('timeout', `ipmitool chassis power ${subcommand} at ${this.target} did not finish within ${timeoutMs} ms`);
    const text = `${outcome.stdout}\n${outcome.stderr}`;
    if (outcome.exitCode === 0) return ok(outcome.stdout);
    const who = `user '${this.options.username}'`;
    if (/RAKP 2 HMAC is invalid|incorrect password|invalid password/i.test(text)) return switchFailure('auth', `the BMC at ${this.target} refused the password of ${who}`);
    if (/unauthorized name|invalid user ?name|unknown user/i.test(text)) return switchFailure('auth', `the BMC at ${this.target} does not know ${who}`);
    if (/privilege/i.test(text) && /insufficient|exceeds|not available|invalid/i.test(text)) {
      return switchFailure('auth', `the BMC at ${this.target} does not grant ${who} privilege ${(this.options.privilege ?? 'administrator').toUpperCase()}: use a user with that privilege or lower the privilege in the profile`);
    }
    if (/invalid authentication algorithm|invalid integrity algorithm|invalid confidentiality algorithm|no matching cipher suite|cipher suite/i.test(text)) {
      return switchFailure('config', `the BMC at ${this.target} refuses cipher suite ${this.options.cipherSuite ?? 3}: set the cipher suite in the profile to one it supports (3 and 17 are common)`);
    }
    if (/Get Auth Capabilities error|No response|Unable to establish|timeout/i.test(text)) {
      return switchFailure('unreachable', `no IPMI session with the BMC at ${this.target}: check its address, port, network and that IPMI over LAN is enabled`);
    }
    return switchFailure('device-error', `ipmitool chassis power ${subcommand} at ${this.target} failed (exit ${String(outcome.exitCode)}): ${lastMeaningfulLine(text)}`);
  }
}

function firstLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).find((line) => line !== '') ?? 'nothing';
}

function lastMeaningfulLine(text: string): string {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('Loading IANA'));
  return lines.at(-1) ?? 'no output';
}
