/**
 * FenceTopology: which fence devices to try for a target node, level by level (Pacemaker's
 * fencing-topology). Every device of level 1 is used first; the level succeeds only when all of
 * its devices succeed (two PDUs feeding one node's two power supplies). When any device of a
 * level fails, the next level is tried. A target without levels is fenced by each device that can
 * reach it, one at a time, each as a level of its own, in the order given.
 *
 * Pure and immutable: built once from configuration (a hardware profile or the CIB), validated,
 * then queried.
 */
import { err, ok, type Result } from '../../lib/index.js';

/** How a level names its targets (as Pacemaker's `target`, `target-pattern`, `target-attribute`). */
export type FenceLevelTarget =
  | { readonly kind: 'node'; readonly node: string }
  | { readonly kind: 'pattern'; readonly pattern: string }
  | { readonly kind: 'attribute'; readonly name: string; readonly value: string };

/** One device of a level, with the port it must act on for this target (outlet, plug, interface); none for a BMC. */
export interface FenceLevelDevice {
  readonly device: string;
  readonly port?: string;
}

/** A level as configured. */
export interface FenceLevelSpec {
  /** 1 or more; lower runs first. Unique per target. */
  readonly index: number;
  readonly target: FenceLevelTarget;
  readonly devices: readonly FenceLevelDevice[];
}

/** A level as resolved for one target. */
export interface FenceLevel {
  readonly index: number;
  readonly devices: readonly FenceLevelDevice[];
}

export class FenceTopology {
  private constructor(private readonly levels: readonly (FenceLevelSpec & { readonly regex?: RegExp })[]) {}

  /** An empty topology: every target uses its capable devices one at a time. */
  static empty(): FenceTopology {
    return new FenceTopology([]);
  }

  /**
   * Checks and builds. Refused (every problem named): an index below 1 or not whole, a level
   * without devices, an empty device id, a pattern that is not a regular expression, two levels
   * with the same index and the same target.
   */
  static create(levels: readonly FenceLevelSpec[]): Result<FenceTopology, string[]> {
    const problems: string[] = [];
    const seen = new Set<string>();
    const built = levels.map((level, position) => {
      const where = `level ${position + 1} (index ${level.index}, ${describeTarget(level.target)})`;
      if (!Number.isInteger(level.index) || level.index < 1) problems.push(`${where}: the index must be a whole number of at least 1`);
      if (level.devices.length === 0) problems.push(`${where}: names no devices`);
      if (level.devices.some((device) => device.device === '')) problems.push(`${where}: a device id is empty`);
      const key = `${level.index}/${JSON.stringify(level.target)}`;
      if (seen.has(key)) problems.push(`${where}: another level has the same index for the same target`);
      seen.add(key);
      if (level.target.kind !== 'pattern') return level;
      try {
        return { ...level, regex: new RegExp(`^(?:${level.target.pattern})$`) };
      } catch {
        problems.push(`${where}: '${level.target.pattern}' is not a regular expression`);
        return level;
      }
    });
    return problems.length > 0 ? err(problems) : ok(new FenceTopology(built));
  }

  /**
   * The levels for `target`, lowest index first. Levels from several ways of naming the target
   * that share an index are merged in configuration order. `capableDevices` (devices that can
   * reach the target, with their port) is the fallback when no level names the target.
   */
  levelsFor(target: string, options: { readonly attributes?: Readonly<Record<string, string>>; readonly capableDevices?: readonly FenceLevelDevice[] } = {}): readonly FenceLevel[] {
    const byIndex = new Map<number, FenceLevelDevice[]>();
    for (const level of this.levels) {
      if (!matches(level, target, options.attributes ?? {})) continue;
      const devices = byIndex.get(level.index) ?? [];
      devices.push(...level.devices);
      byIndex.set(level.index, devices);
    }
    if (byIndex.size === 0) return (options.capableDevices ?? []).map((device, position) => ({ index: position + 1, devices: [device] }));
    return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([index, devices]) => ({ index, devices }));
  }

  /** True when some level names `target` (otherwise the capable-device fallback applies). */
  hasLevelsFor(target: string, attributes: Readonly<Record<string, string>> = {}): boolean {
    return this.levels.some((level) => matches(level, target, attributes));
  }
}

function matches(level: FenceLevelSpec & { readonly regex?: RegExp }, target: string, attributes: Readonly<Record<string, string>>): boolean {
  switch (level.target.kind) {
    case 'node':
      return level.target.node === target;
    case 'pattern':
      return level.regex?.test(target) ?? false;
    case 'attribute':
      return attributes[level.target.name] === level.target.value;
  }
}

function describeTarget(target: FenceLevelTarget): string {
  switch (target.kind) {
    case 'node':
      return `target ${target.node}`;
    case 'pattern':
      return `target pattern ${target.pattern}`;
    case 'attribute':
      return `target attribute ${target.name}=${target.value}`;
  }
}
