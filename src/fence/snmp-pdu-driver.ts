/**
 * The `snmp-pdu` fence driver: a switched PDU (or a network switch's port, for fabric fencing)
 * driven over SNMP v1, v2c or v3 through net-snmp's tools, with the OIDs and values of its device
 * model (PduModel). Off, on and reboot follow PowerSwitchDriver's verified sequences; the driver
 * never writes a PDU's own delayed or reboot commands, whose completion it could not observe.
 *
 * Ports are outlet numbers ("3"), switch:outlet ("2:3") for daisy-chained models, or an outlet's
 * name as the device reports it ("node-a"), looked up in the model's name column.
 */
import { ok } from '../lib/index.js';
import type { DevicePort, PowerState } from './plan/index.js';
import { expandOid, formatPduPort, matchOid, parsePduPort, templateUsesSwitch, walkRoot, type PduModel, type PduPort } from './pdu-model.js';
import { PowerSwitchDriver, switchFailure, type PowerSwitch, type SwitchAnswer } from './power-switch.js';
import { DEFAULT_FENCE_TIMINGS, type FenceTimings } from './fence-driver.js';
import { SnmpClient, type SnmpCredentials } from './snmp-client.js';
import type { ToolRunner } from './tool-runner.js';

/** sysObjectID.0 */
export const SYS_OBJECT_ID_OID = '.1.3.6.1.2.1.1.2.0';

export interface SnmpPduDriverOptions {
  readonly id: string;
  readonly model: PduModel;
  readonly host: string;
  readonly port?: number;
  readonly credentials: SnmpCredentials;
  readonly runner: ToolRunner;
  readonly timings?: Partial<FenceTimings>;
  readonly requestTimeoutS?: number;
  readonly requestRetries?: number;
  readonly scratchDirectory?: string;
}

export function createSnmpPduDriver(options: SnmpPduDriverOptions): PowerSwitchDriver {
  return new PowerSwitchDriver({
    id: options.id,
    kind: 'snmp-pdu',
    needsPort: true,
    rebootSupported: options.model.fabric !== true,
    ...(options.timings === undefined ? {} : { timings: options.timings }),
    powerSwitch: new SnmpPduSwitch(options),
  });
}

export class SnmpPduSwitch implements PowerSwitch {
  private readonly client: SnmpClient;
  private readonly model: PduModel;
  private readonly usesSwitch: boolean;

  constructor(options: SnmpPduDriverOptions) {
    this.model = options.model;
    this.usesSwitch = templateUsesSwitch(options.model.status.oid) || templateUsesSwitch(options.model.control.oid);
    this.client = new SnmpClient({
      host: options.host,
      ...(options.port === undefined ? {} : { port: options.port }),
      credentials: options.credentials,
      runner: options.runner,
      commandTimeoutMs: options.timings?.commandTimeoutMs ?? DEFAULT_FENCE_TIMINGS.commandTimeoutMs,
      ...(options.requestTimeoutS === undefined ? {} : { requestTimeoutS: options.requestTimeoutS }),
      ...(options.requestRetries === undefined ? {} : { requestRetries: options.requestRetries }),
      ...(options.scratchDirectory === undefined ? {} : { scratchDirectory: options.scratchDirectory }),
    });
  }

  async readPower(port: string | undefined, signal: AbortSignal): Promise<SwitchAnswer<PowerState>> {
    const resolved = await this.resolvePort(port, signal);
    if (!resolved.ok) return resolved;
    const oid = expandOid(this.model.status.oid, resolved.value);
    if (!oid.ok) return switchFailure('config', oid.error);
    const answer = await this.client.get(oid.value, signal);
    if (!answer.ok) return namingOutlet(answer, port);
    return this.powerOf(answer.value.value, port ?? '', oid.value);
  }

  async setPower(port: string | undefined, state: PowerState, signal: AbortSignal): Promise<SwitchAnswer<void>> {
    const resolved = await this.resolvePort(port, signal);
    if (!resolved.ok) return resolved;
    const oid = expandOid(this.model.control.oid, resolved.value);
    if (!oid.ok) return switchFailure('config', oid.error);
    return namingOutlet(await this.client.setInteger(oid.value, state === 'on' ? this.model.control.on : this.model.control.off, signal), port);
  }

  async listPorts(signal: AbortSignal): Promise<SwitchAnswer<DevicePort[]>> {
    const states = await this.client.walk(walkRoot(this.model.status.oid), signal);
    if (!states.ok) return states;
    const names = new Map<string, string>();
    if (this.model.names !== undefined) {
      const walked = await this.client.walk(walkRoot(this.model.names.oid), signal);
      if (!walked.ok) return walked;
      for (const varbind of walked.value) {
        const port = matchOid(this.model.names.oid, varbind.oid);
        if (port !== undefined) names.set(formatPduPort(port, this.usesSwitch), varbind.value);
      }
    }
    const ports: DevicePort[] = [];
    for (const varbind of states.value) {
      const port = matchOid(this.model.status.oid, varbind.oid);
      if (port === undefined) continue;
      const key = formatPduPort(port, this.usesSwitch);
      const power = this.powerOf(varbind.value, key, varbind.oid);
      const name = names.get(key);
      ports.push({ port: key, ...(name === undefined ? {} : { name }), ...(power.ok ? { power: power.value } : {}) });
    }
    if (ports.length === 0) return switchFailure('config', `the device lists no outlets under ${walkRoot(this.model.status.oid)}: is it a ${this.model.name}?`);
    return ok(ports);
  }

  async monitor(signal: AbortSignal): Promise<SwitchAnswer<void>> {
    const answer = await this.client.get(SYS_OBJECT_ID_OID, signal);
    if (!answer.ok) return answer;
    const expected = this.model.sysObjectId;
    if (expected !== undefined && normalizeOid(answer.value.value) !== normalizeOid(expected)) {
      return switchFailure('config', `${this.client.target} identifies as sysObjectID ${answer.value.value}, but model ${this.model.name} expects ${expected}: check the device model in the profile`);
    }
    return ok(undefined);
  }

  private powerOf(text: string, port: string, oid: string): SwitchAnswer<PowerState> {
    const value = Number(text);
    if (Number.isInteger(value) && this.model.status.on.includes(value)) return ok('on');
    if (Number.isInteger(value) && this.model.status.off.includes(value)) return ok('off');
    return switchFailure('device-error', `outlet ${port} (${oid}) reads '${text}', which model ${this.model.name} maps neither to on (${this.model.status.on.join('/')}) nor to off (${this.model.status.off.join('/')})`);
  }

  private async resolvePort(port: string | undefined, signal: AbortSignal): Promise<SwitchAnswer<PduPort>> {
    if (port === undefined) return switchFailure('config', 'no outlet given');
    const parsed = parsePduPort(port);
    if (parsed.ok) return parsed;
    if (this.model.names === undefined) return switchFailure('config', `${parsed.error} (model ${this.model.name} has no name column to look '${port}' up in)`);
    const walked = await this.client.walk(walkRoot(this.model.names.oid), signal);
    if (!walked.ok) return walked;
    const found = walked.value.find((varbind) => varbind.value === port);
    const match = found === undefined ? undefined : matchOid(this.model.names.oid, found.oid);
    if (match === undefined) return switchFailure('unknown-target', `no outlet is named '${port}' on ${this.client.target} (names: ${walked.value.map((v) => v.value).join(', ') || 'none'})`);
    return ok(match);
  }
}

/** An unknown-object failure says which outlet the person asked for, not only the wire OID. */
function namingOutlet<T>(answer: SwitchAnswer<T>, port: string | undefined): SwitchAnswer<T> {
  if (answer.ok || answer.error.code !== 'unknown-target' || port === undefined) return answer;
  return switchFailure('unknown-target', `outlet ${port}: ${answer.error.reason}`);
}

function normalizeOid(oid: string): string {
  return oid.trim().replace(/^\.?/, '.');
}
