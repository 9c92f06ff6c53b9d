/**
 * From an appliance profile to working fencing: one FenceDriver per fence device (with its model's
 * OIDs or BMC options, its timings, and its secrets), the FenceTopology of every node's levels,
 * and the static and priority delays, ready for a Fencer.
 *
 * Secrets come from a SecretSource, never from the profile. The production source reads
 * /etc/heartline/secrets/NAME (one secret per file; refused when group or others may read it).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Clock, type Millis, type Result } from '../lib/index.js';
import {
  createIpmiDriver,
  createSnmpPduDriver,
  FenceTopology,
  registerFenceAgent,
  type FenceDriver,
  type FenceLevelDevice,
  type FenceLevelSpec,
  type FenceTimings,
  type PduModel,
  type SnmpCredentials,
  type ToolRunner,
} from '../fence/index.js';
import { SystemClock } from '../platform/index.js';
import { createDiskFenceDriver } from '../storage/index.js';
import type { ApplianceProfile, BmcModelProfile, FenceDeviceProfile, FenceTimingsProfile, PduModelProfile } from './hardware-profile-schema.js';
import type { ProfileLibrary } from './profile-library.js';

/** Where the secrets named by a profile come from. Answers the secret or a sentence why not. */
export interface SecretSource {
  secret(name: string): Promise<Result<string, string>>;
}

/** The default folder of secret files. */
export const SECRETS_DIRECTORY = '/etc/heartline/secrets';

/** A secret a profile's fence devices name, with the device that needs it and what it is. */
export interface ApplianceSecret {
  readonly name: string;
  readonly device: string;
  /** "the IPMI password of user admin at 10.0.0.5", "the SNMP community", ... */
  readonly what: string;
}

/** Every secret the appliance's fence devices name, once each, in device order. */
export function applianceSecrets(appliance: ApplianceProfile): ApplianceSecret[] {
  const found = new Map<string, ApplianceSecret>();
  const add = (name: string | undefined, device: string, what: string): void => {
    if (name !== undefined && !found.has(name)) found.set(name, { name, device, what });
  };
  for (const device of appliance.fence_devices) {
    switch (device.driver) {
      case 'ipmi':
        add(device.password_secret, device.name, `the IPMI password of user ${device.username} on the BMC at ${device.address}`);
        break;
      case 'snmp-pdu':
        if (device.snmp.version === '3') {
          add(device.snmp.auth_secret, device.name, `the SNMPv3 authentication passphrase of ${device.snmp.username} on the PDU at ${device.address}`);
          add(device.snmp.priv_secret, device.name, `the SNMPv3 privacy passphrase of ${device.snmp.username} on the PDU at ${device.address}`);
        } else {
          add(device.snmp.community_secret, device.name, `the SNMP write community of the PDU at ${device.address}`);
        }
        break;
      case 'fence-agent':
        for (const [parameter, name] of Object.entries(device.secret_parameters ?? {})) add(name, device.name, `the ${parameter} of ${device.agent}`);
        break;
      case 'disk':
        // The fencing disk needs no secret: access to the shared disk is the credential.
        break;
    }
  }
  return [...found.values()];
}

/** Reads DIRECTORY/NAME; refuses a file that group or others can read; strips one trailing newline. */
export function fileSecretSource(directory: string = SECRETS_DIRECTORY): SecretSource {
  return {
    async secret(name) {
      const path = join(directory, name);
      try {
        const info = await stat(path);
        if ((info.mode & 0o077) !== 0) return err(`secret file ${path} may be read by group or others: chmod 600 ${path}`);
        return ok((await readFile(path, 'utf8')).replace(/\r?\n$/, ''));
      } catch {
        return err(`secret '${name}' is missing: write it to ${path} (mode 600)`);
      }
    },
  };
}

/** A fixed map of secrets (tests, or a caller that has them already). */
export function mapSecretSource(secrets: Readonly<Record<string, string>>): SecretSource {
  return {
    secret(name) {
      const value = secrets[name];
      return Promise.resolve(value === undefined ? err(`secret '${name}' is not provided`) : ok(value));
    },
  };
}

export interface ApplianceFencing {
  readonly drivers: ReadonlyMap<string, FenceDriver>;
  readonly topology: FenceTopology;
  readonly levels: readonly FenceLevelSpec[];
  readonly staticDelayMs: Readonly<Record<string, Millis>>;
  readonly priorityDelayMs?: Millis;
}

export interface ApplianceFencingOptions {
  readonly secrets: SecretSource;
  readonly runner: ToolRunner;
  /** Overrides of a device's address and port, by device name (tests point devices at simulators). */
  readonly addressOverrides?: Readonly<Record<string, { readonly address?: string; readonly port?: number }>>;
  /** This node's name: the sender a `disk` device writes into a pill. Default `fencer`. */
  readonly self?: string;
  /** The clock a `disk` device waits msgwait on. Default the system clock. */
  readonly clock?: Clock;
}

/** The PduModel the snmp-pdu driver uses, from a pdu-model profile. */
export function pduModelOf(profile: PduModelProfile): PduModel {
  return {
    name: profile.name,
    ...(profile.description === undefined ? {} : { description: profile.description }),
    ...(profile.sys_object_id === undefined ? {} : { sysObjectId: profile.sys_object_id }),
    status: { oid: profile.status.oid, on: profile.status.on, off: profile.status.off },
    control: { oid: profile.control.oid, on: profile.control.on, off: profile.control.off },
    ...(profile.names === undefined ? {} : { names: { oid: profile.names.oid } }),
    ...(profile.fabric === undefined ? {} : { fabric: profile.fabric }),
  };
}

export function timingsOf(profile: FenceTimingsProfile | undefined): Partial<FenceTimings> {
  if (profile === undefined) return {};
  return {
    ...(profile.action_timeout === undefined ? {} : { actionTimeoutMs: profile.action_timeout }),
    ...(profile.command_timeout === undefined ? {} : { commandTimeoutMs: profile.command_timeout }),
    ...(profile.power_timeout === undefined ? {} : { powerTimeoutMs: profile.power_timeout }),
    ...(profile.status_interval === undefined ? {} : { statusIntervalMs: profile.status_interval }),
    ...(profile.retries === undefined ? {} : { retries: profile.retries }),
  };
}

/** Every fence level of the appliance, as the topology takes them. A `disk` entry without a port fences the node's own slot. */
export function applianceLevels(appliance: ApplianceProfile): FenceLevelSpec[] {
  const diskDevices = new Set(appliance.fence_devices.filter((device) => device.driver === 'disk').map((device) => device.name));
  return appliance.nodes.flatMap((node) =>
    node.fencing.map((level, index): FenceLevelSpec => ({
      index: index + 1,
      target: { kind: 'node', node: node.name },
      devices: level.map((entry): FenceLevelDevice => {
        const port = entry.port ?? (diskDevices.has(entry.device) ? node.name : undefined);
        return { device: entry.device, ...(port === undefined ? {} : { port }) };
      }),
    })),
  );
}

/** Builds the drivers (resolving secrets, reading fence agents' meta-data), topology and delays. Every problem is reported. */
export async function buildApplianceFencing(appliance: ApplianceProfile, library: Pick<ProfileLibrary, 'pduModels' | 'bmcModels'>, options: ApplianceFencingOptions): Promise<Result<ApplianceFencing, string[]>> {
  const problems: string[] = [];
  const drivers = new Map<string, FenceDriver>();
  for (const device of appliance.fence_devices) {
    const built = await buildDriver(device, library, options);
    if (built.ok) drivers.set(device.name, built.value);
    else problems.push(...built.error.map((problem) => `fence device ${device.name}: ${problem}`));
  }
  const levels = applianceLevels(appliance);
  const topology = FenceTopology.create(levels);
  if (!topology.ok) problems.push(...topology.error);
  if (problems.length > 0 || !topology.ok) return err(problems);
  const staticDelayMs: Record<string, Millis> = {};
  for (const node of appliance.nodes) if (node.fence_delay !== undefined && node.fence_delay > 0) staticDelayMs[node.name] = node.fence_delay;
  const priorityDelay = appliance.fencing_options?.priority_delay;
  return ok({ drivers, topology: topology.value, levels, staticDelayMs, ...(priorityDelay === undefined || priorityDelay === 0 ? {} : { priorityDelayMs: priorityDelay }) });
}

async function buildDriver(device: FenceDeviceProfile, library: Pick<ProfileLibrary, 'pduModels' | 'bmcModels'>, options: ApplianceFencingOptions): Promise<Result<FenceDriver, string[]>> {
  const override = options.addressOverrides?.[device.name];
  const timings = device.driver === 'disk' ? {} : timingsOf(device.timings);
  switch (device.driver) {
    case 'snmp-pdu': {
      const model = library.pduModels.get(device.model)?.profile;
      if (model === undefined) return err([`no pdu-model named '${device.model}'`]);
      const credentials = await snmpCredentials(device.snmp, options.secrets);
      if (!credentials.ok) return err([credentials.error]);
      const port = override?.port ?? device.port;
      return ok(createSnmpPduDriver({ id: device.name, model: pduModelOf(model), host: override?.address ?? device.address, ...(port === undefined ? {} : { port }), credentials: credentials.value, runner: options.runner, timings }));
    }
    case 'ipmi': {
      const model: BmcModelProfile | undefined = library.bmcModels.get(device.model)?.profile;
      if (model === undefined) return err([`no bmc-model named '${device.model}'`]);
      const password = await options.secrets.secret(device.password_secret);
      if (!password.ok) return err([password.error]);
      const ipmi = { ...model.ipmi, ...device.ipmi };
      const port = override?.port ?? ipmi.port;
      return ok(
        createIpmiDriver({
          id: device.name,
          host: override?.address ?? device.address,
          ...(port === undefined ? {} : { port }),
          username: device.username,
          password: password.value,
          ...(ipmi.cipher_suite === undefined ? {} : { cipherSuite: ipmi.cipher_suite }),
          ...(ipmi.privilege === undefined ? {} : { privilege: ipmi.privilege }),
          ...(ipmi.method === undefined ? {} : { method: ipmi.method }),
          runner: options.runner,
          timings,
        }),
      );
    }
    case 'fence-agent': {
      const parameters: Record<string, string> = { ...device.parameters };
      for (const [parameter, secretName] of Object.entries(device.secret_parameters ?? {})) {
        const secret = await options.secrets.secret(secretName);
        if (!secret.ok) return err([secret.error]);
        parameters[parameter] = secret.value;
      }
      if (override?.address !== undefined) parameters['ip'] = override.address;
      if (override?.port !== undefined) parameters['ipport'] = String(override.port);
      return registerFenceAgent({ id: device.name, agent: device.agent, parameters, runner: options.runner, timings });
    }
    case 'disk':
      return ok(createDiskFenceDriver({ id: device.name, device: device.device, sender: options.self ?? 'fencer', clock: options.clock ?? new SystemClock() }));
  }
}

async function snmpCredentials(snmp: Extract<FenceDeviceProfile, { driver: 'snmp-pdu' }>['snmp'], secrets: SecretSource): Promise<Result<SnmpCredentials, string>> {
  if (snmp.version !== '3') {
    const community = await secrets.secret(snmp.community_secret);
    return community.ok ? ok({ version: snmp.version, community: community.value }) : community;
  }
  const auth = snmp.auth_secret === undefined ? undefined : await secrets.secret(snmp.auth_secret);
  if (auth !== undefined && !auth.ok) return auth;
  const priv = snmp.priv_secret === undefined ? undefined : await secrets.secret(snmp.priv_secret);
  if (priv !== undefined && !priv.ok) return priv;
  return ok({
    version: '3',
    username: snmp.username,
    securityLevel: snmp.security_level,
    ...(snmp.auth_protocol === undefined ? {} : { authProtocol: snmp.auth_protocol }),
    ...(auth === undefined ? {} : { authPassword: auth.value }),
    ...(snmp.priv_protocol === undefined ? {} : { privProtocol: snmp.priv_protocol }),
    ...(priv === undefined ? {} : { privPassword: priv.value }),
  });
}
