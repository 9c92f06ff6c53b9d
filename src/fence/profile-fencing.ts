/**
 * ProfileFencing: NodeFencing over fence devices: those of a hardware profile's appliance, those
 * of the CIB (`stonith:fence_*` resources and the fencing-topology), or both. It builds the Fencer
 * (the devices of every node per level, the snmp-pdu, ipmi and fence-agent drivers, secrets from
 * the secrets folder, static and priority delays), answers `fence()` with the Fencer's outcome,
 * records every outcome in the FenceHistory, and reaches one device directly for `heartline
 * fence-device status|test` (`runDevice`).
 *
 * CIB devices follow the CIB: `applyCib(configuration)` maps it (cibFencing, pure), builds the
 * drivers of devices that changed (their agents' meta-data is read once per change), merges them
 * with the profile's (mergeFencing) and reconfigures the Fencer. Updates run one at a time, and a
 * fence waits for the update under way, so a device created a moment ago is used. What cannot be
 * used is logged (names only, never a parameter's value) and kept for `cibProblems()`.
 *
 * This file joins src/fence and src/profiles (profiles build fence drivers), so it is imported by
 * its path, not through src/fence/index.ts, which src/profiles imports.
 */
import type { Clock, Logger, Result } from '../lib/index.js';
import { err, ok } from '../lib/index.js';
import { canonicalJson, type Configuration } from '../ha/cib/index.js';
import { buildApplianceFencing, fileSecretSource, SECRETS_DIRECTORY, type ApplianceFencing, type ApplianceFencingOptions, type ApplianceProfile, type ProfileLibrary, type SecretSource } from '../profiles/index.js';
import { CibFenceDriverBuilder } from './cib-fence-drivers.js';
import { FenceHistory, type FenceHistoryRecord } from './fence-history.js';
import { Fencer } from './fencer.js';
import type { FenceDriver, FenceTimings } from './fence-driver.js';
import type { NodeFenceRequest, NodeFenceResult, NodeFencing } from './node-fencing.js';
import { cibFencing, FenceTopology, mergeFencing, type CibFencing, type DeviceResult, type FenceAction, type FenceOutcome, type FenceRequest } from './plan/index.js';
import { ChildToolRunner, type ToolRunner } from './tool-runner.js';

/** Why ProfileFencing could not be built; `message` says what to do, `problems` lists each one. */
export interface ProfileFencingError {
  readonly kind: 'unknown-appliance' | 'unknown-node' | 'devices' | 'history';
  readonly message: string;
  readonly problems: readonly string[];
}

export interface ProfileFencingOptions {
  readonly library: Pick<ProfileLibrary, 'appliances' | 'pduModels' | 'bmcModels'>;
  /** The appliance model's name; absent: no profile devices (the CIB's only). */
  readonly appliance?: string;
  /** This node's name; it must be a node of the appliance. */
  readonly self: string;
  /**
   * Use the CIB's fence devices too (call `applyCib` with each configuration). `nodes` are the
   * cluster's node names (levels and host lists are resolved against them).
   */
  readonly cib?: { readonly nodes: readonly string[]; readonly timings?: Partial<FenceTimings> };
  /** Where the secrets named by the profile are (one file per secret, mode 600). Default /etc/heartline/secrets. */
  readonly secretsDir?: string;
  /** The fence history file (created when missing; its folder must exist). */
  readonly historyPath: string;
  readonly historyRows?: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Instead of secretsDir (tests, or a caller that holds the secrets). */
  readonly secrets?: SecretSource;
  readonly runner?: ToolRunner;
  /** Device address and port overrides by device name (tests point devices at simulators). */
  readonly addressOverrides?: ApplianceFencingOptions['addressOverrides'];
  /** Total resource priority per node now, for the priority fence delay (the cluster's view). */
  readonly priorities?: () => Readonly<Record<string, number>>;
  /** Every outcome, for the cluster to tell the other members. */
  readonly onOutcome?: (request: FenceRequest, outcome: FenceOutcome) => void;
  /** This node learned that it was fenced: stop everything. */
  readonly onStopSelf?: (reason: string) => void;
}

/** The appliance of `name` in the library, or an error listing the known ones. */
export function findAppliance(library: Pick<ProfileLibrary, 'appliances'>, name: string): Result<ApplianceProfile, ProfileFencingError> {
  const found = library.appliances.get(name)?.profile;
  if (found !== undefined) return ok(found);
  const known = [...library.appliances.keys()].sort().join(', ') || 'none';
  return err({ kind: 'unknown-appliance', message: `no valid appliance profile named '${name}' (known: ${known}); check the name, or run \`heartline profile validate\``, problems: [] });
}

const NO_PROFILE: ApplianceFencing = { drivers: new Map(), topology: FenceTopology.empty(), levels: [], staticDelayMs: {} };

export async function createProfileFencing(options: ProfileFencingOptions): Promise<Result<ProfileFencing, ProfileFencingError>> {
  let base = NO_PROFILE;
  if (options.appliance !== undefined) {
    const appliance = findAppliance(options.library, options.appliance);
    if (!appliance.ok) return appliance;
    const nodes = appliance.value.nodes.map((node) => node.name);
    if (!nodes.includes(options.self)) {
      return err({ kind: 'unknown-node', message: `node '${options.self}' is not a node of appliance '${options.appliance}' (its nodes: ${nodes.join(', ')}); use the node names of the profile`, problems: [] });
    }
    const secretsDir = options.secretsDir ?? SECRETS_DIRECTORY;
    const built = await buildApplianceFencing(appliance.value, options.library, {
      secrets: options.secrets ?? fileSecretSource(secretsDir),
      runner: options.runner ?? new ChildToolRunner(),
      ...(options.addressOverrides === undefined ? {} : { addressOverrides: options.addressOverrides }),
      // A disk device writes this node's name into a pill and waits msgwait on the daemon's clock.
      self: options.self,
      clock: options.clock,
    });
    if (!built.ok) {
      return err({ kind: 'devices', message: `the fence devices of appliance '${options.appliance}' cannot be used: ${built.error.join('; ')}`, problems: built.error });
    }
    base = built.value;
  }
  const history = FenceHistory.open(options.historyPath, options.historyRows === undefined ? {} : { rowLimit: options.historyRows });
  if (!history.ok) return err({ kind: 'history', message: history.error.message, problems: [history.error.message] });
  const fencing = base;
  return ok(
    new ProfileFencing(
      (onOutcome) =>
        new Fencer({
          self: options.self,
          topology: fencing.topology,
          drivers: fencing.drivers,
          staticDelayMs: fencing.staticDelayMs,
          ...(fencing.priorityDelayMs === undefined ? {} : { priorityDelayMs: fencing.priorityDelayMs }),
          clock: options.clock,
          logger: options.logger,
          onOutcome,
          ...(options.onStopSelf === undefined ? {} : { onStopSelf: options.onStopSelf }),
        }),
      fencing,
      history.value,
      options,
    ),
  );
}

interface Pending {
  readonly request: NodeFenceRequest;
  readonly startedAtMs: number;
  readonly resolve: (result: NodeFenceResult) => void;
}

export class ProfileFencing implements NodeFencing {
  private readonly fencer: Fencer;
  private readonly log: Logger;
  private readonly pending = new Set<Pending>();
  private closed = false;
  private readonly cibDrivers: CibFenceDriverBuilder | undefined;
  /** The CIB update under way (fences wait for it); resolved when idle. */
  private updating: Promise<void> = Promise.resolve();
  private updatesInFlight = 0;
  private lastCibKey: Configuration | undefined;
  private cibState: { readonly key: string; readonly fencing: CibFencing; readonly problems: readonly string[] } | undefined;

  /** Use createProfileFencing. */
  constructor(
    makeFencer: (onOutcome: (request: FenceRequest, outcome: FenceOutcome) => void) => Fencer,
    private readonly base: ApplianceFencing,
    private readonly history: FenceHistory,
    private readonly options: Pick<ProfileFencingOptions, 'clock' | 'logger' | 'priorities' | 'onOutcome' | 'appliance' | 'cib' | 'runner'>,
  ) {
    this.log = options.logger.child('fence');
    this.fencer = makeFencer((request, outcome) => options.onOutcome?.(request, outcome));
    this.cibDrivers = options.cib === undefined ? undefined : new CibFenceDriverBuilder({ runner: options.runner ?? new ChildToolRunner(), ...(options.cib.timings === undefined ? {} : { timings: options.cib.timings }) });
  }

  /** The devices this node can drive, by name. */
  deviceNames(): readonly string[] {
    return this.fencer.deviceNames();
  }

  /**
   * Takes the CIB's fence devices and levels from `configuration` (no-op without the `cib` option,
   * or when the configuration object is the one applied last). Resolves when the Fencer uses them.
   */
  applyCib(configuration: Configuration): Promise<void> {
    const builder = this.cibDrivers;
    const nodes = this.options.cib?.nodes;
    if (builder === undefined || nodes === undefined || this.closed || configuration === this.lastCibKey) return this.updating;
    this.lastCibKey = configuration;
    this.updatesInFlight += 1;
    this.updating = this.updating.then(async () => {
      if (this.closed || configuration !== this.lastCibKey) return; // a newer configuration follows
      const mapped = cibFencing(configuration, nodes);
      const built = await builder.build(mapped.devices);
      if (this.closed) return;
      // Most CIB changes (status, other resources) leave the fence devices as they were.
      const key = canonicalJson({ mapped, built: [...built.drivers.keys()], problems: built.problems });
      if (key === this.cibState?.key) return;
      const merged = mergeFencing({ deviceNames: [...this.base.drivers.keys()], levels: this.base.levels, staticDelayMs: this.base.staticDelayMs, ...(this.base.priorityDelayMs === undefined ? {} : { priorityDelayMs: this.base.priorityDelayMs }) }, mapped, new Set(built.drivers.keys()), nodes);
      const topology = FenceTopology.create(merged.levels);
      const problems = [...mapped.problems, ...built.problems, ...merged.problems, ...(topology.ok ? [] : topology.error)];
      const drivers = new Map<string, FenceDriver>(this.base.drivers);
      for (const [id, driver] of built.drivers) if (!drivers.has(id)) drivers.set(id, driver);
      this.fencer.reconfigure({
        topology: topology.ok ? topology.value : this.base.topology,
        drivers,
        capableDevices: merged.capableDevices,
        staticDelayMs: merged.staticDelayMs,
        ...(merged.priorityDelayMs === undefined ? {} : { priorityDelayMs: merged.priorityDelayMs }),
      });
      const previous = this.cibState?.problems ?? [];
      this.cibState = { key, fencing: mapped, problems };
      this.log.info('fence devices from the CIB', { devices: [...built.drivers.keys()], levels: merged.levels.length, notes: mapped.notes });
      if (problems.join('\n') !== previous.join('\n')) for (const problem of problems) this.log.warn('CIB fence device not usable', { problem });
    }).finally(() => {
      this.updatesInFlight -= 1;
    });
    return this.updating;
  }

  /** What the last CIB update could not use (one sentence each), for status and the CLI. */
  cibProblems(): readonly string[] {
    return this.cibState?.problems ?? [];
  }

  /**
   * The `monitor` of one device (the stonith resource's start and monitor): undefined when no such
   * device is in use here (waits for the CIB update under way first).
   */
  async monitorDevice(device: string): Promise<DeviceResult | undefined> {
    await this.updating;
    if (!this.fencer.deviceNames().includes(device)) return undefined;
    return this.fencer.runDevice(device, 'monitor');
  }

  /** The CIB's fence devices as last applied (specs, levels, notes), or undefined before the first. */
  cibDevices(): CibFencing | undefined {
    return this.cibState?.fencing;
  }

  /** Fences `request.target` through its levels; every outcome is recorded in the history. Never rejects. */
  async fence(request: NodeFenceRequest): Promise<NodeFenceResult> {
    const clock = this.options.clock;
    const started = clock.now();
    if (this.closed) return { ok: false, reason: 'fencing is stopped (the daemon is shutting down)', durationMs: 0 };
    if (this.updatesInFlight > 0) {
      await this.updating;
      if (this.closed) return { ok: false, reason: 'fencing is stopped (the daemon is shutting down)', durationMs: clock.now() - started };
    }
    const startedAtMs = clock.wallNow();
    return new Promise<NodeFenceResult>((resolve) => {
      const pending: Pending = { request, startedAtMs, resolve };
      this.pending.add(pending);
      const priorities = this.options.priorities?.();
      void this.fencer.fence({ ...request, ...(priorities === undefined ? {} : { priorities }) }).then((outcome) => {
        if (!this.pending.delete(pending)) return; // closed meanwhile: already answered
        this.record(request, startedAtMs, outcome);
        const durationMs = clock.now() - started;
        resolve(outcome.ok ? { ok: true, device: outcome.devices.join('+'), durationMs } : { ok: false, reason: outcome.reason, durationMs });
      });
    });
  }

  /** One action on one device, outside the planner and the history (status, monitor, list, a test). */
  runDevice(device: string, action: FenceAction, port?: string): Promise<DeviceResult> {
    return this.fencer.runDevice(device, action, port);
  }

  /** An outcome a member broadcast (see Fencer.notice). */
  notice(target: string, action: FenceRequest['action'], ok: boolean, by: string): void {
    this.fencer.notice(target, action, ok, by);
  }

  /**
   * A person verified that `target` is off: its requests end (as failures: they did not fence; the
   * cluster learns of the confirmation separately) and one history row records the confirmation.
   */
  confirm(target: string, by: string): void {
    if (this.closed) return;
    this.fencer.cancel(target, `${by} confirmed that ${target} is off`);
    const now = this.options.clock.wallNow();
    const recorded = this.history.record({
      target,
      action: 'off',
      devices: [],
      reason: 'a person verified that the node is off (heartline fence confirm)',
      requester: by,
      startedAtMs: now,
      endedAtMs: now,
      ok: true,
      poweredOff: true,
      note: `confirmed by ${by}, not by a fence device`,
      attempts: [],
    });
    if (!recorded.ok) this.log.error('fence history not written', { target, error: recorded.error.message });
  }

  /** Stops the timers, answers every pending request with ok: false (recorded), closes the history. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.fencer.close();
    const reason = 'fencing stopped before the outcome was known (the daemon is shutting down); the target may or may not be off';
    for (const pending of [...this.pending]) {
      this.pending.delete(pending);
      this.record(pending.request, pending.startedAtMs, { ok: false, reason, attempts: [], poweredOff: false });
      pending.resolve({ ok: false, reason, durationMs: this.options.clock.wallNow() - pending.startedAtMs });
    }
    this.history.close();
    return Promise.resolve();
  }

  private record(request: NodeFenceRequest, startedAtMs: number, outcome: FenceOutcome): void {
    const tried = [...new Set(outcome.attempts.map((attempt) => attempt.device))];
    const entry: FenceHistoryRecord = {
      target: request.target,
      action: request.action,
      devices: outcome.ok ? outcome.devices : tried,
      ...(outcome.ok ? { level: outcome.level } : {}),
      reason: request.reason,
      requester: request.requester,
      startedAtMs,
      endedAtMs: this.options.clock.wallNow(),
      ok: outcome.ok,
      ...(outcome.ok ? {} : { failureReason: outcome.reason }),
      poweredOff: outcome.ok ? request.action !== 'on' : outcome.poweredOff,
      ...(outcome.ok && outcome.note !== undefined ? { note: outcome.note } : {}),
      attempts: outcome.attempts,
    };
    const recorded = this.history.record(entry);
    if (!recorded.ok) this.log.error('fence history not written', { target: request.target, error: recorded.error.message });
  }
}

/** Where a device sits in an appliance's fence levels: which node it fences, at which level, through which port. */
export interface DeviceTarget {
  readonly node: string;
  readonly level: number;
  readonly port?: string;
}

/** Every device of the appliance with the nodes it fences (a device no level names has none). */
export function deviceTargets(appliance: ApplianceProfile): ReadonlyMap<string, readonly DeviceTarget[]> {
  const targets = new Map<string, DeviceTarget[]>(appliance.fence_devices.map((device) => [device.name, []]));
  for (const node of appliance.nodes) {
    node.fencing.forEach((level, index) => {
      for (const entry of level) targets.get(entry.device)?.push({ node: node.name, level: index + 1, ...(entry.port === undefined ? {} : { port: entry.port }) });
    });
  }
  return targets;
}

export interface ProfileDeviceOptions {
  readonly library: Pick<ProfileLibrary, 'appliances' | 'pduModels' | 'bmcModels'>;
  readonly appliance: string;
  readonly device: string;
  readonly secretsDir?: string;
  readonly secrets?: SecretSource;
  readonly runner?: ToolRunner;
  readonly addressOverrides?: ApplianceFencingOptions['addressOverrides'];
}

/**
 * The driver of one device of an appliance and the nodes it fences, needing only that device's
 * secrets (for `heartline fence-device status|test` on a node that does not hold every secret).
 */
export async function buildProfileDevice(options: ProfileDeviceOptions): Promise<Result<{ readonly driver: FenceDriver; readonly targets: readonly DeviceTarget[] }, ProfileFencingError>> {
  const appliance = findAppliance(options.library, options.appliance);
  if (!appliance.ok) return appliance;
  const device = appliance.value.fence_devices.find((candidate) => candidate.name === options.device);
  if (device === undefined) {
    const names = appliance.value.fence_devices.map((candidate) => candidate.name).join(', ');
    return err({ kind: 'devices', message: `appliance '${options.appliance}' has no fence device named '${options.device}' (its devices: ${names})`, problems: [] });
  }
  // The appliance cut down to this device: only its driver is built, only its secrets are read.
  const alone: ApplianceProfile = {
    ...appliance.value,
    fence_devices: [device],
    nodes: appliance.value.nodes.map((node) => ({ ...node, fencing: node.fencing.map((level) => level.filter((entry) => entry.device === device.name)).filter((level) => level.length > 0) })),
  };
  const built = await buildApplianceFencing(alone, options.library, {
    secrets: options.secrets ?? fileSecretSource(options.secretsDir ?? SECRETS_DIRECTORY),
    runner: options.runner ?? new ChildToolRunner(),
    ...(options.addressOverrides === undefined ? {} : { addressOverrides: options.addressOverrides }),
  });
  if (!built.ok) return err({ kind: 'devices', message: built.error.join('; '), problems: built.error });
  const driver = built.value.drivers.get(device.name);
  if (driver === undefined) return err({ kind: 'devices', message: `fence device ${device.name} was not built`, problems: [] });
  return ok({ driver, targets: deviceTargets(appliance.value).get(device.name) ?? [] });
}
