/**
 * The `fence-agent` driver: any fence-agents program (`fence_ipmilan`, `fence_apc_snmp`, ...)
 * through its stdin protocol. Every call runs the agent without arguments and writes
 * `key=value` lines to its stdin (action, the device's parameters, the target's plug), so that
 * passwords and communities never appear in a process listing.
 *
 * Registration (`registerFenceAgent`) runs `AGENT -o metadata` once, refuses a device whose
 * required parameters are missing or unknown, and learns whether the agent takes a plug.
 *
 * Exit codes (fencing.py): 0 success (status: on), 2 status off, 1 every failure; the reason is
 * the agent's last "ERROR:" or "Failed:" line. Off and on are verified by a status call after the
 * agent's own sequence (PowerSwitchDriver), and a reboot is off then on, because an agent's
 * reboot reports success even when its power-on half failed.
 */
import { err, ok, type Result } from '../lib/index.js';
import type { DevicePort, PowerState } from './plan/index.js';
import { DEFAULT_FENCE_TIMINGS, type FenceTimings } from './fence-driver.js';
import { checkFenceAgentParameters, parseFenceAgentMetadata, type FenceAgentMetadata } from './fence-agent-metadata.js';
import { PowerSwitchDriver, switchFailure, type PowerSwitch, type SwitchAnswer } from './power-switch.js';
import type { ToolOutcome, ToolRunner } from './tool-runner.js';

export interface FenceAgentDriverOptions {
  readonly id: string;
  /** The agent program: a name looked up in /usr/sbin and PATH, or an absolute path. */
  readonly agent: string;
  /** The device's parameters as the agent names them (ip, ipport, username, password, community, lanplus, cipher, ...). */
  readonly parameters: Readonly<Record<string, string>>;
  readonly runner: ToolRunner;
  readonly timings?: Partial<FenceTimings>;
}

/** Runs `AGENT -o metadata` and parses it; the error says what to install or what went wrong. */
export async function readFenceAgentMetadata(agent: string, runner: ToolRunner, timeoutMs: number = DEFAULT_FENCE_TIMINGS.commandTimeoutMs): Promise<Result<FenceAgentMetadata, string>> {
  const file = agentFile(agent);
  const outcome = await runner.run({ file, args: ['-o', 'metadata'], env: AGENT_ENV, timeoutMs });
  if (outcome.spawnError !== undefined) return err(outcome.spawnError === 'ENOENT' ? `fence agent ${file} is not installed (Debian package fence-agents)` : `fence agent ${file} cannot be started: ${outcome.spawnError}`);
  if (outcome.exitCode !== 0) return err(`${file} -o metadata failed (exit ${String(outcome.exitCode)}): ${agentReason(outcome)}`);
  const metadata = parseFenceAgentMetadata(outcome.stdout);
  return metadata.ok ? metadata : err(`${file}: ${metadata.error}`);
}

/** Reads the agent's meta-data and checks the parameters; the driver, or every problem in one sentence each. */
export async function registerFenceAgent(options: FenceAgentDriverOptions): Promise<Result<PowerSwitchDriver & { readonly metadata: FenceAgentMetadata }, string[]>> {
  const file = agentFile(options.agent);
  const metadata = await readFenceAgentMetadata(options.agent, options.runner, options.timings?.commandTimeoutMs);
  if (!metadata.ok) return err([metadata.error]);
  const problems = checkFenceAgentParameters(metadata.value, options.parameters);
  if (problems.length > 0) return err(problems.map((problem) => `device ${options.id}: ${problem}`));
  const takesPlug = metadata.value.parameters.some((parameter) => parameter.name === 'plug');
  const needsPort = metadata.value.parameters.some((parameter) => parameter.name === 'plug' && parameter.required);
  const driver = new PowerSwitchDriver({
    id: options.id,
    kind: 'fence-agent',
    needsPort,
    rebootSupported: metadata.value.actions.includes('reboot'),
    ...(options.timings === undefined ? {} : { timings: options.timings }),
    powerSwitch: new FenceAgentSwitch(options, file, takesPlug && metadata.value.actions.includes('list')),
  });
  return ok(Object.assign(driver, { metadata: metadata.value }));
}

const AGENT_ENV: Readonly<Record<string, string>> = { PYTHONWARNINGS: 'ignore' };

function agentFile(agent: string): string {
  if (agent.includes('/')) return agent;
  return `/usr/sbin/${agent}`;
}

export class FenceAgentSwitch implements PowerSwitch {
  readonly listPorts: ((signal: AbortSignal) => Promise<SwitchAnswer<DevicePort[]>>) | undefined;
  /** Ports seen in the agent's list; refreshed when a port is missing from it. */
  private knownPorts: ReadonlySet<string> | undefined;

  constructor(
    private readonly options: FenceAgentDriverOptions,
    private readonly file: string,
    canList: boolean,
  ) {
    this.listPorts = canList ? (signal) => this.list(signal) : undefined;
  }

  async readPower(port: string | undefined, signal: AbortSignal): Promise<SwitchAnswer<PowerState>> {
    const known = await this.checkPortExists(port, signal);
    if (!known.ok) return known;
    const outcome = await this.call('status', port, signal);
    if (!outcome.ok) return outcome;
    if (outcome.value.exitCode === 0) return ok('on');
    if (outcome.value.exitCode === 2) return ok('off');
    return this.failure('status', port, outcome.value);
  }

  async setPower(port: string | undefined, state: PowerState, signal: AbortSignal): Promise<SwitchAnswer<void>> {
    const known = await this.checkPortExists(port, signal);
    if (!known.ok) return known;
    const outcome = await this.call(state, port, signal);
    if (!outcome.ok) return outcome;
    return outcome.value.exitCode === 0 ? ok(undefined) : this.failure(state, port, outcome.value);
  }

  async monitor(signal: AbortSignal): Promise<SwitchAnswer<void>> {
    const outcome = await this.call('monitor', undefined, signal);
    if (!outcome.ok) return outcome;
    return outcome.value.exitCode === 0 ? ok(undefined) : this.failure('monitor', undefined, outcome.value);
  }

  /**
   * Some agents read a plug that does not exist as "off" (fence_apc_snmp over SNMPv2c gets "No Such
   * Instance", which is not its on-value): fencing would then "succeed" while the node runs on.
   * When the agent can list its plugs, a plug must appear in the list before it is believed.
   */
  private async checkPortExists(port: string | undefined, signal: AbortSignal): Promise<SwitchAnswer<void>> {
    if (port === undefined || this.listPorts === undefined) return ok(undefined);
    const matches = (ports: ReadonlySet<string>): boolean => ports.has(port);
    if (this.knownPorts !== undefined && matches(this.knownPorts)) return ok(undefined);
    const listed = await this.list(signal);
    if (!listed.ok) return listed;
    this.knownPorts = new Set(listed.value.flatMap((entry) => (entry.name === undefined ? [entry.port] : [entry.port, entry.name])));
    if (matches(this.knownPorts)) return ok(undefined);
    return switchFailure('unknown-target', `${this.file} lists no plug '${port}' (plugs: ${listed.value.map((entry) => entry.port).join(', ') || 'none'})`);
  }

  private async list(signal: AbortSignal): Promise<SwitchAnswer<DevicePort[]>> {
    const outcome = await this.call('list', undefined, signal);
    if (!outcome.ok) return outcome;
    if (outcome.value.exitCode !== 0) return this.failure('list', undefined, outcome.value);
    const ports = outcome.value.stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !/^(NOTICE|Success|Status)/.test(line))
      .map((line): DevicePort => {
        const [port = '', name] = line.split(',');
        return { port, ...(name === undefined || name === '' ? {} : { name }) };
      });
    return ok(ports);
  }

  /** The stdin the agent gets for `action` (exported for the tests that prove the protocol). */
  stdinFor(action: string, port: string | undefined): string {
    const lines = [`action=${action}`];
    for (const [key, value] of Object.entries(this.options.parameters)) lines.push(`${key}=${value.replace(/\n/g, ' ')}`);
    if (port !== undefined) lines.push(`plug=${port}`);
    return `${lines.join('\n')}\n`;
  }

  private async call(action: string, port: string | undefined, signal: AbortSignal): Promise<SwitchAnswer<ToolOutcome>> {
    const timeoutMs = this.options.timings?.commandTimeoutMs ?? DEFAULT_FENCE_TIMINGS.commandTimeoutMs;
    const outcome = await this.options.runner.run({ file: this.file, args: [], env: AGENT_ENV, stdin: this.stdinFor(action, port), timeoutMs, signal });
    if (outcome.spawnError !== undefined) return switchFailure('not-installed', `fence agent ${this.file} cannot be started: ${outcome.spawnError}`);
    if (outcome.timedOut || outcome.aborted) return switchFailure('timeout', `${this.file} action=${action} did not finish within ${timeoutMs} ms`);
    return ok(outcome);
  }

  private failure(action: string, port: string | undefined, outcome: ToolOutcome): SwitchAnswer<never> {
    const reason = agentReason(outcome);
    const what = `${this.file} action=${action}${port === undefined ? '' : ` plug=${port}`} failed: ${reason}`;
    if (/Unable to connect|Connection timed out|Timed out|No route|Connection refused|Unable to establish/i.test(reason)) return switchFailure('unreachable', what);
    if (/login|password|authenticat|credential|RAKP/i.test(reason)) return switchFailure('auth', what);
    if (/plug|port|outlet/i.test(reason) && /not (available|exist|found)|unknown|invalid/i.test(reason)) return switchFailure('unknown-target', what);
    if (/Timed out waiting/i.test(reason)) return switchFailure('not-verified', what);
    return switchFailure('device-error', what);
  }
}

/** The agent's own words: its last "ERROR:"/"Failed:" line, else the last line of stderr or stdout. */
function agentReason(outcome: ToolOutcome): string {
  const lines = `${outcome.stderr}\n${outcome.stdout}`
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/DeprecationWarning|import pipes|^\s*$/.test(line));
  const marked = lines.filter((line) => /ERROR:|Failed:|error:/i.test(line)).at(-1);
  const chosen = marked ?? lines.at(-1) ?? `exit code ${String(outcome.exitCode)}, no output`;
  return chosen.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ /, '');
}
